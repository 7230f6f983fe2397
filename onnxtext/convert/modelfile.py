"""Reading, writing and checking ``.onnx`` files, with errors that name the file or the node."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path as FsPath

import onnx
from google.protobuf.message import DecodeError

from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import Path
from onnxtext.roundtrip.lean import Payloads, read_lean
from onnxtext.roundtrip.save import Slices, write_atomic, write_model

PathLike = str | os.PathLike[str]
# A surgery (see onnxtext.surgery.pipeline): what dump applies before encoding, build after decoding.
Transform = Callable[[onnx.ModelProto], onnx.ModelProto]


def read_model(path: PathLike, left_out: Payloads | None = None) -> onnx.ModelProto:
    """``onnx.load`` without external data (references are kept as they are), with clear errors.

    Given ``left_out``, the big weights of a ``.onnx`` file stay in the mapped file, not in the model
    (:func:`~onnxtext.roundtrip.lean.read_lean`); ``left_out`` receives them for the sidecar writer.
    """
    try:
        if left_out is None or not os.fspath(path).lower().endswith(".onnx"):
            return onnx.load(os.fspath(path), load_external_data=False)
        model, payloads = read_lean(path)
        left_out.update(payloads)
        return model
    except FileNotFoundError:
        raise OnnxTextError("E502", f"{path}: no such file", hint="check the path").at(
            os.fspath(path)
        ) from None
    except (DecodeError, ValueError, RuntimeError) as err:
        raise OnnxTextError(
            "E503", f"{path} is not an ONNX model ({err})", hint="pass a .onnx file (protobuf ModelProto)"
        ).at(os.fspath(path)) from None


def save_model(
    model: onnx.ModelProto | bytes, path: PathLike, *, force: bool = False, slices: Slices | None = None
) -> None:
    """Serialize ``model`` (or write its encoding, given as bytes) to ``path`` atomically; never
    replaces a file unless ``force``.

    ``slices``: payloads left in sidecars (:meth:`SidecarReader.defer`), copied in as they are written.
    """
    if isinstance(model, bytes):
        write_atomic(FsPath(path), model, force=force)
    else:
        write_atomic(FsPath(path), lambda out: write_model(model, out, slices), force=force)


def check_model(model: onnx.ModelProto, written: str | None = None, *, infer: bool = True) -> None:
    """Run ``onnx.checker`` (full check: with strict shape inference, unless ``infer`` is false because
    that already ran); E401 names the failing node.

    ``written`` is the file ``model`` was saved to: checked by path, external data is found beside it.
    """
    try:
        onnx.checker.check_model(written or model, full_check=infer)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as err:
        message = str(err).strip()
        first = message.splitlines()[0] if message else "the model is not valid"
        raise OnnxTextError(
            "E401",
            f"onnx.checker: {first}",
            path=_node_path(model, message),
            hint="fix the model, or build with --no-check to write it anyway",
        ) from None


def _node_path(model: onnx.ModelProto, message: str) -> Path | None:
    """The path of the node an onnx.checker message names, when it names one of the main graph."""
    match = re.search(r"Name: ?(.*?) OpType: ?(\S+)", message) or re.search(r"[Nn]ode \(([^)]*)\)", message)
    if match is None:
        return None
    name = match.group(1)
    for i, node in enumerate(model.graph.node):
        if node.name == name:
            return ("graph", "nodes", i)
    return None

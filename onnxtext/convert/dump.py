"""The steps of a dump: model -> document file, with its sidecars moved in only once all is written."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path as FsPath
from typing import Any

import onnx

from onnxtext import text
from onnxtext.base.collector import gc_paused
from onnxtext.base.errors import OnnxTextError
from onnxtext.base.progress import Progress, Silent
from onnxtext.codecs import SidecarWriter
from onnxtext.codecs.held import HeldPayloads, holding
from onnxtext.codecs.policy import Mode, Policy
from onnxtext.convert.modelfile import PathLike, Transform, read_model
from onnxtext.roundtrip.encode import encode_model
from onnxtext.roundtrip.external import DATA_DIR_KEY, external_locations
from onnxtext.roundtrip.lean import Payloads
from onnxtext.roundtrip.save import atomic_file, check_writable, current_umask
from onnxtext.roundtrip.stream import write_document

SIDECAR_SUFFIX = ".tensors"


def dumps(
    model: onnx.ModelProto | bytes,
    format: text.Format = "yaml",
    *,
    tensors: Mode = "auto",
    inline_max: int = Policy.inline_max,
    npy_min_bytes: int = Policy.npy_min_bytes,
) -> str:
    """The document text of ``model``; every payload inline or Base64 (``dumps`` writes no files)."""
    policy = Policy(
        mode=tensors, inline_max=inline_max, npy_min_bytes=npy_min_bytes, doubles_only=format == "json"
    )
    if not isinstance(model, onnx.ModelProto):
        model = _parsed_model(model)
    with gc_paused():
        return text.emit(encode_model(model, policy), format)


def _parsed_model(data: bytes) -> onnx.ModelProto:
    model = onnx.ModelProto()
    model.ParseFromString(data)
    return model


def dump(
    model: onnx.ModelProto | PathLike,
    doc_path: PathLike,
    *,
    format: text.Format | None = None,
    tensors: Mode = "auto",
    inline_max: int = Policy.inline_max,
    npy_min_bytes: int = Policy.npy_min_bytes,
    force: bool = True,
    progress: Progress | None = None,
    transform: Transform | None = None,
) -> None:
    """Write the document of ``model`` (a ModelProto or a ``.onnx`` path) to ``doc_path``.

    ``transform`` (a surgery, see :func:`onnxtext.surgery.pipeline`) changes the model before encoding.

    ``.npy`` sidecars go into ``<stem>.tensors/`` beside the document, named by their content (see
    :class:`~onnxtext.codecs.npy.SidecarWriter`).  Document and sidecar folder are written under
    temporary names and renamed into place at the end.
    """
    target = FsPath(doc_path)
    fmt = format or text.format_for(target.name)
    check_writable(target, force=force)
    policy = Policy(
        mode=tensors, inline_max=inline_max, npy_min_bytes=npy_min_bytes, doubles_only=fmt == "json"
    )
    progress = progress or Silent()
    from_file = isinstance(model, (str, os.PathLike))
    progress.stage("reading the model")
    left_out: Payloads = {}  # weights the encoder takes from the mapped file (no transform may copy them)
    proto = read_model(model, left_out if transform is None else None) if from_file else model
    if transform is not None:
        proto = transform(proto)
    folder = target.with_name(target.stem + SIDECAR_SUFFIX)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = FsPath(tempfile.mkdtemp(dir=target.parent, prefix=f".{folder.name}."))
    try:
        with gc_paused():
            progress.stage("encoding", len(proto.graph.node) + len(proto.graph.initializer))
            sidecars = SidecarWriter(staging, folder.name, left_out)
            held = HeldPayloads()  # big Base64/number payloads: written from the model, not the tree
            with holding(held):
                tree = encode_model(proto, policy, sidecars, progress)
            sidecars.check_all_taken()
            progress.stage("writing")
            document = text.emit(tree, fmt)
            if from_file and external_locations(proto, document):
                tree = _with_data_dir(tree, FsPath(model).resolve().parent, target.resolve().parent)
                document = text.emit(tree, fmt)
        with atomic_file(target) as out:  # the sidecars move in once the document is safely written
            write_document(document, held, fmt, out)
            replace_sidecar_folder(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _with_data_dir(tree: dict[str, Any], data_dir: FsPath, doc_dir: FsPath) -> dict[str, Any]:
    """Record (after the format key) where the model's external data lives, relative to the document."""
    relative = os.path.relpath(data_dir, doc_dir).replace(os.sep, "/")
    if relative == ".":
        return tree
    first, *rest = tree.items()
    return dict([first, (DATA_DIR_KEY, relative), *rest])


def replace_sidecar_folder(fresh: FsPath, folder: FsPath) -> None:
    """Put freshly written sidecars (the folder ``fresh``: absent or empty when there are none) in
    ``folder``'s place, and drop the stale folder of an earlier dump (E501 when it holds other files)."""
    check_sidecar_folder(folder)
    if folder.exists():
        trash = folder.with_name(folder.name + ".old")
        os.replace(folder, trash)
        shutil.rmtree(trash, ignore_errors=True)
    if fresh.is_dir() and any(fresh.iterdir()):
        os.chmod(fresh, 0o777 & ~current_umask())
        os.replace(fresh, folder)


def check_sidecar_folder(folder: FsPath) -> None:
    """E501 unless ``folder`` is absent or holds only ``.npy`` files: onnxtext replaces it whole."""
    if folder.exists() and not (
        folder.is_dir() and all(p.suffix == ".npy" and p.is_file() for p in folder.iterdir())
    ):
        raise OnnxTextError(
            "E501",
            f"{folder} exists and holds files that are not .npy sidecars",
            hint="move that folder away; onnxtext owns <document>.tensors/",
        ).at(str(folder))

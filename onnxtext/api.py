"""The public API, shaped like :mod:`json`: ``dumps``/``loads`` for strings, ``dump``/``load`` for files.

This is where the layers meet: text (YAML/JSON) <-> document tree <-> ModelProto, with tensor
payloads read and written by the codecs.  Errors leave here placed at ``file:line:col``.  The steps
of the file commands live in :mod:`onnxtext.convert`; the names here are what callers use.
"""

from __future__ import annotations

from pathlib import Path as FsPath

import onnx

from onnxtext import text
from onnxtext.base.collector import gc_paused
from onnxtext.codecs.policy import Mode, Policy
from onnxtext.convert.build import Gate, build
from onnxtext.convert.dump import SIDECAR_SUFFIX, dump
from onnxtext.convert.modelfile import PathLike, Transform, check_model, read_model, save_model
from onnxtext.convert.source import Source, locate_error
from onnxtext.roundtrip.encode import encode_model

__all__ = [
    "SIDECAR_SUFFIX",
    "Gate",
    "PathLike",
    "Transform",
    "build",
    "check_model",
    "dump",
    "dumps",
    "load",
    "loads",
    "locate_error",
    "read_model",
    "save_model",
]


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
    with gc_paused():
        return text.emit(encode_model(_as_model(model), policy), format)


def loads(document: str, format: text.Format = "yaml", *, filename: str = "<string>") -> onnx.ModelProto:
    """The ModelProto a document text describes (``npy:`` references are read from the current folder)."""
    model, _ = Source(document, format, filename, FsPath.cwd()).decode()
    return model


def load(doc_path: PathLike, *, format: text.Format | None = None, check: bool = False) -> onnx.ModelProto:
    """The ModelProto described by the document at ``doc_path`` (sidecars read beside it).

    ``check`` runs onnx.checker on the model in memory; a model with external data is checked by
    :func:`build`, which can place the data files where the checker looks for them.
    """
    source = FsPath(doc_path)
    document = Source.read(source, format)
    model, _ = document.decode()
    if check:
        document.check(model)
    return model


def _as_model(model: onnx.ModelProto | bytes) -> onnx.ModelProto:
    if isinstance(model, onnx.ModelProto):
        return model
    proto = onnx.ModelProto()
    proto.ParseFromString(model)
    return proto

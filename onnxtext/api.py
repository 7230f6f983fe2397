"""The public API, shaped like :mod:`json`: ``dumps``/``loads`` for strings, ``dump``/``load`` for files.

This is where the layers meet: text (YAML/JSON) <-> document tree <-> ModelProto, with tensor
payloads read and written by the codecs.  Errors leave here placed at ``file:line:col``.  The steps
of the file commands live in :mod:`onnxtext.convert`; the names here are what callers use.
"""

from __future__ import annotations

from pathlib import Path as FsPath

import onnx

from onnxtext import text
from onnxtext.convert.build import Gate, build
from onnxtext.convert.dump import SIDECAR_SUFFIX, dump, dumps
from onnxtext.convert.modelfile import PathLike, Transform, check_model, read_model, save_model
from onnxtext.core.document import Document

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
    "read_model",
    "save_model",
]


def loads(document: str, format: text.Format = "yaml", *, filename: str = "<string>") -> onnx.ModelProto:
    """The ModelProto a document text describes (``npy:`` references are read from the current folder)."""
    return Document(document, format, filename, FsPath.cwd()).model_or_raise()


def load(doc_path: PathLike, *, format: text.Format | None = None, check: bool = False) -> onnx.ModelProto:
    """The ModelProto described by the document at ``doc_path`` (sidecars read beside it).

    ``check`` runs onnx.checker on the model in memory; a model with external data is checked by
    :func:`build`, which can place the data files where the checker looks for them.
    """
    document = Document.read(FsPath(doc_path), format)
    model = document.model_or_raise()
    if check:
        with document.errors_placed():
            check_model(model)
    return model

"""A model to draw, read once: its document tree, its Index, and its text and positions when it is a document.

A document is read through :class:`~onnxtext.core.document.Document` (its tree as written, every
node's line); a ``.onnx`` file is encoded as ``dump --tensors digest`` writes it (attributes as a
document writes them, big tensors summarised), so its tree has the paths ``dump`` writes and the
same Index a dump of it would have.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import onnx

from onnxtext.base.errors import OnnxTextError
from onnxtext.codecs.policy import Policy
from onnxtext.convert.modelfile import read_model
from onnxtext.core.document import Document
from onnxtext.core.index import Index
from onnxtext.core.positions import SourceMap
from onnxtext.roundtrip.encode import encode_model
from onnxtext.surgery.files import has_document_suffix

_DIGEST = Policy(mode="digest")


@dataclasses.dataclass(frozen=True)
class Drawn:
    """What a picture of one model needs: a label, the tree, its Index, and for a document its text
    and source map; ``model`` is the decoded model when it was asked for (a diff compares it)."""

    label: str
    tree: Any
    index: Index
    text: str = ""
    source_map: SourceMap | None = None
    model: onnx.ModelProto | None = None
    data_dir: Path | None = None


def read_drawn(path: Path, *, with_model: bool = False) -> Drawn:
    """The model in ``path`` (a ``.onnx`` or a document) as a picture needs it; errors placed."""
    if has_document_suffix(path):
        document = Document.read(path)
        if document.syntax_error is not None:
            raise OnnxTextError.of(document.syntax_error)
        model = document.model_or_raise() if with_model else None
        tree = document.tree
        return Drawn(
            path.name,
            tree,
            Index(tree),
            document.text,
            document.source_map,
            model,
            document.data_dir if with_model else None,
        )
    model = read_model(path)
    return of_model(model, path.name, model if with_model else None, path.resolve().parent)


def of_model(
    model: onnx.ModelProto, label: str, keep: onnx.ModelProto | None = None, data_dir: Path | None = None
) -> Drawn:
    """A model in memory as a picture needs it (its tree as ``dump --tensors digest`` writes it)."""
    tree = encode_model(model, _DIGEST)
    return Drawn(label, tree, Index(tree), model=keep, data_dir=data_dir)

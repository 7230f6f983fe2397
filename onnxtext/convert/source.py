"""A document's text and where it came from: decoded and checked with errors placed in the text.

This is the quick reading a build takes (the first error stops it, placed at ``file:line:col``);
:class:`onnxtext.core.document.Document` is the recovering one that lint and the language server share.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from pathlib import Path as FsPath
from typing import Any

import onnx

from onnxtext import text
from onnxtext.base.collector import gc_paused
from onnxtext.base.errors import OnnxTextError
from onnxtext.base.progress import Progress, Silent
from onnxtext.codecs import SidecarReader
from onnxtext.convert.modelfile import check_model
from onnxtext.core.document import read_text
from onnxtext.roundtrip.decode import decode_model
from onnxtext.roundtrip.external import DATA_DIR_KEY


def locate_error(err: OnnxTextError, document: str, fmt: text.Format, filename: str) -> OnnxTextError:
    """Place ``err`` at the ``line:col`` of its path (the nearest enclosing element that exists)."""
    if err.line is not None:
        return err if err.file else err.at(filename, err.line, err.col)
    positions = text.locate(document, fmt)
    path = err.path or ()
    while path and path not in positions:
        path = path[:-1]
    line, col = positions.get(path, (1, 1))
    return err.at(filename, line, col)


@dataclasses.dataclass
class Source:
    """A document's text and where it came from: decodes and checks with errors placed in the text."""

    text: str
    fmt: text.Format
    filename: str
    folder: FsPath

    @classmethod
    def read(cls, source: FsPath, fmt: text.Format | None) -> Source:
        return cls(
            read_text(source), fmt or text.format_for(source.name), str(source), source.parent.resolve()
        )

    def decode(
        self, progress: Progress | None = None, sidecars: SidecarReader | None = None
    ) -> tuple[onnx.ModelProto, FsPath]:
        """The model, and the folder its external data lives in (``sidecars`` reads ``npy:`` payloads)."""
        progress = progress or Silent()
        with self.placed(), gc_paused():
            progress.stage("parsing")
            tree = text.parse(self.text, self.fmt)
            data_dir = tree.pop(DATA_DIR_KEY, ".") if isinstance(tree, dict) else "."
            if not isinstance(data_dir, str):
                raise OnnxTextError("E202", f"{DATA_DIR_KEY} must be a folder path", path=(DATA_DIR_KEY,))
            progress.stage("decoding", _item_count(tree))
            sidecars = sidecars or SidecarReader(self.folder)
            return decode_model(tree, sidecars, progress), self.folder / data_dir

    def check(self, model: onnx.ModelProto, written: str | None = None) -> None:
        with self.placed():
            check_model(model, written)

    @contextlib.contextmanager
    def placed(self) -> Iterator[None]:
        try:
            yield
        except OnnxTextError as err:
            raise locate_error(err, self.text, self.fmt, self.filename) from None


def _item_count(tree: Any) -> int:
    """Nodes and initializers of the main graph: what decoding advances over (0 when unsure)."""
    graph = tree.get("graph") if isinstance(tree, dict) else None
    if not isinstance(graph, dict):
        return 0
    return sum(len(graph.get(key) or ()) for key in ("nodes", "initializers"))

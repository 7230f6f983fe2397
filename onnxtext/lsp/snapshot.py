"""One version of an open document and what the editor asks of it, each part computed once.

A :class:`Snapshot` wraps the shared :class:`~onnxtext.core.document.Document` of one text version
(which derives its tree and positions from the version before, see
:meth:`~onnxtext.core.document.Document.with_edit`) with its :class:`~onnxtext.core.index.Index`,
its lint diagnostics and the inferred value types.  Every request on that version reads the same
objects.  An edit of one node updates the previous version's Index
(:meth:`~onnxtext.core.index.Index.with_node`) instead of building one.

Positions: the document layer counts 1-based lines and code-point columns; LSP counts 0-based lines
and UTF-16 code units: the Document converts between them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from onnxtext.base.collector import gc_paused
from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.paths import Path
from onnxtext.core.document import Document
from onnxtext.core.index import Index, Node, Scope
from onnxtext.core.positions import SourceMap, Span
from onnxtext.fmt import looks_like_document
from onnxtext.lint.config import load_settings
from onnxtext.lint.engine import Selection, lint

_SNIFF = 4096  # the format key is looked for in the first characters, as `onnxtext lint` does in folders


class Snapshot:
    """A document version: its Document, Index, diagnostics, inferred types (see the module docstring).

    ``base`` is the Index of the version before when it was built: this version's is derived from it
    when the edit changed one node.
    """

    def __init__(self, document: Document, version: int, base: Index | None = None) -> None:
        self.document = document
        self.version = version
        self.ours = looks_like_document(document.text[:_SNIFF])  # else some other YAML or JSON file
        self.inferred: dict[str, str] | None = None  # value name -> inferred type string, once known
        self.prepared = False  # what navigation reads is ready (see prepare)
        self._base = base
        self._index: Index | None = None
        self._diagnostics: list[Diagnostic] | None = None
        self._scopes: dict[Path, Scope] | None = None
        self._index_lock = threading.Lock()  # each part is computed once, by whichever thread asks first
        self._lint_lock = threading.Lock()

    def following(self, document: Document, version: int) -> Snapshot:
        """The snapshot of the next version, ``document``: until its own types are inferred, it shows
        this version's (a value the edit did not touch keeps its type)."""
        found = Snapshot(document, version, self._index)
        found.inferred = self.inferred
        return found

    @property
    def parsed(self) -> bool:
        return self.document.tree is not None

    @property
    def tree(self) -> Any:
        return self.document.tree

    @property
    def index(self) -> Index:
        """The one Index of this version (built on first use)."""
        if self._index is None:
            with self._index_lock, gc_paused():
                if self._index is None:
                    self._index = self._derived_index() or Index(self.document.tree)
                    self._base = None
        return self._index

    def _derived_index(self) -> Index | None:
        base, item = self._base, self.document.edited_item
        if base is None or item is None:
            return None
        for cut in range(len(item), 0, -1):  # the node holding the edited item
            if item[:cut] in base.node_at:
                return base.with_node(item[:cut], self.value(item[:cut]))
        return None

    def lint(self, preview: Callable[[list[Diagnostic]], None] | None = None) -> list[Diagnostic]:
        """What ``onnxtext lint`` reports for this text (settings from the nearest pyproject.toml),
        computed once; ``preview`` receives the tree rules' first, when the model rules (onnx.checker,
        shape inference) are still to run (see :func:`lint`)."""
        with self._lint_lock, gc_paused():  # the whole run: a collection would walk millions of objects
            if self._diagnostics is None:
                settings = load_settings(self.document.folder)
                selection = Selection(settings.select or ("ALL",), settings.ignore, settings.extend_select)
                index = self.index if self.parsed else None
                self._diagnostics = lint(self.document, selection, index, preview)
            return self._diagnostics

    def ready_for_requests(self) -> None:
        """What hover and definition read on a text just opened, before its positions are computed:
        the sketch of them (:meth:`~onnxtext.core.document.Document.ready_for_edits`), the nodes by
        path and the tables of producers and consumers (which lint builds too)."""
        with gc_paused():
            self.document.ready_for_edits()
            if self.parsed:
                index = self.index
                _ = index.node_at, index.producers, index.consumers, self.scope_at

    def prepare(self) -> None:
        """Compute what navigation reads (index, which elements start on each line, scopes)."""
        with gc_paused():
            source_map = self.document.source_map
            if source_map is not None:
                source_map.paths_on(1)
                _ = self.index, self.scope_at
            self.prepared = True

    def warm(self) -> None:
        """What to do once the editor is idle: positions read again if many edits are layered over
        them (:meth:`~onnxtext.core.document.Document.compact_positions`), then :meth:`prepare`."""
        with gc_paused():
            self.document.compact_positions()
            self.prepare()

    # -- positions --------------------------------------------------------------------------------

    def path_at(self, line: int, col: int) -> Path | None:
        """The innermost element whose text holds 1-based ``line:col`` (its end counts as inside)."""
        source_map = self._source_map()
        return source_map.path_at(line, col) if source_map is not None else None

    def span(self, path: Path) -> Span | None:
        """Where the element at ``path`` is (None when the text has no such element)."""
        source_map = self._source_map()
        return source_map.exact(path) if source_map is not None else None

    def _source_map(self) -> SourceMap | None:
        """The positions at hand (on a text just opened, from its sketch), else the full ones."""
        return self.document.ready_source_map() or self.document.source_map

    def value_span(self, path: Path) -> Span | None:
        """Where the *value* at ``path`` is written: a list item as a whole, a mapping entry after its key."""
        found = self.span(path)
        if found is None or not path or isinstance(path[-1], int):
            return found
        text = self.line_text(found.line)
        colon = text.find(":", found.col - 1)
        if colon < 0:
            return found
        start = colon + 1
        while start < len(text) and text[start] in " \t":
            start += 1
        return Span(found.line, start + 1, found.end_line, found.end_col)

    def key_span(self, path: Path) -> Span | None:
        """Where the key of the mapping entry at ``path`` is written (quotes included)."""
        found = self.span(path)
        if found is None or not path or not isinstance(path[-1], str):
            return None
        text = self.line_text(found.line)
        quote = text[found.col - 1] if found.col - 1 < len(text) and text[found.col - 1] in "'\"" else ""
        return Span(found.line, found.col, found.line, found.col + len(path[-1]) + 2 * len(quote))

    def line_text(self, line: int) -> str:
        """The text of 1-based ``line`` ('' past the end)."""
        return self.document.line_text(line)

    # -- the tree ---------------------------------------------------------------------------------

    def value(self, path: Path) -> Any:
        """The tree's value at ``path`` (None when there is none)."""
        found = self.tree
        for part in path:
            if isinstance(found, list) and isinstance(part, int) and 0 <= part < len(found):
                found = found[part]
                continue
            if not (isinstance(found, dict) and isinstance(part, str) and part in found):
                return None
            found = found[part]
        return found

    @property
    def node_at(self) -> dict[Path, Node]:
        """Node path -> index node."""
        return self.index.node_at

    @property
    def scope_at(self) -> dict[Path, Scope]:
        """Graph or function path -> its scope."""
        if self._scopes is None:
            self._scopes = {scope.path: scope for scope in self.index.scopes}
        return self._scopes

    def owner(self, path: Path) -> tuple[Node | Scope | None, Path]:
        """The innermost node or scope holding ``path``, and the rest of the path below it."""
        for cut in range(len(path), 0, -1):
            head = path[:cut]
            found = self.node_at.get(head) or self.scope_at.get(head)
            if found is not None:
                return found, path[cut:]
        return None, path

    def node_near(self, line: int) -> Node | None:
        """The node written at ``line``, or the nearest one starting above it (for text being typed)."""
        source_map = self.document.source_map
        if source_map is None:
            return None
        for number in range(line, max(0, line - 200), -1):
            for path in source_map.paths_on(number):
                found, _ = self.owner(path)
                if isinstance(found, Node):
                    return found
        return None

    def main_scope(self) -> Scope | None:
        return self.index.scopes[0] if self.index.scopes else None

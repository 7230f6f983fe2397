"""One version of an open document and what the editor asks of it, each part computed once.

A :class:`Snapshot` wraps the shared :class:`~onnxtext.core.document.Document` of one text version with
its :class:`~onnxtext.core.index.Index`, its lint diagnostics, the inferred value types and a table from
lines to the elements that start on them (for "what is under the cursor").  Every request on that
version reads the same objects; the language server builds a new snapshot per change and keeps the
last one whose text parsed for navigation while the text does not.

A snapshot made by one edit inside a list item of the previous one shares its work: the tree and
positions are derived by re-reading that item (:mod:`onnxtext.lsp.incremental`), decoding copies
the messages of the other items (:class:`~onnxtext.core.document.DecodeMemo`), and an edit of one node
updates the previous Index (:meth:`~onnxtext.core.index.Index.with_node`) instead of building one.

Positions: the document layer counts 1-based lines and code-point columns; LSP counts 0-based lines
and UTF-16 code units.  :meth:`Snapshot.to_lsp` and :meth:`Snapshot.from_lsp` convert between them.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from pathlib import Path as FsPath
from typing import Any

from onnxtext import text as text_layer
from onnxtext.base.collector import gc_paused
from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.paths import Path
from onnxtext.core.document import DecodeMemo, Document
from onnxtext.core.index import Index, Node, Scope
from onnxtext.core.positions import SourceMap, Span, code_point_column, utf16_column
from onnxtext.lint.config import load_settings
from onnxtext.lint.engine import Selection, lint
from onnxtext.lsp.incremental import Derived, Edit, Later, LineTable, Shifted, Sketched, Unreadable, derive
from onnxtext.lsp.sketch import sketch

log = logging.getLogger("onnxtext.lsp")

LspPosition = tuple[int, int]  # 0-based line, UTF-16 column
LspRange = tuple[LspPosition, LspPosition]


class Snapshot:
    """A document version: text, tree, index, diagnostics, positions (see the module docstring).

    Given the ``previous`` version and the one ``edit`` that made this text from it, the tree and
    positions are derived from the previous version's when the edit stays inside one list item
    (:mod:`onnxtext.lsp.incremental`); otherwise, and for a first version, the text is parsed whole.
    """

    def __init__(
        self,
        text: str,
        fmt: text_layer.Format,
        file: str,
        version: int,
        previous: Snapshot | None = None,
        edit: Edit | None = None,
    ) -> None:
        self._text = text
        self.format = fmt
        self.file = file
        self.version = version
        self._lock = threading.RLock()
        self._previous = previous if edit is not None else None
        self._edit = edit
        self._derived: Derived | None = None
        self._document: Document | None = None
        self._diagnostics: list[Diagnostic] | None = None
        self._base_index: Index | None = None  # the previous version's, updated when one node changed
        self._outline: dict[Path, tuple[int, int]] | None = None  # block entries' starts, see prepare()
        self.inferred: dict[str, str] | None = None  # value name -> inferred type string, once known

    @property
    def document(self) -> Document:
        """The shared Document of this version (derived from the previous version's when it can be).

        Made under this snapshot's lock only (then the previous one's): no other lock is taken first,
        so :meth:`settle` on the event loop and the lint worker cannot wait for each other.
        """
        with self._lock:
            if self._document is None:
                self._document = self._make_document()
            return self._document

    def _make_document(self) -> Document:
        folder = FsPath(self.file).parent
        folder = folder.resolve() if folder.exists() else folder
        previous, self._previous = self._previous, None
        canonical = True  # whether the text may be in the emitter's layout (its fast reader is tried)
        if previous is not None and self._edit is not None:
            try:
                found = previous.derive(self._edit)
            except Unreadable:  # a syntax error: libyaml reports it, sooner without the fast reader's try
                found, canonical = None, False
            except Exception as error:  # a bug in deriving must not cost a version: read the text whole
                log.error("deriving version %s failed: %r", self.version, error, exc_info=error)
                found = None
            self._base_index = previous.__dict__.get("index")  # when it was built
            # the edit must be what made this text from the previous one (else read it whole)
            self._derived = found if found is not None and "\n".join(found.lines) == self._text else None
        if self._derived is None:
            return Document(
                self._text, self.format, self.file, folder, memo=DecodeMemo(), canonical=canonical
            )
        found = self._derived
        source_map = SourceMap(found.starts, found.ends)
        memo = DecodeMemo(previous.document.memo if previous is not None else None)
        return Document.derived(self._text, self.format, self.file, folder, found.tree, source_map, memo)

    def settle(self) -> None:
        """Derive this version now if that is quick (the version before it has its tree and positions
        and no other thread holds either), so that it stops holding the version before it: during a
        burst of typing, nothing is linted and the chain of versions would keep one text per change.
        """
        previous = self._previous
        if previous is None or self._document is not None:
            return
        if not self._lock.acquire(blocking=False):
            return
        try:
            if not previous._lock.acquire(blocking=False):
                return
            try:
                before = previous._document
                if before is not None and before.tree is not None and "source_map" in before.__dict__:
                    _ = self.document
            finally:
                previous._lock.release()
        finally:
            self._lock.release()

    def prepare(self) -> None:
        """Make ready what the next change is derived from, at a fraction of the full positions' cost:
        a parsed (not derived) version sketches where its block entries start (:mod:`.sketch`; ~0.5 s
        on 50,000 nodes where :func:`~onnxtext.text.locate` takes 4-7 s)."""
        with self._lock, gc_paused():
            document = self.document
            if document.tree is not None and "source_map" not in document.__dict__ and self._outline is None:
                self._outline = sketch(self.format, self._lines)

    def derive(self, edit: Edit) -> Derived | None:
        """The next version's tree and positions after ``edit``, when re-reading one item is enough.

        Only from a version whose positions are known (derived, or computed after its lint) or
        sketched (:meth:`prepare`): else the whole text is read again, as fast as computing them
        would be.  From a sketch, the positions outside the edited item are computed when first asked.
        """
        with self._lock:
            document = self.document
            if document.tree is None:
                return None
            if "source_map" not in document.__dict__:
                if self._outline is None:
                    return None
                sketched = Sketched(self.format, self._lines, self._outline)
                starts = Later(lambda: _full(document).starts, sketched)
                ends = Later(lambda: _full(document).ends, sketched, ends=True)
                return derive(self.format, document.tree, self._lines, starts, ends, edit, self._outline)
            source_map = document.source_map
            if source_map is None:
                return None
            return derive(self.format, document.tree, self._lines, source_map.starts, source_map.ends, edit)

    @property
    def text(self) -> str:
        return self._text

    @property
    def parsed(self) -> bool:
        return self.document.tree is not None

    @property
    def tree(self) -> Any:
        return self.document.tree

    @functools.cached_property
    def index(self) -> Index:
        """The one Index of this version (built on first use, under the snapshot's lock)."""
        with self._lock, gc_paused():
            tree, found = self.document.tree, self._derived
            base, self._base_index = self._base_index, None
            if base is not None and found is not None and found.count == 1:
                for cut in range(len(found.item), 0, -1):  # the node holding the edited item
                    if found.item[:cut] in base.node_at:
                        index = base.with_node(found.item[:cut], self.value(found.item[:cut]))
                        if index is not None:
                            return index
                        break
            return Index(tree)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """What ``onnxtext lint`` reports for this text (settings from the nearest pyproject.toml)."""
        return self.lint()

    def lint(self, preview: Callable[[list[Diagnostic]], None] | None = None) -> list[Diagnostic]:
        """:attr:`diagnostics`, computed once; ``preview`` receives the tree rules' first, when the
        model rules (onnx.checker, shape inference) are still to run (see :func:`lint`)."""
        with self._lock, gc_paused():  # the whole run: a collection in between walks millions of objects
            if self._diagnostics is None:
                settings = load_settings(self.document.folder)
                selection = Selection(settings.select or ("ALL",), settings.ignore, settings.extend_select)
                index = self.index if self.parsed else None
                self._diagnostics = lint(self.document, selection, index, preview)
            return self._diagnostics

    # -- positions --------------------------------------------------------------------------------

    @property
    def source_map(self) -> SourceMap | None:
        with self._lock:
            return self.document.source_map

    @functools.cached_property
    def _lines(self) -> list[str]:
        if self._derived is not None:
            return self._derived.lines
        return self.text.split("\n")

    @functools.cached_property
    def _line_paths(self) -> LineTable:
        """Line -> the paths of the elements starting on it (what a position is looked up in)."""
        with self._lock:
            source_map = self.source_map
            return LineTable.of(source_map.starts if source_map is not None else {})

    def warm(self) -> None:
        """Compute what navigation needs (index, source map, position table) ahead of the first request."""
        with self._lock, gc_paused():
            if not self.parsed:
                return
            source_map = self.source_map
            self._outline = None  # the next change is derived from the full positions now
            if source_map is not None and isinstance(source_map.starts, Shifted):
                source_map.starts, source_map.ends = source_map.starts.flat(), source_map.ends.flat()
            _ = self.index, self._line_paths, self.node_at, self.scope_at

    def path_at(self, line: int, col: int) -> Path | None:
        """The innermost element whose text holds 1-based ``line:col`` (its end counts as inside)."""
        best: Path | None = None
        for path in self._line_paths.get(line):
            found = self.span(path)
            if found is None:
                continue
            _, start_col, end_line, end_col = found
            inside = start_col <= col and (end_line > line or end_col >= col)
            if inside and (best is None or len(path) > len(best)):
                best = path
        return best

    def span(self, path: Path) -> Span | None:
        """Where the element at ``path`` is (None when the text has no such element)."""
        source_map = self.source_map
        if source_map is None or path not in source_map.starts:
            return None
        line, col = source_map.starts[path]
        end_line, end_col = source_map.ends.get(path, (line, col))
        return Span(line, col, end_line, end_col)

    def value_span(self, path: Path) -> Span | None:
        """Where the *value* at ``path`` is written: a list item as a whole, a mapping entry after its key."""
        found = self.span(path)
        if found is None or not path or isinstance(path[-1], int):
            return found
        line, col, end_line, end_col = found
        text = self._lines[line - 1]
        colon = text.find(":", col - 1)
        if colon < 0:
            return found
        start = colon + 1
        while start < len(text) and text[start] in " \t":
            start += 1
        return Span(line, start + 1, end_line, end_col)

    def key_span(self, path: Path) -> Span | None:
        """Where the key of the mapping entry at ``path`` is written (quotes included)."""
        found = self.span(path)
        if found is None or not path or not isinstance(path[-1], str):
            return None
        line, col = found.line, found.col
        text = self._lines[line - 1]
        quote = text[col - 1] if col - 1 < len(text) and text[col - 1] in "'\"" else ""
        length = len(path[-1]) + 2 * len(quote)
        return Span(line, col, line, col + length)

    def line_text(self, line: int) -> str:
        """The text of 1-based ``line`` ('' past the end)."""
        return self._lines[line - 1] if 0 < line <= len(self._lines) else ""

    def line_count(self) -> int:
        return len(self._lines)

    def to_lsp(self, line: int, col: int) -> LspPosition:
        """1-based line and code-point column -> LSP's 0-based line and UTF-16 column."""
        return line - 1, utf16_column(self.line_text(line), col)

    def range_of(self, span: Span) -> LspRange:
        return self.to_lsp(span.line, span.col), self.to_lsp(span.end_line, span.end_col)

    def from_lsp(self, line: int, character: int) -> tuple[int, int]:
        """LSP's 0-based line and UTF-16 column -> 1-based line and code-point column."""
        return line + 1, code_point_column(self.line_text(line + 1), character)

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

    @functools.cached_property
    def scope_at(self) -> dict[Path, Scope]:
        """Graph or function path -> its scope."""
        return {scope.path: scope for scope in self.index.scopes}

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
        for number in range(line, max(0, line - 200), -1):
            for path in self._line_paths.get(number):
                found, _ = self.owner(path)
                if isinstance(found, Node):
                    return found
        return None

    def main_scope(self) -> Scope | None:
        return self.index.scopes[0] if self.index.scopes else None


def _full(document: Document) -> SourceMap:
    """The source map of a parsed text (computed on first use, then kept by the document)."""
    source_map = document.source_map
    assert source_map is not None
    return source_map

"""Where the elements of a document text are: spans, the source map, lines, and the columns LSP counts.

The document layer counts 1-based lines and code-point columns, as the text layer's readers report
them.  The language server protocol counts 0-based lines and UTF-16 code units, so a character
outside the Basic Multilingual Plane (an emoji in a value name) is one column here and two there:
:func:`utf16_column` and :func:`code_point_column` convert a column of one line between the two.
Lines are split as LSP splits them (:func:`lines_of`): at ``\\n``, ``\\r\\n`` and ``\\r`` only, not at
the other breaks ``str.splitlines`` knows (a raw U+2028 inside a JSON string is no line break).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from onnxtext.base.diagnostics import Edit
from onnxtext.base.paths import Path
from onnxtext.core.layers import LineTable

Position = tuple[int, int]  # 1-based line and code-point column

_BREAK = re.compile(r"\r\n|\r|\n")


class Span(NamedTuple):
    """Where an element is written: 1-based start line and column, exclusive end (code points)."""

    line: int
    col: int
    end_line: int
    end_col: int


def apply_edits(text: str, edits: Iterable[Edit], lines: list[str] | None = None) -> str:
    """``text`` (split into ``lines`` by :func:`lines_of`, when known) with ``edits`` made, each at its
    place in ``text``, not in the text an earlier edit left: an editor's change, a round of fixes.

    A column past the end of its line means the line's end, a line past the last one the text's end
    (what LSP says of positions beyond them).  Raises ValueError when two edits overlap; insertions
    at one place keep their given order.
    """
    lines = lines_of(text) if lines is None else lines
    edits = list(edits)
    starts = _line_starts(text, lines, {line for e in edits for line in (e.line, e.end_line)})
    spans = sorted(
        (
            (
                _offset(text, starts, lines, e.line, e.col),
                _offset(text, starts, lines, e.end_line, e.end_col),
                e.text,
            )
            for e in edits
        ),
        key=lambda span: span[:2],
    )
    pieces, done = [], 0
    for start, end, new in spans:
        if start < done or end < start:
            raise ValueError(f"edits overlap at character {start}")
        pieces += [text[done:start], new]
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def _line_starts(text: str, lines: list[str], wanted: set[int]) -> dict[int, int]:
    """Where each of the 1-based lines ``wanted`` starts in ``text``.

    An editor's change touches a line or two of a text that may have a million: where every break
    is one ``\n``, the lines before are summed up (in C) instead of finding every break in the text.
    """
    if "\r" in text:
        every = [0, *(found.end() for found in _BREAK.finditer(text))]
        return {line: every[line - 1] for line in wanted if line <= len(lines)}
    starts, offset, at = {}, 0, 1
    for line in sorted(line for line in wanted if line <= len(lines)):
        offset += sum(map(len, lines[at - 1 : line - 1])) + line - at
        starts[line], at = offset, line
    return starts


def _offset(text: str, starts: dict[int, int], lines: list[str], line: int, col: int) -> int:
    """The character offset in ``text`` of 1-based ``line:col`` (``starts``: where its line starts)."""
    if line > len(lines):
        return len(text)
    return starts[line] + min(max(col, 1), len(lines[line - 1]) + 1) - 1


def lines_of(text: str) -> list[str]:
    """The lines of ``text`` as LSP counts them, without their breaks (an empty one after a last break)."""
    return text.split("\n") if "\r" not in text else _BREAK.split(text)


def utf16_column(line: str, col: int) -> int:
    """The 0-based UTF-16 column (what LSP counts) of 1-based code-point column ``col`` of ``line``."""
    before = line[: col - 1]
    return len(before) if before.isascii() else len(before.encode("utf-16-le", "surrogatepass")) // 2


def code_point_column(line: str, units: int) -> int:
    """The 1-based code-point column of 0-based UTF-16 column ``units`` of ``line`` (past its end: the
    column after its last character; between the two halves of a surrogate pair: the one after it)."""
    count = col = 0
    while col < len(line) and count < units:
        count += 2 if ord(line[col]) > 0xFFFF else 1
        col += 1
    return col + 1


class SourceMap:
    """Path -> start and end of every element of a document text.

    The starts and ends of a version derived from the one before are layers over that version's
    (:class:`~onnxtext.core.layers.Shifted`); once they pile up the document reads its positions
    again (:meth:`~onnxtext.core.document.Document.compact_positions`).
    """

    def __init__(self, starts: Mapping[Path, Position], ends: Mapping[Path, Position]) -> None:
        self.starts = starts
        self.ends = ends
        self._table: LineTable | None = None
        self._lock = threading.Lock()

    def span(self, path: Path) -> Span:
        """The span of ``path``, or of its nearest enclosing element that the text has."""
        path = self._shown(path)
        line, col = self.starts.get(path, (1, 1))
        end_line, end_col = self.ends.get(path, (line, col))
        return Span(line, col, end_line, end_col)

    def exact(self, path: Path) -> Span | None:
        """The span of ``path`` itself (None when the text has no such element)."""
        if path not in self.starts:
            return None
        line, col = self.starts[path]
        end_line, end_col = self.ends.get(path, (line, col))
        return Span(line, col, end_line, end_col)

    def start(self, path: Path) -> Position:
        """Where :meth:`span` starts, without asking for its end (a language server deriving a version
        knows the starts of block entries long before every end)."""
        return self.starts.get(self._shown(path), (1, 1))

    def _shown(self, path: Path) -> Path:
        """``path``, or its nearest enclosing element that the text has."""
        while path and path not in self.starts:
            path = path[:-1]
        return path

    def paths_on(self, line: int) -> list[Path]:
        """The paths of the elements starting on 1-based ``line`` (what a position is looked up in)."""
        with self._lock:
            if self._table is None:
                self._table = LineTable.of(self.starts)
            table = self._table
        return table.get(line)

    def path_at(self, line: int, col: int) -> Path | None:
        """The innermost element whose text holds 1-based ``line:col`` (its end counts as inside)."""
        best: Path | None = None
        for path in self.paths_on(line):
            if (best is None or len(path) > len(best)) and self.holds(path, line, col):
                best = path
        return best

    def holds(self, path: Path, line: int, col: int) -> bool:
        """Whether the text of ``path``, starting on 1-based ``line``, holds ``line:col``."""
        found = self.exact(path)
        return found is not None and found.col <= col and (found.end_line > line or found.end_col >= col)

    def relocated(self, starts: Mapping[Path, Position], ends: Mapping[Path, Position]) -> None:
        """Answer from ``starts`` and ``ends`` from now on (the same text's positions, read again)."""
        with self._lock:
            self.starts, self.ends, self._table = starts, ends, None

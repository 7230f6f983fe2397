"""Where the elements of a document text are: spans, the source map, and the columns LSP counts.

The document layer counts 1-based lines and code-point columns, as the text layer's readers report
them.  The language server protocol counts 0-based lines and UTF-16 code units, so a character
outside the Basic Multilingual Plane (an emoji in a value name) is one column here and two there:
:func:`utf16_column` and :func:`code_point_column` convert a column of one line between the two.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from onnxtext.base.paths import Path

Position = tuple[int, int]  # 1-based line and code-point column


class Span(NamedTuple):
    """Where an element is written: 1-based start line and column, exclusive end (code points)."""

    line: int
    col: int
    end_line: int
    end_col: int


class SourceMap:
    """Path -> start and end of every element of a document text."""

    def __init__(self, starts: Mapping[Path, Position], ends: Mapping[Path, Position]) -> None:
        self.starts = starts
        self.ends = ends

    def span(self, path: Path) -> Span:
        """The span of ``path``, or of its nearest enclosing element that the text has."""
        path = self._shown(path)
        line, col = self.starts.get(path, (1, 1))
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


def utf16_column(line: str, col: int) -> int:
    """The 0-based UTF-16 column (what LSP counts) of 1-based code-point column ``col`` of ``line``."""
    before = line[: col - 1]
    return len(before) + sum(1 for char in before if ord(char) > 0xFFFF)


def code_point_column(line: str, units: int) -> int:
    """The 1-based code-point column of 0-based UTF-16 column ``units`` of ``line`` (past its end: the
    column after its last character; inside a surrogate pair: the character's)."""
    count = col = 0
    while col < len(line) and count < units:
        count += 2 if ord(line[col]) > 0xFFFF else 1
        col += 1
    return col + 1

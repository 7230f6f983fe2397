"""YAML comments, read in the same walk as the tree: where each one is and which element it is about.

libyaml drops comments, so they are found on the lines of the text: a ``#`` after a blank (or at the
start of a line) that no scalar covers (``'see #12'`` holds none).  The scalars that cover ``#``
lines are taken from the events of the walk that builds the tree, and so are the elements' starts:
a comment on its own line annotates the element that starts on the next line holding one, a comment
at the end of a line the first element starting on that line (or, after the last one, None).
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ruamel.yaml.events import ScalarEvent

from onnxtext.base.paths import Path
from onnxtext.text.yaml_parse import LINE_BREAK, Positions, read_yaml


@dataclasses.dataclass(frozen=True)
class Comment:
    """A comment: 1-based ``line`` and ``col`` (of its ``#``), its text, whether it owns its line, and
    the path of the element it annotates when it was read with the tree (None after the last
    element, and from :func:`scan_yaml_comments`)."""

    line: int
    col: int
    text: str
    own_line: bool
    annotates: Path | None = None


def parse_commented_yaml(text: str) -> tuple[Any, list[Comment]]:
    """The tree of a YAML text and its comments, in order, each with the element it annotates: one
    walk of libyaml's events.  Raises as :func:`~onnxtext.text.yaml_parse.parse_yaml` does."""
    lines, candidates = _lines_with_hash(text)
    if not candidates:
        return read_yaml(text), []
    covered: dict[int, list[tuple[int, float]]] = defaultdict(list)  # 0-based line -> scalar column spans
    positions: Positions = {(): (1, 1)}
    tree = read_yaml(text, positions, watch=lambda events: _watching(events, candidates, covered))
    elements = _Elements(positions)
    comments = [
        dataclasses.replace(c, annotates=elements.annotated(c.line, c.col, c.own_line))
        for c in _comments(lines, candidates, covered)
    ]
    return tree, comments


def scan_yaml_comments(text: str) -> list[Comment]:
    """The comments of a YAML text, in order, without where the elements start (a check that they
    are still comments).  Raises as :func:`parse_commented_yaml` does."""
    lines, candidates = _lines_with_hash(text)
    if not candidates:
        return []
    covered: dict[int, list[tuple[int, float]]] = defaultdict(list)
    read_yaml(text, watch=lambda events: _watching(events, candidates, covered))
    return list(_comments(lines, candidates, covered))


def _lines_with_hash(text: str) -> tuple[list[str], set[int]]:
    """The lines of a text as libyaml counts them, and the 0-based numbers of those holding a ``#``."""
    lines = LINE_BREAK.split(text.removeprefix("\ufeff"))
    return lines, {i for i, line in enumerate(lines) if "#" in line}


def _comments(
    lines: list[str], candidates: set[int], covered: dict[int, list[tuple[int, float]]]
) -> Iterator[Comment]:
    for i in sorted(candidates):
        line = lines[i]
        col = _comment_start(line, covered.get(i, ()))
        if col is not None:
            yield Comment(i + 1, col + 1, line[col:].rstrip(), not line[:col].strip())


def _watching(
    events: Callable[[], Any], lines: set[int], covered: dict[int, list[tuple[int, float]]]
) -> Callable[[], Any]:
    """``events``, recording the column spans that scalars cover on ``lines`` as they pass."""

    def next_event() -> Any:
        event = events()
        if type(event) is ScalarEvent:
            start, end = event.start_mark, event.end_mark
            for line in range(start.line, end.line + 1):
                if line in lines:
                    covered[line].append(
                        (start.column if line == start.line else 0, end.column if line == end.line else 1e9)
                    )
        return event

    return next_event


def _comment_start(line: str, inside: Iterable[tuple[int, float]]) -> int | None:
    """The column where a comment starts on ``line``: a ``#`` after a blank (or first) outside scalars."""
    for match in re.finditer("#", line):
        col = match.start()
        if (col == 0 or line[col - 1] in " \t") and not any(s <= col < e for s, e in inside):
            return col
    return None


class _Elements:
    """The elements of a text by where they start, to find the one a comment annotates."""

    def __init__(self, positions: Positions) -> None:
        ordered = sorted((line, col, len(path), path) for path, (line, col) in positions.items() if path)
        self.starts = [(line, col) for line, col, _, _ in ordered]
        self.paths = [path for _, _, _, path in ordered]

    def annotated(self, line: int, col: int, own_line: bool) -> Path | None:
        if own_line:
            k = bisect.bisect_left(self.starts, (line + 1, 0))
            return self.paths[k] if k < len(self.paths) else None
        first_on_line = bisect.bisect_left(self.starts, (line, 0))
        before_comment = bisect.bisect_left(self.starts, (line, col))
        if first_on_line < before_comment:
            return self.paths[first_on_line]
        return self.paths[before_comment - 1] if before_comment else None

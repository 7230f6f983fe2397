"""Where the block entries of a text in the emitter's layout start, from the leads of its lines alone.

A version is derived from the previous one's positions (:mod:`onnxtext.core.derive`), but computing
every position of a 50,000-node text (:func:`onnxtext.text.locate`) takes seconds: the first edit
after opening would wait for it.  Finding the list item an edit is in needs only the starts of the
block entries (mapping keys and list items written one per line), and in the emitter's layout each
line starts exactly one, at an indentation that tells its parent.  :func:`sketch` reads them from
the line leads and gives None for any other layout (a comment, a blank line, a quoted key, a value
running over several lines...): the full positions are computed then.  Each start is the one
:func:`~onnxtext.text.locate` gives.  :class:`Sketched` answers the positions of what the line of a
block entry holds by reading that line alone, and :class:`Later` computes the full positions only
when a sketch cannot tell.  :class:`SketchedMap` answers a request about positions on a text just
opened (a hover, a definition) the same way: the element under the cursor from that line alone.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping

from onnxtext import text as text_layer
from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import Path
from onnxtext.core.positions import Position, SourceMap

_YAML_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_.-]*):(?: (.*))?")
_JSON_KEY = re.compile(r'"([^"\\]*)": ?(.*)')


def sketch(fmt: str, lines: list[str]) -> dict[Path, Position] | None:
    """Path -> start of every block mapping entry and block list item; None unless the layout is the
    emitter's (see the module docstring)."""
    if lines and lines[-1] == "":
        lines = lines[:-1]
    try:
        return _yaml(lines) if fmt == "yaml" else _json(lines)
    except (_Other, IndexError):  # IndexError: a line after the root's end
        return None


class _Other(Exception):
    """Not the emitter's layout."""


class _Open:
    """A block collection being read: the indent of its entries, its path, and its next item's index
    (``MAPPING`` for a mapping, ``UNKNOWN`` until its first line tells)."""

    __slots__ = ("indent", "index", "path")

    def __init__(self, indent: int, path: Path, index: int) -> None:
        self.indent, self.path, self.index = indent, path, index


MAPPING, UNKNOWN = -1, -2


def _yaml(lines: list[str]) -> dict[Path, Position]:
    found: dict[Path, Position] = {(): (1, 1)}
    stack = [_Open(0, (), UNKNOWN)]
    waiting: Path | None = None  # a key whose block starts on the next line
    for number, line in enumerate(lines, 1):
        body = line.lstrip(" ")
        indent = len(line) - len(body)
        if not body:
            raise _Other
        if waiting is not None:
            if indent != stack[-1].indent + 2:
                raise _Other
            stack.append(_Open(indent, waiting, UNKNOWN))
            waiting = None
        while stack[-1].indent > indent:
            stack.pop()
        top = stack[-1]
        if top.indent != indent:
            raise _Other
        if top.index == UNKNOWN:
            top.index = 0 if body.startswith("- ") else MAPPING
        path = top.path
        if (
            top.index != MAPPING
        ):  # a list item: "- value" or "- key: value" (its mapping's entries at indent + 2)
            if not body.startswith("- "):
                raise _Other
            path = (*path, top.index)
            top.index += 1
            found[path] = (number, indent + 3)
            body = body[2:]
            if body[:1] in ("-", "'", '"', "?", "|", ">", "#", "&", "*", "!", " ", ""):
                raise _Other
            if body[0] in "[{" or not (": " in body or body.endswith(":")):
                continue
            indent += 2
            stack.append(_Open(indent, path, MAPPING))
        match = _YAML_KEY.fullmatch(body)
        if match is None:
            raise _Other
        key, rest = match.group(1), match.group(2)
        path = (*path, key)
        if path in found:
            raise _Other
        found[path] = (number, indent + 1)
        if rest is None:
            waiting = path
        elif rest[:1] in ("|", ">", "&", "*", "!", "#", " ", ""):
            raise _Other
    if waiting is not None:
        raise _Other
    return found


def _json(lines: list[str]) -> dict[Path, Position]:
    if not lines or lines[0] not in ("{", "["):
        raise _Other
    found: dict[Path, Position] = {(): (1, 1)}
    stack = [_Open(2, (), MAPPING if lines[0] == "{" else 0)]
    for number, line in enumerate(lines[1:], 2):
        body = line.lstrip(" ")
        indent = len(line) - len(body)
        if not body:
            raise _Other
        top = stack[-1]
        if body[0] in "]}":  # the line closing the open collection
            if indent != top.indent - 2 or body.rstrip(",") != body[0]:
                raise _Other
            stack.pop()
            continue
        if indent != top.indent:
            raise _Other
        path = top.path
        if top.index == MAPPING:
            match = _JSON_KEY.fullmatch(body)
            if match is None:
                raise _Other
            path = (*path, match.group(1))
            if path in found:
                raise _Other
            rest = match.group(2)
        else:
            path = (*path, top.index)
            top.index += 1
            rest = body
        found[path] = (number, indent + 1)
        if rest in ("{", "["):
            stack.append(_Open(indent + 2, path, MAPPING if rest == "{" else 0))
        elif rest[:1] not in ('"', "{", "[", "-", "t", "f", "n") and not rest[:1].isdigit():
            raise _Other
    if stack:
        raise _Other
    return found


class Sketched:
    """What a :func:`sketch` of a text tells without reading the text whole.

    Every element of a sketched text is a block entry (in the sketch) or lies in the one-line value
    of its nearest block entry: its start and end come from reading that line alone (the same
    columns a full read gives), and a path on neither is not in the text.
    """

    def __init__(self, fmt: text_layer.Format, lines: list[str], outline: Mapping[Path, Position]) -> None:
        self.fmt = fmt
        self.lines = lines
        self.outline = outline
        self._read: dict[int, tuple[dict[Path, Position], dict[Path, Position]] | None] = {}  # by line
        self._lines_table: dict[int, list[Path]] | None = None

    def find(self, path: Path, ends: bool) -> Position | bool | None:
        """The start (or end) of ``path``; False when the text has no such element; None when only the
        full positions can tell (the end of a block entry whose value goes on below its line, a line
        that does not read alone)."""
        if not ends and path in self.outline:
            return self.outline[path]
        if ends and path in self.outline and self.continued(path):
            return None
        cut = len(path) - 1 if not ends else len(path)
        while cut > 0 and path[:cut] not in self.outline:
            cut -= 1
        if not cut:
            return None
        found = self._read_line(self.outline[path[:cut]][0])
        if found is None:
            return None
        where = found[1 if ends else 0].get(path)
        if where is not None:
            return where
        return None if ends else False

    def paths_on(self, line: int) -> list[Path]:
        """The paths of the elements starting on 1-based ``line``: its block entries and what their
        one-line value holds (:meth:`~onnxtext.core.positions.SourceMap.paths_on` of the full positions)."""
        entries = self._on_line().get(line, [])
        found = self._read_line(line) if entries else None
        return [*entries, *(path for path in found[0] if path not in self.outline)] if found else entries

    def continued(self, entry: Path) -> bool:
        """Whether block entry ``entry``'s value goes on below its line (a block entry starts inside it
        on the next line: every line of a sketched text starts one)."""
        below = self._on_line().get(self.outline[entry][0] + 1, ())
        return any(len(path) > len(entry) and path[: len(entry)] == entry for path in below)

    def _on_line(self) -> dict[int, list[Path]]:
        if self._lines_table is None:
            table: dict[int, list[Path]] = {}
            for path, (number, _) in self.outline.items():
                if path:  # the root is no entry of its first line
                    table.setdefault(number, []).append(path)
            self._lines_table = table
        return self._lines_table

    def _read_line(self, number: int) -> tuple[dict[Path, Position], dict[Path, Position]] | None:
        if number not in self._read:
            entry = min(self._on_line()[number], key=len)  # the line's first entry: what it reads as
            self._read[number] = self._line(entry)
        return self._read[number]

    def _line(self, entry: Path) -> tuple[dict[Path, Position], dict[Path, Position]] | None:
        """Starts and ends of ``entry``, the first block entry of its line, and of what the line holds
        below it, from that line read alone (:meth:`find` refuses the end of an entry going on below)."""
        number = self.outline[entry][0]
        line = self.lines[number - 1]
        shift = 0
        if self.fmt == "json":
            body = line.rstrip().removesuffix(",")
            line, shift = ("[" + body + "]") if isinstance(entry[-1], int) else ("{" + body + "}"), 1
        try:
            ends: dict[Path, Position] = {}
            starts = text_layer.locate(line, self.fmt, ends)
        except OnnxTextError:
            return None

        def placed(found: dict[Path, Position]) -> dict[Path, Position]:
            return {(*entry, *path[1:]): (number, col - shift) for path, (_, col) in found.items() if path}

        return placed(starts), placed(ends)


class Later(Mapping[Path, Position]):
    """Positions computed on first use: a version derived from a sketch of the one before answers
    from that one's full positions only when ``sketched`` cannot tell."""

    def __init__(
        self, compute: Callable[[], Mapping[Path, Position]], sketched: Sketched, ends: bool = False
    ) -> None:
        self._compute: Callable[[], Mapping[Path, Position]] | None = compute
        self._sketched: Sketched | None = sketched
        self._ends = ends
        self._found: Mapping[Path, Position] | None = None
        self._lock = threading.Lock()

    def _positions(self) -> Mapping[Path, Position]:
        with self._lock:
            if self._found is None:
                assert self._compute is not None
                self._found, self._compute = self._compute(), None  # the version before is let go
                self._sketched = None
            return self._found

    def _quick(self, path: Path) -> Position | bool | None:
        sketched = self._sketched
        return sketched.find(path, self._ends) if sketched is not None else None

    def __getitem__(self, path: Path) -> Position:
        found = self._quick(path)
        if found is False:
            raise KeyError(path)
        return found if found is not None else self._positions()[path]  # type: ignore[return-value]

    def __contains__(self, path: object) -> bool:
        found = self._quick(path)  # type: ignore[arg-type]
        return found is not False if found is not None else path in self._positions()

    def __iter__(self) -> Iterator[Path]:
        return iter(self._positions())

    def __len__(self) -> int:
        return len(self._positions())


class SketchedMap(SourceMap):
    """The source map of a sketched text before its full positions are computed: starts and ends
    answered from the sketch (:class:`Later`: the full positions only where it cannot tell), and the
    element under the cursor found from the cursor's line alone.

    A request about positions on a text just opened (an editor asks for a hover as soon as the pointer
    rests on a name) is answered with the spans the full positions give, without waiting seconds
    for them.
    """

    def __init__(self, sketched: Sketched, compute: Callable[[], SourceMap]) -> None:
        super().__init__(
            Later(lambda: compute().starts, sketched), Later(lambda: compute().ends, sketched, ends=True)
        )
        self.sketched = sketched

    def paths_on(self, line: int) -> list[Path]:
        return self.sketched.paths_on(line)

    def holds(self, path: Path, line: int, col: int) -> bool:
        """As :meth:`SourceMap.holds`; a block entry going on below the line holds every column of it
        from its start (its end, further down, is not needed)."""
        outline = self.sketched.outline
        if path in outline and self.sketched.continued(path):
            return outline[path][1] <= col
        return super().holds(path, line, col)

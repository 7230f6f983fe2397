"""The next version of a document from the previous one, re-reading only the list item an edit is in.

A typical edit of a big document changes one line of one list item (a node, an initializer, a
value info).  :func:`derive` finds the innermost block-list item whose lines hold the edited range
(an item runs from its first line to the line before its next sibling), parses the new text of
those lines alone, and splices the result into a copy of the previous tree: the copy shares every
other item (same objects, so the decoder reuses their messages, see
:class:`~onnxtext.core.document.DecodeMemo`).  Positions are not rewritten: :class:`Shifted` answers
from the previous version's, moving the lines below the item by the number of lines the edit
added, and from the item's own new positions inside it.

The new lines may hold several items (a node being typed after another: the items after them are
numbered on, which :class:`Layer` also answers for).  Anything doubtful returns None and the caller
parses the whole text: an edit outside list items or across two, the last item of its list (the
list's end moves with it), text that does not read as items at the same indentation (in JSON: as
exactly one item), line breaks other than ``\\n``.  The result is the tree
and the positions a full parse gives (``tests/lsp/test_incremental.py`` compares them edit after
edit).
"""

from __future__ import annotations

import bisect
import dataclasses
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from onnxtext import text as text_layer
from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import Path

Position = tuple[int, int]
DEPTH = 64  # edits whose positions are layered before they are made one dict again (when idle)

_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029]")  # line breaks libyaml counts and str.split("\n") does not
_ITEM_PREFIX = {"yaml": re.compile(r" *- +(?:- +)*"), "json": re.compile(r"[ \t]*")}


@dataclasses.dataclass(frozen=True)
class Layer:
    """One edit: item ``at`` of the list at ``items`` became ``count`` items (their positions, absolute,
    in ``inside``); ``after`` is the item's last old line, ``delta`` the lines the edit added."""

    items: Path
    at: int
    count: int
    inside: dict[Path, Position]
    after: int
    delta: int

    def older(self, path: Path) -> Path | None:
        """``path`` as the version before this edit wrote it; None for a path in the new items."""
        size = len(self.items)
        if len(path) <= size or path[:size] != self.items:
            return path
        index = path[size]
        if index < self.at + self.count:
            return path if index < self.at else None
        return (*self.items, index - self.count + 1, *path[size + 1 :])

    def newer(self, path: Path) -> Path | None:
        """``path`` of the version before as this edit writes it; None for a path in the replaced item."""
        size = len(self.items)
        if len(path) <= size or path[:size] != self.items or path[size] < self.at:
            return path
        index = path[size]
        if index == self.at:
            return None
        return (*self.items, index + self.count - 1, *path[size + 1 :])


class Shifted(Mapping[Path, Position]):
    """Positions of a version made by replacing items, one :class:`Layer` per edit over a base dict.

    A path under a layer's item is answered by the newest such layer, otherwise by the base; then
    every newer layer moves it down by its ``delta`` when it is below that layer's item.  Nothing
    is copied per edit; :meth:`flat` makes one dict again once the layers pile up.
    """

    def __init__(
        self, base: Mapping[Path, Position], layers: tuple[Layer, ...], shared: dict[str, Any] | None = None
    ) -> None:
        self.base = base
        self.layers = layers
        self.shared = shared if shared is not None else {}  # what is built once per base (its line table)

    @classmethod
    def over(cls, positions: Mapping[Path, Position], layer: Layer) -> Shifted:
        if isinstance(positions, Shifted):
            return cls(positions.base, (*positions.layers, layer), positions.shared)
        return cls(positions, (layer,))

    def __getitem__(self, path: Path) -> Position:
        layers = self.layers
        newer = 0
        for j in range(len(layers) - 1, -1, -1):
            older = layers[j].older(path)
            if older is None:
                line, col = layers[j].inside[path]
                newer = j + 1
                break
            path = older
        else:
            line, col = self.base[path]
        for layer in layers[newer:]:
            if line > layer.after:
                line += layer.delta
        return line, col

    def __contains__(self, path: object) -> bool:
        try:
            self[path]  # type: ignore[index]
        except (KeyError, TypeError):
            return False
        return True

    def __iter__(self) -> Iterator[Path]:
        layers = self.layers
        for j, layer in enumerate(layers):
            yield from _forward(layer.inside, layers[j + 1 :])
        yield from _forward(self.base, layers)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def flat(self) -> Mapping[Path, Position]:
        """These positions as one dict when the layers have piled up (else as they are)."""
        return {path: self[path] for path in self} if len(self.layers) >= DEPTH else self


def _forward(paths: Iterable[Path], layers: Sequence[Layer]) -> Iterator[Path]:
    """``paths`` as the newest of ``layers`` writes them, less those a layer replaced."""
    for path in paths:
        moved: Path | None = path
        for layer in layers:
            moved = layer.newer(moved)
            if moved is None:
                break
        if moved is not None:
            yield moved


class Sketched:
    """What a :func:`~onnxtext.lsp.sketch.sketch` of a text tells without reading the text whole.

    Every element of a sketched text is a block entry (in the sketch) or lies in the one-line value
    of its nearest block entry: its start and end come from reading that line alone (the same
    columns a full read gives), and a path on neither is not in the text.
    """

    def __init__(self, fmt: text_layer.Format, lines: list[str], outline: Mapping[Path, Position]) -> None:
        self.fmt = fmt
        self.lines = lines
        self.outline = outline
        self._read: dict[Path, tuple[dict[Path, Position], dict[Path, Position]] | None] = {}

    def find(self, path: Path, ends: bool) -> Position | bool | None:
        """The start (or end) of ``path``; False when the text has no such element; None when only the
        full positions can tell (an end of a block entry itself, a line that does not read alone)."""
        if not ends and path in self.outline:
            return self.outline[path]
        cut = len(path) - 1 if not ends else len(path)
        while cut > 0 and path[:cut] not in self.outline:
            cut -= 1
        entry = path[:cut]
        if not entry:
            return None
        if entry not in self._read:
            self._read[entry] = self._line(entry)
        found = self._read[entry]
        if found is None:
            return None
        where = found[1 if ends else 0].get(path)
        if where is not None:
            return where
        return None if ends else False

    def _line(self, entry: Path) -> tuple[dict[Path, Position], dict[Path, Position]] | None:
        """Starts and ends of what the line of block entry ``entry`` holds below it (its own end left out)."""
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
            return {
                (*entry, *path[1:]): (number, col - shift)
                for path, (_, col) in found.items()
                if len(path) > 1
            }

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


class LineTable:
    """Line -> the paths of the elements starting on it (what "the element under the cursor" looks in).

    For positions made of :class:`Shifted` layers, the base's table is built once and shared; each
    layer maps its items' new lines to their own table and moves the lines below them back to the
    previous version's numbers; the paths found are then written as the newest version does.
    """

    def __init__(self, base: dict[int, list[Path]], layers: list[tuple[Layer, int, dict[int, list[Path]]]]):
        self.base = base
        self.layers = layers  # (layer, its first line, its items' table), oldest first

    @classmethod
    def of(cls, positions: Mapping[Path, Position]) -> LineTable:
        if not isinstance(positions, Shifted):
            return cls(_by_line(positions), [])
        if "lines" not in positions.shared:
            positions.shared["lines"] = _by_line(positions.base)
        layers = [
            (layer, layer.inside[(*layer.items, layer.at)][0], _by_line(layer.inside))
            for layer in positions.layers
        ]
        return cls(positions.shared["lines"], layers)

    def get(self, line: int) -> list[Path]:
        for j in range(len(self.layers) - 1, -1, -1):
            layer, first, table = self.layers[j]
            if line > layer.after + layer.delta:
                line -= layer.delta
            elif line >= first:
                return list(_forward(table.get(line, []), [entry[0] for entry in self.layers[j + 1 :]]))
        return list(_forward(self.base.get(line, []), [entry[0] for entry in self.layers]))


def _by_line(positions: Mapping[Path, Position]) -> dict[int, list[Path]]:
    table: dict[int, list[Path]] = {}
    for path, (line, _) in positions.items():
        table.setdefault(line, []).append(path)
    return table


class Unreadable(Exception):
    """The edited item's new text does not read: the whole text has an error too, and is not in the
    emitter's layout (its reader need not be tried first)."""


@dataclasses.dataclass(frozen=True)
class Edit:
    """One change of the text: 1-based ``line:col`` to ``end_line:end_col`` (code points) becomes ``text``."""

    line: int
    col: int
    end_line: int
    end_col: int
    text: str


@dataclasses.dataclass(frozen=True)
class Derived:
    """The new version: its tree, positions and lines, and which old lines [first, last] became which."""

    tree: Any
    item: Path  # the list item whose lines were read again
    count: int  # the items they hold now
    starts: Shifted
    ends: Shifted
    lines: list[str]
    first: int
    last: int
    delta: int


def derive(
    fmt: text_layer.Format,
    tree: Any,
    lines: list[str],
    starts: Mapping[Path, Position],
    ends: Mapping[Path, Position],
    edit: Edit,
    outline: Mapping[Path, Position] | None = None,
) -> Derived | None:
    """The version after ``edit`` of the text whose ``tree``, ``lines`` and positions are given; None
    when only a full parse can tell (see the module docstring); raises :class:`Unreadable` when the
    edited item's text does not read.  ``outline``, when given, holds the
    starts of the block entries alone (:func:`~onnxtext.lsp.sketch.sketch`): the item is found in
    it, and ``starts`` and ``ends`` are read only later, for what is outside the item."""
    if _OTHER_BREAKS.search(edit.text):
        return None
    known = starts if outline is None else outline
    found = _enclosing_item(tree, known, edit.line, edit.end_line, len(lines))
    if found is None:
        return None
    path, first, last = found
    start_col = known[path][1]
    prefix = _ITEM_PREFIX[fmt]
    old = lines[first - 1 : last]
    if prefix.fullmatch(old[0][: start_col - 1]) is None:
        return None  # the item does not start its line
    changed = _apply(old, first, edit)
    if changed is None:
        return None
    new_lines = changed.split("\n")
    if not _holds_items(fmt, new_lines, old[0][: start_col - 1]):
        return None
    read = _read_items(fmt, changed, first - 1)
    if read is None:
        return None
    values, inside_starts, inside_ends = read
    if inside_starts.get((0,)) != (first, start_col):
        return None
    delta = len(new_lines) - len(old)
    items, at = path[:-1], path[-1]
    assert isinstance(at, int)
    return Derived(
        tree=_spliced(tree, path, values),
        item=path,
        count=len(values),
        starts=Shifted.over(starts, Layer(items, at, len(values), _under(path, inside_starts), last, delta)),
        ends=Shifted.over(ends, Layer(items, at, len(values), _under(path, inside_ends), last, delta)),
        lines=[*lines[: first - 1], *new_lines, *lines[last:]],
        first=first,
        last=last,
        delta=delta,
    )


def _enclosing_item(
    tree: Any, starts: Mapping[Path, Position], line: int, end_line: int, total: int
) -> tuple[Path, int, int] | None:
    """The innermost block-list item (path, first line, last line) whose lines hold lines ``line`` to
    ``end_line``, and that has a next sibling; None when there is none."""
    value, path, bound = tree, (), total  # bound: the last line of the current element's text
    best: tuple[Path, int, int] | None = None
    while isinstance(value, (dict, list)) and value:
        keys: Any = list(value) if isinstance(value, dict) else range(len(value))
        try:
            k = bisect.bisect_right(keys, line, key=lambda key: starts[(*path, key)][0]) - 1
            if k < 0:
                return best
            first = starts[(*path, keys[k])][0]
            following = starts[(*path, keys[k + 1])][0] if k + 1 < len(keys) else None
        except KeyError:  # an element an outline leaves out (in a flow collection): no block item below
            return best
        if following is not None and following <= first:
            return best  # siblings on one line: a flow collection, nothing below is a block item
        last = following - 1 if following is not None else bound
        if end_line > last:
            return best
        path, value, bound = (*path, keys[k]), value[keys[k]], last
        if isinstance(keys, range) and following is not None:
            best = path, first, last
    return best


def _apply(old: list[str], first: int, edit: Edit) -> str | None:
    """The text of lines ``old`` (numbered from ``first``) with ``edit`` applied."""
    offsets = [0]
    for text in old:
        offsets.append(offsets[-1] + len(text) + 1)
    start_row, end_row = edit.line - first, edit.end_line - first
    if not (0 <= start_row <= end_row < len(old)):
        return None
    start = offsets[start_row] + min(edit.col - 1, len(old[start_row]))
    end = offsets[end_row] + min(edit.end_col - 1, len(old[end_row]))
    joined = "\n".join(old)
    return joined[:start] + edit.text + joined[end:]


def _holds_items(fmt: text_layer.Format, lines: list[str], lead: str) -> bool:
    """Whether ``lines`` can be read alone as the items that replace one, as the whole text reads them.

    YAML: the first line keeps the item's lead (indentation and dash); every other line that is not
    blank is indented deeper than the dash, or starts a new item at the dash, so none can close the
    list or belong to its parent.  JSON: one item, the lines end with the comma before the next.
    """
    if not lines[0].startswith(lead):
        return False
    if fmt == "json":
        return lines[-1].rstrip().endswith(",")
    dash = lead.index("-")
    for text in lines[1:]:
        stripped = text.lstrip(" ")
        if not stripped:
            continue
        indent = len(text) - len(stripped)
        if stripped.startswith("\t") or indent < dash or (indent == dash and not stripped.startswith("- ")):
            return False
    return True


def _read_items(
    fmt: text_layer.Format, text: str, offset: int
) -> tuple[list[Any], dict[Path, Position], dict[Path, Position]] | None:
    """The items of some lines and their positions, relative to the first item ((0,) is its path) and
    with lines moved by ``offset``; JSON reads exactly one.  Raises :class:`Unreadable` for a syntax error."""
    if fmt == "json":
        text = text.rstrip()[:-1]  # the comma before the next item
    try:
        value = text_layer.parse(text, fmt)
        ends: dict[Path, Position] = {}
        starts = text_layer.locate(text, fmt, ends)
    except OnnxTextError:
        raise Unreadable from None
    if fmt == "yaml":
        if not isinstance(value, list) or not value:
            return None
        values = value
        starts = {path: where for path, where in starts.items() if path}
        ends = {path: where for path, where in ends.items() if path}
    else:
        values = [value]
        lead = len(text) - len(text.lstrip())
        starts[()] = (text.count("\n", 0, lead) + 1, lead - (text.rfind("\n", 0, lead) + 1) + 1)
        starts = {(0, *path): where for path, where in starts.items()}
        ends = {(0, *path): where for path, where in ends.items()}
    moved_starts = {path: (line + offset, col) for path, (line, col) in starts.items()}
    moved_ends = {path: (line + offset, col) for path, (line, col) in ends.items()}
    return values, moved_starts, moved_ends


def _under(item: Path, relative: dict[Path, Position]) -> dict[Path, Position]:
    """Positions of paths (j, ...) relative to the items replacing ``item``, as paths of the list."""
    items, at = item[:-1], item[-1]
    assert isinstance(at, int)
    return {(*items, at + path[0], *path[1:]): where for path, where in relative.items()}


def _spliced(tree: Any, path: Path, values: list[Any]) -> Any:
    """A copy of ``tree`` with ``values`` in place of the list item at ``path``: the containers on the
    way are copied, nothing else."""
    copy = dict(tree) if isinstance(tree, dict) else list(tree)
    if len(path) == 1:
        copy[path[0] : path[0] + 1] = values
    else:
        copy[path[0]] = _spliced(tree[path[0]], path[1:], values)
    return copy

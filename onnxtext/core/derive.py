"""The next version of a document from the previous one, re-reading only the list item an edit is in.

A typical edit of a big document changes one line of one list item (a node, an initializer, a
value info).  :func:`derive` finds the innermost block-list item whose lines hold the edited range
(an item runs from its first line to the line before its next sibling), parses the new text of
those lines alone, and splices the result into a copy of the previous tree: the copy shares every
other item (same objects, so the decoder reuses their messages, see
:class:`~onnxtext.core.document.DecodeMemo`).  Positions are not rewritten: they are layers over
the previous version's (:mod:`onnxtext.core.layers`).

The new lines may hold several items (a node being typed after another: the items after them are
numbered on, which the layers also answer for).  Anything doubtful returns None and the caller
parses the whole text: an edit outside list items or across two, the last item of its list (the
list's end moves with it), text that does not read as items at the same indentation (in JSON: as
exactly one item), line breaks other than ``\\n``.  The result is the tree and the positions a full
parse gives (``tests/core/test_derive.py`` compares them edit after edit).
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from onnxtext import text as text_layer
from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import Path
from onnxtext.core.layers import Layer, Position, Shifted
from onnxtext.core.positions import Edit

_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029]")  # line breaks libyaml counts and str.split("\n") does not
_ITEM_PREFIX = {"yaml": re.compile(r" *- +(?:- +)*"), "json": re.compile(r"[ \t]*")}


class Unreadable(Exception):
    """The edited item's new text does not read: the whole text has an error too, and is not in the
    emitter's layout (its reader need not be tried first)."""


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
    starts of the block entries alone (:func:`~onnxtext.core.sketch.sketch`): the item is found in
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

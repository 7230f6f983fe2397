"""Where the block entries of a text in the emitter's layout start, from the leads of its lines alone.

A change is derived from the previous version's positions (:mod:`onnxtext.lsp.incremental`), but
computing every position of a 50,000-node text (:func:`onnxtext.text.locate`) takes seconds: the
first change after opening would wait for it.  Finding the list item an edit is in needs only the
starts of the block entries (mapping keys and list items written one per line), and in the
emitter's layout each line starts exactly one, at an indentation that tells its parent.
:func:`sketch` reads them from the line leads and gives None for any other layout (a comment, a
blank line, a quoted key, a value running over several lines...): the caller then waits for the
full positions as before.  Each start is the one :func:`~onnxtext.text.locate` gives.
"""

from __future__ import annotations

import re

from onnxtext.base.paths import Path

Position = tuple[int, int]

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

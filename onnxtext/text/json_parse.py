"""Reading JSON text: :func:`parse_json` on the fast path, :func:`locate_json` for positions.

``json.loads`` builds the tree in C.  It cannot say where a duplicate key or a bare ``NaN`` is, so
when it meets one, the small position-tracking scanner below reads the text again to report it;
the same scanner gives :func:`locate_json` the position of every element.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any, NoReturn

from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import Path

_HINT = "JSON needs double-quoted keys and strings, ',' between items and none after the last"
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_LITERAL = re.compile("true|false|null")
_NOT_JSON = ("NaN", "Infinity", "-Infinity")


class _Rescan(Exception):
    """json.loads met a duplicate key or a bare NaN/Infinity; the scanner finds it and says where."""


def _pairs_to_dict(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        raise _Rescan
    return mapping


def _refuse_constant(name: str) -> NoReturn:
    raise _Rescan


def parse_json(text: str) -> Any:
    """The tree of a JSON text; raises OnnxTextError E101 (syntax) or E102 (duplicate key)."""
    text = text.removeprefix("\ufeff")
    try:
        return json.loads(text, object_pairs_hook=_pairs_to_dict, parse_constant=_refuse_constant)
    except json.JSONDecodeError as err:
        raise _syntax_error(text, err.pos, err.msg) from None
    except _Rescan:
        _Scanner(text, None).run()
        raise AssertionError("the scanner accepted what json.loads refused") from None
    except RecursionError:
        raise OnnxTextError("E101", "JSON syntax error: nested too deeply", hint=_HINT) from None
    except ValueError as err:  # an integer of more than 4300 digits
        raise OnnxTextError("E101", f"JSON syntax error: {err}", hint=_HINT) from None


def locate_json(text: str, ends: dict[Path, tuple[int, int]] | None = None) -> dict[Path, tuple[int, int]]:
    """The (line, col) of every element of a JSON text, 1-based: the key of a member, the start of an item.

    ``ends``, when given, receives where each element's value ends (just after its last character).
    """
    positions: dict[Path, tuple[int, int]] = {(): (1, 1)}
    _Scanner(text.removeprefix("\ufeff"), positions, ends).run()
    return positions


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, col) of a character offset, counting lines as json does (``\\n`` only)."""
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def _syntax_error(text: str, offset: int, message: str) -> OnnxTextError:
    line, col = _position(text, offset)
    message = message.removesuffix(" at")  # json's "Invalid control character at"
    before = text[:offset].rstrip()
    trailing_comma = before.endswith(",") and text.startswith(("}", "]"), offset)
    hint = "remove the ',' after the last item" if trailing_comma else _HINT
    return OnnxTextError("E101", f"JSON syntax error: {message}", hint=hint, line=line, col=col)


class _Frame:
    """An open object or array: its path, its closing bracket, and its keys (object) or item count."""

    __slots__ = ("closer", "count", "keys", "path")

    def __init__(self, path: Path, is_object: bool) -> None:
        self.path = path
        self.closer = "}" if is_object else "]"
        self.keys: set[str] | None = set() if is_object else None
        self.count = 0


class _Scanner:
    """Walks a JSON text as json.loads would, recording positions and raising E101/E102 where it fails.

    Iterative (no recursion limit) and linear: lines are counted in the whitespace between tokens,
    the only place JSON allows a line break.
    """

    def __init__(
        self,
        text: str,
        positions: dict[Path, tuple[int, int]] | None,
        ends: dict[Path, tuple[int, int]] | None = None,
    ) -> None:
        self.text = text
        self.positions = positions
        self.ends = ends
        self.pos = 0
        self.line = 1
        self.line_start = 0

    def run(self) -> None:
        stack: list[_Frame] = []
        path: Path = ()
        self.skip()
        while True:
            char = self.text[self.pos : self.pos + 1]
            if char == "{" or char == "[":
                frame = _Frame(path, char == "{")
                self.pos += 1
                if self.skip() != frame.closer:
                    stack.append(frame)
                    path = self.member(frame)
                    continue
                self.pos += 1
            else:
                self.scalar()
            if self.ends is not None:
                self.ends[path] = (self.line, self.pos - self.line_start + 1)
            while True:  # a value is complete: close what ends here, then go to the next member
                char = self.skip()
                if not stack:
                    if char:
                        self.fail("Extra data")
                    return
                frame = stack[-1]
                if char == frame.closer:
                    stack.pop()
                    self.pos += 1
                    if self.ends is not None:
                        self.ends[frame.path] = (self.line, self.pos - self.line_start + 1)
                    continue
                if char != ",":
                    self.fail("Expecting ',' delimiter")
                self.pos += 1
                self.skip()
                path = self.member(frame)
                break

    def member(self, frame: _Frame) -> Path:
        """Read up to the next value of ``frame`` (its key and ':' in an object) and return its path."""
        where = (self.line, self.pos - self.line_start + 1)
        if frame.keys is None:
            path: Path = (*frame.path, frame.count)
            frame.count += 1
        else:
            if not self.text.startswith('"', self.pos):
                self.fail("Expecting property name enclosed in double quotes")
            key = self.string()
            path = (*frame.path, key)
            if key in frame.keys:
                raise OnnxTextError(
                    "E102", f"duplicate key {key!r}", path=path, line=where[0], col=where[1],
                    hint="a mapping holds each key once: merge the two entries or rename one",
                )  # fmt: skip
            frame.keys.add(key)
            if self.skip() != ":":
                self.fail("Expecting ':' delimiter")
            self.pos += 1
            self.skip()
        if self.positions is not None:
            self.positions[path] = where
        return path

    def scalar(self) -> None:
        text, pos = self.text, self.pos
        if text.startswith('"', pos):
            self.string()
            return
        match = _NUMBER.match(text, pos) or _LITERAL.match(text, pos)
        if match is not None:
            self.pos = match.end()
        elif text.startswith(_NOT_JSON, pos):
            hint = 'write the strings "NaN", "Infinity", "-Infinity"'
            line, col = self.line, pos - self.line_start + 1
            raise OnnxTextError("E101", "JSON has no NaN or Infinity", hint=hint, line=line, col=col)
        else:
            self.fail("Expecting value")

    def string(self) -> str:
        try:
            value, self.pos = scanstring(self.text, self.pos + 1, True)
        except json.JSONDecodeError as err:
            raise _syntax_error(self.text, err.pos, err.msg) from None
        return value

    def skip(self) -> str:
        """Skip whitespace, counting line breaks; return the next character ('' at the end)."""
        text, pos = self.text, self.pos
        end = _WHITESPACE.match(text, pos).end()  # type: ignore[union-attr]
        breaks = text.count("\n", pos, end)
        if breaks:
            self.line += breaks
            self.line_start = text.rfind("\n", pos, end) + 1
        self.pos = end
        return text[end : end + 1]

    def fail(self, message: str) -> NoReturn:
        raise _syntax_error(self.text, self.pos, message)

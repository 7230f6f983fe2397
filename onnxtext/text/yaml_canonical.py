"""Reading the YAML that :mod:`.yaml_emit` writes, line by line, without libyaml's event objects.

libyaml hands every scalar and collection to Python as an event object with two marks; building those
takes most of the time :func:`onnxtext.text.yaml_parse.parse_yaml` spends on a big graph.  The
canonical layout is much narrower than YAML: block mappings and sequences indented by 2 (``key:
value``, ``- item``), one-line flow collections with ``, `` between items, plain scalars the emitter
would write plain, ``'...'`` and ``"..."`` with the emitter's escapes.  :func:`read_canonical` reads
exactly that and raises :class:`NotCanonical` on anything else (a comment, a tab, a blank line, a
duplicate key, a multi-line scalar, another indent, an escape the emitter never writes...), and the
caller reads the text with libyaml instead, which reports any error.  So the tree is the same as
libyaml's for every text read here; only the time differs.
"""

from __future__ import annotations

import re
from typing import Any

from onnxtext.text.scalars import resolve_plain
from onnxtext.text.yaml_emit import plain_ok

# Characters the canonical layout may hold: YAML-printable minus tab, CR, the line breaks libyaml
# knows besides LF (\x85, U+2028, U+2029) and the BOM.
_OUTSIDE = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_NUMBER_CHARS = re.compile(r"[-+.0-9A-Za-z]+")  # how the emitter spells numbers, null and booleans
_FLOW_TOKEN = re.compile(r"[^,\[\]{}:?#]*")  # a plain scalar in a flow collection ends at these
_NESTED = re.compile("[\\[{'\"]")
# Lists the emitter writes of floats (``repr``, always with a dot) or of decimal ints: read with one
# split; resolve_plain reads each item as the same float or int.
_FLOATS = re.compile(r"[-+]?[0-9]+\.[0-9]*(?:[eE][-+]?[0-9]+)?(?:, [-+]?[0-9]+\.[0-9]*(?:[eE][-+]?[0-9]+)?)*")
_NUMBER_START = frozenset("-+0123456789")
_INTS = re.compile(r"[-+]?[0-9]+(?:, [-+]?[0-9]+)*")
_DOUBLE_QUOTED_STOP = re.compile(r'["\\]')
_HEX = re.compile(r"[0-9a-fA-F]+")
_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r", "e": "\x1b",
    '"': '"', "\\": "\\",
}  # fmt: skip
_HEX_DIGITS = {"x": 2, "u": 4}
_MAX_KEY = 1000  # libyaml refuses implicit keys of more than 1024 characters; the emitter writes "? key"


class NotCanonical(Exception):
    """The text is not laid out as the emitter writes it: read it with libyaml."""


def read_canonical(text: str) -> Any:
    """The tree of a YAML text in the emitter's layout (a block mapping or sequence at the top).

    Raises :class:`NotCanonical` for any other text, valid YAML or not.
    """
    if _OUTSIDE.search(text) is not None:
        raise NotCanonical
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    try:
        return _Reader().read(lines)
    except (IndexError, ValueError, RecursionError):  # ValueError: an integer too long to convert
        raise NotCanonical from None


class _Reader:
    """Reads the block collections line by line, with a stack of the open ones; the flow ones by recursion."""

    def __init__(self) -> None:
        self.plain: tuple[dict[str, Any], dict[str, Any]] = ({}, {})  # block, flow: text -> value
        self.keys: tuple[set[str], set[str]] = (set(), set())  # block, flow: plain keys checked

    def read(self, lines: list[str]) -> Any:
        """The tree of the lines: every block collection indented 2 under its key or dash."""
        if not lines or lines[0].startswith(" "):
            raise NotCanonical
        root: Any = [] if lines[0].startswith("- ") else {}
        stack: list[tuple[int, Any]] = [(0, root)]  # the open block collections and their indents
        waiting: tuple[dict[str, Any], str] | None = None  # a ``key:`` whose block starts below
        cache = self.plain[0]
        for line in lines:
            body = line.lstrip(" ")
            indent = len(line) - len(body)
            if waiting is not None:
                if indent != stack[-1][0] + 2:
                    raise NotCanonical
                top: Any = [] if body.startswith("- ") else {}
                waiting[0][waiting[1]] = top
                stack.append((indent, top))
                waiting = None
            else:
                while stack[-1][0] > indent:
                    stack.pop()
                if stack[-1][0] != indent:
                    raise NotCanonical
                top = stack[-1][1]
            while type(top) is list:  # ``- item``, ``- key: value`` or ``- - item``
                if not body.startswith("- "):
                    raise NotCanonical
                body = body[2:]
                indent += 2
                if body.startswith("- "):
                    inner: Any = []
                elif self.opens_mapping(body):
                    inner = {}
                else:
                    top.append(cache[body] if body in cache else self.value(body))
                    break
                top.append(inner)
                stack.append((indent, inner))
                top = inner
            else:
                key, rest = self.key(body)
                if key in top:
                    raise NotCanonical  # libyaml's reading reports the duplicate
                if rest:
                    top[key] = cache[rest] if rest in cache else self.value(rest)
                else:
                    waiting = (top, key)
        if waiting is not None:
            raise NotCanonical
        return root

    def opens_mapping(self, text: str) -> bool:
        """Whether a sequence item's text starts a mapping (``- op_type: Conv``)."""
        if text[:1] in ("'", '"'):
            return text[self.quoted(text, 0)[1] :].startswith(":")
        if text[:1] in ("[", "{"):
            return False
        return ": " in text or text.endswith(":")

    def key(self, text: str) -> tuple[str, str]:
        """A block mapping key and the value text after ``: `` ('' when the value is a block below)."""
        if text[:1] in ("'", '"'):
            key, end = self.quoted(text, 0)
        else:
            end = text.find(": ")
            if end < 0:
                end = len(text) - 1
            key = self.plain_key(text[:end], 0)
        if len(key) > _MAX_KEY:
            raise NotCanonical
        rest = text[end:]
        if rest == ":":
            return key, ""
        if not rest.startswith(": ") or len(rest) == 2:
            raise NotCanonical
        return key, rest[2:]

    def plain_key(self, key: str, context: int) -> str:
        """A plain mapping key (``context`` 0: block, 1: flow), when the emitter would write it so."""
        if key not in self.keys[context]:
            if not plain_ok(key, flow=context == 1):
                raise NotCanonical
            self.keys[context].add(key)
        return key

    def value(self, text: str) -> Any:
        """The value that fills the rest of a line."""
        first = text[:1]
        if first in ("[", "{", "'", '"'):
            value, end = self.flow_item(text, 0)
            if end != len(text):
                raise NotCanonical
            return value
        return self.scalar(text, 0)

    def scalar(self, text: str, context: int) -> Any:
        """A plain scalar's value (``context`` 0: block, 1: flow), when the emitter would write it so."""
        cache = self.plain[context]
        value = cache.get(text, cache)
        if value is cache:
            value = resolve_plain(text)
            ok = plain_ok(text, flow=context == 1) if type(value) is str else _NUMBER_CHARS.fullmatch(text)
            if not ok:
                raise NotCanonical
            cache[text] = value
        return value

    def flow_item(self, text: str, pos: int) -> tuple[Any, int]:
        """The flow value at ``pos`` and where it ends."""
        first = text[pos]
        if first == "[":
            return self.flow_sequence(text, pos + 1)
        if first == "{":
            return self.flow_mapping(text, pos + 1)
        if first in ("'", '"'):
            return self.quoted(text, pos)
        end = _FLOW_TOKEN.match(text, pos).end()  # type: ignore[union-attr]  # matches the empty string
        return self.scalar(text[pos:end], 1), end

    def flow_sequence(self, text: str, pos: int) -> tuple[list[Any], int]:
        if text.startswith("]", pos):
            return [], pos + 1
        close = text.find("]", pos)
        if close >= 0 and _NESTED.search(text, pos, close) is None:  # plain scalars only: one split
            items = text[pos:close].split(", ")
            if text[pos] in _NUMBER_START:
                if _FLOATS.fullmatch(text, pos, close):
                    return list(map(float, items)), close + 1
                if _INTS.fullmatch(text, pos, close):
                    return list(map(int, items)), close + 1
            cache = self.plain[1]
            return [cache[item] if item in cache else self.scalar(item, 1) for item in items], close + 1
        out = []
        while True:
            item, pos = self.flow_item(text, pos)
            out.append(item)
            if text.startswith(", ", pos):
                pos += 2
            elif text.startswith("]", pos):
                return out, pos + 1
            else:
                raise NotCanonical

    def flow_mapping(self, text: str, pos: int) -> tuple[dict[str, Any], int]:
        out: dict[str, Any] = {}
        if text.startswith("}", pos):
            return out, pos + 1
        while True:
            if text[pos] in ("'", '"'):
                key, pos = self.quoted(text, pos)
            else:
                end = _FLOW_TOKEN.match(text, pos).end()  # type: ignore[union-attr]
                key = self.plain_key(text[pos:end], 1)
                pos = end
            if len(key) > _MAX_KEY or key in out or not text.startswith(": ", pos):
                raise NotCanonical
            out[key], pos = self.flow_item(text, pos + 2)
            if text.startswith(", ", pos):
                pos += 2
            elif text.startswith("}", pos):
                return out, pos + 1
            else:
                raise NotCanonical

    def quoted(self, text: str, pos: int) -> tuple[str, int]:
        """A quoted scalar that starts at ``pos`` and closes on the same line, and where it ends."""
        return _double_quoted(text, pos + 1) if text[pos] == '"' else _single_quoted(text, pos + 1)


def _single_quoted(text: str, start: int) -> tuple[str, int]:
    pieces = []
    while True:
        quote = text.find("'", start)
        if quote < 0:
            raise NotCanonical
        if text.startswith("'", quote + 1):  # '' stands for one quote
            pieces.append(text[start : quote + 1])
            start = quote + 2
            continue
        pieces.append(text[start:quote])
        return "".join(pieces), quote + 1


def _double_quoted(text: str, start: int) -> tuple[str, int]:
    pieces = []
    while True:
        stop = _DOUBLE_QUOTED_STOP.search(text, start)
        if stop is None:
            raise NotCanonical
        at = stop.start()
        pieces.append(text[start:at])
        if text[at] == '"':
            return "".join(pieces), at + 1
        escape = text[at + 1 : at + 2]
        if escape in _ESCAPES:
            pieces.append(_ESCAPES[escape])
            start = at + 2
        elif escape in _HEX_DIGITS:
            digits = text[at + 2 : at + 2 + _HEX_DIGITS[escape]]
            if len(digits) != _HEX_DIGITS[escape] or not _HEX.fullmatch(digits):
                raise NotCanonical
            code = int(digits, 16)
            if 0xD800 <= code < 0xE000:
                raise NotCanonical
            pieces.append(chr(code))
            start = at + 2 + len(digits)
        else:
            raise NotCanonical

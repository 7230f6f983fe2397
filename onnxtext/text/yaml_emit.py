"""Canonical YAML text, written directly (ruamel's representer is far too slow for big graphs).

Layout: block mappings indented by 2, keys in dict order; a :class:`~onnxtext.text.shape.Flow` mapping
and a list holding no mapping on one line (``{name: x, type: 'float32[2]'}``, ``[1, 3, 224, 224]``),
however long: nothing wraps, so the text of one element never depends on another's; any other list
as a block sequence indented under its key.  Strings are plain whenever YAML 1.2 and YAML 1.1 readers
both read them back as the same string, because people grep and regex them; otherwise single-quoted
when printable, otherwise double-quoted with escapes, so that any str round-trips exactly.
"""

from __future__ import annotations

import math
import re
from typing import Any

from onnxtext.base.doctree import MAPPINGS, Flow
from onnxtext.text.scalars import float_text, is_plain_str, scalar_text
from onnxtext.text.shape import NotPlainData, inline_list

# libyaml refuses an implicit key longer than this (in characters); longer keys are written "? key".
MAX_SIMPLE_KEY = 1024

_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# What a plain or single-quoted scalar may hold: YAML-printable, minus tab, the line breaks libyaml
# knows (\x85, U+2028, U+2029) and the BOM.  Anything else needs double quotes and escapes.
_QUOTABLE = "\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"
_UNQUOTABLE = re.compile(f"[^{_QUOTABLE}]")
_NEEDS_ESCAPE = re.compile(f'["\\\\]|[^{_QUOTABLE}]')
_BARE_EXPONENT = re.compile(r"(?<![.0-9])(-?[0-9]+)e")  # 1e-05 in a list of reprs: YAML 1.1 wants 1.0e-05
_CONTAINERS = frozenset({dict, Flow, list})
_FLOW_INDICATORS = re.compile(r"[:?,\[\]{}#]")
# Names and paths (``/model/layers.0/MatMul``, ``onnx_Add_17``): plain unless they spell null, a bool or a
# number, in block and flow context alike.
_NAME_LIKE = re.compile(r"[A-Za-z_/][A-Za-z0-9_./]*")
_ESCAPES = {
    "\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f",
    "\r": "\\r", "\x1b": "\\e", '"': '\\"', "\\": "\\\\",
}  # fmt: skip


def plain_ok(text: str, flow: bool) -> bool:
    """True when ``text`` can be written unquoted and read back as exactly this string.

    Conservative: no leading indicator, no ``: `` or `` #``, no trailing ``:``, no surrounding
    whitespace, nothing that resolves to null/bool/number, no document marker, no merge key; in a flow
    list (``[a, b]``) also none of ``: ? , [ ] { } #`` anywhere (libyaml refuses ``[onnx::Add_17]``,
    and this libyaml ends a plain scalar at ``?`` too).
    """
    if _NAME_LIKE.fullmatch(text) is not None:  # the common case, in one regex instead of eight checks
        return is_plain_str(text)
    return (
        text != ""
        and text[0] not in _INDICATORS
        and text[-1] != ":"
        and text.strip() == text
        and ": " not in text
        and " #" not in text
        and not text.startswith("...")
        and text != "<<"
        and _UNQUOTABLE.search(text) is None
        and (not flow or _FLOW_INDICATORS.search(text) is None)
        and is_plain_str(text)
    )


def quoted(text: str) -> str:
    """``text`` single-quoted when it is printable on one line, else double-quoted with escapes.

    Raises ValueError for a lone surrogate: libyaml cannot read one back, even escaped.
    """
    if _UNQUOTABLE.search(text) is None:
        return "'" + text.replace("'", "''") + "'"
    return '"' + _NEEDS_ESCAPE.sub(_escape, text) + '"'


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if 0xD800 <= code < 0xE000:
        raise ValueError(f"a lone surrogate (U+{code:04X}) cannot be written as YAML")
    return f"\\u{code:04x}"  # all of U+10000 and up is printable: never escaped


def _scalar(value: Any) -> str:
    return scalar_text(value, float_text)


class _Writer:
    """Appends the lines of one document to ``out``; caches each string's written form per context."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.block_cache: dict[str, str] = {}
        self.flow_cache: dict[str, str] = {}

    def block_str(self, text: Any) -> str:
        """A str as a mapping key or value or a sequence item, cached; NotPlainData for a non-str key."""
        if type(text) is not str:
            raise NotPlainData(type(text).__name__)
        written = self.block_cache[text] = text if plain_ok(text, flow=False) else quoted(text)
        return written

    def flow_str(self, text: Any) -> str:
        """A str inside a one-line ``[...]`` or ``{...}``, cached; NotPlainData for a non-str key."""
        if type(text) is not str:
            raise NotPlainData(type(text).__name__)
        written = self.flow_cache[text] = text if plain_ok(text, flow=True) else quoted(text)
        return written

    def leaf(self, value: Any) -> str:
        """A scalar, ``{}`` or ``[]``: anything written on the line of its key or dash."""
        kind = type(value)
        if kind is str:
            return self.block_cache.get(value) or self.block_str(value)
        if kind in MAPPINGS:
            return "{}"
        if kind is list:
            return "[]"
        return _scalar(value)

    def inline(self, value: Any) -> str:
        """Any value on one line, in flow style; a key too long to be implicit is written ``? key``."""
        kind = type(value)
        if kind is str:
            return self.flow_cache.get(value) or self.flow_str(value)
        if kind is list:
            joined = self.joined(value, set(map(type, value)))
            return f"[{self.flow_items(value) if joined is None else joined}]"
        if kind in MAPPINGS:
            entries = []
            for key, item in value.items():
                key_text = self.flow_cache.get(key) or self.flow_str(key)
                lead = "? " if len(key_text) > MAX_SIMPLE_KEY else ""
                entries.append(f"{lead}{key_text}: {self.inline(item)}")
            return "{" + ", ".join(entries) + "}"
        return _scalar(value)

    def flow_items(self, items: list[Any]) -> str:
        return ", ".join([self.inline(item) for item in items])

    def joined(self, items: list[Any], kinds: set[type]) -> str | None:
        """The items of a list of one scalar type (``kinds``), written in one sweep; None for other lists."""
        if len(kinds) != 1:
            return None
        kind = next(iter(kinds))
        if kind is str:
            cache = self.flow_cache
            return ", ".join([cache.get(item) or self.flow_str(item) for item in items])
        if kind is int:
            return ", ".join(map(int.__repr__, items))
        if kind is float and all(map(math.isfinite, items)):
            text = ", ".join(map(float.__repr__, items))
            return _BARE_EXPONENT.sub(r"\1.0e", text) if "e" in text else text  # as float_text does
        return None

    def mapping(self, mapping: dict[str, Any], indent: int, lead: str) -> None:
        """Write a non-empty mapping whose keys start at column ``indent``; ``lead`` starts its first line."""
        out, cache = self.out, self.block_cache
        pad = " " * indent
        child_pad = pad + "  "
        for key, value in mapping.items():
            key_text = cache.get(key) or self.block_str(key)
            head = f"{lead}{key_text}:" if len(key_text) <= MAX_SIMPLE_KEY else f"{lead}? {key_text}\n{pad}:"
            lead = pad
            kind = type(value)
            if kind is str:
                out.append(f"{head} {cache.get(value) or self.block_str(value)}\n")
            elif kind is dict and value:
                out.append(head + "\n")
                self.mapping(value, indent + 2, child_pad)
            elif kind is list and value:
                kinds = set(map(type, value))
                joined = self.joined(value, kinds)
                if joined is None and not kinds.isdisjoint(_CONTAINERS) and not inline_list(value):
                    out.append(head + "\n")
                    self.sequence(value, indent + 2, child_pad)
                else:
                    out.append(f"{head} [{self.flow_items(value) if joined is None else joined}]\n")
            elif kind is Flow and value:
                out.append(f"{head} {self.inline(value)}\n")
            else:
                out.append(f"{head} {self.leaf(value)}\n")

    def sequence(self, sequence: list[Any], indent: int, lead: str) -> None:
        """Write a block sequence whose dashes are at column ``indent``; ``lead`` starts its first line."""
        pad = " " * indent
        out = self.out
        for item in sequence:
            kind = type(item)
            if kind is dict and item:
                self.mapping(item, indent + 2, lead + "- ")
            elif kind is list and item:
                kinds = set(map(type, item))
                joined = self.joined(item, kinds)
                if joined is None and not kinds.isdisjoint(_CONTAINERS) and not inline_list(item):
                    self.sequence(item, indent + 2, lead + "- ")
                else:
                    out.append(f"{lead}- [{self.flow_items(item) if joined is None else joined}]\n")
            elif kind is Flow and item:
                out.append(f"{lead}- {self.inline(item)}\n")
            else:
                out.append(f"{lead}- {self.leaf(item)}\n")
            lead = pad


def emit_yaml(tree: Any) -> str:
    """The canonical YAML text of ``tree``, ending with a newline.

    Raises NotPlainData for a value outside the tree's types, ValueError for a lone surrogate.
    """
    writer = _Writer()
    kind = type(tree)
    if kind is dict and tree:
        writer.mapping(tree, 0, "")
    elif kind is list and tree and not inline_list(tree):
        writer.sequence(tree, 0, "")
    elif (kind is list or kind is Flow) and tree:
        writer.out.append(writer.inline(tree) + "\n")
    else:
        writer.out.append(writer.leaf(tree) + "\n")
    return "".join(writer.out)

"""Canonical JSON text (RFC 8259), in the same spirit as the YAML writer.

Two-space indent, one key per line; :class:`~onnxtext.text.shape.Flow` mappings and lists holding no
mapping on one line, never wrapped (the same lines as YAML).  Non-ASCII kept as UTF-8 but control
characters, line/paragraph separators, the BOM and non-characters escaped (a lone surrogate is
refused, as in YAML).  JSON has no NaN or Infinity: those floats become the strings ``"NaN"``,
``"Infinity"`` and ``"-Infinity"``; integers a double cannot hold (beyond +-(2^53 - 1)) become
decimal strings.  The decoder upstream reads both back where a number is expected.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from json.encoder import encode_basestring  # type: ignore[attr-defined]  # the C one, non-ASCII kept
from typing import Any

from onnxtext.base.doctree import MAPPINGS, SAFE_INT, Flow
from onnxtext.text.scalars import json_float_text, json_int_text, scalar_text
from onnxtext.text.shape import NotPlainData, inline_list

_MORE_ESCAPES = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def string_text(text: str) -> str:
    """``text`` as a JSON string literal, readable but with every invisible troublemaker escaped.

    Raises ValueError for a lone surrogate: not Unicode text, and an escaped pair of them would be
    read back as one character.
    """
    literal = encode_basestring(text)
    if _MORE_ESCAPES.search(literal) is None:
        return literal
    return _MORE_ESCAPES.sub(_escape, literal)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xD800 <= code < 0xE000:
        raise ValueError(f"a lone surrogate (U+{code:04X}) cannot be written as JSON")
    return f"\\u{code:04x}"


_CONTAINERS = frozenset({dict, Flow, list})


def _scalar(value: Any) -> str:
    return scalar_text(value, json_float_text, json_int_text)


class _Writer:
    """Appends the pieces of one document to ``out``; ``literal`` writes a str (a key or a value)."""

    def __init__(self, literal: Callable[[str], str]) -> None:
        self.out: list[str] = []
        self.literal = literal

    def leaf(self, value: Any) -> str:
        """A scalar, ``{}`` or ``[]``: anything written in one piece."""
        kind = type(value)
        if kind is str:
            return self.literal(value)
        if kind in MAPPINGS:
            return "{}"
        if kind is list:
            return "[]"
        return _scalar(value)

    def inline(self, value: Any) -> str:
        """Any value on one line."""
        kind = type(value)
        if kind is str:
            return self.literal(value)
        if kind is list:
            joined = self.joined(value, set(map(type, value)))
            if joined is None:
                joined = ", ".join([self.inline(item) for item in value])
            return f"[{joined}]"
        if kind in MAPPINGS and value:
            literal = self.literal
            return "{" + ", ".join([f"{literal(k)}: {self.inline(v)}" for k, v in value.items()]) + "}"
        return self.leaf(value)

    def joined(self, items: list[Any], kinds: set[type]) -> str | None:
        """The items of a list of one scalar type (``kinds``), written in one sweep; None for other lists."""
        if len(kinds) != 1:
            return None
        kind = next(iter(kinds))
        if kind is float and all(map(math.isfinite, items)):
            return ", ".join(map(float.__repr__, items))
        if kind is int and min(items) >= -SAFE_INT and max(items) <= SAFE_INT:
            return ", ".join(map(int.__repr__, items))
        if kind is str:
            return ", ".join(map(self.literal, items))
        return None

    def node(self, head: str, value: Any, indent: int) -> None:
        """Write ``head`` and then any value, whose key or item is at ``indent``."""
        out = self.out
        kind = type(value)
        if kind is str:
            out.append(head + self.literal(value))
        elif kind is list:
            kinds = set(map(type, value))
            joined = self.joined(value, kinds)
            if joined is None:
                if not kinds.isdisjoint(_CONTAINERS) and not inline_list(value):
                    out.append(head)
                    self.sequence(value, indent)
                    return
                joined = ", ".join([self.inline(item) for item in value])
            out.append(f"{head}[{joined}]")
        elif kind is dict and value:
            out.append(head)
            self.mapping(value, indent)
        else:
            out.append(head + self.inline(value))

    def mapping(self, mapping: dict[str, Any], indent: int) -> None:
        out, literal = self.out, self.literal
        inner = indent + 2
        pad = " " * inner
        separator = "{\n"
        for key, value in mapping.items():
            head = f"{separator}{pad}{literal(key)}: "
            separator = ",\n"
            if type(value) is str:
                out.append(head + literal(value))
            else:
                self.node(head, value, inner)
        out.append("\n" + " " * indent + "}")

    def sequence(self, sequence: list[Any], indent: int) -> None:
        inner = indent + 2
        pad = " " * inner
        separator = "[\n"
        for item in sequence:
            self.node(separator + pad, item, inner)
            separator = ",\n"
        self.out.append("\n" + " " * indent + "]")

    def document(self, tree: Any) -> str:
        self.node("", tree, 0)
        self.out.append("\n")
        return "".join(self.out)


def _cached_strings() -> Callable[[str], str]:
    """:func:`string_text` of a str, remembered; NotPlainData for anything else (a non-str key)."""
    cache: dict[str, str] = {}

    def literal(text: str) -> str:
        known = cache.get(text)  # type: ignore[arg-type]
        if known is None:
            if type(text) is not str:
                raise NotPlainData(type(text).__name__)
            known = cache[text] = string_text(text)
        return known

    return literal


def emit_json(tree: Any) -> str:
    """The canonical JSON text of ``tree``, ending with a newline.  Raises NotPlainData.

    Strings are first written by json's C escaper alone, and the text checked once for what it
    leaves unescaped (nothing, in an ASCII text without DEL); only a tree where that check fails,
    or that holds a key which is no str, is written again the careful way, string by string.
    """
    try:
        text = _Writer(encode_basestring).document(tree)
        if (text.isascii() and "\x7f" not in text) or _MORE_ESCAPES.search(text) is None:
            return text
    except TypeError:  # something json's escaper refuses: the careful writer names it
        pass
    return _Writer(_cached_strings()).document(tree)

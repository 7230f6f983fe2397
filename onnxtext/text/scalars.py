"""What a YAML scalar means: the YAML 1.2 core schema, in one place for the emitter and the parser.

The emitter writes a string plain only when :func:`is_plain_str` says the parser will read it back as
that same string, and it writes numbers in forms that :func:`resolve_plain` reads back as the same type.
The int/float line is lexical: ``1`` is an int, ``1.0`` and ``1e-05`` are floats (for ONNX an attribute
``1`` is INT and ``1.0`` is FLOAT), so floats are always written with ``repr``, which keeps a ``.`` or
an ``e``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from onnxtext.text.tree import NotPlainData

_CONSTANTS: dict[str, Any] = {
    "": None, "~": None, "null": None, "Null": None, "NULL": None,
    "true": True, "True": True, "TRUE": True,
    "false": False, "False": False, "FALSE": False,
    **{f"{sign}{word}": float(f"{sign}inf") for sign in ("", "+", "-") for word in (".inf", ".Inf", ".INF")},
    ".nan": math.nan, ".NaN": math.nan, ".NAN": math.nan,
}  # fmt: skip

_NUMBER = re.compile(
    r"(?P<dec>[-+]?[0-9]+)|0o(?P<oct>[0-7]+)|0x(?P<hex>[0-9a-fA-F]+)"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
)

_STANDARD_TAG = "tag:yaml.org,2002:"
_SCALAR_TAG_KINDS = {"str": str, "int": int, "float": float, "bool": bool, "null": type(None)}


def resolve_plain(text: str) -> Any:
    """The value of a plain (unquoted) scalar: None, bool, int, float, or the text itself.

    Raises ValueError for an integer too long for Python to convert (over 4300 digits).
    """
    if text in _CONSTANTS:
        return _CONSTANTS[text]
    match = _NUMBER.fullmatch(text)
    if match is None:
        return text
    kind = match.lastgroup
    if kind == "dec":
        return int(text)
    if kind == "oct":
        return int(match["oct"], 8)
    if kind == "hex":
        return int(match["hex"], 16)
    return float(text)


def is_plain_str(text: str) -> bool:
    """True when a plain scalar ``text`` reads back as a string (not null, bool, int or float)."""
    return text not in _CONSTANTS and _NUMBER.fullmatch(text) is None


def resolve_tagged(text: str, tag: str) -> Any:
    """The value of a scalar with an explicit standard tag (``!!str 1``, ``!!float 1``).

    Raises ValueError for a tag we do not accept or a text that is not of the tagged kind.
    """
    kind = _SCALAR_TAG_KINDS.get(tag[len(_STANDARD_TAG) :]) if tag.startswith(_STANDARD_TAG) else None
    if kind is None:
        raise ValueError(f"the tag {tag} is not supported")
    if kind is str:
        return text
    value = resolve_plain(text)
    if kind is float and type(value) is int:
        return float(value)
    if type(value) is not kind:
        raise ValueError(f"{text!r} is not a valid !!{tag[len(_STANDARD_TAG) :]}")
    return value


def collection_tag_ok(tag: str | None, kind: str) -> bool:
    """True for an untagged collection or one tagged with its own standard tag (``!!map``/``!!seq``)."""
    return tag is None or tag == _STANDARD_TAG + kind


def float_text(value: float) -> str:
    """The YAML text of a float: ``repr`` (always with ``.`` or ``e``), or ``.nan``/``.inf``/``-.inf``."""
    if value != value:
        return ".nan"
    if value in (math.inf, -math.inf):
        return ".inf" if value > 0 else "-.inf"
    return repr(value)


def json_float_text(value: float) -> str:
    """The JSON text of a float: ``repr``, or the strings ``"NaN"``/``"Infinity"``/``"-Infinity"``."""
    if value != value:
        return '"NaN"'
    if value in (math.inf, -math.inf):
        return '"Infinity"' if value > 0 else '"-Infinity"'
    return repr(value)


def scalar_text(value: Any, floats: Callable[[float], str]) -> str:
    """The text of a non-string scalar, the same in YAML and JSON but for how ``floats`` are spelled."""
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is float:
        return floats(value)
    if kind is bool:
        return "true" if value else "false"
    if value is None:
        return "null"
    raise NotPlainData(kind.__name__)

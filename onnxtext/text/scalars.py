"""What a YAML scalar means: the YAML 1.2 core schema, in one place for the emitter and the parser.

The emitter writes a string plain only when :func:`is_plain_str` says the parser will read it back as
that same string, and also a YAML 1.1 reader (PyYAML, which most scripts use: ``yes``, ``1_000``,
``2024-01-01``, ``12:30:00`` and ``=`` mean something else there).  It writes numbers in forms that
:func:`resolve_plain` reads back as the same type, and that YAML 1.1 reads as numbers too.
The int/float line is lexical: ``1`` is an int, ``1.0`` and ``1e-05`` are floats (for ONNX an attribute
``1`` is INT and ``1.0`` is FLOAT), so floats are always written with ``repr``, which keeps a ``.`` or
an ``e``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from onnxtext.base.doctree import SAFE_INT
from onnxtext.text.shape import NotPlainData

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

# Plain scalars a YAML 1.1 reader (PyYAML, ruamel in 1.1 mode) resolves to something other than a
# string (yes/no/on/off, ints with underscores or in base 2/8/60, floats without digits before the
# dot, timestamps, the value and merge keys): written quoted.  Loose on purpose: quoting is always
# safe.  The bare y/n of the 1.1 spec are left plain: neither library reads them as booleans, and
# ``y`` is the most common output name of all.
_YAML11_NOT_STR = re.compile(
    r"yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|=|<<"
    r"|[-+]?[0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"
    r"|[-+]?0b[01_]+|[-+]?0x[0-9a-fA-F_]+|[-+]?[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt \t].*)?",
    re.DOTALL,
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
    """True when a plain scalar ``text`` reads back as a string (not null, bool, int, float, date...)
    in YAML 1.2 and in YAML 1.1 alike."""
    return (
        text not in _CONSTANTS and _NUMBER.fullmatch(text) is None and _YAML11_NOT_STR.fullmatch(text) is None
    )


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
    """The YAML text of a float: ``repr`` with a dot in the mantissa, or ``.nan``/``.inf``/``-.inf``.

    ``1e-05`` is a float in YAML 1.2 but a string in YAML 1.1, which wants a dot and a signed exponent:
    ``1.0e-05`` is a float in both (``repr`` always signs the exponent).
    """
    if value != value:
        return ".nan"
    if value in (math.inf, -math.inf):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    if "e" in text and "." not in text:
        return text.replace("e", ".0e", 1)
    return text


# repr's "1e-05", "-5e+20" (no dot before the exponent) in a ", "-separated list; a literal lead is
# what keeps the search quick
_BARE_MANTISSA = re.compile(r", (-?\d)e")


def finite_floats_text(values: list[float], *, yaml: bool) -> str:
    """``", ".join`` of what :func:`float_text` (``yaml``) or :func:`json_float_text` gives each of
    ``values``, all finite, from one ``repr`` of the list (which spells each float as ``repr`` does)."""
    text = repr(values)[1:-1]
    return _BARE_MANTISSA.sub(r", \1.0e", ", " + text)[2:] if yaml and "e" in text else text


def json_int_text(value: int) -> str:
    """The JSON text of an int: a number, or a decimal string outside +-(2^53 - 1).

    Beyond that a double-based reader silently rounds it (INT64_MAX, a Slice ``ends``, becomes
    2^63); readers upstream take a decimal string wherever an integer is expected.
    """
    return str(value) if -SAFE_INT <= value <= SAFE_INT else f'"{value}"'


def json_float_text(value: float) -> str:
    """The JSON text of a float: ``repr``, or the strings ``"NaN"``/``"Infinity"``/``"-Infinity"``."""
    if value != value:
        return '"NaN"'
    if value in (math.inf, -math.inf):
        return '"Infinity"' if value > 0 else '"-Infinity"'
    return repr(value)


def scalar_text(value: Any, floats: Callable[[float], str], ints: Callable[[int], str] = str) -> str:
    """The text of a non-string scalar, the same in YAML and JSON but for how numbers are spelled."""
    kind = type(value)
    if kind is int:
        return ints(value)
    if kind is float:
        return floats(value)
    if kind is bool:
        return "true" if value else "false"
    if value is None:
        return "null"
    raise NotPlainData(kind.__name__)

"""Regular expressions for the document's strings, in the dialect JSON Schema ``pattern`` uses.

They spell the grammars of :mod:`onnxtext.roundtrip.types` (type strings), :mod:`onnxtext.base.doctree`
(decimal integers) and the codecs (NaN/Infinity spellings, Base64) as ECMA-262 regular expressions
that both Python's ``re`` and JavaScript accept, built from the codecs' own element type names.
``tests/schema/test_patterns.py`` holds them against the parsers: what a pattern accepts, the parser
reads.  A type string nests ``seq(...)``/``optional(...)``/``map(K, ...)`` without limit; a regular
expression cannot count parentheses, so these accept up to :data:`MAX_NESTING` levels (real models
use two or three).
"""

from __future__ import annotations

from onnxtext.codecs import DTYPE_NAMES

MAX_NESTING = 8

# longest first, so that an alternation never stops at a prefix (float8e4m3fn / float8e4m3fnuz)
DTYPE = "(?:" + "|".join(sorted(DTYPE_NAMES, key=lambda name: (-len(name), name))) + ")"
_INTEGER = r"[-+]?[0-9]+"
_QUOTED = r'"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9A-Fa-f]{4})*"'
_BARE = r'[^,\[\]()"\s](?:[^,\[\]()"]*[^,\[\]()"\s])?'  # any other text: an identifier, ?, 2, "a b"
_DIM = rf"\s*(?:{_QUOTED}|{_BARE})\s*"
_SHAPE = rf"\[(?:{_DIM}(?:,{_DIM})*|\s*)\]"
_TENSOR = rf"\s*{DTYPE}\s*(?:{_SHAPE})?\s*"
_CORE = rf"(?:\s*sparse\s*\({_TENSOR}\)\s*|{_TENSOR})"
_OPEN = rf"\s*(?:(?:seq|optional)\s*\(|map\s*\(\s*{DTYPE}\s*,)"


def _nested(depth: int) -> str:
    return _CORE if depth == 0 else f"(?:{_OPEN}){{{depth}}}{_CORE}(?:\\)\\s*){{{depth}}}"


TYPE_STRING = "^(?:" + "|".join(_nested(depth) for depth in range(MAX_NESTING + 1)) + ")$"
"""A value type: ``float32[N,3,"h/2"]``, ``float32``, ``seq(int64[])``, ``map(int64, float32)``..."""

TENSOR_TYPE = rf"^\s*{DTYPE}\s*\[\s*(?:{_INTEGER}(?:\s*,\s*{_INTEGER})*)?\s*\]\s*$"
"""A tensor's own type: the element type and every dimension a number (``float32[2,3]``, ``int64[]``)."""

ATTRIBUTE_TENSOR = r"\["
"""How a node attribute's mapping shows it is a tensor: its ``type`` has brackets."""

DECIMAL_INT = "^-?[0-9]{1,30}$"
"""An integer spelt as a string (JSON writes those beyond +-2^53 so; readers take it anywhere)."""

BIG_INT = "^-?[0-9]{16,21}$"
"""A string that a node attribute reads as an integer: only those too big for JSON numbers."""

FLOAT_WORD = r"^\s*(?:[-+]?(?:\.[Ii][Nn][Ff]|[Ii][Nn][Ff](?:[Ii][Nn][Ii][Tt][Yy])?)|\.?[Nn][Aa][Nn])\s*$"
"""NaN and the infinities as strings (``NaN``, ``Infinity``, ``-Infinity``, ``.inf``...), as JSON needs."""

BASE64 = r"^[A-Za-z0-9+/=\s]*$"
SHA256 = "^[0-9A-Fa-f]{64}$"
SHA256_PREFIX = "^[0-9A-Fa-f]{1,64}$"

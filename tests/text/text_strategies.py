"""Hypothesis strategies and comparisons for document trees, shared by the text tests."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st

from onnxtext.base.doctree import SAFE_INT, Flow

# Strings that trip naive writers: look like other types, start with indicators, hold separators,
# line breaks, control characters, invisible characters, or are ONNX-style names.
NASTY_STRINGS = [
    "", " ", "  ", "1", "-1", "+1", "007", "1.0", ".5", "-.5", "1.", "1e5", "1E-5", "1_000", "0x1F", "0X1F",
    "0o17", "0b101", "1:20", "true", "True", "TRUE", "tRUE", "false", "yes", "no", "on", "off", "y", "n",
    "null", "Null", "NULL", "~", "nan", "NaN", ".nan", ".NaN", ".inf", "-.inf", "+.INF", "inf", "Infinity",
    "-Infinity", "onnx::Add_17", "/model/layers.3/attn/MatMul", "conv1.weight", "float32[N,3,224,224]",
    "seq(float32[?])", "map(int64, float32)", "optional(seq(tensor(float)))", "a: b", "a:", ":a", "a:b",
    "a #b", "a#b", "#a", "- a", "-", "-a", "--", "---", "--- a", "...", "... a", "? a", "?", "<<", "=",
    "&a", "*a", "!a", "!!str", "%YAML", "@a", "`a", "'a", '"a', "a'b", 'a"b', "|", ">", "{a}", "[a]",
    "a,b", "a, b", "[", "]", "{", "}", ",", "a\nb", "\n", "a\n", "\r", "\r\n", "\t", "a\tb", "\ta", " a",
    "a ", "\x00", "\x01", "\x1b", "\x7f", "\x85", "\xa0", "a\xa0", "\u2028", "\u2029", "\ufeff", "a\ufeff",
    "\ufffe", "\uffff", "é", "日本語", "😀", "\U0010ffff", "\u200b", "\u202e", "a\\b", "\\", "'", '"',
    "''", "\\n", "x" * 120, "k" * 1023, "k" * 1024, "k" * 1025, "é" * 1030,
]  # fmt: skip

unicode_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
texts = st.one_of(st.sampled_from(NASTY_STRINGS), unicode_text)
integers = st.one_of(
    st.integers(),
    st.sampled_from([0, -1, 2**31 - 1, -(2**31), 2**63 - 1, -(2**63), 2**64 - 1, 2**64, 10**30, -(10**40)]),
)
floats = st.one_of(
    st.floats(),
    st.sampled_from(
        [0.0, -0.0, 1.0, 1e-05, 1e16, 1e-300, 5e-324, 1.7976931348623157e308, math.nan, -math.inf]
    ),
)
scalars = st.one_of(st.none(), st.booleans(), integers, floats, texts)
trees = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=6),
        st.dictionaries(texts, children, max_size=6),
        st.dictionaries(texts, children, max_size=6).map(Flow),
    ),
    max_leaves=40,
)


def canonical(value: Any) -> Any:
    """A form where == means "the same tree": types kept (1 != 1.0 != True), floats by repr (nan, -0.0)."""
    if isinstance(value, dict):  # a Flow mapping is a dict with a layout hint
        return ("dict", [(key, canonical(item)) for key, item in value.items()])
    if type(value) is list:
        return ("list", [canonical(item) for item in value])
    if type(value) is float:
        return ("float", repr(value))
    return (type(value).__name__, value)


def plain(value: Any) -> Any:
    """The tree a parser gives back: :class:`Flow` mappings become plain dicts (the hint is layout only)."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if type(value) is list:
        return [plain(item) for item in value]
    return value


def as_json_reads_it(value: Any) -> Any:
    """The tree JSON gives back: non-finite floats become the strings "NaN", "Infinity", "-Infinity",
    integers beyond +-(2^53 - 1) their decimal strings."""
    if isinstance(value, dict):
        return {key: as_json_reads_it(item) for key, item in value.items()}
    if type(value) is list:
        return [as_json_reads_it(item) for item in value]
    if type(value) is float and not math.isfinite(value):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    if type(value) is int and abs(value) > SAFE_INT:
        return str(value)
    return value


def all_paths(value: Any, prefix: tuple[str | int, ...] = ()) -> set[tuple[str | int, ...]]:
    """Every element's path in a tree, the root's () included."""
    paths = {prefix}
    items = value.items() if isinstance(value, dict) else enumerate(value) if type(value) is list else ()
    for key, item in items:
        paths |= all_paths(item, (*prefix, key))
    return paths

"""JSON text: layout, escapes, non-finite floats, and errors with positions."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from text_strategies import trees

from onnxtext.base.errors import OnnxTextError
from onnxtext.text import emit, parse
from onnxtext.text.json_emit import _cached_strings, _Writer, emit_json


def error_of(text: str) -> OnnxTextError:
    with pytest.raises(OnnxTextError) as caught:
        parse(text, "json")
    return caught.value


def test_layout() -> None:
    tree = {
        "graph": {"nodes": [{"op_type": "Conv", "inputs": ["x", "onnx::Add_17"]}, [1, [2]]], "empty": {}},
        "e": [],
    }
    assert emit(tree, "json") == (
        "{\n"
        '  "graph": {\n'
        '    "nodes": [\n'
        "      {\n"
        '        "op_type": "Conv",\n'
        '        "inputs": ["x", "onnx::Add_17"]\n'
        "      },\n"
        "      [1, [2]]\n"
        "    ],\n"
        '    "empty": {}\n'
        "  },\n"
        '  "e": []\n'
        "}\n"
    )


@pytest.mark.parametrize(
    ("tree", "text"),
    [({}, "{}\n"), ([], "[]\n"), (None, "null\n"), (True, "true\n"), ("x", '"x"\n'), (1e-05, "1e-05\n"),
     (-0.0, "-0.0\n"), (2**64 - 1, '"18446744073709551615"\n'), ([math.nan, math.inf, -math.inf],
     '["NaN", "Infinity", "-Infinity"]\n')],
)  # fmt: skip
def test_scalars(tree: object, text: str) -> None:
    assert emit(tree, "json") == text


def test_non_finite_floats_come_back_as_strings() -> None:
    assert parse(emit({"a": math.nan}, "json"), "json") == {"a": "NaN"}


def test_escapes_keep_text_readable() -> None:
    assert emit('é日本😀 "q" \\ \n\t\x00\x7f\x85\u2028\ufeff', "json") == (
        '"é日本😀 \\"q\\" \\\\ \\n\\t\\u0000\\u007f\\u0085\\u2028\\ufeff"\n'
    )
    with pytest.raises(ValueError, match="surrogate"):
        emit(["\udc00"], "json")


def test_integers_a_double_cannot_hold_are_strings() -> None:
    tree = {"ends": [9223372036854775807, -(2**53) + 1, 2**53], "u": 2**64 - 1}
    text = emit(tree, "json")
    assert text == (
        '{\n  "ends": ["9223372036854775807", -9007199254740991, "9007199254740992"],\n'
        '  "u": "18446744073709551615"\n}\n'
    )


def test_one_line_lists_of_one_kind_read_as_item_by_item() -> None:
    tree = {"f": [1.5, 2.0, -0.0, 1e-45], "i": [1, -2, 2**53 - 1], "b": [True, 1], "s": ["a", "\u2028", "a"]}
    assert emit(tree, "json") == (
        '{\n  "f": [1.5, 2.0, -0.0, 1e-45],\n  "i": [1, -2, 9007199254740991],\n  "b": [true, 1],\n'
        '  "s": ["a", "\\u2028", "a"]\n}\n'
    )
    with pytest.raises(TypeError, match="tuple"):
        emit({"t": [(1, 2), (3, 4)]}, "json")


def test_bom_is_tolerated() -> None:
    assert parse('\ufeff{"a": 1}', "json") == {"a": 1}


@pytest.mark.parametrize(
    ("text", "line", "col", "words"),
    [
        ('{\n  "a": 1,\n}\n', 3, 1, "Expecting property name"),  # trailing comma in an object
        ("[1, 2,]", 1, 7, "Expecting value"),  # trailing comma in a list
        ('{"a" 1}', 1, 6, "Expecting ':' delimiter"),
        ('{\n  "a": [1, 2\n}', 3, 1, "Expecting ',' delimiter"),
        ("[1] 2", 1, 5, "Extra data"),
        ("", 1, 1, "Expecting value"),
        ('{"a": "\x01"}', 1, 8, "Invalid control character"),
        ('{\n  "a": [1, NaN]\n}', 2, 12, "NaN or Infinity"),
        ("[-Infinity]", 1, 2, "NaN or Infinity"),
    ],
)
def test_syntax_errors_say_where(text: str, line: int, col: int, words: str) -> None:
    err = error_of(text)
    assert (err.code, err.line, err.col) == ("E101", line, col)
    assert words in err.message


def test_trailing_comma_hint() -> None:
    assert "remove the ','" in (error_of('{"a": 1,}').hint or "")
    assert "remove the ','" in (error_of("[1,\n]").hint or "")


def test_duplicate_key_points_at_the_second() -> None:
    err = error_of('{\n  "graph": {\n    "name": "a",\n    "name": "b"\n  }\n}')
    assert (err.code, err.line, err.col, err.path) == ("E102", 4, 5, ("graph", "name"))


def test_too_deep_or_too_long_is_still_an_onnxtext_error() -> None:
    assert error_of("[" * 100_000 + "]" * 100_000).code == "E101"
    assert error_of("1" * 5000).code == "E101"


@settings(max_examples=300, deadline=None)
@given(trees)
def test_quick_escaping_writes_what_the_careful_writer_writes(tree: object) -> None:
    """emit_json escapes with json's C escaper and checks the text once; the string-by-string writer
    is the reference (and the one that raises for what JSON cannot hold)."""
    try:
        expected = _Writer(_cached_strings()).document(tree)
    except (TypeError, ValueError) as err:
        with pytest.raises(type(err), match=re.escape(str(err))):
            emit_json(tree)
    else:
        assert emit_json(tree) == expected


def test_keys_that_are_no_str_are_refused_by_name() -> None:
    with pytest.raises(TypeError, match=r"mapping key 1 \(int\)"):
        emit({"a": {1: "b"}}, "json")
    with pytest.raises(TypeError, match=r"bytes"):
        emit({"a": [{b"k": 1}]}, "json")

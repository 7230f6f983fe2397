"""The YAML reader: what it accepts, what it refuses, and where it says the problem is."""

from __future__ import annotations

import math

import pytest

from onnxtext.base.errors import OnnxTextError
from onnxtext.text import parse


def error_of(text: str) -> OnnxTextError:
    with pytest.raises(OnnxTextError) as caught:
        parse(text, "yaml")
    return caught.value


def test_values_resolve_by_core_schema() -> None:
    text = "a: 1\nb: 1.0\nc: 1e-05\nd: '1'\ne: yes\nf: ~\ng: .nan\nh: -.inf\ni: 0x10\nj: \"true\"\n"
    tree = parse(text, "yaml")
    nan = tree.pop("g")
    assert tree == {
        "a": 1,
        "b": 1.0,
        "c": 1e-05,
        "d": "1",
        "e": "yes",
        "f": None,
        "h": -math.inf,
        "i": 16,
        "j": "true",
    }
    assert type(tree["b"]) is float and math.isnan(nan)


def test_hand_written_yaml_is_welcome() -> None:
    text = (
        "# a comment\n---\nname: x   # note\nlist:\n- 1\n- {a: 1, b: [2]}\ndoc: |\n  line 1\n  line 2\n...\n"
    )
    assert parse(text, "yaml") == {"name": "x", "list": [1, {"a": 1, "b": [2]}], "doc": "line 1\nline 2\n"}


def test_keys_are_always_text() -> None:
    assert parse("1: a\ntrue: b\nnull: c\n'x': d\n", "yaml") == {"1": "a", "true": "b", "null": "c", "x": "d"}


def test_standard_tags_are_accepted() -> None:
    assert parse("a: !!str 1\nb: !!float 2\nc: !!map {}\nd: !!seq []\n", "yaml") == {
        "a": "1",
        "b": 2.0,
        "c": {},
        "d": [],
    }


def test_empty_and_bom() -> None:
    assert parse("", "yaml") is None
    assert parse("# nothing\n", "yaml") is None
    assert parse("\ufeffa: 1\n", "yaml") == {"a": 1}
    assert parse("a: 1\r\nb: 2\r\n", "yaml") == {"a": 1, "b": 2}


@pytest.mark.parametrize(
    ("text", "line", "col", "words"),
    [
        ("a: [1, 2\nb: 3\n", 2, 2, "flow sequence at line 1, column 4"),  # unclosed bracket
        ("a:\n  b: 1\n c: 2\n", 3, 2, "did not find expected key"),  # bad indentation
        ("a:\n\tb: 1\n", 2, 1, "cannot start any token"),  # tab indentation
        ("a: &x 1\nb: *x\n", 1, 4, "anchors and aliases"),
        ("a: 1\nb: *x\n", 2, 4, "anchors and aliases"),
        ("base: {a: 1}\nnode:\n  <<: {b: 2}\n", 3, 3, "merge keys"),
        ("a: !custom 1\n", 1, 4, "tag !custom"),
        ("a: !!python/none x\n", 1, 4, "tag tag:yaml.org,2002:python/none"),
        ("a: !!int x\n", 1, 4, "not a valid !!int"),
        ("a: 1\n---\nb: 2\n", 2, 1, "more than one YAML document"),
        ("? [a]\n: 1\n", 1, 3, "key must be text"),
        ("a: 'x\n", 2, 1, "end of stream"),
        ('a: "\\q"\n', 1, 5, "unknown escape"),
        ("é: 1\nb: \x01\n", 2, 4, "U+0001"),
        ("a: " + "1" * 5000 + "\n", 1, 4, "cannot read this number"),
    ],
)
def test_syntax_errors_say_where(text: str, line: int, col: int, words: str) -> None:
    err = error_of(text)
    assert (err.code, err.line, err.col) == ("E101", line, col)
    assert words in err.message
    assert err.hint


def test_tab_and_bracket_hints() -> None:
    assert "spaces" in (error_of("a:\n\tb: 1\n").hint or "")
    assert "']'" in (error_of("a: [1, 2\nb: 3\n").hint or "")


def test_yaml_1_2_that_libyaml_refuses_is_read_too() -> None:
    # ruamel writes a flow list's names unquoted; libyaml (YAML 1.1) refuses the ':' inside them
    assert parse("inputs: [x, onnx::Add_17, 12:30:00]\n", "yaml") == {
        "inputs": ["x", "onnx::Add_17", "12:30:00"]
    }


def test_duplicate_key_points_at_the_second() -> None:
    err = error_of("graph:\n  nodes:\n    - name: a\n      name: b\n")
    assert (err.code, err.line, err.col, err.path) == ("E102", 4, 7, ("graph", "nodes", 0, "name"))
    assert error_of("a: 1\n'a': 2\n").code == "E102"  # a quoted key is the same key


def test_lone_surrogate_in_text() -> None:
    err = error_of("a: 1\nb: \ud800\n")
    assert (err.code, err.line, err.col) == ("E101", 2, 4)


def test_very_deep_nesting_is_no_recursion_error() -> None:
    depth = 3_000  # past Python's recursion limit; libyaml itself is quadratic in depth
    assert parse("[" * depth + "]" * depth, "yaml") is not None

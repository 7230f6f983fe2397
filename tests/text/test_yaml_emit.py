"""The YAML writer: layout, when strings stay plain, how they are quoted."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from text_strategies import NASTY_STRINGS, texts

from onnxtext.base.doctree import Flow
from onnxtext.text import emit, parse
from onnxtext.text.yaml_emit import MAX_SIMPLE_KEY, plain_ok, quoted

ONNX_NAMES = [
    "/model/layers.3/attn/MatMul", "onnx::Add_17", "conv1.weight", "float32[N,3,224,224]", "seq(float32[?])",
    "map(int64, float32)", "/model/embed_tokens/Gather_output_0", "Conv_0", "x.1", "N", "batch_size",
    "optional(seq(tensor(float16)))", "ai.onnx.ml", "com.microsoft", "é_日本",
]  # fmt: skip


def test_layout() -> None:
    tree = {
        "ir_version": 8,
        "graph": {
            "inputs": [Flow(name="x", type="float32[N,3]")],
            "nodes": [
                {"op_type": "Conv", "inputs": ["x", "w"], "attributes": Flow(strides=[1, 1], group=1)},
                {"op_type": "If", "attributes": {"then_branch": {"name": "g"}, "k": Flow(a=[[1]])}},
                {"op_type": "Relu", "attributes": Flow()},
            ],
            "empty": [],
            "nested": [[1, 2], [{"a": None}], [], [[1.5, -2.0]]],
        },
        "epsilon": 1e-05,
        "flag": True,
    }
    assert emit(tree, "yaml") == (
        "ir_version: 8\n"
        "graph:\n"
        "  inputs:\n"
        "    - {name: x, type: 'float32[N,3]'}\n"
        "  nodes:\n"
        "    - op_type: Conv\n"
        "      inputs: [x, w]\n"
        "      attributes: {strides: [1, 1], group: 1}\n"
        "    - op_type: If\n"
        "      attributes:\n"
        "        then_branch:\n"
        "          name: g\n"
        "        k: {a: [[1]]}\n"
        "    - op_type: Relu\n"
        "      attributes: {}\n"
        "  empty: []\n"
        "  nested:\n"
        "    - [1, 2]\n"
        "    - - a: null\n"
        "    - []\n"
        "    - [[1.5, -2.0]]\n"
        "epsilon: 1.0e-05\n"
        "flag: true\n"
    )


@pytest.mark.parametrize(
    ("tree", "text"),
    [({}, "{}\n"), ([], "[]\n"), (None, "null\n"), ("x", "x\n"), ("1", "'1'\n"), ([1, "a"], "[1, a]\n"),
     ([[1]], "[[1]]\n"), (-0.0, "-0.0\n"), (math.nan, ".nan\n"), (2**64 - 1, "18446744073709551615\n")],
)  # fmt: skip
def test_root_of_every_kind(tree: object, text: str) -> None:
    assert emit(tree, "yaml") == text


@pytest.mark.parametrize("name", ONNX_NAMES)
def test_onnx_names_stay_plain_as_values_and_keys(name: str) -> None:
    assert emit({"name": name}, "yaml") == f"name: {name}\n"
    assert emit([{name: 1}], "yaml") == f"- {name}: 1\n"


def test_flow_lists_quote_what_libyaml_refuses() -> None:
    text = emit(
        {"inputs": ["x", "onnx::Add_17", "a,b", "[a]", "a#b", "a?", "conv1.weight", "/m/MatMul"]}, "yaml"
    )
    assert text == "inputs: [x, 'onnx::Add_17', 'a,b', '[a]', 'a#b', 'a?', conv1.weight, /m/MatMul]\n"


@pytest.mark.parametrize(
    "text",
    ["", "1", "-1", "1.0", ".5", "1e5", "0x1F", "0o7", "true", "False", "null", "~", ".nan", "-.inf", " a",
     "a ", "a: b", "a:", "a #b", "#a", "-a", "- a", "?a", ":a", "&a", "*a", "!a", "%a", "@a", "`a", "'a",
     '"a', "|", ">", "{a", "[a", "]", "}", ",", "...", "... a", "<<", "a\tb", "\x85", "\u2028", "\ufeff",
     "\x7f"],
)  # fmt: skip
def test_strings_that_must_be_quoted(text: str) -> None:
    assert not plain_ok(text, flow=False)
    assert emit({"k": text}, "yaml") == f"k: {quoted(text)}\n"


def test_quoting_styles() -> None:
    assert quoted("it's") == "'it''s'"
    assert quoted(" padded ") == "' padded '"
    assert quoted("日本") == "'日本'"
    assert quoted('a\nb\tc\x00\x1b\\"') == '"a\\nb\\tc\\0\\e\\\\\\""'
    assert quoted("\x85\u2028\ufeff\ufffe\x7f😀") == '"\\x85\\u2028\\ufeff\\ufffe\\x7f😀"'


def test_lone_surrogates_are_refused() -> None:
    with pytest.raises(ValueError, match="surrogate"):
        emit({"k": "\ud800"}, "yaml")


@given(texts)
def test_plain_means_reads_back_the_same(text: str) -> None:
    for flow, tree in ((False, {"k": text, text: [[text]]}), (True, {"k": [text, text]})):
        written = emit(tree, "yaml")
        assert parse(written, "yaml") == tree
        if plain_ok(text, flow=flow):
            assert f"{text}" in written


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_nothing_wraps_so_a_rename_changes_only_its_own_lines(fmt: str) -> None:
    names = [f"/m/layer.{i}/Op" for i in range(40)]
    tree = {"graph": {"float_data": [i / 7 for i in range(200)], "names": names, "v": Flow(n=names)}}
    before = emit(tree, fmt).splitlines()
    assert len(before) == (4 if fmt == "yaml" else 7)
    renamed = {**tree, "graph": {**tree["graph"], "names": [n.replace("layer", "block") for n in names]}}
    after = emit(renamed, fmt).splitlines()
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert changed == ([2] if fmt == "yaml" else [3])
    assert parse(emit(tree, fmt), fmt) == tree


def test_flow_mappings_quote_keys_and_values_for_flow_context() -> None:
    text = emit({"a": Flow({"": 16, "ai.onnx.ml": 3, "k:x": "a,b", "long" * 300: 1})}, "yaml")
    assert text == "a: {'': 16, ai.onnx.ml: 3, 'k:x': 'a,b', ? " + "long" * 300 + ": 1}\n"
    assert parse(text, "yaml") == {"a": {"": 16, "ai.onnx.ml": 3, "k:x": "a,b", "long" * 300: 1}}


def test_one_line_lists_of_one_kind_read_as_item_by_item() -> None:
    tree = {"f": [1e-05, -1e16, 1.5e-07, 5e-324, -0.0], "i": [1, 2**70], "b": [True, 1], "n": [1.0, math.nan]}
    assert emit(tree, "yaml") == (
        "f: [1.0e-05, -1.0e+16, 1.5e-07, 5.0e-324, -0.0]\ni: [1, 1180591620717411303424]\nb: [true, 1]\n"
        "n: [1.0, .nan]\n"
    )
    assert emit([["a", "b: c"], [Flow(x=1)]], "yaml") == "- [a, 'b: c']\n- - {x: 1}\n"


def test_keys_too_long_for_libyaml_are_explicit() -> None:
    fits, too_long = "k" * MAX_SIMPLE_KEY, "k" * (MAX_SIMPLE_KEY + 1)
    tree = {fits: 1, too_long: {"a": [1, 2]}, "é" * 1030: [{"b": 2}]}
    text = emit(tree, "yaml")
    assert f"\n{fits}: 1\n" in f"\n{text}"
    assert f"? {too_long}\n:\n  a: [1, 2]\n" in text
    assert parse(text, "yaml") == tree


def test_nasty_strings_all_round_trip() -> None:
    tree = {text: [text, [text], {text: text}] for text in NASTY_STRINGS}
    assert parse(emit(tree, "yaml"), "yaml") == tree

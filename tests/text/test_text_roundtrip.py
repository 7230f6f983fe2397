"""Any tree survives emit -> parse, in both formats, and the text is canonical."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from text_strategies import all_paths, as_json_reads_it, canonical, plain, scalars, trees

from onnxtext.base.errors import OnnxTextError
from onnxtext.text import emit, locate, parse


@settings(max_examples=300)
@given(trees)
def test_yaml_round_trip(tree: Any) -> None:
    text = emit(tree, "yaml")
    assert canonical(parse(text, "yaml")) == canonical(tree)
    assert emit(parse(text, "yaml"), "yaml") == emit(plain(tree), "yaml")


@settings(max_examples=300)
@given(trees)
def test_json_round_trip(tree: Any) -> None:
    text = emit(tree, "json")
    assert canonical(parse(text, "json")) == canonical(as_json_reads_it(tree))
    assert emit(parse(text, "json"), "json") == emit(as_json_reads_it(plain(tree)), "json")


@given(trees)
def test_json_is_strict_rfc_8259(tree: Any) -> None:
    def no_constants(name: str) -> None:
        raise AssertionError(f"bare {name} in JSON text")

    text = emit(tree, "json")
    assert canonical(json.loads(text, parse_constant=no_constants)) == canonical(as_json_reads_it(tree))
    assert all(ch in "\n" or ch >= " " for ch in text)


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@given(tree=trees)
def test_locate_finds_every_element_parse_builds(fmt: str, tree: Any) -> None:
    text = emit(tree, fmt)
    positions = locate(text, fmt)
    assert set(positions) == all_paths(parse(text, fmt))
    lines = text.split("\n")
    assert all(
        1 <= line <= len(lines) and 1 <= col <= len(lines[line - 1]) + 1 for line, col in positions.values()
    )


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@settings(max_examples=30)
@given(items=st.lists(scalars, min_size=50, max_size=400))
def test_long_flat_lists(fmt: str, items: list[Any]) -> None:
    tree = {"graph": {"initializer": [{"float_data": items}]}, "top": items}
    text = emit(tree, fmt)
    expected = tree if fmt == "yaml" else as_json_reads_it(tree)
    assert canonical(parse(text, fmt)) == canonical(expected)


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_deep_nesting_parses(fmt: str) -> None:
    tree: Any = 1
    for depth in range(300):
        tree = [tree] if depth % 2 else {"k": tree}
    assert parse(emit(tree, fmt), fmt) == tree


def outcome(call: Any, text: str, fmt: str) -> tuple[Any, ...]:
    try:
        return ("ok", call(text, fmt))
    except OnnxTextError as err:
        return (err.code, err.line, err.col, err.path)


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@given(data=st.data(), noise=st.one_of(st.text(max_size=3), st.text(" \n,:[]{}\"'-#&*!NaI0.e", max_size=3)))
def test_broken_text_fails_alike_in_parse_and_locate(fmt: str, data: st.DataObject, noise: str) -> None:
    text = emit(data.draw(trees), fmt)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 3)))
    text = text[:start] + noise + text[end:]
    parsed, located = outcome(parse, text, fmt), outcome(locate, text, fmt)
    if parsed[0] == "ok":
        assert located[0] == "ok"
        assert set(located[1]) == all_paths(parsed[1])
    else:
        assert parsed[0] in ("E101", "E102")
        assert parsed == located

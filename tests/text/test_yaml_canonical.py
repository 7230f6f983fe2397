"""The line reader of the emitter's YAML layout gives libyaml's tree for every text it reads, and leaves
every other text (and every error) to libyaml."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from text_strategies import canonical, trees

from onnxtext.base.errors import OnnxTextError
from onnxtext.text import emit, parse
from onnxtext.text.yaml_canonical import NotCanonical, read_canonical
from onnxtext.text.yaml_parse import read_yaml

SAMPLES = sorted((Path(__file__).parents[2] / "samples").rglob("*.yaml"))
# What can turn canonical text into other YAML, or into no YAML at all.
NOISE = [" ", "  ", "-", "- ", ":", ": ", "'", '"', "#", " #", "[", "]", "{", "}", ",", ", ", "\n", "?"]
NOISE += ["\n  ", "&a ", "*a", "!!str ", "|", ">", "\\", "\\x4", "\\u00e9", "\\N", "''", "\t", "\r", "a"]
NOISE += ["1", ".", "e5", "-.inf", "null", "yes", "<<", "~", "%", "@", "...", "---", "\x85", "\u2028"]
NOISE += ["\ufeff", "\x01"]


def libyaml_tree(text: str) -> Any:
    """libyaml's reading of ``text``, or the error it raises."""
    try:
        return canonical(read_yaml(text))
    except OnnxTextError as err:
        return err


def check_agrees(text: str) -> bool:
    """If the line reader reads ``text``, libyaml reads the same tree; True when it read it."""
    try:
        tree = read_canonical(text)
    except NotCanonical:
        return False
    assert canonical(tree) == libyaml_tree(text), text
    return True


@settings(max_examples=400, deadline=None)
@given(trees)
def test_reads_what_the_emitter_writes_as_libyaml_does(tree: Any) -> None:
    text = emit({"doc": tree, "items": [tree, [tree]]}, "yaml")
    assert check_agrees(text) or re.search("[^\n]{1000}", text), text  # a long key may need "? key"


@settings(max_examples=600, deadline=None)
@given(trees.map(lambda tree: {"doc": tree}), st.data())
def test_edited_text_is_read_as_libyaml_reads_it_or_left_to_libyaml(tree: Any, data: st.DataObject) -> None:
    text = emit(tree, "yaml")
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 2))
        text = text[:at] + data.draw(st.sampled_from(NOISE)) + text[at + cut :]
    check_agrees(text)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_samples_are_read_without_libyaml(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert check_agrees(text)
    assert canonical(parse(text, "yaml")) == libyaml_tree(text)


def test_duplicates_and_comments_are_left_to_libyaml() -> None:
    for text in ("a: 1\na: 2\n", "a: 1 # one\n", "a: {b: 1, b: 2}\n", "a:\n- 1\n", "a: 1\n\nb: 2\n"):
        with pytest.raises(NotCanonical):
            read_canonical(text)
    with pytest.raises(OnnxTextError, match="duplicate key"):
        parse("a: 1\na: 2\n", "yaml")

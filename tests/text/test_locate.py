"""locate(): document paths to (line, col), for error reports."""

from __future__ import annotations

import pytest

from onnxtext.errors import OnnxTextError
from onnxtext.text import emit, locate

TREE = {
    "graph": {
        "nodes": [
            {"op_type": "Relu"},
            {"op_type": "BatchNormalization", "attributes": {"epsilon": 1e-05}, "inputs": ["x", "scale"]},
        ]
    }
}


def test_yaml_positions() -> None:
    text = emit(TREE, "yaml")
    assert text.splitlines()[3:7] == [
        "    - op_type: BatchNormalization",
        "      attributes:",
        "        epsilon: 1e-05",
        "      inputs: [x, scale]",
    ]
    where = locate(text, "yaml")
    assert where[()] == (1, 1)
    assert where[("graph",)] == (1, 1)
    assert where[("graph", "nodes")] == (2, 3)
    assert where[("graph", "nodes", 1)] == (4, 7)  # the item: its first key
    assert where[("graph", "nodes", 1, "attributes", "epsilon")] == (6, 9)  # the key
    assert where[("graph", "nodes", 1, "inputs", 1)] == (7, 19)  # an item of a one-line list


def test_json_positions() -> None:
    text = emit(TREE, "json")
    lines = text.splitlines()
    where = locate(text, "json")
    line, col = where[("graph", "nodes", 1, "attributes", "epsilon")]
    assert lines[line - 1][col - 1 :] == '"epsilon": 1e-05'
    line, col = where[("graph", "nodes", 1)]
    assert lines[line - 1][col - 1 :] == "{"
    line, col = where[("graph", "nodes", 1, "inputs", 1)]
    assert lines[line - 1][col - 1 :] == '"scale"]'


def test_hand_written_yaml_positions() -> None:
    text = "a:\n- x\n-   [1,\n     2]\nb: {c: 'd'}\n"
    assert locate(text, "yaml") == {
        (): (1, 1), ("a",): (1, 1), ("a", 0): (2, 3), ("a", 1): (3, 5), ("a", 1, 0): (3, 6),
        ("a", 1, 1): (4, 6), ("b",): (5, 1), ("b", "c"): (5, 5),
    }  # fmt: skip


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_scalar_root(fmt: str) -> None:
    assert locate(emit(3, fmt), fmt) == {(): (1, 1)}


@pytest.mark.parametrize(("fmt", "text"), [("yaml", "a: [1\n"), ("json", '{"a": 1, "a": 2}')])
def test_broken_text_raises_like_parse(fmt: str, text: str) -> None:
    with pytest.raises(OnnxTextError):
        locate(text, fmt)

"""locate(): document paths to (line, col), for error reports."""

from __future__ import annotations

import pytest

from onnxtext.base.errors import OnnxTextError
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
    lines = text.splitlines()
    assert lines[3:5] == ["    - op_type: BatchNormalization", "      attributes:"]
    assert lines[5].startswith("        epsilon: 1")  # 1e-05 or 1.0e-05, as the emitter spells it
    assert lines[6] == "      inputs: [x, scale]"
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
    assert lines[line - 1][col - 1 :].startswith('"epsilon": 1')
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


def _spans(text: str, fmt: str) -> dict[tuple[str | int, ...], str]:
    """path -> the text from the element's start to its end, for every located element."""
    ends: dict[tuple[str | int, ...], tuple[int, int]] = {}
    starts = locate(text, fmt, ends)  # type: ignore[arg-type]
    assert set(starts) == set(ends)
    lines = text.splitlines()

    def offset(line: int, col: int) -> int:
        return sum(len(x) + 1 for x in lines[: line - 1]) + col - 1

    return {path: text[offset(*starts[path]) : offset(*ends[path])] for path in starts}


def test_yaml_ends() -> None:
    text = emit(TREE, "yaml")
    epsilon = text.splitlines()[5].strip()
    spans = _spans(text, "yaml")
    assert spans[("graph", "nodes", 1, "attributes", "epsilon")] == epsilon
    assert spans[("graph", "nodes", 1, "inputs")] == "inputs: [x, scale]"
    assert spans[("graph", "nodes", 1, "inputs", 1)] == "scale"
    assert spans[("graph", "nodes", 1)] == (
        f"op_type: BatchNormalization\n      attributes:\n        {epsilon}\n      inputs: [x, scale]"
    )  # a block mapping ends with its last value, not at the next line
    spans = _spans("a: {b: [1, 'two'], c: \"d\"}\n", "yaml")
    assert spans[("a",)] == "a: {b: [1, 'two'], c: \"d\"}"
    assert spans[("a", "b", 1)] == "'two'"
    assert spans[("a", "c")] == 'c: "d"'


def test_json_ends() -> None:
    spans = _spans(emit(TREE, "json"), "json")
    assert spans[("graph", "nodes", 1, "attributes", "epsilon")].startswith('"epsilon": 1')
    assert spans[("graph", "nodes", 1, "inputs", 1)] == '"scale"'
    assert spans[("graph", "nodes", 0)].startswith("{") and spans[("graph", "nodes", 0)].endswith("}")
    assert spans[()].startswith("{") and spans[()].endswith("}")


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_ends_do_not_change_starts(fmt: str) -> None:
    text = emit(TREE, fmt)
    assert locate(text, fmt, {}) == locate(text, fmt)  # type: ignore[arg-type]

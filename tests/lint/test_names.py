"""Names rules: failing and passing documents in YAML and JSON, with exact positions."""

from __future__ import annotations

import onnx
import pytest
from onnx import TensorProto, helper

from onnxtext.lint.engine import Selection
from tests.lint.cases import (
    FORMATS,
    at,
    chain_model,
    clean,
    codes,
    dumped,
    edit,
    expect,
    field,
    item,
    node_start,
    run,
)


@pytest.mark.parametrize("fmt", FORMATS)
def test_n101_duplicate_node_name(fmt: str) -> None:
    text = edit(clean(fmt), fmt, "name", "n2", "n1")
    found = expect(run(text, fmt), "N101", at(text, field("name", "n1", fmt), nth=1))
    assert found.severity == "warning" and f"line {node_start(text, fmt, 'LeakyRelu')[0]}" in found.message


@pytest.mark.parametrize("fmt", FORMATS)
def test_n102_value_produced_twice(fmt: str) -> None:
    text = edit(clean(fmt), fmt, "outputs", ["b"], ["a"])
    found = expect(run(text, fmt), "N102", item(text, fmt, "outputs", ["a"], 0, nth=1))
    assert "'n1'" in found.message and "'n0'" in found.message


@pytest.mark.parametrize("fmt", FORMATS)
def test_n103_output_listed_twice(fmt: str) -> None:
    text, entry = clean(fmt), "{" + field("name", "c", fmt) + ","
    second_output = at(text, entry)
    text = text.replace(entry, "{" + field("name", "y", fmt) + ",", 1)  # the graph outputs are now y and y
    expect(run(text, fmt), "N103", second_output)


@pytest.mark.parametrize("fmt", FORMATS)
def test_n104_unnamed_node(fmt: str) -> None:
    text = clean(fmt)
    line = field("name", "n1", fmt) + ("," if fmt == "json" else "")
    text = "\n".join(x for x in text.splitlines() if x.strip() != line) + "\n"
    selected = Selection(extend_select=("N104",))  # opt-in
    found = expect(run(text, fmt, selection=selected), "N104", node_start(text, fmt, "LeakyRelu"))
    assert found.severity == "warning" and "name: LeakyRelu_0" in (found.hint or "")
    assert "N104" not in codes(run(clean(fmt), fmt, selection=selected))
    assert "N104" not in codes(run(text, fmt))


def shadowing_model(inner_output: str) -> onnx.ModelProto:
    value = helper.make_tensor_value_info
    then = helper.make_graph(
        [helper.make_node("Identity", ["x"], [inner_output], name="t")],
        "then",
        [],
        [value(inner_output, 1, [2])],
    )
    other = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["e"], name="e")], "else", [], [value("e", 1, [2])]
    )
    node = helper.make_node("If", ["cond"], ["y"], name="if", then_branch=then, else_branch=other)
    graph = helper.make_graph(
        [node], "g", [value("cond", TensorProto.BOOL, []), value("x", 1, [2])], [value("y", 1, [2])]
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


@pytest.mark.parametrize("fmt", FORMATS)
def test_n105_subgraph_shadows_outer_name(fmt: str) -> None:
    clean(fmt, shadowing_model("t_out"))  # an outer name used (not defined) inside is fine
    text = dumped(shadowing_model("x"), fmt)
    found = expect(run(text, fmt), "N105", item(text, fmt, "outputs", ["x"], 0))
    assert "graph input" in found.message


def test_input_with_initializer_default_is_no_duplicate() -> None:
    model = chain_model()
    model.graph.input.append(helper.make_tensor_value_info("w", TensorProto.FLOAT, [2, 3]))
    assert not {"N102", "N103"} & codes(run(dumped(model, "yaml"), "yaml"))

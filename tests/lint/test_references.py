"""References rules: failing and passing documents in YAML and JSON, with exact positions."""

from __future__ import annotations

from pathlib import Path

import pytest
from onnx import TensorProto, helper

from tests.lint.cases import (
    FORMATS,
    at,
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
from tests.lint.test_names import shadowing_model


@pytest.mark.parametrize("fmt", FORMATS)
def test_r201_dangling_input_with_did_you_mean(fmt: str) -> None:
    text = edit(clean(fmt), fmt, "inputs", ["b"], ["bb"])
    found = expect(run(text, fmt), "R201", item(text, fmt, "inputs", ["bb"], 0))
    assert "'n2'" in found.message
    produced = at(text, field("outputs", ["b"], fmt))[0]
    assert found.hint == f"did you mean 'b' (produced by node 'n1', line {produced})?"


@pytest.mark.parametrize("fmt", FORMATS)
def test_r201_outer_scope_reference_resolves(fmt: str) -> None:
    text = clean(fmt, shadowing_model("t_out"))  # the then-branch reads the outer 'x'
    assert "R201" not in codes(run(text, fmt))
    text = edit(text, fmt, "inputs", ["x"], ["xx"])
    expect(run(text, fmt), "R201", item(text, fmt, "inputs", ["xx"], 0))


@pytest.mark.parametrize("fmt", FORMATS)
def test_r202_graph_output_produced_by_nothing(fmt: str) -> None:
    text, entry = clean(fmt), "{" + field("name", "y", fmt) + ","
    text = text.replace(entry, "{" + field("name", "yy", fmt) + ",", 1)
    found = expect(run(text, fmt), "R202", at(text, "{" + field("name", "yy", fmt)))
    assert "did you mean 'y'" in (found.hint or "")


@pytest.mark.parametrize("fmt", FORMATS)
def test_r203_cycle(fmt: str) -> None:
    text = edit(clean(fmt), fmt, "inputs", ["x", "w"], ["x", "b"])
    found = expect(run(text, fmt), "R203", node_start(text, fmt, "Add"))
    assert "'n0'" in found.message and "'n1'" in found.message
    assert "R204" not in codes(run(text, fmt))  # the cycle is one problem, not an ordering one too


@pytest.mark.parametrize("fmt", FORMATS)
def test_r204_out_of_order(fmt: str) -> None:
    text = edit(clean(fmt), fmt, "inputs", ["a"], ["c"])  # LeakyRelu reads Cast's output, listed later
    found = expect(run(text, fmt), "R204", item(text, fmt, "inputs", ["c"], 0))
    assert found.hint == "move node 'n3' before node 'n1'"


@pytest.mark.parametrize("fmt", FORMATS)
def test_r205_unused_initializer(fmt: str) -> None:
    text = edit(clean(fmt), fmt, "inputs", ["x", "w"], ["x", "x"])
    found = expect(run(text, fmt), "R205", at(text, "{" + field("name", "w", fmt)))
    assert found.severity == "warning"
    assert "R205" not in codes(run(clean(fmt), fmt))


@pytest.mark.parametrize("fmt", FORMATS)
def test_r206_dead_node(fmt: str) -> None:
    text = edit(clean(fmt), fmt, "inputs", ["b"], ["a"])  # nothing reads LeakyRelu's output any more
    found = expect(run(text, fmt), "R206", node_start(text, fmt, "LeakyRelu"))
    assert found.severity == "warning"


@pytest.mark.parametrize("fmt", FORMATS)
def test_r207_stale_value_info(fmt: str) -> None:
    text, entry = clean(fmt), "{" + field("name", "b", fmt) + ","
    text = text.replace(entry, "{" + field("name", "b_old", fmt) + ",", 1)
    found = expect(run(text, fmt), "R207", at(text, "{" + field("name", "b_old", fmt)))
    assert found.severity == "warning"


def test_loop_body_reads_its_own_inputs_and_outer_values() -> None:
    value = helper.make_tensor_value_info
    body = helper.make_graph(
        [
            helper.make_node("Identity", ["cond_in"], ["cond_out"], name="c"),
            helper.make_node("Add", ["acc_in", "step"], ["acc_out"], name="add"),
        ],
        "body",
        [value("i", TensorProto.INT64, []), value("cond_in", TensorProto.BOOL, []), value("acc_in", 1, [2])],
        [value("cond_out", TensorProto.BOOL, []), value("acc_out", 1, [2])],
    )
    loop = helper.make_node("Loop", ["n", "", "acc0"], ["acc"], name="loop", body=body)
    graph = helper.make_graph(
        [loop],
        "g",
        [value("n", TensorProto.INT64, []), value("acc0", 1, [2]), value("step", 1, [2])],
        [value("acc", 1, [2])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    assert not [d.report() for d in run(dumped(model, "yaml"), "yaml") if d.severity == "error"]


def test_r205_an_ir3_initializer_read_through_its_graph_input_is_used() -> None:
    sample = (
        Path(__file__).resolve().parents[2] / "samples" / "squeezenet.yaml"
    )  # IR 3: weights are inputs too
    assert "R205" not in codes(run(sample.read_text(), "yaml"))

"""Opset and schema rules (onnx.defs): failing and passing documents in YAML and JSON, with positions."""

from __future__ import annotations

import pytest
from onnx import helper

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
    node_start,
    run,
)


@pytest.mark.parametrize("fmt", FORMATS)
def test_o401_op_newer_than_the_opset(fmt: str) -> None:
    text = edit(clean(fmt), fmt, "op_type", "Relu", "Mish")
    found = expect(run(text, fmt), "O401", at(text, field("op_type", "Mish", fmt)))
    assert found.message == "op 'Mish' needs opset 18 of domain '' (ai.onnx) but the model imports 17"
    passing = edit(dumped(chain_model(18), fmt), fmt, "op_type", "Relu", "Mish")
    assert "O401" not in codes(run(passing, fmt))


@pytest.mark.parametrize("fmt", FORMATS)
def test_o401_no_such_op(fmt: str) -> None:
    text = edit(clean(fmt), fmt, "op_type", "Relu", "Relux")
    found = expect(run(text, fmt), "O401", at(text, field("op_type", "Relux", fmt)))
    assert found.hint == "did you mean 'Relu'?"


@pytest.mark.parametrize("fmt", FORMATS)
def test_o402_deprecated_op(fmt: str) -> None:
    text = edit(clean(fmt), fmt, "op_type", "Relu", "Upsample")
    expect(run(text, fmt), "O402", at(text, field("op_type", "Upsample", fmt)))


@pytest.mark.parametrize("fmt", FORMATS)
def test_o403_unknown_attribute(fmt: str) -> None:
    text = clean(fmt).replace(field("alpha", 0.1, fmt), field("alhpa", 0.1, fmt))
    found = expect(run(text, fmt), "O403", at(text, field("alhpa", 0.1, fmt)))
    assert found.hint == "did you mean 'alpha'?"


@pytest.mark.parametrize("fmt", FORMATS)
def test_o404_missing_required_attribute(fmt: str) -> None:
    text = clean(fmt)
    attributes = field("attributes", {"to": "float16"}, fmt) if fmt == "json" else "attributes: {to: float16}"
    lines = [x for x in text.splitlines() if x.strip() != attributes]
    lines = [x.rstrip(",") if x.strip() == field("outputs", ["c"], fmt) + "," else x for x in lines]
    text = "\n".join(lines) + "\n"
    found = expect(run(text, fmt), "O404", node_start(text, fmt, "Cast"))
    assert "'to'" in found.message


@pytest.mark.parametrize("fmt", FORMATS)
def test_o405_attribute_of_wrong_type(fmt: str) -> None:
    text = clean(fmt).replace(field("alpha", 0.1, fmt), field("alpha", 1, fmt))
    found = expect(run(text, fmt), "O405", at(text, field("alpha", 1, fmt)))
    assert "must be FLOAT, not INT" in found.message and found.hint == "write a number with a dot: 1.0"


@pytest.mark.parametrize("fmt", FORMATS)
def test_o406_too_many_inputs(fmt: str) -> None:
    text = edit(clean(fmt), fmt, "inputs", ["b"], ["b", "a"])
    found = expect(run(text, fmt), "O406", at(text, field("inputs", ["b", "a"], fmt)))
    assert found.message == "Relu (opset 17) takes 1 inputs, this node has 2"


@pytest.mark.parametrize("fmt", FORMATS)
def test_o407_domain_not_imported(fmt: str) -> None:
    model = chain_model()
    model.graph.node[2].domain = "my.ops"
    text = dumped(model, fmt)
    found = expect(run(text, fmt), "O407", at(text, field("domain", "my.ops", fmt)))
    assert "'my.ops'" in found.message
    model.opset_import.append(helper.make_opsetid("my.ops", 1))
    assert "O407" not in codes(run(dumped(model, fmt), fmt))


@pytest.mark.parametrize("fmt", FORMATS)
def test_o408_ir_version_too_old(fmt: str) -> None:
    text = edit(clean(fmt), fmt, "ir_version", 14, 3)
    selected = Selection(extend_select=("O408",))  # opt-in
    found = expect(run(text, fmt, selection=selected), "O408", at(text, field("ir_version", 3, fmt)))
    assert found.severity == "warning" and found.hint == "raise ir_version to 8 or later"
    assert "O408" not in codes(run(text, fmt))


@pytest.mark.parametrize("fmt", FORMATS)
def test_o409_function_opsets_disagree(fmt: str) -> None:
    function = helper.make_function(
        "local",
        "double",
        ["a"],
        ["b"],
        [helper.make_node("Add", ["a", "a"], ["b"])],
        [helper.make_opsetid("", 13)],
    )
    model = chain_model()
    model.functions.append(function)
    model.opset_import.append(helper.make_opsetid("local", 1))
    model.graph.node[2].op_type, model.graph.node[2].domain = "double", "local"
    text = dumped(model, fmt)
    found = run(text, fmt)
    function_opsets = [d for d in found if d.code == "O409"]
    assert function_opsets and function_opsets[0].path == ("functions", 0, "opset_import")
    assert not {"O401", "O407"} & codes(found)  # calling the model's own function is no unknown op

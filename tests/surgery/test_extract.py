"""extract: a sub-model between named values runs and computes the intermediate values."""

from __future__ import annotations

import numpy as np
import onnx
import pytest

from onnxtext.base.errors import OnnxTextError
from onnxtext.surgery.extract import extract
from tests.models import ONNX_DATA
from tests.surgery.helpers import chain_model, if_model, names_of, run

X = np.array([[1.0, -2.0, 3.0]], np.float32)


def test_extract_between_intermediate_values() -> None:
    model = chain_model()
    model.graph.value_info.append(onnx.helper.make_tensor_value_info("a", onnx.TensorProto.FLOAT, ["N", 3]))
    cut = extract(model, ["b"], ["a"])
    assert names_of(cut.graph.input) == ["a"] and names_of(cut.graph.output) == ["b"]
    assert [n.name for n in cut.graph.node] == ["neg"]
    assert cut.producer_name == model.producer_name and cut.graph.name == model.graph.name
    np.testing.assert_array_equal(run(cut, {"a": X})["b"], -X)


def test_types_of_new_outputs_come_from_shape_inference() -> None:
    cut = extract(chain_model(), ["a", "b"])  # no value_info for a or b: inferred
    assert names_of(cut.graph.output) == ["a", "b"]
    assert cut.graph.output[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    got = run(cut, {"x": X})
    np.testing.assert_array_equal(got["a"], np.maximum(X, 0))
    np.testing.assert_array_equal(got["b"], -np.maximum(X, 0))


def test_squeezenet_trunk_output_is_the_intermediate_value() -> None:
    model = onnx.load(ONNX_DATA / "light" / "light_squeezenet.onnx")
    name = next(n.output[0] for n in model.graph.node if n.op_type == "Concat")
    cut = extract(model, [name])
    onnx.checker.check_model(cut, full_check=True)
    assert len(cut.graph.node) < len(model.graph.node)
    assert len(cut.graph.input) < len(model.graph.input)  # weights of later layers are gone
    feeds = {"data_0": np.random.default_rng(0).random((1, 3, 224, 224), np.float32)}
    assert run(cut, feeds)[name].shape[1] == 128


def test_a_branch_reading_an_outer_initializer_keeps_it() -> None:
    cut = extract(if_model(), ["y"], ["cond", "x"])
    assert [t.name for t in cut.graph.initializer] == ["w"]


@pytest.mark.parametrize(
    ("outputs", "inputs", "message"),
    [
        (["nope"], None, "'nope' is not a value of the main graph"),
        (["y"], ["x", "x"], "named twice"),
        ([], None, "no output"),
        (["y"], ["b", "a"], None),
    ],
)
def test_bad_names_are_one_clear_error(
    outputs: list[str], inputs: list[str] | None, message: str | None
) -> None:
    if message is None:  # cutting at both a and b is fine: b's producer is gone, a just passes
        assert names_of(extract(chain_model(), outputs, inputs).graph.input) == inputs
        return
    with pytest.raises(OnnxTextError, match=message) as err:
        extract(chain_model(), outputs, inputs)
    assert err.value.code == "E601" and err.value.hint


def test_cutting_at_one_output_of_a_node_whose_other_output_is_needed_is_refused() -> None:
    graph = onnx.helper.make_graph(
        [
            onnx.helper.make_node("Split", ["x"], ["p", "q"], axis=0, num_outputs=2),
            onnx.helper.make_node("Add", ["p", "q"], ["y"]),
        ],
        "split",
        [onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [4])],
        [onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [2])],
    )
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 18)])
    with pytest.raises(OnnxTextError, match="together with 'q'"):
        extract(model, ["y"], ["p"])

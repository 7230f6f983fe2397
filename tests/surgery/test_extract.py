"""extract: a sub-model between named values runs and computes the intermediate values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest

from onnxtext.base.errors import OnnxTextError
from onnxtext.surgery.extract import extract
from tests.models import ONNX_DATA, silero_models
from tests.surgery.helpers import chain_model, cli, if_model, names_of, run

X = np.array([[1.0, -2.0, 3.0]], np.float32)
SQUEEZENET = Path(__file__).parents[2] / "samples" / "squeezenet.onnx"
IMAGE = np.random.default_rng(0).random((1, 3, 224, 224), np.float32)


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


def _with_outputs(model: onnx.ModelProto, *names: str) -> onnx.ModelProto:
    """``model`` also returning the intermediate float values ``names``."""
    copy = onnx.load_from_string(model.SerializeToString())
    for name in names:
        copy.graph.output.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
    return copy


def test_a_cut_leaving_values_outside_is_refused_with_the_inputs_that_separate_it(tmp_path: Path) -> None:
    # squeezenet's fire2 concatenates two branches of r4: starting at one of them leaves data_0 outside
    cut = tmp_path / "cut.onnx"
    code, out = cli("extract", str(SQUEEZENET), "--inputs", "r6", "--outputs", "r9", "-o", str(cut))
    assert code == 1 and not cut.exists()
    first, hint = out.strip().splitlines()
    assert "error E607" in first and "'data_0'" in first
    assert hint.endswith("--inputs r6,r8")
    code, out = cli("extract", str(SQUEEZENET), "--inputs", "r6,r8", "--outputs", "r9", "-o", str(cut))
    assert code == 0, out
    whole = onnx.load(SQUEEZENET)
    want = run(_with_outputs(whole, "r6", "r8", "r9"), {"data_0": IMAGE})
    got = run(onnx.load(cut), {"r6": want["r6"], "r8": want["r8"]})
    np.testing.assert_array_equal(got["r9"], want["r9"])


@pytest.mark.skipif(not silero_models(), reason="silero-vad not installed")
def test_a_cut_below_an_if_condition_names_the_condition() -> None:
    model = onnx.load(silero_models()[0])  # If(Equal(sr, 16000)): both branches read input and state
    with pytest.raises(OnnxTextError, match="they still need 'sr'") as err:
        extract(model, ["output"], ["input", "state"])
    assert err.value.code == "E607" and err.value.hint.endswith("--inputs input,state,Equal_0_C")
    cut = extract(model, ["output"], ["input", "state", "Equal_0_C"])
    onnx.checker.check_model(cut, full_check=True)
    feeds = {"input": np.full((1, 512), 0.25, np.float32), "state": np.zeros((2, 1, 128), np.float32)}
    want = run(model, {**feeds, "sr": np.array(16000)})["output"]
    np.testing.assert_array_equal(run(cut, {**feeds, "Equal_0_C": np.array(True)})["output"], want)

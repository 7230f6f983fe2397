"""summary reads no weight bytes; compare tells equal from different models, with either runner."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from onnxtext.base.errors import OnnxTextError
from onnxtext.surgery.opset import convert
from onnxtext.surgery.parity import compare
from onnxtext.surgery.summary import render, summarize
from tests.models import ONNX_DATA
from tests.surgery.helpers import chain_model, cli, if_model, unary

SILERO = Path(__file__).parents[2] / "samples" / "silero_vad.onnx"
SQUEEZENET = SILERO.with_name("squeezenet.onnx")


def test_summary_of_squeezenet() -> None:
    facts = summarize(onnx.load(ONNX_DATA / "light" / "light_squeezenet.onnx"))
    assert facts["ops"]["ai.onnx"]["Conv"] == 26 and facts["nodes"] == 105
    assert facts["opsets"] == {"ai.onnx": 9}
    assert facts["outputs"] == {"softmaxout_1": "float32[1,1000,1,1]"}
    assert facts["parameters"]["by_dtype"]["float32"]["elements"] == 640
    assert "Conv 26" in render(facts)


def test_summary_counts_branches_and_reads_no_external_bytes(tmp_path) -> None:
    model = if_model()
    big = helper.make_tensor(
        "w", TensorProto.FLOAT, [1000, 1000], np.zeros(10**6, np.float32).tobytes(), raw=True
    )
    model.graph.initializer[0].CopyFrom(big)
    onnx.save(model, tmp_path / "m.onnx", save_as_external_data=True, location="m.data", size_threshold=0)
    (tmp_path / "m.data").unlink()  # summary must not need it
    facts = summarize(onnx.load(tmp_path / "m.onnx", load_external_data=False))
    assert facts["subgraphs"] == 2 and facts["ops"]["ai.onnx"] == {"If": 1, "Identity": 1, "Mul": 1}
    assert facts["parameters"]["bytes"] == 4 * 10**6 and facts["parameters"]["elements"] == 10**6


@pytest.mark.parametrize("runner", ["onnxruntime", "reference"])
def test_compare_equal_and_different(runner: str) -> None:
    a = chain_model()
    assert compare(a, a, dims={"N": 4}, runner=runner).equal
    b = chain_model()
    b.graph.node[2].op_type = "Relu"  # Abs -> Relu: y becomes 0 everywhere
    result = compare(a, b, {"x": np.array([[1.0, 2.0, 3.0]], np.float32)}, runner=runner)
    assert not result.equal and result.outputs[0].max_abs == 3.0


def test_compare_reports_outputs_only_one_model_has() -> None:
    a, b = chain_model(), chain_model()
    b.graph.output[0].name = "b"  # Neg's output now: y is only in A, b only in B
    result = compare(a, b)
    assert [(o.name, o.in_a, o.in_b) for o in result.outputs] == [("y", True, False), ("b", False, True)]
    assert not result.equal and "only in A" in result.render()


def test_compare_tolerances() -> None:
    a = unary("Relu")
    b = unary("LeakyRelu", alpha=1e-7)  # differs from Relu by at most 1e-7 on inputs in [-1, 1]
    assert compare(a, b, atol=1e-6).equal
    assert not compare(a, b, atol=0.0, rtol=0.0).equal


def test_compare_cannot_run_is_e606() -> None:
    a = chain_model()
    with pytest.raises(OnnxTextError) as err:
        compare(a, a, {"x": np.zeros((2, 5), np.float32)})
    assert err.value.code == "E606"


def _constant_arrays(graph: onnx.GraphProto) -> list[np.ndarray]:
    arrays = []
    for node in graph.node:
        for attr in node.attribute:
            if node.op_type == "Constant" and attr.name == "value":
                arrays.append(onnx.numpy_helper.to_array(attr.t))
            arrays += [a for g in (attr.g, *attr.graphs) for a in _constant_arrays(g)]
    return arrays


def test_summary_counts_the_weights_that_live_in_constant_nodes() -> None:
    model = onnx.load(SILERO)  # spox keeps every weight in a Constant node, many inside If bodies
    arrays = _constant_arrays(model.graph)
    assert not model.graph.initializer and len(arrays) == 341
    params = summarize(model)["parameters"]
    assert params["elements"] == sum(a.size for a in arrays) and params["tensors"] == 341
    assert params["bytes"] == sum(a.nbytes for a in arrays)
    assert params["by_dtype"]["float32"]["elements"] == sum(a.size for a in arrays if a.dtype == np.float32)
    assert (
        f"parameters: {sum(a.size for a in arrays):,} in 341 tensors (341 of them in Constant nodes)"
        in render(summarize(model))
    )


def _branchy_conv_net(scale: float = 1.0) -> onnx.ModelProto:
    """x[N,3,H,W]: a strided conv, upsampled back, concatenated with a 1x1 conv of x (H, W must be even)."""
    rng = np.random.default_rng(0)
    weights = [
        onnx.numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)
        for name, shape in (("down_w", (4, 3, 3, 3)), ("side_w", (4, 3, 1, 1)))
    ]
    graph = helper.make_graph(
        [
            helper.make_node(
                "Conv", ["x", "down_w"], ["down"], kernel_shape=[3, 3], strides=[2, 2], pads=[1] * 4
            ),
            helper.make_node("Resize", ["down", "", "scales"], ["up"], mode="nearest"),
            helper.make_node("Conv", ["x", "side_w"], ["side"], kernel_shape=[1, 1]),
            helper.make_node("Concat", ["up", "side"], ["y"], axis=1),
        ],
        "branchy",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 8, "H", "W"])],
        [*weights, onnx.numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scales")],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_compare_picks_sizes_a_conv_net_runs_with_and_says_which() -> None:
    model = _branchy_conv_net()
    result = compare(model, model)
    assert result.equal and result.dims == {"N": 1, "H": 2, "W": 2}  # at 1, Concat's inputs differ
    assert "dims: N=1, H=2, W=2\n" in result.render()
    other = compare(model, _branchy_conv_net(scale=2.0))
    assert not other.equal and other.dims == {"N": 1, "H": 2, "W": 2}


def test_compare_squeezenet_with_symbolic_batch_and_image_size(tmp_path: Path) -> None:
    model = onnx.load(SQUEEZENET)
    data = next(v for v in model.graph.input if v.name == "data_0")
    for dim, name in zip(data.type.tensor_type.shape.dim, ("N", None, "H", "W"), strict=True):
        if name:
            dim.dim_param = name
    model.graph.output[0].type.tensor_type.shape.dim[0].dim_param = "N"
    onnx.save(model, tmp_path / "dynamic.onnx")
    onnx.save(convert(model, 13), tmp_path / "dynamic-13.onnx")
    code, out = cli("compare", str(tmp_path / "dynamic.onnx"), str(tmp_path / "dynamic-13.onnx"))
    assert code == 0, out  # below 32, squeezenet's pools have nothing left: N stays 1, H and W grow
    assert out.splitlines()[:2] == ["runner: onnxruntime", "dims: N=1, H=32, W=32"]
    code, out = cli("compare", str(tmp_path / "dynamic.onnx"), str(SQUEEZENET))
    assert code == 0 and "dims" not in out  # the static model fixes every size: 1x3x224x224

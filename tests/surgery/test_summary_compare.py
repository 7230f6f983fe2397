"""summary reads no weight bytes; compare tells equal from different models, with either runner."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from onnxtext.base.errors import OnnxTextError
from onnxtext.surgery.parity import compare
from onnxtext.surgery.summary import render, summarize
from tests.models import ONNX_DATA
from tests.surgery.helpers import chain_model, if_model, unary


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

"""dedupe: identical constants become one, readers rewired, the model computes the same."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from onnxtext.surgery.dedupe import dedupe
from tests.models import ONNX_DATA, silero_models
from tests.surgery.helpers import run


def test_equal_values_in_different_storage_are_merged_and_readers_rewired() -> None:
    graph = helper.make_graph(
        [
            helper.make_node("Add", ["x", "w1"], ["a"]),
            helper.make_node(
                "Constant", [], ["c"], value=helper.make_tensor("v", TensorProto.FLOAT, [2], [1.0, 2.0])
            ),
            helper.make_node("Mul", ["a", "w2"], ["b"]),
            helper.make_node("Sub", ["b", "c"], ["y"]),
        ],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])],
        initializer=[
            helper.make_tensor("w1", TensorProto.FLOAT, [2], [1.0, 2.0]),
            helper.make_tensor(
                "w2", TensorProto.FLOAT, [2], np.array([1.0, 2.0], np.float32).tobytes(), raw=True
            ),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    deduped, report = dedupe(model)
    assert report.merged == 2 and report.bytes_saved == model.ByteSize() - deduped.ByteSize() > 0
    assert [t.name for t in deduped.graph.initializer] == ["w1"]
    assert [list(n.input) for n in deduped.graph.node] == [["x", "w1"], ["a", "w1"], ["b", "w1"]]
    x = np.array([3.0, 4.0], np.float32)
    np.testing.assert_array_equal(run(deduped, {"x": x})["y"], run(model, {"x": x})["y"])


def test_nothing_to_merge_keeps_the_bytes() -> None:
    model = onnx.load(ONNX_DATA / "light" / "light_squeezenet.onnx")
    deduped, report = dedupe(model)
    assert report.merged == 0 and deduped.SerializeToString() == model.SerializeToString()


@pytest.mark.skipif(not silero_models(), reason="silero-vad not installed")
def test_silero_loses_hundreds_of_constants_and_still_computes_the_same() -> None:
    model = onnx.load(silero_models()[0])
    deduped, report = dedupe(model)
    assert report.merged > 100 and report.bytes_saved > 0
    onnx.checker.check_model(deduped, full_check=True)
    rng = np.random.default_rng(0)
    feeds = {
        "input": rng.random((1, 512), np.float32),
        "state": np.zeros((2, 1, 128), np.float32),
        "sr": np.array(16000),
    }
    for name, value in run(model, feeds).items():
        np.testing.assert_array_equal(run(deduped, feeds)[name], value)

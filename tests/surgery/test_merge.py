"""merge: both models' outputs from shared inputs, or B fed by A; opsets reconciled; clashes refused."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto

from onnxtext.base.errors import OnnxTextError
from onnxtext.surgery.merge import merge
from tests.models import ONNX_DATA
from tests.surgery.helpers import names_of, run, unary

X = np.array([[1.0, -2.0, 3.0]], np.float32)


def test_shared_input_gives_both_outputs_and_opsets_are_reconciled() -> None:
    merged = merge(unary("Relu", 13), unary("Neg", 17), prefix_a="a/", prefix_b="b/")
    assert names_of(merged.graph.input) == ["x"]
    assert [(o.domain, o.version) for o in merged.opset_import] == [("", 17)]
    onnx.checker.check_model(merged, full_check=True)
    got = run(merged, {"x": X})
    np.testing.assert_array_equal(got["a/y"], np.maximum(X, 0))
    np.testing.assert_array_equal(got["b/y"], -X)


def test_b_fed_by_a() -> None:
    merged = merge(unary("Relu", 17), unary("Neg", 17), connect=[("y", "x")], prefix_a="a/", prefix_b="b/")
    assert names_of(merged.graph.input) == ["a/x"] and names_of(merged.graph.output) == ["b/y"]
    np.testing.assert_array_equal(run(merged, {"a/x": X})["b/y"], -np.maximum(X, 0))


def test_squeezenet_and_its_own_copy_side_by_side() -> None:
    model = onnx.load(ONNX_DATA / "light" / "light_squeezenet.onnx")
    merged = merge(model, model, prefix_b="b/")
    assert names_of(merged.graph.input).count("data_0") == 1
    feeds = {"data_0": np.random.default_rng(0).random((1, 3, 224, 224), np.float32)}
    got = run(merged, feeds)
    np.testing.assert_allclose(got["b/softmaxout_1"], run(model, feeds)["softmaxout_1"], rtol=1e-6)
    np.testing.assert_array_equal(got["softmaxout_1"], got["b/softmaxout_1"])


@pytest.mark.parametrize(
    ("kwargs", "code", "message"),
    [
        ({}, "E604", "overlapping names"),
        ({"connect": [("nope", "x")], "prefix_b": "b/"}, "E601", "'nope' is not an output of A"),
        ({"connect": [("y", "nope")], "prefix_b": "b/"}, "E601", "'nope' is not an input of B"),
    ],
)
def test_refusals(kwargs: dict, code: str, message: str) -> None:
    with pytest.raises(OnnxTextError, match=message) as err:
        merge(unary("Relu", 17), unary("Neg", 17), **kwargs)
    assert err.value.code == code


def test_shared_input_of_another_type_is_refused() -> None:
    b = unary("Neg", 17)
    b.graph.input[0].type.tensor_type.elem_type = TensorProto.DOUBLE
    with pytest.raises(OnnxTextError, match="different types"):
        merge(unary("Relu", 17), b, prefix_a="a/", prefix_b="b/")

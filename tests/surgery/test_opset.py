"""opset: conversion runs the same model at the new opset; what cannot convert names its nodes."""

from __future__ import annotations

import numpy as np
import onnx
import pytest

from onnxtext.base.errors import OnnxTextError
from onnxtext.surgery.opset import convert
from tests.models import ONNX_DATA
from tests.surgery.helpers import run, unary


def test_squeezenet_up_to_opset_18_computes_the_same() -> None:
    model = onnx.load(ONNX_DATA / "light" / "light_squeezenet.onnx")
    converted = convert(model, 18)
    assert converted.opset_import[0].version == 18
    feeds = {"data_0": np.random.default_rng(0).random((1, 3, 224, 224), np.float32)}
    np.testing.assert_allclose(
        run(converted, feeds)["softmaxout_1"], run(model, feeds)["softmaxout_1"], rtol=1e-5
    )


def test_same_version_is_a_no_op() -> None:
    model = onnx.load(ONNX_DATA / "light" / "light_squeezenet.onnx")
    assert convert(model, 9).SerializeToString() == model.SerializeToString()


def test_an_op_newer_than_the_target_names_its_nodes_and_its_first_opset() -> None:
    model = unary("Gelu", 20)
    with pytest.raises(OnnxTextError, match="Gelu") as err:
        convert(model, 17)
    assert err.value.code == "E603" and err.value.path == ("graph", "nodes", 0)
    assert "from opset 20" in (err.value.hint or "")


@pytest.mark.parametrize("version", [0, 999])
def test_an_opset_that_does_not_exist(version: int) -> None:
    with pytest.raises(OnnxTextError, match="does not exist"):
        convert(unary("Relu"), version)

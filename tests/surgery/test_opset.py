"""opset: conversion runs the same model at the new opset; what cannot convert names its nodes."""

from __future__ import annotations

import numpy as np
import onnx
import pytest

from onnxtext.base.errors import OnnxTextError
from onnxtext.surgery.opset import convert
from tests.models import ONNX_DATA, silero_models
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


@pytest.mark.skipif(not silero_models(), reason="silero-vad not installed")
def test_opset_21_raises_the_ir_version_and_the_model_runs_the_same() -> None:
    model = onnx.load(silero_models()[1])  # IR 8, opset 15, If bodies
    converted = convert(model, 21)
    assert (model.ir_version, converted.ir_version) == (8, 10)  # onnx 1.16 brought opset 21 and IR 10
    onnx.checker.check_model(converted, full_check=True)
    feeds = {
        "input": np.random.default_rng(0).uniform(-1, 1, (1, 512)).astype(np.float32),
        "state": np.zeros((2, 1, 128), np.float32),
        "sr": np.array(16000),
    }
    np.testing.assert_allclose(run(converted, feeds)["output"], run(model, feeds)["output"], rtol=1e-5)


@pytest.mark.skipif(not silero_models(), reason="silero-vad not installed")
def test_a_step_without_adapter_says_which_op_from_which_opset_to_which_and_what_to_try() -> None:
    with pytest.raises(OnnxTextError) as err:
        convert(onnx.load(silero_models()[1]), 14)
    assert err.value.message.startswith(
        "cannot convert from opset 15 to 14: onnx's version converter cannot take Shape from opset 15 to 14 "
        "(nodes: graph.nodes[7] (Shape)"
    )
    assert (err.value.hint or "").startswith("convert to opset 15 instead")
    assert "$" not in err.value.message

"""verified: a surgery's result that onnx.checker or onnxruntime refuses is E607, unless its inputs
failed the same way; weights in external data take no part."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import helper

from onnxtext.base.errors import OnnxTextError
from onnxtext.surgery.verify import verified
from tests.surgery.helpers import cli, run

SQUEEZENET = Path(__file__).parents[2] / "samples" / "squeezenet.onnx"


def _squeezenet() -> onnx.ModelProto:
    return onnx.load(SQUEEZENET)


def _reading_a_missing_value() -> onnx.ModelProto:
    broken = _squeezenet()
    conv = next(n for n in broken.graph.node if n.op_type == "Conv")
    conv.input[0] = "images"  # nothing makes it: what a cut that does not separate used to write
    return broken


def _with_unknown_op() -> onnx.ModelProto:
    """Valid for onnx.checker (it does not know custom domains), not for onnxruntime."""
    custom = _squeezenet()
    custom.graph.node[-1].domain = "com.example"
    custom.opset_import.append(helper.make_opsetid("com.example", 1))
    return custom


def test_a_result_that_onnx_checker_refuses_is_e607_naming_the_surgery() -> None:
    with pytest.raises(OnnxTextError, match=r"extract would write a model that onnx\.checker refuses") as err:
        verified(_reading_a_missing_value(), [_squeezenet()], "extract", hint="cut elsewhere")
    assert err.value.code == "E607" and "'images'" in err.value.message
    assert err.value.hint == "cut elsewhere; nothing was written"


def test_a_result_that_onnxruntime_cannot_load_is_e607() -> None:
    with pytest.raises(OnnxTextError, match=r"rename would write a model that onnxruntime .* cannot load"):
        verified(_with_unknown_op(), [_squeezenet()], "rename")


def test_what_the_inputs_already_had_is_not_the_surgerys() -> None:
    custom = _with_unknown_op()
    assert verified(custom, [custom], "rename") is custom
    broken = _reading_a_missing_value()
    assert verified(broken, [_squeezenet(), broken], "merge") is broken


def test_weights_in_external_data_are_not_needed(tmp_path: Path) -> None:
    onnx.save(
        _squeezenet(), tmp_path / "m.onnx", save_as_external_data=True, location="m.data", size_threshold=0
    )
    (tmp_path / "m.data").unlink()  # not read: each weight stands as an input of its type
    lean = onnx.load(tmp_path / "m.onnx", load_external_data=False)
    assert verified(lean, [lean], "extract") is lean


def test_build_opset_result_runs_and_computes_the_same(tmp_path: Path) -> None:
    code, out = cli(
        "build", str(SQUEEZENET.with_suffix(".yaml")), "-o", str(tmp_path / "m.onnx"), "--opset", "13"
    )
    assert code == 0, out
    image = np.random.default_rng(0).random((1, 3, 224, 224), np.float32)
    converted = onnx.load(tmp_path / "m.onnx")
    assert converted.opset_import[0].version == 13
    np.testing.assert_allclose(
        run(converted, {"data_0": image})["softmaxout_1"],
        run(_squeezenet(), {"data_0": image})["softmaxout_1"],
    )

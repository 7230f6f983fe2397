"""read_lean: a model read without its big weights dumps exactly as the whole model does."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from onnx import ModelProto, TensorProto, helper, numpy_helper

from onnxtext import api
from onnxtext.base.errors import OnnxTextError
from onnxtext.roundtrip import lean
from tests.roundtrip.test_fields import random_message


@pytest.fixture(autouse=True)
def lean_on_small_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lean, "LEAN_FILE_MIN_BYTES", 0)
    monkeypatch.setattr(lean, "LEAN_MIN_BYTES", 64)


def _model(tensors: list[TensorProto]) -> ModelProto:
    node = helper.make_node("Identity", [tensors[0].name], ["y"], name="n")
    graph = helper.make_graph(
        [node], "g", [], [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], tensors
    )
    model = helper.make_model(graph, producer_name="test")
    helper.set_model_props(model, {"k": "v"})
    return model


def _dumps_alike(tmp_path: Path, model: ModelProto, expect_lean: bool) -> None:
    source = tmp_path / "m.onnx"
    source.write_bytes(model.SerializeToString())
    _, payloads = lean.read_lean(source)
    assert bool(payloads) == expect_lean
    whole = ModelProto()
    whole.ParseFromString(source.read_bytes())
    for i, mode in enumerate(("npy", "base64", "inline", "auto")):
        thin_doc, whole_doc = tmp_path / "thin" / f"m{i}.yaml", tmp_path / "whole" / f"m{i}.yaml"
        api.dump(source, thin_doc, tensors=mode)
        api.dump(whole, whole_doc, tensors=mode)
        assert thin_doc.read_text() == whole_doc.read_text()
        assert api.load(thin_doc).SerializeToString() == source.read_bytes()


def test_big_weights_stay_in_the_file(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    weights = [
        numpy_helper.from_array(rng.standard_normal((8, 8 + i), np.float32), f"w{i}") for i in range(3)
    ]
    small = numpy_helper.from_array(np.arange(4, dtype=np.int64), "small")
    _dumps_alike(tmp_path, _model([*weights, small]), expect_lean=True)


@pytest.mark.parametrize("seed", range(8))
def test_random_other_fields_survive(tmp_path: Path, seed: int) -> None:
    weight = numpy_helper.from_array(np.ones((4, 8), np.float32), "w")
    rng = random.Random(seed)
    for name in ("doc_string", "metadata_props", "external_data", "segment"):
        if rng.random() < 0.5:
            scratch = TensorProto()
            random_message(TensorProto.DESCRIPTOR, scratch, rng, depth=1)
            field = TensorProto.DESCRIPTOR.fields_by_name[name]
            if field.is_repeated and len(getattr(scratch, name)):
                getattr(weight, name).extend(getattr(scratch, name))
            elif not field.is_repeated and scratch.HasField(name):
                weight.MergeFrom(TensorProto(**{name: getattr(scratch, name)}))
    _dumps_alike(tmp_path, _model([weight]), expect_lean=True)


@pytest.mark.parametrize(
    "odd",
    [
        lambda t: t.float_data.append(1.0),  # two payload fields: written field by field
        lambda t: setattr(t, "raw_data", t.raw_data + b"\0"),  # length disagrees with dims
        lambda t: t.MergeFromString(b"\xf8\x01\x05"),  # an unknown field
        lambda t: t.ClearField("data_type"),
    ],
)
def test_tensors_not_plain_are_read_whole(tmp_path: Path, odd) -> None:
    weight = numpy_helper.from_array(np.ones((4, 8), np.float32), "w")
    odd(weight)
    _dumps_alike(tmp_path, _model([weight]), expect_lean=False)


def test_a_file_that_is_no_model_is_e503(tmp_path: Path) -> None:
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\xff" * 100)
    with pytest.raises(OnnxTextError) as err:
        api.dump(bad, tmp_path / "x.yaml")
    assert err.value.code == "E503"

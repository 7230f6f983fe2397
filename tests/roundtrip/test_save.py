"""write_model writes exactly SerializeToString's bytes, also when it streams; saves are atomic."""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
import pytest
from onnx import ModelProto, TensorProto, helper, numpy_helper

from onnxtext.errors import OnnxTextError
from onnxtext.roundtrip import save
from tests.models import shipped_models, silero_models
from tests.roundtrip.test_fields import random_message


def written(model: ModelProto) -> bytes:
    out = io.BytesIO()
    save.write_model(model, out)
    return out.getvalue()


@pytest.fixture
def stream_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(save, "STREAM_MIN_BYTES", 0)


@pytest.mark.parametrize("seed", range(60))
def test_streamed_random_models_match(seed: int, stream_everything: None) -> None:
    model = ModelProto()
    random_message(ModelProto.DESCRIPTOR, model, random.Random(seed), depth=4)
    model.graph.initializer.add().raw_data = b"\x01" * (seed % 5)
    assert written(model) == model.SerializeToString()


@pytest.mark.parametrize("path", shipped_models()[::7] + silero_models()[:2], ids=lambda p: p.name)
def test_streamed_real_models_match(path: Path, stream_everything: None) -> None:
    model = ModelProto()
    model.ParseFromString(path.read_bytes())
    assert written(model) == model.SerializeToString()


def test_big_weights_stream_by_default() -> None:
    big = numpy_helper.from_array(np.ones((save.STREAM_MIN_BYTES // 4 + 1,), np.float32), "w")
    node = helper.make_node("Identity", ["w"], ["y"])
    graph = helper.make_graph(
        [node], "g", [], [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [big]
    )
    model = helper.make_model(graph)
    assert save._holds_big_tensors(model.graph)
    assert written(model) == model.SerializeToString()


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "m.onnx"

    def explode(out: io.BufferedWriter) -> None:
        out.write(b"partial")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        save.write_atomic(target, explode, force=False)
    assert list(tmp_path.iterdir()) == []


def test_existing_output_is_kept_without_force(tmp_path: Path) -> None:
    target = tmp_path / "m.onnx"
    target.write_bytes(b"mine")
    with pytest.raises(OnnxTextError) as err:
        save.write_atomic(target, b"new", force=False)
    assert err.value.code == "E501"
    assert target.read_bytes() == b"mine"

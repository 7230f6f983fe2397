"""write_model writes exactly SerializeToString's bytes, also when it streams; saves are atomic."""

from __future__ import annotations

import io
import os
import random
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import ModelProto, TensorProto, helper, numpy_helper

from onnxtext import api
from onnxtext.base.errors import OnnxTextError
from onnxtext.codecs import SidecarReader, SidecarWriter, dtype_by_name, npy
from onnxtext.roundtrip import save
from tests.models import shipped_models, silero_models
from tests.roundtrip.test_fields import random_message

FLOAT32 = dtype_by_name("float32")


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


# -- payloads spliced from sidecars -------------------------------------------------------------


@pytest.fixture(autouse=True)
def splice_small_payloads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(npy, "SPLICE_MIN_BYTES", 1024)


def _sidecar_model(tmp_path: Path, seed: int) -> tuple[ModelProto, ModelProto, SidecarReader]:
    """(model with every big payload left in a sidecar, the same model with the bytes set, the reader).

    The initializers carry random other fields (unknown ones included) around their raw_data.
    """
    rng = random.Random(seed)
    full = ModelProto()
    random_message(ModelProto.DESCRIPTOR, full, rng, depth=3)
    full.graph.ClearField("initializer")
    reader = SidecarReader(tmp_path, splice=True)
    writer = SidecarWriter(tmp_path / "m.tensors", "m.tensors")
    for i in range(4):
        tensor = full.graph.initializer.add()
        random_message(TensorProto.DESCRIPTOR, tensor, rng, depth=1)
        for name in ("raw_data", "float_data", "int32_data", "string_data", "int64_data", "double_data"):
            tensor.ClearField(name)
        tensor.ClearField("uint64_data")
        tensor.data_type = TensorProto.FLOAT
        tensor.ClearField("dims")
        tensor.dims.extend([64, 1024 * (i + 1)])
        tensor.raw_data = np.random.default_rng(i).standard_normal(tuple(tensor.dims), np.float32).tobytes()
    full.graph.initializer.add(name="small", data_type=TensorProto.FLOAT, dims=[2], raw_data=b"\0" * 8)
    sliced = ModelProto()
    sliced.CopyFrom(full)
    for tensor in sliced.graph.initializer:
        raw = tensor.raw_data
        reference, digest = writer.write(raw, FLOAT32, tuple(tensor.dims))
        tensor.ClearField("raw_data")
        if not reader.defer(tensor, reference, FLOAT32, tuple(tensor.dims), digest, ("t",)):
            tensor.raw_data = raw
    return sliced, full, reader


@pytest.mark.parametrize("seed", range(12))
def test_spliced_payloads_give_serialize_bytes(tmp_path: Path, seed: int) -> None:
    sliced, full, reader = _sidecar_model(tmp_path, seed)
    assert len(reader.slices) == 4  # the 8-byte tensor is read, not spliced
    out = io.BytesIO()
    save.write_model(sliced, out, reader.slices)
    assert out.getvalue() == full.SerializeToString()


def test_a_sliced_tensor_outside_the_initializers_gets_its_bytes(tmp_path: Path) -> None:
    sliced, full, reader = _sidecar_model(tmp_path, 0)
    node = sliced.graph.node.add(op_type="Constant")
    attribute = node.attribute.add(name="value", type=onnx.AttributeProto.TENSOR)
    attribute.t.CopyFrom(sliced.graph.initializer[0])
    reader.defer(attribute.t, *_reference_of(full, reader, 0))
    expected = ModelProto()
    expected.CopyFrom(full)
    expected_node = expected.graph.node.add(op_type="Constant")
    expected_node.attribute.add(name="value", type=onnx.AttributeProto.TENSOR).t.CopyFrom(
        full.graph.initializer[0]
    )
    out = io.BytesIO()
    save.write_model(sliced, out, reader.slices)
    assert out.getvalue() == expected.SerializeToString()


def _reference_of(full: ModelProto, reader: SidecarReader, i: int) -> tuple:
    first = next(iter(reader.slices.values()))[1]
    tensor = full.graph.initializer[i]
    return first.reference, FLOAT32, tuple(tensor.dims), first.sha256, ("c",)


def test_a_sidecar_changed_after_decoding_is_refused_while_writing(tmp_path: Path) -> None:
    sliced, _, reader = _sidecar_model(tmp_path, 1)
    _, payload = next(iter(reader.slices.values()))
    with open(payload.file, "r+b") as f:
        f.seek(payload.offset + 1000)
        f.write(b"\xff")
    with pytest.raises(OnnxTextError) as err:
        save.write_model(sliced, io.BytesIO(), reader.slices)
    assert err.value.code == "E304" and err.value.path == ("t", "sha256")


def test_a_sidecar_cut_short_after_decoding_is_refused_while_writing(tmp_path: Path) -> None:
    sliced, _, reader = _sidecar_model(tmp_path, 2)
    _, payload = next(iter(reader.slices.values()))
    os.truncate(payload.file, payload.offset + payload.size - 1)
    with pytest.raises(OnnxTextError) as err:
        save.write_model(sliced, io.BytesIO(), reader.slices)
    assert err.value.code == "E303" and err.value.path == ("t", "npy")


def test_build_splices_big_sidecars_and_places_a_changed_one(tmp_path: Path) -> None:
    weight = numpy_helper.from_array(np.random.default_rng(0).standard_normal((64, 64), np.float32), "w")
    node = helper.make_node("Identity", ["w"], ["y"])
    graph = helper.make_graph([node], "g", [], [helper.make_tensor_value_info("y", 1, [64, 64])], [weight])
    model = helper.make_model(graph)
    api.dump(model, tmp_path / "m.yaml", tensors="npy")
    api.build(tmp_path / "m.yaml", tmp_path / "m.onnx", check=False)
    assert (tmp_path / "m.onnx").read_bytes() == model.SerializeToString()
    (sidecar,) = (tmp_path / "m.tensors").iterdir()
    data = bytearray(sidecar.read_bytes())
    data[-1] ^= 1
    sidecar.write_bytes(bytes(data))
    with pytest.raises(OnnxTextError) as err:
        api.build(tmp_path / "m.yaml", tmp_path / "again.onnx", check=False)
    assert err.value.code == "E304" and err.value.line is not None
    assert not (tmp_path / "again.onnx").exists()


def test_the_temp_file_is_made_by_the_open_that_writes_it(tmp_path: Path) -> None:
    """No second open truncates it (ext4 would write a truncated-and-rewritten file back on close, see
    atomic_file): it is private while written, takes the umask's mode once renamed, and the block writes
    through the one handle it is given."""
    target = tmp_path / "m.onnx"
    with save.atomic_file(target) as out:
        temp = Path(out.name)
        assert temp.parent == tmp_path and temp.name.startswith(".m.onnx.") and temp.suffix == ".tmp"
        assert os.stat(temp).st_mode & 0o777 == 0o600
        out.write(b"head")
    assert target.read_bytes() == b"head" and not temp.exists()
    assert os.stat(target).st_mode & 0o777 == 0o666 & ~save.current_umask()


@pytest.mark.parametrize("sendfile", [True, False])
def test_a_file_copied_into_the_output_lands_after_what_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sendfile: bool
) -> None:
    source = tmp_path / "data.bin"
    source.write_bytes(bytes(range(256)) * 5000)
    if not sendfile:  # a system or file system without it: copied through a buffer

        def refuse(*args: object) -> int:
            raise OSError(22, "Invalid argument")

        monkeypatch.setattr(os, "sendfile", refuse)
    with save.atomic_file(tmp_path / "out.bin") as out:
        out.write(b"before")
        save.copy_file_into(source, out)
        out.write(b"after")
    assert (tmp_path / "out.bin").read_bytes() == b"before" + source.read_bytes() + b"after"

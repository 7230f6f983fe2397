"""``.npy`` sidecars: file names, dedup, the stored representation, and refusing bad references."""

from __future__ import annotations

import hashlib
import os
import sys

import ml_dtypes
import numpy as np
import onnx
import pytest
from codec_cases import NUMERIC, blank, elements, raw_tensor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from onnx import numpy_helper

from onnxtext.base.errors import OnnxTextError
from onnxtext.codecs import (
    Policy,
    SidecarReader,
    SidecarWriter,
    decode_payload,
    dtype_by_name,
    encode_payload,
)
from onnxtext.codecs.npy import container_dtype

FLOAT32 = dtype_by_name("float32")


def write(tmp_path, items: np.ndarray, dt=FLOAT32, writer: SidecarWriter | None = None) -> str:
    writer = writer or SidecarWriter(tmp_path / "m.tensors", "m.tensors")
    reference, _ = writer.write(items.tobytes(), dt, items.shape)
    return reference


def name_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16] + ".npy"


def test_files_are_named_by_their_content_and_duplicates_are_shared(tmp_path) -> None:
    writer = SidecarWriter(tmp_path / "m.tensors", "m.tensors")
    arrays = [np.full(3, i, np.float32) for i in (0, 1, 0)]
    refs = [write(tmp_path, a, writer=writer) for a in arrays]
    assert refs == [f"m.tensors/{name_of(a.tobytes())}" for a in arrays]
    assert refs[0] == refs[2]
    assert sorted(os.listdir(tmp_path / "m.tensors")) == sorted({name_of(a.tobytes()) for a in arrays})


def test_the_same_bytes_as_another_type_or_shape_get_a_file_of_their_own(tmp_path) -> None:
    writer = SidecarWriter(tmp_path / "m.tensors", "m.tensors")
    zeros = np.zeros(4, np.float32)
    refs = [
        write(tmp_path, zeros, writer=writer),
        write(tmp_path, zeros.reshape(2, 2), writer=writer),
        write(tmp_path, zeros.view(np.int32), dtype_by_name("int32"), writer=writer),
        write(tmp_path, zeros.reshape(2, 2), writer=writer),
    ]
    stem = name_of(zeros.tobytes())[:-4]
    assert refs == [f"m.tensors/{stem}.npy", f"m.tensors/{stem}-2.npy", f"m.tensors/{stem}-3.npy", refs[1]]
    assert np.load(tmp_path / refs[1]).shape == (2, 2)
    assert np.load(tmp_path / refs[2]).dtype == np.int32
    assert sorted(os.listdir(tmp_path / "m.tensors")) == sorted(r.split("/")[1] for r in refs[:3])


def test_folder_is_created_lazily(tmp_path) -> None:
    SidecarWriter(tmp_path / "m.tensors", "m.tensors")
    assert not (tmp_path / "m.tensors").exists()


def test_same_model_gives_same_files(tmp_path) -> None:
    items = np.arange(1000, dtype=np.float32)
    for run in ("a", "b"):
        write(tmp_path / run, items)
    name = name_of(items.tobytes())
    assert (tmp_path / "a/m.tensors" / name).read_bytes() == (tmp_path / "b/m.tensors" / name).read_bytes()


def test_written_digest_is_of_the_payload(tmp_path) -> None:
    data = np.arange(6, dtype=np.float32).tobytes()
    reference, digest = SidecarWriter(tmp_path, "").write(data, FLOAT32, (2, 3))
    assert digest == hashlib.sha256(data).hexdigest() and reference == name_of(data)
    np.testing.assert_array_equal(np.load(tmp_path / reference), np.arange(6, dtype=np.float32).reshape(2, 3))


def test_container_dtypes() -> None:
    expected = {
        "float32": "<f4",
        "bool": "|b1",
        "complex128": "<c16",
        "bfloat16": "<u2",
        "float8e5m2": "|u1",
        "float8e8m0": "|u1",
        "int4": "|i1",
        "int2": "|i1",
        "uint4": "|u1",
        "float4e2m1": "|u1",
        "float6e3m2": "|u1",
    }
    for name, descr in expected.items():
        assert container_dtype(dtype_by_name(name)).str == descr


@pytest.mark.parametrize("name", ["bfloat16", "float8e4m3fn", "int4", "uint2", "float4e2m1", "float6e2m3"])
def test_non_native_types_load_as_their_values(tmp_path, name) -> None:
    dt = dtype_by_name(name)
    items = np.array([0.5, 1, -2, 3] if dt.kind == "float" else [1, 0, 1, 1]).astype(dt.numpy)
    tensor = raw_tensor(dt, (2, 2), items)
    payload = encode_payload(tensor, Policy("npy"), SidecarWriter(tmp_path / "m.tensors", "m.tensors"))
    stored = np.load(tmp_path / payload["npy"])
    loaded = stored.astype(dt.numpy) if dt.kind == "int" else stored.view(dt.numpy)
    assert loaded.shape == (2, 2)
    assert loaded.tobytes() == numpy_helper.to_array(tensor).tobytes()


@pytest.mark.parametrize("dt", NUMERIC, ids=lambda dt: dt.name)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), dims=st.lists(st.integers(0, 3), max_size=3).map(tuple))
def test_reader_gives_back_the_payload(tmp_path, dt, data, dims) -> None:
    tensor = raw_tensor(dt, dims, data.draw(elements(dt, int(np.prod(dims)))))
    writer = SidecarWriter(tmp_path / "m.tensors", "m.tensors")
    reference, digest = writer.write(tensor.raw_data, dt, dims)
    got = SidecarReader(tmp_path).read(reference, dt, dims, digest, ("npy",))
    assert bytes(got) == tensor.raw_data
    assert hashlib.sha256(got).hexdigest() == digest


# -- reading: refusals ----------------------------------------------------------------------------


def read_error(tmp_path, reference: str, dt=FLOAT32, shape=(3,)) -> OnnxTextError:
    with pytest.raises(OnnxTextError) as caught:
        SidecarReader(tmp_path).read(reference, dt, shape, None, ("t", "npy"))
    assert caught.value.path == ("t", "npy")
    return caught.value


@pytest.mark.parametrize(
    "reference", ["/etc/passwd", "../x.npy", "a\\b.npy", "C:/x.npy", "m/../../x.npy", ""]
)
def test_unsafe_references(tmp_path, reference) -> None:
    doc_dir = tmp_path / "doc"
    doc_dir.mkdir()
    (tmp_path / "x.npy").write_bytes(b"")
    assert read_error(doc_dir, reference).code == "E305"


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_symlink_out_of_the_folder_is_refused(tmp_path) -> None:
    np.save(tmp_path / "secret.npy", np.zeros(3, np.float32))
    doc_dir = tmp_path / "doc"
    doc_dir.mkdir()
    (doc_dir / "w.npy").symlink_to(tmp_path / "secret.npy")
    assert read_error(doc_dir, "w.npy").code == "E305"


def test_missing_and_unreadable(tmp_path) -> None:
    err = read_error(tmp_path, "m.tensors/w.npy")
    assert err.code == "E303" and str(tmp_path / "m.tensors" / "w.npy") in err.hint
    assert "point npy: at the file" in err.hint
    (tmp_path / "bad.npy").write_bytes(b"not numpy")
    assert read_error(tmp_path, "bad.npy").code == "E303"
    np.save(tmp_path / "obj.npy", np.array([{}], dtype=object), allow_pickle=True)
    assert read_error(tmp_path, "obj.npy").code == "E303"


@pytest.mark.parametrize(
    "stored", [np.zeros(3, np.float64), np.zeros((3, 1), np.float32), np.zeros(4, np.float32)]
)
def test_dtype_and_shape_mismatch(tmp_path, stored) -> None:
    np.save(tmp_path / "w.npy", stored)
    err = read_error(tmp_path, "w.npy")
    assert err.code == "E306" and "<f4" in err.message


def test_big_endian_and_fortran_files_are_read_as_values(tmp_path) -> None:
    items = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.save(tmp_path / "be.npy", items.astype(">f4"))
    np.save(tmp_path / "f.npy", np.asfortranarray(items))
    for name in ("be.npy", "f.npy"):
        assert bytes(SidecarReader(tmp_path).read(name, FLOAT32, (2, 3), None, ())) == items.tobytes()


def test_out_of_range_sub_byte_values(tmp_path) -> None:
    np.save(tmp_path / "w.npy", np.array([1, 9, 0], np.int8))
    err = read_error(tmp_path, "w.npy", dtype_by_name("int4"))
    assert err.code == "E301" and "9" in err.message


# -- through decode_payload ------------------------------------------------------------------------


def dumped(tmp_path) -> tuple[onnx.TensorProto, dict]:
    tensor = raw_tensor(FLOAT32, (3,), np.array([1, 2, 3], np.float32))
    return tensor, encode_payload(tensor, Policy("npy"), SidecarWriter(tmp_path / "m.tensors", "m.tensors"))


def test_digest_mismatch_tells_the_new_digest(tmp_path) -> None:
    tensor, payload = dumped(tmp_path)
    edited = np.array([1, 2, 4], np.float32)
    np.save(tmp_path / payload["npy"], edited)
    with pytest.raises(OnnxTextError) as caught:
        decode_payload(payload, blank(tensor), ("t",), SidecarReader(tmp_path))
    actual = hashlib.sha256(edited.tobytes()).hexdigest()
    assert (caught.value.code, caught.value.path) == ("E304", ("t", "sha256"))
    assert actual in caught.value.hint
    back = blank(tensor)
    decode_payload({"npy": payload["npy"]}, back, ("t",), SidecarReader(tmp_path))
    assert back.raw_data == edited.tobytes()


def test_missing_sidecar_through_payload(tmp_path) -> None:
    tensor, payload = dumped(tmp_path)
    (tmp_path / payload["npy"]).unlink()
    with pytest.raises(OnnxTextError) as caught:
        decode_payload(payload, blank(tensor), ("t",), SidecarReader(tmp_path))
    assert (caught.value.code, caught.value.path) == ("E303", ("t", "npy"))


def test_a_missing_sidecar_is_found_by_the_sha256_beside_its_reference(tmp_path) -> None:
    tensor, payload = dumped(tmp_path)
    renamed = {**payload, "npy": "m.tensors/renamed_by_a_regex.npy"}
    back = blank(tensor)
    decode_payload(renamed, back, ("t",), SidecarReader(tmp_path))
    assert back.raw_data == tensor.raw_data
    (tmp_path / payload["npy"]).rename(tmp_path / "m.tensors" / "w.npy")  # named as dumps used to name it
    np.save(tmp_path / "m.tensors" / "same_shape.npy", np.array([9, 9, 9], np.float32))
    np.save(tmp_path / "m.tensors" / "other_shape.npy", np.array([1, 2], np.float32))
    back = blank(tensor)
    decode_payload(renamed, back, ("t",), SidecarReader(tmp_path))
    assert back.raw_data == tensor.raw_data


def test_a_missing_sidecar_whose_bytes_are_nowhere_says_so(tmp_path) -> None:
    tensor, payload = dumped(tmp_path)
    np.save(tmp_path / payload["npy"], np.array([1, 2, 4], np.float32))  # not the bytes of its sha256
    renamed = {**payload, "npy": "m.tensors/renamed.npy"}
    with pytest.raises(OnnxTextError) as caught:
        decode_payload(renamed, blank(tensor), ("t",), SidecarReader(tmp_path))
    assert (caught.value.code, caught.value.path) == ("E303", ("t", "npy"))
    assert payload["sha256"][:16] in caught.value.hint and "m.tensors/" in caught.value.hint
    assert "dump the model again" in caught.value.hint


def test_typed_storage_goes_to_sidecars_too_and_strings_stay_values(tmp_path) -> None:
    writer = SidecarWriter(tmp_path / "m.tensors", "m.tensors")
    typed = onnx.TensorProto(data_type=onnx.TensorProto.FLOAT16, dims=[2], int32_data=[15360, 16384])
    strings = onnx.TensorProto(data_type=onnx.TensorProto.STRING, dims=[1], string_data=[b"a"])
    payload = encode_payload(typed, Policy("npy"), writer)
    assert payload["storage"] == "int32_data"
    assert np.load(tmp_path / payload["npy"]).tolist() == [1.0, 2.0]
    assert "values" in encode_payload(strings, Policy("npy"), writer)


def test_a_typed_field_holding_more_than_its_elements_stays_base64(tmp_path) -> None:
    writer = SidecarWriter(tmp_path / "m.tensors", "m.tensors")
    stray = onnx.TensorProto(data_type=onnx.TensorProto.INT8, dims=[2], int32_data=[1, 300])
    assert set(encode_payload(stray, Policy("npy"), writer)) == {"storage", "base64"}
    assert not (tmp_path / "m.tensors").exists()


def test_sub_byte_int_sidecar_holds_values(tmp_path) -> None:
    dt = dtype_by_name("int4")
    tensor = raw_tensor(dt, (3,), np.array([-8, 7, -1]).astype(ml_dtypes.int4))
    payload = encode_payload(tensor, Policy("npy"), SidecarWriter(tmp_path / "m.tensors", "m.tensors"))
    assert np.load(tmp_path / payload["npy"]).tolist() == [-8, 7, -1]


def test_big_payloads_hash_beside_the_write_and_still_dedupe(tmp_path) -> None:
    from onnxtext.codecs.digest import PARALLEL_MIN_BYTES

    data = np.arange(PARALLEL_MIN_BYTES // 2, dtype=np.float32).tobytes()
    shape = (len(data) // 4,)
    writer = SidecarWriter(tmp_path / "m.tensors", "m.tensors")
    first = writer.write(data, FLOAT32, shape)
    second = writer.write(data, FLOAT32, shape)
    third = writer.write(data[::-1], FLOAT32, shape)
    assert first == second and first[1] == hashlib.sha256(data).hexdigest()
    files = sorted(p.name for p in (tmp_path / "m.tensors").iterdir())
    assert files == sorted([name_of(data), name_of(data[::-1])])
    assert third[0] == f"m.tensors/{name_of(data[::-1])}"
    tensor = numpy_helper.from_array(np.frombuffer(data, np.float32), "w")
    doc = {"npy": first[0], "sha256": "0" * 64}
    with pytest.raises(OnnxTextError) as err:
        decode_payload(doc, onnx.TensorProto(data_type=1, dims=list(shape)), (), SidecarReader(tmp_path))
    assert err.value.code == "E304" and first[1] in err.value.hint
    rebuilt = onnx.TensorProto(name="w", data_type=1, dims=list(shape))
    decode_payload({"npy": first[0], "sha256": first[1]}, rebuilt, (), SidecarReader(tmp_path))
    assert rebuilt.raw_data == tensor.raw_data

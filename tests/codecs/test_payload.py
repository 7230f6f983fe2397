"""Tensor payloads: every element type, both storages, every form, through JSON, exactly."""

from __future__ import annotations

import math
import struct
import tempfile
from pathlib import Path as FsPath

import numpy as np
import onnx
import pytest
from codec_cases import NUMERIC, blank, elements, json_trip, raw_tensor, readable, shapes, typed_tensor
from hypothesis import given, settings
from hypothesis import strategies as st
from onnx import helper

from onnxtext.base.errors import OnnxTextError
from onnxtext.codecs import (
    DTYPES,
    PAYLOAD_KEYS,
    Policy,
    SidecarReader,
    SidecarWriter,
    decode_payload,
    dtype_by_name,
    encode_payload,
)
from onnxtext.codecs.storage import stored_length

MODES = ("inline", "base64", "npy")


def trip(tensor: onnx.TensorProto, mode: str, folder: FsPath | None = None) -> tuple[dict, onnx.TensorProto]:
    """Encode with ``mode``, pass the payload through JSON, decode into a blank tensor."""
    writer = SidecarWriter(folder / "m.tensors", "m.tensors") if folder else None
    payload = encode_payload(tensor, Policy(mode), writer)
    assert payload is not None
    assert set(payload) <= PAYLOAD_KEYS
    back = blank(tensor)
    decode_payload(json_trip(payload), back, ("t",), SidecarReader(folder) if folder else None)
    return payload, back


@pytest.mark.parametrize("dt", NUMERIC, ids=lambda dt: dt.name)
@pytest.mark.parametrize("storage", ["raw", "typed"])
@settings(max_examples=12, deadline=None)
@given(data=st.data(), dims=shapes)
def test_every_dtype_storage_and_form_is_exact(dt, storage, data, dims) -> None:
    items = data.draw(elements(dt, math.prod(dims)))
    tensor = (raw_tensor if storage == "raw" else typed_tensor)(dt, dims, items)
    with tempfile.TemporaryDirectory() as tmp:
        for mode in MODES:
            payload, back = trip(tensor, mode, FsPath(tmp))
            assert back.SerializeToString() == tensor.SerializeToString(), (mode, payload)
            if not payload:  # an empty typed field is no payload at all
                assert storage == "typed" and not items.size
            elif mode == "inline":
                assert ("values" in payload) == readable(dt, tensor), payload
            elif mode == "npy":  # typed fields too: the sidecar holds the elements, storage the field
                assert set(payload) - {"storage"} == {"npy", "sha256"}
            else:
                assert "base64" in payload
            assert ("storage" in payload) == (storage == "typed" and bool(payload))


@settings(max_examples=40, deadline=None)
@given(items=st.lists(st.binary(max_size=8), max_size=6))
def test_strings_round_trip_with_non_utf8_elements(items) -> None:
    tensor = onnx.TensorProto(
        name="s", data_type=onnx.TensorProto.STRING, dims=[len(items)], string_data=items
    )
    for mode in MODES:
        payload, back = trip(tensor, mode)
        assert payload.get("storage") == ("string_data" if items else None)
        assert back.SerializeToString() == tensor.SerializeToString()


def test_strings_show_text_and_base64() -> None:
    # built by hand: make_tensor goes through numpy, which drops trailing NUL bytes
    tensor = onnx.TensorProto(
        data_type=onnx.TensorProto.STRING, dims=[2], string_data=[b"caf\xc3\xa9", b"\xff\x00"]
    )
    payload = encode_payload(tensor, Policy(), None)
    assert payload == {"storage": "string_data", "values": ["café", {"base64": "/wA="}]}


def test_float32_values_are_shortest_decimals() -> None:
    tensor = helper.make_tensor("w", onnx.TensorProto.FLOAT, [4], [0.1, 1 / 3, -0.0, 1e-45], raw=False)
    assert encode_payload(tensor, Policy(), None)["values"] == [0.1, 0.33333334, -0.0, 1e-45]
    raw = helper.make_tensor("w", onnx.TensorProto.FLOAT, [2], np.array([0.1, 3e38], np.float32), raw=True)
    assert encode_payload(raw, Policy(), None) == {"values": [0.1, 3e38]}


def test_narrow_floats_are_shortest_decimals() -> None:
    for name, expected in [
        ("bfloat16", [0.1, 0.334]),
        ("float16", [0.1, 0.3333]),
        ("float8e4m3fn", [0.1, 0.34]),
    ]:
        dt = dtype_by_name(name)
        items = np.array([0.1, 1 / 3]).astype(dt.numpy)
        assert encode_payload(raw_tensor(dt, (2,), items), Policy(), None) == {"values": expected}


def test_nan_payload_and_negative_nan_fall_back_to_base64() -> None:
    for bits in (0x7FC00001, 0xFFC00000, 0x7F800001):
        raw = struct.pack("<fI", 1.0, bits)
        tensor = helper.make_tensor("w", onnx.TensorProto.FLOAT, [2], raw, raw=True)
        payload, back = trip(tensor, "inline")
        assert set(payload) == {"base64"}
        assert back.SerializeToString() == tensor.SerializeToString()


def test_signalling_nan_in_float_data_is_kept() -> None:
    tensor = onnx.TensorProto(name="w", data_type=onnx.TensorProto.FLOAT, dims=[1])
    tensor.MergeFromString(b"\x22\x04" + struct.pack("<I", 0x7F800001))
    payload, back = trip(tensor, "inline")
    assert payload == {"storage": "float_data", "base64": "AQCAfw=="}
    assert back.SerializeToString() == tensor.SerializeToString()


def test_default_nan_and_infinities_stay_readable() -> None:
    items = np.array([math.nan, math.inf, -math.inf, -0.0], np.float32)
    payload, back = trip(raw_tensor(dtype_by_name("float32"), (4,), items), "inline")
    assert payload["values"][1:] == [math.inf, -math.inf, -0.0]
    assert math.isnan(payload["values"][0])
    assert back.raw_data == items.tobytes()


@pytest.mark.parametrize(
    "dims, raw", [((2, 3), b"\x00" * 5), ((2,), b"\x00" * 12), ((-1,), b"\x00" * 4), ((3,), b"")]
)
def test_raw_data_that_disagrees_with_dims_is_left_to_the_caller(dims, raw) -> None:
    tensor = onnx.TensorProto(name="w", data_type=onnx.TensorProto.FLOAT, dims=dims, raw_data=raw)
    assert encode_payload(tensor, Policy("inline"), None) is None


@pytest.mark.parametrize("name", ["int4", "uint2", "float4e2m1", "float6e3m2"])
def test_nonzero_padding_bits_fall_back_to_base64(name) -> None:
    dt = dtype_by_name(name)
    tensor = onnx.TensorProto(name="w", data_type=dt.onnx, dims=[1], raw_data=b"\xff")
    with tempfile.TemporaryDirectory() as tmp:
        for mode in MODES:
            payload, back = trip(tensor, mode, FsPath(tmp))
            assert set(payload) == {"base64"}
            assert back.SerializeToString() == tensor.SerializeToString()


def test_bool_bytes_other_than_0_and_1_fall_back() -> None:
    tensor = onnx.TensorProto(name="b", data_type=onnx.TensorProto.BOOL, dims=[2], raw_data=b"\x01\x02")
    payload, back = trip(tensor, "inline")
    assert set(payload) == {"base64"}
    assert back.SerializeToString() == tensor.SerializeToString()


@pytest.mark.parametrize(
    "name, field, stored",
    [
        ("uint8", "int32_data", [300]),
        ("float16", "int32_data", [70000]),
        ("int4", "int32_data", [0x1FF]),
        ("bool", "int32_data", [2]),
        ("uint16", "int32_data", [-1]),
    ],
)
def test_typed_values_that_do_not_read_back_use_base64(name, field, stored) -> None:
    tensor = onnx.TensorProto(name="w", data_type=dtype_by_name(name).onnx, dims=[1])
    getattr(tensor, field).extend(stored)
    payload, back = trip(tensor, "inline")
    assert payload["storage"] == field and "base64" in payload
    assert back.SerializeToString() == tensor.SerializeToString()


@pytest.mark.parametrize(
    "name, field, stored, dims",
    [
        ("float32", "int64_data", [7], [1]),
        ("int64", "uint64_data", [5], [1]),
        ("string", "int32_data", [1], [1]),
        ("int64", "int64_data", [1, 2], [3]),
        ("complex64", "float_data", [1.0], [1]),
        ("int4", "int32_data", [1, 2], [2]),
    ],
)
def test_typed_fields_onnx_would_not_write_are_left_to_the_caller(name, field, stored, dims) -> None:
    tensor = onnx.TensorProto(name="w", data_type=dtype_by_name(name).onnx, dims=dims)
    getattr(tensor, field).extend(stored)
    assert encode_payload(tensor, Policy(), None) is None


@pytest.mark.parametrize("dt", [dt for dt in DTYPES], ids=lambda dt: dt.name)
def test_stored_length_agrees_with_make_tensor(dt) -> None:
    for count in range(10):
        items = np.zeros(count, dtype=dt.numpy) if dt.kind != "string" else [b""] * count
        made = helper.make_tensor("", dt.onnx, [count], items)
        assert len(getattr(made, dt.field)) == stored_length(dt, count)


def test_empty_and_scalar_tensors() -> None:
    empty = onnx.TensorProto(name="e", data_type=onnx.TensorProto.FLOAT, dims=[0, 3], raw_data=b"")
    payload, back = trip(empty, "inline")
    assert payload == {"values": []}
    assert back.HasField("raw_data")
    scalar = helper.make_tensor("s", onnx.TensorProto.INT64, [], [7])
    payload, back = trip(scalar, "inline")
    assert payload == {"storage": "int64_data", "values": [7]}
    assert back.SerializeToString() == scalar.SerializeToString()


def test_no_payload_is_an_empty_mapping() -> None:
    tensor = onnx.TensorProto(name="x", data_type=onnx.TensorProto.FLOAT, dims=[2])
    assert encode_payload(tensor, Policy(), None) == {}
    back = blank(tensor)
    decode_payload({}, back, ("t",), None)
    assert back.SerializeToString() == tensor.SerializeToString()


def test_outside_the_contract_returns_none() -> None:
    two = onnx.TensorProto(data_type=onnx.TensorProto.FLOAT, dims=[1], raw_data=b"\0" * 4, float_data=[1.0])
    unknown = onnx.TensorProto(data_type=99, dims=[1], raw_data=b"\0")
    strings_short = onnx.TensorProto(data_type=onnx.TensorProto.STRING, dims=[2], string_data=[b"a"])
    strings_on_float = onnx.TensorProto(data_type=onnx.TensorProto.FLOAT, dims=[1], string_data=[b"a"])
    for tensor in (two, unknown, strings_short, strings_on_float):
        assert encode_payload(tensor, Policy(), None) is None


def test_auto_policy_picks_values_base64_npy(tmp_path) -> None:
    dt = dtype_by_name("float32")
    small, mid, big = (raw_tensor(dt, (n,), np.ones(n, np.float32)) for n in (4, 100, 1000))
    writer = SidecarWriter(tmp_path / "m.tensors", "m.tensors")
    assert "values" in encode_payload(small, Policy(), writer)
    assert "base64" in encode_payload(mid, Policy(), writer)
    assert "npy" in encode_payload(big, Policy(), writer)
    assert "base64" in encode_payload(big, Policy(), None)


def test_large_float32_through_npy_and_base64(tmp_path) -> None:
    items = np.random.default_rng(0).standard_normal(1 << 18).astype(np.float32)
    tensor = raw_tensor(dtype_by_name("float32"), (512, 512), items)
    for mode in ("npy", "base64"):
        _, back = trip(tensor, mode, tmp_path)
        assert back.raw_data == tensor.raw_data


# -- errors ---------------------------------------------------------------------------------------


def decode(
    doc: dict, type_name: str, dims: list[int], sidecars: SidecarReader | None = None
) -> onnx.TensorProto:
    tensor = onnx.TensorProto(data_type=dtype_by_name(type_name).onnx, dims=dims)
    decode_payload(doc, tensor, ("graph", "initializers", 0), sidecars)
    return tensor


def error(doc: dict, type_name: str, dims: list[int], sidecars: SidecarReader | None = None) -> OnnxTextError:
    with pytest.raises(OnnxTextError) as caught:
        decode(doc, type_name, dims, sidecars)
    return caught.value


def test_wrong_count() -> None:
    err = error({"values": [1.0] * 5}, "float32", [2, 3])
    assert (err.code, err.path) == ("E301", ("graph", "initializers", 0, "values"))
    assert err.message == "expected 6 values for float32[2,3], got 5"
    assert "6" in err.hint


@pytest.mark.parametrize(
    "name, values, index",
    [
        ("uint8", [1, 256], 1),
        ("int8", [-129], 0),
        ("int4", [0, 8], 1),
        ("uint2", [-1], 0),
        ("uint64", [2**64], 0),
        ("int32", [1, 1.5], 1),
        ("int64", [True], 0),
        ("bool", [True, 1], 1),
        ("float32", [1.0, "abc"], 1),
        ("float32", [3.5e38], 0),
        ("float4e2m1", ["NaN"], 0),
        ("float8e4m3fn", ["inf"], 0),
        ("float16", [10**400], 0),
    ],
)
def test_values_that_do_not_fit(name, values, index) -> None:
    err = error({"values": values}, name, [len(values)])
    assert (err.code, err.path[-2:]) == ("E301", ("values", index))


def test_complex_errors_point_at_the_pair() -> None:
    err = error({"values": [[1.0, 2.0], [1.0, "x"]]}, "complex64", [2])
    assert (err.code, err.path[-3:]) == ("E301", ("values", 1, 1))
    assert error({"values": [1.0]}, "complex64", [1]).path[-2:] == ("values", 0)


def test_json_spellings_of_special_floats() -> None:
    tensor = decode(
        {"values": ["NaN", "Infinity", "-Infinity", ".inf", "-.inf", "+inf", ".nan"]}, "float64", [7]
    )
    got = np.frombuffer(tensor.raw_data, np.float64)
    assert np.isnan(got[[0, 6]]).all() and list(got[1:6]) == [
        math.inf,
        -math.inf,
        math.inf,
        -math.inf,
        math.inf,
    ]


def test_bad_base64() -> None:
    err = error({"base64": "AAA"}, "float32", [1])
    assert (err.code, err.path[-1]) == ("E302", "base64")
    assert "4 bytes" in err.hint
    assert error({"storage": "int32_data", "base64": "AAA="}, "int32", [1]).code == "E302"


def test_base64_of_the_wrong_length() -> None:
    err = error({"base64": "AAAAAAAA"}, "float32", [2, 3])
    assert (err.code, err.path[-1]) == ("E302", "base64")
    assert err.message == "expected 24 bytes for float32[2,3], got 6"
    err = error({"storage": "int64_data", "base64": "AAAAAAAAAAA="}, "int64", [2])
    assert err.message == "expected 16 bytes of int64_data for int64[2], got 8"


@pytest.mark.parametrize(
    "doc, code",
    [
        ({"values": [1.0], "base64": "AAAAAA=="}, "E202"),
        ({"storage": "float_data"}, "E206"),
        ({"storage": "floats", "values": [1.0]}, "E204"),
        ({"sha256": "00", "values": [1.0]}, "E202"),
        ({"storage": "string_data", "base64": ""}, "E202"),
        ({"storage": "int64_data", "values": [1.0]}, "E202"),
        ({"values": 1.0}, "E202"),
        ({"npy": "x.npy"}, "E303"),
    ],
)
def test_payload_structure_errors(doc, code) -> None:
    assert error(doc, "float32", [1]).code == code


def test_string_values_need_string_data() -> None:
    assert error({"values": ["a"]}, "string", [1]).code == "E202"

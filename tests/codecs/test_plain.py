"""The bulk path for plain tensors answers exactly as encode_payload/decode_payload, or not at all."""

from __future__ import annotations

import math

import numpy as np
import onnx
import pytest
from codec_cases import NUMERIC, elements, json_trip, raw_tensor, shapes, typed_tensor
from hypothesis import given, settings
from hypothesis import strategies as st

from onnxtext.base.errors import OnnxTextError
from onnxtext.codecs import DTYPES, Policy, decode_payload, dtype_by_name, encode_payload
from onnxtext.codecs.plain import plain_payloads, plain_raw
from onnxtext.roundtrip.types import format_tensor_type

policies = st.builds(
    Policy,
    mode=st.sampled_from(["auto", "inline", "base64", "npy", "digest"]),
    inline_max=st.sampled_from([0, 3, 64]),
)


@st.composite
def tensors(draw: st.DrawFn) -> onnx.TensorProto:
    """A tensor of any element type, mostly plain, sometimes with something that makes it not plain."""
    dt = draw(st.sampled_from(NUMERIC + [dtype_by_name("float32")] * 8 + [dtype_by_name("int64")] * 4))
    dims = draw(shapes)
    items = draw(elements(dt, math.prod(dims)))
    typed = draw(st.integers(0, 9)) == 0
    tensor = typed_tensor(dt, dims, items) if typed else raw_tensor(dt, dims, items)
    extra = draw(st.sampled_from(["", "", "", "", "no name", "doc", "unknown", "short", "external"]))
    if extra == "no name":
        tensor.ClearField("name")
    elif extra == "doc":
        tensor.doc_string = "d"
    elif extra == "unknown":
        tensor.MergeFromString(b"\xa0\x06\x01")  # field 100, varint 1: a field this onnx does not know
    elif extra == "short" and tensor.HasField("raw_data") and tensor.raw_data:
        tensor.raw_data = tensor.raw_data[:-1]
    elif extra == "external":
        tensor.data_location = onnx.TensorProto.EXTERNAL
    return tensor


@settings(max_examples=150, deadline=None)
@given(st.lists(tensors(), max_size=12), policies, st.booleans())
def test_plain_payloads_are_what_encode_payload_gives(
    items: list[onnx.TensorProto], policy: Policy, sidecars: bool
) -> None:
    for tensor, payload in zip(items, plain_payloads(items, policy, sidecars=sidecars), strict=True):
        if payload is not None:  # only values or Base64 forms: encode_payload writes no sidecar for them
            assert tensor.HasField("raw_data")
            expected = encode_payload(tensor, policy, _NoSidecars() if sidecars else None)
            assert _same(payload, expected)


class _NoSidecars:
    """A sidecar writer with nothing left in the model file, which must not be asked to write."""

    def raw_data_of(self, tensor: object) -> None:
        return None


def _same(a: object, b: object) -> bool:
    """Equal trees, floats by repr (so -0.0 != 0.0 and NaN == NaN)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and repr(a) == repr(b)


def test_small_plain_tensors_all_take_the_bulk_path() -> None:
    rng = np.random.default_rng(0)
    items = [raw_tensor(dtype_by_name("float32"), (8,), rng.standard_normal(8, dtype=np.float32))]
    items += [raw_tensor(dtype_by_name("int64"), (4,), np.array([0, 0, -1, 2**62], dtype=np.int64))]
    items += [raw_tensor(dtype_by_name("float32"), (8, 8), rng.standard_normal(64, dtype=np.float32))]
    payloads = plain_payloads(items, Policy("auto", inline_max=32), sidecars=False)
    assert [next(iter(p)) for p in payloads] == ["values", "values", "base64"]  # type: ignore[union-attr]
    assert payloads[1] == {"values": [0, 0, -1, 2**62]}


def test_a_nan_leaves_its_tensor_alone_and_the_others_in_bulk() -> None:
    f32 = dtype_by_name("float32")
    quiet = raw_tensor(f32, (2,), np.array([1.0, math.nan], dtype=np.float32))
    signalling = raw_tensor(f32, (1,), np.array([0x7F800001], dtype=np.uint32).view(np.float32))
    fine = raw_tensor(f32, (2,), np.array([0.1, -0.0], dtype=np.float32))
    payloads = plain_payloads([quiet, signalling, fine], Policy("auto"), sidecars=False)
    assert payloads == [None, None, {"values": [0.1, -0.0]}]


@st.composite
def documents(draw: st.DrawFn) -> tuple[dict, onnx.TensorProto]:
    """A compact tensor document as a writer made it, or edited by hand, with the tensor it came from."""
    tensor = draw(tensors())
    payload = encode_payload(tensor, draw(policies), None)
    if payload is None or not payload or tensor.data_type == onnx.TensorProto.STRING:
        payload = {"base64": "AAAA"}
    doc = {"name": tensor.name, "type": format_tensor_type(tensor.data_type, list(tensor.dims))}
    doc.update(json_trip(payload))
    edit = draw(st.sampled_from(["", "", "", "drop name", "spaces", "cut", "bool", "text", "storage"]))
    if edit == "drop name":
        del doc["name"]
    elif edit == "spaces" and isinstance(doc.get("base64"), str):
        doc["base64"] = " " + doc["base64"]
    elif edit == "cut" and "values" in doc:
        doc["values"] = doc["values"][:-1]
    elif edit == "cut" and isinstance(doc.get("base64"), str):
        doc["base64"] = doc["base64"][:-4]
    elif edit == "bool" and doc.get("values"):
        doc["values"][0] = True
    elif edit == "text" and doc.get("values"):
        doc["values"][0] = "NaN"
    elif edit == "storage":
        doc["storage"] = "raw_data"
    return doc, tensor


@settings(max_examples=300, deadline=None)
@given(documents())
def test_plain_raw_is_what_decode_payload_sets(case: tuple[dict, onnx.TensorProto]) -> None:
    doc, tensor = case
    raw = plain_raw(doc, tensor.data_type, list(tensor.dims))
    back = onnx.TensorProto(data_type=tensor.data_type, dims=tensor.dims)
    try:
        decode_payload(doc, back, ("t",), None)
    except OnnxTextError:
        assert raw is None  # errors are reported by the checking path, at their line
        return
    if raw is not None:
        assert back.HasField("raw_data") and back.raw_data == raw


@pytest.mark.parametrize("dt", [dt for dt in DTYPES if dt.kind == "string"])
def test_strings_are_never_plain(dt: object) -> None:
    tensor = onnx.helper.make_tensor("s", onnx.TensorProto.STRING, [1], [b"a"])
    assert plain_payloads([tensor], Policy("inline"), sidecars=False) == [None]
    assert plain_raw({"type": "string[1]", "values": ["a"]}, onnx.TensorProto.STRING, [1]) is None


def test_big_tensors_are_left_to_the_ordinary_path() -> None:
    """ListFields would copy a big payload once more; the bulk path only reads small tensors."""
    big = raw_tensor(dtype_by_name("float32"), (1 << 15,), np.zeros(1 << 15, dtype=np.float32))
    assert plain_payloads([big], Policy("base64"), sidecars=False) == [None]

"""Every field of every message round-trips, whatever is present: random models built from descriptors.

The generator walks ModelProto's descriptor, sets each field with some probability to a value from
a pool of awkward ones (empty strings, names that look like numbers, NaN payloads, int extremes,
invalid UTF-8), and injects unknown fields.  The models are nonsense to ONNX; the bytes must
still come back identical through YAML and JSON.
"""

from __future__ import annotations

import random
import struct

import pytest
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from onnx import ModelProto

from onnxtext import text
from onnxtext.codecs.policy import Policy
from onnxtext.roundtrip.decode import decode_model
from onnxtext.roundtrip.encode import encode_model

T = FieldDescriptor
STRINGS = [
    "",
    "x",
    "N",
    "a b",
    "onnx::Add_17",
    "/model/layers.3/attn/MatMul",
    "1",
    "true",
    "null",
    "ü€",
    "\n\t'\"",
    "float32[N]",
    "- x",
    "#c",
]
BYTES = [b"", b"abc", b"\xff\xfe\x00", "ü".encode(), b"1.5"]
FLOATS = [
    0.0,
    -0.0,
    0.1,
    1.0,
    1e-45,
    3.4e38,
    float("inf"),
    -float("inf"),
    float("nan"),
    struct.unpack("<f", b"\x01\x00\xc0\x7f")[0],
    1e-300,
    2.5,
]
INTS = {
    T.TYPE_INT32: [0, 1, -1, 2**31 - 1, -(2**31), 17],
    T.TYPE_INT64: [0, 1, -1, 2**63 - 1, -(2**63), 3],
    T.TYPE_UINT64: [0, 1, 2**64 - 1],
    T.TYPE_UINT32: [0, 1, 2**32 - 1],
}
UNKNOWN = [b"\x98\x06\x05", b"\xa2\x06\x02AB", b"\xf5\x07\x01\x02\x03\x04"]


def _value(field: FieldDescriptor, rng: random.Random) -> object:
    kind = field.type
    if kind == T.TYPE_STRING:
        return rng.choice(STRINGS)
    if kind == T.TYPE_BYTES:
        return rng.choice(BYTES)
    if kind in (T.TYPE_FLOAT, T.TYPE_DOUBLE):
        return rng.choice(FLOATS)
    if kind == T.TYPE_ENUM:
        return rng.choice(field.enum_type.values).number
    if kind == T.TYPE_INT32 and field.name in ("data_type", "elem_type", "key_type"):
        return rng.choice([1, 7, 10, 16, 22, 8, 0, 99])
    return rng.choice(INTS[kind])


def random_message(descriptor: Descriptor, msg: Message, rng: random.Random, depth: int) -> None:
    for field in descriptor.fields:
        if rng.random() < 0.45:
            continue
        if field.message_type is not None:
            if depth <= 0:
                continue
            if field.is_repeated:
                for _ in range(rng.randint(1, 2)):
                    random_message(field.message_type, getattr(msg, field.name).add(), rng, depth - 1)
            else:
                sub = getattr(msg, field.name)
                sub.SetInParent()
                random_message(field.message_type, sub, rng, depth - 1)
        elif field.is_repeated:
            getattr(msg, field.name).extend(_value(field, rng) for _ in range(rng.randint(1, 3)))
        else:
            setattr(msg, field.name, _value(field, rng))
    if rng.random() < 0.1:
        msg.MergeFromString(rng.choice(UNKNOWN))
    if rng.random() < 0.05 and any(f.type == T.TYPE_STRING for f in descriptor.fields):
        field = next(f for f in descriptor.fields if f.type == T.TYPE_STRING)
        tag = bytes([field.number << 3 | 2]) if field.number < 16 else None
        if tag is not None:
            msg.MergeFromString(tag + b"\x02\xff\xfe")  # a string that is not UTF-8


def _roundtrip(model: ModelProto, fmt: str, policy: Policy) -> bytes:
    document = text.emit(encode_model(model, policy), fmt)
    return decode_model(text.parse(document, fmt)).SerializeToString()


@pytest.mark.parametrize("seed", range(150))
def test_random_model_roundtrips(seed: int) -> None:
    rng = random.Random(seed)
    model = ModelProto()
    random_message(ModelProto.DESCRIPTOR, model, rng, depth=5)
    expected = model.SerializeToString()
    for fmt in ("yaml", "json"):
        for policy in (Policy(), Policy(mode="inline"), Policy(mode="base64")):
            assert _roundtrip(model, fmt, policy) == expected, (fmt, policy)


def test_signalling_nan_bits_survive_in_attributes_and_float_fields() -> None:
    from onnx import AttributeProto, TensorProto, helper

    from onnxtext.codecs import set_float_field_bytes

    attr = AttributeProto(name="alpha", type=AttributeProto.FLOAT)
    set_float_field_bytes(attr, "f", b"\x01\x00\x80\x7f")  # 0x7f800001: signalling NaN
    floats = AttributeProto(name="scales", type=AttributeProto.FLOATS)
    set_float_field_bytes(floats, "floats", b"\x01\x00\x80\x7f\x00\x00\x80\x3f")
    tensor = TensorProto(name="t", data_type=TensorProto.DOUBLE, dims=[1])
    set_float_field_bytes(tensor, "double_data", b"\x01\x00\x00\x00\x00\x00\xf0\x7f")
    node = helper.make_node("Foo", ["x"], ["y"])
    node.attribute.extend([attr, floats])
    model = helper.make_model(helper.make_graph([node], "g", [], [], initializer=[tensor]))
    for fmt in ("yaml", "json"):
        assert _roundtrip(model, fmt, Policy()) == model.SerializeToString()

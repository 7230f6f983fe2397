"""Exact float field bytes: NaN bits the Python float API would change survive."""

from __future__ import annotations

import struct

import onnx
import pytest

from onnxtext.codecs import float_field_bytes, set_float_field_bytes

SNAN = struct.pack("<I", 0x7F800001)


def test_repeated_packed_field_keeps_signalling_nan() -> None:
    tensor = onnx.TensorProto()
    tensor.MergeFromString(b"\x22\x08" + SNAN + struct.pack("<f", 1.5))
    assert float_field_bytes(tensor, "float_data") == SNAN + struct.pack("<f", 1.5)
    copy = onnx.TensorProto()
    set_float_field_bytes(copy, "float_data", float_field_bytes(tensor, "float_data"))
    assert copy.SerializeToString() == tensor.SerializeToString()


def test_unpacked_repeated_field() -> None:
    attr = onnx.AttributeProto(name="a", floats=[1.0, 2.0])
    data = float_field_bytes(attr, "floats")
    assert data == struct.pack("<2f", 1.0, 2.0)
    copy = onnx.AttributeProto(name="a")
    set_float_field_bytes(copy, "floats", data)
    assert copy.SerializeToString() == attr.SerializeToString()


def test_singular_field() -> None:
    attr = onnx.AttributeProto()
    set_float_field_bytes(attr, "f", SNAN)
    assert float_field_bytes(attr, "f") == SNAN
    assert attr.SerializeToString() == b"\x15" + SNAN


def test_double_field_and_misuse() -> None:
    tensor = onnx.TensorProto(double_data=[0.5])
    assert float_field_bytes(tensor, "double_data") == struct.pack("<d", 0.5)
    with pytest.raises(TypeError):
        float_field_bytes(tensor, "int32_data")
    with pytest.raises(ValueError):
        set_float_field_bytes(tensor, "double_data", b"\0" * 4)

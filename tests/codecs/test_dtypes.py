"""The element type table agrees with ONNX and with the document's names."""

from __future__ import annotations

import onnx
from onnx import helper

from onnxtext.codecs import DTYPE_NAMES, DTYPES, dtype_by_name, dtype_by_onnx

NAMES = [
    "float32",
    "uint8",
    "int8",
    "uint16",
    "int16",
    "int32",
    "int64",
    "string",
    "bool",
    "float16",
    "float64",
    "uint32",
    "uint64",
    "complex64",
    "complex128",
    "bfloat16",
    "float8e4m3fn",
    "float8e4m3fnuz",
    "float8e5m2",
    "float8e5m2fnuz",
    "uint4",
    "int4",
    "float4e2m1",
    "float8e8m0",
    "uint2",
    "int2",
    "float6e2m3",
    "float6e3m2",
]


def test_all_28_types_in_onnx_order() -> None:
    assert list(DTYPE_NAMES) == NAMES
    assert [dt.onnx for dt in DTYPES] == list(range(1, 29))


def test_lookups() -> None:
    for dt in DTYPES:
        assert dtype_by_onnx(dt.onnx) is dt and dtype_by_name(dt.name) is dt
        assert dt.numpy == helper.tensor_dtype_to_np_dtype(dt.onnx)
        assert dt.field == helper.tensor_dtype_to_field(dt.onnx)
    assert dtype_by_onnx(onnx.TensorProto.UNDEFINED) is None and dtype_by_onnx(99) is None
    assert dtype_by_name("float") is None


def test_bits() -> None:
    bits = {dt.name: dt.bits for dt in DTYPES}
    assert (bits["int4"], bits["uint2"], bits["float6e3m2"], bits["float4e2m1"]) == (4, 2, 6, 4)
    assert (bits["bool"], bits["string"], bits["float8e8m0"], bits["complex128"]) == (8, 0, 8, 128)

"""Where a TensorProto keeps its elements: ``raw_data`` or one typed field, and ONNX's rules for each.

The rules (float16 bits in ``int32_data``, two int4 per entry, complex as float pairs, uint32 in
``uint64_data``, 6-bit packing, ...) are ONNX's: exotic cases go through ``onnx.numpy_helper.to_array``,
``from_array`` and ``onnx.helper.make_tensor`` on a scratch tensor.  Only the byte-aligned
``raw_data`` case has a fast path of its own (``np.frombuffer``, a view, no copy), and the entry
count of a typed field (:func:`stored_length`) is spelled out here, tested against ``make_tensor``.

Field bytes are little-endian values of the field's own element type (int32 for ``int32_data``,
...): the exact form of a typed payload.  Float fields go through :mod:`.wire` to keep NaN bits.
"""

from __future__ import annotations

import math

import numpy as np
import onnx
from onnx import helper, numpy_helper

from onnxtext.codecs.dtypes import DType
from onnxtext.codecs.wire import float_field_bytes, set_float_field_bytes

RAW = "raw_data"
NUMERIC_FIELDS: dict[str, np.dtype] = {
    "float_data": np.dtype("<f4"),
    "int32_data": np.dtype("<i4"),
    "int64_data": np.dtype("<i8"),
    "double_data": np.dtype("<f8"),
    "uint64_data": np.dtype("<u8"),
}
STRINGS = "string_data"
TYPED_FIELDS: tuple[str, ...] = (*NUMERIC_FIELDS, STRINGS)
_FLOAT_FIELDS = frozenset({"float_data", "double_data"})


def payload_fields(tensor: onnx.TensorProto) -> list[str]:
    """The payload fields ``tensor`` has: ``raw_data`` when present, typed fields when non-empty."""
    present = [RAW] if tensor.HasField(RAW) else []
    return present + [name for name in TYPED_FIELDS if len(getattr(tensor, name))]


def packed_size(dtype: DType, count: int) -> int:
    """Bytes ``count`` elements take in ``raw_data`` (sub-byte types packed, rounded up)."""
    return -(-count * dtype.bits // 8)


def stored_length(dtype: DType, count: int) -> int:
    """Entries ``make_tensor`` puts in ``dtype.field`` for ``count`` elements.

    Complex numbers take two; int4/uint4/float4 and int2/uint2 are packed two or four to an entry
    like in ``raw_data``; every other type (float6 included) takes one entry per element.
    """
    if dtype.kind == "complex":
        return 2 * count
    if dtype.packed and dtype.bits != 6:
        return packed_size(dtype, count)
    return count


def field_bytes(tensor: onnx.TensorProto, field: str) -> bytes:
    """The exact little-endian bytes of a numeric typed field."""
    if field in _FLOAT_FIELDS:
        return float_field_bytes(tensor, field)
    return np.array(getattr(tensor, field), dtype=NUMERIC_FIELDS[field]).tobytes()


def set_field_bytes(tensor: onnx.TensorProto, field: str, data: bytes) -> None:
    """Append little-endian values (as :func:`field_bytes` returns them) to a numeric typed field."""
    if field in _FLOAT_FIELDS:
        set_float_field_bytes(tensor, field, data)
    else:
        getattr(tensor, field).extend(np.frombuffer(data, dtype=NUMERIC_FIELDS[field]).tolist())


def elements_from_raw(raw: bytes, dtype: DType, count: int) -> np.ndarray | None:
    """The flat elements ``raw`` holds; None when its length is not what ``count`` elements take."""
    if len(raw) != packed_size(dtype, count):
        return None
    if not dtype.packed:
        return np.frombuffer(raw, dtype=dtype.numpy)
    scratch = onnx.TensorProto(data_type=dtype.onnx, dims=[count], raw_data=raw)
    return numpy_helper.to_array(scratch).reshape(-1)


def raw_from_elements(elements: np.ndarray, dtype: DType) -> bytes:
    """``raw_data`` for a flat element array (ONNX's packing for sub-byte types)."""
    if not dtype.packed:
        return elements.tobytes()
    return numpy_helper.from_array(elements).raw_data


def elements_from_field(tensor: onnx.TensorProto, dtype: DType, count: int) -> np.ndarray:
    """The flat elements of ``tensor``'s typed field ``dtype.field`` (of :func:`stored_length` entries)."""
    scratch = onnx.TensorProto(data_type=dtype.onnx, dims=[count])
    getattr(scratch, dtype.field).extend(getattr(tensor, dtype.field))
    return numpy_helper.to_array(scratch).reshape(-1)


def field_from_elements(elements: np.ndarray, dtype: DType) -> onnx.TensorProto:
    """A scratch tensor whose ``dtype.field`` holds ``elements`` the way ``make_tensor`` stores them."""
    return helper.make_tensor("", dtype.onnx, [elements.size], elements)


def payload_mismatch(tensor: onnx.TensorProto, dtype: DType) -> str | None:
    """What keeps ``tensor``'s payload from holding the elements its dims say (as ``dtype``), or None.

    The rules onnx.checker applies (one payload field, the field ONNX uses for the type, enough
    entries), and one it leaves out: a payload longer than the dims say is refused too, since no
    reader can tell which elements are meant.  A tensor in external data or with a negative dim is
    not judged here.
    """
    if tensor.data_location == onnx.TensorProto.EXTERNAL or any(d < 0 for d in tensor.dims):
        return None
    count = math.prod(tensor.dims)
    fields = payload_fields(tensor)
    if len(fields) > 1:
        return f"it has two payloads, {fields[0]} and {fields[1]}"
    if not fields:
        return f"it has no payload for its {count} elements" if count else None
    field = fields[0]
    if field == RAW and dtype.kind != "string":
        expected, got, unit = packed_size(dtype, count), len(tensor.raw_data), "bytes"
    elif field == dtype.field:
        expected, got, unit = stored_length(dtype, count), len(getattr(tensor, field)), "entries"
    else:
        return f"{dtype.name} elements are stored in {dtype.field}, not {field}"
    if got == expected:
        return None
    return f"{field} holds {got} {unit}, but {count} {dtype.name} elements take {expected}"


# (element type, typed field) pairs whose field bytes are the raw_data bytes themselves.
_SAME_BYTES = frozenset(
    {("float32", "float_data"), ("int32", "int32_data"), ("int64", "int64_data"), ("float64", "double_data")}
    | {("uint64", "uint64_data"), ("complex64", "float_data"), ("complex128", "double_data")}
)


def raw_equivalent(
    tensor: onnx.TensorProto, data: bytes, dtype: DType, dims: tuple[int, ...]
) -> bytes | None:
    """The ``raw_data`` bytes of a typed payload's elements, or None when the field holds more than the
    elements say (a value out of the type's range, stray bits), which only Base64 keeps."""
    if (dtype.name, dtype.field) in _SAME_BYTES:
        return data
    elements = elements_from_field(tensor, dtype, math.prod(dims))
    if field_bytes(field_from_elements(elements, dtype), dtype.field) != data:
        return None
    return raw_from_elements(elements, dtype)


def field_from_raw(tensor: onnx.TensorProto, storage: str, raw: bytes, dtype: DType, count: int) -> None:
    """Inverse of :func:`raw_equivalent`: put the elements of ``raw`` into the typed field."""
    if (dtype.name, storage) in _SAME_BYTES:
        set_field_bytes(tensor, storage, raw)
        return
    elements = elements_from_raw(raw, dtype, count)
    getattr(tensor, storage).extend(getattr(field_from_elements(elements, dtype), storage))

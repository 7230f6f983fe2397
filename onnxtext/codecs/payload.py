"""Tensor payloads <-> the payload keys of a compact tensor (``storage``, ``values``/``base64``/``npy``).

The compact form holds payloads that agree with the tensor's type and dims: ``raw_data`` of the
right length, or the typed field ONNX uses for the type with the right number of entries.
Anything else (an invalid model) is not ours: :func:`encode_payload` returns None and the caller
writes the tensor field by field, which is exact too.  In return, the decoder checks every length
and a truncated Base64 string is an error at its line rather than a model the checker rejects.

The form comes from :meth:`Policy.form_for`; a readable form is used only when it gives back the
very same stored bytes (checked by decoding what was encoded), otherwise the payload is written
as Base64 of the stored bytes, uninterpreted: ``raw_data`` verbatim (NaN payloads, padding bits,
bool bytes other than 0/1 survive) or a typed field's little-endian values.

``storage`` names the typed field the data lives in; absent means ``raw_data``.  A payload
mapping with none of the keys means the tensor has no payload at all.
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Sequence
from typing import Any

import numpy as np
import onnx

from onnxtext.base.doctree import Flow
from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import Path
from onnxtext.codecs.b64 import decode_base64, encode_base64
from onnxtext.codecs.digest import check_digest, sha256_hex, sha256_while
from onnxtext.codecs.dtypes import DType, dtype_by_onnx
from onnxtext.codecs.floats import negative_zeros
from onnxtext.codecs.held import NotHeld, defer, hold, is_token, take, would_hold
from onnxtext.codecs.inline import (
    element_count,
    from_values,
    string_values,
    strings_from_values,
    to_values,
    type_text,
)
from onnxtext.codecs.messages import brief
from onnxtext.codecs.npy import SidecarReader, SidecarWriter, sidecar_holds
from onnxtext.codecs.policy import Policy
from onnxtext.codecs.storage import (
    NUMERIC_FIELDS,
    RAW,
    STRINGS,
    TYPED_FIELDS,
    elements_from_field,
    elements_from_raw,
    field_bytes,
    field_from_elements,
    packed_size,
    payload_fields,
    raw_from_elements,
    set_field_bytes,
    stored_length,
)

STORAGE, VALUES, BASE64, NPY, SHA256 = "storage", "values", "base64", "npy", "sha256"
DIGEST = "digest"
PAYLOAD_KEYS: frozenset[str] = frozenset({STORAGE, VALUES, BASE64, NPY, SHA256, DIGEST})
_FORMS = (VALUES, BASE64, NPY, DIGEST)
_STORAGE_HINT = f"storage is one of {', '.join((RAW, *TYPED_FIELDS))} (absent means raw_data)"


def encode_payload(
    tensor: onnx.TensorProto, policy: Policy, sidecars: SidecarWriter | None
) -> dict[str, Any] | None:
    """The payload keys for ``tensor``: ``{}`` when it has no payload, None when it is not ours to write.

    Not ours (the caller writes such a tensor field by field): an unknown data_type, more than one
    payload field, a negative dimension, a payload in a field ONNX does not use for the type, or
    one whose length disagrees with the dims.
    """
    dtype = dtype_by_onnx(tensor.data_type)
    fields = payload_fields(tensor)
    left_in_file = sidecars.raw_data_of(tensor) if sidecars is not None else None
    if left_in_file is not None:
        fields = [RAW, *fields]
    if dtype is None or len(fields) > 1:
        return None
    if not fields:
        return {}
    dims = tuple(tensor.dims)
    count = _count(dims)
    if count is None:
        return None
    if fields[0] == RAW:
        raw = tensor.raw_data if left_in_file is None else left_in_file
        if dtype.kind == "string" or len(raw) != packed_size(dtype, count):
            return None
        return _encode_raw(raw, dtype, dims, policy, sidecars)
    field = fields[0]
    if field != dtype.field or len(getattr(tensor, field)) != stored_length(dtype, count):
        return None
    if field == STRINGS:
        return {STORAGE: STRINGS, VALUES: string_values(tensor.string_data)}
    return _encode_typed(tensor, dtype, dims, policy, sidecars)


def _count(dims: Sequence[int]) -> int | None:
    return None if any(d < 0 for d in dims) else math.prod(dims)


def _encode_raw(
    raw: bytes | memoryview,
    dtype: DType,
    dims: tuple[int, ...],
    policy: Policy,
    sidecars: SidecarWriter | None,
) -> dict[str, Any]:
    form = policy.form_for(math.prod(dims), len(raw), sidecars=sidecars is not None)
    if form == VALUES:
        token = hold(VALUES, raw, dtype) if _values_held_exactly(raw, dtype, policy) else None
        if token is not None:
            return {VALUES: token}
        values = _exact_raw_values(raw, dtype, dims, policy)
        if values is not None:
            return {VALUES: values}
    if form == NPY and sidecars is not None and sidecar_holds(raw, dtype, dims):
        reference, digest = sidecars.write(raw, dtype, dims)
        return {NPY: reference, SHA256: digest}
    if form == DIGEST:
        return {DIGEST: summary(raw, dtype, math.prod(dims))}
    return {BASE64: _base64_text(raw, dtype)}


_CHECK_CHUNK = 1 << 22  # elements per NaN check: a bounded scratch array
# A Base64 text holding one of these (anywhere) is no YAML number, date or bool: written plain.
_NOT_NUMBER_LIKE = re.compile("[g-wyzG-WYZ/]")


def _values_held_exactly(raw: bytes | memoryview, dtype: DType, policy: Policy) -> bool:
    """Whether a big payload may be held as numbers: when :func:`_exact_by_construction` holds for it
    (and the text keeps its zeros' signs), so that the writer, formatting it chunk by chunk, writes
    exactly what :func:`to_values` gives."""
    if not would_hold(len(raw)):
        return False
    if not numbers_exact(dtype):
        return False
    if dtype.kind == "int":
        return True
    elements = np.frombuffer(raw, dtype=dtype.numpy)
    for i in range(0, elements.size, _CHECK_CHUNK):
        chunk = elements[i : i + _CHECK_CHUNK]
        if np.isnan(chunk).any() or (not policy.signed_zeros and negative_zeros(chunk)):
            return False
    return True


def _base64_text(data: bytes | memoryview, dtype: DType) -> str:
    """The Base64 text of ``data``, or the token holding it (big, and surely written as a plain string)."""
    if would_hold(len(data)) and _NOT_NUMBER_LIKE.search(encode_base64(data[:3072])):
        token = hold(BASE64, data, dtype)
        if token is not None:
            return token
    return encode_base64(data)


def _exact_raw_values(raw: bytes, dtype: DType, dims: tuple[int, ...], policy: Policy) -> list[object] | None:
    elements = elements_from_raw(raw, dtype, math.prod(dims))
    if elements is None or _loses_zero_signs(elements, dtype, policy):
        return None
    values = to_values(elements, dtype)
    if _exact_by_construction(elements, dtype, values):
        return values
    try:
        back = raw_from_elements(from_values(values, dtype, dims, ()), dtype)
    except OnnxTextError:
        return None
    return values if back == raw else None


def _loses_zero_signs(elements: np.ndarray, dtype: DType, policy: Policy) -> bool:
    """Whether the numbers of ``elements`` hold a ``-0.0`` that the text would write as ``0``."""
    return not policy.signed_zeros and dtype.kind in ("float", "complex") and negative_zeros(elements)


_IEEE = frozenset({"float16", "float32", "float64"})


def numbers_exact(dtype: DType) -> bool:
    """Whether :func:`to_values` gives back every element of ``dtype`` exactly, NaN aside (then no
    decode-and-compare check is needed: the hot, common case).

    Byte-aligned integers: every bit pattern is a value.  IEEE floats: ``shortest_floats`` checks
    each element's bits, so only a NaN (written as the default NaN) can differ.
    """
    return (dtype.kind == "int" and not dtype.packed) or dtype.name in _IEEE


def _exact_by_construction(elements: np.ndarray, dtype: DType, values: list[object]) -> bool:
    """Whether ``values`` (:func:`to_values` of ``elements``) is exact by :func:`numbers_exact`."""
    if not numbers_exact(dtype):
        return False
    if dtype.kind == "int":
        return True
    if len(values) <= 64:
        return all(v == v for v in values)  # quicker than numpy on a short list
    return not np.isnan(elements).any()


def _encode_typed(
    tensor: onnx.TensorProto,
    dtype: DType,
    dims: tuple[int, ...],
    policy: Policy,
    sidecars: SidecarWriter | None,
) -> dict[str, Any]:
    """A payload kept in a typed field (``float_data``...): numbers, a sidecar or Base64 of the field.

    A sidecar holds the elements (as for ``raw_data``); ``storage`` says which field they go back to.
    """
    data = field_bytes(tensor, dtype.field)
    form = policy.form_for(math.prod(dims), len(data), sidecars=sidecars is not None)
    if form == VALUES:
        values = _exact_typed_values(tensor, data, dtype, dims, policy)
        if values is not None:
            return {STORAGE: dtype.field, VALUES: values}
    if form in (NPY, DIGEST):
        raw = _raw_equivalent(tensor, data, dtype, dims)
        if raw is not None and form == DIGEST:
            return {STORAGE: dtype.field, DIGEST: summary(raw, dtype, math.prod(dims))}
        if raw is not None and sidecars is not None and sidecar_holds(raw, dtype, dims):
            reference, digest = sidecars.write(raw, dtype, dims)
            return {STORAGE: dtype.field, NPY: reference, SHA256: digest}
    return {STORAGE: dtype.field, BASE64: _base64_text(data, dtype)}


# (element type, typed field) pairs whose field bytes are the raw_data bytes themselves.
_SAME_BYTES = frozenset(
    {("float32", "float_data"), ("int32", "int32_data"), ("int64", "int64_data"), ("float64", "double_data")}
    | {("uint64", "uint64_data"), ("complex64", "float_data"), ("complex128", "double_data")}
)


def _raw_equivalent(
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


def _field_from_raw(tensor: onnx.TensorProto, storage: str, raw: bytes, dtype: DType, count: int) -> None:
    """Inverse of :func:`_raw_equivalent`: put the elements of ``raw`` into the typed field."""
    if (dtype.name, storage) in _SAME_BYTES:
        set_field_bytes(tensor, storage, raw)
        return
    elements = elements_from_raw(raw, dtype, count)
    getattr(tensor, storage).extend(getattr(field_from_elements(elements, dtype), storage))


def summary(raw: bytes, dtype: DType, count: int) -> Flow:
    """A one-line stand-in for a payload (``--tensors digest``): sha256 prefix, and min/max/mean of
    real numbers, each to 6 significant digits."""
    out = Flow(sha256=sha256_hex(raw)[:16])
    if count and dtype.kind in ("float", "int", "bool"):
        elements = elements_from_raw(raw, dtype, count)
        if elements is not None:
            numbers = elements.astype(np.float64)
            with np.errstate(all="ignore"):
                low, high, mean = numbers.min(), numbers.max(), numbers.mean()
            if dtype.kind == "int":
                out.update(min=int(low), max=int(high))
            else:
                out.update(min=_brief(low), max=_brief(high))
            out["mean"] = _brief(mean)
    return out


def _brief(value: np.floating) -> float:
    return float(f"{float(value):.6g}")


def _exact_typed_values(
    tensor: onnx.TensorProto, data: bytes, dtype: DType, dims: tuple[int, ...], policy: Policy
) -> list[object] | None:
    elements = elements_from_field(tensor, dtype, math.prod(dims))
    if _loses_zero_signs(elements, dtype, policy):
        return None
    values = to_values(elements, dtype)
    try:
        scratch = field_from_elements(from_values(values, dtype, dims, ()), dtype)
    except OnnxTextError:
        return None
    return values if field_bytes(scratch, dtype.field) == data else None


def decode_payload(
    doc: dict[str, Any], tensor: onnx.TensorProto, path: Path, sidecars: SidecarReader | None
) -> None:
    """Fill ``tensor`` (data_type and dims already set) from the payload keys of ``doc``.

    ``raw_data`` is set even when empty (its presence is part of the model); a typed payload goes
    to the field named by ``storage``.  Keys other than :data:`PAYLOAD_KEYS` are ignored.
    """
    forms = [key for key in _FORMS if key in doc]
    if not forms:
        if PAYLOAD_KEYS & doc.keys():
            raise OnnxTextError(
                "E206",
                "missing the payload: values, base64 or npy",
                path=path,
                hint="add values: [...], base64: ... or npy: <file>, or drop storage/sha256",
            )
        return
    if len(forms) > 1:
        raise OnnxTextError(
            "E202",
            f"a tensor has one payload, got both {forms[0]} and {forms[1]}",
            path=(*path, forms[1]),
            hint="keep one of values, base64, npy",
        )
    form = forms[0]
    where = (*path, form)
    if SHA256 in doc and form != NPY:
        raise OnnxTextError(
            "E202",
            "sha256 only goes with npy",
            path=(*path, SHA256),
            hint="remove the sha256 key from the tensor's mapping",
        )
    dtype = dtype_by_onnx(tensor.data_type)
    if dtype is None:
        raise OnnxTextError(
            "E204",
            f"unknown element type {tensor.data_type}",
            path=where,
            hint="write a tensor of unknown type field by field (data_type, dims, raw_data)",
        )
    storage = _storage(doc, dtype, form, path)
    dims = tuple(tensor.dims)
    count = element_count(dtype, dims, where)
    if form == VALUES:
        _decode_values(doc[VALUES], storage, tensor, dtype, dims, where)
    elif form == BASE64:
        _decode_base64_form(doc[BASE64], storage, tensor, dtype, dims, count, where)
    elif form == NPY:
        raw = _decode_npy(doc, dtype, dims, path, sidecars, tensor if storage == RAW else None)
        if raw is None:
            return  # left in the sidecar: the model writer copies it (SidecarReader.defer)
        if storage == RAW:
            tensor.raw_data = raw
        else:
            _field_from_raw(tensor, storage, raw, dtype, count)
    else:
        raise OnnxTextError(
            "E307",
            "a digest summarises a tensor; it does not hold its bytes",
            path=where,
            hint="dump the model again with --tensors auto (or npy, base64, inline) to build it",
        )


def _storage(doc: dict[str, Any], dtype: DType, form: str, path: Path) -> str:
    """The ``storage`` of ``doc``, checked against the type and the form."""
    storage = doc.get(STORAGE, RAW)
    at = (*path, STORAGE) if STORAGE in doc else (*path, form)
    if not isinstance(storage, str) or (storage != RAW and storage not in TYPED_FIELDS):
        raise OnnxTextError("E204", f"unknown storage {brief(storage)}", path=at, hint=_STORAGE_HINT)
    if dtype.kind == "string":
        if storage != STRINGS:
            raise OnnxTextError(
                "E202",
                f"string tensors keep their values in string_data, not {storage}",
                path=at,
                hint="write storage: string_data and values: [...]",
            )
        if form != VALUES:
            raise OnnxTextError(
                "E202",
                f"string_data has no {form} form",
                path=(*path, form),
                hint="write values: [...], with {base64: ...} for each string that is not UTF-8",
            )
    elif storage not in (RAW, dtype.field):
        raise OnnxTextError(
            "E202",
            f"{dtype.name} data is stored in raw_data or {dtype.field}, not {storage}",
            path=at,
            hint=f"drop storage (raw_data) or write storage: {dtype.field}",
        )
    return storage


def _decode_values(
    node: object, storage: str, tensor: onnx.TensorProto, dtype: DType, dims: tuple[int, ...], path: Path
) -> None:
    if is_token(node):  # a big list of numbers left in the document file
        if storage != RAW:
            raise NotHeld(f"numbers for {storage}")
        count = math.prod(dims)
        size = packed_size(dtype, count)
        if not defer(node, tensor, VALUES, dtype, count, size):
            tensor.raw_data = take(node, VALUES, dtype, count, size)
        return
    if storage == STRINGS:
        tensor.string_data.extend(strings_from_values(node, dtype, dims, path))
        return
    if storage == RAW:
        packed = packed_plainly(node, dtype, math.prod(dims))
        if packed is not None:
            tensor.raw_data = packed
            return
    elements = from_values(node, dtype, dims, path)
    if storage == RAW:
        tensor.raw_data = raw_from_elements(elements, dtype)
    else:
        getattr(tensor, storage).extend(getattr(field_from_elements(elements, dtype), storage))


_STRUCT_CODES = {
    "int8": "b", "uint8": "B", "int16": "h", "uint16": "H", "int32": "i", "uint32": "I", "int64": "q",
    "uint64": "Q", "float16": "e", "float32": "f", "float64": "d",
}  # fmt: skip
_SMALL = 64


def packed_plainly(node: object, dtype: DType, count: int) -> bytes | None:
    """``raw_data`` for a short list of plain numbers, or None to take the checking path.

    struct rounds a float exactly as numpy does (C's double->float), and refuses out-of-range
    values; anything it refuses (or a NaN string from JSON, a bool) is left to :func:`from_values`,
    which says what is wrong and where.
    """
    code = _STRUCT_CODES.get(dtype.name)
    if code is None or type(node) is not list or len(node) != count or count > _SMALL:
        return None
    allowed = (int,) if dtype.kind == "int" else (int, float)
    if not all(type(item) in allowed for item in node):
        return None
    try:
        return struct.pack(f"<{count}{code}", *node)
    except (struct.error, OverflowError):
        return None


def _decode_base64_form(
    node: object,
    storage: str,
    tensor: onnx.TensorProto,
    dtype: DType,
    dims: tuple[int, ...],
    count: int,
    path: Path,
) -> None:
    if storage == RAW:
        expected = packed_size(dtype, count)
    else:
        expected = stored_length(dtype, count) * NUMERIC_FIELDS[storage].itemsize
    if is_token(node):  # a big Base64 text left in the document file
        if storage == RAW and defer(node, tensor, BASE64, dtype, count, expected):
            return
        data = take(node, BASE64, dtype, count, expected)
    else:
        data = decode_base64(node, path, expected)
    if len(data) != expected:
        where = "" if storage == RAW else f" of {storage}"
        raise OnnxTextError(
            "E302",
            f"expected {expected} bytes{where} for {type_text(dtype, dims)}, got {len(data)}",
            path=path,
            hint=f"the Base64 text of {expected} bytes has {4 * -(-expected // 3)} characters; "
            "was it cut short, or did the shape change?",
        )
    if storage == RAW:
        tensor.raw_data = data
    else:
        set_field_bytes(tensor, storage, data)


def _decode_npy(
    doc: dict[str, Any],
    dtype: DType,
    dims: tuple[int, ...],
    path: Path,
    sidecars: SidecarReader | None,
    raw_of: onnx.TensorProto | None = None,
) -> bytes | None:
    """The ``raw_data`` bytes a sidecar holds, checked against the sha256 beside its reference.

    None when the payload, the ``raw_data`` of ``raw_of``, stays in its file until the model is written.
    """
    where = (*path, NPY)
    if sidecars is None:
        raise OnnxTextError(
            "E303",
            f"cannot read sidecar {doc[NPY]}: the document was not read from a file",
            path=where,
            hint="load the document from its file, next to its .tensors folder",
        )
    expected = doc.get(SHA256)
    if expected is not None and not isinstance(expected, str):
        raise OnnxTextError(
            "E202", f"sha256 must be a hex string, got {brief(expected)}", path=(*path, SHA256)
        )
    if raw_of is not None and sidecars.defer(raw_of, doc[NPY], dtype, dims, expected, path):
        return None
    data = sidecars.read(doc[NPY], dtype, dims, expected, where)
    if expected is None:
        return bytes(data)
    actual, raw = sha256_while(data, lambda: bytes(data))  # check the digest while copying
    check_digest(expected, actual, doc[NPY], (*path, SHA256))
    return raw

"""Tensor payloads -> the payload keys of a compact tensor (:mod:`.payload`).

The form comes from :meth:`Policy.form_for`; a readable form is used only when it gives back the
very same stored bytes (checked by decoding what was encoded), otherwise the payload is written
as Base64 of the stored bytes, uninterpreted: ``raw_data`` verbatim (NaN payloads, padding bits,
bool bytes other than 0/1 survive) or a typed field's little-endian values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import onnx

from onnxtext.base.doctree import Flow
from onnxtext.base.errors import OnnxTextError
from onnxtext.codecs.b64 import encode_base64
from onnxtext.codecs.digest import sha256_hex
from onnxtext.codecs.dtypes import DType, dtype_by_onnx
from onnxtext.codecs.floats import negative_zeros
from onnxtext.codecs.held import hold, would_hold
from onnxtext.codecs.inline import from_values, string_values, to_values
from onnxtext.codecs.npy import SidecarWriter, sidecar_holds
from onnxtext.codecs.payload import BASE64, DIGEST, NPY, SHA256, STORAGE, VALUES
from onnxtext.codecs.policy import Policy
from onnxtext.codecs.storage import (
    RAW,
    STRINGS,
    elements_from_field,
    elements_from_raw,
    field_bytes,
    field_from_elements,
    packed_size,
    payload_fields,
    raw_equivalent,
    raw_from_elements,
    stored_length,
)


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
        raw = raw_equivalent(tensor, data, dtype, dims)
        if raw is not None and form == DIGEST:
            return {STORAGE: dtype.field, DIGEST: summary(raw, dtype, math.prod(dims))}
        if raw is not None and sidecars is not None and sidecar_holds(raw, dtype, dims):
            reference, digest = sidecars.write(raw, dtype, dims)
            return {STORAGE: dtype.field, NPY: reference, SHA256: digest}
    return {STORAGE: dtype.field, BASE64: _base64_text(data, dtype)}


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

"""Payloads of plain tensors, the thousands of tiny ones a graph-heavy model holds, in bulk.

An exported transformer carries an initializer for every bias, scale and shape: a few numbers
each, thousands of them.  :func:`~onnxtext.codecs.payload_encode.encode_payload` and
:func:`~onnxtext.codecs.payload_decode.decode_payload` decide, check and format each one alone, which is
where most of a graph-heavy dump or build went.  Here the *plain* ones (name, data_type, dims and
raw_data; nothing else, no unknown fields) are recognised cheaply and their numbers formatted by
one numpy pass per element type.

Both directions give exactly what the ordinary functions give for the same tensor, and leave
everything they are not sure of to them (None): NaN payloads, odd types, typed fields, sidecars,
held payloads, anything that could be an error to report at its line.
"""

from __future__ import annotations

import binascii
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import onnx
from google.protobuf.unknown_fields import UnknownFieldSet

from onnxtext.codecs.b64 import encode_base64, strict_base64
from onnxtext.codecs.dtypes import DType, dtype_by_onnx
from onnxtext.codecs.held import is_token, would_hold
from onnxtext.codecs.inline import to_values
from onnxtext.codecs.payload import BASE64, VALUES
from onnxtext.codecs.payload_decode import packed_plainly
from onnxtext.codecs.payload_encode import numbers_exact
from onnxtext.codecs.policy import Policy
from onnxtext.codecs.storage import packed_size

# Bigger tensors gain nothing from the bulk path, and ListFields would copy their bytes once more.
_PLAIN_MAX_BYTES = 1 << 16
_PLAIN_FIELDS = frozenset({"dims", "data_type", "name", "raw_data"})
_PLAIN_FORMS = ({"type", VALUES}, {"type", BASE64}, {"name", "type", VALUES}, {"name", "type", BASE64})


def plain_payloads(
    tensors: Sequence[onnx.TensorProto], policy: Policy, *, sidecars: bool
) -> list[dict[str, Any] | None]:
    """For each tensor, what ``encode_payload`` would return when the tensor is plain and its form
    Base64 or numbers; None for every other tensor (ask ``encode_payload``).

    ``sidecars`` says whether the dump writes ``.npy`` files (it changes the form a policy picks).
    """
    out: list[dict[str, Any] | None] = [None] * len(tensors)
    batches: dict[str, _Numbers] = {}
    for i, tensor in enumerate(tensors):
        if tensor.ByteSize() > _PLAIN_MAX_BYTES:
            continue
        present = {field.name: value for field, value in tensor.ListFields()}
        raw = present.get("raw_data")
        if raw is None or "data_type" not in present or not _PLAIN_FIELDS.issuperset(present):
            continue
        dtype = dtype_by_onnx(present["data_type"])
        dims = present.get("dims", ())
        if dtype is None or dtype.kind == "string" or (dims and min(dims) < 0):
            continue
        if len(UnknownFieldSet(tensor)):
            continue
        count = math.prod(dims)
        if len(raw) != packed_size(dtype, count) or would_hold(len(raw)):
            continue
        form = policy.form_for(count, len(raw), sidecars=sidecars)
        if form == BASE64:
            out[i] = {BASE64: encode_base64(raw)}
        elif form == VALUES and count and numbers_exact(dtype):
            batch = batches.get(dtype.name)
            if batch is None:
                batch = batches[dtype.name] = _Numbers(dtype, policy.signed_zeros)
            batch.add(i, raw, count)
    for batch in batches.values():
        batch.format_into(out)
    return out


class _Numbers:
    """The raw payloads of one element type, formatted as ``values`` lists in one pass."""

    def __init__(self, dtype: DType, signed_zeros: bool) -> None:
        self.dtype = dtype
        self.signed_zeros = signed_zeros
        self.slots: list[int] = []
        self.raws: list[bytes] = []
        self.counts: list[int] = []

    def add(self, slot: int, raw: bytes, count: int) -> None:
        self.slots.append(slot)
        self.raws.append(raw)
        self.counts.append(count)

    def format_into(self, out: list[dict[str, Any] | None]) -> None:
        """Set ``out[slot]`` for each payload; a float payload holding a NaN (or a ``-0.0`` the text
        would write as ``0``) is left to the ordinary path (whose check decides between the default
        NaN and Base64)."""
        elements = np.frombuffer(b"".join(self.raws), dtype=self.dtype.numpy)
        starts = np.cumsum([0, *self.counts[:-1]]).tolist()
        unusual = np.isnan(elements) if self.dtype.kind == "float" else None
        if unusual is not None and not self.signed_zeros:
            unusual |= (elements == 0) & np.signbit(elements)
        if unusual is not None and unusual.any():
            skipped = np.logical_or.reduceat(unusual, starts).tolist()
        else:
            skipped = [False] * len(starts)
        values = to_values(elements, self.dtype)
        for slot, start, count, skip in zip(self.slots, starts, self.counts, skipped, strict=True):
            if not skip:
                out[slot] = {VALUES: values[start : start + count]}


def plain_raw(doc: dict[str, Any], data_type: int, dims: Sequence[int]) -> bytes | None:
    """The ``raw_data`` of a compact tensor ``{name?, type, values | base64}`` whose payload is surely
    right (a short list of plain numbers, or Base64 of the exact length); None for anything else,
    which ``decode_payload`` reads (and reports, where it is wrong)."""
    dtype = dtype_by_onnx(data_type)
    if dtype is None or dtype.kind == "string" or (dims and min(dims) < 0) or set(doc) not in _PLAIN_FORMS:
        return None
    count = math.prod(dims)
    if VALUES in doc:
        return packed_plainly(doc[VALUES], dtype, count)
    text = doc[BASE64]
    if type(text) is not str or is_token(text):
        return None
    try:
        data = strict_base64(text)
    except (binascii.Error, ValueError):
        return None
    return data if len(data) == packed_size(dtype, count) else None

"""The payload keys of a compact tensor (:mod:`.payload`) -> the tensor's payload, every length checked.

``raw_data`` is set even when empty (its presence is part of the model); a typed payload goes to
the field named by ``storage``; a sidecar's bytes are checked against the sha256 beside it.
"""

from __future__ import annotations

import math
import struct
from typing import Any

import onnx

from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import Path
from onnxtext.codecs.b64 import decode_base64
from onnxtext.codecs.digest import check_digest, sha256_while
from onnxtext.codecs.dtypes import DType, dtype_by_onnx
from onnxtext.codecs.held import NotHeld, defer, is_token, take
from onnxtext.codecs.inline import element_count, from_values, strings_from_values, type_text
from onnxtext.codecs.messages import brief
from onnxtext.codecs.npy import SidecarReader
from onnxtext.codecs.payload import BASE64, FORMS, NPY, PAYLOAD_KEYS, SHA256, STORAGE, VALUES
from onnxtext.codecs.storage import (
    NUMERIC_FIELDS,
    RAW,
    STRINGS,
    TYPED_FIELDS,
    field_from_elements,
    field_from_raw,
    packed_size,
    raw_from_elements,
    set_field_bytes,
    stored_length,
)

_STORAGE_HINT = f"storage is one of {', '.join((RAW, *TYPED_FIELDS))} (absent means raw_data)"


def decode_payload(
    doc: dict[str, Any], tensor: onnx.TensorProto, path: Path, sidecars: SidecarReader | None
) -> None:
    """Fill ``tensor`` (data_type and dims already set) from the payload keys of ``doc``.

    ``raw_data`` is set even when empty (its presence is part of the model); a typed payload goes
    to the field named by ``storage``.  Keys other than :data:`PAYLOAD_KEYS` are ignored.
    """
    forms = [key for key in FORMS if key in doc]
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
            field_from_raw(tensor, storage, raw, dtype, count)
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

"""Document values -> protobuf field values: the leaf conversions of the decoder, each raising its
problem (E202 wrong kind, E204 unknown name) at the path it was given.

A string field takes text or ``{base64: ...}`` (bytes that are not UTF-8), an integer field a number
or its decimal string (JSON writes integers beyond +-(2^53 - 1) so), a float field numbers, NaN and
infinity strings or ``{base64: ...}`` of the exact bits, an enum field its value's name.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any, NoReturn

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from onnxtext.base.doctree import decimal_int
from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import Path
from onnxtext.codecs import (
    decode_base64,
    decode_bytes,
    decode_floats,
    dtype_by_name,
    dtype_hint,
    set_float_field_bytes,
    set_string_field_bytes,
)
from onnxtext.codecs.messages import kind

_T = FieldDescriptor
INT_KINDS = {_T.TYPE_INT32, _T.TYPE_INT64, _T.TYPE_UINT32, _T.TYPE_UINT64, _T.TYPE_SINT32, _T.TYPE_SINT64}


def fail(code: str, message: str, path: Path, hint: str | None = None) -> NoReturn:
    raise OnnxTextError(code, message, path=path, hint=hint)


def as_mapping(value: Any, path: Path) -> dict[str, Any]:
    if not isinstance(value, dict):
        fail("E202", f"expected a mapping, got {kind(value)}", path)
    return value


def as_list(value: Any, path: Path) -> list[Any]:
    if not isinstance(value, list):
        fail("E202", f"expected a list, got {kind(value)}", path, "write a list, e.g. [a, b]")
    return value


def set_field(msg: Message, name: str, value: Any, path: Path) -> None:
    try:
        setattr(msg, name, value)
    except (TypeError, ValueError) as err:
        fail("E202", f"bad value for {name}: {err}", path)


def set_scalar(msg: Message, field: FieldDescriptor, value: Any, path: Path) -> None:
    kind = field.type
    if kind in (_T.TYPE_FLOAT, _T.TYPE_DOUBLE):
        bits = 32 if kind == _T.TYPE_FLOAT else 64
        numbers = decode_floats(
            value if field.is_repeated or isinstance(value, dict) else [value], bits, path
        )
        if not field.is_repeated and len(numbers) != 1:
            fail("E202", f"expected one number, got {len(numbers)}", path)
        set_float_field_bytes(msg, field.name, numbers.astype(numbers.dtype.newbyteorder("<")).tobytes())
        return
    decode = _scalar_decoder(field)
    if field.is_repeated:
        items = [decode(item, path + (i,)) for i, item in enumerate(as_list(value, path))]
        if kind == _T.TYPE_STRING and any(type(item) is bytes for item in items):
            for item in items:
                set_string_field_bytes(msg, field.name, item)
            return
        try:
            getattr(msg, field.name).extend(items)
        except (TypeError, ValueError) as err:
            fail("E202", f"bad value in {field.name}: {err}", path)
    else:
        item = decode(value, path)
        if kind == _T.TYPE_STRING and type(item) is bytes:
            set_string_field_bytes(msg, field.name, item)
        else:
            set_field(msg, field.name, item, path)


def _scalar_decoder(field: FieldDescriptor) -> Callable[[Any, Path], Any]:
    kind = field.type
    if kind == _T.TYPE_STRING:
        return as_text
    if kind == _T.TYPE_BYTES:
        return as_raw_bytes if field.name == "raw_data" else decode_bytes
    if kind == _T.TYPE_ENUM:
        return lambda value, path: as_enum(field, value, path)
    if kind in INT_KINDS:
        return as_int
    if kind == _T.TYPE_BOOL:
        return as_bool
    fail("E202", f"field {field.name} has an unsupported protobuf type {kind}", ())


def dtype_code(value: Any, path: Path) -> int:
    if isinstance(value, str):
        dtype = dtype_by_name(value)
        if dtype is None:
            fail("E204", f"unknown element type {value!r}", path, dtype_hint(value))
        return dtype.onnx
    return as_int(value, path)


def as_str(value: Any, path: Path) -> str:
    if not isinstance(value, str):
        fail("E202", f"expected a string, got {kind(value)}", path, "quote it: 'text'")
    return value


def as_text(value: Any, path: Path) -> str | bytes:
    """A proto string field: text, or ``{base64: ...}`` for bytes that are not UTF-8."""
    if isinstance(value, dict):
        return decode_bytes(value, path)
    return as_str(value, path)


def as_raw_bytes(value: Any, path: Path) -> bytes:
    return decode_base64(as_str(value, path), path)


def as_int(value: Any, path: Path) -> int:
    """An integer, or its decimal string (JSON writes integers beyond +-(2^53 - 1) so)."""
    if type(value) is int:
        return value
    number = decimal_int(value)
    if number is None:
        fail("E202", f"expected an integer, got {kind(value)}", path)
    return number


def as_bool(value: Any, path: Path) -> bool:
    if type(value) is not bool:
        fail("E202", f"expected true or false, got {kind(value)}", path)
    return value


def as_enum(field: FieldDescriptor, value: Any, path: Path) -> int:
    names = field.enum_type.values_by_name
    if isinstance(value, str) and value in names:
        return names[value].number
    close = difflib.get_close_matches(value.upper(), names, n=1) if isinstance(value, str) else []
    hint = f"did you mean {close[0]!r}?" if close else f"one of: {', '.join(names)}"
    fail("E204", f"unknown {field.enum_type.name} {value!r}", path, hint)

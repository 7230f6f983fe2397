"""Exact bytes of ``float``/``double`` (and non-UTF-8 string) proto fields, through the wire format.

The Python protobuf API hands out ``float`` fields as Python floats; the float->double widening
quiets a signalling NaN (0x7f800001 reads back as 0x7fc00001), and writing a Python float narrows it
again.  The wire format carries the exact little-endian bits, so these helpers go through it: a
copy of the message holding only the one field is serialized and its payload bytes are collected;
writing merges a hand-made packed (repeated) or fixed-width (singular) record.  Both are C-speed.
"""

from __future__ import annotations

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

_WIDTH = {FieldDescriptor.TYPE_FLOAT: 4, FieldDescriptor.TYPE_DOUBLE: 8}
_FIXED_WIRE_TYPE = {4: 5, 8: 1}
_LENGTH_DELIMITED = 2


def float_field_bytes(message: Message, field: str) -> bytes:
    """The little-endian bytes of every value in the float/double ``field`` of ``message``."""
    scratch = type(message)()
    scratch.CopyFrom(message)
    for descriptor, _ in scratch.ListFields():
        if descriptor.name != field:
            scratch.ClearField(descriptor.name)
    scratch.DiscardUnknownFields()
    return b"".join(_payloads(scratch.SerializeToString(), _width(message, field)))


def set_float_field_bytes(message: Message, field: str, data: bytes | memoryview) -> None:
    """Append ``data`` (little-endian values) to a repeated float/double ``field``; set a singular one."""
    descriptor = message.DESCRIPTOR.fields_by_name[field]
    width = _width(message, field)
    if len(data) % width:
        raise ValueError(f"{len(data)} bytes is not a whole number of {width}-byte values")
    if descriptor.is_repeated:
        key = varint(descriptor.number << 3 | _LENGTH_DELIMITED) + varint(len(data))
    else:
        if len(data) != width:
            raise ValueError(f"a singular field takes {width} bytes, not {len(data)}")
        key = varint(descriptor.number << 3 | _FIXED_WIRE_TYPE[width])
    message.MergeFromString(b"".join((key, data)))


def set_string_field_bytes(message: Message, field: str, data: str | bytes) -> None:
    """Set (or append to) a string ``field`` through the wire format.

    The Python API refuses bytes that are not UTF-8 in a string field, yet protobuf parses them
    from a file; merging a length-delimited record is the way to restore them exactly.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    number = message.DESCRIPTOR.fields_by_name[field].number
    message.MergeFromString(b"".join((varint(number << 3 | _LENGTH_DELIMITED), varint(len(raw)), raw)))


def _width(message: Message, field: str) -> int:
    descriptor = message.DESCRIPTOR.fields_by_name[field]
    if descriptor.type not in _WIDTH:
        raise TypeError(f"{message.DESCRIPTOR.name}.{field} is not a float or double field")
    return _WIDTH[descriptor.type]


def _payloads(wire: bytes, width: int) -> list[bytes]:
    """Value bytes of a serialized one-field message, whether packed or one record per value."""
    out: list[bytes] = []
    pos = 0
    while pos < len(wire):
        key, pos = read_varint(wire, pos)
        if key & 7 == _LENGTH_DELIMITED:
            size, pos = read_varint(wire, pos)
        else:
            size = width
        out.append(wire[pos : pos + size])
        pos += size
    return out


def read_varint(data: bytes | memoryview, pos: int) -> tuple[int, int]:
    """The varint at ``pos`` and where it ends (IndexError when the data stops inside it)."""
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)

"""ModelProto -> document tree.

Every message becomes a mapping of its *present* fields (proto2 presence is data: a ``domain: ''``
that is set is written).  A few shapes get a readable form when it is exact, and fall back to the
field-by-field mapping when it is not:

- types: ``float32[N,3,224,224]`` (:mod:`.types`);
- tensors: ``name``, ``type: float32[2,3]`` and one payload (:func:`onnxtext.codecs.encode_payload`);
- node attributes: ``{name: literal}`` (``epsilon: 1e-05``, ``perm: [0, 2, 1]``), a mapping of the
  AttributeProto's fields where a literal would be ambiguous or lossy;
- opset imports ``{domain: version}`` and string entries (metadata, external data) ``{key: value}``.

Unknown protobuf fields (from a newer ONNX) are kept as Base64 under ``unknown_fields``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.unknown_fields import UnknownFieldSet
from onnx import AttributeProto, ModelProto, TensorProto

from onnxtext.codecs import (
    SidecarWriter,
    dtype_by_onnx,
    encode_base64,
    encode_bytes,
    encode_floats,
    encode_payload,
    float_field_bytes,
)
from onnxtext.codecs.policy import Policy
from onnxtext.progress import Progress, Silent
from onnxtext.roundtrip import layout
from onnxtext.roundtrip.types import format_tensor_type, format_type

_LITERAL_FIELD = {
    AttributeProto.FLOAT: "f",
    AttributeProto.INT: "i",
    AttributeProto.STRING: "s",
    AttributeProto.FLOATS: "floats",
    AttributeProto.INTS: "ints",
    AttributeProto.STRINGS: "strings",
}
_T = FieldDescriptor


def encode_model(
    model: ModelProto, policy: Policy, sidecars: SidecarWriter | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """The document tree of ``model``; tensor payloads go where ``policy`` says.

    ``progress`` advances once per node and per tensor.
    """
    encoder = _Encoder(policy, sidecars, progress or Silent())
    return {layout.FORMAT_KEY: layout.FORMAT_VERSION, **encoder.fields(model)}


def unknown_bytes(msg: Message) -> bytes:
    """The serialized unknown fields of ``msg`` itself (not of its sub-messages); cheap when none."""
    if not len(UnknownFieldSet(msg)):
        return b""
    only = type(msg)()
    only.CopyFrom(msg)
    for field in msg.DESCRIPTOR.fields:
        only.ClearField(field.name)
    return only.SerializeToString()


class _Encoder:
    def __init__(self, policy: Policy, sidecars: SidecarWriter | None, progress: Progress) -> None:
        self.policy = policy
        self.sidecars = sidecars
        self.tick = progress.advance

    # -- messages -------------------------------------------------------------------------------

    def message(self, msg: Message) -> Any:
        name = msg.DESCRIPTOR.full_name
        if name in layout.COUNTED:
            self.tick()
        if name == "onnx.TypeProto" and not _unknown_anywhere(msg):
            compact = format_type(msg)
            if compact is not None:
                return compact
        if name == "onnx.TensorProto":
            return self.tensor(msg)
        return self.fields(msg)

    def fields(self, msg: Message, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
        """The field-by-field mapping of ``msg``: every present field, in document order."""
        present = {field.name: value for field, value in msg.ListFields()}
        out: dict[str, Any] = {}
        for key, name, handler in _plan(msg.DESCRIPTOR):
            if name in present and name not in skip:
                out[key] = handler(self, msg, present[name])
        raw = unknown_bytes(msg)
        if raw:
            out[layout.UNKNOWN_KEY] = encode_base64(raw)
        return out

    def messages(self, _: Message, value: Any) -> list[Any]:
        return [self.message(item) for item in value]

    def floats(self, msg: Message, field: FieldDescriptor, value: Any) -> Any:
        bits = 32 if field.type == _T.TYPE_FLOAT else 64
        if any(v != v for v in value) if field.is_repeated else value != value:
            value = float_field_bytes(msg, field.name)  # the Python API would quiet a signalling NaN
        elif not field.is_repeated:
            value = [value]
        exact = encode_floats(value, bits)
        return exact[0] if isinstance(exact, list) and not field.is_repeated else exact

    # -- readable forms -------------------------------------------------------------------------

    def tensor(self, tensor: TensorProto) -> dict[str, Any]:
        """``name``, ``type: float32[2,3]`` and a payload; field by field when that is not exact."""
        if (
            tensor.HasField("data_type")
            and dtype_by_onnx(tensor.data_type) is not None
            and not unknown_bytes(tensor)
        ):
            payload = encode_payload(tensor, self.policy, self.sidecars)
            if payload is not None:
                out: dict[str, Any] = {}
                if tensor.HasField("name"):
                    out["name"] = _text(tensor.name)
                out["type"] = format_tensor_type(tensor.data_type, list(tensor.dims))
                out.update(self.fields(tensor, skip=_COMPACT_SKIP))
                out.update(payload)
                return out
        return self.fields(tensor)

    def attributes(self, attrs: Any) -> dict[str, Any] | list[Any]:
        if _distinct_text([a.name if a.HasField("name") else None for a in attrs]):
            return {a.name: self.attribute_value(a) for a in attrs}
        return [self.fields(a) for a in attrs]

    def attribute_value(self, attr: AttributeProto) -> Any:
        """A plain literal when it reads back as the same attribute, else the attribute's fields."""
        literal = self.literal(attr)
        if literal is not None:
            return literal
        return self.fields(attr, skip=_NAME)

    def literal(self, attr: AttributeProto) -> Any:
        present = attr.ListFields()
        if len(present) != 3 or not attr.HasField("type") or unknown_bytes(attr):
            return None
        name = _LITERAL_FIELD.get(attr.type)
        value = next((v for f, v in present if f.name == name), None)
        if value is None:
            return None
        if attr.type == AttributeProto.FLOAT:
            exact = encode_floats([value], 32)
            return exact[0] if isinstance(exact, list) and math.isfinite(exact[0]) else None
        if attr.type == AttributeProto.FLOATS:
            exact = encode_floats(value, 32)
            return exact if isinstance(exact, list) and all(map(math.isfinite, exact)) else None
        if attr.type == AttributeProto.STRING:
            text = encode_bytes(value)
            return text if isinstance(text, str) else None
        if attr.type == AttributeProto.STRINGS:
            texts = [encode_bytes(v) for v in value]
            return texts if all(isinstance(t, str) for t in texts) else None
        return value if attr.type == AttributeProto.INT else list(value)

    def opsets(self, opsets: Any) -> dict[str, int] | list[Any]:
        domains = [o.domain if o.HasField("domain") and o.HasField("version") else None for o in opsets]
        if self.exact_map(opsets, domains):
            return {o.domain: o.version for o in opsets}
        return [self.fields(o) for o in opsets]

    def entries(self, entries: Any) -> dict[str, str] | list[Any]:
        keys = [
            e.key if e.HasField("key") and e.HasField("value") and type(e.value) is str else None
            for e in entries
        ]
        if self.exact_map(entries, keys):
            return {e.key: e.value for e in entries}
        return [self.fields(e) for e in entries]

    def exact_map(self, items: Any, keys: list[Any]) -> bool:
        """A list of pairs may be written as a mapping when every key is a distinct str."""
        return _distinct_text(keys) and not any(unknown_bytes(item) for item in items)


_NAME = frozenset({"name"})


def _distinct_text(keys: list[Any]) -> bool:
    """Whether ``keys`` can be a mapping's keys: all present, all text, no two alike."""
    return all(type(k) is str for k in keys) and len(set(keys)) == len(keys)


def _text(value: str | bytes) -> Any:
    """A string field's value: text, or ``{base64: ...}`` when protobuf handed back non-UTF-8 bytes."""
    return value if type(value) is str else {"base64": encode_base64(value)}


def _dtype_name(code: int) -> str | int:
    dtype = dtype_by_onnx(code)
    return code if dtype is None else dtype.name


Handler = Callable[[_Encoder, Message, Any], Any]


@functools.cache
def _plan(descriptor: Descriptor) -> tuple[tuple[str, str, Handler], ...]:
    """(document key, field name, encoder) for each field of a message, decided once per type."""
    return tuple(
        (key, field.name, _handler(descriptor.full_name, field))
        for key, field in layout.fields_of(descriptor)
    )


def _handler(owner: str, field: FieldDescriptor) -> Handler:
    kind, repeated = field.type, field.is_repeated
    if (owner, field.name) in layout.ATTRIBUTE_LISTS:
        return lambda enc, _, value: enc.attributes(value)
    if (owner, field.name) in layout.DTYPE_FIELDS:
        return lambda enc, _, value: _dtype_name(value)
    if field.message_type is not None:
        entry = field.message_type.full_name
        if not repeated:
            return lambda enc, _, value: enc.message(value)
        if entry == "onnx.StringStringEntryProto":
            return lambda enc, _, value: enc.entries(value)
        if entry == "onnx.OperatorSetIdProto":
            return lambda enc, _, value: enc.opsets(value)
        return _Encoder.messages
    if kind in (_T.TYPE_FLOAT, _T.TYPE_DOUBLE):
        return lambda enc, msg, value: enc.floats(msg, field, value)
    if kind == _T.TYPE_STRING:
        return (
            (lambda enc, _, value: [_text(v) for v in value])
            if repeated
            else (lambda enc, _, value: _text(value))
        )
    if kind == _T.TYPE_BYTES:
        if repeated:
            return lambda enc, _, value: [encode_bytes(v) for v in value]
        codec = encode_base64 if field.name == "raw_data" else encode_bytes
        return lambda enc, _, value: codec(value)
    if kind == _T.TYPE_ENUM:
        names = {v.number: v.name for v in field.enum_type.values}
        return (
            (lambda enc, _, value: [names[v] for v in value])
            if repeated
            else (lambda enc, _, value: names[value])
        )
    return (lambda enc, _, value: list(value)) if repeated else (lambda enc, _, value: value)


_COMPACT_SKIP = frozenset({"name", *layout.COMPACT_TENSOR_FIELDS})


def _unknown_anywhere(msg: Message) -> bool:
    """Whether ``msg`` or any message under it carries unknown fields."""
    if unknown_bytes(msg):
        return True
    for field, value in msg.ListFields():
        if field.message_type is not None:
            items = value if field.is_repeated else [value]
            if any(_unknown_anywhere(item) for item in items):
                return True
    return False

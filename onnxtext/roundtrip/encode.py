"""ModelProto -> document tree.

Every message becomes a mapping of its *present* fields (proto2 presence is data: a ``domain: ''``
that is set is written).  A few shapes get a readable form when it is exact, and fall back to the
field-by-field mapping when it is not:

- types: ``float32[N,3,224,224]`` (:mod:`.types`);
- tensors: ``name``, ``type: float32[2,3]`` and one payload (:func:`onnxtext.codecs.encode_payload`);
- node attributes: ``{name: value}`` where the value is a literal (``epsilon: 1.0e-05``,
  ``perm: [0, 2, 1]``), an element type's name for the attributes that hold one (``to: float16``),
  the tensor itself for a TENSOR attribute and the graph itself for a GRAPH one; a mapping of the
  AttributeProto's fields (always with ``type``) where none of these would be exact;
- opset imports ``{domain: version}`` and string entries (metadata, external data) ``{key: value}``.

Small records (value infos, tensors, opset imports, attributes without a graph) are :class:`Flow`
mappings, written on one line.  Unknown protobuf fields (from a newer ONNX) are kept as Base64 under
``unknown_fields``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.unknown_fields import UnknownFieldSet
from onnx import AttributeProto, ModelProto, NodeProto, TensorProto

from onnxtext.codecs import (
    SidecarWriter,
    dtype_by_name,
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
from onnxtext.tree import Flow, big_int_text

_LITERAL_FIELD = {
    AttributeProto.FLOAT: "f",
    AttributeProto.INT: "i",
    AttributeProto.STRING: "s",
    AttributeProto.FLOATS: "floats",
    AttributeProto.INTS: "ints",
    AttributeProto.STRINGS: "strings",
}
_T = FieldDescriptor
_RECORDS = frozenset({"onnx.ValueInfoProto", "onnx.OperatorSetIdProto", "onnx.StringStringEntryProto"})


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
        if name in _RECORDS:
            return Flow(self.fields(msg))
        return self.fields(msg)

    def fields(self, msg: Message, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
        """The field-by-field mapping of ``msg``: every present field, in document order."""
        present = _present(msg, skip)
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

    def tensor(self, tensor: TensorProto) -> Flow:
        """``name``, ``type: float32[2,3]`` and a payload; field by field when that is not exact."""
        if (
            tensor.HasField("data_type")
            and dtype_by_onnx(tensor.data_type) is not None
            and not unknown_bytes(tensor)
        ):
            payload = encode_payload(tensor, self.policy, self.sidecars)
            if payload is not None:
                out = Flow()
                if tensor.HasField("name"):
                    out["name"] = _text(tensor.name)
                out["type"] = format_tensor_type(tensor.data_type, list(tensor.dims))
                out.update(self.fields(tensor, skip=_COMPACT_SKIP))
                out.update(payload)
                return out
        return Flow(self.fields(tensor))

    def attributes(self, attrs: Any, owner: Message) -> dict[str, Any] | list[Any]:
        """``{name: value}`` (one line unless a value is a graph), or a list of field mappings."""
        if not _distinct_text([a.name if a.HasField("name") else None for a in attrs]):
            return [self.fields_record(a) for a in attrs]
        holds_dtype = (
            layout.dtype_attributes(owner.domain, owner.op_type) if isinstance(owner, NodeProto) else _NONE
        )
        out = {a.name: self.attribute_value(a, a.name in holds_dtype) for a in attrs}
        return out if any(type(v) is dict for v in out.values()) else Flow(out)

    def attribute_value(self, attr: AttributeProto, holds_dtype: bool) -> Any:
        """The attribute's value alone when that reads back as the same attribute, else its fields."""
        literal = self.literal(attr)
        if literal is not None and _unambiguous(literal, attr, holds_dtype):
            if holds_dtype and attr.type == AttributeProto.INT:
                dtype = dtype_by_onnx(literal)
                return literal if dtype is None else dtype.name
            return literal
        present = attr.ListFields()
        if len(present) == 3 and literal is None and attr.HasField("name") and not unknown_bytes(attr):
            if attr.type == AttributeProto.TENSOR and attr.HasField("t"):
                tensor = self.tensor(attr.t)
                return tensor if "type" in tensor else Flow(type="TENSOR", t=tensor)
            if attr.type == AttributeProto.GRAPH and attr.HasField("g"):
                return self.fields(attr.g)
        out = self.fields(attr, skip=_NAME)
        if "type" not in out:  # field mappings always say their type; null for an absent one
            out = {"type": None, **out}
        return out if _holds_graph(attr) else Flow(out)

    def fields_record(self, attr: AttributeProto) -> dict[str, Any]:
        """An attribute's fields, name included (the list form): one line unless it holds a graph."""
        out = self.fields(attr)
        return out if _holds_graph(attr) else Flow(out)

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
            return Flow((o.domain, o.version) for o in opsets)
        return [Flow(self.fields(o)) for o in opsets]

    def entries(self, entries: Any) -> dict[str, str] | list[Any]:
        keys = [
            e.key if e.HasField("key") and e.HasField("value") and type(e.value) is str else None
            for e in entries
        ]
        if self.exact_map(entries, keys):
            return {e.key: e.value for e in entries}
        return [Flow(self.fields(e)) for e in entries]

    def exact_map(self, items: Any, keys: list[Any]) -> bool:
        """A list of pairs may be written as a mapping when every key is a distinct str."""
        return _distinct_text(keys) and not any(unknown_bytes(item) for item in items)


_NAME = frozenset({"name"})
_NONE: frozenset[str] = frozenset()


def _holds_graph(attr: AttributeProto) -> bool:
    return attr.HasField("g") or len(attr.graphs) > 0


def _unambiguous(literal: Any, attr: AttributeProto, holds_dtype: bool) -> bool:
    """Whether a literal reads back as this attribute: a string that looks like an integer too big for
    JSON numbers (which JSON writes as a string) or, where an element type is expected, a dtype name,
    would read back as an INT."""
    if attr.type == AttributeProto.STRING:
        return big_int_text(literal) is None and not (holds_dtype and dtype_by_name(literal) is not None)
    if attr.type == AttributeProto.STRINGS:
        return all(big_int_text(text) is None for text in literal)
    return True


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


def _present(msg: Message, skip: frozenset[str]) -> dict[str, Any]:
    """The present fields of ``msg`` but ``skip``, name -> value.

    The payload of a big compact tensor is never read: ``ListFields`` would copy all of its
    ``raw_data`` out of the message only to drop it (0.14 s of a 238 MB dump).  Anything else takes
    ``ListFields``, ten times quicker than asking field by field.
    """
    if "raw_data" not in skip or math.prod(msg.dims) < _BIG_ELEMENTS:  # type: ignore[attr-defined]
        return {field.name: value for field, value in msg.ListFields()}
    return {
        field.name: getattr(msg, field.name)
        for field in msg.DESCRIPTOR.fields
        if field.name not in skip
        and (len(getattr(msg, field.name)) if field.is_repeated else msg.HasField(field.name))
    }


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
        return lambda enc, msg, value: enc.attributes(value, msg)
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
_BIG_ELEMENTS = 1 << 16  # a compact tensor this big has its fields read one by one (see _present)


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

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
import operator
from collections.abc import Callable, Sequence
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.unknown_fields import UnknownFieldSet
from onnx import AttributeProto, ModelProto, NodeProto, TensorProto, TypeProto

from onnxtext.base.doctree import Flow, big_int_text
from onnxtext.base.progress import Progress, Silent
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
from onnxtext.codecs.plain import plain_payloads
from onnxtext.codecs.policy import Policy
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
        # Readable forms of small things that repeat, by their serialized bytes (which hold every
        # field, unknown ones too): an attribute's ``(name, literal)``, a TypeProto's compact string.
        self.literals: dict[tuple[bytes, frozenset[str]], tuple[str, Any]] = {}
        self.types: dict[bytes, str | None] = {}
        self.tensor_types: dict[tuple[int, tuple[int, ...]], str | None] = {}

    # -- messages -------------------------------------------------------------------------------

    def message(self, msg: Message) -> Any:
        return _encoder_for(msg.DESCRIPTOR)(self, msg)

    def type_proto(self, tp: TypeProto) -> Any:
        """``float32[N,3]`` when that is exact, else the field mapping; decided once per distinct type."""
        raw = tp.SerializeToString()
        compact = self.types.get(raw, _UNSEEN)
        if compact is _UNSEEN:
            compact = self.types[raw] = None if _unknown_anywhere(tp) else format_type(tp)
        return self.fields(tp) if compact is None else compact

    def record(self, msg: Message) -> Flow:
        return Flow(self.fields(msg))

    def fields(self, msg: Message, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
        """The field-by-field mapping of ``msg``: every present field, in document order."""
        out = self.present(msg, _present(msg, skip))
        raw = unknown_bytes(msg)
        if raw:
            out[layout.UNKNOWN_KEY] = encode_base64(raw)
        return out

    def present(self, msg: Message, present: list[tuple[FieldDescriptor, Any]]) -> dict[str, Any]:
        """The mapping of some present fields of ``msg`` (from :func:`_present`), in document order."""
        plan = _plan(msg.DESCRIPTOR)
        rows = [(*plan[field.number], value) for field, value in present]
        rows.sort(key=_RANK)
        return {key: handler(self, msg, value) for _, key, handler, value in rows}

    def floats(self, msg: Message, field: FieldDescriptor, value: Any) -> Any:
        bits = 32 if field.type == _T.TYPE_FLOAT else 64
        if any(v != v for v in value) if field.is_repeated else value != value:
            value = float_field_bytes(msg, field.name)  # the Python API would quiet a signalling NaN
        elif not field.is_repeated:
            value = [value]
        exact = encode_floats(value, bits, signed_zeros=self.policy.signed_zeros)
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
                out["type"] = self.tensor_type(tensor.data_type, tuple(tensor.dims))
                rest = _present(tensor, _COMPACT_SKIP)
                if rest:  # doc_string, external data...; it has no unknown fields (ruled out above)
                    out.update(self.present(tensor, rest))
                out.update(payload)
                return out
        return Flow(self.fields(tensor))

    def tensors(self, tensors: Sequence[TensorProto]) -> list[Flow]:
        """:meth:`tensor` of each of a list (initializers, an attribute's tensors): the plain ones'
        payloads come from one batch (:func:`~onnxtext.codecs.plain.plain_payloads`), the others one
        by one."""
        payloads = plain_payloads(tensors, self.policy, sidecars=self.sidecars is not None)
        out = []
        for tensor, payload in zip(tensors, payloads, strict=True):
            self.tick()
            if payload is None:
                out.append(self.tensor(tensor))
                continue
            form = Flow()
            if tensor.HasField("name"):
                form["name"] = _text(tensor.name)
            form["type"] = self.tensor_type(tensor.data_type, tuple(tensor.dims))
            form.update(payload)
            out.append(form)
        return out

    def tensor_type(self, data_type: int, dims: tuple[int, ...]) -> str | None:
        key = (data_type, dims)
        text = self.tensor_types.get(key, _UNSEEN)
        if text is _UNSEEN:
            text = self.tensor_types[key] = format_tensor_type(data_type, list(dims))
        return text

    def attributes(self, attrs: Any, owner: Message) -> dict[str, Any] | list[Any]:
        """``{name: value}`` (one line unless a value is a graph), or a list of field mappings.

        Most attributes are literals that recur from node to node (``axis: -1``): their
        ``(name, literal)`` is looked up by the attribute's bytes before anything is decided.
        """
        holds_dtype = (
            layout.dtype_attributes(owner.domain, owner.op_type) if isinstance(owner, NodeProto) else _NONE
        )
        if not _order_kept([a.name for a in attrs]):
            return [self.fields_record(a) for a in attrs]
        cache = self.literals
        seen_all = Flow()
        for attr in attrs:  # cached (name, literal) pairs only ever have a str name
            seen = cache.get((attr.SerializeToString(), holds_dtype))
            if seen is None or seen[0] in seen_all:
                break
            seen_all[seen[0]] = _fresh(seen[1])
        else:
            return seen_all
        keys = [(a.SerializeToString(), holds_dtype) for a in attrs]
        known = [cache.get(key) for key in keys]
        if not _distinct_text([a.name if a.HasField("name") else None for a in attrs]):
            return [self.fields_record(a) for a in attrs]
        out = {}
        for attr, key, seen in zip(attrs, keys, known, strict=True):
            if seen is None:
                literal = self.readable_literal(attr, attr.name in holds_dtype)
                if literal is None:
                    value = self.attribute_value(attr)
                    if attr.type in _NUMBER_TYPES and not any(type(v) is dict for v in value.values()):
                        cache[key] = (attr.name, value)  # its field mapping recurs: {type: FLOAT, f: 1.0}
                        value = _fresh(value)
                    out[attr.name] = value
                    continue
                seen = cache[key] = (attr.name, literal)
            out[attr.name] = _fresh(seen[1])
        return out if any(type(v) is dict for v in out.values()) else Flow(out)

    def readable_literal(self, attr: AttributeProto, holds_dtype: bool) -> Any:
        """The attribute's value alone (``1.0e-05``, ``[0, 2, 1]``, ``float16``) when that reads back
        as the same attribute; None when it needs another form."""
        literal = self.literal(attr)
        if literal is None or not _unambiguous(literal, attr, holds_dtype):
            return None
        if holds_dtype and attr.type == AttributeProto.INT:
            dtype = dtype_by_onnx(literal)
            return literal if dtype is None else dtype.name
        return literal

    def attribute_value(self, attr: AttributeProto) -> Any:
        """The value of an attribute that is no literal: a tensor, a graph, else its fields."""
        present = attr.ListFields()
        if len(present) == 3 and attr.HasField("name") and not unknown_bytes(attr):
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
        if attr.type in (AttributeProto.FLOAT, AttributeProto.FLOATS):
            exact = encode_floats([value] if attr.type == AttributeProto.FLOAT else value, 32)
            if not isinstance(exact, list) or not all(map(math.isfinite, exact)):
                return None
            if not self.policy.bare_floats(exact):
                return None
            return exact[0] if attr.type == AttributeProto.FLOAT else exact
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
        """A list of pairs may be written as a mapping when every key is a distinct str, in an order
        that every reader keeps (:func:`_order_kept`)."""
        return _distinct_text(keys) and _order_kept(keys) and not any(unknown_bytes(item) for item in items)


_NAME = frozenset({"name"})
# attribute types whose field mapping holds numbers and lists of numbers (or a {base64: ...} mapping)
_NUMBER_TYPES = frozenset(
    {AttributeProto.FLOAT, AttributeProto.INT, AttributeProto.FLOATS, AttributeProto.INTS}
)
_NONE: frozenset[str] = frozenset()
_UNSEEN: Any = object()
_RANK = operator.itemgetter(0)


def _fresh(value: Any) -> Any:
    """A cached literal or field mapping for one more place in the tree: lists and mappings are copied,
    so no two places share one."""
    kind = type(value)
    if kind is list:
        return list(value)
    if kind is Flow:
        return Flow((key, list(v) if type(v) is list else v) for key, v in value.items())
    return value


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


_ARRAY_INDEX_END = 2**32 - 1


def _order_kept(keys: list[Any]) -> bool:
    """Whether a mapping with ``keys`` reads back in this order everywhere.

    JavaScript (``JSON.parse``, and YAML readers written in it) puts the keys that look like array
    indices (``"2"``, ``"10"``: canonical decimals below 2^32 - 1) first, in ascending order, whatever
    the text says; where that would move a key, the order (part of the model: attributes, metadata,
    opset imports) is kept by the list form instead.
    """
    indices = [k for k in keys if type(k) is str and k.isdecimal() and k.isascii()]
    indices = [k for k in indices if (k == "0" or k[0] != "0") and int(k) < _ARRAY_INDEX_END]
    if not indices:
        return True
    return sorted(indices, key=int) + [k for k in keys if k not in indices] == keys


def _text(value: str | bytes) -> Any:
    """A string field's value: text, or ``{base64: ...}`` when protobuf handed back non-UTF-8 bytes."""
    return value if type(value) is str else {"base64": encode_base64(value)}


def _text_field(_: _Encoder, __: Message, value: str | bytes) -> Any:
    """:func:`_text` as a field handler (the commonest handler, called without a wrapper)."""
    return value if type(value) is str else _text(value)


def _texts(_: _Encoder, __: Message, values: Any) -> list[Any]:
    """A repeated string field's values (:func:`_text` of each); one type check for the whole list."""
    items = list(values)
    for item in items:
        if type(item) is not str:
            return [_text(v) for v in items]
    return items


def _dtype_name(code: int) -> str | int:
    dtype = dtype_by_onnx(code)
    return code if dtype is None else dtype.name


Handler = Callable[[_Encoder, Message, Any], Any]


def _present(msg: Message, skip: frozenset[str]) -> list[tuple[FieldDescriptor, Any]]:
    """The present fields of ``msg`` but ``skip``, as (field, value) pairs.

    The payload of a big compact tensor is never read: ``ListFields`` would copy all of its
    ``raw_data`` out of the message only to drop it.  Anything else takes ``ListFields``, much
    quicker than asking field by field.
    """
    if "raw_data" not in skip or math.prod(msg.dims) < _BIG_ELEMENTS:  # type: ignore[attr-defined]
        present = msg.ListFields()
        return [pair for pair in present if pair[0].name not in skip] if skip else present
    return [
        (field, getattr(msg, field.name))
        for field in msg.DESCRIPTOR.fields
        if field.name not in skip
        and (len(getattr(msg, field.name)) if field.is_repeated else msg.HasField(field.name))
    ]


@functools.cache
def _plan(descriptor: Descriptor) -> dict[int, tuple[int, str, Handler]]:
    """field number -> (rank in document order, document key, encoder), decided once per type."""
    return {
        field.number: (rank, key, _handler(descriptor.full_name, field))
        for rank, (key, field) in enumerate(layout.fields_of(descriptor))
    }


@functools.cache
def _encoder_for(descriptor: Descriptor) -> Callable[[_Encoder, Any], Any]:
    """How a message of this type is encoded (a readable form or its fields), decided once per type."""
    name = descriptor.full_name
    if name == "onnx.TensorProto":
        encode: Callable[[_Encoder, Any], Any] = _Encoder.tensor
    elif name == "onnx.TypeProto":
        encode = _Encoder.type_proto
    else:
        encode = _Encoder.record if name in _RECORDS else _Encoder.fields
    if name not in layout.COUNTED:
        return encode

    def counted(enc: _Encoder, msg: Message) -> Any:
        enc.tick()
        return encode(enc, msg)

    return counted


def _handler(owner: str, field: FieldDescriptor) -> Handler:
    kind, repeated = field.type, field.is_repeated
    if (owner, field.name) in layout.ATTRIBUTE_LISTS:
        return lambda enc, msg, value: enc.attributes(value, msg)
    if (owner, field.name) in layout.DTYPE_FIELDS:
        return lambda enc, _, value: _dtype_name(value)
    if field.message_type is not None:
        entry = field.message_type.full_name
        if entry == "onnx.StringStringEntryProto" and repeated:
            return lambda enc, _, value: enc.entries(value)
        if entry == "onnx.OperatorSetIdProto" and repeated:
            return lambda enc, _, value: enc.opsets(value)
        if entry == "onnx.TensorProto" and repeated:
            return lambda enc, _, value: enc.tensors(value)
        encode = _encoder_for(field.message_type)
        if not repeated:
            return lambda enc, _, value: encode(enc, value)
        return lambda enc, _, value: [encode(enc, item) for item in value]
    if kind in (_T.TYPE_FLOAT, _T.TYPE_DOUBLE):
        return lambda enc, msg, value: enc.floats(msg, field, value)
    if kind == _T.TYPE_STRING:
        return _texts if repeated else _text_field
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

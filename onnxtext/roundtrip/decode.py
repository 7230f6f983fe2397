"""Document tree -> ModelProto: the inverse of :mod:`.encode`.

Every problem is an :class:`OnnxTextError` carrying the document path of the offending element;
the caller that read the text turns the path into ``file:line:col``.  By default the first problem
is raised.  Given a ``problems`` list, the decoder recovers instead: it records the problem, skips
the field, list item or attribute it was reading, and goes on, so one run finds every problem and
still returns the model it could build.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable
from typing import Any, NoReturn

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import DecodeError, Message
from onnx import AttributeProto, ModelProto, NodeProto, TensorProto, TypeProto

from onnxtext.base.doctree import big_int_text, decimal_int
from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import Path
from onnxtext.base.progress import Progress, Silent
from onnxtext.codecs import (
    PAYLOAD_KEYS,
    SidecarReader,
    decode_base64,
    decode_bytes,
    decode_floats,
    decode_payload,
    dtype_by_name,
    dtype_hint,
    set_float_field_bytes,
    set_string_field_bytes,
)
from onnxtext.codecs.messages import kind
from onnxtext.codecs.plain import plain_raw
from onnxtext.roundtrip import layout
from onnxtext.roundtrip.types import TypeStringError, parse_tensor_type, parse_type

_T = FieldDescriptor
_INT_KINDS = {_T.TYPE_INT32, _T.TYPE_INT64, _T.TYPE_UINT32, _T.TYPE_UINT64, _T.TYPE_SINT32, _T.TYPE_SINT64}


def decode_model(
    tree: Any,
    sidecars: SidecarReader | None = None,
    progress: Progress | None = None,
    *,
    problems: list[OnnxTextError] | None = None,
    reuse: Callable[[Message, Any, Path, Callable[[Message, Any, Path], None]], None] | None = None,
) -> ModelProto:
    """Build the ModelProto a document describes; ``sidecars`` reads ``npy:`` payloads.

    ``progress`` advances once per node and per tensor.  With a ``problems`` list, every problem is
    appended there and the element that has it skipped (see the module docstring); a document that
    is not a mapping or has an unsupported format version still raises.  ``reuse``, when given, is
    called for each item of a list of messages instead of decoding it, with the decoding function
    to call (the language server copies the message of an item unchanged since the last version).
    """
    doc = _mapping(tree, ())
    version = doc.get(layout.FORMAT_KEY, layout.FORMAT_VERSION)
    if type(version) is not int or version not in layout.READABLE_VERSIONS:
        readable = " and ".join(map(str, sorted(layout.READABLE_VERSIONS)))
        _fail(
            "E207",
            f"unsupported document format version {version!r}",
            (layout.FORMAT_KEY,),
            f"this onnxtext reads versions {readable}; upgrade onnxtext or re-dump the model",
        )
    model = ModelProto()
    _Decoder(sidecars, progress or Silent(), problems, reuse).fill(
        model, {k: v for k, v in doc.items() if k != layout.FORMAT_KEY}, ()
    )
    return model


def _fail(code: str, message: str, path: Path, hint: str | None = None) -> NoReturn:
    raise OnnxTextError(code, message, path=path, hint=hint)


def _mapping(value: Any, path: Path) -> dict[str, Any]:
    if not isinstance(value, dict):
        _fail("E202", f"expected a mapping, got {kind(value)}", path)
    return value


def _list(value: Any, path: Path) -> list[Any]:
    if not isinstance(value, list):
        _fail("E202", f"expected a list, got {kind(value)}", path, "write a list, e.g. [a, b]")
    return value


class _Decoder:
    def __init__(
        self,
        sidecars: SidecarReader | None,
        progress: Progress,
        problems: list[OnnxTextError] | None,
        reuse: Callable[[Message, Any, Path, Callable[[Message, Any, Path], None]], None] | None = None,
    ) -> None:
        self.reuse = reuse
        self.tensor_types: dict[str, tuple[int, list[int]]] = {}
        self.sidecars = sidecars
        self.tick = progress.advance
        self.problems = problems
        # An attribute literal's AttributeProto bytes, by (name, whether it may name a dtype, value):
        # ``axis: -1`` or ``perm: [0, 2, 1]`` recur from node to node and are decided once.
        self.literals: dict[tuple[Any, ...], bytes] = {}

    def recover(self, err: OnnxTextError) -> None:
        """Record ``err`` and go on when recovering; raise it otherwise."""
        if self.problems is None:
            raise err
        self.problems.append(err)

    # -- messages -------------------------------------------------------------------------------

    def fill(
        self, msg: Message, doc: dict[str, Any], path: Path, forbidden: frozenset[str] = frozenset()
    ) -> None:
        """Set every field named in ``doc`` on ``msg`` (a node's attributes last: they need its op).

        Names, ints and lists of names are set as they are (see :func:`_set_plain`); anything else
        takes the checking path, which builds element paths for its errors.
        """
        slots = _slots(msg.DESCRIPTOR)
        unknown = None
        items: Any = _mapping(doc, path).items()
        if isinstance(msg, NodeProto) and "attributes" in doc:
            items = [*((k, v) for k, v in items if k != "attributes"), ("attributes", doc["attributes"])]
        for key, value in items:
            field, plain = slots.get(key, _NO_SLOT)
            if plain is not None and key not in forbidden and _set_plain(msg, field, plain, value):
                continue
            try:
                if key == layout.UNKNOWN_KEY:
                    unknown = decode_base64(value, path + (key,))
                elif field is None or key in forbidden:
                    self.unknown_key(msg, key, path, forbidden)
                else:
                    self.field(msg, field, value, path + (key,))
            except OnnxTextError as err:
                self.recover(err)
        if unknown:
            try:
                msg.MergeFromString(unknown)
            except DecodeError:
                self.recover(
                    OnnxTextError(
                        "E302", "unknown_fields is not valid protobuf", path=path + (layout.UNKNOWN_KEY,)
                    )
                )

    def unknown_key(self, msg: Message, key: str, path: Path, forbidden: frozenset[str]) -> NoReturn:
        known = [k for k in layout.field_of(msg.DESCRIPTOR) if k not in forbidden]
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"keys allowed here: {', '.join(known)}"
        if key in forbidden:
            hint = "the compact form names the type in 'type:' and the data in values/base64/npy"
        _fail("E201", f"unknown key {key!r} in {msg.DESCRIPTOR.name}", path + (key,), hint)

    def message(self, msg: Message, value: Any, path: Path) -> None:
        name = msg.DESCRIPTOR.full_name
        if name in layout.COUNTED:
            self.tick()
        if name == "onnx.TypeProto" and isinstance(value, str):
            msg.CopyFrom(self.type_string(value, path))
        elif name == "onnx.TensorProto" and isinstance(value, dict) and "type" in value:
            self.compact_tensor(msg, value, path)
        else:
            msg.SetInParent()
            if name != "onnx.NodeProto" or not self.plain_node(msg, value, path):
                self.fill(msg, value, path)

    def plain_node(self, node: NodeProto, doc: Any, path: Path) -> bool:
        """The common node (names and lists of names, then attributes), set in one go as :meth:`fill`
        would set it; False, with the node left empty, for any other."""
        if type(doc) is not dict:
            return False
        attributes = _ABSENT
        try:
            for key, value in doc.items():
                field = _NODE_NAMES.get(key)
                if field is None:
                    if key != "attributes":
                        raise TypeError(key)
                    attributes = value
                elif field[1]:
                    if type(value) is not list or not _STR.issuperset(map(type, value)):
                        raise TypeError(key)
                    getattr(node, field[0]).extend(value)
                elif type(value) is str:
                    setattr(node, field[0], value)
                else:
                    raise TypeError(key)
        except (TypeError, ValueError):  # e.g. a lone surrogate: the checking path says where
            node.Clear()
            return False
        if attributes is not _ABSENT:
            try:
                self.attributes(node, node.attribute, attributes, (*path, "attributes"))
            except OnnxTextError as err:
                self.recover(err)
        return True

    def plain_tensor(self, container: Any, doc: Any) -> bool:
        """Add the common compact tensor (``name``, ``type`` and a short ``values`` list or a Base64
        text: :func:`~onnxtext.codecs.plain.plain_raw`) to ``container`` in one call, as
        :meth:`compact_tensor` would build it; False, adding nothing, for any other."""
        text = doc.get("type") if type(doc) is dict else None
        if type(text) is not str:
            return False
        known = self.tensor_types.get(text)
        if known is None:
            try:
                known = self.tensor_types[text] = parse_tensor_type(text)
            except TypeStringError:
                return False  # the checking path says what is wrong, and where
        raw = plain_raw(doc, *known)
        name = doc.get("name", "")
        if raw is None or type(name) is not str:
            return False
        data_type, dims = known
        try:
            if "name" in doc:
                container.add(dims=dims, data_type=data_type, name=name, raw_data=raw)
            else:
                container.add(dims=dims, data_type=data_type, raw_data=raw)
        except ValueError:  # e.g. a lone surrogate in the name: the checking path says where
            return False
        self.tick()
        return True

    def type_string(self, text: str, path: Path) -> TypeProto:
        try:
            return parse_type(text)
        except TypeStringError as err:
            _fail(
                err.code,
                str(err),
                path,
                err.hint or "types look like float32[N,3,224,224], seq(int64[]), map(int64, float32)",
            )

    def compact_tensor(self, tensor: TensorProto, doc: dict[str, Any], path: Path) -> None:
        tensor.data_type, dims = self.tensor_type(doc["type"], path)
        tensor.dims.extend(dims)
        rest = {k: v for k, v in doc.items() if k != "type" and k not in PAYLOAD_KEYS}
        self.fill(tensor, rest, path, forbidden=layout.COMPACT_TENSOR_FIELDS)
        payload = {k: v for k, v in doc.items() if k in PAYLOAD_KEYS}
        if payload:
            decode_payload(payload, tensor, path, self.sidecars)

    def tensor_type(self, text: Any, path: Path) -> tuple[int, list[int]]:
        """A compact tensor's ``type:`` as (data_type, dims); read once per distinct string."""
        known = self.tensor_types.get(text) if type(text) is str else None
        if known is not None:
            return known
        try:
            known = self.tensor_types[text] = parse_tensor_type(_str(text, path + ("type",)))
        except TypeStringError as err:
            hint = err.hint or "tensor types look like float32[2,3], int64[] (a scalar)"
            _fail(err.code, str(err), path + ("type",), hint)
        return known

    # -- fields ---------------------------------------------------------------------------------

    def field(self, msg: Message, field: FieldDescriptor, value: Any, path: Path) -> None:
        """Set one field by the checking path (:meth:`fill` has tried :func:`_set_plain`)."""
        owner = msg.DESCRIPTOR.full_name
        if (owner, field.name) in layout.ATTRIBUTE_LISTS:
            self.attributes(msg, getattr(msg, field.name), value, path)
        elif (owner, field.name) in layout.DTYPE_FIELDS:
            self.set(msg, field.name, self.dtype_code(value, path), path)
        elif field.message_type is None:
            self.scalar(msg, field, value, path)
        elif not field.is_repeated:
            self.message(getattr(msg, field.name), value, path)
        else:
            container = getattr(msg, field.name)
            entry = field.message_type.full_name
            if entry == "onnx.StringStringEntryProto" and isinstance(value, dict):
                self.pairs(container, value, path, "key", "value", _str)
            elif entry == "onnx.OperatorSetIdProto" and isinstance(value, dict):
                self.pairs(container, value, path, "domain", "version", _int)
            else:
                tensors = entry == "onnx.TensorProto" and self.reuse is None
                for i, item in enumerate(_list(value, path)):
                    if tensors and self.plain_tensor(container, item):
                        continue
                    try:
                        if self.reuse is None:
                            self.message(container.add(), item, path + (i,))
                        else:
                            self.reuse(container.add(), item, path + (i,), self.message)
                    except OnnxTextError as err:
                        del container[-1]  # skipped: the rest of the list still counts
                        self.recover(err)

    def pairs(
        self,
        container: Any,
        doc: dict[str, Any],
        path: Path,
        key: str,
        value: str,
        check: Callable[[Any, Path], Any],
    ) -> None:
        for name, item in doc.items():
            entry = container.add()
            setattr(entry, key, name)
            try:
                self.set(entry, value, check(item, path + (name,)), path + (name,))
            except OnnxTextError as err:
                del container[-1]
                self.recover(err)

    def dtype_code(self, value: Any, path: Path) -> int:
        if isinstance(value, str):
            dtype = dtype_by_name(value)
            if dtype is None:
                _fail("E204", f"unknown element type {value!r}", path, dtype_hint(value))
            return dtype.onnx
        return _int(value, path)

    def scalar(self, msg: Message, field: FieldDescriptor, value: Any, path: Path) -> None:
        kind = field.type
        if kind in (_T.TYPE_FLOAT, _T.TYPE_DOUBLE):
            bits = 32 if kind == _T.TYPE_FLOAT else 64
            numbers = decode_floats(
                value if field.is_repeated or isinstance(value, dict) else [value], bits, path
            )
            if not field.is_repeated and len(numbers) != 1:
                _fail("E202", f"expected one number, got {len(numbers)}", path)
            set_float_field_bytes(msg, field.name, numbers.astype(numbers.dtype.newbyteorder("<")).tobytes())
            return
        decode = self.scalar_decoder(field)
        if field.is_repeated:
            items = [decode(item, path + (i,)) for i, item in enumerate(_list(value, path))]
            if kind == _T.TYPE_STRING and any(type(item) is bytes for item in items):
                for item in items:
                    set_string_field_bytes(msg, field.name, item)
                return
            try:
                getattr(msg, field.name).extend(items)
            except (TypeError, ValueError) as err:
                _fail("E202", f"bad value in {field.name}: {err}", path)
        else:
            item = decode(value, path)
            if kind == _T.TYPE_STRING and type(item) is bytes:
                set_string_field_bytes(msg, field.name, item)
            else:
                self.set(msg, field.name, item, path)

    def scalar_decoder(self, field: FieldDescriptor) -> Callable[[Any, Path], Any]:
        kind = field.type
        if kind == _T.TYPE_STRING:
            return _text
        if kind == _T.TYPE_BYTES:
            return _raw_bytes if field.name == "raw_data" else decode_bytes
        if kind == _T.TYPE_ENUM:
            return lambda value, path: _enum(field, value, path)
        if kind in _INT_KINDS:
            return _int
        if kind == _T.TYPE_BOOL:
            return _bool
        _fail("E202", f"field {field.name} has an unsupported protobuf type {kind}", ())

    def set(self, msg: Message, name: str, value: Any, path: Path) -> None:
        try:
            setattr(msg, name, value)
        except (TypeError, ValueError) as err:
            _fail("E202", f"bad value for {name}: {err}", path)

    # -- attributes ---------------------------------------------------------------------------

    def attributes(self, owner: Message, container: Any, value: Any, path: Path) -> None:
        holds_dtype = (
            layout.dtype_attributes(owner.domain, owner.op_type) if isinstance(owner, NodeProto) else _NONE
        )
        if isinstance(value, list):
            for i, item in enumerate(value):
                try:
                    self.fill(container.add(), item, path + (i,))
                except OnnxTextError as err:
                    del container[-1]
                    self.recover(err)
            return
        literals = self.literals
        for name, item in _mapping(value, path).items():
            key = _literal_key(name, item, holds_dtype)
            known = None if key is None else literals.get(key)
            if known is not None:
                container.add().MergeFromString(known)
                continue
            attr = container.add()
            attr.name = name
            try:
                self.attribute(attr, item, path + (name,), name in holds_dtype)
            except OnnxTextError as err:
                del container[-1]
                self.recover(err)
                continue
            if key is not None:
                literals[key] = attr.SerializeToString()

    def attribute(self, attr: AttributeProto, value: Any, path: Path, holds_dtype: bool) -> None:
        """An attribute's value: a literal, a tensor, a graph, or a mapping of its fields."""
        if not isinstance(value, dict):
            self.literal(attr, value, path, holds_dtype)
            return
        form = value.get("type")
        if isinstance(form, str) and "[" in form:
            attr.type = AttributeProto.TENSOR
            self.message(attr.t, value, path)
        elif "type" in value or not value.keys().isdisjoint(layout.ATTRIBUTE_ONLY_KEYS):
            fields = {k: v for k, v in value.items() if not (k == "type" and v is None)}
            self.fill(attr, fields, path, forbidden=_NAME)
        else:
            attr.type = AttributeProto.GRAPH
            self.message(attr.g, value, path)

    def literal(self, attr: AttributeProto, value: Any, path: Path, holds_dtype: bool) -> None:
        """``1`` is INT, ``1.0`` FLOAT, ``'x'`` STRING, lists likewise; anything else is refused.

        Where an element type is expected, its name is an INT (``to: float16``); a decimal string
        beyond +-(2^53 - 1) is an integer (JSON writes those as strings).
        """
        if isinstance(value, list):
            if not value:
                _fail(
                    "E205",
                    "an empty list does not say its attribute type",
                    path,
                    "write {type: INTS} (or FLOATS, STRINGS, ...) for an empty list",
                )
            kinds = {type(v) for v in value}
            if str in kinds and all(type(v) is int or big_int_text(v) is not None for v in value):
                value, kinds = [v if type(v) is int else int(v) for v in value], {int}
            if kinds == {int}:
                attr.type, field = AttributeProto.INTS, "ints"
            elif kinds <= {int, float}:
                attr.type, field = AttributeProto.FLOATS, "floats"
            elif kinds == {str}:
                attr.type, field = AttributeProto.STRINGS, "strings"
            else:
                _fail(
                    "E205",
                    "a list attribute must hold only numbers or only strings",
                    path,
                    "use {type: ..., <field>: ...} for other attribute kinds",
                )
            self.scalar(attr, AttributeProto.DESCRIPTOR.fields_by_name[field], value, path)
        elif type(value) is int:
            attr.type = AttributeProto.INT
            self.set(attr, "i", value, path)
        elif type(value) is float:
            attr.type = AttributeProto.FLOAT
            attr.f = value
        elif isinstance(value, str):
            code = _dtype_attribute(value) if holds_dtype else None
            if code is None:
                code = big_int_text(value)
            if code is not None:
                attr.type = AttributeProto.INT
                self.set(attr, "i", code, path)
            else:
                attr.type = AttributeProto.STRING
                attr.s = value.encode("utf-8", "surrogatepass")
        else:
            _fail(
                "E205",
                f"{kind(value)} is not an attribute value",
                path,
                "write a number, a string, a list, a tensor {type: 'float32[2]', values: [...]}, "
                "a graph, or {type: <AttributeType>, ...} with the attribute's fields",
            )


_NAME = frozenset({"name"})
_NONE: frozenset[str] = frozenset()
_ABSENT: Any = object()
_STR = frozenset({str})
# NodeProto's string fields by document key: (field name, repeated)
_NODE_NAMES = {
    key: (field.name, field.is_repeated)
    for key, field in layout.fields_of(NodeProto.DESCRIPTOR)
    if field.type == _T.TYPE_STRING
}


def _literal_key(name: Any, value: Any, holds_dtype: frozenset[str]) -> tuple[Any, ...] | None:
    """What decides the attribute a literal becomes, as a dict key (types kept apart: ``1``,
    ``1.0`` and ``True`` are equal in Python, and so are ``0.0`` and ``-0.0``); None for a value
    that is not a short literal."""
    kind = type(value)
    if kind is int or kind is str:
        return (name, name in holds_dtype, kind, value)
    if kind is float:
        return (name, False, kind, value.hex())
    if kind is list and len(value) <= 16 and set(map(type, value)) == _INT:
        return (name, False, list, *value)
    return None


_INT = {int}


def _dtype_attribute(name: str) -> int | None:
    dtype = dtype_by_name(name)
    return None if dtype is None else dtype.onnx


_PLAIN = {_T.TYPE_STRING: str, **dict.fromkeys(_INT_KINDS, int)}


@functools.cache
def _plain_type(owner: str, field: FieldDescriptor) -> type | None:
    """The Python type a field takes as it is (str or int), or None when it needs a decoder."""
    if (owner, field.name) in layout.DTYPE_FIELDS:
        return None
    return _PLAIN.get(field.type)


_NO_SLOT: tuple[None, None] = (None, None)


@functools.cache
def _slots(descriptor: Descriptor) -> dict[str, tuple[FieldDescriptor, type | None]]:
    """document key -> (field, :func:`_plain_type`), decided once per message type."""
    owner = descriptor.full_name
    return {key: (field, _plain_type(owner, field)) for key, field in layout.fields_of(descriptor)}


def _set_plain(msg: Message, field: FieldDescriptor, plain: type, value: Any) -> bool:
    """The fast path for the common case (a name, an int, a list of names): True when it is done.

    Anything unusual (wrong kinds, out-of-range ints, {base64: ...} strings) is left to the checking
    path, which knows the element paths for its errors.
    """
    try:
        if not field.is_repeated:
            if type(value) is not plain:
                return False
            setattr(msg, field.name, value)
        elif type(value) is list and all(type(item) is plain for item in value):
            getattr(msg, field.name).extend(value)
        else:
            return False
    except (TypeError, ValueError):
        msg.ClearField(field.name)
        return False
    return True


def _str(value: Any, path: Path) -> str:
    if not isinstance(value, str):
        _fail("E202", f"expected a string, got {kind(value)}", path, "quote it: 'text'")
    return value


def _text(value: Any, path: Path) -> str | bytes:
    """A proto string field: text, or ``{base64: ...}`` for bytes that are not UTF-8."""
    if isinstance(value, dict):
        return decode_bytes(value, path)
    return _str(value, path)


def _raw_bytes(value: Any, path: Path) -> bytes:
    return decode_base64(_str(value, path), path)


def _int(value: Any, path: Path) -> int:
    """An integer, or its decimal string (JSON writes integers beyond +-(2^53 - 1) so)."""
    if type(value) is int:
        return value
    number = decimal_int(value)
    if number is None:
        _fail("E202", f"expected an integer, got {kind(value)}", path)
    return number


def _bool(value: Any, path: Path) -> bool:
    if type(value) is not bool:
        _fail("E202", f"expected true or false, got {kind(value)}", path)
    return value


def _enum(field: FieldDescriptor, value: Any, path: Path) -> int:
    names = field.enum_type.values_by_name
    if isinstance(value, str) and value in names:
        return names[value].number
    close = difflib.get_close_matches(value.upper(), names, n=1) if isinstance(value, str) else []
    hint = f"did you mean {close[0]!r}?" if close else f"one of: {', '.join(names)}"
    _fail("E204", f"unknown {field.enum_type.name} {value!r}", path, hint)

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

from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import Path
from onnxtext.base.progress import Progress, Silent
from onnxtext.codecs import (
    PAYLOAD_KEYS,
    SidecarReader,
    decode_base64,
    decode_payload,
)
from onnxtext.codecs.plain import plain_raw
from onnxtext.roundtrip import layout
from onnxtext.roundtrip.literals import literal_key, set_literal
from onnxtext.roundtrip.types import TypeStringError, parse_tensor_type, parse_type
from onnxtext.roundtrip.values import (
    INT_KINDS,
    as_int,
    as_list,
    as_mapping,
    as_str,
    dtype_code,
    fail,
    set_field,
    set_scalar,
)

_T = FieldDescriptor


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
    doc = as_mapping(tree, ())
    version = doc.get(layout.FORMAT_KEY, layout.FORMAT_VERSION)
    if type(version) is not int or version not in layout.READABLE_VERSIONS:
        readable = " and ".join(map(str, sorted(layout.READABLE_VERSIONS)))
        fail(
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
        items: Any = as_mapping(doc, path).items()
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
        fail("E201", f"unknown key {key!r} in {msg.DESCRIPTOR.name}", path + (key,), hint)

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
            fail(
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
            known = self.tensor_types[text] = parse_tensor_type(as_str(text, path + ("type",)))
        except TypeStringError as err:
            hint = err.hint or "tensor types look like float32[2,3], int64[] (a scalar)"
            fail(err.code, str(err), path + ("type",), hint)
        return known

    # -- fields ---------------------------------------------------------------------------------

    def field(self, msg: Message, field: FieldDescriptor, value: Any, path: Path) -> None:
        """Set one field by the checking path (:meth:`fill` has tried :func:`_set_plain`)."""
        owner = msg.DESCRIPTOR.full_name
        if (owner, field.name) in layout.ATTRIBUTE_LISTS:
            self.attributes(msg, getattr(msg, field.name), value, path)
        elif (owner, field.name) in layout.DTYPE_FIELDS:
            set_field(msg, field.name, dtype_code(value, path), path)
        elif field.message_type is None:
            set_scalar(msg, field, value, path)
        elif not field.is_repeated:
            self.message(getattr(msg, field.name), value, path)
        else:
            container = getattr(msg, field.name)
            entry = field.message_type.full_name
            if entry == "onnx.StringStringEntryProto" and isinstance(value, dict):
                self.pairs(container, value, path, "key", "value", as_str)
            elif entry == "onnx.OperatorSetIdProto" and isinstance(value, dict):
                self.pairs(container, value, path, "domain", "version", as_int)
            else:
                tensors = entry == "onnx.TensorProto" and self.reuse is None
                for i, item in enumerate(as_list(value, path)):
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
                set_field(entry, value, check(item, path + (name,)), path + (name,))
            except OnnxTextError as err:
                del container[-1]
                self.recover(err)

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
        for name, item in as_mapping(value, path).items():
            key = literal_key(name, item, holds_dtype)
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
            set_literal(attr, value, path, holds_dtype)
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


_PLAIN = {_T.TYPE_STRING: str, **dict.fromkeys(INT_KINDS, int)}


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

"""The document's shapes as JSON Schema definitions, walked from ONNX's protobuf descriptors.

Every message becomes an object whose keys are the encoder's (:func:`onnxtext.roundtrip.layout.fields_of`:
document names, plurals, fields a newer onnx adds) and whose values follow the field's protobuf
type, with the readable forms the encoder writes where it writes them (the same tables:
``DTYPE_FIELDS``, ``ATTRIBUTE_LISTS``, the compact tensor's payload keys from the codecs):

- a type is a type string or a mapping of TypeProto fields;
- a tensor with a ``type`` key is compact (``type: float32[2,3]`` plus one payload), else field by field;
- node attributes are ``{name: value}`` (a literal, an element type name, a tensor, a graph, or the
  AttributeProto's fields with ``type``) or a list of AttributeProto mappings;
- opset imports and string entries are mappings, or lists of their fields.

Definitions carry no description of their own: an editor's hover shows the first description it
meets, and that must be the op's or the attribute's text (see :mod:`.ops`), not a generic one.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from onnx import AttributeProto, ModelProto, TensorProto, TypeProto

from onnxtext.codecs import DTYPE_NAMES, DTYPES
from onnxtext.codecs.payload import BASE64, DIGEST, NPY, SHA256, STORAGE, VALUES
from onnxtext.codecs.storage import RAW, TYPED_FIELDS
from onnxtext.roundtrip import layout
from onnxtext.roundtrip.external import DATA_DIR_KEY
from onnxtext.schema import patterns

Schema = dict[str, Any]
_T = FieldDescriptor
_INT_RANGES = {
    _T.TYPE_INT32: (-(2**31), 2**31 - 1),
    _T.TYPE_SINT32: (-(2**31), 2**31 - 1),
    _T.TYPE_INT64: (-(2**63), 2**63 - 1),
    _T.TYPE_SINT64: (-(2**63), 2**63 - 1),
    _T.TYPE_UINT32: (0, 2**32 - 1),
    _T.TYPE_UINT64: (0, 2**64 - 1),
}
ATTRIBUTE_TYPES: tuple[str, ...] = tuple(
    value.name for value in AttributeProto.DESCRIPTOR.enum_types_by_name["AttributeType"].values
)[1:]  # without UNDEFINED


def ref(name: str) -> Schema:
    return {"$ref": f"#/$defs/{name}"}


def definitions() -> dict[str, Schema]:
    """Every definition the document's shapes use, keyed by name (``GraphProto``, ``type``...)."""
    defs: dict[str, Schema] = {**_scalars(), **_special_forms()}
    pending = [ModelProto.DESCRIPTOR]
    while pending:
        descriptor = pending.pop()
        name = "type" if descriptor is TypeProto.DESCRIPTOR else _def_name(descriptor)
        if name in defs:
            continue
        defs[name] = _type() if descriptor is TypeProto.DESCRIPTOR else message(descriptor)
        pending.extend(f.message_type for _, f in layout.fields_of(descriptor) if f.message_type is not None)
    defs["AttributeProto.value"] = message(AttributeProto.DESCRIPTOR, skip=frozenset({"name"}))
    defs["AttributeProto.value"]["required"] = ["type"]
    for name in ("AttributeProto", "AttributeProto.value"):
        defs[name]["properties"]["type"] = {"enum": [*ATTRIBUTE_TYPES, None]}
    return defs


def root() -> Schema:
    """The document itself: the format version, where external data lives, and the model's fields."""
    schema = message(ModelProto.DESCRIPTOR)
    schema["properties"] = {
        layout.FORMAT_KEY: {
            "enum": sorted(layout.READABLE_VERSIONS),
            "markdownDescription": f"The onnxtext document format (`onnxtext dump` writes "
            f"{layout.FORMAT_VERSION}).",
        },
        DATA_DIR_KEY: {
            "type": "string",
            "markdownDescription": "The folder of the model's external data files, relative to the document.",
        },
        **schema["properties"],
    }
    return schema


def _def_name(descriptor: Descriptor) -> str:
    return descriptor.full_name.removeprefix("onnx.")


def message(descriptor: Descriptor, skip: frozenset[str] = frozenset()) -> Schema:
    """An object with the message's document keys (and ``unknown_fields``) and nothing else."""
    properties = {
        key: field_schema(descriptor.full_name, field)
        for key, field in layout.fields_of(descriptor)
        if key not in skip
    }
    properties[layout.UNKNOWN_KEY] = ref("base64")
    return {"type": "object", "properties": properties, "additionalProperties": False}


def field_schema(owner: str, field: FieldDescriptor) -> Schema:
    """What the encoder writes for one field (mirrors ``encode._handler``)."""
    repeated = field.is_repeated
    if (owner, field.name) in layout.ATTRIBUTE_LISTS:
        return ref("attributes")
    if (owner, field.name) in layout.DTYPE_FIELDS:
        return ref("dtype")
    if field.message_type is not None:
        entry = field.message_type.full_name
        if repeated and entry == "onnx.StringStringEntryProto":
            return ref("entries")
        if repeated and entry == "onnx.OperatorSetIdProto":
            return ref("opset_import")
        item = ref(_SPECIAL.get(entry, _def_name(field.message_type)))
        return {"type": "array", "items": item} if repeated else item
    if field.type == _T.TYPE_BYTES and field.name == "raw_data":
        return ref("base64")
    if field.type in (_T.TYPE_FLOAT, _T.TYPE_DOUBLE):
        return ref("floats" if repeated else "float")
    item = _scalar(field)
    return {"type": "array", "items": item} if repeated else item


def _scalar(field: FieldDescriptor) -> Schema:
    if field.type in (_T.TYPE_STRING, _T.TYPE_BYTES):
        return ref("text")
    if field.type == _T.TYPE_BOOL:
        return {"type": "boolean"}
    if field.type == _T.TYPE_ENUM:
        return {"enum": [value.name for value in field.enum_type.values]}
    low, high = _INT_RANGES[field.type]
    return integer(low, high)


def integer(low: int, high: int) -> Schema:
    """An integer in range, or its decimal string (JSON writes integers beyond +-2^53 as strings)."""
    return {"type": ["integer", "string"], "pattern": patterns.DECIMAL_INT, "minimum": low, "maximum": high}


def _scalars() -> dict[str, Schema]:
    base64_object = {
        "properties": {"base64": ref("base64")},
        "required": ["base64"],
        "additionalProperties": False,
    }
    float_item = {
        "type": ["number", "string"],
        "pattern": patterns.FLOAT_WORD,
        "patternErrorMessage": "a number, or NaN, Infinity, -Infinity",
    }
    return {
        "base64": {
            "type": "string",
            "pattern": patterns.BASE64,
            "patternErrorMessage": "standard Base64: A-Z a-z 0-9 + / with '=' padding",
        },
        # a string field: text, or {base64: ...} for bytes that are not UTF-8
        "text": {"type": ["string", "object"], **base64_object},
        "float_item": float_item,
        # a float field: a number (NaN spelt out in JSON), or {base64: ...} for exact bits
        "float": {**float_item, "type": ["number", "string", "object"], **base64_object},
        "floats": {"type": ["array", "object"], "items": ref("float_item"), **base64_object},
        "dtype": {
            "anyOf": [{"enum": list(DTYPE_NAMES)}, integer(-(2**31), 2**31 - 1)],
            "errorMessage": "an element type: " + ", ".join(DTYPE_NAMES),
        },
    }


# message full name -> the definition a field of that message type refers to
_SPECIAL = {"onnx.TypeProto": "type", "onnx.TensorProto": "tensor"}


def _special_forms() -> dict[str, Schema]:
    return {
        "tensor": {
            "type": "object",
            "if": {"required": ["type"]},
            "then": ref("TensorProto.compact"),
            "else": ref("TensorProto"),
        },
        "TensorProto.compact": _compact_tensor(),
        "attributes": {
            "type": ["object", "array"],
            "additionalProperties": ref("attribute_value"),
            "items": ref("AttributeProto"),
        },
        "attribute_value": _attribute_value(),
        "opset_import": {
            "type": ["object", "array"],
            "additionalProperties": integer(-(2**63), 2**63 - 1),
            "items": ref("OperatorSetIdProto"),
        },
        "entries": {
            "type": ["object", "array"],
            "additionalProperties": ref("text"),
            "items": ref("StringStringEntryProto"),
        },
    }


def _type() -> Schema:
    """A type string, or the TypeProto's fields where a string cannot say it (denotations...)."""
    fields = message(TypeProto.DESCRIPTOR)
    return {
        **fields,
        "type": ["string", "object"],
        "pattern": patterns.TYPE_STRING,
        "patternErrorMessage": "a type like float32[N,3,224,224], float32 (shape unknown), "
        "int64[] (a scalar), seq(float32[?]), optional(int64[]), map(int64, float32), "
        "sparse(float32[10,10]); element types: " + ", ".join(DTYPE_NAMES),
    }


def _compact_tensor() -> Schema:
    """``name``, ``type: float32[2,3]``, the TensorProto fields the type does not say, and one payload."""
    fields = message(TensorProto.DESCRIPTOR, skip=layout.COMPACT_TENSOR_FIELDS)
    number = ref("float_item")
    digest = {
        "type": "object",
        "properties": {
            SHA256: {"type": "string", "pattern": patterns.SHA256_PREFIX},
            "min": number,
            "max": number,
            "mean": number,
        },
        "required": [SHA256],
        "additionalProperties": False,
    }
    fields["properties"].update(
        {
            "type": {
                "type": "string",
                "pattern": patterns.TENSOR_TYPE,
                "patternErrorMessage": "a tensor type: the element type and every dimension a number, "
                "like float32[2,3] or int64[] (a scalar)",
            },
            STORAGE: {"enum": [RAW, *TYPED_FIELDS]},
            VALUES: {"type": "array"},
            BASE64: ref("base64"),
            NPY: {"type": "string", "minLength": 1},
            SHA256: {"type": "string", "pattern": patterns.SHA256},
            DIGEST: digest,
        }
    )
    fields["dependentRequired"] = {SHA256: [NPY]}
    fields["allOf"] = [_values_of(kind) for kind in ("float", "int", "bool", "complex", "string")]
    return fields


def _values_of(kind: str) -> Schema:
    """``values`` items follow the element type: numbers, integers, booleans, [re, im] pairs, text."""
    names = [dtype.name for dtype in DTYPES if dtype.kind == kind]
    if kind == "float":
        item = ref("float_item")
    elif kind == "int":
        item = integer(-(2**64), 2**64)
    elif kind == "bool":
        item = {"type": "boolean"}
    elif kind == "complex":
        item = {"type": "array", "items": ref("float_item"), "minItems": 2, "maxItems": 2}
    else:
        item = ref("text")
    alternation = "|".join(sorted(names, key=lambda name: (-len(name), name)))
    return {
        "if": {"properties": {"type": {"pattern": rf"^\s*(?:{alternation})\s*\["}}},
        "then": {"properties": {VALUES: {"items": item}}},
    }


def _attribute_value() -> Schema:
    """A node attribute's value, told apart as the decoder does (``decode._Decoder.attribute``)."""
    field_form = {"anyOf": [{"required": [key]} for key in ("type", *sorted(layout.ATTRIBUTE_ONLY_KEYS))]}
    return {
        "type": ["integer", "number", "string", "array", "object"],
        "if": {"type": "object"},
        "then": {
            "if": {"required": ["type"], "properties": {"type": {"type": "string", "pattern": r"\["}}},
            "then": ref("TensorProto.compact"),
            "else": {"if": field_form, "then": ref("AttributeProto.value"), "else": ref("GraphProto")},
        },
        "else": {
            "minItems": 1,
            "items": {"type": ["number", "string"]},
            # a list holds numbers or strings, not both (a string spelling a big integer counts as one)
            "if": {"contains": {"type": "string", "not": {"pattern": patterns.BIG_INT}}},
            "then": {"items": {"type": "string"}},
        },
    }

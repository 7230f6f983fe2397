"""How each protobuf message is laid out as a document mapping: key names and key order.

Keys are the proto field names except where a plural reads better (``node`` -> ``nodes``).
Fields not listed (a newer onnx may add some) still round-trip: they follow the listed ones in
field-number order under their proto name.  Encoder and decoder both read this table.
"""

from __future__ import annotations

import functools

from google.protobuf.descriptor import Descriptor, FieldDescriptor

FORMAT_KEY = "onnxtext"
FORMAT_VERSION = 2
READABLE_VERSIONS = frozenset({1, 2})  # format 1 is a subset of format 2 in all but corner cases
UNKNOWN_KEY = "unknown_fields"

# messages a progress report counts: what makes a model big or long.
COUNTED = frozenset({"onnx.NodeProto", "onnx.TensorProto"})
# TensorProto fields that hold a payload (at most one is set in a well-formed tensor).
PAYLOAD_FIELDS = (
    "raw_data",
    "float_data",
    "int32_data",
    "string_data",
    "int64_data",
    "double_data",
    "uint64_data",
)
# TensorProto fields the compact form says through ``type:`` and its payload keys.
COMPACT_TENSOR_FIELDS = frozenset({"data_type", "dims", *PAYLOAD_FIELDS})
# int fields that hold an ONNX element type: written by name (float32) when known.
DTYPE_FIELDS = frozenset(
    {
        ("onnx.TensorProto", "data_type"),
        ("onnx.TypeProto.Tensor", "elem_type"),
        ("onnx.TypeProto.SparseTensor", "elem_type"),
        ("onnx.TypeProto.Map", "key_type"),
    }
)
# repeated AttributeProto fields written as {name: value}.
ATTRIBUTE_LISTS = frozenset({("onnx.NodeProto", "attribute"), ("onnx.FunctionProto", "attribute_proto")})
# AttributeProto keys no GraphProto has: a mapping with none of them (and no ``type``) is a graph.
ATTRIBUTE_ONLY_KEYS = frozenset(
    {"f", "i", "s", "t", "g", "sparse_tensor", "tp", "floats", "ints", "strings", "tensors", "graphs"}
    | {"sparse_tensors", "type_protos", "ref_attr_name"}
)
# INT attributes of the ONNX domain that hold a TensorProto data type: written by name (``to: float16``).
# Taken from onnx.defs (tests/roundtrip/test_layout.py checks it against the schemas' descriptions).
DTYPE_ATTRIBUTES: dict[str, frozenset[str]] = {
    "Attention": frozenset({"softmax_precision"}),
    "Bernoulli": frozenset({"dtype"}),
    "BitCast": frozenset({"to"}),
    "BlackmanWindow": frozenset({"output_datatype"}),
    "Cast": frozenset({"to"}),
    "DequantizeLinear": frozenset({"output_dtype"}),
    "EyeLike": frozenset({"dtype"}),
    "GroupNormalization": frozenset({"stash_type"}),
    "HammingWindow": frozenset({"output_datatype"}),
    "HannWindow": frozenset({"output_datatype"}),
    "LayerNormalization": frozenset({"stash_type"}),
    "MelWeightMatrix": frozenset({"output_datatype"}),
    "Multinomial": frozenset({"dtype"}),
    "QuantizeLinear": frozenset({"output_dtype", "precision"}),
    "RMSNormalization": frozenset({"stash_type"}),
    "RandomNormal": frozenset({"dtype"}),
    "RandomNormalLike": frozenset({"dtype"}),
    "RandomUniform": frozenset({"dtype"}),
    "RandomUniformLike": frozenset({"dtype"}),
    "Range": frozenset({"stash_type"}),
    "SequenceEmpty": frozenset({"dtype"}),
}
ONNX_DOMAINS = frozenset({"", "ai.onnx"})


def dtype_attributes(domain: str, op_type: str) -> frozenset[str]:
    """The attributes of an op that hold an element type (empty for other ops and custom domains)."""
    return DTYPE_ATTRIBUTES.get(op_type, frozenset()) if domain in ONNX_DOMAINS else frozenset()


# message full name -> ((document key, proto field name), ...) in document order
_ORDER: dict[str, tuple[tuple[str, str], ...]] = {
    "onnx.ModelProto": (
        ("ir_version", "ir_version"),
        ("opset_import", "opset_import"),
        ("producer_name", "producer_name"),
        ("producer_version", "producer_version"),
        ("domain", "domain"),
        ("model_version", "model_version"),
        ("doc_string", "doc_string"),
        ("metadata_props", "metadata_props"),
        ("graph", "graph"),
        ("functions", "functions"),
        ("training_info", "training_info"),
        ("configuration", "configuration"),
    ),
    "onnx.GraphProto": (
        ("name", "name"),
        ("doc_string", "doc_string"),
        ("inputs", "input"),
        ("outputs", "output"),
        ("initializers", "initializer"),
        ("sparse_initializers", "sparse_initializer"),
        ("nodes", "node"),
        ("value_info", "value_info"),
        ("quantization_annotation", "quantization_annotation"),
        ("metadata_props", "metadata_props"),
    ),
    "onnx.NodeProto": (
        ("op_type", "op_type"),
        ("name", "name"),
        ("domain", "domain"),
        ("overload", "overload"),
        ("inputs", "input"),
        ("outputs", "output"),
        ("attributes", "attribute"),
        ("doc_string", "doc_string"),
        ("metadata_props", "metadata_props"),
        ("device_configurations", "device_configurations"),
    ),
    "onnx.FunctionProto": (
        ("name", "name"),
        ("domain", "domain"),
        ("overload", "overload"),
        ("opset_import", "opset_import"),
        ("inputs", "input"),
        ("outputs", "output"),
        ("attributes", "attribute"),
        ("attribute_defaults", "attribute_proto"),
        ("nodes", "node"),
        ("value_info", "value_info"),
        ("doc_string", "doc_string"),
        ("metadata_props", "metadata_props"),
    ),
    "onnx.ValueInfoProto": (
        ("name", "name"),
        ("type", "type"),
        ("doc_string", "doc_string"),
        ("metadata_props", "metadata_props"),
    ),
    "onnx.AttributeProto": (
        ("name", "name"),
        ("type", "type"),
        ("f", "f"),
        ("i", "i"),
        ("s", "s"),
        ("t", "t"),
        ("g", "g"),
        ("sparse_tensor", "sparse_tensor"),
        ("tp", "tp"),
        ("floats", "floats"),
        ("ints", "ints"),
        ("strings", "strings"),
        ("tensors", "tensors"),
        ("graphs", "graphs"),
        ("sparse_tensors", "sparse_tensors"),
        ("type_protos", "type_protos"),
        ("ref_attr_name", "ref_attr_name"),
        ("doc_string", "doc_string"),
    ),
    "onnx.TensorProto": (
        ("name", "name"),
        ("data_type", "data_type"),
        ("dims", "dims"),
        ("doc_string", "doc_string"),
        ("segment", "segment"),
        ("data_location", "data_location"),
        ("external_data", "external_data"),
        ("metadata_props", "metadata_props"),
        ("raw_data", "raw_data"),
        ("float_data", "float_data"),
        ("int32_data", "int32_data"),
        ("string_data", "string_data"),
        ("int64_data", "int64_data"),
        ("double_data", "double_data"),
        ("uint64_data", "uint64_data"),
    ),
}


@functools.cache
def fields_of(descriptor: Descriptor) -> tuple[tuple[str, FieldDescriptor], ...]:
    """(document key, field) pairs of a message in document order."""
    listed = _ORDER.get(descriptor.full_name, ())
    by_name = descriptor.fields_by_name
    pairs = [(key, by_name[name]) for key, name in listed if name in by_name]
    named = {field.name for _, field in pairs}
    rest = sorted((f for f in descriptor.fields if f.name not in named), key=lambda f: f.number)
    return tuple(pairs) + tuple((f.name, f) for f in rest)


@functools.cache
def field_of(descriptor: Descriptor) -> dict[str, FieldDescriptor]:
    """document key -> field."""
    return {key: field for key, field in fields_of(descriptor)}

"""Tensors: a payload that holds the elements its type and dims say, reported at the tensor's own line.

The compact form (``type: float32[2,3]`` and ``values``/``base64``/``npy``) is checked while it is
decoded (E301, E302), but for a tensor that has no payload at all.  A tensor that form cannot hold
is written field by field (``data_type``, ``dims``, ``raw_data``...), exactly, so that even an
invalid model round-trips; its payload is judged here, where an error stops ``build`` without
changing what the document decodes to.  onnx.checker finds most of these too, but names only the
tensor, and ``build`` could place it at the ``graph:`` line alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from google.protobuf.message import Message
from onnx import AttributeProto, TensorProto

from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.paths import Path
from onnxtext.codecs.dtypes import dtype_by_onnx
from onnxtext.codecs.payload import PAYLOAD_KEYS
from onnxtext.codecs.storage import payload_mismatch
from onnxtext.core.document import Document
from onnxtext.core.index import Index
from onnxtext.lint.registry import rule
from onnxtext.roundtrip import layout


@rule(
    "T304",
    "payload-size",
    "error",
    "a tensor's payload does not hold the elements its data_type and dims say",
    """
A tensor written field by field (the form `dump` uses for a tensor whose payload does not fit
its type) must still hold one payload, in the field ONNX uses for its element type, with exactly
the entries its dims take: `raw_data` of the packed byte size, or one entry per element in the
typed field (two for complex, packed ones for 4-bit and 2-bit types).  Initializers, sparse
tensors' values and indices, and tensors in attributes (Constant's `value`) are checked.

Bad:
    - {name: w, data_type: FLOAT, dims: [3], float_data: [1.0, 2.0]}
Good:
    - {name: w, data_type: FLOAT, dims: [3], float_data: [1.0, 2.0, 3.0]}
    - {name: w, type: 'float32[3]', values: [1.0, 2.0, 3.0]}
""",
)
def payload_sizes(document: Document, index: Index) -> Iterator[Diagnostic]:
    model, tree = document.model, document.tree
    if model is None or not isinstance(tree, dict):
        return
    for tensor, path in _field_form_tensors(model, tree, ()):
        dtype = dtype_by_onnx(tensor.data_type)
        problem = None if dtype is None else payload_mismatch(tensor, dtype)
        if problem is not None:
            label = f"tensor '{tensor.name}'" if tensor.name else "a tensor"
            yield Diagnostic(
                "T304",
                f"{label} does not hold its elements: {problem}",
                "error",
                path,
                "give the payload as many elements as dims say (or change dims); `onnxtext dump` of a "
                "model writes a valid tensor as type: and values:",
            )


def _field_form_tensors(msg: Message, node: Any, path: Path) -> Iterator[tuple[TensorProto, Path]]:
    """Every TensorProto under ``msg`` written field by field, with its document path.

    The proto and the tree are walked together: a list whose length differs from the message's (an
    item the decoder skipped) is left alone rather than paired wrongly.
    """
    if not isinstance(node, dict):
        return
    owner = msg.DESCRIPTOR.full_name
    for key, field in layout.fields_of(msg.DESCRIPTOR):
        if field.message_type is None or key not in node:
            continue
        value, sub = getattr(msg, field.name), node[key]
        if (owner, field.name) in layout.ATTRIBUTE_LISTS:
            yield from _attributes(value, sub, (*path, key))
        elif field.is_repeated:
            if isinstance(sub, list) and len(sub) == len(value):
                for i, (item, item_node) in enumerate(zip(value, sub, strict=True)):
                    yield from _visit(item, item_node, (*path, key, i))
        elif msg.HasField(field.name):
            yield from _visit(value, sub, (*path, key))


def _visit(msg: Message, node: Any, path: Path) -> Iterator[tuple[TensorProto, Path]]:
    if isinstance(msg, TensorProto):
        # the compact form's payload was checked by the decoder; it may lack one
        if isinstance(node, dict) and ("type" not in node or PAYLOAD_KEYS.isdisjoint(node)):
            yield msg, path
    else:
        yield from _field_form_tensors(msg, node, path)


def _attributes(attrs: Any, node: Any, path: Path) -> Iterator[tuple[TensorProto, Path]]:
    """The tensors of an attribute list, written as a list of field mappings or as ``{name: value}``
    (where a TENSOR's value is the tensor and a GRAPH's the graph, unless it says its ``type``)."""
    if isinstance(node, list):
        if len(node) == len(attrs):
            for i, (attr, item) in enumerate(zip(attrs, node, strict=True)):
                yield from _visit(attr, item, (*path, i))
        return
    if not isinstance(node, dict):
        return
    for attr in attrs:
        value = node.get(attr.name)
        if not isinstance(value, dict):
            continue
        where = (*path, attr.name)
        kind = value.get("type")
        if isinstance(kind, str) and "[" in kind:
            yield from _visit(attr.t, value, where)  # a compact tensor
        elif attr.type == AttributeProto.GRAPH and "g" not in value and "type" not in value:
            yield from _field_form_tensors(attr.g, value, where)
        else:
            yield from _visit(attr, value, where)

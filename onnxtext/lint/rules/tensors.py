"""Tensors: a payload that holds the elements its type and dims say, reported at the tensor's own line.

The compact form (``type: float32[2,3]`` and ``values``/``base64``/``npy``) is checked while it is
decoded (E301, E302), but for a tensor that has no payload at all.  A tensor that form cannot hold
is written field by field (``data_type``, ``dims``, ``raw_data``...), exactly, so that even an
invalid model round-trips; its payload is judged here, where an error stops ``build`` without
changing what the document decodes to.  onnx.checker finds most of these too, but names only the
tensor, and ``build`` could place it at the ``graph:`` line alone.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Iterator
from pathlib import Path as FsPath
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

import numpy as np
import onnx
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from onnx import AttributeProto, TensorProto, numpy_helper

from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.paths import Path
from onnxtext.codecs.dtypes import dtype_by_onnx
from onnxtext.codecs.payload import FORMS, PAYLOAD_KEYS
from onnxtext.codecs.storage import payload_mismatch
from onnxtext.core.document import Document
from onnxtext.core.index import Index, Node
from onnxtext.lint.edits import value_at
from onnxtext.lint.facts import bound, has_external_data, per_node, proto_of
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
""",
)
def payload_sizes(document: Document, index: Index) -> Iterator[Diagnostic]:
    for tensor, path in field_form(document, index):
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


def field_form(document: Document, index: Index) -> list[tuple[TensorProto, Path]]:
    """Every tensor of the document written field by field, with its path (T304 and T308 ask; found
    once per index, which belongs to one version of one document).

    The tensors of each node (in its attributes, and in the graphs they hold but for those graphs'
    own nodes) are found per node and kept with it (:func:`per_node`): after an edit of one node,
    only that node is walked again; the rest of the model (initializers...) is walked every time.
    """
    found = _FIELD_FORM.get(index)
    if found is None:
        model, tree = document.model, document.tree
        found = []
        if model is not None and isinstance(tree, dict):
            found = [*field_form_tensors(model, tree, ()), *_node_tensors(document, index)]
        _FIELD_FORM[index] = found
    return found


_FIELD_FORM: weakref.WeakKeyDictionary[Index, list[tuple[TensorProto, Path]]] = weakref.WeakKeyDictionary()


@per_node
def _node_tensors(document: Document, index: Index, node: Node) -> Iterator[tuple[TensorProto, Path]]:
    proto = proto_of(document, index, node) if node.attributes else None
    item = value_at(document.tree, node.path) if proto is not None else None
    if proto is not None and isinstance(item, dict) and "attributes" in item:
        yield from _attributes(proto.attribute, item["attributes"], (*node.path, "attributes"))


def field_form_tensors(msg: Message, node: Any, path: Path) -> Iterator[tuple[TensorProto, Path]]:
    """Every TensorProto under ``msg`` written field by field, with its document path, but those of
    nodes (:func:`_node_tensors` finds them: every node is an index node, subgraphs' too).

    The proto and the tree are walked together: a list whose length differs from the message's (an
    item the decoder skipped) is left alone rather than paired wrongly.
    """
    if not isinstance(node, dict):
        return
    for key, field, attribute_list in _message_fields(msg.DESCRIPTOR):
        if key not in node:
            continue
        value, sub = getattr(msg, field.name), node[key]
        if attribute_list:
            yield from _attributes(value, sub, (*path, key))
        elif field.is_repeated:
            if isinstance(sub, list) and len(sub) == len(value):
                for i, (item, item_node) in enumerate(zip(value, sub, strict=True)):
                    yield from _visit(item, item_node, (*path, key, i))
        elif msg.HasField(field.name):
            yield from _visit(value, sub, (*path, key))


_NODE_LISTS = frozenset({("onnx.GraphProto", "node"), ("onnx.FunctionProto", "node")})


@functools.cache
def _message_fields(descriptor: Descriptor) -> tuple[tuple[str, FieldDescriptor, bool], ...]:
    """(document key, field, whether it is an attribute list) of the fields that hold messages: the
    only ones a tensor can be under (a node has one of its eight), but the lists of nodes."""
    owner = descriptor.full_name
    return tuple(
        (key, field, (owner, field.name) in layout.ATTRIBUTE_LISTS)
        for key, field in layout.fields_of(descriptor)
        if field.message_type is not None and (owner, field.name) not in _NODE_LISTS
    )


def _visit(msg: Message, node: Any, path: Path) -> Iterator[tuple[TensorProto, Path]]:
    if isinstance(msg, TensorProto):
        # the compact form's payload was checked by the decoder; it may lack one
        if isinstance(node, dict) and ("type" not in node or PAYLOAD_KEYS.isdisjoint(node)):
            yield msg, path
    else:
        yield from field_form_tensors(msg, node, path)


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
            yield from field_form_tensors(attr.g, value, where)
        else:
            yield from _visit(attr, value, where)


@rule(
    "T307",
    "external-data",
    "error",
    "a tensor's external data has no location, one outside the model's folder, or no file there",
    """
A tensor stored as external data (`data_location: EXTERNAL`) names the file holding its bytes,
relative to the model's folder (the document's `external_data_dir`, else its folder). onnx.checker
refuses an empty location, an absolute one, one that leaves the folder, and one that names no
regular file; a tensor with external data must not hold bytes of its own too. `build` would stop
at the first of these; here each is placed at its tensor.
""",
)
def external_data(document: Document, index: Index) -> Iterator[Diagnostic]:
    if not has_external_data(document):
        return
    for path, tensor in _external_tensors(document.tree, ()):
        problem = _external_problem(tensor, document.data_dir)
        if problem is not None:
            name = tensor.get("name")
            label = f"tensor '{name}'" if isinstance(name, str) and name else "a tensor"
            yield Diagnostic(
                "T307",
                f"the external data of {label} {problem}",
                "error",
                path,
                "point location at a file beside the model (relative, inside its folder)",
            )


def _external_tensors(node: Any, path: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every mapping of the tree that stores a tensor as external data, with its path."""
    if isinstance(node, dict):
        if node.get("data_location") in ("EXTERNAL", TensorProto.EXTERNAL):
            yield path, node
            return
        for key, value in node.items():
            if isinstance(value, (dict, list)):
                yield from _external_tensors(value, (*path, key))
    elif isinstance(node, list):
        for k, value in enumerate(node):
            if isinstance(value, (dict, list)):
                yield from _external_tensors(value, (*path, k))


def _external_problem(tensor: dict[str, Any], data_dir: FsPath) -> str | None:
    entries = tensor.get("external_data")
    if isinstance(entries, list):  # the field form: [{key: location, value: w.bin}, ...]
        entries = {e.get("key"): e.get("value") for e in entries if isinstance(e, dict)}
    location = entries.get("location") if isinstance(entries, dict) else None
    inline = sorted(key for key in tensor if key in _INLINE)
    if not isinstance(location, str) or not location:
        return "has no location"
    posix = PurePosixPath(location.replace("\\", "/"))
    if posix.is_absolute() or PureWindowsPath(location).drive:
        return f"is at an absolute path ({location})"
    if ".." in posix.parts:
        return f"is outside the model's folder ({location})"
    file = data_dir / posix
    if not file.exists():
        return f"file {location} is not in {data_dir}"
    if not file.is_file():
        return f"location {location} is no regular file"
    if inline:
        return f"is held inline too ({', '.join(inline)})"
    return None


# what holds a tensor's bytes in the document: the compact forms' keys and the TensorProto fields
_INLINE = frozenset(FORMS) | {
    f"{kind}_data" for kind in ("raw", "float", "int32", "int64", "double", "uint64", "string")
}


@rule(
    "T309",
    "sparse-tensor",
    "error",
    "a sparse tensor's indices do not fit its values and dims, or are not in order",
    """
A sparse tensor holds NNZ values (rank 1) and their indices: NNZ positions into the dense tensor
(rank 1, increasing) or NNZ coordinates (rank 2, [NNZ, rank], in lexicographic order), each inside
`dims`. onnx.checker refuses any other.
""",
    defers=True,
)
def sparse_tensors(document: Document, index: Index) -> Iterator[Diagnostic]:
    for sparse, path in _sparse(document, index):
        problem = _sparse_problem(sparse)
        if problem is not None:
            label = f"sparse tensor '{sparse.values.name}'" if sparse.values.name else "a sparse tensor"
            yield Diagnostic(
                "T309",
                f"{label}: {problem}",
                "error",
                path,
                "list each value's index once, in increasing order, inside dims",
            )


def _sparse(document: Document, index: Index) -> Iterator[tuple[onnx.SparseTensorProto, Path]]:
    """The main graph's sparse initializers and the sparse tensors of node attributes (Constant's
    ``sparse_value``), with their paths."""
    model, tree = document.model, document.tree
    if model is None or (document.has_text and "indices" not in document.text):
        return
    graph = tree.get("graph") if isinstance(tree, dict) else None
    items = graph.get("sparse_initializers") if isinstance(graph, dict) else None
    if isinstance(items, list) and len(items) == len(model.graph.sparse_initializer):
        for k, sparse in enumerate(model.graph.sparse_initializer):
            yield sparse, ("graph", "sparse_initializers", k)
    protos = bound(document, index)
    for node in index.nodes:
        proto = protos.get(id(node)) if node.attributes else None
        for attribute in proto.attribute if proto is not None else ():
            held = (
                [attribute.sparse_tensor] if attribute.HasField("sparse_tensor") else attribute.sparse_tensors
            )
            for sparse in held:
                yield sparse, (*node.path, "attributes", attribute.name)


def _sparse_problem(sparse: onnx.SparseTensorProto) -> str | None:
    dims = list(sparse.dims)
    if len(sparse.values.dims) != 1:
        return f"values have rank {len(sparse.values.dims)}, not 1"
    count = sparse.values.dims[0]
    try:
        indices = numpy_helper.to_array(sparse.indices).astype(np.int64)
    except (ValueError, TypeError) as err:
        return f"indices do not read ({err})"
    if indices.ndim == 1:
        flat = indices
        if len(flat) != count:
            return f"{len(flat)} indices for {count} values"
        if len(flat) and (flat.min() < 0 or flat.max() >= int(np.prod(dims))):
            return f"an index is outside [0, {int(np.prod(dims)) - 1}]"
    elif indices.ndim == 2:
        if indices.shape != (count, len(dims)):
            return f"indices have shape {list(indices.shape)}, not [{count}, {len(dims)}]"
        if len(indices) and ((indices < 0).any() or (indices >= np.array(dims)).any()):
            return "a coordinate is outside dims"
        flat = np.ravel_multi_index(indices.T, dims) if len(indices) else indices[:, 0]
    else:
        return f"indices have rank {indices.ndim}, not 1 or 2"
    if (np.diff(flat) <= 0).any():
        return "indices are not in increasing (lexicographic) order"
    return None

"""A model's names and structure as a document tree, at the paths ``dump`` writes, without payloads.

The :class:`~onnxtext.core.index.Index` reads a document tree; for a ``.onnx`` file it reads this
one.  It holds what the Index asks (graph inputs, outputs, initializers, sparse initializers,
value_info and quantization annotations by name; nodes with their op, domain, overload, name,
inputs, outputs and attributes; functions) and nothing else: no types, no tensor payloads, and
attribute values only where they are graphs.  A node's inputs and outputs are its repeated fields
themselves (sequences of names, read only where asked); the tree lives no longer than its model.
Building it costs a walk over the names, not an encoding of the model.

Paths are the encoder's (:mod:`onnxtext.roundtrip.encode`): attributes are a mapping by name when
their names are distinct, else a list; a GRAPH attribute that holds only its name, type and graph
is written as the graph itself (``attributes.then_branch``), any other graph-holding attribute as
its fields (``attributes.body.g``, ``attributes.branches.graphs[1]``).  Tests hold this tree's
index to the index of the encoder's tree on real models.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from onnx import AttributeProto, FunctionProto, GraphProto, ModelProto, NodeProto

from onnxtext.roundtrip.encode import unknown_bytes


def skeleton(model: ModelProto) -> dict[str, Any]:
    """The tree of ``model``'s graph and functions (see the module docstring)."""
    tree: dict[str, Any] = {"graph": _graph(model.graph)}
    if model.functions:
        tree["functions"] = [_function(function) for function in model.functions]
    return tree


def skeletons(a: ModelProto, b: ModelProto) -> tuple[dict[str, Any], dict[str, Any]]:
    """The trees of two versions of a model (what ``diff`` compares): where a node of ``b``'s main
    graph equals the node at the same position in ``a``'s, ``b``'s tree shares ``a``'s entry (an
    entry is only read), so an edit of a few nodes costs one walk over the names, not two."""
    first = skeleton(a)
    second: dict[str, Any] = {"graph": _graph(b.graph, (a.graph.node, first["graph"]["nodes"]))}
    if b.functions:
        second["functions"] = [_function(function) for function in b.functions]
    return first, second


def _graph(graph: GraphProto, like: tuple[Any, list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    nodes = list(graph.node)
    if like is None:
        entries = [NodeEntry(node) for node in nodes]
    else:
        others, known = like
        same = [x == y for x, y in zip(nodes, others, strict=False)]  # compared in C
        entries = [known[k] if k < len(same) and same[k] else NodeEntry(node) for k, node in enumerate(nodes)]
    return {
        "inputs": [{"name": v.name} for v in graph.input],
        "initializers": [{"name": t.name} for t in graph.initializer],
        "sparse_initializers": [{"values": {"name": s.values.name}} for s in graph.sparse_initializer],
        "nodes": entries,
        "outputs": [{"name": v.name} for v in graph.output],
        "value_info": [{"name": v.name} for v in graph.value_info],
        "quantization_annotation": [{"tensor_name": q.tensor_name} for q in graph.quantization_annotation],
    }


def _function(function: FunctionProto) -> dict[str, Any]:
    return {
        "name": function.name,
        "domain": function.domain,
        "overload": function.overload,
        "inputs": list(function.input),
        "nodes": [NodeEntry(node) for node in function.node],
        "outputs": list(function.output),
        "value_info": [{"name": v.name} for v in function.value_info],
    }


class NodeEntry(Mapping[str, Any]):
    """A node of the skeleton: a read-only mapping whose fields are read from the proto when asked.

    The Index asks every node only for its ``attributes`` (where the graphs are) and the rest only
    of the nodes a caller looks at: a model of 50,000 nodes makes no 50,000 dictionaries.  The
    inputs and outputs are the node's repeated fields themselves (sequences of names).
    """

    __slots__ = ("_attributes", "_node")

    def __init__(self, node: NodeProto) -> None:
        self._node = node
        self._attributes: Any = _UNREAD

    def get(self, key: str, default: Any = None) -> Any:
        field = _NODE_FIELDS.get(key)
        if field is not None:
            return getattr(self._node, field)
        if key == "attributes":
            if self._attributes is _UNREAD:
                attributes = self._node.attribute
                self._attributes = _attributes(attributes) if attributes else None
            return default if self._attributes is None else self._attributes
        return default

    def __getitem__(self, key: str) -> Any:
        value = self.get(key, _UNREAD)
        if value is _UNREAD:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        yield from _NODE_FIELDS
        if self._node.attribute:
            yield "attributes"

    def __len__(self) -> int:
        return len(_NODE_FIELDS) + bool(self._node.attribute)


_UNREAD: Any = object()
_NODE_FIELDS = {
    "op_type": "op_type",
    "domain": "domain",
    "overload": "overload",
    "name": "name",
    "inputs": "input",
    "outputs": "output",
}


def by_name(attributes: Any) -> bool:
    """Whether the document writes these attributes as a mapping by name (every name there, none twice)."""
    names = [a.name if a.HasField("name") else None for a in attributes]
    return None not in names and len(set(names)) == len(names)


def compact(attr: AttributeProto) -> bool:
    """Whether the document writes this attribute (of a mapping) as its graph alone."""
    return (
        attr.type == AttributeProto.GRAPH
        and attr.HasField("g")
        and len(attr.ListFields()) == 3
        and not unknown_bytes(attr)
    )


def _attributes(attributes: Any) -> dict[str, Any] | list[Any]:
    """The node's attributes in the encoder's form: by name, or a list when names repeat or lack.
    Only a graph's value matters here: any other attribute's is None."""
    out = {a.name: a for a in attributes}
    if len(out) != len(attributes) or "" in out:  # a name missing reads as ""
        return [_fields(a, with_name=True) for a in attributes]
    for name, attr in out.items():
        held = attr.HasField("g") or attr.graphs
        out[name] = (_graph(attr.g) if compact(attr) else _fields(attr, with_name=False)) if held else None
    return out


def _fields(attr: AttributeProto, *, with_name: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"type": attr.type}
    if with_name and attr.HasField("name"):
        out["name"] = attr.name
    if attr.HasField("g"):
        out["g"] = _graph(attr.g)
    if attr.graphs:
        out["graphs"] = [_graph(graph) for graph in attr.graphs]
    return out

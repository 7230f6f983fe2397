"""A model's names and structure as a document tree, at the paths ``dump`` writes, without payloads.

The :class:`~onnxtext.core.index.Index` reads a document tree; for a ``.onnx`` file it reads this
one.  It holds what the Index asks (graph inputs, outputs, initializers, sparse initializers,
value_info and quantization annotations by name; nodes with their op, domain, overload, name,
inputs, outputs and attributes; functions) and nothing else: no types, no tensor payloads, and
attribute values only where they are graphs.  Building it costs a walk over the names, not an
encoding of the model.

Paths are the encoder's (:mod:`onnxtext.roundtrip.encode`): attributes are a mapping by name when
their names are distinct, else a list; a GRAPH attribute that holds only its name, type and graph
is written as the graph itself (``attributes.then_branch``), any other graph-holding attribute as
its fields (``attributes.body.g``, ``attributes.branches.graphs[1]``).  Tests hold this tree's
index to the index of the encoder's tree on real models.
"""

from __future__ import annotations

from typing import Any

from onnx import AttributeProto, FunctionProto, GraphProto, ModelProto, NodeProto

from onnxtext.roundtrip.encode import unknown_bytes


def skeleton(model: ModelProto) -> dict[str, Any]:
    """The tree of ``model``'s graph and functions (see the module docstring)."""
    tree: dict[str, Any] = {"graph": _graph(model.graph)}
    if model.functions:
        tree["functions"] = [_function(function) for function in model.functions]
    return tree


def _graph(graph: GraphProto) -> dict[str, Any]:
    return {
        "inputs": [{"name": v.name} for v in graph.input],
        "initializers": [{"name": t.name} for t in graph.initializer],
        "sparse_initializers": [{"values": {"name": s.values.name}} for s in graph.sparse_initializer],
        "nodes": [_node(node) for node in graph.node],
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
        "nodes": [_node(node) for node in function.node],
        "outputs": list(function.output),
        "value_info": [{"name": v.name} for v in function.value_info],
    }


def _node(node: NodeProto) -> dict[str, Any]:
    out = {
        "op_type": node.op_type,
        "domain": node.domain,
        "overload": node.overload,
        "name": node.name,
        "inputs": list(node.input),
        "outputs": list(node.output),
    }
    if node.attribute:
        out["attributes"] = _attributes(node.attribute)
    return out


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
    """The node's attributes in the encoder's form: by name, or a list when names repeat or lack."""
    if not by_name(attributes):
        return [_fields(a, with_name=True) for a in attributes]
    return {a.name: _value(a) for a in attributes}


def _value(attr: AttributeProto) -> Any:
    """A graph attribute's value as the encoder writes it (the graph, or the attribute's fields)."""
    if not attr.HasField("g") and not attr.graphs:
        return None  # no graph: what the value is does not matter here
    return _graph(attr.g) if compact(attr) else _fields(attr, with_name=False)


def _fields(attr: AttributeProto, *, with_name: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"type": attr.type}
    if with_name and attr.HasField("name"):
        out["name"] = attr.name
    if attr.HasField("g"):
        out["g"] = _graph(attr.g)
    if attr.graphs:
        out["graphs"] = [_graph(graph) for graph in attr.graphs]
    return out

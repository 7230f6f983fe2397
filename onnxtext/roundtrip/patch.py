"""A model read and changed at document paths: the proto side of the paths the Index answers with.

A surgery finds what to change by asking the :class:`~onnxtext.core.index.Index` (built from the
model's skeleton, :mod:`onnxtext.roundtrip.skeleton`), which answers with document paths
(``graph.nodes[12].inputs[1]``); this module is where such a path meets the ModelProto fields it
names.  A path follows the document: ``inputs``/``outputs``/``initializers``/``nodes``/... are the
proto's ``input``/``output``/``initializer``/``node``; under ``attributes`` a name (or, in the list
form, a position) picks the attribute, and a GRAPH attribute written compactly stands for its graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from google.protobuf.message import Message
from onnx import AttributeProto, FunctionProto, GraphProto, ModelProto, NodeProto, TensorShapeProto, TypeProto

from onnxtext.base.paths import Path
from onnxtext.roundtrip.skeleton import by_name, compact

_FIELDS = {
    "inputs": "input",
    "outputs": "output",
    "initializers": "initializer",
    "sparse_initializers": "sparse_initializer",
    "nodes": "node",
    "attributes": "attribute",
}
Body = GraphProto | FunctionProto


def bodies(model: ModelProto, *, functions: bool = True) -> Iterator[tuple[Path, Body]]:
    """Every graph of ``model`` with its path: the main graph, the graphs its nodes' attributes hold
    (depth first, at the paths ``dump`` writes), then each function body (and the graphs in it)."""
    yield from _nested(("graph",), model.graph)
    if functions:
        for i, function in enumerate(model.functions):
            yield from _nested(("functions", i), function)


def _nested(path: Path, body: Body) -> Iterator[tuple[Path, Body]]:
    yield path, body
    for j, node in enumerate(body.node):
        for sub_path, graph in node_graphs(node, (*path, "nodes", j)):
            yield from _nested(sub_path, graph)


def node_graphs(node: NodeProto, path: Path) -> Iterator[tuple[Path, GraphProto]]:
    """The graphs ``node``'s attributes hold, each with its path (``path`` is the node's)."""
    named = by_name(node.attribute)
    for i, attr in enumerate(node.attribute):
        where = (*path, "attributes", attr.name if named else i)
        if attr.HasField("g"):
            yield (where if named and compact(attr) else (*where, "g")), attr.g
        for k, graph in enumerate(attr.graphs):
            yield (*where, "graphs", k), graph


def at(model: ModelProto, path: Path) -> Any:
    """The message (or string) at ``path``."""
    current: Any = model
    for step in path:
        current = _step(current, step)
    return current


def body_at(model: ModelProto, path: Path) -> Body:
    """The graph (or function) at a scope's path."""
    found = at(model, path)
    return found.g if isinstance(found, AttributeProto) else found


def renamed(model: ModelProto, edits: Mapping[Path, str]) -> ModelProto:
    """A copy of ``model`` where the string at each path of ``edits`` (a name, an input of a node, a
    dimension's ``dim_param``...) is the given one."""
    result = ModelProto()
    result.CopyFrom(model)
    for path, value in edits.items():
        holder = at(result, path[:-1])
        key = path[-1]
        if isinstance(key, int):
            holder[key] = value
        else:
            setattr(holder, key, value)
    return result


def without(model: ModelProto, paths: Iterable[Path]) -> ModelProto:
    """A copy of ``model`` without the list items at ``paths`` (nodes, inputs, initializers, value
    infos, functions...); the same bytes when there are none."""
    by_list: dict[Path, set[int]] = {}
    for path in paths:
        by_list.setdefault(path[:-1], set()).add(path[-1])  # type: ignore[arg-type]
    result = ModelProto()
    result.CopyFrom(model)
    for where, doomed in sorted(by_list.items(), key=lambda item: -len(item[0])):  # inner lists first:
        items = at(result, where)  # an outer list is rebuilt from its items, inner changes made
        kept = [item for i, item in enumerate(items) if i not in doomed]
        del items[:]
        items.extend(kept)
    return result


def dim_names(model: ModelProto) -> Iterator[tuple[Path, str]]:
    """Every symbolic dimension of every declared type (graph inputs, outputs, value_info, function
    value_info; nested graphs too): the path of its ``dim_param`` and the name."""
    for path, body in bodies(model):
        infos = [("value_info", body.value_info)]
        if isinstance(body, GraphProto):
            infos = [("inputs", body.input), ("outputs", body.output), *infos]
        for key, field in infos:
            for i, info in enumerate(field):
                yield from _type_dims(info.type, (*path, key, i, "type"))


def _type_dims(type_: TypeProto, path: Path) -> Iterator[tuple[Path, str]]:
    kind = type_.WhichOneof("value")
    if kind is None:
        return
    inner = getattr(type_, kind)
    if kind in ("tensor_type", "sparse_tensor_type"):
        for d, dim in enumerate(inner.shape.dim):
            if dim.HasField("dim_param"):
                yield (*path, kind, "shape", d, "dim_param"), dim.dim_param
    elif kind == "map_type":
        yield from _type_dims(inner.value_type, (*path, kind, "value_type"))
    elif inner.HasField("elem_type"):  # sequence, optional
        yield from _type_dims(inner.elem_type, (*path, kind, "elem_type"))


def _step(current: Any, step: str | int) -> Any:
    if isinstance(step, int):
        return current.dim[step] if isinstance(current, TensorShapeProto) else current[step]
    if isinstance(current, Message):
        if isinstance(current, AttributeProto) and step not in AttributeProto.DESCRIPTOR.fields_by_name:
            current = current.g  # the compact form: the attribute is written as its graph
        return getattr(current, _FIELDS.get(step, step))
    return next(attr for attr in current if attr.name == step)  # attributes by name

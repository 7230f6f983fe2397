"""``prune``: drop every node, initializer, value_info, graph input and local function no output needs.

A value_info (or quantization annotation) goes when its value does: when nothing in its graph makes
or reads that name any more, whether the pruning dropped its node or an edit did.

Deleting a graph output or cutting a sub-model then becomes "edit the outputs list, build with
--prune".  The model is copied and only the unneeded entries are deleted: a model with nothing to
prune keeps its exact bytes, and everything pruning does not concern (doc strings, metadata,
producer, graph name) stays as it was.

Why not ``onnx.utils.Extractor``: its reachability walk only follows the main graph's node inputs,
so a value or initializer read only from inside an If/Loop/Scan body looks unused and is dropped
(the model breaks); it rebuilds the model with ``make_model`` (new producer name and graph name,
model doc string and metadata lost, so a no-op is never byte-identical); and it refuses sparse
initializers and quantization annotations.  The walk below follows outer-scope references of
subgraphs and prunes inside them too.
"""

from __future__ import annotations

from collections.abc import Iterable

import onnx

from onnxtext.surgery.walk import defined_names, node_subgraphs, outer_references


def prune(model: onnx.ModelProto, *, keep_inputs: bool = False) -> onnx.ModelProto:
    """A copy of ``model`` holding only what its graph outputs need (functions no node calls dropped).

    ``keep_inputs`` keeps every graph input, needed or not (extract keeps the inputs it was given).
    """
    pruned = onnx.ModelProto()
    pruned.CopyFrom(model)
    prune_graph(pruned.graph, keep_inputs=keep_inputs)
    _drop_unused_functions(pruned)
    return pruned


def prune_graph(graph: onnx.GraphProto, *, keep_inputs: bool) -> None:
    """Prune ``graph`` in place; a subgraph keeps its inputs (its op fixes them), the main graph need not.

    Nodes are walked backwards (ONNX graphs are topologically sorted): a node is kept when one of
    its outputs is needed and is no graph input, and then needs its inputs and whatever its
    subgraphs read from outside.
    """
    needed = {v.name for v in graph.output}
    given = {v.name for v in graph.input}  # a graph input stops the walk (extract cuts there)
    kept: list[onnx.NodeProto] = []
    for node in reversed(graph.node):
        if not needed.intersection(node.output) - given:
            continue
        kept.append(node)
        needed.update(node.input)
        for _, sub in node_subgraphs(node, ()):
            prune_graph(sub, keep_inputs=True)
            needed |= outer_references(sub)
    kept.reverse()
    _keep(graph.node, kept)
    if not keep_inputs:
        _keep(graph.input, [v for v in graph.input if v.name in needed])
    _keep(graph.initializer, [t for t in graph.initializer if t.name in needed])
    _keep(graph.sparse_initializer, [t for t in graph.sparse_initializer if t.values.name in needed])
    live = defined_names(graph) | _reads(graph)
    _keep(graph.value_info, [v for v in graph.value_info if v.name in live])
    _keep(graph.quantization_annotation, [q for q in graph.quantization_annotation if q.tensor_name in live])


def _reads(graph: onnx.GraphProto) -> set[str]:
    """The names ``graph`` reads: node inputs, graph outputs and what its subgraphs read from outside."""
    names = {v.name for v in graph.output}
    for node in graph.node:
        names.update(node.input)
        for _, sub in node_subgraphs(node, ()):
            names |= outer_references(sub)
    return names


def _keep(field: object, items: list) -> None:
    """Replace a repeated field's items with ``items`` (untouched when nothing was dropped)."""
    if len(items) == len(field):  # type: ignore[arg-type]
        return
    del field[:]  # type: ignore[index]
    field.extend(items)  # type: ignore[attr-defined]


def _drop_unused_functions(model: onnx.ModelProto) -> None:
    """Drop local functions that no node of the graph (or of a kept function) calls."""
    by_key = {(f.domain, f.name, f.overload): f for f in model.functions}
    called: set[tuple[str, str, str]] = set()
    pending = list(_calls(_all_nodes(model.graph.node)))
    while pending:
        key = pending.pop()
        if key in by_key and key not in called:
            called.add(key)
            pending.extend(_calls(_all_nodes(by_key[key].node)))
    _keep(model.functions, [f for f in model.functions if (f.domain, f.name, f.overload) in called])


def _all_nodes(nodes: Iterable[onnx.NodeProto]) -> Iterable[onnx.NodeProto]:
    for node in nodes:
        yield node
        for _, sub in node_subgraphs(node, ()):
            yield from _all_nodes(sub.node)


def _calls(nodes: Iterable[onnx.NodeProto]) -> Iterable[tuple[str, str, str]]:
    return ((n.domain, n.op_type, n.overload) for n in nodes)

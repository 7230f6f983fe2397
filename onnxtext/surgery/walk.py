"""Walking a model's graphs: the main graph, every If/Loop/Scan body inside it, and function bodies.

Every surgery needs the same walk; each graph comes with its document path (format 2: a GRAPH
attribute's graph sits at ``attributes.<name>``, a GRAPHS attribute's at ``attributes.<name>.graphs[i]``),
so a refusal can name the place in the document that a user would edit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import onnx

from onnxtext.base.paths import Path


@dataclasses.dataclass(frozen=True, eq=False)  # compared and hashed by identity
class Scope:
    """A graph (or a function body) and where it sits: its path and its enclosing scope."""

    path: Path
    body: onnx.GraphProto | onnx.FunctionProto
    parent: Scope | None = None

    def chain(self) -> Iterator[Scope]:
        """This scope, then each enclosing one out to the main graph (or the function)."""
        scope: Scope | None = self
        while scope is not None:
            yield scope
            scope = scope.parent


def node_subgraphs(node: onnx.NodeProto, node_path: Path) -> Iterator[tuple[Path, onnx.GraphProto]]:
    """The graphs held by ``node``'s attributes, each with its path."""
    for attr in node.attribute:
        if attr.type == onnx.AttributeProto.GRAPH or attr.HasField("g"):
            yield (*node_path, "attributes", attr.name), attr.g
        for i, graph in enumerate(attr.graphs):
            yield (*node_path, "attributes", attr.name, "graphs", i), graph


def scopes(model: onnx.ModelProto, *, functions: bool = True) -> Iterator[Scope]:
    """Every graph of ``model`` (main graph first, then nested ones depth-first), then function bodies."""
    yield from _nested(Scope(("graph",), model.graph))
    if functions:
        for i, function in enumerate(model.functions):
            yield from _nested(Scope(("functions", i), function))


def _nested(scope: Scope) -> Iterator[Scope]:
    yield scope
    for j, node in enumerate(scope.body.node):
        for path, graph in node_subgraphs(node, (*scope.path, "nodes", j)):
            yield from _nested(Scope(path, graph, scope))


def defined_names(body: onnx.GraphProto | onnx.FunctionProto) -> set[str]:
    """The value names a graph or function body defines itself (inputs, initializers, node outputs)."""
    if isinstance(body, onnx.FunctionProto):
        names = set(body.input)
    else:
        names = {v.name for v in body.input}
        names.update(t.name for t in body.initializer)
        names.update(t.values.name for t in body.sparse_initializer)
    names.update(out for node in body.node for out in node.output)
    names.discard("")
    return names


def outer_references(graph: onnx.GraphProto) -> set[str]:
    """The names ``graph`` (and graphs nested in it) read without defining them: outer-scope values."""
    used = {v.name for v in graph.output}
    for node in graph.node:
        used.update(node.input)
        for _, sub in node_subgraphs(node, ()):
            used |= outer_references(sub)
    used.discard("")
    return used - defined_names(graph)

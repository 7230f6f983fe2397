"""``prune``: drop every node, initializer, value_info, graph input and local function no output needs.

Deleting a graph output or cutting a sub-model then becomes "edit the outputs list, build with
--prune".  What goes is found by asking the model's :class:`~onnxtext.core.index.Index` and deleted by
path (:func:`onnxtext.roundtrip.patch.without`): a model with nothing to prune keeps its exact bytes,
and everything pruning does not concern (doc strings, metadata, producer, graph name) stays as it was.
A value_info (or quantization annotation) goes when its value does: when nothing in its graph makes
or reads that name any more, whether the pruning dropped its node or an edit did.

Why not ``onnx.utils.Extractor``: its reachability walk only follows the main graph's node inputs,
so a value or initializer read only from inside an If/Loop/Scan body looks unused and is dropped
(the model breaks); it rebuilds the model with ``make_model`` (new producer name and graph name,
model doc string and metadata lost, so a no-op is never byte-identical); and it refuses sparse
initializers and quantization annotations.  The walk below follows outer-scope references of
subgraphs and prunes inside them too.
"""

from __future__ import annotations

import dataclasses

import onnx

from onnxtext.base.paths import Path
from onnxtext.core.index import Index, Node, Scope
from onnxtext.roundtrip import patch


def prune(model: onnx.ModelProto, *, keep_inputs: bool = False) -> onnx.ModelProto:
    """A copy of ``model`` holding only what its graph outputs need (functions no node calls dropped).

    ``keep_inputs`` keeps every graph input, needed or not (extract keeps the inputs it was given).
    """
    index = Index.of_model(model)
    walk = _Walk(index)
    walk.scope(index.scopes[0], keep_inputs=keep_inputs)
    walk.functions()
    return patch.without(model, walk.doomed) if walk.doomed else _copy(model)


@dataclasses.dataclass
class _Walk:
    """What pruning drops (paths) and which functions the kept nodes call."""

    index: Index
    doomed: list[Path] = dataclasses.field(default_factory=list)
    calls: set[tuple[str, str, str]] = dataclasses.field(default_factory=set)

    def scope(self, scope: Scope, *, keep_inputs: bool) -> set[str]:
        """Prune ``scope``; return the names its kept part reads from enclosing scopes.

        Nodes are walked backwards (ONNX graphs are topologically sorted): a node is kept when one
        of its outputs is needed and is no graph input, and then needs its inputs and whatever its
        subgraphs read from outside.  A subgraph keeps its inputs (its op fixes them).
        """
        needed = {name for name, _ in scope.outputs}
        given = {name for name, kind, _ in scope.defines if kind == "input"}  # the walk stops there
        defined: set[str] = set()
        for node in reversed(scope.nodes):
            if not needed.intersection(node.outputs) - given:
                self.doomed.append(node.path)
                continue
            self.calls.add((node.domain, node.op_type, node.overload))
            defined.update(node.outputs)
            needed.update(node.inputs)
            for sub in node.subgraphs:
                needed |= self.scope(sub, keep_inputs=True)
        for name, kind, path in scope.defines:
            if name in needed or (kind == "input" and keep_inputs):
                defined.add(name)
            else:
                self.doomed.append(path)
        needed.discard("")
        live = defined | needed
        for entries in (scope.value_info, scope.annotations):
            self.doomed += [path for name, path in entries if name not in live]
        return needed - defined

    def functions(self) -> None:
        """Drop the functions that no kept node (of the graph, or of a kept function) calls."""
        by_key = {scope.function: scope for scope in self.index.scopes if scope.function is not None}
        kept: set[tuple[str, str, str]] = set()
        pending = list(self.calls)
        while pending:
            key = pending.pop()
            if key in by_key and key not in kept:
                kept.add(key)
                pending += [(node.domain, node.op_type, node.overload) for node in _all_nodes(by_key[key])]
        self.doomed += [scope.path for key, scope in by_key.items() if key not in kept]


def _all_nodes(scope: Scope) -> list[Node]:
    nodes = list(scope.nodes)
    for node in scope.nodes:
        for sub in node.subgraphs:
            nodes += _all_nodes(sub)
    return nodes


def _copy(model: onnx.ModelProto) -> onnx.ModelProto:
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    return copy

"""Names: every value defined once (SSA, across nested scopes), node names unique and present."""

from __future__ import annotations

from collections.abc import Iterator

from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.paths import Path
from onnxtext.core.document import Document
from onnxtext.core.index import Index, Producer, Scope
from onnxtext.lint.registry import rule, where

_LISTED = {"input": "graph input", "initializer": "initializer", "sparse_initializer": "sparse initializer"}
_LISTED["function_input"] = "function input"


def _describe(producer: Producer) -> str:
    if producer.node is not None:
        return f"node {producer.node.label()}"
    return _LISTED[producer.kind]


@rule(
    "N101",
    "duplicate-node-name",
    "warning",
    "two nodes share a name",
    """
Node names are optional, but when given they should be unique in the model: tools, error
messages and `onnxtext` itself find nodes by name.

Bad:
    - {op_type: Relu, name: act, inputs: [a], outputs: [b]}
    - {op_type: Relu, name: act, inputs: [b], outputs: [c]}
Good:
    - {op_type: Relu, name: act_1, inputs: [a], outputs: [b]}
    - {op_type: Relu, name: act_2, inputs: [b], outputs: [c]}
""",
)
def duplicate_node_names(document: Document, index: Index) -> Iterator[Diagnostic]:
    first: dict[tuple[int, str], Path] = {}
    for node in index.nodes:
        if not node.name:
            continue
        key = (node.scope.root.id, node.name)
        if key in first:
            earlier = first[key]
            yield Diagnostic(
                "N101",
                f"node name '{node.name}' is already used by the node at {where(document, earlier)}",
                "warning",
                (*node.path, "name"),
                "give each node its own name",
            )
        else:
            first[key] = node.path


@rule(
    "N102",
    "value-produced-twice",
    "error",
    "a value is produced by two nodes, or by a node and an initializer or graph input",
    """
ONNX graphs are in single static assignment form: each value name has exactly one producer. A
second producer makes every use of the name ambiguous (a graph input may share its name with an
initializer: that is the input's default value).

Bad:
    - {op_type: Relu, inputs: [x], outputs: [y]}
    - {op_type: Sigmoid, inputs: [x], outputs: [y]}
Good:
    - {op_type: Relu, inputs: [x], outputs: [y]}
    - {op_type: Sigmoid, inputs: [x], outputs: [y_sigmoid]}
""",
)
def produced_twice(document: Document, index: Index) -> Iterator[Diagnostic]:
    for producers in index.producers.values():
        if len(producers) < 2 or all(p.node is None for p in producers):
            continue
        first = producers[0]
        for later in producers[1:]:
            if later.node is None and first.node is None:
                continue
            yield Diagnostic(
                "N102",
                f"'{later.name}' is produced twice: by {_describe(later)} and by {_describe(first)} "
                f"at {where(document, first.path)}",
                "error",
                later.path,
                "rename one of the two outputs (and the inputs that mean it)",
            )


@rule(
    "N103",
    "duplicate-listed-name",
    "error",
    "a name appears twice among the graph inputs, outputs or initializers",
    """
A graph's inputs, its outputs and its initializers each name a value once.

Bad:
    inputs:
      - {name: x, type: 'float32[1]'}
      - {name: x, type: 'float32[1]'}
Good:
    inputs:
      - {name: x, type: 'float32[1]'}
""",
)
def duplicate_listed(document: Document, index: Index) -> Iterator[Diagnostic]:
    for producers in index.producers.values():
        seen: dict[str, Producer] = {}
        for producer in producers:
            if producer.node is not None:
                continue
            if producer.kind in seen:
                yield _listed_twice(
                    document, producer.name, _LISTED[producer.kind], producer.path, seen[producer.kind].path
                )
            else:
                seen[producer.kind] = producer
    for scope in index.scopes:
        yield from _outputs_twice(document, index, scope)


def _outputs_twice(document: Document, index: Index, scope: Scope) -> Iterator[Diagnostic]:
    for (scope_id, name), uses in index.consumers.items():
        if scope_id != scope.id:
            continue
        outputs = [use for use in uses if use.kind == "output"]
        for later in outputs[1:]:
            yield _listed_twice(document, name, "graph output", later.path, outputs[0].path)


def _listed_twice(document: Document, name: str, what: str, path: Path, first: Path) -> Diagnostic:
    return Diagnostic(
        "N103",
        f"{what} '{name}' is listed twice (first at {where(document, first)})",
        "error",
        path,
        "remove the repeated entry, or rename it",
    )


@rule(
    "N104",
    "unnamed-node",
    "warning",
    "a node has no name",
    """
Unnamed nodes cannot be told apart in messages, profiles and diffs.  Opt-in (`--extend-select
N104`): the name is optional in ONNX, and exporters leave hundreds of nodes unnamed (every
Constant of a PaddleOCR model, the 39 ConstantOfShape nodes of the bundled SqueezeNet).
`fmt --name-nodes` names them.

Bad:
    - {op_type: Relu, inputs: [x], outputs: [y]}
Good:
    - {op_type: Relu, name: relu_0, inputs: [x], outputs: [y]}
""",
    default=False,
)
def unnamed_nodes(document: Document, index: Index) -> Iterator[Diagnostic]:
    for node in index.nodes:
        if not node.name:
            suggestion = f"{node.op_type or 'node'}_{node.position}"
            yield Diagnostic(
                "N104",
                f"{node.op_type or 'a'} node has no name",
                "warning",
                node.path,
                f"add e.g. `name: {suggestion}`",
            )


@rule(
    "N105",
    "shadowed-name",
    "error",
    "a subgraph defines a name that an enclosing graph already defines",
    """
Subgraphs (If branches, Loop and Scan bodies) see the names of the graphs around them, and ONNX
forbids defining one of those names again inside: the checker rejects the model.

Bad:
    inputs: [{name: x, type: 'float32[2]'}]
    nodes:
      - op_type: If
        attributes:
          then_branch:
            nodes: [{op_type: Identity, inputs: [x], outputs: [x]}]
Good:
    then_branch:
      nodes: [{op_type: Identity, inputs: [x], outputs: [x_then]}]
""",
)
def shadowed(document: Document, index: Index) -> Iterator[Diagnostic]:
    for (scope_id, name), producers in index.producers.items():
        scope = index.scopes[scope_id]
        if scope.parent is None:
            continue
        outer = index.resolve(scope.parent, name)
        if outer is not None:
            yield Diagnostic(
                "N105",
                f"'{name}' is already defined outside this subgraph, by {_describe(outer)} "
                f"at {where(document, outer.path)}",
                "error",
                producers[0].path,
                "give the subgraph's value its own name",
            )

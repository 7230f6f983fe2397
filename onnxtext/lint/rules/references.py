"""References: every use finds its producer, producers come first, and nothing is left unused."""

from __future__ import annotations

from collections.abc import Iterator

from onnxtext.base.diagnostics import Diagnostic
from onnxtext.core.document import Document
from onnxtext.core.index import Consumer, Index, Node, Producer, Scope
from onnxtext.lint.facts import per_index
from onnxtext.lint.registry import rule, where

_SUGGESTIONS = 50  # did-you-mean costs a fuzzy search over every visible name: only for the first few


def _producer_text(document: Document, producer: Producer) -> str:
    by = f"node {producer.node.label()}" if producer.node is not None else producer.kind.replace("_", " ")
    return f"{by}, {where(document, producer.path)}"


@rule(
    "R201",
    "undefined-input",
    "error",
    "a node input is produced by no node, initializer or graph input",
    """
Every input a node names must be produced somewhere it can see: a graph input, an initializer,
an earlier node's output, or (inside an If/Loop/Scan body) a value of an enclosing graph. A
dangling name is usually a typo or a half-done rename.

Bad:
    - {op_type: Conv, inputs: [x, w], outputs: [conv3_out]}
    - {op_type: Relu, inputs: [conv3_0ut], outputs: [y]}
Good:
    - {op_type: Conv, inputs: [x, w], outputs: [conv3_out]}
    - {op_type: Relu, inputs: [conv3_out], outputs: [y]}
""",
)
def undefined_inputs(document: Document, index: Index) -> Iterator[Diagnostic]:
    resolved = _resolved(index)
    dangling = [
        use
        for key, uses in index.consumers.items()
        if resolved[key] is None
        for use in uses
        if use.kind == "node"
    ]
    for n, use in enumerate(dangling):
        assert use.node is not None
        hint = _did_you_mean(document, index, use) if n < _SUGGESTIONS else None
        yield Diagnostic(
            "R201",
            f"input '{use.name}' of node {use.node.label()} is produced by no node, initializer "
            "or graph input",
            "error",
            use.path,
            hint or "add the producer, or use the name of an existing value",
        )


def _did_you_mean(document: Document, index: Index, use: Consumer) -> str | None:
    found = [p for p in index.similar(use.scope, use.name, n=3) if p.node is None or p.node is not use.node]
    if not found:
        return None
    return f"did you mean '{found[0].name}' (produced by {_producer_text(document, found[0])})?"


def _all_uses(index: Index) -> Iterator[Consumer]:
    for uses in index.consumers.values():
        yield from uses


@per_index
def _resolved(index: Index) -> dict[tuple[int, str], Producer | None]:
    """(scope id, name) of every use -> the definition it refers to: resolved once per name and scope,
    however many uses the name has (the rules below all ask)."""
    scopes = index.scopes
    return {key: index.resolve(scopes[key[0]], key[1]) for key in index.consumers}


@rule(
    "R202",
    "undefined-output",
    "error",
    "a graph output is produced by nothing",
    """
A graph (or function) output must name a value the graph produces or receives.

Bad:
    outputs: [{name: logits, type: 'float32[1,10]'}]   # no node writes 'logits'
Good:
    outputs: [{name: logits, type: 'float32[1,10]'}]
    nodes:
      - {op_type: Gemm, inputs: [x, w, b], outputs: [logits]}
""",
)
def undefined_outputs(document: Document, index: Index) -> Iterator[Diagnostic]:
    resolved = _resolved(index)
    for use in _all_uses(index):
        if use.kind == "output" and resolved[use.scope.id, use.name] is None:
            found = index.similar(use.scope, use.name)
            hint = "produce it with a node, or list an existing value"
            if found:
                hint = f"did you mean '{found[0].name}' (produced by {_producer_text(document, found[0])})?"
            yield Diagnostic("R202", f"output '{use.name}' is produced by nothing", "error", use.path, hint)


@per_index
def _ordering(index: Index) -> tuple[list[tuple[Consumer, Node, Node]], list[list[Node]]]:
    """Uses that come before their producer (use, consumer node, producer node) and the cycles found."""
    late: list[tuple[Consumer, Node, Node]] = []
    cycles: list[list[Node]] = []
    edges: dict[int, dict[int, set[int]]] = {}  # scope id -> producer position -> consumer positions
    for use, consumer, producer in _dependencies(index):
        edges.setdefault(producer.scope.id, {}).setdefault(producer.position, set()).add(consumer.position)
        if producer.position >= consumer.position:
            late.append((use, consumer, producer))
    for scope_id, scope_edges in edges.items():
        if any(p >= c for p, targets in scope_edges.items() for c in targets):
            cycle = _cycle(index.scopes[scope_id], scope_edges)
            if cycle:
                cycles.append(cycle)
    return late, cycles


def _dependencies(index: Index) -> Iterator[tuple[Consumer, Node, Node]]:
    """(use, node that must come later, node that must come first), both nodes of the producer's scope.

    A use inside a subgraph of node N that refers to a value produced in an enclosing scope makes N
    depend on its producer.  One pass over the uses, whatever the number of scopes.
    """
    resolved = _resolved(index)
    for key, uses in index.consumers.items():
        producer = resolved[key]
        if producer is None or producer.node is None:
            continue
        for use in uses:
            consumer = _ancestor_in(use, producer.scope)
            if consumer is not None:
                yield use, consumer, producer.node


def _ancestor_in(use: Consumer, scope: Scope) -> Node | None:
    """The node of ``scope`` that holds ``use`` (itself, or the owner of the subgraph it sits in)."""
    if use.scope is scope:
        return use.node
    inner = use.scope
    while inner.parent is not None and inner.parent is not scope:
        inner = inner.parent
    return inner.owner if inner.parent is scope else None


def _cycle(scope: Scope, edges: dict[int, set[int]]) -> list[Node]:
    """The nodes on cycles: what Kahn's algorithm cannot place, less what merely hangs below a cycle."""
    waiting = {position: 0 for position in range(len(scope.nodes))}
    for targets in edges.values():
        for target in targets:
            waiting[target] += 1
    ready = [p for p, count in waiting.items() if count == 0]
    while ready:
        position = ready.pop()
        for target in edges.get(position, ()):
            waiting[target] -= 1
            if waiting[target] == 0:
                ready.append(target)
    left = {p for p, count in waiting.items() if count > 0}
    trimmed = True
    while trimmed:  # drop what only hangs below a cycle: nodes that lead back into none of the rest
        below = {p for p in left if not left.intersection(edges.get(p, ()))}
        left -= below
        trimmed = bool(below)
    return [scope.nodes[p] for p in sorted(left)]


@rule(
    "R203",
    "cycle",
    "error",
    "nodes depend on each other in a cycle",
    """
An ONNX graph is acyclic: no value may depend, through any chain of nodes, on itself.

Bad:
    - {op_type: Add, inputs: [x, b], outputs: [a]}
    - {op_type: Relu, inputs: [a], outputs: [b]}
Good:
    - {op_type: Add, inputs: [x, b0], outputs: [a]}
    - {op_type: Relu, inputs: [a], outputs: [b]}
""",
)
def cycles(document: Document, index: Index) -> Iterator[Diagnostic]:
    for cycle in _ordering(index)[1]:
        names = ", ".join(node.label() for node in cycle[:6]) + (", ..." if len(cycle) > 6 else "")
        yield Diagnostic(
            "R203",
            f"these nodes depend on each other in a cycle: {names}",
            "error",
            cycle[0].path,
            "one of the inputs in the cycle names the wrong value: break the loop",
        )


@rule(
    "R204",
    "unsorted-nodes",
    "error",
    "a node uses a value before the node that produces it",
    """
Nodes are listed in topological order: a node comes after every node whose outputs it reads
(ONNX requires it; the checker rejects the model otherwise).

Bad:
    - {op_type: Relu, inputs: [a], outputs: [y]}
    - {op_type: Add, inputs: [x, x], outputs: [a]}
Good:
    - {op_type: Add, inputs: [x, x], outputs: [a]}
    - {op_type: Relu, inputs: [a], outputs: [y]}
""",
)
def unsorted(document: Document, index: Index) -> Iterator[Diagnostic]:
    late, found_cycles = _ordering(index)
    in_cycles = {id(node) for cycle in found_cycles for node in cycle}
    for use, consumer, producer in late:
        if id(consumer) in in_cycles or producer is consumer:
            continue
        yield Diagnostic(
            "R204",
            f"node {consumer.label()} uses '{use.name}' before node {producer.label()} "
            f"({where(document, producer.path)}) produces it",
            "error",
            use.path,
            f"move node {producer.label()} before node {consumer.label()}",
        )


@per_index
def _used(index: Index) -> set[tuple[int, str]]:
    """(scope id, name) of every definition some use resolves to: all definitions of that name in that
    scope count as used (before IR 4 an initializer is the default of a graph input of the same name,
    and a use of the input reads it)."""
    return {
        (producer.scope.id, producer.name) for producer in _resolved(index).values() if producer is not None
    }


@rule(
    "R205",
    "unused-initializer",
    "warning",
    "an initializer is used by no node and is no graph output",
    """
An initializer nothing reads only makes the model bigger; often it is left over from an edit.

Bad:
    initializers: [{name: old_bias, type: 'float32[4]', values: [0.0, 0.0, 0.0, 0.0]}]
    # ... and no node lists old_bias among its inputs
Good:
    remove the initializer, or feed it to the node that should use it
""",
)
def unused_initializers(document: Document, index: Index) -> Iterator[Diagnostic]:
    used = _used(index)
    for producers in index.producers.values():
        for producer in producers:
            if (
                producer.kind in ("initializer", "sparse_initializer")
                and (producer.scope.id, producer.name) not in used
            ):
                yield Diagnostic(
                    "R205",
                    f"initializer '{producer.name}' is not used",
                    "warning",
                    producer.path,
                    "remove it, or name it among a node's inputs",
                )


@rule(
    "R206",
    "dead-node",
    "warning",
    "no output of a node is used by another node or a graph output",
    """
A node whose outputs nothing reads does work for nothing; often its consumer was renamed.

Bad:
    - {op_type: Relu, inputs: [x], outputs: [unused]}
Good:
    remove the node, or use its output
""",
)
def dead_nodes(document: Document, index: Index) -> Iterator[Diagnostic]:
    used = _used(index)
    for node in index.nodes:
        scope_id = node.scope.id
        names = [name for name in node.outputs if name]  # each one the node's own definition
        if names and not any((scope_id, name) in used for name in names):
            yield Diagnostic(
                "R206",
                f"no output of node {node.label()} is used",
                "warning",
                node.path,
                "remove the node, or list its output where it is needed",
            )


@rule(
    "R207",
    "stale-value-info",
    "warning",
    "a value_info entry describes a value nothing produces",
    """
`value_info` records the type of intermediate values. An entry whose value no longer exists
(after a rename or a removal) misleads readers and tools.

Bad:
    value_info: [{name: conv3_out_old, type: 'float32[1,64,56,56]'}]
Good:
    value_info: [{name: conv3_out, type: 'float32[1,64,56,56]'}]
""",
)
def stale_value_info(document: Document, index: Index) -> Iterator[Diagnostic]:
    for scope in index.scopes:
        for name, path in scope.value_info:
            if index.resolve(scope, name) is None:
                yield Diagnostic(
                    "R207",
                    f"value_info '{name}' describes a value nothing produces",
                    "warning",
                    path,
                    "remove the entry, or rename it after the value it describes",
                )

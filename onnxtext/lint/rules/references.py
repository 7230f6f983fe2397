"""References: every use finds its producer, producers come first, and nothing is left unused."""

from __future__ import annotations

import dataclasses
import heapq
import weakref
from collections.abc import Iterator
from typing import TypeVar

from onnxtext.base.diagnostics import Diagnostic, Fix
from onnxtext.base.paths import Path
from onnxtext.core.document import Document
from onnxtext.core.index import Consumer, Index, Node, Producer, Scope
from onnxtext.lint.edits import removal, reorder, replace_value
from onnxtext.lint.facts import per_index
from onnxtext.lint.registry import fixer, rule, where

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

The fix (unsafe: a guess at what was meant) writes the name the did-you-mean hint offers.
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
    found = _near_miss(index, use)
    if found is None:
        return None
    return f"did you mean '{found.name}' (produced by {_producer_text(document, found)})?"


@fixer("R201", "unsafe")
def use_the_near_miss(document: Document, index: Index, diagnostic: Diagnostic) -> Fix | None:
    """Write the name the did-you-mean hint offers (unsafe: a guess at what was meant)."""
    use = _use_at(index, diagnostic)
    found = _near_miss(index, use) if use is not None else None
    edits = replace_value(document, use.path, found.name) if use is not None and found is not None else None
    if found is None or not edits:
        return None
    return Fix(f"Change to '{found.name}'", tuple(edits))


def _use_at(index: Index, diagnostic: Diagnostic) -> Consumer | None:
    """The use a diagnostic of R201 or R202 is about."""
    return _uses_by_path(index).get(diagnostic.path) if diagnostic.path is not None else None


@per_index
def _uses_by_path(index: Index) -> dict[Path, Consumer]:
    return {use.path: use for use in _all_uses(index)}


def _near_miss(index: Index, use: Consumer) -> Producer | None:
    """The definition a use that names nothing most likely meant (R201's hint and fix, R205's pardon)."""
    known = _near_misses(index)
    key = (use.scope.id, use.name, use.node.path if use.node is not None else None)
    if key not in known:
        similar = index.similar(use.scope, use.name, n=3)
        found = [p for p in similar if p.node is None or p.node is not use.node]
        known[key] = found[0] if found else None
    return known[key]


@per_index
def _near_misses(index: Index) -> dict[tuple[int, str, Path | None], Producer | None]:
    """What :func:`_near_miss` found so far: each search reads every visible name."""
    return {}


def _all_uses(index: Index) -> Iterator[Consumer]:
    for uses in index.consumers.values():
        yield from uses


T = TypeVar("T")
Resolved = dict[tuple[int, str], Producer | None]
_RESOLVED: weakref.WeakKeyDictionary[Index, Resolved] = weakref.WeakKeyDictionary()


def _resolved(index: Index) -> Resolved:
    """(scope id, name) of every use -> the definition it refers to: resolved once per name and scope,
    however many uses the name has (the rules below all ask).

    An index derived by an edit of one node (:attr:`Index.origin`) takes the answer of the index it
    came from for every name the edit left alone (the same Producer objects).
    """
    found = _RESOLVED.get(index)
    if found is not None:
        return found
    scopes = index.scopes
    before = _before(index, _RESOLVED)
    if before is None or index.origin is None:
        found = {key: index.resolve(scopes[key[0]], key[1]) for key in index.consumers}
    else:
        touched = index.origin[1]
        found = {
            key: before[key]
            if key in before and key[1] not in touched
            else index.resolve(scopes[key[0]], key[1])
            for key in index.consumers
        }
    _RESOLVED[index] = found
    return found


@rule(
    "R202",
    "undefined-output",
    "error",
    "a graph output is produced by nothing",
    """
A graph (or function) output must name a value the graph produces or receives.

The fix (unsafe: the model's interface changes) names the value the hint offers, else drops the
output when the graph has others.
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


@fixer("R202", "unsafe")
def output_the_near_miss(document: Document, index: Index, diagnostic: Diagnostic) -> Fix | None:
    """Name the value the did-you-mean hint offers, else drop the output when the graph has others
    (unsafe either way: the model's interface changes)."""
    use = _use_at(index, diagnostic)
    if use is None:
        return None
    found = index.similar(use.scope, use.name)
    if found:
        edits = replace_value(document, use.name_path, found[0].name)
        return Fix(f"Change to '{found[0].name}'", tuple(edits)) if edits else None
    if len(use.scope.outputs) < 2:
        return None
    return removal(document, use.path, f"Remove the output '{use.name}'")


@dataclasses.dataclass(frozen=True)
class _Order:
    """How the nodes of each scope depend on each other: the uses that come before their producer
    (use, consumer node, producer node), the cycles, and scope id -> producer position -> the
    positions of the nodes that read what it produces."""

    late: list[tuple[Consumer, Node, Node]]
    cycles: list[list[Node]]
    edges: dict[int, dict[int, set[int]]]


@per_index
def _ordering(index: Index) -> _Order:
    late: list[tuple[Consumer, Node, Node]] = []
    cycles: list[list[Node]] = []
    edges: dict[int, dict[int, set[int]]] = {}
    for use, consumer, producer in _dependencies(index):
        edges.setdefault(producer.scope.id, {}).setdefault(producer.position, set()).add(consumer.position)
        if producer.position >= consumer.position:
            late.append((use, consumer, producer))
    for scope_id, scope_edges in edges.items():
        if any(p >= c for p, targets in scope_edges.items() for c in targets):
            cycle = _cycle(index.scopes[scope_id], scope_edges)
            if cycle:
                cycles.append(cycle)
    return _Order(late, cycles, edges)


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


def _topological(count: int, edges: dict[int, set[int]]) -> tuple[list[int], set[int]]:
    """Kahn's algorithm over positions ``0..count-1``, the earliest ready position first (a sorted list
    stays as it is, an unsorted one moves as little as the dependencies make it): the order, and the
    positions it cannot place (on or below a cycle)."""
    waiting = [0] * count
    for targets in edges.values():
        for target in targets:
            waiting[target] += 1
    ready = [p for p in range(count) if waiting[p] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        position = heapq.heappop(ready)
        order.append(position)
        for target in edges.get(position, ()):
            waiting[target] -= 1
            if waiting[target] == 0:
                heapq.heappush(ready, target)
    return order, {p for p in range(count) if waiting[p] > 0}


def _cycle(scope: Scope, edges: dict[int, set[int]]) -> list[Node]:
    """The nodes on cycles: what Kahn's algorithm cannot place, less what merely hangs below a cycle."""
    left = _topological(len(scope.nodes), edges)[1]
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
""",
)
def cycles(document: Document, index: Index) -> Iterator[Diagnostic]:
    for cycle in _ordering(index).cycles:
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

The fix sorts the nodes, moving as few as the dependencies make it, each with its lines and the
comment lines above it.
""",
)
def unsorted(document: Document, index: Index) -> Iterator[Diagnostic]:
    order = _ordering(index)
    in_cycles = {id(node) for cycle in order.cycles for node in cycle}
    for use, consumer, producer in order.late:
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


@fixer("R204")
def sort_nodes(document: Document, index: Index, diagnostic: Diagnostic) -> Fix | None:
    """Sort the nodes of the graph in topological order, moving as few as the dependencies make it
    (each with its lines and the comments above it); the same fix for every late use of the graph."""
    order = _ordering(index)
    scope = next((consumer.scope for use, consumer, _ in order.late if use.path == diagnostic.path), None)
    if scope is None:
        return None
    positions, left = _topological(len(scope.nodes), order.edges.get(scope.id, {}))
    if left or any(node.path[-1] != node.position for node in scope.nodes):
        return None  # a cycle, or list items that are no nodes: no order to write
    edits = reorder(document, (*scope.path, "nodes"), positions)
    return Fix("Sort the nodes in topological order", tuple(edits)) if edits else None


def _before(index: Index, table: weakref.WeakKeyDictionary[Index, T]) -> T | None:
    """What ``table`` holds for the index ``index`` was derived from, if that is still known."""
    base = index.origin[0]() if index.origin is not None else None
    return table.get(base) if base is not None else None


_USED: weakref.WeakKeyDictionary[Index, set[tuple[int, str]]] = weakref.WeakKeyDictionary()


def _used(index: Index) -> set[tuple[int, str]]:
    """(scope id, name) of every definition some use resolves to: all definitions of that name in that
    scope count as used (before IR 4 an initializer is the default of a graph input of the same name,
    and a use of the input reads it).  Carried over from the index this one was derived from but for
    the names the edit touched, as :func:`_resolved` is."""
    found = _USED.get(index)
    if found is not None:
        return found
    resolved = _resolved(index)
    before = _before(index, _USED)
    if before is None or index.origin is None:
        found = {(p.scope.id, p.name) for p in resolved.values() if p is not None}
    else:
        touched = index.origin[1]
        found = set(before)
        found.difference_update({(scope.id, name) for scope in index.scopes for name in touched})
        for scope in index.scopes:
            for name in touched:
                producer = resolved.get((scope.id, name))
                if producer is not None:
                    found.add((producer.scope.id, producer.name))
    _USED[index] = found
    return found


@per_index
def _live(index: Index) -> set[tuple[int, str]]:
    """What R205 and R206 count as used: :func:`_used`, and the definitions a dangling use may have meant."""
    return _used(index) | _meant(index)


@rule(
    "R205",
    "unused-initializer",
    "warning",
    "an initializer is used by no node and is no graph output",
    """
An initializer nothing reads only makes the model bigger; often it is left over from an edit.

The fix deletes it (an `npy:` sidecar stays: another tensor may share it); not while some use
names nothing, which may have meant it.
""",
)
def unused_initializers(document: Document, index: Index) -> Iterator[Diagnostic]:
    used = _live(index)
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


@fixer("R205")
def remove_initializer(document: Document, index: Index, diagnostic: Diagnostic) -> Fix | None:
    """Delete the initializer (an ``npy:`` sidecar stays where it is: another tensor may share it)."""
    return _removal(document, index, diagnostic, "Remove the unused initializer")


def _removal(document: Document, index: Index, diagnostic: Diagnostic, title: str) -> Fix | None:
    """Delete what ``diagnostic`` is at; not while some use names nothing: that use may have meant it
    (a consumer's misspelt input makes its producer look dead), and deleting would lose the work."""
    return None if _dangling(index) else removal(document, diagnostic.path, title)


@per_index
def _meant(index: Index) -> set[tuple[int, str]]:
    """(scope id, name) of the definitions that the did-you-mean of a name nothing produces offers
    (for the first few such names): unused only because of the typo R201/R202 report, so not
    reported as unused too."""
    meant = set()
    dangling = [uses[0] for key, uses in index.consumers.items() if _resolved(index)[key] is None]
    for use in dangling[:_SUGGESTIONS]:
        found = _near_miss(index, use)
        if found is not None:
            meant.add((found.scope.id, found.name))
    return meant


@per_index
def _dangling(index: Index) -> bool:
    """Whether a use (a node input, a graph output) names a value nothing produces."""
    return any(producer is None for producer in _resolved(index).values())


@rule(
    "R206",
    "dead-node",
    "warning",
    "no output of a node is used by another node or a graph output",
    """
A node whose outputs nothing reads does work for nothing; often its consumer was renamed.

The fix deletes the node (what only it read is unused then, and goes in the next round); not
while some use names nothing, which may have meant its output.
""",
)
def dead_nodes(document: Document, index: Index) -> Iterator[Diagnostic]:
    used = _live(index)
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


@fixer("R206")
def remove_node(document: Document, index: Index, diagnostic: Diagnostic) -> Fix | None:
    """Delete the node (what fed only it is unused then, and goes in the next round of ``--fix``)."""
    return _removal(document, index, diagnostic, "Remove the dead node")


@rule(
    "R207",
    "stale-value-info",
    "warning",
    "a value_info entry describes a value nothing produces",
    """
`value_info` records the type of intermediate values. An entry whose value no longer exists
(after a rename or a removal) misleads readers and tools.

The fix deletes the entry; not while some use names nothing.
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


@fixer("R207")
def remove_value_info(document: Document, index: Index, diagnostic: Diagnostic) -> Fix | None:
    """Delete the entry (not while some use names nothing: see :func:`_removal`)."""
    return _removal(document, index, diagnostic, "Remove the stale value_info entry")


@rule(
    "R208",
    "unused-function",
    "warning",
    "a function of the model is called by no node",
    """
A model-local function that no node calls (in any graph, or in another function) is dead weight,
often left over from an export or an edit. The fix removes it.
""",
)
def unused_functions(document: Document, index: Index) -> Iterator[Diagnostic]:
    called = _called(index)
    for scope in index.scopes:
        if scope.function is not None and scope.function not in called:
            domain, name, overload = scope.function
            label = (
                f"'{name}'"
                + (f" (domain '{domain}')" if domain else "")
                + (f" overload '{overload}'" if overload else "")
            )
            yield Diagnostic(
                "R208",
                f"function {label} is called by no node",
                "warning",
                scope.path,
                "remove it, or call it",
            )


def _called(index: Index) -> set[tuple[str, str, str]]:
    return {(node.domain, node.op_type, node.overload) for node in index.nodes}


@fixer("R208")
def remove_function(document: Document, index: Index, diagnostic: Diagnostic) -> Fix | None:
    """Delete the function; not while a node calls an op of its domain that nothing defines (a
    misspelt call, which may have meant it)."""
    scope = index.scope_at.get(diagnostic.path) if diagnostic.path is not None else None
    if scope is None or scope.function is None:
        return None
    defined = {s.function for s in index.scopes if s.function is not None}
    domain = scope.function[0]
    if any(key[0] == domain and key not in defined for key in _called(index)):
        return None
    return removal(document, diagnostic.path, "Remove the unused function")


@rule(
    "R209",
    "outer-value-output",
    "error",
    "a subgraph returns a value of an enclosing graph directly",
    """
A subgraph (an If branch, a Loop or Scan body) may read the values of the graphs around it, but
its outputs must be produced inside it: onnx.checker (full check) and onnxruntime refuse an
output that names an outer value. Pass it through an Identity node in the subgraph.
""",
)
def outer_value_outputs(document: Document, index: Index) -> Iterator[Diagnostic]:
    resolved = _resolved(index)
    for scope in index.scopes:
        if scope.parent is None:
            continue
        for name, path in scope.outputs:
            producer = resolved.get((scope.id, name))
            if producer is not None and producer.scope is not scope:
                yield Diagnostic(
                    "R209",
                    f"output '{name}' of the subgraph is a value of an enclosing graph",
                    "error",
                    path,
                    f"add `- {{op_type: Identity, inputs: [{name}], outputs: [{name}_out]}}` to the "
                    f"subgraph's nodes and output {name}_out",
                )

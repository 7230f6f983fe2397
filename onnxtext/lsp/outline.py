"""The outline of a document: graph inputs, outputs, initializers, nodes, functions.

An editor shows the symbols whose ranges hold the cursor as breadcrumbs, so a symbol's range holds
its children and nothing of its siblings.  Nodes are therefore listed in document order; consecutive
nodes of one op type are grouped under it (a group spans exactly those nodes: a model's op types
interleave, and a group of every Conv would claim the lines of the nodes between them).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from typing import Literal

from onnxtext.base.paths import Path
from onnxtext.core.index import Node, Scope
from onnxtext.core.positions import Span
from onnxtext.lsp.snapshot import Snapshot

LISTED = 500  # inputs, outputs, initializers listed per group: an outline of 50,000 would be useless
LISTED_NODES = 5000  # nodes listed: every node of 50,000 would make the outline 24 MB

SymbolKind = Literal["group", "input", "output", "initializer", "op", "node", "function"]


@dataclasses.dataclass
class Symbol:
    name: str
    kind: SymbolKind
    span: Span  # the whole element
    name_span: Span  # the part that names it (within ``span``)
    detail: str = ""
    children: list[Symbol] = dataclasses.field(default_factory=list)


def outline(snapshot: Snapshot) -> list[Symbol]:
    """The symbols of the main graph, then one per function (each with its own nodes)."""
    found: list[Symbol] = []
    for scope in snapshot.index.scopes:
        if scope.parent is not None:
            continue
        if scope.kind == "graph":
            found.extend(_graph(snapshot, scope))
        else:
            span = snapshot.span(scope.path)
            name = snapshot.value((*scope.path, "name"))
            if span is not None:
                function = Symbol(
                    str(name or "function"), "function", span, _name(snapshot, scope.path, span)
                )
                function.children = _graph(snapshot, scope)
                found.append(function)
    return found


def _count(total: int, what: str, limit: int = LISTED) -> str:
    listed = f" (the first {limit:,} listed)" if total > limit else ""
    return f"{total:,} {what}{'s' if total != 1 else ''}{listed}"


def _name(snapshot: Snapshot, path: Path, fallback: Span) -> Span:
    return snapshot.value_span((*path, "name")) or fallback


def _graph(snapshot: Snapshot, scope: Scope) -> list[Symbol]:
    groups: list[Symbol] = []
    for key, kind in (("inputs", "input"), ("outputs", "output"), ("initializers", "initializer")):
        listed = snapshot.value((*scope.path, key))
        group_span = snapshot.span((*scope.path, key))
        if not isinstance(listed, list) or not listed or group_span is None:
            continue
        group = Symbol(key, "group", group_span, snapshot.key_span((*scope.path, key)) or group_span)
        group.detail = _count(len(listed), key[:-1])
        for i, item in enumerate(listed[:LISTED]):
            span = snapshot.span((*scope.path, key, i))
            name = item.get("name") if isinstance(item, dict) else item
            if span is not None and isinstance(name, str):
                detail = item.get("type", "") if isinstance(item, dict) else ""
                name_span = _name(snapshot, (*scope.path, key, i), span) if isinstance(item, dict) else span
                group.children.append(Symbol(name, kind, span, name_span, str(detail)))  # type: ignore[arg-type]
        groups.append(group)
    nodes_span = snapshot.span((*scope.path, "nodes"))
    if nodes_span is not None and scope.nodes:
        nodes = Symbol("nodes", "group", nodes_span, snapshot.key_span((*scope.path, "nodes")) or nodes_span)
        nodes.detail = _count(len(scope.nodes), "node", LISTED_NODES)
        nodes.children = _runs(snapshot, scope.nodes[:LISTED_NODES])
        groups.append(nodes)
    return groups


def _runs(snapshot: Snapshot, nodes: list[Node]) -> list[Symbol]:
    """The nodes in document order, each run of consecutive nodes of one op type under a group."""
    found: list[Symbol] = []
    for op_type, grouped in itertools.groupby(_nodes(snapshot, nodes), key=lambda symbol: symbol.detail):
        run = list(grouped)
        if len(run) == 1:
            found.extend(run)
            continue
        first, last = run[0].span, run[-1].span
        whole = Span(first.line, first.col, last.end_line, last.end_col)
        found.append(Symbol(op_type or "?", "op", whole, run[0].name_span, _count(len(run), "node"), run))
    return found


def _nodes(snapshot: Snapshot, nodes: list[Node]) -> Iterator[Symbol]:
    for node in nodes:
        span = snapshot.span(node.path)
        if span is not None:
            label = node.name or f"{node.op_type} #{node.position}"
            name_span = snapshot.value_span((*node.path, "name")) or span
            yield Symbol(label, "node", span, name_span, node.op_type)

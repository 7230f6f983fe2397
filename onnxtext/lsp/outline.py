"""The outline of a document: graph inputs, outputs, initializers, nodes grouped by op type, functions."""

from __future__ import annotations

import dataclasses
from typing import Literal

from onnxtext.base.paths import Path
from onnxtext.core.index import Scope
from onnxtext.core.positions import Span
from onnxtext.lsp.snapshot import Snapshot

LISTED = 500  # entries listed per group: an outline of 50,000 nodes would be 24 MB and useless

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


def _count(total: int, what: str) -> str:
    listed = f" (the first {LISTED} listed)" if total > LISTED else ""
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
        by_op: dict[str, Symbol] = {}
        counts: dict[str, int] = {}
        for node in scope.nodes:
            counts[node.op_type] = counts.get(node.op_type, 0) + 1
            if counts[node.op_type] > LISTED:
                continue
            span = snapshot.span(node.path)
            if span is None:
                continue
            op = by_op.get(node.op_type)
            if op is None:
                op = by_op[node.op_type] = Symbol(node.op_type or "?", "op", nodes_span, span)
            label = node.name or f"{node.op_type} #{node.position}"
            name_span = snapshot.value_span((*node.path, "name")) or span
            op.children.append(Symbol(label, "node", span, name_span, node.op_type))
        for op in by_op.values():
            op.detail = _count(counts[op.name if op.name != "?" else ""], "node")
        nodes = Symbol("nodes", "group", nodes_span, snapshot.key_span((*scope.path, "nodes")) or nodes_span)
        nodes.detail = _count(len(scope.nodes), "node")
        nodes.children = sorted(by_op.values(), key=lambda s: s.name)
        groups.append(nodes)
    return groups

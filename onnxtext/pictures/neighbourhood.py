"""The changed neighbourhood of a diff: the few dozen nodes a static picture of it draws.

Both models in one picture (overlaid): the nodes the diff marks, in B's terms (added, changed, renamed)
and A's (removed), with the nodes that feed them and read them, and the edges between those nodes:
an edge of B that A does not have is *added* (a rewired input, or the edge of an added node), one of A
that B does not have is *removed*.  The picture is bounded: past ``max_changes`` changed nodes, the
rest are counted, not drawn.  Only the nodes near changes are looked at (their producers and
consumers, from each model's Index), so two models of 50,000 nodes cost no more than two small ones
once the diff is known.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from onnxtext.base.paths import Path
from onnxtext.core.index import Index, Node
from onnxtext.pictures.graph import Mark, MarkKind
from onnxtext.pictures.marks import RANK, DiffMarks

EdgeKind = MarkKind | None


@dataclasses.dataclass(frozen=True)
class PictureNode:
    """A node of the picture: its op, its name, how the diff marks it (None: unchanged context)."""

    key: str  # "b:<path>" for a node of B, "a:<path>" for one of A only (removed)
    path: Path
    op: str
    name: str
    mark: Mark | None


@dataclasses.dataclass(frozen=True)
class Neighbourhood:
    """The nodes and edges to draw, and how many changed nodes were left out."""

    nodes: list[PictureNode]
    edges: list[tuple[str, str, EdgeKind]]
    more: int


def neighbourhood(marks: DiffMarks, max_changes: int = 12) -> Neighbourhood:
    """The changed nodes (up to ``max_changes``), their producers and consumers, and their edges."""
    comparison = marks.comparison
    index_a, index_b = comparison.index_a, comparison.index_b
    seeds = [(f"b:{p}", p, index_b) for p in marks.b] + [
        (f"a:{p}", p, index_a) for p, m in marks.a.items() if m.kind == "removed"
    ]
    seeds = [seed for seed in seeds if seed[1] in seed[2].node_at]
    marked = {id(index_a): marks.a, id(index_b): marks.b}
    seeds.sort(key=lambda seed: -RANK[marked[id(seed[2])][seed[1]].kind])  # renames last (stable)
    shown, more = seeds[:max_changes], len(seeds) - max_changes
    keys: dict[str, tuple[Path, Index]] = {}
    for key, path, index in shown:
        keys[key] = (path, index)
        for neighbour in _around(index, index.node_at[path]):
            place = _in_b(marks, index, neighbour.path)
            keys.setdefault(place[0], place[1:])
    nodes = []
    for key, (path, index) in keys.items():
        node = index.node_at[path]
        side = marks.b if index is index_b else marks.a
        nodes.append(PictureNode(key, path, node.op_type, node.name, side.get(path)))
    return Neighbourhood(nodes, list(_edges(marks, keys)), max(more, 0))


def _around(index: Index, node: Node) -> Iterator[Node]:
    """The nodes that produce what ``node`` reads and that read what it writes (in its scope)."""
    for name in node.inputs:
        producer = index.resolve(node.scope, name) if name else None
        if producer is not None and producer.node is not None and producer.scope is node.scope:
            yield producer.node
    for name in node.outputs:
        if name:
            for use in index.consumers_of(node.scope, name):
                if use.node is not None:
                    yield use.node


def _in_b(marks: DiffMarks, index: Index, path: Path) -> tuple[str, Path, Index]:
    """Where a node is drawn: as B's node (itself, or A's node's partner), else as A's."""
    comparison = marks.comparison
    if index is comparison.index_b:
        return f"b:{path}", path, index
    twin = marks.partner_in_b(path)
    if twin is not None:
        return f"b:{twin}", twin, comparison.index_b
    return f"a:{path}", path, index


def _edges(marks: DiffMarks, keys: dict[str, tuple[Path, Index]]) -> Iterator[tuple[str, str, EdgeKind]]:
    """Edges between drawn nodes: B's (added when A lacks them), then A's that B lacks (removed)."""
    comparison = marks.comparison
    index_a, index_b = comparison.index_a, comparison.index_b
    edges_b: set[tuple[str, str]] = set()
    for key, (path, index) in keys.items():
        if index is not index_b:
            continue
        for source in _producers(index_b, index_b.node_at[path]):
            source_key = f"b:{source.path}"
            if source_key in keys:
                edges_b.add((source_key, key))
                old_source, old_target = marks.partner_in_a(source.path), marks.partner_in_a(path)
                kept = (
                    old_source is not None
                    and old_target is not None
                    and any(p.path == old_source for p in _producers(index_a, index_a.node_at[old_target]))
                )
                yield source_key, key, None if kept else "added"
    for key, (path, index) in keys.items():
        old = path if index is index_a else marks.partner_in_a(path)
        if old is None:
            continue
        for source in _producers(index_a, index_a.node_at[old]):
            source_key = _in_b(marks, index_a, source.path)[0]
            if source_key in keys and (source_key, key) not in edges_b:
                yield source_key, key, "removed"


def _producers(index: Index, node: Node) -> list[Node]:
    """The nodes of its own scope whose outputs ``node`` reads, once each, in input order."""
    found: dict[int, Node] = {}
    for name in node.inputs:
        producer = index.resolve(node.scope, name) if name else None
        if producer is not None and producer.node is not None and producer.scope is node.scope:
            found.setdefault(id(producer.node), producer.node)
    return list(found.values())

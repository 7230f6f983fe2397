"""What a diff means for the pictures of its two models: which node is marked how, and which is whose partner.

From a :class:`~onnxtext.diff.comparison.Comparison`: a node removed is marked in A, added in B, changed
or renamed in both, with one line per changed field (``attributes.ratio: 0.5 -> 0.25``).  Graph inputs
and outputs are marked as nodes are (the pictures draw them as nodes); a changed initializer marks
the nodes that read it, a renamed value the node that writes it.  Partners come from the diff's node
pairing (renamed nodes included); a scope the diff did not compare (inside identical nodes) pairs its
nodes by position.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator

from onnxtext.base.paths import Path
from onnxtext.core.index import Index, Node
from onnxtext.diff.changes import Change
from onnxtext.diff.comparison import Comparison
from onnxtext.diff.display import detail_text
from onnxtext.pictures.graph import Mark, MarkKind

RANK: dict[MarkKind, int] = {"renamed": 0, "changed": 1, "added": 2, "removed": 2}  # the stronger wins


@dataclasses.dataclass(frozen=True)
class DiffMarks:
    """The marks of each side (node path -> :class:`Mark`) and the partners of nodes (A -> B)."""

    a: dict[Path, Mark]
    b: dict[Path, Mark]
    comparison: Comparison

    @classmethod
    def of(cls, comparison: Comparison) -> DiffMarks:
        marks = cls({}, {}, comparison)
        for change in comparison.changes:
            marks._add(change)
        return marks

    def partner_in_b(self, path: Path) -> Path | None:
        """The node of B paired with node ``path`` of A (None: it was removed)."""
        forward, _, compared, _ = self._pairs
        return _partner(forward, compared, path, self.comparison.index_b)

    def partner_in_a(self, path: Path) -> Path | None:
        """The node of A paired with node ``path`` of B (None: it was added)."""
        _, backward, _, compared = self._pairs
        return _partner(backward, compared, path, self.comparison.index_a)

    def partners(self) -> Iterator[tuple[Path, Path]]:
        """Every pair of nodes (path in A, path in B)."""
        for node in self.comparison.index_a.nodes:
            twin = self.partner_in_b(node.path)
            if twin is not None:
                yield node.path, twin

    @functools.cached_property
    def _pairs(self) -> tuple[dict[Path, Path], dict[Path, Path], set[Path], set[Path]]:
        """Node pairs A -> B and B -> A, and the scopes of A and of B whose nodes the diff paired."""
        forward: dict[Path, Path] = {}
        for pairing in self.comparison.pairings:
            nodes_a, nodes_b = pairing.a.nodes, pairing.b.nodes
            for j, i in pairing.pairs.items():
                forward[nodes_a[i].path] = nodes_b[j].path
        scopes_a = {pairing.a.path for pairing in self.comparison.pairings}
        scopes_b = {pairing.b.path for pairing in self.comparison.pairings}
        return forward, {b: a for a, b in forward.items()}, scopes_a, scopes_b

    # -- marks ----------------------------------------------------------------------------------

    def _add(self, change: Change) -> None:
        lines = tuple(detail_text(detail, change.stats) for detail in change.details)
        if change.section in ("nodes", "inputs", "outputs"):
            if change.kind != "added":
                self._put(self.a, change.path, Mark(change.kind, lines))
            if change.kind != "removed":
                self._put(self.b, change.new_path or change.path, Mark(change.kind, lines))
        elif change.section == "initializers":
            self._readers(change, lines)
        elif change.section == "values":  # an output renamed: path is the node's output in A
            node_path = change.path[:-2]
            mark = Mark("renamed", lines and (f"{change.path[-2]}[{change.path[-1]}] {lines[0]}",))
            self._put(self.a, node_path, mark)
            twin = self.partner_in_b(node_path)
            if twin is not None:
                self._put(self.b, twin, mark)

    def _readers(self, change: Change, lines: tuple[str, ...]) -> None:
        """Mark the nodes that read a changed, added or removed initializer."""
        what = f"initializer {change.what}"
        kind: MarkKind = "renamed" if change.kind == "renamed" else "changed"
        sides = []
        if change.kind != "added":
            sides.append((self.a, self.comparison.index_a, change.path))
        if change.kind != "removed":
            sides.append((self.b, self.comparison.index_b, change.new_path or change.path))
        for marks, index, path in sides:
            for node in _readers_of(index, path):
                self._put(marks, node.path, Mark(kind, (f"{what}: {change.kind}", *lines)))

    @staticmethod
    def _put(marks: dict[Path, Mark], path: Path, mark: Mark) -> None:
        """Keep the strongest kind and every line (a node both renamed and changed is changed)."""
        known = marks.get(path)
        if known is None:
            marks[path] = mark
            return
        kind = mark.kind if RANK[mark.kind] > RANK[known.kind] else known.kind
        marks[path] = Mark(kind, known.lines + mark.lines)


def _readers_of(index: Index, path: Path) -> list[Node]:
    """The nodes reading the initializer at ``path`` (in its scope or, unshadowed, in its bodies)."""
    scope = index.scope_at.get(path[:-2])
    if scope is None:
        return []
    name = next((n for n, kind, where in scope.defines if where == path and kind == "initializer"), None)
    if name is None:
        return []
    return [use.node for use in index.consumers_of(scope, name) if use.node is not None]


def _partner(pairs: dict[Path, Path], compared: set[Path], path: Path, other: Index) -> Path | None:
    """The partner of node ``path``: paired by the diff, else under its owner's partner at the same
    place (a scope the diff did not compare holds identical nodes)."""
    found = pairs.get(path)
    if found is not None or path[:-2] in compared:
        return found
    for cut in range(len(path) - 1, 0, -1):
        owner = pairs.get(path[:cut])
        if owner is not None:
            twin = (*owner, *path[cut:])
            return twin if twin in other.node_at else None
    return path if path[:1] == ("functions",) and path in other.node_at else None

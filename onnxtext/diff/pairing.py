"""Which node of B is which node of A: pairing by bytes, by name, then by structure.

Nodes are paired first when their bytes are identical (most of them, usually), then by name
(unique, non-empty names), then by structure, in graph order, so that a node whose name was empty
or was changed is still paired with itself:

1. same op, same attributes and the same inputs (after the renames found so far);
2. same op and the same inputs (its attributes changed);
3. same op and the same outputs (its inputs were rewired).

Pairing a node pairs its outputs, so one renamed value (``sed s/fire/block/``) is one rename, not a
removal and an addition of every node downstream.  Names, inputs and outputs come from the models'
Index; bytes and attributes from the protos.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from onnxtext.base.paths import Path
from onnxtext.core.index import Node
from onnxtext.diff.side import Side


class Renames:
    """B value name -> A value name, for the values found to be the same under another name."""

    def __init__(self, renames: dict[str, str] | None = None) -> None:
        self.renames: dict[str, str] = dict(renames or {})

    def __call__(self, name: str) -> str:
        return self.renames.get(name, name)

    def pair(self, a_names: Sequence[str], b_names: Sequence[str]) -> None:
        for old, new in zip(a_names, b_names, strict=False):
            if old != new and new:
                self.renames[new] = old

    def child(self) -> Renames:
        """A map for a sub-graph: it sees the outer renames; its own stay inside."""
        return Renames(self.renames)


class NodePairing:
    """The pairs of nodes of two sides (B position -> A position); ``changed`` are the B nodes of
    pairs whose bytes differ, ``renamed_outputs`` the outputs a pair renamed (path in A, old, new)."""

    def __init__(self, a: Side, b: Side, values: Renames) -> None:
        self.a, self.b, self.values = a, b, values
        self.pairs: dict[int, int] = {}
        self.taken: set[int] = set()
        self.renamed_outputs: list[tuple[Path, str, str]] = []
        self.changed = self._pair_identical()
        self._pair_by_name()
        for key, same_attributes in ((_exact_key, True), (_inputs_key, False), (_outputs_key, False)):
            self._pair_by(key, same_attributes)

    def unpaired_a(self) -> list[int]:
        """A's nodes not paired yet, in order (a shrinking list: pairing asks once per step)."""
        self._rest_a = [i for i in self._rest_a if i not in self.taken]
        return self._rest_a

    def unpaired_b(self) -> list[int]:
        self._rest_b = [j for j in self._rest_b if j not in self.pairs]
        return self._rest_b

    def _pair(self, i: int, j: int) -> None:
        self.pairs[j] = i
        self.taken.add(i)
        node = self.nodes_a[i]
        old, new = node.outputs, self.nodes_b[j].outputs
        if old != new:
            self.values.pair(old, new)
            self.renamed_outputs += [
                ((*node.path, "outputs", k), before, after)
                for k, (before, after) in enumerate(zip(old, new, strict=False))
                if before != after and before and after
            ]

    def _pair_identical(self) -> set[int]:
        """Pair identical nodes, at the same position first (protobuf compares them without making
        bytes), then anywhere by their bytes; return the B nodes left to compare."""
        protos_a, protos_b = self.a.protos, self.b.protos
        same = [k for k, (x, y) in enumerate(zip(protos_a, protos_b, strict=False)) if x == y]
        self.pairs.update({k: k for k in same})
        self.taken.update(same)
        self._rest_a = [i for i in range(len(protos_a)) if i not in self.taken]
        self._rest_b = [j for j in range(len(protos_b)) if j not in self.pairs]
        self.nodes_a, self.nodes_b = _asked(self.a.nodes, self._rest_a), _asked(self.b.nodes, self._rest_b)
        by_bytes: dict[bytes, list[int]] = defaultdict(list)
        for i in self.unpaired_a():
            by_bytes[protos_a[i].SerializeToString()].append(i)
        left = set()
        for j in self.unpaired_b():
            same = by_bytes.get(protos_b[j].SerializeToString())
            if same:
                i = same.pop(0)
                self.pairs[j] = i
                self.taken.add(i)
            else:
                left.add(j)
        return left

    def _pair_by_name(self) -> None:
        names_a = _unique_names(self.nodes_a, self.unpaired_a())
        for name, j in _unique_names(self.nodes_b, self.unpaired_b()).items():
            if name in names_a:
                self._pair(names_a[name], j)

    def _pair_by(self, key: Callable[[Node, Callable[[str], str]], Any], same_attributes: bool) -> None:
        """Pair the unpaired nodes of B, in graph order, with the first unpaired node of A of equal key
        (and equal attributes, when ``same_attributes``: protobuf compares them)."""
        candidates: dict[Any, list[int]] = defaultdict(list)
        nodes_a, nodes_b = self.nodes_a, self.nodes_b
        protos_a, protos_b = self.a.protos, self.b.protos
        for i in self.unpaired_a():
            candidates[key(nodes_a[i], _identity)].append(i)
        for j in self.unpaired_b():
            found = candidates.get(key(nodes_b[j], self.values))
            if not found:
                continue
            found[:] = [i for i in found if i not in self.taken]
            attributes = protos_b[j].attribute if same_attributes else None
            match = next(
                (i for i in found if attributes is None or protos_a[i].attribute == attributes), None
            )
            if match is not None:
                found.remove(match)
                self._pair(match, j)


def _asked(nodes: Sequence[Node], left: list[int]) -> Sequence[Node]:
    """The nodes as pairing reads them: as they are when few are left to pair (each is made when
    asked for), as a list when many are (every one is read, several times)."""
    return list(nodes) if len(left) * 4 > len(nodes) else nodes


def _identity(name: str) -> str:
    return name


def _exact_key(node: Node, names: Callable[[str], str]) -> Any:
    return (node.domain, node.op_type, tuple(map(names, node.inputs)), len(node.outputs))


def _inputs_key(node: Node, names: Callable[[str], str]) -> Any:
    return (node.domain, node.op_type, tuple(map(names, node.inputs)))


def _outputs_key(node: Node, names: Callable[[str], str]) -> Any:
    return (node.domain, node.op_type, tuple(map(names, node.outputs)))


def _unique_names(nodes: Sequence[Node], indices: list[int]) -> dict[str, int]:
    """Non-empty names that occur once among ``nodes[indices]`` -> their index."""
    seen: dict[str, int] = {}
    repeated: set[str] = set()
    for i in indices:
        name = nodes[i].name
        if name:
            if name in seen:
                repeated.add(name)
            seen[name] = i
    return {name: i for name, i in seen.items() if name not in repeated}

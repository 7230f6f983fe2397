"""``names``: give every unnamed node a unique, stable name (for ``fmt --name-nodes``).

Tools and error messages point at nodes by name; exporters leave many unnamed.  Names are
``<OpType>_<n>``, ``n`` counting per op type in document order (main graph, nested graphs
depth-first, then function bodies) and skipping any name already used, so the same model always
gets the same names and named nodes are never touched (a fully named model keeps its bytes).
"""

from __future__ import annotations

from collections import Counter

import onnx

from onnxtext.base.paths import Path
from onnxtext.roundtrip.patch import bodies, renamed


def name_nodes(model: onnx.ModelProto) -> onnx.ModelProto:
    """A copy of ``model`` in which every node has a name unique across the model."""
    return renamed(model, new_names(model))


def new_names(model: onnx.ModelProto) -> dict[Path, str]:
    """The name each unnamed node of ``model`` gets, by the document path of its ``name`` (what
    ``fmt --name-nodes`` writes, and what lint's N104 proposes)."""
    nodes = [
        ((*path, "nodes", j, "name"), node)
        for path, body in bodies(model)
        for j, node in enumerate(body.node)
    ]
    used = {node.name for _, node in nodes if node.name}
    counters: Counter[str] = Counter()
    names: dict[Path, str] = {}
    for path, node in nodes:
        if node.name:
            continue
        while True:
            candidate = f"{node.op_type}_{counters[node.op_type]}"
            counters[node.op_type] += 1
            if candidate not in used:
                break
        names[path] = candidate
        used.add(candidate)
    return names

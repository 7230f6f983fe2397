"""Inlay hints: the type shape inference gives each node output, shown after the output's name."""

from __future__ import annotations

from onnxtext.lsp.snapshot import Snapshot

Hint = tuple[int, int, str]  # 1-based line and code-point column the label goes before, the label


def output_types(snapshot: Snapshot, first_line: int, last_line: int) -> list[Hint]:
    """A ``: float32[1,64,56,56]`` label after each node output between the two lines (inclusive).

    Outputs whose type the document declares (a value_info entry, a graph output) get one too: the
    label shows what inference derives, which is what a reader wants to compare.
    """
    inferred = snapshot.inferred
    source_map = snapshot.document.source_map
    if not inferred or source_map is None:
        return []
    found = []
    for node in snapshot.index.nodes:
        for k, name in enumerate(node.outputs):
            typed = inferred.get(name) if name else None
            path = (*node.path, "outputs", k)
            start = source_map.starts.get(path)
            if typed is None or start is None or not first_line <= start[0] <= last_line:
                continue
            end_line, end_col = source_map.ends.get(path, start)
            found.append((end_line, end_col, f": {typed}"))
    return found

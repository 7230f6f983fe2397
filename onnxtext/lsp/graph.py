"""``onnxtext/graph``: the graph of an open document, for an editor's graph view.

A custom request, as LLVM IR's language server serves a control-flow graph: any editor can draw
what it answers.  Params: ``textDocument`` (the document), ``position`` (optional: the cursor, whose
node is answered as ``cursor``) and ``against`` (optional: the text of another version, git HEAD's for
"Show Changes").  The answer is what ``onnxtext view`` (or ``diff --view``, with ``against``) serves:
Model Explorer's graph collections (``collections``; the other version's first) and the page's data
(each node's lines, partners, changes), less the texts (the editor has them), and which pane shows the
document (``editing``).  It is made from the version the server last read, so the graph follows edits.
"""

from __future__ import annotations

import bisect
from pathlib import Path
from typing import Any

from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import format_path
from onnxtext.core.document import Document
from onnxtext.core.index import Index
from onnxtext.diff.comparison import compare_models
from onnxtext.lsp.snapshot import Snapshot
from onnxtext.pictures.pages import diff_page, view_page
from onnxtext.pictures.sources import Drawn

METHOD = "onnxtext/graph"


def graph_answer(snapshot: Snapshot, line: int | None, against: str | None) -> dict[str, Any]:
    """The answer for ``snapshot``; ``line`` (1-based) is the cursor's, ``against`` the other text."""
    document = snapshot.document
    label = Path(document.file).name
    drawn = Drawn(label, document.tree, snapshot.index, document.text, document.source_map)
    if against is None:
        collections, page = view_page(drawn)
    else:
        other = Document(against, document.format, document.file, document.folder)
        try:
            comparison = compare_models(other.model_or_raise(), document.model_or_raise())
        except OnnxTextError as err:
            return {"error": err.diagnostic.message}
        before = Drawn(f"{label} (HEAD)", other.tree, Index(other.tree), other.text, other.source_map)
        collections, page = diff_page(before, drawn, comparison)
    for pane in page["panes"]:
        del pane["text"]
    page["collections"] = collections
    page["editing"] = len(collections) - 1
    page["cursor"] = _node_at(snapshot, line) if line is not None else None
    return page


def _node_at(snapshot: Snapshot, line: int) -> str | None:
    """The innermost node whose entry holds ``line`` (None outside every node)."""
    source_map = snapshot.document.source_map
    if source_map is None:
        return None
    spans = sorted(
        (
            (span.line, span.end_line, node.path)
            for node in snapshot.index.nodes
            for span in [source_map.span(node.path)]
        ),
        key=lambda entry: entry[0],
    )
    starts = [start for start, _, _ in spans]
    for k in range(bisect.bisect_right(starts, line) - 1, -1, -1):
        start, end, path = spans[k]
        if start <= line <= end:
            return format_path(path)
    return None


def field(params: Any, name: str) -> Any:
    """A field of a custom request's params (pygls hands them over as objects or mappings)."""
    if isinstance(params, dict):
        return params.get(name)
    return getattr(params, name, None)

"""What the graph page shows: Model Explorer's graph collections and the page's own data.

``onnxtext view`` shows one model (its graph, and a document's text beside it); ``onnxtext diff
--view`` two, marked by the diff, with the list of changes and each node's partner.  The page's data
(:func:`view_page`, :func:`diff_page`) names nodes by their ids (document paths) and gives each its
lines in the text, so a selection moves between graph and text, and between the two graphs.  In an
editor's graph view (:func:`editor_page`) the page starts empty and the editor hands it that same data,
which it asks the language server for (``onnxtext/graph``).
"""

from __future__ import annotations

from typing import Any

from onnxtext.base.paths import format_path
from onnxtext.diff.comparison import Comparison
from onnxtext.diff.display import detail_text
from onnxtext.pictures.graph import COLOURS, graph_collection
from onnxtext.pictures.marks import DiffMarks
from onnxtext.pictures.sources import Drawn

Collections = list[dict[str, Any]]
_NODE_SECTIONS = ("nodes", "inputs", "outputs")


def view_page(drawn: Drawn) -> tuple[Collections, dict[str, Any]]:
    """The graph of one model, and the page's data."""
    collection = graph_collection(drawn.index, drawn.tree, drawn.label, source_map=drawn.source_map)
    return [collection], {"kind": "view", "title": drawn.label, "panes": [_pane(drawn, 0)]}


def diff_page(a: Drawn, b: Drawn, comparison: Comparison) -> tuple[Collections, dict[str, Any]]:
    """The graphs of two models marked by their diff, and the page's data (changes, partners)."""
    marks = DiffMarks.of(comparison)
    collections = [
        graph_collection(a.index, a.tree, a.label, source_map=a.source_map, marks=marks.a),
        graph_collection(b.index, b.tree, b.label, source_map=b.source_map, marks=marks.b),
    ]
    forward = {format_path(x): format_path(y) for x, y in marks.partners()}
    changes = [
        {
            "kind": change.kind,
            "what": change.what if change.section == "nodes" else f"{change.section}: {change.what}",
            "lines": [detail_text(detail, change.stats) for detail in change.details],
            "ids": [
                format_path(change.path)
                if change.section in _NODE_SECTIONS and change.kind != "added"
                else None,
                format_path(change.new_path or change.path)
                if change.section in _NODE_SECTIONS and change.kind != "removed"
                else None,
            ],
        }
        for change in comparison.changes
    ]
    page = {
        "kind": "diff",
        "title": f"{a.label} → {b.label}",
        "panes": [_pane(a, 0), _pane(b, 1)],
        "partners": [forward, {y: x for x, y in forward.items()}],
        "changes": changes,
        "colours": COLOURS,
    }
    return collections, page


def editor_page() -> tuple[Collections, dict[str, Any]]:
    """The page an editor's graph view fills: no model, and an empty graph per pane (a diff has two)
    for Model Explorer's app to start on (it shows a graph only once it has loaded one from its
    server); the graphs themselves come from the editor, by message, and never pass the server."""
    empty = {"label": "onnxtext", "graphs": [{"id": "graph", "nodes": []}]}
    return [empty, empty], {"kind": "editor", "title": "onnxtext"}


def _pane(drawn: Drawn, graph: int) -> dict[str, Any]:
    spans: dict[str, list[int]] = {}
    if drawn.source_map is not None:
        for node in drawn.index.nodes:
            span = drawn.source_map.span(node.path)
            spans[format_path(node.path)] = [span.line, span.end_line]
    return {"label": drawn.label, "graph": graph, "text": drawn.text or None, "spans": spans}

"""A diff's changed neighbourhood as a Mermaid flowchart, and the Markdown report around it.

GitHub and GitLab draw a ```` ```mermaid ```` block in a comment, so ``onnxtext diff A B --format
markdown`` is a pull-request comment that shows the change: a summary, a table of the changes
(bounded) and the flowchart of the changed nodes and their neighbours, coloured as the graph view
colours them, with added edges green and removed ones red and dashed.
"""

from __future__ import annotations

from onnxtext.diff.changes import ModelDiff
from onnxtext.pictures.graph import COLOURS
from onnxtext.pictures.neighbourhood import Neighbourhood, PictureNode
from onnxtext.pictures.table import SIGNS, counts, rows

MAX_ROWS = 40  # table rows in a report; the rest are counted
_LABEL = 36  # characters of a name or a change on a node


def flowchart(picture: Neighbourhood) -> str:
    """The Mermaid text (without the fence) of ``picture``."""
    ids = {node.key: f"n{i}" for i, node in enumerate(picture.nodes)}
    lines = ["flowchart TD"]
    for node in picture.nodes:
        kind = f":::{node.mark.kind}" if node.mark is not None else ""
        lines.append(f'  {ids[node.key]}["{_label(node)}"]{kind}')
    styles = []
    for k, (source, target, kind) in enumerate(picture.edges):
        arrow = "-.->" if kind == "removed" else "-->"
        lines.append(f"  {ids[source]} {arrow} {ids[target]}")
        if kind is not None:
            styles.append(f"  linkStyle {k} stroke:{COLOURS[kind][1]},stroke-width:2px")
    lines += styles
    lines += [
        f"  classDef {kind} fill:{background},stroke:{border},stroke-width:2px"
        for kind, (background, border) in COLOURS.items()
    ]
    return "\n".join(lines) + "\n"


def markdown(diff: ModelDiff, picture: Neighbourhood) -> str:
    """The report: a heading, the counts, a table of the changes and the flowchart."""
    out = [f"### Model changes: `{diff.a}` → `{diff.b}`", ""]
    if diff.same:
        return "\n".join([*out, "The same model.", ""])
    found = counts(diff)
    out += [", ".join(f"**{n}** {kind}" for kind, n in found.items()) + f" ({len(diff.changes)} changes)", ""]
    listed, rest = rows(diff, MAX_ROWS)
    out += ["| | element | what changed |", "| --- | --- | --- |"]
    for row in listed:
        details = "<br>".join(_cell(line) for line in row.details) or _cell(row.what)
        what = _cell(row.what) if row.details else ""
        out.append(f"| {SIGNS[row.kind]} {row.kind} | `{row.where}` {what} | {details} |")
    if rest:
        out += ["", f"{rest} more changes (`onnxtext diff` lists them all)."]
    if picture.nodes:
        out += ["", "```mermaid", flowchart(picture).rstrip("\n"), "```"]
        if picture.more:
            out += ["", f"{picture.more} more changed nodes are not drawn."]
    return "\n".join(out) + "\n"


def _label(node: PictureNode) -> str:
    parts = [node.op or "?"]
    if node.name:
        parts.append(_cut(node.name))
    if node.mark is not None and node.mark.lines:
        parts.append(_cut(node.mark.lines[0]))
    return "<br/>".join(_escape(part) for part in parts)


def _cut(text: str) -> str:
    return text if len(text) <= _LABEL else text[: _LABEL - 1] + "…"


def _escape(text: str) -> str:
    """Text inside a quoted Mermaid label: its entity codes for the characters Mermaid reads."""
    for char, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(char, code)
    return text


def _cell(text: str) -> str:
    """Text in a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")

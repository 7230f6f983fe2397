"""A diff as one self-contained HTML file: the summary, the table of changes and the SVG picture of
the changed neighbourhood, with no script, font or style to fetch (it opens from disk, offline, and
can be attached to a CI run as it is)."""

from __future__ import annotations

from html import escape

from onnxtext.diff.changes import ModelDiff
from onnxtext.pictures.graph import COLOURS
from onnxtext.pictures.mermaid import MAX_ROWS
from onnxtext.pictures.neighbourhood import Neighbourhood
from onnxtext.pictures.svg import render_svg
from onnxtext.pictures.table import SIGNS, counts, rows

_STYLE = """
body { font: 14px system-ui, sans-serif; color: #1f2328; margin: 24px; }
table { border-collapse: collapse; margin: 12px 0; }
td, th { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; vertical-align: top; }
code { font: 12px ui-monospace, monospace; }
.key { display: inline-block; padding: 0 6px; margin-right: 6px; border: 1px solid; border-radius: 3px; }
.picture { overflow: auto; border: 1px solid #d0d7de; padding: 8px; }
"""


def render_html(diff: ModelDiff, picture: Neighbourhood) -> str:
    """The page (UTF-8 text)."""
    title = f"Model changes: {diff.a} → {diff.b}"
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h2>{escape(title)}</h2>",
    ]
    if diff.same:
        out.append("<p>The same model.</p>")
    else:
        found = ", ".join(f"<b>{n}</b> {kind}" for kind, n in counts(diff).items())
        out.append(f"<p>{found} ({len(diff.changes)} changes)</p>")
        out.append(
            "<p>"
            + "".join(
                f'<span class="key" style="background:{fill};border-color:{stroke}">{kind}</span>'
                for kind, (fill, stroke) in COLOURS.items()
            )
            + "</p>"
        )
        out.append('<div class="picture">' + render_svg(picture) + "</div>")
        if picture.more:
            out.append(f"<p>{picture.more} more changed nodes are not drawn.</p>")
        listed, rest = rows(diff, MAX_ROWS)
        out.append("<table><tr><th></th><th>element</th><th>what changed</th></tr>")
        for row in listed:
            details = "<br>".join(escape(line) for line in row.details)
            out.append(
                f"<tr><td>{SIGNS[row.kind]} {row.kind}</td><td><code>{escape(row.where)}</code> "
                f"{escape(row.what)}</td><td>{details}</td></tr>"
            )
        out.append("</table>")
        if rest:
            out.append(f"<p>{rest} more changes (<code>onnxtext diff</code> lists them all).</p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"

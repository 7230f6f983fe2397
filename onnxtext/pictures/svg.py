"""A diff's changed neighbourhood as an SVG picture, laid out by grandalf.

grandalf (PyPI, pure Python) does the layered (Sugiyama) layout: layers, crossing reduction, positions
and edge routes through dummy nodes.  It keeps ``onnxtext diff --format svg`` free of node and of
Graphviz binaries at run time, and on the few dozen nodes of a neighbourhood it takes milliseconds
(``benchmarks/results.md``); whole models are Model Explorer's job (``onnxtext view``).  The picture
is one self-contained ``<svg>`` (no fonts, scripts or links to load), each node with a ``<title>``
that lists what changed on it.
"""

from __future__ import annotations

import dataclasses
from html import escape
from typing import Any

from onnxtext.base.errors import OnnxTextError
from onnxtext.pictures.graph import COLOURS
from onnxtext.pictures.neighbourhood import Neighbourhood, PictureNode

_CHAR = 7.0  # px per character of the 12px monospace-ish text
_LINE = 15.0
_PAD = 8.0
_GAP = 40.0  # between the pictures of separate components
_LONGEST = 44


@dataclasses.dataclass
class _Box:
    """What grandalf calls a vertex's view: its size in, its centre out."""

    w: float
    h: float
    xy: tuple[float, float] = (0.0, 0.0)


@dataclasses.dataclass
class _Route:
    """What grandalf calls an edge's view: the points of its route out."""

    points: list[tuple[float, float]] = dataclasses.field(default_factory=list)

    def setpath(self, points: list[tuple[float, float]]) -> None:
        self.points = [tuple(p) for p in points]  # type: ignore[misc]


def render_svg(picture: Neighbourhood) -> str:
    """The SVG text of ``picture`` (an empty picture is a small note)."""
    if not picture.nodes:
        return _svg(240, 40, ['<text x="10" y="24">no node changed</text>'])
    try:
        from grandalf.graphs import Edge, Graph, Vertex
        from grandalf.layouts import SugiyamaLayout
    except ImportError:
        raise OnnxTextError(
            "E801",
            "the SVG and HTML pictures need grandalf to lay out the graph",
            hint="pip install 'onnxtext[view]'",
        ) from None
    texts = {node.key: _lines(node) for node in picture.nodes}
    vertices = {}
    for node in picture.nodes:
        lines = texts[node.key]
        vertex = Vertex(node.key)
        vertex.view = _Box(max(len(line) for line in lines) * _CHAR + 2 * _PAD, len(lines) * _LINE + 2 * _PAD)
        vertices[node.key] = vertex
    edges = []
    for source, target, kind in picture.edges:
        edge = Edge(vertices[source], vertices[target], data=kind)
        edge.view = _Route()
        edges.append(edge)
    graph = Graph(list(vertices.values()), edges)
    left = 0.0
    for component in graph.C:
        layout = SugiyamaLayout(component)
        layout.xspace, layout.yspace = 24, 36
        layout.init_all()
        layout.draw(3)
        xs = [v.view.xy[0] - v.view.w / 2 for v in component.sV]
        shift = left - min(xs)
        for vertex in component.sV:
            vertex.view.xy = (vertex.view.xy[0] + shift, vertex.view.xy[1])
        for edge in component.sE:
            edge.view.points = [(x + shift, y) for x, y in edge.view.points]
        left = max(v.view.xy[0] + v.view.w / 2 for v in component.sV) + _GAP
    top = min(v.view.xy[1] - v.view.h / 2 for v in vertices.values())
    width = left - _GAP + 2 * _PAD
    height = max(v.view.xy[1] + v.view.h / 2 for v in vertices.values()) - top + 2 * _PAD
    dy = _PAD - top
    body = [_arrowheads()]
    for edge in edges:
        body.append(_edge(_between(edge), edge.data, _PAD, dy))
    by_key = {node.key: node for node in picture.nodes}
    for key, vertex in vertices.items():
        body.append(_node(by_key[key], texts[key], vertex.view, _PAD, dy))
    return _svg(width, height, body)


def _between(edge: Any) -> list[tuple[float, float]]:
    """The edge's route from the bottom of its source to the top of its target (grandalf's runs
    between centres, under the boxes)."""
    points = list(edge.view.points) or [edge.v[0].view.xy, edge.v[1].view.xy]
    source, target = edge.v[0].view, edge.v[1].view
    points[0] = (points[0][0], source.xy[1] + source.h / 2)
    points[-1] = (points[-1][0], target.xy[1] - target.h / 2)
    return points


def _lines(node: PictureNode) -> list[str]:
    lines = [node.op or "?"]
    if node.name:
        lines.append(_cut(node.name))
    if node.mark is not None:
        lines += [_cut(line) for line in node.mark.lines[:2]]
    return lines


def _cut(text: str) -> str:
    return text if len(text) <= _LONGEST else text[: _LONGEST - 1] + "…"


def _node(node: PictureNode, lines: list[str], box: _Box, dx: float, dy: float) -> str:
    x, y = box.xy[0] - box.w / 2 + dx, box.xy[1] - box.h / 2 + dy
    fill, stroke = COLOURS[node.mark.kind] if node.mark is not None else ("#ffffff", "#8c959f")
    title = "\n".join([node.op, node.name, *(node.mark.lines if node.mark else ())])
    kind = node.mark.kind if node.mark is not None else "same"
    out = [
        f'<g class="node {kind}" data-key="{escape(node.key)}"><title>{escape(title)}</title>',
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" rx="4" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{2 if node.mark else 1}"/>',
    ]
    for k, line in enumerate(lines):
        weight = ' font-weight="bold"' if k == 0 else ""
        size = 11 if k >= 2 else 12
        baseline = y + _PAD + (k + 1) * _LINE - 4
        out.append(
            f'<text x="{x + _PAD:.1f}" y="{baseline:.1f}" font-size="{size}"{weight}>{escape(line)}</text>'
        )
    out.append("</g>")
    return "".join(out)


def _edge(points: list[tuple[float, float]], kind: str | None, dx: float, dy: float) -> str:
    colour = COLOURS[kind][1] if kind else "#8c959f"  # type: ignore[index]
    dash = ' stroke-dasharray="5 4"' if kind == "removed" else ""
    path = " ".join(f"{x + dx:.1f},{y + dy:.1f}" for x, y in points)
    marker = kind or "same"
    return (
        f'<polyline class="edge {marker}" points="{path}" fill="none" stroke="{colour}" '
        f'stroke-width="{2 if kind else 1.2}"{dash} marker-end="url(#arrow-{marker})"/>'
    )


def _arrowheads() -> str:
    heads = [("same", "#8c959f")] + [(kind, border) for kind, (_, border) in COLOURS.items()]
    return (
        "<defs>"
        + "".join(
            f'<marker id="arrow-{kind}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
            for kind, colour in heads
        )
        + "</defs>"
    )


def _svg(width: float, height: float, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif" fill="#1f2328">'
        + "".join(body)
        + "</svg>\n"
    )

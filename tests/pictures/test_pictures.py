"""The static pictures of a diff: the changed neighbourhood, its Mermaid flowchart, SVG and HTML page."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import onnx

from onnxtext.diff.changes import ModelDiff
from onnxtext.diff.comparison import compare_models
from onnxtext.pictures.html import render_html
from onnxtext.pictures.marks import DiffMarks
from onnxtext.pictures.mermaid import flowchart, markdown
from onnxtext.pictures.neighbourhood import neighbourhood
from onnxtext.pictures.svg import render_svg
from tests.pictures.edits import SAMPLES, edited_squeezenet


def _picture(max_changes: int = 12):  # type: ignore[no-untyped-def]
    before, after, where = edited_squeezenet()
    marks = DiffMarks.of(compare_models(before, after))
    return before, after, where, marks, neighbourhood(marks, max_changes)


def test_the_neighbourhood_holds_the_changes_and_their_neighbours() -> None:
    _before, after, where, _marks, picture = _picture()
    by_key = {node.key: node for node in picture.nodes}
    dropout, relu, reader = (f"b:('graph', 'nodes', {where[k]})" for k in ("dropout", "relu", "reader"))
    assert by_key[dropout].mark.kind == "changed"
    assert by_key[dropout].mark.lines == ("attributes.ratio: 0.5 -> 0.25",)
    assert by_key[relu].mark.kind == "added"
    # the Dropout's producer, found in the protos: drawn as unchanged context
    producer = next(
        k for k, n in enumerate(after.graph.node) if after.graph.node[where["dropout"]].input[0] in n.output
    )
    assert by_key[f"b:('graph', 'nodes', {producer})"].mark is None
    edges = {(s, t): kind for s, t, kind in picture.edges}
    assert edges[(dropout, relu)] == "added" and edges[(relu, reader)] == "added"
    assert edges[(dropout, reader)] == "removed"  # the edge the Relu was put into
    assert picture.more == 0


def test_past_the_bound_changes_are_counted() -> None:
    *_, picture = _picture(max_changes=1)
    assert sum(node.mark is not None and node.mark.kind != "renamed" for node in picture.nodes) >= 1
    assert picture.more >= 1


def test_markdown_has_the_table_and_a_flowchart_of_the_neighbourhood() -> None:
    _before, _after, _where, marks, picture = _picture()
    report = markdown(ModelDiff("a.onnx", "b.onnx", tuple(marks.comparison.changes)), picture)
    assert report.startswith("### Model changes: `a.onnx` → `b.onnx`")
    assert "| ~ changed | `graph.nodes[" in report and "attributes.ratio: 0.5 -> 0.25" in report
    block = re.search(r"```mermaid\n(.*?)```", report, re.S).group(1)
    assert block == flowchart(picture)
    assert len(re.findall(r'^  n\d+\["', block, re.M)) == len(picture.nodes)
    assert ":::added" in block and ":::changed" in block
    assert "-.->" in block  # the removed edge


def test_svg_and_html_are_self_contained() -> None:
    *_, marks, picture = _picture()
    svg = render_svg(picture)
    assert svg.count('<g class="node') == len(picture.nodes)
    assert svg.count("<polyline") == len(picture.edges)
    page = render_html(ModelDiff("a.onnx", "b.onnx", tuple(marks.comparison.changes)), picture)
    links = set(re.findall(r"(?:src|href)=\"([^\"]+)\"|url\((?!#)([^)]+)\)", page))
    assert links == set()
    assert re.findall(r"https?://[^\"' ]+", page) == ["http://www.w3.org/2000/svg"]


def test_the_command_writes_markdown_svg_and_html(tmp_path: Path) -> None:
    _before, after, _ = edited_squeezenet()
    onnx.save(after, tmp_path / "after.onnx")
    command = [
        sys.executable,
        "-m",
        "onnxtext",
        "diff",
        str(SAMPLES / "squeezenet.onnx"),
        str(tmp_path / "after.onnx"),
    ]
    shown = subprocess.run([*command, "--format", "markdown"], capture_output=True, text=True)
    assert shown.returncode == 1 and "```mermaid\nflowchart TD\n" in shown.stdout
    drawn = subprocess.run(
        [*command, "--format", "svg", "--html", str(tmp_path / "d.html")], capture_output=True, text=True
    )
    assert drawn.returncode == 1 and drawn.stdout.startswith("<svg ")
    assert "<svg " in (tmp_path / "d.html").read_text(encoding="utf-8")
    again = subprocess.run([*command, "--html", str(tmp_path / "d.html")], capture_output=True, text=True)
    assert again.returncode == 2 and "E501" in again.stderr  # an existing file needs --force
    same = subprocess.run(
        [*command[:-1], command[-2], "--format", "markdown"], capture_output=True, text=True
    )
    assert same.returncode == 0 and "The same model." in same.stdout

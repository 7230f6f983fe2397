"""The pages in a real browser (headless Chromium, network cut off): ``onnxtext view`` and ``diff --view``
load, show the model's nodes, their colours and selections, and a click in the graph reaches the
node's line in the text (and a click in the text its node); the static HTML and SVG open from disk;
the Mermaid flowchart parses and draws with mermaid's own code."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import onnx
import pytest

from onnxtext.core.document import Document
from onnxtext.diff.changes import ModelDiff
from onnxtext.diff.comparison import compare_models
from onnxtext.lsp.graph import graph_answer
from onnxtext.lsp.snapshot import Snapshot
from onnxtext.pictures.html import render_html
from onnxtext.pictures.marks import DiffMarks
from onnxtext.pictures.mermaid import flowchart
from onnxtext.pictures.neighbourhood import neighbourhood
from tests.pictures.browser import browser, in_frame, needs_browser, search_and_select, served, wait_for
from tests.pictures.edits import SAMPLES, edited_squeezenet

pytestmark = [
    needs_browser,
    pytest.mark.skipif(
        __import__("importlib").util.find_spec("model_explorer") is None,
        reason="needs Model Explorer's web app (pip install --no-deps ai-edge-model-explorer)",
    ),
]
MERMAID = Path(__file__).parent / "js"


def test_view_shows_the_graph_beside_the_text_and_a_click_reaches_the_line() -> None:
    text = (SAMPLES / "squeezenet.yaml").read_text(encoding="utf-8")
    model = onnx.load(SAMPLES / "squeezenet.onnx")
    dropout = next(k for k, n in enumerate(model.graph.node) if n.op_type == "Dropout")
    starts = [i + 1 for i, line in enumerate(text.splitlines()) if re.match(r"    - op_type: ", line)]
    with served("view", str(SAMPLES / "squeezenet.yaml")) as url, browser() as driver:
        driver.get(url)
        wait_for(driver, "return window.onnxtextView.ready[0]")
        # the graph Model Explorer drew has the model's nodes (its own count, in its info panel)
        count = in_frame(
            driver,
            0,
            lambda: wait_for(driver, "return document.body.innerText.match(/op node count\\s+(\\d+)/)"),
        )
        inputs_and_outputs = len(model.graph.input) + len(model.graph.output)
        assert int(count[1]) == len(model.graph.node) + inputs_and_outputs
        # a click in the graph (search, then Alt+click the node) moves the text to the node's line
        in_frame(driver, 0, lambda: search_and_select(driver, "Dropout"))
        wait_for(driver, f"return window.onnxtextView.selected[0] === 'graph.nodes[{dropout}]'")
        assert driver.execute_script("return window.onnxtextView.line[0]") == starts[dropout]
        shown = driver.execute_script(
            "return [...document.querySelectorAll('.text .line.hit')].map(e => e.dataset.line)"
        )
        assert str(starts[dropout]) in shown
        # a click on a line of another node selects that node in the graph
        target = starts[3] + 1
        driver.execute_script(f"document.querySelector('.text').scrollTop = {(target - 5) * 18}")
        wait_for(driver, "return document.querySelector('.text').scrollTop > 0")
        time.sleep(0.3)  # the scroll redraws the lines in sight once: click the drawn one
        wait_for(driver, f"return document.querySelector(\".text .line[data-line='{target}']\")").click()
        wait_for(driver, "return window.onnxtextView.selected[0] === 'graph.nodes[3]'")
        info = in_frame(
            driver,
            0,
            lambda: wait_for(
                driver, "return document.body.innerText.includes('graph.nodes[3]') && document.body.innerText"
            ),
        )
        assert re.search(rf"\bline\s+{starts[3]}\b", info)


def test_diff_view_marks_both_models_and_selects_partners(tmp_path: Path) -> None:
    before, after, where = edited_squeezenet()
    onnx.save(after, tmp_path / "after.onnx")
    dropout_a = next(k for k, n in enumerate(before.graph.node) if n.op_type == "Dropout")
    with (
        served("diff", str(SAMPLES / "squeezenet.onnx"), str(tmp_path / "after.onnx"), "--view") as url,
        browser() as driver,
    ):
        driver.get(url)
        wait_for(driver, "return window.onnxtextView.ready[0] && window.onnxtextView.ready[1]")
        changes = driver.execute_script("return window.onnxtextView.session.changes")
        assert {c["kind"] for c in changes} >= {"changed", "added"}
        # selecting the Dropout in A (as a person does, in the graph) selects its partner in B
        in_frame(driver, 0, lambda: search_and_select(driver, "Dropout"))
        wait_for(driver, f"return window.onnxtextView.selected[1] === 'graph.nodes[{where['dropout']}]'")
        assert driver.execute_script("return window.onnxtextView.selected[0]") == f"graph.nodes[{dropout_a}]"
        # the partner's panel says what changed, and it is drawn in the colour of a change
        info = in_frame(
            driver,
            1,
            lambda: wait_for(
                driver,
                "return document.body.innerText.includes('ratio: 0.5 -> 0.25') && document.body.innerText",
            ),
        )
        assert "changed" in info
        png = tmp_path / "diff.png"
        driver.save_screenshot(str(png))
        assert _has_colour(png, (0xFF, 0xF8, 0xC5))  # the changed node's amber fill, on screen


def _has_colour(png: Path, rgb: tuple[int, int, int]) -> bool:
    """Whether the PNG has a patch (200 pixels) of exactly this colour (decoded here: no image library)."""
    import struct
    import zlib

    data = png.read_bytes()
    chunks, pos = [], 8
    while pos < len(data):
        size = struct.unpack(">I", data[pos : pos + 4])[0]
        kind = data[pos + 4 : pos + 8]
        chunks.append((kind, data[pos + 8 : pos + 8 + size]))
        pos += 12 + size
    header = next(body for kind, body in chunks if kind == b"IHDR")
    width, height, _, colour = struct.unpack(">IIBB", header[:10])
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    channels = 4 if colour == 6 else 3
    stride = width * channels
    previous = bytearray(stride)
    hits = 0
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        kind, row = line[0], bytearray(line[1:])
        for x in range(stride):
            a = row[x - channels] if x >= channels else 0
            b = previous[x]
            c = previous[x - channels] if x >= channels else 0
            if kind == 1:
                row[x] = (row[x] + a) & 0xFF
            elif kind == 2:
                row[x] = (row[x] + b) & 0xFF
            elif kind == 3:
                row[x] = (row[x] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[x] = (row[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        hits += sum(1 for x in range(0, stride, channels) if tuple(row[x : x + 3]) == rgb)
        previous = row
    return hits > 200


def _static(tmp_path: Path) -> tuple[Path, int]:
    before, after, _ = edited_squeezenet()
    marks = DiffMarks.of(compare_models(before, after))
    picture = neighbourhood(marks)
    page = tmp_path / "diff.html"
    page.write_text(
        render_html(ModelDiff("a.onnx", "b.onnx", tuple(marks.comparison.changes)), picture), encoding="utf-8"
    )
    return page, len(picture.nodes)


def test_the_html_picture_opens_from_disk(tmp_path: Path) -> None:
    page, nodes = _static(tmp_path)
    with browser() as driver:
        driver.get(page.as_uri())
        assert driver.execute_script("return document.querySelectorAll('svg g.node').length") == nodes
        fills = driver.execute_script(
            "return [...document.querySelectorAll('svg g.node.changed rect')]"
            ".map(r => getComputedStyle(r).fill)"
        )
        assert fills and set(fills) == {"rgb(255, 248, 197)"}
        loaded = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        assert loaded == []


@pytest.fixture(scope="module")
def mermaid_js() -> Path:
    """mermaid's browser build, installed from npm into tests/pictures/js (once; skipped offline)."""
    built = MERMAID / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
    if not built.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("needs npm to install mermaid")
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
            cwd=MERMAID,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot install mermaid from npm: {done.stderr[-300:]}")
    return built


def test_the_mermaid_flowchart_parses_and_draws(tmp_path: Path, mermaid_js: Path) -> None:
    before, after, _ = edited_squeezenet()
    picture = neighbourhood(DiffMarks.of(compare_models(before, after)))
    page = tmp_path / "mermaid.html"
    page.write_text(
        f'<!doctype html><script src="{mermaid_js.as_uri()}"></script><body></body>', encoding="utf-8"
    )
    with browser() as driver:
        driver.get(page.as_uri())
        driver.set_script_timeout(30)
        result = driver.execute_async_script(
            """const [text, done] = arguments;
            mermaid.initialize({startOnLoad: false});
            mermaid.parse(text).then(() => mermaid.render('picture', text)).then(
              ({svg}) => { document.body.innerHTML = svg;
                done({nodes: document.querySelectorAll('g.node').length,
                      changed: [...document.querySelectorAll('g.node.changed')].length}); },
              (error) => done({error: String(error)}));""",
            flowchart(picture),
        )
    assert "error" not in result, result
    assert result["nodes"] == len(picture.nodes)
    assert result["changed"] == sum(1 for node in picture.nodes if node.mark and node.mark.kind == "changed")


# A stand-in for VS Code's webview: a page of another origin framing onnxtext's page, which it sends
# messages and whose messages it keeps.
_HOST = """<!doctype html><body style="margin:0">
<iframe src="URL" style="width:1380px;height:860px;border:0"></iframe>
<script>
window.heard = [];
window.addEventListener('message', (event) => window.heard.push(event.data));
function send(message) { document.querySelector('iframe').contentWindow.postMessage(message, 'ORIGIN'); }
</script>"""


def _answer(folder: Path, text: str, line: int | None, against: str | None = None) -> Any:
    """The language server's answer to ``onnxtext/graph`` for ``text`` (what the editor hands the page)."""
    snapshot = Snapshot(Document(text, "yaml", str(folder / "squeezenet.onnx.yaml"), folder), 1)
    return json.loads(json.dumps(graph_answer(snapshot, line, against)))


def _in_page(driver, script: str):  # type: ignore[no-untyped-def]
    """``script`` polled in onnxtext's page (the host's frame) until truthy."""
    driver.switch_to.frame(driver.find_element("css selector", "iframe"))
    try:
        return wait_for(driver, script)
    finally:
        driver.switch_to.default_content()


def test_the_editor_page_shows_what_the_editor_hands_it(tmp_path: Path) -> None:
    """``view --editor`` framed by a page of another origin, as in VS Code's webview: the page shows the
    language server's answer the editor hands it, selects the node at the editor's cursor, tells the
    editor the node clicked in the graph and its lines, takes an edited version in place, and in a diff
    selects the cursor's node with its partner and tells the partner's lines of a node clicked."""
    text = (SAMPLES / "squeezenet.yaml").read_text(encoding="utf-8")
    model = onnx.load(SAMPLES / "squeezenet.onnx")
    starts = [i + 1 for i, line in enumerate(text.splitlines()) if re.match(r"    - op_type: ", line)]
    dropout = next(k for k, n in enumerate(model.graph.node) if n.op_type == "Dropout")
    # a person's edit: a Relu after the Dropout (one node more)
    relu = [
        "    - op_type: Relu\n",
        "      name: extra_relu\n",
        f"      inputs: [{model.graph.node[dropout].output[0]}]\n",
        "      outputs: [extra_relu]\n",
    ]
    rows = text.splitlines(keepends=True)
    at = starts[dropout + 1] - 1
    edited = "".join(rows[:at] + relu + rows[at:])
    inputs_and_outputs = len(model.graph.input) + len(model.graph.output)

    with served("view", "--editor") as url, browser() as driver:
        host = tmp_path / "webview.html"
        origin = url.split("/onnxtext/")[0]
        host.write_text(_HOST.replace("URL", url).replace("ORIGIN", origin), encoding="utf-8")
        driver.get(host.as_uri())
        wait_for(driver, "return window.heard.some(m => m.type === 'onnxtext-page-ready')")

        def show(session: dict[str, object]) -> None:
            driver.execute_script("send({type: 'onnxtext-show', session: arguments[0]})", session)

        def told(pane: int) -> Any:
            script = f"return window.heard.find(m => m.type === 'onnxtext-selected' && m.pane === {pane})"
            return wait_for(driver, script)

        def count() -> int:
            script = "return document.body.innerText.match(/op node count\\s+(\\d+)/)"
            return int(in_frame(driver, 0, lambda: wait_for(driver, script), within=0)[1])

        show(_answer(tmp_path, text, None))
        assert count() == len(model.graph.node) + inputs_and_outputs
        # the editor's cursor, two lines into the 4th node: the graph selects that node, and does not tell
        # the editor (the cursor may have moved on by the time the app has selected it)
        driver.execute_script("send({type: 'onnxtext-cursor', line: arguments[0]})", starts[3] + 2)
        _in_page(driver, "return window.onnxtextView.selected[0] === 'graph.nodes[3]'")
        time.sleep(1)
        assert driver.execute_script("return window.heard.filter(m => m.type === 'onnxtext-selected')") == []
        # a click in the graph (search, then Alt+click the node) tells the editor the node and its lines
        in_frame(driver, 0, lambda: search_and_select(driver, "Dropout"), within=0)
        assert told(0) == {
            "type": "onnxtext-selected",
            "pane": 0,
            "id": f"graph.nodes[{dropout}]",
            "lines": [starts[dropout], starts[dropout + 1] - 1],
            "partner": None,
        }
        # an edit: the same app takes the new version (one node more)
        show(_answer(tmp_path, edited, None))
        _in_page(driver, "return window.onnxtextView.loads[0] === 2")
        assert count() == len(model.graph.node) + 1 + inputs_and_outputs
        # Show Changes: the document against the text before the edit; the Relu is added, the cursor's
        # node selected with its partner, a click on a node tells its lines and its partner's
        changes = _answer(tmp_path, edited, starts[3] + 1, against=text)
        assert changes["editing"] == 1 and [c["kind"] for c in changes["changes"]] == ["added"]
        show(changes)
        _in_page(driver, "return window.onnxtextView.selected[0] === 'graph.nodes[3]'")
        driver.execute_script("window.heard = []")
        in_frame(driver, 0, lambda: search_and_select(driver, "Dropout"), within=0)
        clicked = told(0)
        assert clicked["id"] == f"graph.nodes[{dropout}]"
        assert clicked["partner"] == {"pane": 1, "id": f"graph.nodes[{dropout}]", "lines": clicked["lines"]}

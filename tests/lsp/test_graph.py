"""The custom request ``onnxtext/graph``: an open document's graph, the cursor's node, the graph after an
edit, and the changes against another version's text (over the protocol, then its contents)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pytest_lsp import LanguageClient

from onnxtext.core.document import Document
from onnxtext.lsp.graph import graph_answer
from onnxtext.lsp.snapshot import Snapshot
from tests.lsp.editor import SAMPLES, Editor

TEXT = (SAMPLES / "squeezenet.yaml").read_text(encoding="utf-8")
STARTS = [i + 1 for i, line in enumerate(TEXT.splitlines()) if re.match(r"    - op_type: ", line)]  # 1-based


@pytest.mark.asyncio(loop_scope="module")
async def test_the_request_answers_and_follows_edits(client: LanguageClient, tmp_path: Path) -> None:
    editor = Editor(client, tmp_path / "squeezenet.onnx.yaml", TEXT)
    await editor.open()
    uri = editor.ident().uri
    position = {"line": STARTS[7], "character": 6}  # 0-based: the second line of the 8th node's entry
    answer = await client.protocol.send_request_async(
        "onnxtext/graph", {"textDocument": {"uri": uri}, "position": position}
    )
    assert answer.cursor == "graph.nodes[7]"
    await editor.replace("ratio: 0.5", "ratio: 0.25")
    changed = await client.protocol.send_request_async(
        "onnxtext/graph", {"textDocument": {"uri": uri}, "against": TEXT}
    )
    assert [list(c.lines) for c in changed.changes] == [["attributes.ratio: 0.5 -> 0.25"]]
    editor.close()


def test_the_answer_is_the_pages_data(tmp_path: Path) -> None:
    snapshot = Snapshot(Document(TEXT, "yaml", str(tmp_path / "m.onnx.yaml"), tmp_path), 1)
    answer = graph_answer(snapshot, STARTS[7] + 1, None)
    assert answer["cursor"] == "graph.nodes[7]"
    assert answer["editing"] == 0 and "text" not in answer["panes"][0]  # the editor has the text
    assert answer["panes"][0]["spans"]["graph.nodes[7]"][0] == STARTS[7]
    nodes = {node["id"]: node for node in answer["collections"][0]["graphs"][0]["nodes"]}
    assert nodes["graph.nodes[7]"]["label"] == TEXT.splitlines()[STARTS[7] - 1].split(": ")[1]
    edited_text = TEXT.replace("ratio: 0.5", "ratio: 0.25")
    edited = Snapshot(Document(edited_text, "yaml", str(tmp_path / "m.onnx.yaml"), tmp_path), 2)
    changed = graph_answer(edited, None, TEXT)
    assert changed["editing"] == 1  # the document is the second pane, HEAD's the first
    ((old, new),) = [change["ids"] for change in changed["changes"]]
    assert changed["partners"][0][old] == new
    marked = {n["id"]: n for n in changed["collections"][1]["graphs"][0]["nodes"]}[new]
    assert marked["attrs"][:2] == [
        {"key": "diff", "value": "changed"},
        {"key": "what changed", "value": "attributes.ratio: 0.5 -> 0.25"},
    ]
    assert graph_answer(edited, None, "onnxtext: 2\ngraph: [")["error"]

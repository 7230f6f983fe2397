"""The garbage collector is on again whenever the server is idle, however its analyses overlapped.

A change spanning two node blocks of a 1,746-node dump (densenet121, from the onnx wheel) is read
whole; typing a character 0.12 s later and deleting it 0.12 s after that start two more analyses
while the first is still on the worker thread.  The server says whether the collector is on through
its ``onnxtext/status`` request, which it answers once it is idle.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import onnx
import pytest
from pytest_lsp import LanguageClient

from tests.lsp.editor import Editor, dumped, server_status
from tests.models import ONNX_DATA

pytestmark = pytest.mark.asyncio(loop_scope="module")

DENSENET = ONNX_DATA / "light" / "light_densenet121.onnx"


@pytest.fixture(scope="module")
def densenet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return dumped(onnx.load(DENSENET), tmp_path_factory.mktemp("densenet"), "densenet.yaml")


async def test_overlapping_analyses_leave_the_collector_on(client: LanguageClient, densenet: Path) -> None:
    assert (await server_status(client))["collecting"] is True
    editor = Editor(client, densenet, densenet.read_text(encoding="utf-8"))
    await editor.open()
    # the timing four times, then others: whether two analyses overlap depends on the machine
    timings = [(0.12, 0.12)] * 4 + [(0.1, 0.02), (0.15, 0.05), (0.2, 0.1), (0.08, 0.12), (0.12, 0)]
    for pause, again in timings:
        # one change spanning two node blocks (read whole), then a character typed and deleted
        first = editor.text.index("    - op_type: Relu\n")
        second = editor.text.index("    - op_type: Relu\n", first + 1)
        block = editor.text[first:second]
        editor.send(block + "    - op_type", "    - op_type")
        await asyncio.sleep(pause)
        name = editor.text[editor.text.index("      name: ", second - len(block)) :].split("\n", 1)[0]
        editor.send(name, name + "x")
        await asyncio.sleep(again)
        await editor.change(name + "x", name)
    found = await server_status(client)
    assert (found["collecting"], found["pauses"], found["documents"]) == (True, 0, 1)
    editor.close()

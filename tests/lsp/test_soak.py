"""1,500 edits of a 1,746-node document (densenet121 from the onnx wheel) through the real server.

Edits come in bursts as typing does, with a hover now and then and a pause every few bursts (where
the server computes positions and inferred types): names typed and deleted character by character,
an input misspelt and mended, a line added to a node and removed, a whole node cut and pasted back
(an edit across two node blocks: the text is read whole).  Memory must stay flat once warm, with
the collector on whenever the server is idle (issue 17 measured 125 MB growing to 1.9 GB over such
a session with the collector left off), and the last diagnostics must be those of the same text
opened afresh.
"""

from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator
from pathlib import Path

import onnx
import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import SERVER
from tests.lsp.editor import Editor, dumped, server_status
from tests.models import ONNX_DATA

pytestmark = pytest.mark.asyncio(loop_scope="module")

EDITS = 1500
WARM = 300  # edits before memory is first measured
BURST = 16  # edits sent before waiting for the diagnostics of the last one
PAUSE = 15  # bursts between pauses long enough for the server to go idle


@pytest_lsp.fixture(config=SERVER, loop_scope="module")
async def session(lsp_client: LanguageClient) -> AsyncIterator[None]:
    """A server of its own: its memory is this session's alone."""
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=pytest_lsp.client_capabilities("visual-studio-code"))
    )
    yield
    await lsp_client.shutdown_session()


class Typist:
    """Edits a person makes, each a few ranged changes, chosen at random but reproducibly."""

    def __init__(self, editor: Editor, seed: int) -> None:
        self.editor = editor
        self.rng = random.Random(seed)
        self.sent = 0

    def _send(self, old: str, new: str) -> None:
        self.editor.send(old, new)
        self.sent += 1

    def _line(self, pattern: str) -> str:
        lines = re.findall(pattern, self.editor.text, re.MULTILINE)
        return str(self.rng.choice(lines))

    def rename(self) -> None:
        """A name typed longer, one character at a time (kept: the final text differs)."""
        line = self._line(r"^      name: .+$")
        for char in "_v2":
            self._send(line + "\n", line + char + "\n")
            line += char

    def rename_back(self) -> None:
        """A suffix deleted, one character at a time."""
        line = self._line(r"^      name: .+_v2$")
        for _ in range(3):
            self._send(line + "\n", line[:-1] + "\n")
            line = line[:-1]

    def misspell(self) -> None:
        """An input misspelt (R201) and mended."""
        line = self._line(r"^      inputs: \[.+\]$")
        self._send(line + "\n", line.replace("[", "[q", 1) + "\n")
        self._send(line.replace("[", "[q", 1) + "\n", line + "\n")

    def note(self) -> None:
        """A line added to a node, then removed."""
        line = self._line(r"^      outputs: \[.+\]$")
        self._send(line + "\n", line + "\n      doc_string: checked\n")
        self._send(line + "\n      doc_string: checked\n", line + "\n")

    def move(self) -> None:
        """A whole node cut and pasted back: one change across two node blocks, read whole."""
        starts = [m.start() for m in re.finditer(r"^    - op_type: ", self.editor.text, re.MULTILINE)]
        k = self.rng.randrange(1, len(starts) - 2)
        block = self.editor.text[starts[k] : starts[k + 1]]
        following = self.editor.text[starts[k + 1] : starts[k + 2]]
        self._send(block + following, following)
        self._send(following, block + following)

    def burst(self) -> None:
        """About :data:`BURST` edits."""
        start = self.sent
        while self.sent - start < BURST:
            kind = self.rng.random()
            if kind < 0.04:
                self.move()
            elif kind < 0.25:
                self.rename()
            elif kind < 0.35 and "_v2\n" in self.editor.text:
                self.rename_back()
            elif kind < 0.75:
                self.misspell()
            else:
                self.note()


async def test_1500_edits_keep_memory_flat_and_the_diagnostics_right(
    session: LanguageClient, tmp_path: Path
) -> None:
    client = session
    path = dumped(onnx.load(ONNX_DATA / "light" / "light_densenet121.onnx"), tmp_path, "densenet.yaml")
    editor = Editor(client, path, path.read_text(encoding="utf-8"))
    await editor.open()
    typist = Typist(editor, seed=1746)
    resident: dict[str, int] = {}
    bursts = 0
    last: list[types.Diagnostic] = []
    while typist.sent < EDITS:
        typist.burst()
        bursts += 1
        if bursts % 2:  # a look at a node now and then: the server reads the text the editor has
            at = editor.position("op_type: Conv", nth=bursts % 50)
            await client.text_document_hover_async(types.HoverParams(editor.ident(), at))
        last = list(await editor.published())
        if bursts % PAUSE == 0 or ("warm" not in resident and typist.sent >= WARM):
            status = await server_status(client)
            assert status["collecting"] is True and status["pauses"] == 0, typist.sent
            if "warm" not in resident and typist.sent >= WARM:
                resident["warm"] = int(status["rss"])  # type: ignore[call-overload]
    status = await server_status(client)
    resident["end"] = int(status["rss"])  # type: ignore[call-overload]
    warm, end = resident["warm"] / 2**20, resident["end"] / 2**20
    print(
        f"\n{typist.sent} edits in {bursts} bursts: RSS {warm:.0f} MB after {WARM}, {end:.0f} MB at the end"
    )
    assert status["collecting"] is True and status["pauses"] == 0
    assert resident["end"] < 1.25 * resident["warm"]

    assert "_v2\n" in editor.text
    fresh_path = tmp_path / "fresh.yaml"
    fresh_path.write_text(editor.text, encoding="utf-8")
    fresh = Editor(client, fresh_path, editor.text)
    theirs = await fresh.open()

    def key(found: types.Diagnostic) -> tuple[object, ...]:
        return (found.range, found.code, found.severity, found.message)

    assert [key(d) for d in last] == [key(d) for d in theirs]
    editor.close()
    fresh.close()

"""The conversation itself: what the server does with requests it cannot or need not answer."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.editor import SAMPLES, Editor

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_cancelling_an_answered_request_is_not_an_error(
    client: LanguageClient, capfd: pytest.CaptureFixture[str]
) -> None:
    """Editors cancel requests whose answer already went out; pygls warns about each on stderr, which
    VS Code shows as an error in the server's log."""
    path = SAMPLES / "squeezenet.yaml"
    editor = Editor(client, path, path.read_text(encoding="utf-8"))
    await editor.open()
    client.cancel_request(types.CancelParams(id=987654))
    await client.text_document_hover_async(types.HoverParams(editor.ident(), types.Position(0, 0)))
    await asyncio.sleep(0.2)  # what the server wrote on stderr has been forwarded
    editor.close()
    assert "Cancel notification for unknown message id" not in capfd.readouterr().err

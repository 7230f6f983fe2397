"""The conversation itself: what the server does with requests it cannot or need not answer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcInvalidRequest
from pytest_lsp import LanguageClient

from tests.lsp.conftest import SERVER
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


async def test_a_request_with_invalid_params_gets_an_error(client: LanguageClient) -> None:
    """A negative position does not fit LSP's Position: the editor gets InvalidParams, not silence."""
    path = SAMPLES / "squeezenet.yaml"
    editor = Editor(client, path, path.read_text(encoding="utf-8"))
    await editor.open()
    negative = types.Position(0, 0)
    object.__setattr__(negative, "line", -1)  # past lsprotocol's check, as a buggy client sends it
    requests = [
        (types.TEXT_DOCUMENT_HOVER, types.HoverParams(editor.ident(), negative)),
        (types.TEXT_DOCUMENT_DEFINITION, types.DefinitionParams(editor.ident(), negative)),
        (types.TEXT_DOCUMENT_COMPLETION, types.CompletionParams(editor.ident(), negative)),
    ]
    for method, params in requests:
        with pytest.raises(JsonRpcInvalidParams, match=f"invalid params for {method}: .*position"):
            await asyncio.wait_for(client.protocol.send_request_async(method, params), 10)
    # and the server goes on answering
    found = await client.text_document_hover_async(types.HoverParams(editor.ident(), editor.position("Relu")))
    assert found is not None and found.contents.value.startswith("**Relu**")
    editor.close()


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
async def test_a_raw_line_separator_in_a_json_string_is_no_line_break(
    client: LanguageClient, tmp_path: Path, separator: str
) -> None:
    """Python's json.dump writes U+2028, U+2029 and U+0085 raw; LSP breaks lines only at \\n, \\r\\n and
    \\r, so ranged changes below such a string must land where the editor made them."""
    tree = json.loads((SAMPLES / "squeezenet.json").read_text(encoding="utf-8"))
    tree["graph"]["nodes"][0]["doc_string"] = f"first line{separator}second line"
    path = tmp_path / "squeezenet.json"
    path.write_text(json.dumps(tree, indent=2, ensure_ascii=False), encoding="utf-8")
    editor = Editor(client, path, path.read_text(encoding="utf-8"))
    assert separator in editor.text
    before = await editor.open()
    after = await editor.change('"r1"\n', '"r1x"\n', nth=1)  # a use broken below the string
    broken = [d for d in after if d.code == "R201"]
    assert len(broken) == 1 and editor.covered(broken[0].range) == '"r1x"'
    assert broken[0].range.start == editor.position('"r1x"', offset=0)
    mended = await editor.change('"r1x"\n', '"r1"\n')
    assert [d.code for d in mended] == [d.code for d in before]
    editor.close()


@pytest_lsp.fixture(config=SERVER, loop_scope="module")
async def ending(lsp_client: LanguageClient) -> AsyncIterator[LanguageClient]:
    """A server of its own, to shut down."""
    await lsp_client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
    yield lsp_client


async def test_requests_after_shutdown_get_an_error(ending: LanguageClient) -> None:
    await ending.shutdown_async(None)
    params = types.HoverParams(types.TextDocumentIdentifier("file:///x.yaml"), types.Position(0, 0))
    with pytest.raises(JsonRpcInvalidRequest, match="shutting down"):
        await asyncio.wait_for(ending.text_document_hover_async(params), 10)
    ending.exit(None)

"""An editor's side of the conversation: one open document, edited as a person would, over the protocol."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

import onnxtext

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


class Editor:
    """One open document as an editor holds it: its text, version and the diagnostics last published."""

    def __init__(self, client: LanguageClient, path: Path, text: str) -> None:
        self.client, self.uri, self.text, self.version = client, path.as_uri(), text, 1
        self.language = "json" if path.suffix == ".json" else "yaml"

    async def open(self) -> Sequence[types.Diagnostic]:
        waiting = self.published()
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(self.uri, self.language, self.version, self.text)
            )
        )
        return await waiting

    async def replace(self, old: str, new: str, count: int = 1) -> Sequence[types.Diagnostic]:
        """Edit as a person would: the first ``count`` occurrences of ``old`` become ``new``."""
        assert old in self.text, old
        return await self.set_text(self.text.replace(old, new, count))

    async def set_text(self, text: str) -> Sequence[types.Diagnostic]:
        self.text, self.version = text, self.version + 1
        waiting = self.published()
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(self.version, self.uri),
                [types.TextDocumentContentChangeWholeDocument(text)],
            )
        )
        return await waiting

    async def change(self, old: str, new: str, nth: int = 0) -> Sequence[types.Diagnostic]:
        """Edit as an editor reports typing: the ``nth`` occurrence of ``old`` becomes ``new``, sent as a
        ranged (incremental) change; answers the diagnostics of the new version."""
        self.send(old, new, nth)
        return await self.published()

    def send(self, old: str, new: str, nth: int = 0) -> None:
        """:meth:`change` without waiting for diagnostics (a version superseded before its lint gets
        none)."""
        at = -1
        for _ in range(nth + 1):
            at = self.text.index(old, at + 1)
        start, end = self._position_of(at), self._position_of(at + len(old))
        self.text, self.version = self.text[:at] + new + self.text[at + len(old) :], self.version + 1
        change = types.TextDocumentContentChangePartial(range=types.Range(start, end), text=new)
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(self.version, self.uri), [change]
            )
        )

    def _position_of(self, offset: int) -> types.Position:
        line_start = self.text.rfind("\n", 0, offset) + 1
        return types.Position(self.text.count("\n", 0, offset), _utf16(self.text[line_start:offset]))

    async def apply(self, edits: Sequence[types.TextEdit]) -> Sequence[types.Diagnostic]:
        """Apply LSP text edits (UTF-16 columns) to the text, as the editor does, and send the result."""
        lines = self.text.split("\n")
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line) + 1)

        def offset(position: types.Position) -> int:
            line = lines[position.line]
            units = col = 0
            while col < len(line) and units < position.character:
                units += 2 if ord(line[col]) > 0xFFFF else 1
                col += 1
            return offsets[position.line] + col

        text = self.text
        for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
            text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
        return await self.set_text(text)

    def published_again(self) -> asyncio.Future[Sequence[types.Diagnostic]]:
        """Diagnostics of the current version published once more (after a save)."""
        self.client.published.pop((self.uri, self.version), None)  # type: ignore[attr-defined]
        return asyncio.ensure_future(self.published())

    async def published(self, timeout: float = 30) -> Sequence[types.Diagnostic]:
        """The diagnostics of the current version, once they come."""
        key, published = (self.uri, self.version), self.client.published  # type: ignore[attr-defined]
        for _ in range(int(timeout / 0.005)):
            if key in published:
                return published.pop(key)
            await asyncio.sleep(0.005)
        raise TimeoutError(f"no diagnostics for version {self.version} of {self.uri}")

    async def settled(self, timeout: float = 20) -> None:
        """Wait until the server knows the inferred types of this version (it computes them once idle)."""
        everything = types.Range(types.Position(0, 0), types.Position(self.text.count("\n") + 1, 0))
        for _ in range(int(timeout / 0.02)):
            if await self.client.text_document_inlay_hint_async(
                types.InlayHintParams(self.ident(), everything)
            ):
                return
            await asyncio.sleep(0.02)
        raise TimeoutError(f"no inferred types for {self.uri}")

    def close(self) -> None:
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(self.uri))
        )

    def position(self, needle: str, nth: int = 0, offset: int = 1) -> types.Position:
        """The position ``offset`` UTF-16 units into the ``nth`` occurrence of ``needle``."""
        at = -1
        for _ in range(nth + 1):
            at = self.text.index(needle, at + 1)
        line = self.text.count("\n", 0, at)
        before = self.text[self.text.rfind("\n", 0, at) + 1 : at]
        return types.Position(line, _utf16(before) + offset)

    def ident(self) -> types.TextDocumentIdentifier:
        return types.TextDocumentIdentifier(self.uri)

    def covered(self, found: types.Range) -> str:
        """The text an LSP range covers (one line)."""
        assert found.start.line == found.end.line
        line = self.text.split("\n")[found.start.line]
        return _slice16(line, found.start.character, found.end.character)


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _slice16(line: str, start: int, end: int) -> str:
    return line.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


def dumped(model: object, folder: Path, name: str) -> Path:
    """``model`` dumped by onnxtext into ``folder/name`` (YAML or JSON by the suffix)."""
    path = folder / name
    onnxtext.dump(model, str(path))
    return path


async def server_status(client: LanguageClient) -> dict[str, object]:
    """The server's ``onnxtext/status``: answered once it is idle (collector, pauses, documents, memory)."""
    found = await client.protocol.send_request_async("onnxtext/status", None)
    return dict(found._asdict())  # pygls gives a custom request's answer as a named tuple

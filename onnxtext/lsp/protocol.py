"""The conversation with the editor as pygls holds it, less what does not suit this server.

- **Text.** The server keeps each open document's text itself, as versions of a
  :class:`~onnxtext.core.document.Document` (:meth:`~onnxtext.core.document.Document.with_edit`
  applies a change by LSP's line rules: ``\\n``, ``\\r\\n`` and ``\\r`` only).  pygls's own copy is
  not kept: it splits lines with ``str.splitlines``, so a raw U+2028 inside a JSON string moved every
  later change to the wrong place, and it splits the whole text again for each change.
- **Every request is answered.**  A request whose params do not fit its method (a negative
  position) gets an InvalidParams error; pygls logs it and answers nothing, and the editor waits.
  A request after ``shutdown`` gets InvalidRequest, as LSP says.
- **Quiet about cancels.**  Editors cancel requests whose answer is already on its way all the
  time; pygls warns about each on stderr, which VS Code shows as an error in the server's log.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from typing import Any

import cattrs
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcInvalidRequest
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import JsonRPCRequestMessage, RPCRequest
from pygls.protocol.language_server import lsp_method

log = logging.getLogger("onnxtext.lsp")


@dataclasses.dataclass(frozen=True)
class _Refused:
    """A request whose params could not be read: what its error answer says."""

    id: int | str
    method: str
    reason: str


class OnnxTextProtocol(LanguageServerProtocol):
    """pygls's LSP protocol with the changes in the module docstring."""

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> Iterator[Any]:
        yield from self._handled(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Iterator[Any]:
        yield from self._handled(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) -> Iterator[Any]:
        yield from self._handled(types.TEXT_DOCUMENT_DID_CLOSE, params)

    def _handled(self, method: str, params: Any) -> Iterator[Any]:
        """The server's handler of ``method``, as pygls's built-in features call it."""
        handler = self.fm.features.get(method)
        if handler is not None:
            yield handler, (params,), None

    def structure_message(self, data: dict[str, Any]) -> Any:
        if "jsonrpc" in data and "method" in data and "id" in data:  # a request: the editor waits for it
            kind = self.get_message_type(data["method"]) or JsonRPCRequestMessage
            try:
                return self._converter.structure(data, kind)
            except Exception as error:
                return _Refused(data["id"], data["method"], "; ".join(cattrs.transform_error(error)))
        return super().structure_message(data)

    def handle_message(self, message: Any) -> None:
        if isinstance(message, _Refused):
            log.info("%s: invalid params: %s", message.method, message.reason)
            error = JsonRpcInvalidParams(f"invalid params for {message.method}: {message.reason}")
            self._send_response(message.id, error=error.to_response_error())
            return
        if self._shutdown and isinstance(message, RPCRequest) and message.method != types.EXIT:
            error = JsonRpcInvalidRequest(f"{message.method}: the server is shutting down")
            self._send_response(message.id, error=error.to_response_error())
            return
        super().handle_message(message)


def not_a_late_cancel(record: logging.LogRecord) -> bool:
    """A logging filter: False for pygls's warning about a cancel of a request already answered."""
    return not record.getMessage().startswith("Cancel notification for unknown message id")

"""``onnxtext lsp``: the language server (stdio), on pygls and lsprotocol.

The handlers only translate: LSP positions to document positions, library answers (snapshot,
navigate, hover, complete, outline, fixes, inlay) to LSP types.  Each document version gets one
:class:`~onnxtext.lsp.snapshot.Snapshot` shared by every request; lint runs on a worker thread a
short moment after the last change (so typing does not queue a lint per keystroke), then the
diagnostics are published and the value types inferred for hover and inlay hints.  On a graph of
:data:`PREVIEW_NODES` nodes or more, a version whose tree rules find no error is published twice:
their diagnostics first, then with those of onnx.checker and shape inference.  A change inside one
list item re-reads only that item (:mod:`onnxtext.lsp.incremental`).  While the text
does not parse, navigation answers from the last version that did.  A YAML or JSON file without the
top-level ``onnxtext:`` key is some other file (an editor may start the server for all of them): it
gets no diagnostics and no answers.  A handler that fails logs the error (``window/logMessage`` and
stderr) and answers empty: the server stays up.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import gc
import inspect
import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from onnxtext import text as text_layer
from onnxtext.base.collector import gc_paused, pauses
from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.version import __version__
from onnxtext.core.positions import Span
from onnxtext.fmt import looks_like_document
from onnxtext.lsp import complete, fixes, hover, inlay, navigate, outline
from onnxtext.lsp.incremental import Edit
from onnxtext.lsp.shapes import inferred_types
from onnxtext.lsp.snapshot import LspRange, Snapshot

DEBOUNCE = 0.1  # seconds of quiet after a change before lint runs
PREVIEW_NODES = 10_000  # a graph this big gets the tree rules' diagnostics first, then all of them
IDLE = 0.3  # seconds of quiet after diagnostics before positions and types are computed
STATUS = "onnxtext/status"  # the collector's state, answered once the server is idle (tests ask it)
REQUEST_FAILED = -32803  # LSP's RequestFailed: the answer to a refused rename
_SNIFF = 4096  # the format key is looked for in the first characters, as `onnxtext lint` does in folders

log = logging.getLogger("onnxtext.lsp")
R = TypeVar("R")

_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}
_COMPLETION_KIND = {
    "op": types.CompletionItemKind.Class,
    "value": types.CompletionItemKind.Variable,
    "attribute": types.CompletionItemKind.Property,
    "dtype": types.CompletionItemKind.TypeParameter,
}
_SYMBOL_KIND = {
    "group": types.SymbolKind.Namespace,
    "input": types.SymbolKind.Variable,
    "output": types.SymbolKind.Variable,
    "initializer": types.SymbolKind.Constant,
    "op": types.SymbolKind.Class,
    "node": types.SymbolKind.Function,
    "function": types.SymbolKind.Module,
}


class OnnxTextServer(LanguageServer):
    """The server and its open documents: the current snapshot of each, and the last that parsed."""

    def __init__(self) -> None:
        super().__init__("onnxtext", __version__)
        self.current: dict[str, Snapshot] = {}
        self.parsed: dict[str, Snapshot] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.worker = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="onnxtext-lint")

    def navigable(self, uri: str) -> Snapshot | None:
        """The last snapshot whose text parsed (what completion reads names and opsets from)."""
        ready = self.parsed.get(uri)
        if ready is not None:
            return ready
        snapshot = self.current.get(uri)
        return snapshot if snapshot is not None and snapshot.parsed else None

    async def readable(self, uri: str) -> Snapshot | None:
        """The snapshot a request about positions answers from: the text the editor has now (read
        on the worker first if it was not yet), or while that does not parse, the last that did."""
        current = self.current.get(uri)
        if current is None:
            return None
        if current is not self.parsed.get(uri):
            await asyncio.get_running_loop().run_in_executor(self.worker, current.warm)
        return current if current.parsed else self.parsed.get(uri)

    def failed(self, what: str, error: BaseException) -> None:
        log.error("%s failed: %s: %s", what, type(error).__name__, error, exc_info=error)
        try:
            message = f"onnxtext: {what} failed: {type(error).__name__}: {error}"
            self.window_log_message(types.LogMessageParams(types.MessageType.Error, message))
        except Exception:  # the client is gone: stderr has it
            pass


def _guarded(server: OnnxTextServer, what: str, empty: Any) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """A handler that logs its failure and answers ``empty`` instead of failing the request."""

    def decorate(handler: Callable[..., R]) -> Callable[..., R]:
        if inspect.iscoroutinefunction(handler):

            @functools.wraps(handler)
            async def wait(params: Any) -> Any:
                try:
                    return await handler(params)
                except JsonRpcException:
                    raise
                except Exception as error:
                    server.failed(what, error)
                    return empty

            return wait  # type: ignore[return-value]

        @functools.wraps(handler)
        def run(params: Any) -> R:
            try:
                return handler(params)
            except JsonRpcException:
                raise  # a deliberate error answer (a refused rename)
            except Exception as error:
                server.failed(what, error)
                return empty  # type: ignore[no-any-return]

        return run

    return decorate


# -- conversions ----------------------------------------------------------------------------------


def _position(position: tuple[int, int]) -> types.Position:
    return types.Position(line=position[0], character=position[1])


def _range(found: LspRange) -> types.Range:
    return types.Range(start=_position(found[0]), end=_position(found[1]))


def _span_range(snapshot: Snapshot, span: Span) -> types.Range:
    return _range(snapshot.range_of(span))


def _format(uri: str, language_id: str | None) -> text_layer.Format:
    if language_id == "json" or uri.lower().endswith(".json"):
        return "json"
    return "yaml"


def lsp_diagnostic(snapshot: Snapshot, found: Diagnostic) -> types.Diagnostic:
    """A lint diagnostic as LSP's: the same code, severity and message, the hint on a line of its own."""
    line = found.line or 1
    col = found.col or 1
    end_line = found.end_line or line
    end_col = found.end_col if found.end_line else len(snapshot.line_text(line)) + 1
    message = f"{found.message}\nhint: {found.hint}" if found.hint else found.message
    data = {"path": list(found.path) if found.path is not None else None, "hint": found.hint}
    return types.Diagnostic(
        range=_span_range(snapshot, Span(line, col, end_line, max(end_col, col))),
        message=message,
        severity=_SEVERITY.get(found.severity, types.DiagnosticSeverity.Error),
        code=found.code,
        source="onnxtext",
        data=data,
    )


# -- the server -----------------------------------------------------------------------------------


def make_server() -> OnnxTextServer:
    """A server with every feature registered (``start_io`` runs it)."""
    server = OnnxTextServer()
    guard = functools.partial(_guarded, server)

    def changed(
        uri: str, delay: float, changes: list[types.TextDocumentContentChangeEvent] | None = None
    ) -> None:
        document = server.workspace.get_text_document(uri)
        previous = server.current.get(uri)
        task = server.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        if not looks_like_document(document.source[:_SNIFF]):  # some other YAML or JSON file: not ours
            if server.current.pop(uri, None) is not None:
                server.parsed.pop(uri, None)
                server.text_document_publish_diagnostics(
                    types.PublishDiagnosticsParams(uri=uri, diagnostics=[], version=document.version)
                )
            return
        file = to_fs_path(uri) or uri
        if previous is not None:
            previous.settle()  # superseded before its lint: let it drop the version before it
        edit = _edit(previous, changes) if previous is not None and changes else None
        fmt = _format(uri, document.language_id)
        snapshot = Snapshot(document.source, fmt, file, document.version or 0, previous, edit)
        server.current[uri] = snapshot
        server.pending[uri] = asyncio.ensure_future(analyse(uri, snapshot, delay))

    def publish(uri: str, snapshot: Snapshot, found: list[Diagnostic]) -> None:
        if server.current.get(uri) is snapshot:
            diagnostics = [lsp_diagnostic(snapshot, d) for d in found]
            server.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=snapshot.version)
            )

    async def analyse(uri: str, snapshot: Snapshot, delay: float) -> None:
        try:
            await asyncio.sleep(delay)
            loop = asyncio.get_running_loop()

            def preview(found: list[Diagnostic]) -> None:  # on the worker: publish from the loop
                loop.call_soon_threadsafe(publish, uri, snapshot, found)

            def run() -> list[Diagnostic]:
                with gc_paused():  # a collection would walk every object of the graph
                    big = snapshot.parsed and len(snapshot.index.nodes) >= PREVIEW_NODES
                    found = snapshot.lint(preview if big else None)
                    # What the next change is derived from (a derived version has its positions
                    # already; a parsed one sketches its block entries): ready before the diagnostics
                    # go out, so a change the editor sends on seeing them does not wait for it.
                    snapshot.prepare()
                    return found

            found = await loop.run_in_executor(server.worker, run)
            if server.current.get(uri) is not snapshot:
                return
            if snapshot.parsed:
                server.parsed[uri] = snapshot
            publish(uri, snapshot, found)
            if not snapshot.parsed:
                return
            # Then what navigation, hover and inlay hints read, once the editor is idle: a change
            # coming meanwhile cancels this task, so its lint does not queue behind work for a
            # version that is already gone.
            await asyncio.sleep(IDLE)
            await loop.run_in_executor(server.worker, snapshot.warm)
            await asyncio.sleep(0)
            snapshot.inferred = await loop.run_in_executor(server.worker, inferred_types, snapshot.document)
            if _can_refresh_hints(server):
                server.workspace_inlay_hint_refresh(None)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            server.failed("lint", error)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    @guard("didOpen", None)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        changed(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    @guard("didChange", None)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        changed(params.text_document.uri, DEBOUNCE, params.content_changes)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    @guard("didSave", None)
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        changed(params.text_document.uri, 0)  # sidecars and settings may have changed with it

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    @guard("didClose", None)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        task = server.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        server.current.pop(uri, None)
        server.parsed.pop(uri, None)
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    async def at(params: Any) -> tuple[Snapshot, navigate.Target | None] | None:
        snapshot = await server.readable(params.text_document.uri)
        if snapshot is None:
            return None
        line, col = snapshot.from_lsp(params.position.line, params.position.character)
        return snapshot, navigate.target_at(snapshot, line, col)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @guard("hover", None)
    async def on_hover(params: types.HoverParams) -> types.Hover | None:
        found = await at(params)
        if found is None or found[1] is None:
            return None
        snapshot, target = found
        text = hover.hover_text(snapshot, target)
        span = snapshot.value_span(target.path)
        if text is None:
            return None
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
            range=_span_range(snapshot, span) if span is not None else None,
        )

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    @guard("definition", None)
    async def on_definition(params: types.DefinitionParams) -> types.Location | None:
        found = await at(params)
        if found is None or found[1] is None:
            return None
        snapshot, target = found
        producer = navigate.definition(snapshot, target)
        span = snapshot.value_span(navigate.name_path(producer)) if producer is not None else None
        if span is None:
            return None
        return types.Location(uri=params.text_document.uri, range=_span_range(snapshot, span))

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    @guard("references", [])
    async def on_references(params: types.ReferenceParams) -> list[types.Location]:
        found = await at(params)
        if found is None or found[1] is None:
            return []
        snapshot, target = found
        producer = navigate.definition(snapshot, target)
        if producer is None:
            return []
        declared = params.context.include_declaration
        paths = (p for p, defines in navigate.occurrences(snapshot, producer) if declared or not defines)
        uri = params.text_document.uri
        return [
            types.Location(uri=uri, range=_span_range(snapshot, s)) for s in navigate.spans(snapshot, paths)
        ]

    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    @guard("prepareRename", None)
    async def on_prepare_rename(params: types.PrepareRenameParams) -> types.PrepareRenamePlaceholder | None:
        found = await at(params)
        if found is None or found[1] is None or found[1].kind != "value":
            return None
        snapshot, target = found
        span = snapshot.value_span(target.path)
        if navigate.definition(snapshot, target) is None or span is None:
            raise JsonRpcException(
                f"'{target.name}' is produced by nothing: nothing to rename", REQUEST_FAILED
            )
        return types.PrepareRenamePlaceholder(range=_span_range(snapshot, span), placeholder=target.name)

    @server.feature(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=True))
    @guard("rename", None)
    async def on_rename(params: types.RenameParams) -> types.WorkspaceEdit | None:
        found = await at(params)
        if found is None or found[1] is None:
            return None
        snapshot, target = found
        producer = navigate.definition(snapshot, target)
        if producer is None:
            raise JsonRpcException(
                f"'{target.name}' is produced by nothing: nothing to rename", REQUEST_FAILED
            )
        try:
            edits = navigate.rename_edits(snapshot, producer, params.new_name)
        except navigate.RenameRefused as refused:
            raise JsonRpcException(str(refused), REQUEST_FAILED) from None
        return types.WorkspaceEdit(changes={params.text_document.uri: _text_edits(snapshot, edits)})

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=["[", ",", "{", " ", "(", '"']),
    )
    @guard("completion", None)
    def on_completion(params: types.CompletionParams) -> types.CompletionList | None:
        uri = params.text_document.uri
        current = server.current.get(uri)
        if current is None:
            return None
        line, col = current.from_lsp(params.position.line, params.position.character)
        items, incomplete = complete.candidates(current, server.navigable(uri), line, col)
        return types.CompletionList(
            is_incomplete=incomplete,
            items=[
                types.CompletionItem(label=i.label, kind=_COMPLETION_KIND[i.kind], detail=i.detail or None)
                for i in items
            ],
        )

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    @guard("documentSymbol", [])
    async def on_symbols(params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
        snapshot = await server.readable(params.text_document.uri)
        return [] if snapshot is None else [_symbol(snapshot, s) for s in outline.outline(snapshot)]

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    @guard("codeAction", [])
    def on_code_action(params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        snapshot = server.current.get(uri)
        if snapshot is None or not snapshot.parsed:
            return []
        actions = []
        for diagnostic in params.context.diagnostics:
            data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
            path, hint = data.get("path"), data.get("hint")
            if diagnostic.source != "onnxtext" or not isinstance(path, list) or not isinstance(hint, str):
                continue
            for fix in fixes.fixes(snapshot, str(diagnostic.code), tuple(path), hint):
                actions.append(
                    types.CodeAction(
                        title=fix.title,
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        is_preferred=True,
                        edit=types.WorkspaceEdit(changes={uri: _text_edits(snapshot, fix.edits)}),
                    )
                )
        return actions

    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT)
    @guard("inlayHint", [])
    def on_inlay_hint(params: types.InlayHintParams) -> list[types.InlayHint]:
        snapshot = server.current.get(params.text_document.uri)  # hints of this very text, once typed
        if snapshot is None or snapshot.inferred is None:
            return []
        first, last = params.range.start.line + 1, params.range.end.line + 1
        return [
            types.InlayHint(
                position=_position(snapshot.to_lsp(line, col)), label=label, kind=types.InlayHintKind.Type
            )
            for line, col, label in inlay.output_types(snapshot, first, last)
        ]

    @server.feature(STATUS)
    async def on_status(params: Any) -> dict[str, Any]:
        while server.pending:  # answered once every change is analysed and the server is idle
            await asyncio.gather(*server.pending.values(), return_exceptions=True)
            server.pending = {uri: task for uri, task in server.pending.items() if not task.done()}
        return {"collecting": gc.isenabled(), "pauses": pauses(), "documents": len(server.current)}

    return server


def _edit(previous: Snapshot, changes: list[types.TextDocumentContentChangeEvent]) -> Edit | None:
    """The one ranged change of a didChange as an edit of the previous version (None for several)."""
    if len(changes) != 1 or not isinstance(changes[0], types.TextDocumentContentChangePartial):
        return None
    change = changes[0]
    line, col = previous.from_lsp(change.range.start.line, change.range.start.character)
    end_line, end_col = previous.from_lsp(change.range.end.line, change.range.end.character)
    return Edit(line, col, end_line, end_col, change.text)


def _can_refresh_hints(server: OnnxTextServer) -> bool:
    workspace = server.client_capabilities.workspace
    hints = workspace.inlay_hint if workspace is not None else None
    return bool(hints is not None and hints.refresh_support)


def _text_edits(snapshot: Snapshot, edits: list[tuple[Span, str]]) -> list[types.TextEdit]:
    return [types.TextEdit(range=_span_range(snapshot, span), new_text=text) for span, text in edits]


def _symbol(snapshot: Snapshot, symbol: outline.Symbol) -> types.DocumentSymbol:
    return types.DocumentSymbol(
        name=symbol.name,
        kind=_SYMBOL_KIND[symbol.kind],
        range=_span_range(snapshot, symbol.span),
        selection_range=_span_range(snapshot, symbol.name_span),
        detail=symbol.detail or None,
        children=[_symbol(snapshot, child) for child in symbol.children],
    )


def _not_a_late_cancel(record: logging.LogRecord) -> bool:
    """pygls warns when a request is cancelled after its answer went out, which editors do all the
    time (VS Code shows each warning as an error in the server's log): nothing went wrong."""
    return not record.getMessage().startswith("Cancel notification for unknown message id")


def serve() -> None:
    """Run the server on stdin and stdout until the client says exit."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="onnxtext lsp: %(message)s")
    logging.getLogger("pygls.protocol.json_rpc").addFilter(_not_a_late_cancel)
    make_server().start_io()

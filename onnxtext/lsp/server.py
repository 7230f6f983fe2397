"""``onnxtext lsp``: the language server (stdio), on pygls and lsprotocol.

Each handler below translates one request: LSP positions to document positions, a library call
(navigate, hover, complete, outline, fixes, inlay over a :class:`~onnxtext.lsp.snapshot.Snapshot`),
its answer to LSP types (:mod:`~onnxtext.lsp.translate`).  When versions are analysed is the
:class:`~onnxtext.lsp.scheduler.Scheduler`'s business; the conversation itself is pygls's, with the
changes :mod:`~onnxtext.lsp.protocol` makes.

A request about positions (hover, definition, references, rename, outline, quick fixes) answers
from the text the editor has, waiting for it to be read if it was not yet; while that text does not
parse, from the last version that did.  Hover and definition on a text just opened do not wait for
every position: they answer from a sketch of them (see :meth:`.Scheduler.readable`).

A YAML or JSON file without the top-level ``onnxtext:`` key is some other file (an editor may start
the server for all of them): it gets no diagnostics and no answers.  A handler that fails logs the
error (``window/logMessage`` and stderr) and answers empty: the server stays up.  ``onnxtext/status``
answers, once every change is analysed, whether the garbage collector is on (``collecting``), how
many pauses of it are in progress (``pauses``), how many documents are open (``documents``) and the
server's resident memory in bytes (``rss``).
"""

from __future__ import annotations

import functools
import gc
import inspect
import logging
import os
import sys
from collections.abc import Callable
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer

from onnxtext.base.collector import pauses
from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.version import __version__
from onnxtext.lsp import complete, fixes, graph, hover, inlay, navigate, outline, translate
from onnxtext.lsp.protocol import OnnxTextProtocol, not_a_late_cancel
from onnxtext.lsp.scheduler import Scheduler
from onnxtext.lsp.snapshot import Snapshot

STATUS = "onnxtext/status"
REQUEST_FAILED = -32803  # LSP's RequestFailed: the answer to a refused rename

log = logging.getLogger("onnxtext.lsp")


class OnnxTextServer(LanguageServer):
    """The server: pygls's, with the scheduler of its open documents."""

    def __init__(self) -> None:
        super().__init__("onnxtext", __version__, protocol_cls=OnnxTextProtocol)
        self.scheduler = Scheduler(self.publish, self.refresh_hints, self.failed)

    def publish(self, uri: str, snapshot: Snapshot, found: list[Diagnostic]) -> None:
        diagnostics = [translate.diagnostic(snapshot.document, d) for d in found]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=snapshot.version)
        )

    def refresh_hints(self) -> None:
        workspace = self.client_capabilities.workspace
        hints = workspace.inlay_hint if workspace is not None else None
        if hints is not None and hints.refresh_support:
            self.workspace_inlay_hint_refresh(None)

    def failed(self, what: str, error: BaseException) -> None:
        log.error("%s failed: %s: %s", what, type(error).__name__, error, exc_info=error)
        try:
            message = f"onnxtext: {what} failed: {type(error).__name__}: {error}"
            self.window_log_message(types.LogMessageParams(types.MessageType.Error, message))
        except Exception:  # the client is gone: stderr has it
            pass


_FEATURES: list[tuple[str, Any, Any, Callable[..., Any]]] = []


def feature(method: str, options: Any = None, *, empty: Any = None) -> Callable[[Callable[..., Any]], Any]:
    """Register a handler for ``method`` on every server :func:`make_server` makes; a handler that
    fails answers ``empty`` (see the module docstring)."""

    def register(handler: Callable[..., Any]) -> Callable[..., Any]:
        _FEATURES.append((method, options, empty, handler))
        return handler

    return register


def make_server() -> OnnxTextServer:
    """A server with every feature registered (``start_io`` runs it)."""
    server = OnnxTextServer()
    for method, options, empty, handler in _FEATURES:
        server.feature(method, options)(_guarded(handler, empty))
    return server


def serve() -> None:
    """Run the server on stdin and stdout until the client says exit."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="onnxtext lsp: %(message)s")
    logging.getLogger("pygls.protocol.json_rpc").addFilter(not_a_late_cancel)
    make_server().start_io()


def _guarded(handler: Callable[..., Any], empty: Any) -> Callable[..., Any]:
    what = handler.__name__.removeprefix("on_")
    if inspect.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def waited(ls: OnnxTextServer, params: Any) -> Any:
            try:
                return await handler(ls, params)
            except JsonRpcException:
                raise  # a deliberate error answer (a refused rename)
            except Exception as error:
                ls.failed(what, error)
                return empty

        return waited

    @functools.wraps(handler)
    def run(ls: OnnxTextServer, params: Any) -> Any:
        try:
            return handler(ls, params)
        except JsonRpcException:
            raise
        except Exception as error:
            ls.failed(what, error)
            return empty

    return run


# -- the documents --------------------------------------------------------------------------------


@feature(types.TEXT_DOCUMENT_DID_OPEN)
def on_open(ls: OnnxTextServer, params: types.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    ls.scheduler.changed(item.uri, Snapshot(translate.opened(item), item.version), delay=0)


@feature(types.TEXT_DOCUMENT_DID_CHANGE)
def on_change(ls: OnnxTextServer, params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    snapshot = ls.scheduler.current.get(uri)
    if snapshot is None:
        return
    document = snapshot.document
    for change in params.content_changes:
        if isinstance(change, types.TextDocumentContentChangePartial):
            document = document.with_edit(translate.edit(document, change))
        else:
            document = translate.replaced(document, change.text)
    ls.scheduler.changed(uri, snapshot.following(document, params.text_document.version))


@feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
def on_save(ls: OnnxTextServer, params: types.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    snapshot = ls.scheduler.current.get(uri)
    if snapshot is not None:  # read again: sidecars and settings may have changed with it
        document = translate.replaced(snapshot.document, snapshot.document.text)
        ls.scheduler.changed(uri, Snapshot(document, snapshot.version), delay=0)


@feature(types.TEXT_DOCUMENT_DID_CLOSE)
def on_close(ls: OnnxTextServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.scheduler.closed(uri)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


# -- navigation -----------------------------------------------------------------------------------


async def _target(
    ls: OnnxTextServer, params: Any, quick: bool = False
) -> tuple[Snapshot, navigate.Target] | None:
    snapshot = await ls.scheduler.readable(params.text_document.uri, quick)
    if snapshot is None:
        return None
    target = navigate.target_at(snapshot, *translate.where(snapshot.document, params.position))
    return (snapshot, target) if target is not None else None


@feature(types.TEXT_DOCUMENT_HOVER)
async def on_hover(ls: OnnxTextServer, params: types.HoverParams) -> types.Hover | None:
    found = await _target(ls, params, quick=True)
    if found is None:
        return None
    snapshot, target = found
    text = hover.hover_text(snapshot, target)
    if text is None:
        return None
    span = snapshot.value_span(target.path)
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
        range=translate.lsp_range(snapshot.document, span) if span is not None else None,
    )


@feature(types.TEXT_DOCUMENT_DEFINITION)
async def on_definition(ls: OnnxTextServer, params: types.DefinitionParams) -> types.Location | None:
    found = await _target(ls, params, quick=True)
    if found is None:
        return None
    snapshot, target = found
    producer = navigate.definition(snapshot, target)
    span = snapshot.value_span(navigate.name_path(producer)) if producer is not None else None
    if span is None:
        return None
    return types.Location(uri=params.text_document.uri, range=translate.lsp_range(snapshot.document, span))


@feature(types.TEXT_DOCUMENT_REFERENCES, empty=[])
async def on_references(ls: OnnxTextServer, params: types.ReferenceParams) -> list[types.Location]:
    found = await _target(ls, params)
    producer = navigate.definition(*found) if found is not None else None
    if found is None or producer is None:
        return []
    snapshot = found[0]
    declared = params.context.include_declaration
    paths = (p for p, defines in navigate.occurrences(snapshot, producer) if declared or not defines)
    uri = params.text_document.uri
    return [
        types.Location(uri=uri, range=translate.lsp_range(snapshot.document, span))
        for span in navigate.spans(snapshot, paths)
    ]


@feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
async def on_prepare_rename(
    ls: OnnxTextServer, params: types.PrepareRenameParams
) -> types.PrepareRenamePlaceholder | None:
    found = await _target(ls, params)
    if found is None or found[1].kind != "value":
        return None
    snapshot, target = found
    span = snapshot.value_span(target.path)
    if navigate.definition(snapshot, target) is None or span is None:
        raise JsonRpcException(f"'{target.name}' is produced by nothing: nothing to rename", REQUEST_FAILED)
    return types.PrepareRenamePlaceholder(
        range=translate.lsp_range(snapshot.document, span), placeholder=target.name
    )


@feature(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=True))
async def on_rename(ls: OnnxTextServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
    found = await _target(ls, params)
    if found is None:
        return None
    snapshot, target = found
    producer = navigate.definition(snapshot, target)
    if producer is None:
        raise JsonRpcException(f"'{target.name}' is produced by nothing: nothing to rename", REQUEST_FAILED)
    try:
        edits = navigate.rename_edits(snapshot, producer, params.new_name)
    except navigate.RenameRefused as refused:
        raise JsonRpcException(str(refused), REQUEST_FAILED) from None
    return types.WorkspaceEdit(
        changes={params.text_document.uri: translate.text_edits(snapshot.document, edits)}
    )


@feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL, empty=[])
async def on_symbols(ls: OnnxTextServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
    snapshot = await ls.scheduler.readable(params.text_document.uri)
    if snapshot is None:
        return []
    return [translate.symbol(snapshot.document, s) for s in outline.outline(snapshot)]


# -- editing --------------------------------------------------------------------------------------


@feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(trigger_characters=["[", ",", "{", " ", "(", '"']),
)
def on_completion(ls: OnnxTextServer, params: types.CompletionParams) -> types.CompletionList | None:
    uri = params.text_document.uri
    current = ls.scheduler.current.get(uri)
    if current is None or not current.ours:
        return None
    line, col = translate.where(current.document, params.position)
    return translate.completion(*complete.candidates(current, ls.scheduler.parsed.get(uri), line, col))


@feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    empty=[],
)
async def on_code_action(ls: OnnxTextServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    snapshot = await ls.scheduler.readable(uri)
    if snapshot is None or snapshot is not ls.scheduler.current.get(uri):
        return []  # the text does not parse: nothing to fix it with
    actions = []
    for diagnostic in params.context.diagnostics:
        data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
        path, hint = data.get("path"), data.get("hint")
        if diagnostic.source != "onnxtext" or not isinstance(path, list) or not isinstance(hint, str):
            continue
        for fix in fixes.fixes(snapshot, str(diagnostic.code), tuple(path), hint):
            edit = types.WorkspaceEdit(changes={uri: translate.text_edits(snapshot.document, fix.edits)})
            actions.append(
                types.CodeAction(
                    title=fix.title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    is_preferred=True,
                    edit=edit,
                )
            )
    return actions


@feature(types.TEXT_DOCUMENT_INLAY_HINT, empty=[])
async def on_inlay_hint(ls: OnnxTextServer, params: types.InlayHintParams) -> list[types.InlayHint]:
    uri = params.text_document.uri
    snapshot = await ls.scheduler.readable(uri)
    if snapshot is None or snapshot is not ls.scheduler.current.get(uri) or snapshot.inferred is None:
        return []  # no types yet, or a text that does not parse: nothing to place them in
    first, last = params.range.start.line + 1, params.range.end.line + 1
    return [
        types.InlayHint(
            position=translate.position(snapshot.document, line, col),
            label=label,
            kind=types.InlayHintKind.Type,
        )
        for line, col, label in inlay.output_types(snapshot, first, last)
    ]


@feature(graph.METHOD)
async def on_graph(ls: OnnxTextServer, params: Any) -> dict[str, Any] | None:
    snapshot = await ls.scheduler.readable(graph.field(graph.field(params, "textDocument"), "uri"))
    if snapshot is None:
        return None
    position = graph.field(params, "position")
    line = None
    if position is not None:
        at = types.Position(graph.field(position, "line"), graph.field(position, "character"))
        line = translate.where(snapshot.document, at)[0]
    return graph.graph_answer(snapshot, line, graph.field(params, "against"))


@feature(STATUS)
async def on_status(ls: OnnxTextServer, params: Any) -> dict[str, Any]:
    await ls.scheduler.idle()
    return {
        "collecting": gc.isenabled(),
        "pauses": pauses(),
        "documents": len(ls.scheduler.current),
        "rss": _resident(),
    }


def _resident() -> int | None:
    """The server's resident memory in bytes (from ``/proc/self/statm``; None where there is none)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None

"""Between the protocol and the library: LSP positions as document positions, the documents an
editor opens and changes as Documents, answers as LSP types.

LSP counts 0-based lines and UTF-16 columns, the document 1-based lines and code points: the
:class:`~onnxtext.core.document.Document` of the version a request is about converts them.
"""

from __future__ import annotations

from pathlib import Path as FsPath

from lsprotocol import types
from pygls.uris import to_fs_path

from onnxtext.base.diagnostics import Diagnostic
from onnxtext.core.document import DecodeMemo, Document
from onnxtext.core.positions import Edit, Span
from onnxtext.lsp import complete, outline
from onnxtext.text import Format

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


def position(document: Document, line: int, col: int) -> types.Position:
    """1-based ``line:col`` (code points) of ``document`` as an LSP position."""
    return types.Position(*document.to_utf16(line, col))


def where(document: Document, at: types.Position) -> tuple[int, int]:
    """An LSP position in ``document`` as 1-based line and code-point column."""
    return document.from_utf16(at.line, at.character)


def lsp_range(document: Document, span: Span) -> types.Range:
    return types.Range(
        position(document, span.line, span.col), position(document, span.end_line, span.end_col)
    )


def edit(document: Document, change: types.TextDocumentContentChangePartial) -> Edit:
    """A ranged change of ``document`` as an edit of it."""
    line, col = where(document, change.range.start)
    end_line, end_col = where(document, change.range.end)
    return Edit(line, col, end_line, end_col, change.text)


def text_edits(document: Document, edits: list[tuple[Span, str]]) -> list[types.TextEdit]:
    return [types.TextEdit(range=lsp_range(document, span), new_text=text) for span, text in edits]


def diagnostic(document: Document, found: Diagnostic) -> types.Diagnostic:
    """A lint diagnostic as LSP's: the same code, severity and message, the hint on a line of its own."""
    line = found.line or 1
    col = found.col or 1
    end_line = found.end_line or line
    end_col = found.end_col if found.end_line else len(document.line_text(line)) + 1
    message = f"{found.message}\nhint: {found.hint}" if found.hint else found.message
    data = {"path": list(found.path) if found.path is not None else None, "hint": found.hint}
    return types.Diagnostic(
        range=lsp_range(document, Span(line, col, end_line, max(end_col, col))),
        message=message,
        severity=_SEVERITY.get(found.severity, types.DiagnosticSeverity.Error),
        code=found.code,
        source="onnxtext",
        data=data,
    )


def completion(items: list[complete.Item], incomplete: bool) -> types.CompletionList:
    return types.CompletionList(
        is_incomplete=incomplete,
        items=[
            types.CompletionItem(label=i.label, kind=_COMPLETION_KIND[i.kind], detail=i.detail or None)
            for i in items
        ],
    )


def symbol(document: Document, found: outline.Symbol) -> types.DocumentSymbol:
    return types.DocumentSymbol(
        name=found.name,
        kind=_SYMBOL_KIND[found.kind],
        range=lsp_range(document, found.span),
        selection_range=lsp_range(document, found.name_span),
        detail=found.detail or None,
        children=[symbol(document, child) for child in found.children],
    )


def opened(item: types.TextDocumentItem) -> Document:
    """The document an editor opened: its format from the language or the file name."""
    file = to_fs_path(item.uri) or item.uri
    folder = FsPath(file).parent
    fmt: Format = "json" if item.language_id == "json" or item.uri.lower().endswith(".json") else "yaml"
    return Document(item.text, fmt, file, folder.resolve() if folder.exists() else folder, memo=DecodeMemo())


def replaced(document: Document, text: str) -> Document:
    """``document`` with its whole text replaced (read whole, with sidecars and settings read again)."""
    return Document(text, document.format, document.file, document.folder, memo=DecodeMemo())

"""Quick fixes: the fixes the lint rules carry (:func:`onnxtext.lint.registry.fixer`), offered one by one.

The same functions as ``onnxtext lint --fix``: a diagnostic's rule makes its fix from the snapshot's
document and Index; the server turns its edits into an LSP workspace edit.
"""

from __future__ import annotations

import dataclasses

from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.paths import Path
from onnxtext.core.positions import Span
from onnxtext.lint.engine import rules
from onnxtext.lsp.snapshot import Snapshot


@dataclasses.dataclass(frozen=True)
class QuickFix:
    title: str
    code: str
    edits: list[tuple[Span, str]]  # an insertion has an empty span


def fixes(snapshot: Snapshot, code: str, path: Path, hint: str) -> list[QuickFix]:
    """The quick fix of one diagnostic (none when its rule has no fix for it)."""
    entry = rules().get(code)
    if entry is None or entry.fix is None:
        return []
    found = entry.fix(snapshot.document, snapshot.index, Diagnostic(code, "", path=path, hint=hint))
    if found is None:
        return []
    edits = [(Span(e.line, e.col, e.end_line, e.end_col), e.text) for e in found.edits]
    return [QuickFix(found.title, code, edits)]

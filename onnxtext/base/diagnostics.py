"""The one shape of every problem onnxtext reports: decoder errors, lint findings, checker messages.

A :class:`Diagnostic` is born knowing only its document *path* (the layers below the text know no
lines); whoever holds the document's source map places it at ``file:line:col`` (and the end of the
element, for editors).  Reporters only format diagnostics; none of them decides anything.

The one-line text form is ``file:line:col: severity CODE message``, then ``  hint: ...`` when there
is a hint; a diagnostic without a line names its path instead (``model.onnx: error R201 ... [at
graph.nodes[3].inputs[0]]``), as for a ``.onnx`` file, which has no lines.

A diagnostic may carry a :class:`Fix`: edits of the document text that repair what it reports
(``onnxtext lint --fix``, the language server's quick fixes).  Rules make them; nothing here applies
them (:meth:`onnxtext.core.document.Document.with_edits` does).

This module sits on the lowest floor (it imports only :mod:`onnxtext.base.paths`) because
:class:`~onnxtext.base.errors.OnnxTextError` carries a Diagnostic.
"""

from __future__ import annotations

import dataclasses
from typing import Literal, TypeVar

from onnxtext.base.paths import Path, format_path

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
Applicability = Literal["safe", "unsafe"]


@dataclasses.dataclass(frozen=True)
class Edit:
    """One change of a text: 1-based ``line:col`` up to ``end_line:end_col`` (exclusive, code points)
    becomes ``text``.  An insertion starts and ends at one place; a deletion has no text."""

    line: int
    col: int
    end_line: int
    end_col: int
    text: str

    @property
    def start(self) -> tuple[int, int]:
        return self.line, self.col

    @property
    def end(self) -> tuple[int, int]:
        return self.end_line, self.end_col


@dataclasses.dataclass(frozen=True)
class Fix:
    """A repair: edits of one version of a document text, none overlapping another.

    ``safe`` fixes keep what the model computes (deleting what nothing reads, naming, sorting) and
    ``lint --fix`` applies them; ``unsafe`` ones guess what was meant (a near-miss name) or change
    the model's interface, and need ``--unsafe-fixes``, as in ruff.
    """

    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability = "safe"


_P = TypeVar("_P", bound="Placeable")


class Placeable:
    """What a problem and an error share: being placed at a ``file:line:col`` by whoever holds the text."""

    def at(
        self: _P,
        file: str | None,
        line: int | None = None,
        col: int | None = None,
        end_line: int | None = None,
        end_col: int | None = None,
    ) -> _P:
        """A copy placed in ``file`` at ``line:col`` (up to ``end_line:end_col``), 1-based."""
        return dataclasses.replace(self, file=file, line=line, col=col, end_line=end_line, end_col=end_col)


@dataclasses.dataclass(frozen=True)
class Diagnostic(Placeable):
    """A problem at a place: ``code`` (``R201``), ``severity``, ``message``, document ``path``, fix ``hint``.

    ``line``/``col`` (1-based, columns in code points) start the element; ``end_line``/``end_col``
    end it (exclusive), when known.
    """

    code: str
    message: str
    severity: Severity = "error"
    path: Path | None = None
    hint: str | None = None
    file: str | None = None
    line: int | None = None
    col: int | None = None
    end_line: int | None = None
    end_col: int | None = None
    fix: Fix | None = dataclasses.field(default=None, compare=False)  # not part of what is reported

    def with_severity(self, severity: Severity) -> Diagnostic:
        return dataclasses.replace(self, severity=severity)

    @property
    def location(self) -> str:
        """``file:line:col`` with what is known (``<input>`` when no file)."""
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        """Order of a report: by file, then position, then code."""
        return (self.file or "", self.line or 0, self.col or 0, self.code)

    def __str__(self) -> str:
        where = f" [at {format_path(self.path)}]" if self.path is not None and self.line is None else ""
        return f"{self.location}: {self.severity} {self.code} {self.message}{where}"

    def report(self) -> str:
        """The one-line form, then the hint on its own line."""
        return f"{self}\n  hint: {self.hint}" if self.hint else str(self)


def worst(diagnostics: list[Diagnostic]) -> Severity | None:
    """The most severe severity among ``diagnostics`` (None when there are none)."""
    found = {d.severity for d in diagnostics}
    return next((s for s in SEVERITIES if s in found), None)

"""``lint --fix``: apply the fixes rules carry, round after round, until nothing more is fixable.

A round lints the text with fixes (:func:`onnxtext.lint.engine.lint`), takes every applicable fix
whose edits overlap no fix taken before it in document order (the same fix carried by several
diagnostics, as one sort fixes every late use of a graph, is taken once), makes them in one go
(:meth:`~onnxtext.core.document.Document.with_edits`) and lints the new text.  A fix makes room for
the next (a dead node deleted leaves its input initializer unused), and a fix that overlapped
another is tried again on the new text, so rounds go on until one finds nothing to fix, at most
:data:`MAX_ROUNDS` (ruff does the same).  A round whose text does not parse any more (a fix that
went wrong) is made again fix by fix, dropping those that break the text.
"""

from __future__ import annotations

import collections
import dataclasses

from onnxtext.base.diagnostics import Diagnostic, Edit, Fix
from onnxtext.core.document import Document
from onnxtext.lint.engine import Selection, lint

MAX_ROUNDS = 20


@dataclasses.dataclass(frozen=True)
class Fixed:
    """What fixing a document gave: its new text, how many diagnostics of each code the fixes
    repaired, and the diagnostics of the new text (placed in it)."""

    text: str
    fixed: collections.Counter[str]
    remaining: list[Diagnostic]


def applicable(diagnostic: Diagnostic, unsafe: bool) -> Fix | None:
    """The fix of ``diagnostic`` that ``lint --fix`` may apply (unsafe ones only when asked)."""
    fix = diagnostic.fix
    return fix if fix is not None and (unsafe or fix.applicability == "safe") else None


def fix_document(document: Document, selection: Selection | None = None, unsafe: bool = False) -> Fixed:
    """Apply the fixes of ``document``'s diagnostics, round after round (see the module docstring)."""
    fixed: collections.Counter[str] = collections.Counter()
    for _ in range(MAX_ROUNDS):
        found = lint(document, selection, fixes=True)
        chosen = _choose([d for d in found if applicable(d, unsafe) is not None], unsafe)
        if not chosen:
            return Fixed(document.text, fixed, found)
        edited, made = _made(document, chosen)
        if not made or edited.text == document.text:  # nothing could be made, or it changed nothing
            return Fixed(document.text, fixed, found)
        fixed.update(d.code for group in made for d in group)
        document = edited
    return Fixed(document.text, fixed, lint(document, selection))


def _choose(found: list[Diagnostic], unsafe: bool) -> list[list[Diagnostic]]:
    """Groups of diagnostics that share one fix, the fixes overlapping none chosen before them."""
    by_fix: dict[tuple[Edit, ...], list[Diagnostic]] = {}
    for diagnostic in found:
        fix = applicable(diagnostic, unsafe)
        assert fix is not None
        by_fix.setdefault(fix.edits, []).append(diagnostic)
    taken: list[tuple[tuple[int, int], tuple[int, int]]] = []
    chosen = []
    for edits, group in sorted(
        by_fix.items(), key=lambda item: min((e.start for e in item[0]), default=(0, 0))
    ):
        spans = [(e.start, e.end) for e in edits]
        if any(_overlap(span, other) for span in spans for other in taken):
            continue
        taken += spans
        chosen.append(group)
    return chosen


def _overlap(a: tuple[tuple[int, int], tuple[int, int]], b: tuple[tuple[int, int], tuple[int, int]]) -> bool:
    """Whether two edited ranges share a character, or are insertions at one place (whose order
    would be a guess)."""
    if a[0] == a[1] == b[0] == b[1]:
        return True
    return a[0] < b[1] and b[0] < a[1]


def _made(document: Document, chosen: list[list[Diagnostic]]) -> tuple[Document, list[list[Diagnostic]]]:
    """The document with the chosen fixes made, and the groups made; each fix alone, keeping those
    the text still parses after, when all of them together break it."""
    edited = document.with_edits(e for group in chosen for e in _fix(group).edits)
    if edited.syntax_error is None:
        return edited, chosen
    made: list[list[Diagnostic]] = []
    for group in chosen:
        trial = document.with_edits(e for kept in [*made, group] for e in _fix(kept).edits)
        if trial.syntax_error is None:
            made.append(group)
            edited = trial
    return (edited, made) if made else (document, [])


def _fix(group: list[Diagnostic]) -> Fix:
    fix = group[0].fix
    assert fix is not None
    return fix

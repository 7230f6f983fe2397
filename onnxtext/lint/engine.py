"""The lint engine: which rules run, and the one pass that runs them.

A rule is a small function ``(Document, Index) -> Iterable[Diagnostic]`` registered in
:mod:`onnxtext.lint.registry` under a stable code (a family letter and three digits), a one-line summary, an
explanation with a bad and a good example, and a default severity.  Families: ``E`` the decoder's
own problems (reported while decoding), ``N`` names, ``R`` references, ``T`` types and shapes,
``O`` opsets and schemas, ``C`` onnx.checker, ``L`` lint itself (unused ``noqa``).

One run (:func:`lint`): parse (a syntax error is then the only diagnostic), build the Index once,
decode once (recovering), run the tree and schema rules, then the rules over the whole model
(onnx.checker, shape inference) only when nothing before found an error: on a model already
known broken they would repeat the same problem in their own words, node after node.  Then every
diagnostic is placed at its element's line, ``# onnxtext: noqa CODE`` comments silence what they
name, and the result is sorted by position.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence

from onnxtext.base.collector import gc_paused
from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.paths import Path
from onnxtext.core.document import Document
from onnxtext.core.index import Index
from onnxtext.lint.noqa import UNUSED_NOQA, apply_noqa
from onnxtext.lint.registry import REGISTRY, Rule, family_of


def rules() -> dict[str, Rule]:
    """Every rule, by code, in code order (importing the rule modules registers them)."""
    from onnxtext.lint import rules as _  # noqa: F401  (registers every family)

    return dict(sorted(REGISTRY.items()))


# -- selection ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Selection:
    """Which codes run: ``select`` (default every code), plus ``extend_select``, minus ``ignore``.

    Entries are codes or prefixes (``R``, ``R2``, ``R201``, ``RT``; ``ALL``); a prefix names a family
    and the start of its digits, so ``R`` is not a prefix of ``RT001``.  As in ruff, the most specific
    entry that matches a code decides; on a tie, ``ignore`` wins.
    """

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()

    def enabled(self, code: str) -> bool:
        chosen = _best(code, (*self.select, *self.extend_select))
        dropped = _best(code, self.ignore)
        if chosen == "ALL" and code in REGISTRY and not REGISTRY[code].default:
            return False  # an opt-in rule is selected by its code or a prefix, not by ALL
        return chosen is not None and (dropped is None or _specificity(chosen) > _specificity(dropped))

    def unknown(self) -> list[str]:
        """Entries that match no registered code (a typo the CLI reports as a usage error)."""
        known = rules()
        entries = (*self.select, *self.ignore, *self.extend_select)
        return [e for e in entries if e != "ALL" and not any(_matches(e, code) for code in known)]


def _best(code: str, entries: Sequence[str]) -> str | None:
    matching = [e for e in entries if e == "ALL" or _matches(e, code)]
    return max(matching, key=_specificity, default=None)


def _matches(entry: str, code: str) -> bool:
    """Whether ``entry`` (a code or a prefix: ``R``, ``R2``, ``RT``) selects ``code``."""
    letters = family_of(code)
    digits = entry[len(letters) :]
    return entry.startswith(letters) and (not digits or digits.isdigit()) and code.startswith(entry)


def _specificity(entry: str) -> int:
    return 0 if entry == "ALL" else len(entry)


# -- one run --------------------------------------------------------------------------------------


def lint(
    document: Document,
    selection: Selection | None = None,
    index: Index | None = None,
    preview: Callable[[list[Diagnostic]], None] | None = None,
    fixes: bool = False,
) -> list[Diagnostic]:
    """Every problem of ``document`` that ``selection`` enables, placed and sorted by position.

    ``index`` is the document's Index when the caller already has one (the language server shares
    one per document version between lint and navigation).  ``preview``, when given, receives the
    diagnostics of the decoder and the tree rules (placed, without unused-noqa reports) before the
    model rules run, when they will run: the language server shows those first on a big graph.
    ``fixes``: each diagnostic whose rule has a fix carries it (:attr:`Diagnostic.fix`), made for
    this text; a binary model has no text to edit.
    """
    selection = selection or Selection()
    if document.syntax_error is not None:
        return [document.syntax_error]
    with gc_paused():  # the Index and the rules' tables are 100,000s of live objects: see gc_paused
        index = index or Index(document.tree)
        found = _check(document, selection, index, "tree", list(document.decoded.diagnostics))
        if not any(d.severity == "error" for d in found):  # else the model rules would only repeat them
            if preview is not None:
                preview(
                    _report(
                        document,
                        found,
                        dataclasses.replace(selection, ignore=(*selection.ignore, UNUSED_NOQA)),
                    )
                )
            found = _check(document, selection, index, "model", found)
        reported = _report(document, found, selection)
        if fixes and document.has_text:
            reported = [_with_fix(document, index, d) for d in reported]
    return reported


def _with_fix(document: Document, index: Index, diagnostic: Diagnostic) -> Diagnostic:
    entry = REGISTRY.get(diagnostic.code)
    fix = entry.fix(document, index, diagnostic) if entry is not None and entry.fix is not None else None
    return dataclasses.replace(diagnostic, fix=fix) if fix is not None else diagnostic


def _report(document: Document, found: list[Diagnostic], selection: Selection) -> list[Diagnostic]:
    """``found`` as reported: what ``selection`` enables, placed, minus what noqa silences, sorted."""
    placed = [document.place(d) for d in found if selection.enabled(d.code)]
    kept = apply_noqa(document, placed, selection.enabled(UNUSED_NOQA))
    return sorted(_unique(kept), key=lambda d: d.sort_key)


def _check(
    document: Document, selection: Selection, index: Index, stage: str, found: list[Diagnostic]
) -> list[Diagnostic]:
    """``found`` and what the rules of ``stage`` (tree: names, references, schemas; model: onnx.checker
    and shape inference) add to it."""
    for entry in rules().values():
        if entry.check is not None and entry.stage == stage and selection.enabled(entry.code):
            new = _run(entry, document, index)
            found.extend(_unrelated(new, found, selection) if entry.defers else new)
    return found


def _unrelated(new: Iterable[Diagnostic], found: list[Diagnostic], selection: Selection) -> list[Diagnostic]:
    """The diagnostics of ``new`` on no element that a reported diagnostic of ``found`` is on, in or around.

    The document root and its top-level keys relate to nothing (a problem at ``graph`` says nothing
    about each node); a deeper element relates to what it contains and to what contains it.
    """
    taken = {d.path for d in found if d.path is not None and selection.enabled(d.code)}
    return [d for d in new if not (d.path is not None and related(d.path, taken))]


def related(path: Path, taken: set[Path]) -> bool:
    """Whether ``path`` is one of ``taken``, inside one (below the top-level keys) or around one."""
    if path in taken:
        return True
    if any(path[:n] in taken for n in range(2, len(path))):  # inside an element already reported
        return True
    return any(len(other) > len(path) >= 2 and other[: len(path)] == path for other in taken)


def _run(entry: Rule, document: Document, index: Index) -> Iterable[Diagnostic]:
    assert entry.check is not None
    for diagnostic in entry.check(document, index):
        yield (
            diagnostic if diagnostic.code == entry.code else dataclasses.replace(diagnostic, code=entry.code)
        )


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return list(dict.fromkeys(diagnostics))

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
import re
from collections.abc import Callable, Iterable, Sequence

from onnxtext.base.collector import gc_paused
from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.paths import Path
from onnxtext.core.document import Document
from onnxtext.core.index import Index
from onnxtext.lint.registry import REGISTRY, Rule


def rules() -> dict[str, Rule]:
    """Every rule, by code, in code order (importing the rule modules registers them)."""
    from onnxtext.lint import rules as _  # noqa: F401  (registers every family)

    return dict(sorted(REGISTRY.items()))


# -- selection ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Selection:
    """Which codes run: ``select`` (default every code), plus ``extend_select``, minus ``ignore``.

    Entries are codes or prefixes (``R``, ``R2``, ``R201``; ``ALL``).  As in ruff, the most specific
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
        return [e for e in entries if e != "ALL" and not any(code.startswith(e) for code in known)]


def _best(code: str, entries: Sequence[str]) -> str | None:
    matching = [e for e in entries if e == "ALL" or code.startswith(e)]
    return max(matching, key=_specificity, default=None)


def _specificity(entry: str) -> int:
    return 0 if entry == "ALL" else len(entry)


# -- one run --------------------------------------------------------------------------------------


def lint(
    document: Document,
    selection: Selection | None = None,
    index: Index | None = None,
    preview: Callable[[list[Diagnostic]], None] | None = None,
) -> list[Diagnostic]:
    """Every problem of ``document`` that ``selection`` enables, placed and sorted by position.

    ``index`` is the document's Index when the caller already has one (the language server shares
    one per document version between lint and navigation).  ``preview``, when given, receives the
    diagnostics of the decoder and the tree rules (placed, without unused-noqa reports) before the
    model rules run, when they will run: the language server shows those first on a big graph.
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
    return _report(document, found, selection)


def _report(document: Document, found: list[Diagnostic], selection: Selection) -> list[Diagnostic]:
    """``found`` as reported: what ``selection`` enables, placed, minus what noqa silences, sorted."""
    placed = [document.place(d) for d in found if selection.enabled(d.code)]
    kept = apply_noqa(document, placed, selection)
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


# -- noqa -----------------------------------------------------------------------------------------

_NOQA = re.compile(r"#\s*onnxtext:\s*noqa\b:?\s*(?P<codes>[A-Z][0-9]{3}(?:[\s,]+[A-Z][0-9]{3})*)?")
UNUSED_NOQA = "L100"


def apply_noqa(document: Document, diagnostics: list[Diagnostic], selection: Selection) -> list[Diagnostic]:
    """Drop what a ``# onnxtext: noqa [CODE...]`` comment on its first line silences; report unused ones.

    Only YAML has comments.  A bare ``noqa`` silences every code on its line.
    """
    if document.format != "yaml" or not document.has_text or "noqa" not in document.text:
        return diagnostics
    comments: dict[int, tuple[int, set[str] | None]] = {}
    for number, line in enumerate(document.text.splitlines(), 1):
        match = _NOQA.search(line) if "noqa" in line else None
        if match is not None:
            codes = set(re.findall(r"[A-Z][0-9]{3}", match.group("codes") or "")) or None
            comments[number] = (match.start() + 1, codes)
    used: dict[int, set[str]] = {}
    kept = []
    for diagnostic in diagnostics:
        comment = comments.get(diagnostic.line or 0)
        if comment is not None and (comment[1] is None or diagnostic.code in comment[1]):
            used.setdefault(diagnostic.line or 0, set()).add(diagnostic.code)
            continue
        kept.append(diagnostic)
    if selection.enabled(UNUSED_NOQA):
        for number, (col, codes) in comments.items():
            unused = sorted((codes or {"(all)"}) - used.get(number, set())) if codes else []
            if codes is None and number not in used:
                unused = ["(all)"]
            if unused:
                message = f"unused noqa: nothing here is reported as {', '.join(unused)}"
                hint = "remove the comment, or the codes in it that no longer apply"
                kept.append(
                    Diagnostic(UNUSED_NOQA, message, "warning", hint=hint).at(document.file, number, col)
                )
    return kept

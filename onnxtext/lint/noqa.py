"""``# onnxtext: noqa CODE`` comments: what they silence, and ``L100``, the comment that silences nothing
(reported and fixed here, as ruff's RUF100 is)."""

from __future__ import annotations

import re

from onnxtext.base.diagnostics import Diagnostic, Edit, Fix
from onnxtext.core.document import Document
from onnxtext.core.index import Index
from onnxtext.lint.registry import Rule, fixer, register

_CODE = r"[A-Z]{1,2}[0-9]{3}"
_NOQA = re.compile(rf"#\s*onnxtext:\s*noqa\b:?\s*(?P<codes>{_CODE}(?:[\s,]+{_CODE})*)?")
_UNUSED = re.compile(r"reported as (?P<codes>.*)$")
UNUSED_NOQA = "L100"
ALL = "(all)"

register(
    Rule(
        UNUSED_NOQA,
        "unused-noqa",
        "warning",
        "a `# onnxtext: noqa` comment silences nothing",
        "A noqa comment that no longer matches a diagnostic on its line hides nothing but may hide a\n"
        "future problem: remove it (the fix removes the comment, or the codes in it that silence nothing).",
        stage="decoder",
    )
)


def _comments(document: Document) -> dict[int, tuple[re.Match[str], set[str] | None]]:
    """Line -> the noqa comment on it and the codes it names (None: a bare noqa, every code)."""
    found = {}
    for number, line in enumerate(document.text.splitlines(), 1):
        match = _NOQA.search(line) if "noqa" in line else None
        if match is not None:
            found[number] = (match, set(re.findall(_CODE, match.group("codes") or "")) or None)
    return found


def apply_noqa(document: Document, diagnostics: list[Diagnostic], report_unused: bool) -> list[Diagnostic]:
    """Drop what a ``# onnxtext: noqa [CODE...]`` comment on its first line silences; with
    ``report_unused``, report the comments (and codes) that silence nothing.

    Only YAML has comments.  A bare ``noqa`` silences every code on its line.
    """
    if document.format != "yaml" or not document.has_text or "noqa" not in document.text:
        return diagnostics
    comments = _comments(document)
    used: dict[int, set[str]] = {}
    kept = []
    for diagnostic in diagnostics:
        comment = comments.get(diagnostic.line or 0)
        if comment is not None and (comment[1] is None or diagnostic.code in comment[1]):
            used.setdefault(diagnostic.line or 0, set()).add(diagnostic.code)
            continue
        kept.append(diagnostic)
    if report_unused:
        for number, (match, codes) in comments.items():
            unused = sorted(codes - used.get(number, set())) if codes else [] if number in used else [ALL]
            if unused:
                message = f"unused noqa: nothing here is reported as {', '.join(unused)}"
                hint = "remove the comment, or the codes in it that no longer apply"
                kept.append(
                    Diagnostic(UNUSED_NOQA, message, "warning", hint=hint).at(
                        document.file, number, match.start() + 1
                    )
                )
    return kept


@fixer(UNUSED_NOQA)
def remove_unused(document: Document, index: Index, diagnostic: Diagnostic) -> Fix | None:
    """Remove the comment when it silences nothing, else the codes in it that silence nothing."""
    number = diagnostic.line or 0
    comment = _comments(document).get(number)
    unused = _UNUSED.search(diagnostic.message)
    if comment is None or unused is None:
        return None
    match, codes = comment
    line = document.text.splitlines()[number - 1]
    left = set(codes or ()) - set(unused["codes"].split(", "))
    if left:
        start, end = match.span("codes")
        kept = ", ".join(sorted(left))
        return Fix("Remove the unused codes", (Edit(number, start + 1, number, end + 1, kept),))
    if line[match.end() :].strip():
        return None  # words after the codes: the comment is more than a noqa
    start = len(line[: match.start()].rstrip())
    return Fix("Remove the unused noqa comment", (Edit(number, start + 1, number, len(line) + 1, ""),))

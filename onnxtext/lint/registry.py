"""The rule registry: every lint rule's code, name, severity, summary and explanation, its check and
its fix.

Rule modules (:mod:`onnxtext.lint.rules`) register a check with :func:`rule` and, right after it, the
fix of what it finds with :func:`fixer` (as ruff's rules carry their fix); the engine reads the
registry, and so do ``lint --fix`` and the language server's quick fixes: one fix per rule, wherever
it is applied.  Kept apart from the engine so that rules import this and the engine imports the
rules, never both ways round.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from pathlib import Path as FsPath
from typing import Literal

from onnxtext.base.diagnostics import Applicability, Diagnostic, Fix, Severity
from onnxtext.base.paths import Path, format_path
from onnxtext.core.document import Document
from onnxtext.core.index import Index

Check = Callable[[Document, Index], Iterable[Diagnostic]]
Fixer = Callable[[Document, Index, Diagnostic], Fix | None]
Stage = Literal["decoder", "tree", "model"]

FAMILIES = {
    "E": "document (reported while reading it, or by fmt and the merge driver)",
    "N": "names",
    "R": "references",
    "T": "types and shapes",
    "O": "opsets and schemas",
    "C": "onnx.checker",
    "S": "document schema",
    "RT": "runtime support (onnxruntime's CPU provider)",
    "L": "lint itself",
}


@dataclasses.dataclass(frozen=True)
class Rule:
    """A registered rule.  ``check`` is None for codes another part reports (the decoder's E codes).

    ``default`` False: an opt-in rule, which ``ALL`` leaves out (its code or a prefix selects it).
    ``defers``: its findings are dropped where a diagnostic reported before it in the same run is
    on the same element, inside it or around it (a second opinion must not repeat the first).
    ``fix``: makes the :class:`~onnxtext.base.diagnostics.Fix` of one of its diagnostics, placed in
    the document's text (None where the text's layout or the finding leaves nothing sure to do), as
    safe or unsafe as ``fix_applicability`` says.
    """

    code: str
    name: str
    severity: Severity
    summary: str
    explanation: str
    check: Check | None = None
    stage: Stage = "tree"
    default: bool = True
    defers: bool = False
    fix: Fixer | None = None
    fix_applicability: Applicability = "safe"

    @property
    def family(self) -> str:
        return FAMILIES.get(family_of(self.code), "?")


REGISTRY: dict[str, Rule] = {}
_CODE = re.compile(r"[A-Z]{1,2}[0-9]{3}\Z")


def family_of(code: str) -> str:
    """The letters a code starts with: ``R`` for R201, ``RT`` for RT001."""
    return code.rstrip("0123456789")


def register(entry: Rule) -> Rule:
    """Add ``entry`` to the registry (a code is registered once)."""
    assert _CODE.match(entry.code), entry.code
    assert entry.code not in REGISTRY, f"{entry.code} registered twice"
    REGISTRY[entry.code] = entry
    return entry


def rule(
    code: str,
    name: str,
    severity: Severity,
    summary: str,
    explanation: str,
    *,
    stage: Stage = "tree",
    default: bool = True,
    defers: bool = False,
) -> Callable[[Check], Check]:
    """Register the decorated function as the check of rule ``code`` (see :class:`Rule`)."""

    def decorate(check: Check) -> Check:
        text = explanation.strip("\n")
        register(Rule(code, name, severity, summary, text, check, stage, default, defers))
        return check

    return decorate


def fixer(code: str, applicability: Applicability = "safe") -> Callable[[Fixer], Fixer]:
    """Register the decorated function as the fix of rule ``code`` (registered before it): its fixes
    are ``applicability`` (``unsafe``: they guess what was meant, or change the model's interface)."""

    def decorate(fix: Fixer) -> Fixer:
        assert REGISTRY[code].fix is None, f"{code} has a fix already"

        def declared(document: Document, index: Index, diagnostic: Diagnostic) -> Fix | None:
            made = fix(document, index, diagnostic)
            return dataclasses.replace(made, applicability=applicability) if made is not None else None

        REGISTRY[code] = dataclasses.replace(REGISTRY[code], fix=declared, fix_applicability=applicability)
        return fix

    return decorate


FIXTURES = FsPath(__file__).with_name("fixtures")


def examples(code: str) -> tuple[FsPath, FsPath] | None:
    """The bad and the good document of rule ``code`` (``fixtures/CODE.bad.yaml`` and ``.good.yaml``,
    shipped with the package): ``--explain`` shows them, and the tests lint both and fix the bad one
    into the good one.  None for the codes no document shows (reported by fmt, the merge driver, build)."""
    bad, good = FIXTURES / f"{code}.bad.yaml", FIXTURES / f"{code}.good.yaml"
    return (bad, good) if bad.is_file() and good.is_file() else None


def where(document: Document, path: Path) -> str:
    """How a message points at another element: ``line 12`` in a text, its path in a binary model."""
    source_map = document.source_map
    return f"line {source_map.start(path)[0]}" if source_map is not None else format_path(path)

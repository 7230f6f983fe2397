"""Reporters: diagnostics as text, JSON or SARIF 2.1.0.  They format; they decide nothing."""

from __future__ import annotations

import collections
import json
import shlex
from collections.abc import Iterable, Sequence
from typing import Any

from onnxtext.base.diagnostics import SEVERITIES, Diagnostic
from onnxtext.base.paths import format_path
from onnxtext.base.version import __version__
from onnxtext.lint.registry import Rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def text(diagnostics: list[Diagnostic]) -> str:
    """One ``file:line:col: severity CODE message`` line per diagnostic, each with its hint line: the
    errors first (a warning never pushes an error off the screen), each severity in the given order."""
    return "".join(d.report() + "\n" for d in sorted(diagnostics, key=_severity_rank))


def warning_count(warnings: Sequence[Diagnostic], file: str) -> Diagnostic:
    """The one line ``build`` prints for the warnings of ``file`` instead of listing them:
    ``info L101 12 warnings (N101 x3, R206 x9): run onnxtext lint m.yaml``."""
    counts = collections.Counter(d.code for d in warnings)
    by_code = ", ".join(f"{code} x{count}" for code, count in sorted(counts.items()))
    total = len(warnings)
    command = "onnxtext lint on the document" if file == "<stdin>" else f"onnxtext lint {shlex.quote(file)}"
    noun = "warning" if total == 1 else "warnings"
    return Diagnostic("L101", f"{total} {noun} ({by_code}): run {command}", "info").at(file)


def statistics(diagnostics: list[Diagnostic]) -> str:
    """How many of each code, errors first, then most frequent first: ``  12  R201  [error]``."""
    counts = collections.Counter((d.code, d.severity) for d in diagnostics)
    rows = sorted(counts.items(), key=lambda item: (SEVERITIES.index(item[0][1]), -item[1], item[0][0]))
    return "".join(f"{count:6d}  {code}  [{severity}]\n" for (code, severity), count in rows)


def _severity_rank(diagnostic: Diagnostic) -> int:
    return SEVERITIES.index(diagnostic.severity)


def as_dict(diagnostic: Diagnostic) -> dict[str, Any]:
    """The JSON object of one diagnostic."""
    return {
        "file": diagnostic.file,
        "line": diagnostic.line,
        "col": diagnostic.col,
        "end_line": diagnostic.end_line,
        "end_col": diagnostic.end_col,
        "severity": diagnostic.severity,
        "code": diagnostic.code,
        "message": diagnostic.message,
        "hint": diagnostic.hint,
        "path": format_path(diagnostic.path) if diagnostic.path is not None else None,
    }


def to_json(diagnostics: list[Diagnostic]) -> str:
    return json.dumps([as_dict(d) for d in diagnostics], indent=2, ensure_ascii=False) + "\n"


def to_sarif(diagnostics: list[Diagnostic], rules: Iterable[Rule]) -> str:
    """A SARIF 2.1.0 log with one run: the rules that fired (with their docs) and one result each."""
    fired = sorted({d.code for d in diagnostics})
    catalog = {rule.code: rule for rule in rules}
    described = [_sarif_rule(catalog[code]) if code in catalog else {"id": code} for code in fired]
    position = {code: i for i, code in enumerate(fired)}
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "onnxtext",
                        "version": __version__,
                        "rules": described,
                    }
                },
                "results": [_sarif_result(d, position[d.code]) for d in diagnostics],
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _sarif_rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.explanation},
        "help": {"text": rule.explanation},
        "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
    }


def _sarif_result(diagnostic: Diagnostic, rule_index: int) -> dict[str, Any]:
    message = diagnostic.message + (f"\nhint: {diagnostic.hint}" if diagnostic.hint else "")
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": _uri(diagnostic.file)}}}
    if diagnostic.line is not None:
        region: dict[str, int] = {"startLine": diagnostic.line, "startColumn": diagnostic.col or 1}
        if diagnostic.end_line is not None and diagnostic.end_col is not None:
            region |= {"endLine": diagnostic.end_line, "endColumn": diagnostic.end_col}
        location["physicalLocation"]["region"] = region
    if diagnostic.path is not None:
        location["logicalLocations"] = [{"fullyQualifiedName": format_path(diagnostic.path)}]
    return {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": _SARIF_LEVEL[diagnostic.severity],
        "message": {"text": message},
        "locations": [location],
    }


def _uri(file: str | None) -> str:
    return (file or "<input>").replace("\\", "/")

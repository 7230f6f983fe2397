"""Reporters: diagnostics as text (``text``, ruff's ``concise`` and ``grouped``), JSON, SARIF 2.1.0 and
what CI systems read (GitHub workflow commands, GitLab Code Quality, JUnit XML).  They format; they
decide nothing.  The CI formats name files relative to the repository's root, as those systems match
them; the caller says where that is (:func:`repository_root`).
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
import shlex
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

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


def _marker(diagnostic: Diagnostic, unsafe: bool) -> str:
    """``[*] `` before the message of a diagnostic ``--fix`` repairs (with ``--unsafe-fixes``: ``unsafe``)."""
    fix = diagnostic.fix
    return "[*] " if fix is not None and (unsafe or fix.applicability == "safe") else ""


def concise(diagnostics: list[Diagnostic], unsafe: bool = False) -> str:
    """One line per diagnostic, as ruff's ``concise`` format: ``file:line:col: CODE [*] message``."""
    return "".join(f"{d.location}: {d.code} {_marker(d, unsafe)}{d.message}\n" for d in diagnostics)


def grouped(diagnostics: list[Diagnostic], unsafe: bool = False) -> str:
    """The diagnostics under their file's name, as ruff's ``grouped`` format: ``  line:col CODE message``
    with the positions aligned, a blank line after each file."""
    by_file: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        by_file.setdefault(diagnostic.file or "<input>", []).append(diagnostic)
    out = []
    for file, found in by_file.items():
        lines = max(len(str(d.line or "")) for d in found)
        cols = max(len(str(d.col or "")) for d in found)
        out.append(f"{file}:\n")
        for d in found:
            where = (
                f"{d.line or '':>{lines}}:{d.col or '':<{cols}}"
                if d.line is not None
                else " " * (lines + cols + 1)
            )
            out.append(f"  {where} {d.code} {_marker(d, unsafe)}{d.message}\n")
        out.append("\n")
    return "".join(out)


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


# -- CI systems -----------------------------------------------------------------------------------


def repository_root(start: Path) -> Path:
    """The folder CI systems name files from: ``GITHUB_WORKSPACE`` or ``CI_PROJECT_DIR`` when set, else the
    git work tree holding ``start``, else the current folder."""
    for variable in ("GITHUB_WORKSPACE", "CI_PROJECT_DIR"):
        if os.environ.get(variable):
            return Path(os.environ[variable]).resolve()
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return Path.cwd().resolve()


def _relative(file: str | None, root: Path) -> str:
    """``file`` as a POSIX path relative to ``root`` (as given when it lies outside)."""
    if not file:
        return "<input>"
    path = Path(file).resolve()
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return Path(file).as_posix()


_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def github(diagnostics: list[Diagnostic], root: Path) -> str:
    """GitHub Actions workflow commands, one annotation per diagnostic:
    ``::error file=m.yaml,line=12,col=7,endLine=12,endColumn=20,title=R201::message``, the file
    relative to ``root`` (the repository's, as GitHub matches annotations), escaped as the Actions
    toolkit escapes them."""
    out = []
    for d in diagnostics:
        properties = {"file": _relative(d.file, root)}
        if d.line is not None:
            properties |= {"line": str(d.line), "col": str(d.col or 1)}
            if d.end_line is not None and d.end_col is not None:
                properties |= {"endLine": str(d.end_line), "endColumn": str(d.end_col)}
        properties["title"] = d.code
        written = ",".join(f"{key}={_github_property(value)}" for key, value in properties.items())
        message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
        out.append(f"::{_GITHUB_LEVEL[d.severity]} {written}::{_github_data(message)}\n")
    return "".join(out)


def _github_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


_GITLAB_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def gitlab(diagnostics: list[Diagnostic], root: Path) -> str:
    """A GitLab Code Quality report: a JSON list of issues with ``description``, ``check_name``,
    ``fingerprint``, ``severity`` and ``location.path``/``location.lines.begin`` (the file relative to
    ``root``).  The fingerprint hashes the file, code and message (and which of several equal ones it
    is), not the line: an issue a merge request only moves is still the same issue."""
    seen: collections.Counter[tuple[str, str, str]] = collections.Counter()
    issues = []
    for d in diagnostics:
        path = _relative(d.file, root)
        key = (path, d.code, d.message)
        seen[key] += 1
        fingerprint = hashlib.sha256("\0".join([*key, str(seen[key])]).encode("utf-8")).hexdigest()
        begin = d.line or 1
        issues.append(
            {
                "description": f"{d.code} {d.message}",
                "check_name": d.code,
                "fingerprint": fingerprint,
                "severity": _GITLAB_SEVERITY[d.severity],
                "location": {"path": path, "lines": {"begin": begin, "end": d.end_line or begin}},
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def junit(diagnostics: list[Diagnostic], root: Path) -> str:
    """JUnit XML as ruff writes it: a test suite per file, a failing test case per diagnostic (named
    ``onnxtext.CODE``); without diagnostics, one passing case."""
    suites = ElementTree.Element("testsuites", name="onnxtext")
    by_file: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        by_file.setdefault(_relative(diagnostic.file, root), []).append(diagnostic)
    for file, found in by_file.items():
        suite = ElementTree.SubElement(
            suites, "testsuite", name=file, tests=str(len(found)), failures=str(len(found)), errors="0"
        )
        for d in found:
            case = ElementTree.SubElement(suite, "testcase", name=f"onnxtext.{d.code}", classname=file)
            where = f"line {d.line}, col {d.col}, " if d.line is not None else ""
            if d.line is not None:
                case.set("line", str(d.line))
                case.set("column", str(d.col or 1))
            failure = ElementTree.SubElement(case, "failure", message=d.message, type=d.severity)
            failure.text = where + d.message + (f"\nhint: {d.hint}" if d.hint else "")
    if not by_file:
        suite = ElementTree.SubElement(
            suites, "testsuite", name="onnxtext", tests="1", failures="0", errors="0"
        )
        ElementTree.SubElement(suite, "testcase", name="No errors found", classname="onnxtext")
    suites.set("tests", str(max(len(diagnostics), 1)))
    suites.set("failures", str(len(diagnostics)))
    suites.set("errors", "0")
    ElementTree.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"
    )

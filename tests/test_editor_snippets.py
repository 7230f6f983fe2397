"""The VS Code files: valid JSON, the same in editor-snippets/ as editor-setup writes, snippets valid
against the schema, and a problem matcher that reads real `onnxtext lint` and `build` output."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from onnxtext import text
from onnxtext.cli import main
from onnxtext.editor import setup as editor
from onnxtext.editor import vscode
from onnxtext.schema import validate

SNIPPETS = Path(__file__).resolve().parent.parent / "editor-snippets"


def test_editor_snippets_folder_holds_what_editor_setup_writes() -> None:
    assert (SNIPPETS / "onnxtext.code-snippets").read_text(encoding="utf-8") == vscode.render(vscode.SNIPPETS)
    assert (SNIPPETS / "tasks.json").read_text(encoding="utf-8") == vscode.render(vscode.TASKS)
    yaml_globs, json_globs = editor.document_patterns(Path("/nonexistent"), ())
    settings = editor.settings(None, "./.vscode/onnxtext.schema.json", yaml_globs, json_globs)
    assert (SNIPPETS / "settings.json").read_text(encoding="utf-8") == settings
    for name in ("onnxtext.code-snippets", "tasks.json", "settings.json"):
        json.loads((SNIPPETS / name).read_text(encoding="utf-8"))


def _expand(lines: list[str]) -> str:
    """A snippet body with every placeholder replaced by its default (``${1:x}`` -> x, ``$1`` -> x)."""
    body = "\n".join(lines)
    defaults = dict(re.findall(r"\$\{(\d+):([^{}]*)\}", body))
    body = re.sub(r"\$\{(\d+):([^{}]*)\}", lambda m: m.group(2), body)
    return re.sub(r"\$\{?(\d+)\}?", lambda m: defaults.get(m.group(1), ""), body)


def _indent(fragment: str, spaces: int) -> str:
    return "\n".join(" " * spaces + line for line in fragment.splitlines())


# where each snippet goes in a document: a template with {} for the indented fragment
_NODE = "onnxtext: 2\nopset_import: {{'': 21}}\ngraph:\n  name: g\n  nodes:\n{}\n"
_ATTRIBUTE = "onnxtext: 2\ngraph:\n  nodes:\n    - op_type: {op}\n      attributes:\n{{}}\n"
PLACES: dict[str, tuple[str, int]] = {
    "onnxtext node": (_NODE, 4),
    "onnxtext node with attributes": (_NODE, 4),
    "onnxtext constant": (_NODE, 4),
    "onnxtext if": (_NODE, 4),
    "onnxtext loop": (_NODE, 4),
    "onnxtext tensor attribute": (_ATTRIBUTE.format(op="Constant"), 8),
    "onnxtext element type attribute": (_ATTRIBUTE.format(op="Cast"), 8),
    "onnxtext empty list attribute": (_ATTRIBUTE.format(op="Squeeze"), 8),
    "onnxtext attribute reference": (_ATTRIBUTE.format(op="LeakyRelu"), 8),
    "onnxtext graph attribute": (_ATTRIBUTE.format(op="Loop"), 8),
    "onnxtext initializer": ("onnxtext: 2\ngraph:\n  initializers:\n{}\n", 4),
    "onnxtext initializer npy": ("onnxtext: 2\ngraph:\n  initializers:\n{}\n", 4),
    "onnxtext value info": ("onnxtext: 2\ngraph:\n  inputs:\n{}\n", 4),
    "onnxtext function": ("onnxtext: 2\nfunctions:\n{}\n", 2),
}


def test_every_snippet_has_a_place() -> None:
    assert set(PLACES) == set(vscode.SNIPPETS)


@pytest.mark.parametrize("name", sorted(vscode.SNIPPETS))
def test_snippet_with_its_defaults_validates(name: str) -> None:
    template, spaces = PLACES[name]
    document = template.format(_indent(_expand(vscode.SNIPPETS[name]["body"]), spaces))
    assert validate(text.parse(document, "yaml")) == [], document


def _matchers() -> list[dict[str, Any]]:
    tasks = json.loads((SNIPPETS / "tasks.json").read_text(encoding="utf-8"))["tasks"]
    lint = next(t for t in tasks if t["label"] == "onnxtext: lint current document")
    return lint["problemMatcher"]


def _match(line: str) -> dict[str, str] | None:
    """What VS Code would read from ``line``: the first matcher whose regexp matches (at most one may)."""
    found = []
    for matcher in _matchers():
        pattern = matcher["pattern"]
        m = re.match(pattern["regexp"], line)
        if m:
            found.append({k: m.group(v) for k, v in pattern.items() if isinstance(v, int)})
    assert len(found) <= 1, line
    return found[0] if found else None


def test_problem_matcher_reads_real_lint_output(tmp_path: Path) -> None:
    doc = tmp_path / "m.yaml"
    doc.write_text(
        "onnxtext: 2\nopset_import: {'': 21}\ngraph:\n  nodes:\n    - op_type: Relu\n      inputs: x\n"
    )
    result = CliRunner().invoke(main, ["lint", str(doc)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    read = [_match(line) for line in lines]
    assert all(r is None for r, line in zip(read, lines, strict=True) if line.startswith("  hint:"))
    found = [r for r in read if r]
    assert found and all(r["file"] == str(doc) for r in found)
    error = next(r for r in found if r["code"] == "E202")
    assert (error["line"], error["column"], error["severity"]) == ("6", "7", "error")
    assert {r["severity"] for r in found} <= {"error", "warning", "info"}


def test_problem_matcher_puts_model_findings_on_the_file(tmp_path: Path) -> None:
    """A .onnx has no lines: its findings name a path and go on the whole file."""
    model = Path(__file__).resolve().parent.parent / "samples" / "squeezenet.onnx"
    result = CliRunner().invoke(main, ["lint", "--extend-select", "N104", str(model)])  # its unnamed nodes
    findings = [line for line in result.output.splitlines() if not line.startswith("  hint:")]
    assert findings
    for line in findings:
        read = _match(line)
        assert read is not None and read["file"] == str(model) and "line" not in read, line


def test_problem_matcher_reads_build_errors(tmp_path: Path) -> None:
    doc = tmp_path / "m.yaml"
    doc.write_text("onnxtext: 2\ngraph:\n  nodes:\n    - op_type: Relu\n      inputs: x\n")
    result = CliRunner().invoke(main, ["build", str(doc), "-o", str(tmp_path / "m.onnx")])
    assert result.exit_code == 1
    read = [r for r in map(_match, result.output.splitlines()) if r]
    assert read and read[0]["file"] == str(doc)

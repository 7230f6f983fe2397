"""The VS Code problem matcher shipped in editor-snippets/ really matches onnxtext's error lines."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from onnxtext.cli import main

SNIPPETS = Path(__file__).resolve().parent.parent / "editor-snippets"


def test_problem_matcher_reads_build_errors(tmp_path: Path) -> None:
    doc = tmp_path / "m.yaml"
    doc.write_text("onnxtext: 1\ngraph:\n  nodes:\n    - op_type: Relu\n      inputs: x\n")
    result = CliRunner().invoke(main, ["build", str(doc), "-o", str(tmp_path / "m.onnx")])
    assert result.exit_code == 1
    tasks = json.loads((SNIPPETS / "tasks.json").read_text())
    pattern = tasks["tasks"][0]["problemMatcher"]["pattern"]
    match = re.match(pattern["regexp"], result.output.splitlines()[0])
    assert match, result.output
    assert match.group(pattern["file"]) == str(doc)
    assert (match.group(pattern["line"]), match.group(pattern["column"])) == ("5", "7")
    assert match.group(pattern["code"]) == "E202"


def test_snippets_are_valid_json() -> None:
    snippets = json.loads((SNIPPETS / "onnxtext.code-snippets").read_text())
    assert {"onnxtext node", "onnxtext initializer"} <= set(snippets)

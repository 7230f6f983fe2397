"""The VS Code extension (editor-snippets/vscode-extension): its TypeScript tests pass (against this
onnxtext), it builds, it packs this onnxtext's schema and snippets, and its problem matchers are the tasks'.
The TypeScript tests need no VS Code, only node and the npm registry (tests/test_code_server.py runs the
extension in code-server)."""

from __future__ import annotations

import json

import pytest

from onnxtext.editor import vscode
from onnxtext.schema import schema_text
from tests.vscode_extension import EXTENSION, NPM, npm, npm_ready


@pytest.mark.skipif(NPM is None, reason="npm is not installed: the VS Code extension needs node 20+ and npm")
def test_extension_tests_pass_and_it_builds() -> None:
    with npm_ready():
        tests = npm("test")
        assert "# fail 0" in tests.stdout and "# skipped 0" in tests.stdout, tests.stdout[-2000:]
        npm("run", "build")
    assert (EXTENSION / "dist" / "extension.js").stat().st_size > 0
    packed_schema = (EXTENSION / "schema" / "onnxtext.schema.json").read_text(encoding="utf-8")
    assert packed_schema == schema_text()
    packed_snippets = (EXTENSION / "snippets" / "onnxtext.code-snippets").read_text(encoding="utf-8")
    assert packed_snippets == vscode.render(vscode.SNIPPETS)


def test_problem_matchers_are_those_of_the_tasks() -> None:
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    contributed = {
        matcher.pop("name"): {key: value for key, value in matcher.items() if key != "label"}
        for matcher in manifest["contributes"]["problemMatchers"]
    }
    task_matchers = vscode.TASKS["tasks"][0]["problemMatcher"]
    assert contributed == {"onnxtext": task_matchers[0], "onnxtext-file": task_matchers[1]}
    assert contributed["onnxtext"]["pattern"]["regexp"] == vscode.LINE_DIAGNOSTIC
    assert contributed["onnxtext-file"]["pattern"]["regexp"] == vscode.FILE_DIAGNOSTIC

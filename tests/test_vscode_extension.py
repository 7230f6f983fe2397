"""The VS Code extension (editor-snippets/vscode-extension): its TypeScript tests pass (against this
onnxtext), it builds, it packs this onnxtext's schema and snippets, and its problem matchers are the tasks'.

`npm ci` runs once into the extension's git-ignored node_modules (again only when package-lock.json is newer
than what it installed); the TypeScript tests need no VS Code, only node and the npm registry.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from onnxtext.editor import vscode
from onnxtext.schema import schema_text

ROOT = Path(__file__).resolve().parent.parent
EXTENSION = ROOT / "editor-snippets" / "vscode-extension"
NPM = shutil.which("npm")


def _npm(*args: str) -> subprocess.CompletedProcess[str]:
    """npm in the extension's folder; its scripts and tests run `python -m onnxtext` of this interpreter."""
    env = {**os.environ, "ONNXTEXT_PYTHON": sys.executable}
    result = subprocess.run(
        [NPM or "npm", *args], cwd=EXTENSION, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"npm {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _installed() -> bool:
    """Whether node_modules holds what package-lock.json asks for (npm's own record, written by `npm ci`)."""
    record = EXTENSION / "node_modules" / ".package-lock.json"
    lock = EXTENSION / "package-lock.json"
    return record.exists() and record.stat().st_mtime >= lock.stat().st_mtime


@pytest.mark.skipif(NPM is None, reason="npm is not installed: the VS Code extension needs node 20+ and npm")
def test_extension_tests_pass_and_it_builds() -> None:
    # one test, not three: pytest-xdist could otherwise run two `npm ci` in the same folder at once
    if not _installed():
        _npm("ci", "--no-audit", "--no-fund")
    tests = _npm("test")
    assert "# fail 0" in tests.stdout and "# skipped 0" in tests.stdout, tests.stdout[-2000:]

    _npm("run", "build")
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

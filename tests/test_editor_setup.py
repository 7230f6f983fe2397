"""`onnxtext editor-setup` writes .vscode/ and merges into what is there without losing a byte of it."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from onnxtext.cli import main
from onnxtext.editor import setup as editor
from onnxtext.schema import schema_text

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
USER_SETTINGS = """{
  // my settings
  "editor.tabSize": 4, /* keep me */
  "yaml.schemas": {
    "https://example.invalid/workflow.json": ".github/workflows/*.yml", // workflows
  },
  "json.schemas": [
    {"fileMatch": ["x.json"], "url": "./x.schema.json"} // x
  ]
}
"""
USER_TASKS = """{
  "version": "2.0.0",
  // my tasks
  "tasks": [{"label": "mine", "type": "shell", "command": "true"}]
}
"""


def _jsonc(text: str) -> object:
    return editor.Jsonc(text).get([])


def test_setup_writes_and_merges(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    runner = CliRunner()
    assert (
        runner.invoke(
            main, ["dump", str(SAMPLES / "squeezenet.onnx"), "-o", str(tmp_path / "models" / "sq.yaml")]
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(
            main, ["dump", str(SAMPLES / "squeezenet.onnx"), "-o", str(tmp_path / "sq.json")]
        ).exit_code
        == 0
    )
    (tmp_path / "other.yaml").write_text("name: not a document\n")
    vscode = tmp_path / ".vscode"
    vscode.mkdir()
    (vscode / "settings.json").write_text(USER_SETTINGS)
    (vscode / "tasks.json").write_text(USER_TASKS)

    result = runner.invoke(main, ["editor-setup", str(tmp_path), "--pattern", "extra/*.yaml"])
    assert result.exit_code == 0, result.output
    settings_text = (vscode / "settings.json").read_text()
    for kept in ("// my settings", "/* keep me */", "// workflows", "// x", '"editor.tabSize": 4'):
        assert kept in settings_text
    settings = _jsonc(settings_text)
    assert settings["yaml.schemas"]["https://example.invalid/workflow.json"] == ".github/workflows/*.yml"
    assert settings["yaml.schemas"]["./.vscode/onnxtext.schema.json"] == [
        *editor.DEFAULT_PATTERNS[:2],
        "extra/*.yaml",
        "models/sq.yaml",
    ]
    assert settings["json.schemas"] == [
        {"fileMatch": ["x.json"], "url": "./x.schema.json"},
        {"fileMatch": ["**/*.onnx.json", "sq.json"], "url": "./.vscode/onnxtext.schema.json"},
    ]
    tasks_text = (vscode / "tasks.json").read_text()
    assert "// my tasks" in tasks_text
    labels = [t["label"] for t in _jsonc(tasks_text)["tasks"]]
    assert (
        labels[0] == "mine"
        and "onnxtext: lint current document" in labels
        and len(labels) == len(set(labels))
    )
    assert (vscode / "onnxtext.schema.json").read_text() == schema_text()
    assert json.loads((vscode / "onnxtext.code-snippets").read_text())

    before = {p.name: p.read_text() for p in vscode.iterdir()}
    again = runner.invoke(main, ["editor-setup", str(tmp_path), "--pattern", "extra/*.yaml"])
    assert again.exit_code == 0 and "wrote" not in again.output
    assert {p.name: p.read_text() for p in vscode.iterdir()} == before


def test_setup_in_an_empty_folder(tmp_path: Path) -> None:
    written = editor.setup(tmp_path)
    assert sorted(p.name for p in written) == sorted(
        ["onnxtext.schema.json", "onnxtext.code-snippets", "settings.json", "tasks.json"]
    )
    settings = json.loads((tmp_path / ".vscode" / "settings.json").read_text())
    assert settings["yaml.schemas"] == {"./.vscode/onnxtext.schema.json": list(editor.DEFAULT_PATTERNS[:2])}


def test_a_broken_settings_file_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / ".vscode").mkdir()
    (tmp_path / ".vscode" / "settings.json").write_text("{ not json")
    result = CliRunner().invoke(main, ["editor-setup", str(tmp_path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (tmp_path / ".vscode" / "settings.json").read_text() == "{ not json"


def test_watch_lints_when_a_document_changes(tmp_path: Path, capsys) -> None:
    doc = tmp_path / "m.yaml"
    doc.write_text("onnxtext: 2\n")
    runs: list[list[str]] = []
    editor.watch(tmp_path, interval=0, rounds=2, run=lambda argv, check: runs.append(argv))
    assert len(runs) == 1 and runs[0][-3:] == ["onnxtext", "lint", str(doc)]
    assert capsys.readouterr().out.splitlines() == ["onnxtext: lint started", "onnxtext: lint finished"]

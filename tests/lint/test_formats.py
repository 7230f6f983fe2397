"""The formats CI systems read, checked against their specifications: GitHub's workflow commands (as the
Actions runner parses and unescapes them), GitLab's Code Quality report, JUnit XML; and ruff's concise
and grouped formats."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from onnxtext.base.diagnostics import Diagnostic
from onnxtext.cli import main
from onnxtext.lint import report
from tests.lint.cases import clean, edit

# the Actions runner's reading of a command line: ::name key=value,key=value::message
_COMMAND = re.compile(r"^::(?P<name>[a-z]+)(?: (?P<properties>[^:]*))?::(?P<message>.*)$")
_PROPERTY_ESCAPES = (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%"))


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """(command, properties, message) of a workflow command, unescaped as the runner unescapes them."""
    match = _COMMAND.match(line)
    assert match, line
    properties = {}
    for pair in (match["properties"] or "").split(","):
        key, value = pair.split("=", 1)
        for escaped, char in _PROPERTY_ESCAPES:
            value = value.replace(escaped, char)
        properties[key] = value
    message = match["message"]
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%25", "%")):
        message = message.replace(escaped, char)
    return match["name"], properties, message


def diagnostics(root: Path) -> list[Diagnostic]:
    awkward = str(root / "models" / "a,b:c 100%.yaml")  # a name with every character the spec escapes
    return [
        Diagnostic(
            "R201", "input 'x:1,2' is 50% undefined\r\nsecond line", "error", hint="did you mean 'x'?"
        ).at(awkward, 12, 7, 12, 20),
        Diagnostic("R205", "initializer 'w' is not used", "warning").at(str(root / "m.yaml"), 3, 5, 3, 9),
        Diagnostic("R205", "initializer 'w' is not used", "warning").at(str(root / "m.yaml"), 9, 5, 9, 9),
        Diagnostic("N104", "Relu node has no name", "info").at(str(root / "m.onnx")),
    ]


def test_github_annotations_follow_the_workflow_command_spec(tmp_path: Path) -> None:
    lines = report.github(diagnostics(tmp_path), tmp_path).splitlines()
    assert len(lines) == 4
    name, properties, message = parse_command(lines[0])
    assert name == "error"
    assert properties == {
        "file": "models/a,b:c 100%.yaml",
        "line": "12",
        "col": "7",
        "endLine": "12",
        "endColumn": "20",
        "title": "R201",
    }
    assert message == "input 'x:1,2' is 50% undefined\r\nsecond line\nhint: did you mean 'x'?"
    assert lines[0].startswith(
        "::error file=models/a%2Cb%3Ac 100%25.yaml,line=12,col=7,endLine=12,endColumn=20,"
    )
    assert parse_command(lines[1])[0] == "warning" and parse_command(lines[3])[:2] == (
        "notice",
        {"file": "m.onnx", "title": "N104"},
    )


def test_github_paths_are_relative_to_the_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "models").mkdir()
    doc = tmp_path / "models" / "m.yaml"
    doc.write_text(edit(clean("yaml"), "yaml", "inputs", ["x"], ["xx"]))
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path / "models")
    result = CliRunner().invoke(main, ["lint", "--format", "github", "m.yaml"])
    assert result.exit_code == 1
    (line,) = result.output.splitlines()
    assert parse_command(line)[1]["file"] == "models/m.yaml"
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "models"))
    result = CliRunner().invoke(main, ["lint", "--format", "github", "m.yaml"])
    assert parse_command(result.output.splitlines()[0])[1]["file"] == "m.yaml"


def test_gitlab_code_quality_report(tmp_path: Path) -> None:
    issues = json.loads(report.gitlab(diagnostics(tmp_path), tmp_path))
    assert [i["check_name"] for i in issues] == ["R201", "R205", "R205", "N104"]
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert isinstance(issue["location"]["lines"]["begin"], int)
    assert issues[0]["location"] == {"path": "models/a,b:c 100%.yaml", "lines": {"begin": 12, "end": 12}}
    assert len({i["fingerprint"] for i in issues}) == 4  # two equal findings, two issues
    assert issues[0]["description"].startswith("R201 input 'x:1,2'")
    moved = [d.at(d.file, (d.line or 1) + 5) for d in diagnostics(tmp_path)]
    assert [i["fingerprint"] for i in json.loads(report.gitlab(moved, tmp_path))] == [
        i["fingerprint"] for i in issues
    ]


def test_junit_xml(tmp_path: Path) -> None:
    xml = report.junit(diagnostics(tmp_path), tmp_path)
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    suites = ElementTree.fromstring(xml.split("\n", 1)[1])
    assert suites.tag == "testsuites" and suites.get("tests") == "4" and suites.get("failures") == "4"
    assert [s.get("name") for s in suites] == ["models/a,b:c 100%.yaml", "m.yaml", "m.onnx"]
    case = suites[0][0]
    assert case.get("name") == "onnxtext.R201" and case.get("line") == "12" and case.get("column") == "7"
    failure = case.find("failure")
    assert failure is not None and failure.get("message") == "input 'x:1,2' is 50% undefined\r\nsecond line"
    empty = ElementTree.fromstring(report.junit([], tmp_path).split("\n", 1)[1])
    assert empty.get("failures") == "0" and empty[0][0].get("name") == "No errors found"


def test_concise_and_grouped_as_ruff_writes_them(tmp_path: Path) -> None:
    doc = tmp_path / "m.yaml"
    doc.write_text(edit(clean("yaml"), "yaml", "inputs", ["x", "w"], ["x", "x"]))  # w unused: a safe fix
    result = CliRunner().invoke(main, ["lint", "--format", "concise", str(doc)])
    assert re.fullmatch(
        rf"{re.escape(str(doc))}:\d+:7: R205 \[\*\] initializer 'w' is not used\n",
        result.output.split("[*] 1")[0],
    )
    result = CliRunner().invoke(main, ["lint", "--format", "grouped", str(doc)])
    lines = result.output.splitlines()
    assert lines[0] == f"{doc}:" and re.fullmatch(
        r"  \d+:7 R205 \[\*\] initializer 'w' is not used", lines[1]
    )
    assert lines[2] == "" and lines[3] == "[*] 1 fixable with `onnxtext lint --fix`."


def test_machine_formats_print_only_their_document(tmp_path: Path) -> None:
    doc = tmp_path / "m.yaml"
    doc.write_text(edit(clean("yaml"), "yaml", "inputs", ["x", "w"], ["x", "x"]))
    for fmt in ("json", "sarif", "gitlab"):
        result = CliRunner().invoke(main, ["lint", "--format", fmt, str(doc)])
        json.loads(result.output)
    result = CliRunner().invoke(main, ["lint", "--format", "junit", str(doc)])
    ElementTree.fromstring(result.output.split("\n", 1)[1])

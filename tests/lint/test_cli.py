"""``onnxtext lint`` and ``onnxtext build`` from the command line: output shapes, exit codes, settings."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import onnx
from click.testing import CliRunner

from onnxtext.cli import main
from onnxtext.lint.engine import rules
from tests.lint.cases import chain_model, clean, edit

SARIF_SCHEMA = Path(__file__).with_name("sarif-schema-2.1.0.json")
README = Path(__file__).resolve().parents[2] / "README.md"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def broken(tmp_path: Path) -> Path:
    doc = tmp_path / "m.yaml"
    doc.write_text(edit(clean("yaml"), "yaml", "inputs", ["x"], ["xx"]))  # the Cast's input
    return doc


def test_text_output_and_exit_codes(tmp_path: Path) -> None:
    code, output = invoke("lint", str(broken(tmp_path)))
    assert code == 1
    assert re.match(rf"^{re.escape(str(tmp_path))}/m\.yaml:\d+:\d+: error R201 input 'xx' ", output)
    assert "\n  hint: did you mean 'x'" in output
    assert invoke("lint", "--exit-zero", str(broken(tmp_path)))[0] == 0
    (tmp_path / "ok.yaml").write_text(clean("yaml"))
    assert invoke("lint", str(tmp_path / "ok.yaml")) == (0, "")
    assert invoke("lint", "--select", "Q9", str(tmp_path / "ok.yaml"))[0] == 2


def test_warnings_exit_zero_unless_asked(tmp_path: Path) -> None:
    doc = tmp_path / "m.yaml"
    doc.write_text(edit(clean("yaml"), "yaml", "inputs", ["x", "w"], ["x", "x"]))  # unused initializer
    assert invoke("lint", str(doc))[0] == 0
    assert invoke("lint", "--warnings-as-errors", str(doc))[0] == 1


def test_json_and_statistics(tmp_path: Path) -> None:
    code, output = invoke("lint", "--format", "json", str(broken(tmp_path)))
    (found,) = json.loads(output)
    assert code == 1 and found["code"] == "R201" and found["path"] == "graph.nodes[3].inputs[0]"
    assert set(found) == {
        "file",
        "line",
        "col",
        "end_line",
        "end_col",
        "severity",
        "code",
        "message",
        "hint",
        "path",
    }
    assert invoke("lint", "--statistics", str(broken(tmp_path)))[1] == "     1  R201  [error]\n"


def test_sarif_validates_against_the_sarif_2_1_0_schema(tmp_path: Path) -> None:
    _, output = invoke("lint", "--format", "sarif", str(broken(tmp_path)))
    log = json.loads(output)
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()))
    (result,) = log["runs"][0]["results"]
    assert (
        result["ruleId"] == "R201" and result["locations"][0]["physicalLocation"]["region"]["startLine"] > 1
    )


def test_pyproject_settings_and_the_command_line_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.onnxtext.lint]\nignore = ["R2", "C"]\n')
    assert invoke("lint", str(broken(tmp_path))) == (0, "")
    assert invoke("lint", "--ignore", "N", str(broken(tmp_path)))[0] == 1


def test_onnx_models_are_placed_by_path(tmp_path: Path) -> None:
    model = chain_model()
    model.graph.node[2].input[0] = "bb"
    onnx.save(model, tmp_path / "m.onnx")
    code, output = invoke("lint", str(tmp_path))
    assert (
        code == 1
        and f"{tmp_path}/m.onnx: error R201 " in output
        and "[at graph.nodes[2].inputs[0]]" in output
    )


def test_explain_and_list_rules() -> None:
    code, output = invoke("lint", "--explain", "R201")
    assert code == 0 and output.startswith(
        "R201 undefined-input (error, references, fix: onnxtext lint --fix --unsafe-fixes)"
    )
    bad, good = (
        Path(line.split("(", 1)[1].rstrip("):"))
        for line in output.splitlines()
        if line.startswith(("Bad (", "Good ("))
    )
    assert (
        bad.name == "R201.bad.yaml"
        and "\n    " + bad.read_text().splitlines()[0] in output
        and good.is_file()
    )
    listing = invoke("lint", "--list-rules")[1].splitlines()
    assert [line.split()[0] for line in listing] == list(rules())


def test_build_refuses_lint_errors_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "m.onnx"
    code, output = invoke("build", str(broken(tmp_path)), "-o", str(out))
    assert code == 1 and "error R201" in output and not out.exists()
    assert invoke("build", str(broken(tmp_path)), "-o", str(out), "--no-check")[0] == 0 and out.exists()


def test_build_counts_warnings_in_one_line_and_writes(tmp_path: Path) -> None:
    doc = tmp_path / "m.yaml"
    doc.write_text(edit(clean("yaml"), "yaml", "inputs", ["x", "w"], ["x", "x"]))
    code, output = invoke("build", str(doc), "-o", str(tmp_path / "m.onnx"))
    assert code == 0
    assert output == f"{doc}: info L101 1 warning (R205 x1): run onnxtext lint {doc}\n"
    assert (tmp_path / "m.onnx").exists()


def test_readme_rule_table_matches_the_registry() -> None:
    text = README.read_text()
    section = text[text.index("## Lint") :]
    rows = re.findall(
        r"^\| `([A-Z]{1,2}\d{3})` \| (\w+) \| (yes|opt-in) \| (safe|unsafe|) \| (.+?) \|$", section, re.M
    )
    assert rows == [
        (
            r.code,
            r.severity,
            "yes" if r.default else "opt-in",
            "" if r.fix is None else r.fix_applicability,
            r.summary,
        )
        for r in rules().values()
    ]

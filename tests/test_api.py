"""``onnxtext.api.build`` is ``onnxtext build``: the same lint gate, the same refusals, the same warnings
(handed back instead of printed), on real models."""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest
from click.testing import CliRunner

from onnxtext import api
from onnxtext.base.diagnostics import Diagnostic
from onnxtext.cli import main
from onnxtext.lint.gate import LintFailed
from tests.models import silero_models

SQUEEZENET = Path(__file__).resolve().parent.parent / "samples" / "squeezenet.onnx"
IFLESS = [m for m in silero_models() if m.name == "silero_vad_op18_ifless.onnx"]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_api_build_refuses_what_the_command_refuses(tmp_path: Path) -> None:
    document = tmp_path / "squeezenet.yaml"
    assert run("dump", str(SQUEEZENET), "-o", str(document))[0] == 0
    text = document.read_text()
    # two nodes read values nothing produces: lint reports both, onnx.checker alone would stop at one
    broken = text.replace("inputs: [r24, fire5/", "inputs: [r24x, fire5/").replace(
        "inputs: [r39, fire7/", "inputs: [r39x, fire7/"
    )
    assert broken.count("x, fire") == 2
    document.write_text(broken)
    lines = broken.splitlines()
    expected = [
        (n, line.index(name) + 1)
        for name in ("r24x", "r39x")
        for n, line in enumerate(lines, 1)
        if name in line
    ]

    warnings: list[Diagnostic] = []
    with pytest.raises(LintFailed) as refused:
        api.build(document, tmp_path / "api.onnx", warn=warnings.append)
    assert [(d.code, d.line, d.col) for d in refused.value.diagnostics] == [("R201", *at) for at in expected]
    assert not (tmp_path / "api.onnx").exists()

    code, output = run("build", str(document), "-o", str(tmp_path / "cli.onnx"))
    assert code == 1 and not (tmp_path / "cli.onnx").exists()
    # the errors alone: the producers the typos left unread are what the did-you-mean offers, not dead
    assert warnings == []
    assert output == refused.value.report() + "\n"


@pytest.mark.skipif(not IFLESS, reason="needs the silero-vad package's models")
def test_api_build_hands_back_the_warnings_the_command_counts(tmp_path: Path) -> None:
    """silero's op-18 export has three initializers no node uses: a real exporter's model with warnings."""
    document = tmp_path / "vad.yaml"
    assert run("dump", str(IFLESS[0]), "-o", str(document))[0] == 0
    warnings: list[Diagnostic] = []
    model = api.build(document, tmp_path / "api.onnx", warn=warnings.append)
    assert [d.code for d in warnings] == ["R205"] * 3
    for diagnostic in warnings:  # each at the line of the initializer it names
        name = diagnostic.message.split("'")[1]
        line = document.read_text().splitlines()[(diagnostic.line or 0) - 1]
        assert f"name: {name}," in line
    original = onnx.load(str(IFLESS[0]), load_external_data=False)
    assert (tmp_path / "api.onnx").read_bytes() == original.SerializeToString()
    assert model.graph.node == original.graph.node

    code, output = run("build", str(document), "-o", str(tmp_path / "cli.onnx"))
    assert code == 0
    assert output == f"{document}: info L101 3 warnings (R205 x3): run onnxtext lint {document}\n"
    assert (tmp_path / "cli.onnx").read_bytes() == original.SerializeToString()


def test_api_build_takes_the_command_switches(tmp_path: Path) -> None:
    document = tmp_path / "squeezenet.yaml"
    assert run("dump", str(SQUEEZENET), "-o", str(document))[0] == 0
    api.build(document, tmp_path / "api.onnx", opset=11)
    assert run("build", str(document), "-o", str(tmp_path / "cli.onnx"), "--opset", "11")[0] == 0
    built = onnx.load(str(tmp_path / "api.onnx"))
    assert [o.version for o in built.opset_import if o.domain == ""] == [11]
    assert (tmp_path / "api.onnx").read_bytes() == (tmp_path / "cli.onnx").read_bytes()

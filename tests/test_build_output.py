"""What ``build`` and ``lint`` print on real models: quiet when the model is right, the errors first when
it is wrong, and the warnings of a build summed up in one line."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import onnx
import pytest
from click.testing import CliRunner

from onnxtext.cli import main
from onnxtext.codecs import held
from onnxtext.convert import build as build_steps
from tests.models import silero_models, sklearn_exports

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
IFLESS = [m for m in silero_models() if m.name == "silero_vad_op18_ifless.onnx"]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def exports() -> list[str]:
    return ["squeezenet", *(m.stem for m in silero_models()), "skl2onnx-pipeline", "skl2onnx-forest"]


def export(name: str, folder: Path) -> Path:
    """The model ``name`` of :func:`exports`, as a ``.onnx`` file in ``folder``."""
    if name.startswith("skl2onnx-"):
        path = folder / f"{name}.onnx"
        path.write_bytes(sklearn_exports()[name.removeprefix("skl2onnx-")])
        return path
    if name == "squeezenet":
        return SAMPLES / "squeezenet.onnx"
    return next(m for m in silero_models() if m.stem == name)


def test_the_readme_first_command_prints_only_identical(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    first = re.search(r"```bash\n(.*?)\n", readme)
    assert first is not None
    command = first.group(1).removeprefix("pip install -e . && ")
    assert command.startswith("onnxtext dump samples/squeezenet.onnx | onnxtext build - ")
    python = f"{sys.executable} -m onnxtext "
    (tmp_path / "samples").mkdir()
    shutil.copy(SAMPLES / "squeezenet.onnx", tmp_path / "samples")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        command.replace("onnxtext ", python),
        shell=True,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "identical\n", "")


@pytest.mark.parametrize("name", exports())
def test_a_clean_default_dump_of_an_export_builds_in_at_most_three_lines(name: str, tmp_path: Path) -> None:
    model = export(name, tmp_path)
    document = tmp_path / f"{name}.yaml"
    assert run("dump", str(model), "-o", str(document)) == (0, "")
    code, output = run("build", str(document), "-o", str(tmp_path / "rebuilt.onnx"))
    assert code == 0 and len(output.splitlines()) <= 3, output
    assert all(": info L101 " in line for line in output.splitlines()), output  # a count, if anything
    expected = onnx.load(str(model), load_external_data=False).SerializeToString()
    assert (tmp_path / "rebuilt.onnx").read_bytes() == expected


@pytest.mark.skipif(not IFLESS, reason="needs the silero-vad package's models")
def test_a_failing_build_prints_its_error_first_then_counts_the_warnings(tmp_path: Path) -> None:
    document = tmp_path / "vad.yaml"
    assert run("dump", str(IFLESS[0]), "-o", str(document))[0] == 0
    code, output = run("build", str(document), "-o", str(tmp_path / "vad.onnx"), "--opset", "999")
    lines = output.splitlines()
    assert code == 1 and not (tmp_path / "vad.onnx").exists()
    assert " error E603 " in lines[0] and lines[1].startswith("  hint: ")
    assert lines[2:] == [f"{document}: info L101 3 warnings (R205 x3): run onnxtext lint {document}"]


@pytest.mark.skipif(not IFLESS, reason="needs the silero-vad package's models")
def test_lint_prints_errors_before_warnings(tmp_path: Path) -> None:
    """The three unused initializers come first in the file, the broken reference near its end (and
    the node whose output it read is left dead: a fourth warning, also before it in the file)."""
    document = tmp_path / "vad.yaml"
    assert run("dump", str(IFLESS[0]), "-o", str(document))[0] == 0
    text = document.read_text()
    last_input = re.findall(r"(?m)^      inputs: \[(\w+)", text)[-1]
    broken = text[::-1].replace(f"inputs: [{last_input}"[::-1], "inputs: [missing"[::-1], 1)[::-1]
    document.write_text(broken)
    error_line = next(n for n, line in enumerate(broken.splitlines(), 1) if "inputs: [missing" in line)
    code, output = run("lint", str(document))
    found = [line for line in output.splitlines() if not line.startswith("  hint:")]
    assert code == 1
    severities = [line.split()[1:3] for line in found]
    assert severities == [["error", "R201"]] + [["warning", "R205"]] * 3 + [["warning", "R206"]]
    assert found[0].startswith(f"{document}:{error_line}:")
    warning_lines = [int(line.split(":")[1]) for line in found[1:]]
    assert max(warning_lines) < error_line  # printed after the error although they come first in the file
    code, statistics = run("lint", "--statistics", str(document))
    assert statistics.split() == ["1", "R201", "[error]", "3", "R205", "[warning]", "1", "R206", "[warning]"]


@pytest.mark.skipif(not IFLESS, reason="needs the silero-vad package's models")
def test_warnings_are_counted_once_when_the_streamed_read_gives_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Big Base64 payloads are first read streamed; a lint error sends the build the ordinary way,
    which lints again: the warnings of the first try are not handed on."""
    monkeypatch.setattr(held, "HELD_MIN_BYTES", 4096)  # silero's bigger weights count as big
    document = tmp_path / "vad.yaml"
    assert run("dump", str(IFLESS[0]), "-o", str(document), "--tensors", "base64")[0] == 0
    text = document.read_text()
    last_input = re.findall(r"(?m)^      inputs: \[(\w+)", text)[-1]
    document.write_text(text[::-1].replace(f"[{last_input}"[::-1], "[missing"[::-1], 1)[::-1])
    streamed = []
    real_thin = build_steps.thin_document
    monkeypatch.setattr(build_steps, "thin_document", lambda *a: streamed.append(1) or real_thin(*a))
    code, output = run("build", str(document), "-o", str(tmp_path / "vad.onnx"))
    assert streamed and code == 1
    assert output.splitlines()[-1] == (
        f"{document}: info L101 4 warnings (R205 x3, R206 x1): run onnxtext lint {document}"
    )

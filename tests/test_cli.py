"""The CLI as a user runs it: dump and build real models in every tensor mode, bytes compared."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import onnx
import pytest
from click.testing import CliRunner

from onnxtext.cli import main
from tests.models import shipped_models, silero_models

MODES = ("auto", "inline", "base64", "npy")
SILERO = silero_models()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def roundtrip(model: Path, tmp: Path, mode: str, ext: str) -> None:
    doc = tmp / f"{model.stem}-{mode}.{ext}"
    out = tmp / f"{model.stem}-{mode}-{ext}.onnx"
    code, output = run("dump", str(model), "-o", str(doc), "--tensors", mode)
    assert code == 0, output
    code, output = run("build", str(doc), "-o", str(out))
    assert code == 0, output
    expected = onnx.load(str(model), load_external_data=False).SerializeToString()
    assert out.read_bytes() == expected, (model, mode, ext)
    redumped = tmp / "again" / doc.name
    code, output = run("dump", str(out), "-o", str(redumped), "--tensors", mode)
    assert code == 0, output
    assert redumped.read_text() == doc.read_text(), "dumping the rebuilt model must give the same text"


@pytest.mark.parametrize("model", shipped_models(), ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
@pytest.mark.parametrize("mode", MODES)
def test_shipped_models_roundtrip(model: Path, mode: str, tmp_path: Path) -> None:
    roundtrip(model, tmp_path, mode, "yaml" if mode in ("auto", "npy") else "json")


@pytest.mark.skipif(not SILERO, reason="silero-vad not installed: pip install --no-deps silero-vad==6.2.3")
@pytest.mark.parametrize("model", SILERO, ids=lambda p: p.name)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("ext", ["yaml", "json"])
def test_silero_roundtrips(model: Path, mode: str, ext: str, tmp_path: Path) -> None:
    roundtrip(model, tmp_path, mode, ext)


def test_version_and_help_run_as_a_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "onnxtext", "--version"], capture_output=True, text=True, check=True
    )
    assert "onnxtext" in done.stdout


def test_dump_to_stdout_then_build_from_stdin(tmp_path: Path) -> None:
    model = shipped_models()[0]
    code, yaml_text = run("dump", str(model))
    assert code == 0 and yaml_text.startswith("onnxtext: 2")
    out = tmp_path / "m.onnx"
    result = CliRunner().invoke(main, ["build", "-", "-o", str(out), "--no-check"], input=yaml_text)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == onnx.load(str(model)).SerializeToString()


def test_build_never_overwrites_without_force(tmp_path: Path) -> None:
    model = shipped_models()[0]
    doc = tmp_path / "m.yaml"
    assert run("dump", str(model), "-o", str(doc))[0] == 0
    target = tmp_path / "m.onnx"
    target.write_bytes(b"keep me")
    code, output = run("build", str(doc), "--no-check")
    assert code == 1 and "E501" in output and "--force" in output
    assert target.read_bytes() == b"keep me"
    assert run("build", str(doc), "--no-check", "--force")[0] == 0
    assert target.read_bytes() != b"keep me"


def test_dump_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    model = tmp_path / "m.onnx"
    model.write_bytes(shipped_models()[0].read_bytes())
    code, _ = run("dump", str(model), "-o", str(model), "--format", "yaml")
    assert code == 2
    assert model.read_bytes() == shipped_models()[0].read_bytes()


def test_outputs_get_ordinary_permissions(tmp_path: Path) -> None:
    doc = tmp_path / "m.yaml"
    assert run("dump", str(shipped_models()[0]), "-o", str(doc), "--tensors", "npy")[0] == 0
    assert doc.stat().st_mode & 0o044 == 0o044
    assert (tmp_path / "m.tensors").stat().st_mode & 0o055 == 0o055


def test_os_errors_are_reported_not_raised(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, output = run("dump", str(shipped_models()[0]), "-o", str(blocker / "m.yaml"))
    assert code == 1 and "E502" in output and "Traceback" not in output


SQUEEZENET = Path(__file__).resolve().parent.parent / "samples" / "squeezenet.onnx"


def test_command_errors_name_the_file_they_are_about(tmp_path: Path) -> None:
    doc = tmp_path / "s.yaml"
    assert run("dump", str(SQUEEZENET), "-o", str(doc)) == (0, "")
    code, output = run("dump", str(SQUEEZENET), "-o", str(doc))
    assert code == 1 and output.startswith(f"{doc}: error E501 ")
    code, output = run("extract", str(SQUEEZENET), "--outputs", "nope", "-o", str(tmp_path / "x.onnx"))
    assert code == 1 and output.startswith(f"{SQUEEZENET}: error E601 ")
    assert "<input>" not in output


def test_a_closed_stdout_ends_the_command_quietly() -> None:
    """``onnxtext dump m.onnx | head -1``: the reader is gone before the model is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "onnxtext", "dump", str(SQUEEZENET)],
            stdout=write_end,
            stderr=subprocess.PIPE,
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (141, b"")  # what a shell reports for `yes | head -1`


def test_dump_refuses_npy_sidecars_to_stdout(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["dump", str(SQUEEZENET), "--tensors", "npy"])
    assert result.exit_code == 2 and "--tensors npy writes .npy sidecars" in result.output
    assert "pass -o DOC" in result.output and "onnxtext: 2" not in result.output


@pytest.mark.parametrize("command", [["build", str(SQUEEZENET.with_suffix(".yaml"))], ["schema"]])
def test_an_output_that_names_a_folder_is_a_usage_error(tmp_path: Path, command: list[str]) -> None:
    """``-o out/`` means a folder: it must not write a file called ``out``."""
    result = CliRunner().invoke(main, [*command, "-o", f"{tmp_path / 'out'}/"])
    assert result.exit_code == 2 and "names a folder" in result.output
    assert list(tmp_path.iterdir()) == []

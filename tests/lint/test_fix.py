"""``onnxtext lint --fix`` on real models: minimal edits that keep comments and sidecars, ruff's flags and
exit codes, and a folder linted on several processes."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import onnx
import pytest
from click.testing import CliRunner

from onnxtext.base.diagnostics import Edit, Fix
from onnxtext.cli import main
from onnxtext.core.document import Document
from onnxtext.lint import registry
from onnxtext.lint.engine import lint
from onnxtext.lint.files import check_files, expand
from onnxtext.lint.fixing import fix_document
from tests.lint.cases import chain_model, clean

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
EQUAL = "    - op_type: Equal\n      name: Equal_0\n      domain: ''\n      inputs: [sr, Constant_0_output]\n"
EQUAL += "      outputs: [Equal_0_C]\n"
LAST = "    - op_type: Identity\n      name: Introduce_0_id0\n"
COMMENT = "    # the two outputs the VAD returns, kept as exported\n"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def broken_silero(folder: Path) -> Path:
    """The silero dump with what a person's hand edits leave: a node moved below its consumer, a typo
    in an input, an initializer and a value_info entry left over, and a comment they wrote."""
    shutil.copytree(SAMPLES / "silero_vad.tensors", folder / "silero_vad.tensors")
    text = (SAMPLES / "silero_vad.yaml").read_text()
    assert EQUAL in text and LAST in text
    text = text.replace(EQUAL, "").replace(LAST, EQUAL + COMMENT + LAST)
    text = text.replace(
        "inputs: [If_0_outputs_1]\n      outputs: [stateN]",
        "inputs: [If_0_outputs_l]\n      outputs: [stateN]",
    )
    initializer = "  initializers:\n    - {name: old_threshold, type: 'float32[]', values: [0.5]}\n"
    text = text.replace("  nodes:\n", initializer + "  nodes:\n", 1)
    text += "  value_info:\n    - {name: state_old, type: 'float32[2,?,128]'}\n"
    document = folder / "silero_vad.yaml"
    document.write_text(text)
    return document


def test_a_broken_real_model_is_repaired_keeping_the_comment(tmp_path: Path) -> None:
    document = broken_silero(tmp_path)
    code, output = invoke("lint", str(document))
    assert code == 1 and [line.split()[2] for line in output.splitlines() if ": error " in line] == [
        "R204",
        "R201",
    ]
    assert output.endswith("[*] 1 fixable with `onnxtext lint --fix` (1 more with `--unsafe-fixes`).\n")
    # the safe fix sorts the nodes; the deletions wait for the typo (the unused value may be what it meant)
    code, output = invoke("lint", "--fix", str(document))
    assert code == 1 and output.endswith("Found 4 problems (1 fixed, 3 remaining).\n")
    assert EQUAL + "    - op_type: If\n" in document.read_text()
    code, output = invoke("lint", "--fix", "--unsafe-fixes", str(document))
    assert (code, output) == (0, "Found 3 problems (3 fixed, 0 remaining).\n")
    original = (SAMPLES / "silero_vad.yaml").read_text()
    assert document.read_text() == original.replace(LAST, COMMENT + LAST)
    assert invoke("lint", "--fix", "--unsafe-fixes", str(document)) == (0, "")  # twice changes nothing
    assert invoke("fmt", "--check", str(document)) == (0, "")
    assert invoke("build", str(document), "-o", str(tmp_path / "m.onnx"))[0] == 0
    assert (tmp_path / "m.onnx").read_bytes() == (SAMPLES / "silero_vad.onnx").read_bytes()


def test_diff_shows_the_fixes_and_writes_nothing(tmp_path: Path) -> None:
    document = broken_silero(tmp_path)
    before = document.read_text()
    code, output = invoke("lint", "--diff", "--unsafe-fixes", str(document))
    assert code == 1 and document.read_text() == before
    assert f"--- {document}\n+++ {document}\n" in output and "-      inputs: [If_0_outputs_l]\n" in output
    assert "+      inputs: [If_0_outputs_1]\n" in output and output.endswith("Would fix 4 problems.\n")


def test_fix_only_exits_zero_and_reports_nothing_else(tmp_path: Path) -> None:
    document = broken_silero(tmp_path)
    assert invoke("lint", "--fix-only", str(document)) == (0, "Fixed 1 problem.\n")
    assert invoke("lint", "--fix-only", str(document)) == (0, "")
    assert invoke("lint", "--fix", "--exit-non-zero-on-fix", "--unsafe-fixes", str(document))[0] == 1


@pytest.mark.parametrize("name", ["squeezenet.yaml", "squeezenet.json"])
def test_fixes_in_yaml_and_json_rebuild_the_original(tmp_path: Path, name: str) -> None:
    text = (SAMPLES / name).read_text()
    quote = '"' if name.endswith(".json") else ""
    # a typo in the first Conv's data input and its weight made unused: nothing is deleted while it dangles
    typo = text.replace(f"[{quote}data_0{quote}, ", f"[{quote}data_O{quote}, ", 1)
    document = tmp_path / name
    document.write_text(typo)
    fixed = fix_document(Document.read(document), unsafe=True)
    assert fixed.text == text and dict(fixed.fixed) == {"R201": 1}
    assert fix_document(Document.read(document)).text == typo  # the typo's fix is unsafe


def test_a_deleted_initializer_leaves_its_sidecar(tmp_path: Path) -> None:
    model = chain_model()
    model.graph.initializer.append(
        onnx.numpy_helper.from_array(
            onnx.numpy_helper.to_array(model.graph.initializer[0]).repeat(40), "unused"
        )
    )
    onnx.save(model, tmp_path / "m.onnx")
    assert (
        invoke("dump", str(tmp_path / "m.onnx"), "-o", str(tmp_path / "m.yaml"), "--tensors", "npy")[0] == 0
    )
    sidecars = sorted((tmp_path / "m.tensors").iterdir())
    assert len(sidecars) == 2
    code, output = invoke("lint", "--fix", str(tmp_path / "m.yaml"))
    assert code == 0 and output == "Found 1 problem (1 fixed, 0 remaining).\n"
    assert "unused" not in (tmp_path / "m.yaml").read_text()
    assert sorted((tmp_path / "m.tensors").iterdir()) == sidecars  # another tensor may share a sidecar
    assert invoke("build", str(tmp_path / "m.yaml"), "-o", str(tmp_path / "out.onnx"))[0] == 0


def test_a_binary_model_is_not_fixed_in_place(tmp_path: Path) -> None:
    model = chain_model()
    model.graph.node[1].input[0] = "aa"  # a typo R201 has a fix for
    onnx.save(model, tmp_path / "m.onnx")
    before = (tmp_path / "m.onnx").read_bytes()
    code, output = invoke("lint", "--fix", str(tmp_path / "m.onnx"))
    assert code == 1 and (tmp_path / "m.onnx").read_bytes() == before
    assert f"{tmp_path}/m.onnx: info L102 a .onnx file cannot be fixed in place" in output
    assert "hint: onnxtext dump m.onnx -o m.yaml; onnxtext lint --fix m.yaml; onnxtext build m.yaml" in output


def test_crlf_documents_keep_their_line_breaks(tmp_path: Path) -> None:
    text = (SAMPLES / "squeezenet.yaml").read_text()
    unused = "    - {name: unused, type: 'float32[1]', values: [0.0]}\n"
    document = tmp_path / "m.yaml"
    document.write_bytes(
        text.replace("  initializers:\n", "  initializers:\n" + unused).replace("\n", "\r\n").encode()
    )
    assert invoke("lint", "--fix", str(document))[0] == 0
    assert document.read_bytes() == text.replace("\n", "\r\n").encode()


def test_a_fix_that_breaks_the_text_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    unused = "  initializers:\n    - {name: unused, type: 'float32[1]', values: [0.0]}\n"
    text = clean("yaml").replace("  initializers:\n", unused)
    broken = Fix("break the text", (Edit(1, 1, 1, 1, "[\n"),))
    monkeypatch.setitem(
        registry.REGISTRY, "R205", dataclasses.replace(registry.REGISTRY["R205"], fix=lambda *_: broken)
    )
    fixed = fix_document(Document(text, "yaml", "m.yaml", SAMPLES))
    assert fixed.text == text and [d.code for d in fixed.remaining] == ["R205"]


def test_a_folder_on_several_processes_reports_in_file_order(tmp_path: Path) -> None:
    for k in range(6):
        model = chain_model()
        model.graph.node[k % 4].input[0] = f"typo_{k}"
        onnx.save(model, tmp_path / f"m{k}.onnx")
        shutil.copy(SAMPLES / "squeezenet.yaml", tmp_path / f"s{k}.yaml")
    files = list(expand([tmp_path]))
    serial = check_files(files, workers=1)
    parallel = check_files(files, workers=2)
    assert [r.path for r in parallel] == files
    assert [r.diagnostics for r in parallel] == [r.diagnostics for r in serial]
    assert [d.code for r in serial for d in r.diagnostics] == [d.code for f in files for d in _lint(f)]


def _lint(path: Path) -> list:
    return (
        check_files([path])[0].diagnostics
        if path.suffix == ".onnx"
        else lint(Document.read(path), fixes=True)
    )

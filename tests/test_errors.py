"""Bad input gives ``file:line:col: error CODE message`` plus a hint, exit code 1, and no output file."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import onnx
import pytest
from click.testing import CliRunner
from onnx import TensorProto, helper, numpy_helper

from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.errors import OnnxTextError
from onnxtext.cli import main


def small_model() -> onnx.ModelProto:
    weight = numpy_helper.from_array(np.arange(600, dtype=np.float32).reshape(20, 30), "weight")
    shape = numpy_helper.from_array(np.array([30, 20], dtype=np.int64), "shape")
    nodes = [
        helper.make_node("Reshape", ["weight", "shape"], ["r"], name="reshape"),
        helper.make_node("LeakyRelu", ["r"], ["y"], name="act", alpha=0.1),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [30, 20])],
        initializer=[weight, shape],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def dumped(tmp_path: Path, ext: str = "yaml", mode: str = "auto") -> Path:
    src = tmp_path / "m.onnx"
    onnx.save(small_model(), src)
    doc = tmp_path / f"m.{ext}"
    result = CliRunner().invoke(main, ["dump", str(src), "-o", str(doc), "--tensors", mode])
    assert result.exit_code == 0, result.output
    return doc


def build(doc: Path) -> tuple[int, str, Path]:
    out = doc.with_name("out.onnx")
    result = CliRunner().invoke(main, ["build", str(doc), "-o", str(out)])
    return result.exit_code, result.output, out


def line_of(doc: Path, needle: str) -> int:
    return next(i for i, line in enumerate(doc.read_text().splitlines(), 1) if needle in line)


def assert_reported(output: str, doc: Path, code: str, line: int | None = None) -> None:
    match = re.search(rf"^{re.escape(str(doc))}:(\d+):(\d+): error {code} ", output, re.M)
    assert match, output
    if line is not None:
        assert int(match.group(1)) == line, output
    assert "hint:" in output
    assert "Traceback" not in output


def test_clean_document_builds(tmp_path: Path) -> None:
    code, output, out = build(dumped(tmp_path))
    assert code == 0, output
    assert out.read_bytes() == small_model().SerializeToString()


@pytest.mark.parametrize("ext", ["yaml", "json"])
def test_syntax_error(tmp_path: Path, ext: str) -> None:
    doc = dumped(tmp_path, ext)
    lines = doc.read_text().splitlines()
    target = line_of(doc, "LeakyRelu")
    lines[target - 1] = lines[target - 1].replace(
        "LeakyRelu", "[LeakyRelu" if ext == "yaml" else 'LeakyRelu" "'
    )
    doc.write_text("\n".join(lines) + "\n")
    code, output, out = build(doc)
    assert code == 1
    assert_reported(output, doc, "E101")
    assert not out.exists()


@pytest.mark.parametrize(
    ("old", "new", "code", "also"),
    [
        ("alpha: 0.1", "alpha: [0.1, x]", "E205", ""),  # not an attribute literal
        ("op_type: LeakyRelu", "op_typ: LeakyRelu", "E201", "op_type"),  # suggests the right key
        ("op_type: LeakyRelu", "op_type: NoSuchOp", "O401", "NoSuchOp"),  # lint names the op
        ("type: 'int64[2]'", "type: 'int64[2,x]'", "E203", ""),  # bad type string
        ("values: [30, 20]", "values: [30, 20, 1]", "E301", "expected 2 values"),
    ],
)
def test_bad_edit_is_reported_at_its_line(tmp_path: Path, old: str, new: str, code: str, also: str) -> None:
    doc = dumped(tmp_path)
    assert old in doc.read_text()
    doc.write_text(doc.read_text().replace(old, new, 1))
    status, output, out = build(doc)
    assert status == 1
    assert_reported(output, doc, code, line_of(doc, new))
    assert also in output
    assert not out.exists()


def test_missing_sidecar(tmp_path: Path) -> None:
    doc = dumped(tmp_path, mode="npy")
    sidecars = list((tmp_path / "m.tensors").glob("*.npy"))
    assert sidecars
    for path in sidecars:
        path.unlink()
    code, output, out = build(doc)
    assert code == 1
    assert_reported(output, doc, "E303")
    assert not out.exists()


def test_wrong_length_base64(tmp_path: Path) -> None:
    doc = dumped(tmp_path, mode="base64")
    text = doc.read_text()
    match = re.search(r"base64: (\S+)", text)
    assert match
    doc.write_text(text.replace(match.group(1), match.group(1)[8:], 1))
    code, output, out = build(doc)
    assert code == 1
    assert_reported(output, doc, "E30[12]", line_of(doc, "base64:"))
    assert not out.exists()


def test_out_of_range_dimension_is_a_type_error() -> None:
    import onnxtext

    for doc in (
        "graph:\n  initializers:\n    - name: a\n      type: float32[99999999999999999999999]\n",
        "graph:\n  inputs:\n    - name: a\n      type: float32[N,99999999999999999999999]\n",
    ):
        with pytest.raises(onnxtext.OnnxTextError) as err:
            onnxtext.loads(doc)
        assert err.value.code == "E203" and err.value.line == 4


def test_error_is_a_diagnostic() -> None:
    err = OnnxTextError(
        "E201", "unknown key 'op_typ'", ("graph", "nodes", 1, "op_typ"), "did you mean 'op_type'?"
    )
    placed = err.at("m.yaml", 12, 7, 12, 13)
    assert placed.report() == "m.yaml:12:7: error E201 unknown key 'op_typ'\n  hint: did you mean 'op_type'?"
    assert placed.diagnostic == Diagnostic(
        "E201", "unknown key 'op_typ'", "error", err.path, err.hint, "m.yaml", 12, 7, 12, 13
    )
    assert OnnxTextError.of(placed.diagnostic) == placed
    assert (placed.code, placed.line, placed.col, placed.file) == ("E201", 12, 7, "m.yaml")


def test_unplaced_diagnostic_names_its_path() -> None:
    found = Diagnostic(
        "R201", "input 'x' is produced by nothing", "warning", ("graph", "nodes", 3, "inputs", 0)
    )
    assert (
        str(found.at("m.onnx"))
        == "m.onnx: warning R201 input 'x' is produced by nothing [at graph.nodes[3].inputs[0]]"
    )

"""Models with external data: references kept as they are, data files placed beside the built model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from click.testing import CliRunner
from onnx import TensorProto, helper, numpy_helper

from onnxtext.base.errors import OnnxTextError
from onnxtext.cli import main
from onnxtext.convert.build import Build


def external_model(folder: Path) -> Path:
    weight = numpy_helper.from_array(np.arange(4096, dtype=np.float32).reshape(64, 64), "w")
    node = helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 64])],
        [weight],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    folder.mkdir(parents=True)
    path = folder / "model.onnx"
    onnx.save(model, path, save_as_external_data=True, location="model.data", size_threshold=0)
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_build_elsewhere_copies_the_data(tmp_path: Path) -> None:
    source = external_model(tmp_path / "orig")
    doc = tmp_path / "work" / "model.yaml"
    assert run("dump", str(source), "-o", str(doc))[0] == 0
    text = doc.read_text()
    assert "external_data_dir: ../orig" in text and "location: model.data" in text
    out = tmp_path / "out" / "model.onnx"
    code, output = run("build", str(doc), "-o", str(out))
    assert code == 0, output
    assert out.read_bytes() == onnx.load(str(source), load_external_data=False).SerializeToString()
    assert (out.parent / "model.data").read_bytes() == (source.parent / "model.data").read_bytes()
    loaded = onnx.load(str(out))
    assert numpy_helper.to_array(loaded.graph.initializer[0])[1, 2] == 66.0


def test_build_beside_the_data_copies_nothing(tmp_path: Path) -> None:
    source = external_model(tmp_path / "orig")
    doc = tmp_path / "orig" / "model.yaml"
    assert run("dump", str(source), "-o", str(doc))[0] == 0
    assert "external_data_dir" not in doc.read_text()
    out = tmp_path / "orig" / "rebuilt.onnx"
    assert run("build", str(doc), "-o", str(out))[0] == 0
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "model.data",
        "model.onnx",
        "model.yaml",
        "rebuilt.onnx",
    ]


def test_missing_data_is_an_error_and_writes_nothing(tmp_path: Path) -> None:
    source = external_model(tmp_path / "orig")
    doc = tmp_path / "work" / "model.yaml"
    assert run("dump", str(source), "-o", str(doc))[0] == 0
    (source.parent / "model.data").unlink()
    out = tmp_path / "out" / "model.onnx"
    code, output = run("build", str(doc), "-o", str(out))
    # lint's T307 stops the build at the tensor's line, before the data would be copied
    assert code == 1 and f"{doc}:" in output and " error T307 " in output and "model.data" in output
    assert not out.exists()


def test_a_broken_op_stops_the_build_before_any_data_is_copied(tmp_path: Path) -> None:
    source = external_model(tmp_path / "orig")
    doc = tmp_path / "work" / "model.yaml"
    assert run("dump", str(source), "-o", str(doc))[0] == 0
    doc.write_text(doc.read_text().replace("op_type: MatMul", "op_type: NoSuchOp"))
    out = tmp_path / "out" / "model.onnx"
    code, output = run("build", str(doc), "-o", str(out))
    assert code == 1 and "O401" in output  # lint finds it first
    assert not out.exists()
    assert not (out.parent / "model.data").exists()


def test_failed_check_of_the_written_file_removes_the_copied_data(tmp_path: Path) -> None:
    source = external_model(tmp_path / "orig")
    doc = tmp_path / "work" / "model.yaml"
    assert run("dump", str(source), "-o", str(doc))[0] == 0

    def break_op(model: onnx.ModelProto) -> onnx.ModelProto:  # past lint: only the checker sees it
        model.graph.node[0].op_type = "NoSuchOp"
        return model

    out = tmp_path / "out" / "model.onnx"
    with pytest.raises(OnnxTextError) as caught:
        Build(out, transform=break_op).run(doc)
    assert caught.value.code == "E401"
    assert not out.exists()
    assert not (out.parent / "model.data").exists()

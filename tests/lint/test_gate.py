"""``build``'s lint gate: lint's C501 and T30x stand for onnx.checker's full check, which then runs once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from click.testing import CliRunner
from onnx import TensorProto, helper, numpy_helper

from onnxtext.api import build
from onnxtext.base.progress import Silent
from onnxtext.cli import main
from onnxtext.core.document import Document
from onnxtext.lint.gate import LintFailed, decode_linted
from tests.lint.cases import chain_model, dumped

SAMPLES = Path(__file__).resolve().parent.parent.parent / "samples"
ONNX_DATA = Path(onnx.__file__).parent / "backend" / "test" / "data"


@pytest.fixture
def checker_calls(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every model or path onnx.checker.check_model is called with."""
    calls: list[object] = []
    real = onnx.checker.check_model

    def counting(model: object, *args: object, **kwargs: object) -> None:
        calls.append(model)
        real(model, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(onnx.checker, "check_model", counting)
    return calls


def test_build_runs_the_checker_once(tmp_path: Path, checker_calls: list[object]) -> None:
    (tmp_path / "m.yaml").write_text(dumped(chain_model(), "yaml"))
    build(tmp_path / "m.yaml", tmp_path / "m.onnx")
    assert len(checker_calls) == 1  # lint's C501; api.check_model is not run again
    assert onnx.load(tmp_path / "m.onnx") == chain_model()


def test_a_transform_is_checked_after_lint(tmp_path: Path, checker_calls: list[object]) -> None:
    (tmp_path / "m.yaml").write_text(dumped(chain_model(), "yaml"))
    build(tmp_path / "m.yaml", tmp_path / "m.onnx", prune=True)
    assert len(checker_calls) == 2  # lint's C501, then the surgery's own verification: not the build's too


def test_a_transform_that_does_not_verify_is_checked_by_the_build(
    tmp_path: Path, checker_calls: list[object]
) -> None:
    (tmp_path / "m.yaml").write_text(dumped(chain_model(), "yaml"))
    build(tmp_path / "m.yaml", tmp_path / "m.onnx", infer_shapes=True)
    assert len(checker_calls) == 2  # lint's C501, then the build's check of the model shape inference changed


@pytest.mark.parametrize("ignored", ["C501", "T303", "T3"])
def test_without_the_checker_rules_build_checks_itself(
    tmp_path: Path, checker_calls: list[object], ignored: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(f'[tool.onnxtext.lint]\nignore = ["{ignored}"]\n')
    text = dumped(chain_model(), "yaml")
    gated = decode_linted(Document(text, "yaml", "m.yaml", tmp_path), Silent(), print)
    assert not gated.checked and gated.encoding is None and gated.model == chain_model()
    model = gated.model
    checker_calls.clear()
    (tmp_path / "m.yaml").write_text(text)
    build(tmp_path / "m.yaml", tmp_path / "m.onnx")
    assert checker_calls[-1] == model  # api.check_model's full check, after lint's C501 (when selected)
    assert len(checker_calls) == (1 if ignored == "C501" else 2)


def test_an_element_the_decoder_skipped_stops_build_whatever_the_selection(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.onnxtext.lint]\nignore = ["E2"]\n')
    text = dumped(chain_model(), "yaml").replace("name: n2", "name: 5")
    with pytest.raises(LintFailed) as failed:
        decode_linted(Document(text, "yaml", "m.yaml", tmp_path), Silent(), print)
    assert [d.code for d in failed.value.diagnostics] == ["E202"]


def test_a_noqa_comment_leaves_the_check_to_build(tmp_path: Path, checker_calls: list[object]) -> None:
    text = dumped(chain_model(), "yaml").replace("name: chain", "name: chain  # onnxtext: noqa C501")
    assert not decode_linted(Document(text, "yaml", "m.yaml", tmp_path), Silent(), print).checked


@pytest.fixture
def full_checks(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The ``full_check`` of every onnx.checker.check_model call."""
    calls: list[bool] = []
    real = onnx.checker.check_model

    def recording(model: object, full_check: bool = False, **kwargs: object) -> None:
        calls.append(full_check)
        real(model, full_check, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(onnx.checker, "check_model", recording)
    return calls


def test_build_writes_the_bytes_the_checker_read(tmp_path: Path, checker_calls: list[object]) -> None:
    model = onnx.load(SAMPLES / "squeezenet.onnx")
    (tmp_path / "m.yaml").write_text(dumped(model, "yaml"))
    build(tmp_path / "m.yaml", tmp_path / "m.onnx")
    written = (tmp_path / "m.onnx").read_bytes()
    assert checker_calls == [written]  # lint's C501 checked these bytes; the model was serialized once
    assert written == model.SerializeToString()


def test_with_external_data_shape_inference_runs_once(tmp_path: Path, full_checks: list[bool]) -> None:
    """Lint's T301-T303 ran strict shape inference: the written file is checked without it."""
    model = onnx.load(ONNX_DATA / "pytorch-operator" / "test_operator_conv" / "model.onnx")
    onnx.save(model, tmp_path / "sq.onnx", save_as_external_data=True, location="sq.data")
    assert (tmp_path / "sq.data").stat().st_size > 1024  # the conv's weights
    dump = ["dump", str(tmp_path / "sq.onnx"), "-o", str(tmp_path / "sq.yaml")]
    assert CliRunner().invoke(main, dump, catch_exceptions=False).exit_code == 0
    full_checks.clear()
    build(tmp_path / "sq.yaml", tmp_path / "out" / "sq.onnx")
    assert full_checks == [False]  # by path, where the data is; not C501 in memory, where it is not
    rebuilt = onnx.load(tmp_path / "out" / "sq.onnx", load_external_data=False)
    assert rebuilt == onnx.load(tmp_path / "sq.onnx", load_external_data=False)
    assert (tmp_path / "out" / "sq.data").read_bytes() == (tmp_path / "sq.data").read_bytes()


def _big_weights_model(indices: bool) -> onnx.ModelProto:
    """A MatMul by a 2 MiB float32 weight; with ``indices``, a Gather by 1.2 MiB of int64 indices
    (shifted by an Add, whose inputs shape inference's data propagation reads) too."""
    rng = np.random.default_rng(0)
    weight = numpy_helper.from_array(rng.standard_normal((1024, 512), dtype=np.float32), "w")
    nodes = [helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")]
    inits = [weight]
    outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 512])]
    if indices:
        inits.append(numpy_helper.from_array(rng.integers(0, 1023, 150_000, dtype=np.int64), "i"))
        inits.append(numpy_helper.from_array(np.array(1, np.int64), "one"))
        nodes.append(helper.make_node("Add", ["i", "one"], ["j"], name="shift"))  # data propagation reads i
        nodes.append(helper.make_node("Gather", ["w", "j"], ["g"], name="gather"))
        outputs.append(helper.make_tensor_value_info("g", TensorProto.FLOAT, [150_000, 512]))
    graph = helper.make_graph(
        nodes, "big", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 1024])], outputs, inits
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


@pytest.mark.parametrize("indices", [False, True])
def test_big_sidecars_go_from_their_files_into_the_checked_build(
    tmp_path: Path, checker_calls: list[object], indices: bool
) -> None:
    """The default build of an npy dump copies big payloads from their sidecars into the written file,
    as ``--no-check`` does, and checks that file by path: the model never holds them (lint's
    C501 cannot read it in memory; its shape inference runs unless an integer payload is left out,
    which inference would read)."""
    model = _big_weights_model(indices)
    onnx.save(model, tmp_path / "m.onnx")
    dump = ["dump", str(tmp_path / "m.onnx"), "-o", str(tmp_path / "m.yaml"), "--tensors", "npy"]
    assert CliRunner().invoke(main, dump, catch_exceptions=False).exit_code == 0
    built = build(tmp_path / "m.yaml", tmp_path / "out.onnx")
    assert len(checker_calls) == 1 and isinstance(checker_calls[0], str)  # the written file
    assert not built.graph.initializer[0].HasField("raw_data")  # left in its sidecar
    assert (tmp_path / "out.onnx").read_bytes() == model.SerializeToString()


def test_a_checked_build_from_sidecars_still_refuses_a_broken_model(tmp_path: Path) -> None:
    """Checked by path, the written file is refused and removed: nothing half-written."""
    model = _big_weights_model(False)
    model.graph.input[0].type.tensor_type.shape.dim[1].dim_value = 1000  # 2 x 1000 @ 1024 x 512
    onnx.save(model, tmp_path / "m.onnx")
    dump = ["dump", str(tmp_path / "m.onnx"), "-o", str(tmp_path / "m.yaml"), "--tensors", "npy"]
    assert CliRunner().invoke(main, dump, catch_exceptions=False).exit_code == 0
    result = CliRunner().invoke(main, ["build", str(tmp_path / "m.yaml"), "-o", str(tmp_path / "out.onnx")])
    assert result.exit_code == 1 and "T303" in result.output, result.output
    assert not (tmp_path / "out.onnx").exists()

"""Types and shapes: one strict shape-inference run, each failure at the node or declaration it is about."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from click.testing import CliRunner, Result
from onnx import numpy_helper
from onnx.external_data_helper import convert_model_to_external_data
from onnx.reference import ReferenceEvaluator

from onnxtext.cli import main
from tests.lint.cases import FORMATS, at, clean, codes, expect, field, node_start, run
from tests.models import SAMPLES, conformance_cases


def retype(text: str, fmt: str, name: str, old: str, new: str) -> tuple[str, tuple[int, int]]:
    """Change the type of value-info ``name``; return the text and where its entry starts."""
    entry = (
        "{"
        + field("name", name, fmt)
        + ", "
        + field("type", old, fmt).replace(f"{old}", f"'{old}'" if fmt == "yaml" else f"{old}")
    )
    assert entry in text, entry
    return text.replace(entry, entry.replace(old, new), 1), at(text, entry)


@pytest.mark.parametrize("fmt", FORMATS)
def test_t301_declared_output_contradicts_inference(fmt: str) -> None:
    text, where = retype(clean(fmt), fmt, "y", "float32[2,3]", "float32[3,3]")
    found = expect(run(text, fmt), "T301", where)
    assert "differ in dimension 0: (2) vs (3)" in found.message
    assert codes(run(text, fmt)) & {"T301", "T302", "T303"} == {"T301"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_t301_stale_value_info_type(fmt: str) -> None:
    text, where = retype(clean(fmt), fmt, "b", "float32[2,3]", "float16[2,3]")
    expect(run(text, fmt), "T301", where)


@pytest.mark.parametrize("fmt", FORMATS)
def test_t302_element_types_disagree(fmt: str) -> None:
    text, _ = retype(clean(fmt), fmt, "x", "float32[2,3]", "int64[2,3]")
    found = expect(run(text, fmt), "T302", node_start(text, fmt, "Add"))
    assert "inconsistent type" in found.message


@pytest.mark.parametrize("fmt", FORMATS)
def test_t303_broadcast_failure_without_cascades(fmt: str) -> None:
    text, _ = retype(clean(fmt), fmt, "x", "float32[2,3]", "float32[4,3]")
    found = run(text, fmt)
    expect(found, "T303", node_start(text, fmt, "Add"))
    assert not [d for d in found if "instead is null" in d.message]


@pytest.mark.parametrize("fmt", FORMATS)
def test_model_rules_wait_for_a_sound_document(fmt: str) -> None:
    text, _ = retype(clean(fmt), fmt, "x", "float32[2,3]", "float32[4,3]")
    text = text.replace(field("op_type", "Relu", fmt), field("op_type", "Relux", fmt))
    assert codes(run(text, fmt)) & {"O401", "T301", "T302", "T303", "C501"} == {"O401"}


# -- shape inference over external data: exporters (size_threshold=0) store shape inputs outside too


def _all_external(model: onnx.ModelProto, target: Path) -> Path:
    """``model`` saved at ``target`` with every tensor, attributes' included, in ``<name>.data``."""
    convert_model_to_external_data(
        model, location=f"{target.stem}.data", size_threshold=0, convert_attribute=True
    )
    onnx.save(model, target)
    return target


def _lint(*args: str) -> Result:
    return CliRunner().invoke(main, ["lint", *args], catch_exceptions=False)


def _reshape_case(tmp_path: Path) -> tuple[Path, np.ndarray, np.ndarray]:
    """The conformance case test_reshape_reordered_all_dims with its shape input as an initializer,
    saved with every tensor external; its data input and expected output."""
    case = next(c for c in conformance_cases() if c.name == "test_reshape_reordered_all_dims")
    (data, shape), (expected,) = case.data_sets[0]
    model = onnx.ModelProto()
    model.CopyFrom(case.model)
    model.graph.initializer.append(numpy_helper.from_array(shape, "shape"))
    del model.graph.input[1]  # "shape": now a constant
    return _all_external(model, tmp_path / "reshape.onnx"), data, expected


def test_shape_inputs_in_external_data_are_read_not_reported(tmp_path: Path) -> None:
    """A real model whose every tensor is external (silero-vad: its Constant nodes' shape and axes
    values, in If branches) lints clean, as a .onnx and dumped, and builds by default to the same bytes."""
    model = _all_external(onnx.load(SAMPLES / "silero_vad.onnx"), tmp_path / "silero.onnx")
    assert (tmp_path / "silero.data").stat().st_size > 2_000_000
    assert CliRunner().invoke(main, ["dump", str(model), "-o", str(tmp_path / "silero.yaml")]).exit_code == 0
    for linted in (model, tmp_path / "silero.yaml"):
        result = _lint(str(linted))
        assert result.exit_code == 0, result.output
        assert "T303" not in result.output
    built = CliRunner().invoke(
        main, ["build", str(tmp_path / "silero.yaml"), "-o", str(tmp_path / "out.onnx")]
    )
    assert built.exit_code == 0, built.output
    assert (tmp_path / "out.onnx").read_bytes() == model.read_bytes()


def test_a_wrong_shape_in_external_data_is_found(tmp_path: Path) -> None:
    """Inference sees the external shape's values: the case builds and runs; with the shape's bytes
    changed in the data file to 5 x 2 x 3, the declared output (4 x 2 x 3) contradicts it (T301)."""
    model, data, expected = _reshape_case(tmp_path)
    assert _lint(str(model)).exit_code == 0
    built = CliRunner().invoke(main, ["dump", str(model), "-o", str(tmp_path / "r.yaml")])
    assert built.exit_code == 0
    assert (
        CliRunner()
        .invoke(main, ["build", str(tmp_path / "r.yaml"), "-o", str(tmp_path / "out.onnx")])
        .exit_code
        == 0
    )
    (got,) = ReferenceEvaluator(str(tmp_path / "out.onnx")).run(None, {"data": data})
    np.testing.assert_array_equal(got, expected)

    assert np.frombuffer((tmp_path / "reshape.data").read_bytes(), np.int64).tolist() == [4, 2, 3]
    (tmp_path / "reshape.data").write_bytes(np.array([5, 2, 3], np.int64).tobytes())
    result = _lint(str(tmp_path / "r.yaml"))
    assert result.exit_code == 1
    assert "T301" in result.output and "differ in dimension 0: (5) vs (4)" in result.output, result.output
    assert "T303" not in result.output

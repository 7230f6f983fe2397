"""Big Base64 and number payloads streamed between model, text and model (roundtrip.stream).

The threshold is lowered so that small models take the streamed path; each test checks that it was
taken (the payloads were held) and that text and model are byte for byte what the ordinary path gives.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import ml_dtypes
import numpy as np
import onnx
import pytest
from onnx import ModelProto, TensorProto, helper, numpy_helper

from onnxtext import api
from onnxtext.base.errors import OnnxTextError
from onnxtext.codecs import held, payload_decode, payload_encode
from onnxtext.roundtrip import lean

MIN_BYTES = 256


@pytest.fixture(autouse=True)
def small_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(held, "HELD_MIN_BYTES", MIN_BYTES)
    monkeypatch.setattr(lean, "LEAN_FILE_MIN_BYTES", 0)  # payloads come from the mapped model file
    monkeypatch.setattr(lean, "LEAN_MIN_BYTES", MIN_BYTES)


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many payloads were held on dump, and taken (into the model) or spooled on build."""
    seen = {"hold": 0, "take": 0, "defer": 0}

    def spy(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            out = real(*args)
            seen[name] += out is not None and out is not False
            return out

        return call

    for name in seen:
        module = payload_encode if name == "hold" else payload_decode
        monkeypatch.setattr(module, name, spy(name, getattr(module, name)))
    return seen


def _model() -> ModelProto:
    rng = np.random.default_rng(7)
    arrays = {
        "f32": rng.standard_normal((40, 30)).astype(np.float32),
        "f16": rng.standard_normal(500).astype(np.float16),
        "f64": np.concatenate([rng.standard_normal(200), [1e300, -1e-300, 0.0, -0.0, np.inf]]),
        "special": np.array([1.0, -0.0, np.inf, -np.inf, 1e-30, 3e38, 1e-45] * 60, np.float32),
        "i64": rng.integers(-(2**62), 2**62, 300, dtype=np.int64),  # JSON writes most as strings
        "u64": rng.integers(0, 2**64 - 1, 300, dtype=np.uint64),
        "i8": rng.integers(-128, 127, 1000, dtype=np.int8),
        "bf16": rng.standard_normal(400).astype(ml_dtypes.bfloat16),  # numbers by the checking path
        "nan": np.array([np.nan, 1.0] * 200, np.float32),  # NaN: numbers only after the exactness check
        "small": np.arange(6, dtype=np.float32),
    }
    tensors = [numpy_helper.from_array(a, name) for name, a in arrays.items()]
    tensors.append(helper.make_tensor("flags", TensorProto.BOOL, [600], [True, False, True] * 200))
    tensors.append(helper.make_tensor("typed", TensorProto.FLOAT, [300], rng.standard_normal(300).tolist()))
    constant = helper.make_node("Constant", [], ["c"], value=numpy_helper.from_array(arrays["f32"], "cv"))
    graph = helper.make_graph(
        [constant, helper.make_node("Add", ["f32", "c"], ["y"])],
        "g",
        [],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [40, 30])],
        tensors,
    )
    return helper.make_model(graph, producer_name="test")


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("mode", ["base64", "inline"])
def test_streamed_round_trip_is_exact(tmp_path: Path, counts: dict[str, int], mode: str, fmt: str) -> None:
    model = _model()
    source = tmp_path / "m.onnx"
    source.write_bytes(model.SerializeToString())
    document = tmp_path / f"m.{fmt}"
    api.dump(source, document, tensors=mode)  # type: ignore[arg-type]
    assert counts["hold"] >= 5
    assert document.read_text() == api.dumps(model, fmt, tensors=mode)  # type: ignore[arg-type]
    for check in (False, True):
        counts.update(take=0, defer=0)
        out = tmp_path / f"out-{check}.onnx"
        api.build(document, out, check=check)
        assert counts["defer"] >= 5  # raw_data payloads: spooled, copied into the model file
        assert counts["take"] + counts["defer"] >= counts["hold"]
        assert out.read_bytes() == model.SerializeToString()


def _dumped(tmp_path: Path, mode: str, fmt: str) -> tuple[ModelProto, Path]:
    model = _model()
    document = tmp_path / f"m.{fmt}"
    document.write_text(api.dumps(model, fmt, tensors=mode))  # type: ignore[arg-type]
    return model, document


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_hand_written_numbers_read_as_the_parser_reads_them(
    tmp_path: Path, counts: dict[str, int], fmt: str
) -> None:
    """Integers in a float list (``-0`` is +0.0 there), ``1.`` (YAML), ``1e3`` and infinities."""
    _, document = _dumped(tmp_path, "inline", fmt)
    items = ["-0", "1.", "1e3", "2", "-.inf" if fmt == "yaml" else '"-Infinity"', "0.5"] * 200
    if fmt == "json":
        items = [i for i in items if i not in ("1.",)]
    spelled = ", ".join(items)
    name = "hand"
    tensor = f"name: {name}, type: 'float32[{len(items)}]', values: [{spelled}]"
    text = document.read_text()
    if fmt == "yaml":
        text = text.replace("  initializers:\n", f"  initializers:\n    - {{{tensor}}}\n", 1)
    else:
        tensor = f'"name": "{name}", "type": "float32[{len(items)}]", "values": [{spelled}]'
        text = text.replace('"initializers": [\n', f'"initializers": [\n      {{{tensor}}},\n', 1)
    document.write_text(text)
    api.build(document, tmp_path / "held.onnx", check=False)
    assert counts["defer"] > 0
    ordinary = api.loads(text, fmt)  # type: ignore[arg-type]
    assert (tmp_path / "held.onnx").read_bytes() == ordinary.SerializeToString()
    assert ordinary.graph.initializer[0].name == name


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_a_bad_payload_is_reported_as_the_ordinary_build_reports_it(tmp_path: Path, fmt: str) -> None:
    _, document = _dumped(tmp_path, "base64", fmt)
    text = document.read_text()
    start = text.index("base64: " if fmt == "yaml" else '"base64": "') + 20
    document.write_text(text[:start] + "=" + text[start + 1 :])  # padding inside the text
    with pytest.raises(OnnxTextError) as held_build:
        api.build(document, tmp_path / "x.onnx", check=False)
    with pytest.raises(OnnxTextError) as ordinary:
        api.loads(text[:start] + "=" + text[start + 1 :], fmt, filename=str(document))  # type: ignore[arg-type]
    assert (held_build.value.code, held_build.value.line) == (ordinary.value.code, ordinary.value.line)
    assert held_build.value.code == "E302"
    assert not (tmp_path / "x.onnx").exists()


def test_a_payload_like_run_inside_a_string_stays_in_it(tmp_path: Path, counts: dict[str, int]) -> None:
    """``base64: <long run>`` inside a doc string is no payload: its token is not taken, and the build
    falls back to the ordinary path, which keeps the string as it is."""
    model = _model()
    model.doc_string = "see base64: " + "QUJD" * 200 + " for details"
    document = tmp_path / "m.yaml"
    api.dump(model, document, tensors="base64")
    out = tmp_path / "m.onnx"
    api.build(document, out, check=False)
    assert out.read_bytes() == model.SerializeToString()


def test_an_escaped_character_in_a_json_base64_string_is_read_as_json_reads_it(
    tmp_path: Path, counts: dict[str, int]
) -> None:
    """A JSON writer may escape ``/`` as ``\\/``: the span up to the closing quote is then not all
    Base64, the fast path gives way, and the ordinary build reads the string as JSON does."""
    model, document = _dumped(tmp_path, "base64", "json")
    text = document.read_text()
    start = text.index('"base64": "') + len('"base64": "')
    end = text.index('"', start)
    assert end - start >= MIN_BYTES and "/" in text[start:end]
    document.write_text(text[:start] + text[start:end].replace("/", "\\/") + text[end:])
    api.build(document, tmp_path / "m.onnx", check=False)
    assert (tmp_path / "m.onnx").read_bytes() == model.SerializeToString()


def _inferred(model: ModelProto) -> list[onnx.ValueInfoProto]:
    inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True, data_prop=True)
    return list(inferred.graph.value_info)


def test_shape_inference_runs_without_big_weights() -> None:
    """The checked build's shape inference (lint T301-T303) runs on the model without its big float
    weights: the same inferred types, without four copies of the weights."""
    model = _model()
    del model.graph.initializer[4:]  # f32, f16, f64, special: all floating-point
    thin = lean.without_big_weights(model)
    assert [t.name for t in thin.graph.initializer] == ["f32", "f16", "f64", "special"]
    assert not any(t.raw_data for t in thin.graph.initializer)
    assert _inferred(thin) == _inferred(model)
    whole = _model()  # a big integer tensor could be shape data: nothing is left out
    assert lean.without_big_weights(whole) is whole


def test_a_checked_build_refuses_an_invalid_model_with_spooled_weights(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spooled weights are not in the model: onnx.checker and strict shape inference run on the written
    file; when they refuse it, the ordinary build runs and reports what it always reports (lint's
    T303 at its line), and nothing is left behind."""
    model = _model()
    model.graph.node[1].input[1] = "f16"  # float32 + float16: strict shape inference refuses it
    document = tmp_path / "m.yaml"
    api.dump(model, document, tensors="base64")
    out = tmp_path / "m.onnx"
    with pytest.raises(OnnxTextError) as refused:
        api.build(document, out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [document]
    monkeypatch.setattr(held, "HELD_MIN_BYTES", 1 << 30)  # the ordinary build
    with pytest.raises(OnnxTextError) as ordinary:
        api.build(document, out)
    assert ordinary.value.code == "T303"
    assert (refused.value.code, refused.value.line) == (ordinary.value.code, ordinary.value.line)


def test_a_checked_build_through_the_lint_gate_is_exact(tmp_path: Path, counts: dict[str, int]) -> None:
    model = _model()
    document = tmp_path / "m.json"
    api.dump(model, document, tensors="inline")
    api.build(document, tmp_path / "m.onnx")
    assert counts["defer"] >= 5
    assert (tmp_path / "m.onnx").read_bytes() == model.SerializeToString()

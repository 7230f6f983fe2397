"""Format 2 on real models: one line where a person expects one, nothing a rename reflows, every tool safe."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import onnx
import onnx.defs
import pytest
import yaml
from onnx import TensorProto, helper, numpy_helper
from ruamel.yaml import YAML

import onnxtext
from onnxtext.roundtrip import layout
from tests.models import ONNX_DATA, silero_models

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SILERO = SAMPLES / "silero_vad.onnx"
SQUEEZENET = SAMPLES / "squeezenet.onnx"
DENSENET = ONNX_DATA / "light" / "light_densenet121.onnx"
INT64_MAX = 2**63 - 1


def exact(model: onnx.ModelProto, text: str, fmt: str) -> bool:
    return onnxtext.loads(text, fmt).SerializeToString() == model.SerializeToString()


def expression_dims_model() -> onnx.ModelProto:
    """What a torch dynamo export with dynamic shapes and a PaddlePaddle export declare: expression
    dims, a dim_param that is literally '?', negative dim_values."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 16, "floor(height/2 - 1/2) + 1"])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 16, "floor(height/2 - 1/2) + 1"])
    paddle = helper.make_tensor_value_info("p", TensorProto.FLOAT, [-1, "?", 3])
    vi = helper.make_tensor_value_info("mid", TensorProto.FLOAT, ["s0*2", "", None])
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["mid"]), helper.make_node("Identity", ["mid"], ["y"])],
        "g",
        [x, paddle],
        [y],
        value_info=[vi],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def tricky_model() -> onnx.ModelProto:
    """Names YAML 1.1 reads as other things, an INT64_MAX that doubles round, floats PyYAML reads as
    strings when written ``1e-05``, a Cast to a named type, a big typed-storage payload."""
    names = ["yes", "No", "1_000", "2024-01-01", "12:30:00", "="]
    nodes = [
        helper.make_node("Identity", [a], [b]) for a, b in zip(["x", *names], [*names, "i"], strict=True)
    ]
    nodes.append(helper.make_node("Cast", ["i"], ["c"], to=TensorProto.FLOAT16))
    nodes.append(helper.make_node("LeakyRelu", ["c"], ["l"], alpha=1e-05))
    nodes.append(helper.make_node("Slice", ["l", "starts", "ends"], ["y"]))
    starts = numpy_helper.from_array(np.array([0], dtype=np.int64), "starts")
    ends = helper.make_tensor("ends", TensorProto.INT64, [1], [INT64_MAX])  # int64_data: typed storage
    weights = helper.make_tensor("w", TensorProto.FLOAT, [64], np.linspace(-1, 1, 64).astype(np.float32))
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT16, [4])],
        initializer=[starts, ends, weights],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


# -- 1. type strings -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_every_tensor_type_has_a_type_string(fmt: str) -> None:
    model = expression_dims_model()
    text = onnxtext.dumps(model, fmt)
    assert "tensor_type" not in text
    assert (
        'float32[batch,16,\\"floor(height/2 - 1/2) + 1\\"]' in text
        if fmt == "json"
        else ("'float32[batch,16,\"floor(height/2 - 1/2) + 1\"]'" in text)
    )
    assert ('float32[-1,\\"?\\",3]' if fmt == "json" else 'float32[-1,"?",3]') in text
    assert ('float32[\\"s0*2\\",\\"\\",?]' if fmt == "json" else 'float32["s0*2","",?]') in text
    assert exact(model, text, fmt)


def test_a_denotation_still_falls_back_to_fields() -> None:
    model = expression_dims_model()
    model.graph.input[0].type.tensor_type.shape.dim[0].denotation = "DATA_BATCH"
    text = onnxtext.dumps(model, "yaml")
    assert "denotation: DATA_BATCH" in text
    assert exact(model, text, "yaml")


def test_batch_regex_reaches_a_paddle_style_input() -> None:
    text = onnxtext.dumps(expression_dims_model(), "yaml")
    edited = re.sub(r"float32\[-1,", "float32[N,", text)
    dims = onnxtext.loads(edited, "yaml").graph.input[1].type.tensor_type.shape.dim
    assert dims[0].dim_param == "N" and dims[1].dim_param == "?" and not dims[2].dim_param


# -- 2. no wrapper lines ---------------------------------------------------------------------------


def node_lines(text: str, op_type: str) -> list[int]:
    """Line count of each node of ``op_type`` in a YAML document."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(r"\s*- op_type: ", line)]
    counts = []
    for start in starts:
        if lines[start].endswith(f"op_type: {op_type}"):
            indent = len(lines[start]) - len(lines[start].lstrip())
            end = start + 1
            while end < len(lines) and len(lines[end]) - len(lines[end].lstrip()) > indent:
                end += 1
            counts.append(end - start)
    return counts


def test_constants_and_convs_fit_in_a_few_lines() -> None:
    silero = onnxtext.dumps(onnx.load(SILERO), "yaml")
    assert "type: TENSOR" not in silero and "type: GRAPH" not in silero and "\n  g:" not in silero
    assert max(node_lines(silero, "Constant")) <= 5
    assert "attributes: {value: {name: '', type: 'int64[]', storage: int64_data, values: [16000]}}" in silero
    densenet = onnxtext.dumps(onnx.load(DENSENET), "yaml")
    assert max(node_lines(densenet, "Conv")) <= 6


def test_if_branches_are_plain_graphs_under_their_attribute() -> None:
    text = onnxtext.dumps(onnx.load(SILERO), "yaml")
    assert "      attributes:\n        else_branch:\n          name: If_0_else_branch\n" in text


# -- 3. nothing wraps ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_a_regex_rename_changes_nothing_else(fmt: str) -> None:
    model = onnx.load(SILERO)
    text = onnxtext.dumps(model, fmt)
    edited = re.sub(r"If_0_(else|then)_branch__Inline_0__", r"\1.", text)  # every value of both branches
    assert edited.count("\n") == text.count("\n") and edited != text
    rebuilt = onnxtext.loads(edited, fmt)
    assert onnxtext.dumps(rebuilt, fmt) == edited


# -- 4. typed storage in sidecars ------------------------------------------------------------------


def test_typed_payloads_go_to_sidecars(tmp_path: Path) -> None:
    model = tricky_model()
    big = helper.make_tensor("big", TensorProto.FLOAT, [4096], np.arange(4096, dtype=np.float32))
    model.graph.initializer.append(big)
    source = tmp_path / "m.onnx"
    onnx.save(model, source)
    for mode in ("auto", "npy"):
        doc = tmp_path / mode / "m.yaml"
        onnxtext.dump(source, doc, tensors=mode)
        text = doc.read_text()
        sidecar = hashlib.sha256(np.arange(4096, dtype="<f4").tobytes()).hexdigest()[:16] + ".npy"
        assert f"{{name: big, type: 'float32[4096]', storage: float_data, npy: m.tensors/{sidecar}" in text
        assert mode == "auto" or "base64" not in text
        assert np.load(doc.parent / "m.tensors" / sidecar).tolist() == list(range(4096))
        assert onnxtext.load(doc).SerializeToString() == model.SerializeToString()


# -- 5. safe in every tool -------------------------------------------------------------------------

INTEROP_MODELS = {
    "tricky": tricky_model,
    "silero": lambda: onnx.load(SILERO),
    "paddle": expression_dims_model,
}


def as_doubles(text: str) -> str:
    """What a reader that holds every JSON number as a double writes back (jq 1.6, JavaScript)."""
    return json.dumps(json.loads(text, parse_int=lambda s: int(float(s))), ensure_ascii=False)


@pytest.mark.parametrize("name", INTEROP_MODELS)
def test_json_survives_double_based_readers(name: str) -> None:
    model = INTEROP_MODELS[name]()
    text = onnxtext.dumps(model, "json")
    assert exact(model, as_doubles(text), "json")
    if shutil.which("jq"):
        done = subprocess.run(["jq", "."], input=text, capture_output=True, text=True, check=True)
        assert exact(model, done.stdout, "json")


@pytest.mark.parametrize("name", INTEROP_MODELS)
def test_yaml_survives_pyyaml_and_ruamel(name: str) -> None:
    model = INTEROP_MODELS[name]()
    text = onnxtext.dumps(model, "yaml")
    # PyYAML is YAML 1.1; sort_keys would reorder attributes, whose order is part of the model.
    assert exact(model, yaml.safe_dump(yaml.safe_load(text), sort_keys=False, allow_unicode=True), "yaml")
    ruamel, out = YAML(), io.StringIO()
    ruamel.dump(ruamel.load(text), out)
    assert exact(model, out.getvalue(), "yaml")


def test_tricky_scalars_are_quoted_and_floats_read_as_floats() -> None:
    text = onnxtext.dumps(tricky_model(), "yaml")
    for name in ("'yes'", "'No'", "'1_000'", "'2024-01-01'", "'12:30:00'", "'='"):
        assert name in text
    assert "alpha: 1.0e-05" in text
    assert "values: [9223372036854775807]" in text
    assert '"values": ["9223372036854775807"]' in onnxtext.dumps(tricky_model(), "json")


# -- 6. data types by name -------------------------------------------------------------------------


def test_data_type_attributes_are_written_by_name_and_read_both_ways() -> None:
    model = tricky_model()
    text = onnxtext.dumps(model, "yaml")
    assert "attributes: {to: float16}" in text
    assert exact(model, text, "yaml")
    assert exact(model, text.replace("{to: float16}", "{to: 10}"), "yaml")


def test_a_string_that_names_a_dtype_where_one_is_expected_stays_a_string() -> None:
    model = tricky_model()
    cast = next(n for n in model.graph.node if n.op_type == "Cast")
    del cast.attribute[:]
    cast.attribute.append(helper.make_attribute("to", "float16"))  # invalid, but a model can hold it
    text = onnxtext.dumps(model, "yaml")
    assert "{to: {type: STRING, s: float16}}" in text
    assert exact(model, text, "yaml")


def test_the_data_type_table_is_what_onnx_defs_describe() -> None:
    described = set()
    for schema in onnx.defs.get_all_schemas_with_history():
        if schema.domain not in layout.ONNX_DOMAINS:
            continue
        for name, attr in schema.attributes.items():
            words = attr.description.lower()
            if attr.type == onnx.defs.OpSchema.AttrType.INT and (
                "data type" in words or "datatype" in words or name.endswith(("precision", "stash_type"))
            ):
                described.add((schema.name, name))
    table = {(op, attr) for op, attrs in layout.DTYPE_ATTRIBUTES.items() for attr in attrs}
    assert table == described


# -- 7. versions -----------------------------------------------------------------------------------


def test_a_format_1_document_still_builds() -> None:
    old = (Path(__file__).parent / "format1_squeezenet.yaml").read_text()
    assert old.startswith("onnxtext: 1\n") and "          type: TENSOR\n" in old
    assert onnxtext.loads(old, "yaml").SerializeToString() == SQUEEZENET.read_bytes()


def test_an_unknown_version_says_which_ones_are_read() -> None:
    with pytest.raises(onnxtext.OnnxTextError, match="unsupported document format version 3") as caught:
        onnxtext.loads("onnxtext: 3\n", "yaml")
    assert "1 and 2" in (caught.value.hint or "")


@pytest.mark.skipif(not silero_models(), reason="silero-vad not installed")
def test_every_silero_model_has_no_wrapper_or_type_mapping_left() -> None:
    for path in silero_models():
        text = onnxtext.dumps(onnx.load(path), "yaml")
        assert "tensor_type:" not in text and "type: GRAPH" not in text, path.name

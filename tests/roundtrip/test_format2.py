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
from click.testing import CliRunner
from onnx import TensorProto, helper, numpy_helper
from ruamel.yaml import YAML

import onnxtext
from onnxtext.cli import main
from onnxtext.roundtrip import layout
from tests.models import ONNX_DATA, conformance_cases, silero_models

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


def doubles_model() -> onnx.ModelProto:
    """What readers that hold every JSON number as a double (jq 1.6, JavaScript) change: integral FLOAT
    attributes (1.0, 2.0, 1e20, and 1e21, which JavaScript prints as an integer below 1e21 only), lists
    of them, mixed lists, -0.0 in attributes and tensors, integer-like keys (JavaScript orders them
    first, ascending), a custom domain, int64 beyond 2^53."""
    attrs = {"10": 1, "2": 2.0, "big": 1e20, "bigger": 1e21, "ints": [1, 2], "scales": [1.0, 2.0]}
    attrs |= {
        "mixed": [1.0, 2.5],
        "zero": -0.0,
        "zeros": [-0.0, 2.5],
        "huge": INT64_MAX,
        "name": "9007199254740993",
    }
    zeros = np.array([-0.0, 1.0, 0.0, 2.0], dtype=np.float32)
    nodes = [
        helper.make_node("Gemm", ["a", "b"], ["g"], alpha=1.0, beta=-0.0),
        helper.make_node("QuickGelu", ["g"], ["q"], domain="com.microsoft", alpha=2.0),
        helper.make_node("Custom", ["q"], ["c"], domain="10", **attrs),
        helper.make_node("Constant", [], ["k"], value=numpy_helper.from_array(zeros.reshape(2, 2), "k")),
        helper.make_node("Constant", [], ["one"], value_float=1.0),
        helper.make_node("Constant", [], ["ones"], value_floats=[1.0, -0.0]),
        helper.make_node("Add", ["c", "k"], ["y"]),
    ]
    inits = [
        numpy_helper.from_array(zeros.astype(np.float16), "half"),
        numpy_helper.from_array(np.array([complex(-0.0, 1.0)], np.complex64), "complex"),
        helper.make_tensor("typed", TensorProto.FLOAT, [4], zeros),  # float_data
        helper.make_tensor("double", TensorProto.DOUBLE, [2], [-0.0, 3.0]),
        numpy_helper.from_array(np.array([INT64_MAX, -INT64_MAX - 1], np.int64), "int64"),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, [2, 2]) for n in ("a", "b")],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 2])],
        initializer=inits,
    )
    opsets = [helper.make_opsetid(d, v) for d, v in (("", 17), ("com.microsoft", 1), ("10", 1))]
    model = helper.make_model(graph, opset_imports=opsets)
    helper.set_model_props(model, {"10": "ten", "2": "two", "0": "zero"})
    return model


INTEROP_MODELS = {
    "tricky": tricky_model,
    "silero": lambda: onnx.load(SILERO),
    "squeezenet": lambda: onnx.load(SQUEEZENET),
    "paddle": expression_dims_model,
    "doubles": doubles_model,
}
JQ, NODE = shutil.which("jq"), shutil.which("node")
# JavaScript's own round trip, as a script or a page does it: parse, then print with an indent of one.
NODE_SCRIPT = (
    'let s = ""; process.stdin.setEncoding("utf8").on("data", (d) => (s += d))'
    '.on("end", () => process.stdout.write(JSON.stringify(JSON.parse(s), null, 1)));'
)


def through_jq(text: str) -> str:
    if JQ is None:
        pytest.skip("jq is not installed")
    return subprocess.run([JQ, "."], input=text, capture_output=True, text=True, check=True).stdout


def through_node(text: str) -> str:
    if NODE is None:
        pytest.skip("node is not installed")
    done = subprocess.run([NODE, "-e", NODE_SCRIPT], input=text, capture_output=True, text=True, check=True)
    return done.stdout


def through_python(text: str) -> str:
    out = io.StringIO()
    json.dump(json.load(io.StringIO(text)), out)
    return out.getvalue()


JSON_TOOLS = {"jq": through_jq, "node": through_node, "python": through_python}


@pytest.mark.parametrize("tool", JSON_TOOLS)
@pytest.mark.parametrize("name", INTEROP_MODELS)
def test_json_survives_every_json_tool(name: str, tool: str) -> None:
    model = INTEROP_MODELS[name]()
    assert exact(model, JSON_TOOLS[tool](onnxtext.dumps(model, "json")), "json")


def corpus() -> list[onnx.ModelProto]:
    """Every conformance case, the samples, the silero-vad package's models and :func:`doubles_model`."""
    files = (SILERO, SQUEEZENET, *silero_models())
    models = [case.model for case in conformance_cases()] + [onnx.load(p) for p in files]
    return [*models, doubles_model()]


@pytest.mark.parametrize("tool", JSON_TOOLS)
def test_the_whole_corpus_survives_every_json_tool(tool: str) -> None:
    """All documents in one JSON array, one run of the tool; each member must build the same bytes."""
    models = corpus()
    texts = [onnxtext.dumps(model, "json") for model in models]
    members = json.loads(JSON_TOOLS[tool]("[" + ",".join(texts) + "]"))
    assert len(members) == len(models)
    broken = [
        i
        for i, (model, member) in enumerate(zip(models, members, strict=True))
        if not exact(model, json.dumps(member), "json")
    ]
    assert broken == [], f"{len(broken)} of {len(models)} models change through {tool}"


def test_a_float_the_text_might_print_as_an_integer_says_its_type() -> None:
    text = onnxtext.dumps(doubles_model(), "json")
    assert (
        '"attributes": {"alpha": {"type": "FLOAT", "f": 1.0}, "beta": {"type": "FLOAT", "f": {"base64"'
        in text
    )
    assert '"attributes": {"alpha": {"type": "FLOAT", "f": 2.0}}' in text
    assert '{"name": "mixed", "type": "FLOATS", "floats": [1.0, 2.5]}' in text  # in the list form: "10", "2"
    assert '"metadata_props": [\n    {"key": "10", "value": "ten"}' in text
    yaml_text = onnxtext.dumps(doubles_model(), "yaml")  # YAML keeps 1.0 a float and -0.0 signed
    assert "attributes: {alpha: 1.0, beta: -0.0}" in yaml_text and "attributes: {alpha: 2.0}" in yaml_text
    assert "{name: k, type: 'float32[2,2]', values: [-0.0, 1.0, 0.0, 2.0]}" in yaml_text


def test_a_custom_op_built_after_jq_runs_in_onnxruntime(tmp_path: Path) -> None:
    """com.microsoft QuickGelu's alpha stays a FLOAT through ``jq .`` and the default build, so
    onnxruntime accepts the model (an INT alpha: ``Mismatched attribute type``)."""
    ort = pytest.importorskip("onnxruntime")
    node = helper.make_node("QuickGelu", ["x"], ["y"], domain="com.microsoft", alpha=2.0)
    gemm = helper.make_node("Gemm", ["y", "w"], ["z"], alpha=1.0, beta=1.0)
    weights = numpy_helper.from_array(np.eye(4, dtype=np.float32), "w")
    info = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [4, 4]) for n in ("x", "z")]
    graph = helper.make_graph([node, gemm], "g", info[:1], info[1:], initializer=[weights])
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    model = helper.make_model(graph, opset_imports=opsets, ir_version=8)
    source, doc, out = tmp_path / "m.onnx", tmp_path / "m.json", tmp_path / "rebuilt.onnx"
    onnx.save(model, source)
    result = CliRunner().invoke(main, ["dump", str(source), "-o", str(doc)])
    assert result.exit_code == 0, result.output
    doc.write_text(through_jq(doc.read_text()))
    result = CliRunner().invoke(main, ["build", str(doc), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == source.read_bytes()
    feeds = {"x": np.linspace(-2, 2, 16, dtype=np.float32).reshape(4, 4)}
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    expected = feeds["x"] / (1 + np.exp(-2.0 * feeds["x"]))
    np.testing.assert_allclose(session.run(None, feeds)[0], expected, rtol=1e-5)


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


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_a_big_payload_with_a_negative_zero_is_inline_only_where_the_sign_survives(
    tmp_path: Path, fmt: str
) -> None:
    """The streamed path (payloads of 1 MiB and more, held out of the tree) follows the same rule."""
    weights = np.linspace(-1, 1, 1 << 18, dtype=np.float32)
    weights[7] = -0.0
    model = helper.make_model(
        helper.make_graph(
            [helper.make_node("Identity", ["w"], ["y"])],
            "g",
            [],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1 << 18])],
            initializer=[numpy_helper.from_array(weights, "w")],
        )
    )
    doc = tmp_path / f"m.{fmt}"
    onnxtext.dump(model, doc, tensors="inline")
    text = doc.read_text()
    assert ("base64" in text) == (fmt == "json")
    if fmt == "json":
        assert exact(model, through_jq(text), "json")
    assert onnxtext.load(doc).SerializeToString() == model.SerializeToString()

"""The schema accepts every document onnxtext writes and flags what a hand edit gets wrong, at its path."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import jsonschema
import onnx
import pytest
from click.testing import CliRunner
from onnx import helper

import onnxtext
from onnxtext import text
from onnxtext.cli import main
from onnxtext.codecs.policy import Policy
from onnxtext.roundtrip.encode import encode_model
from onnxtext.schema import cache, schema, schema_text, validate
from tests.models import conformance_cases, shipped_models, silero_models
from tests.roundtrip.test_fields import random_message

ROOT = Path(__file__).resolve().parents[2]


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())
    assert schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_conformance_documents_validate() -> None:
    """All 1,884 conformance models (YAML for every fourth, JSON for the rest: the trees differ in NaN)."""
    bad = []
    for i, case in enumerate(conformance_cases()):
        fmt = "yaml" if i % 4 == 0 else "json"
        found = validate(text.parse(onnxtext.dumps(case.model, fmt), fmt))
        if found:
            bad.append((case.name, fmt, found[:3]))
    assert not bad, bad[:5]


_MODELS = [*shipped_models(), *silero_models()]
# each model once, the ways of writing it taken in turn: sidecars and numbers, JSON, summaries
_DUMPS = [
    (model, [("m.yaml", "auto"), ("m.json", "auto"), ("d.yaml", "digest")][i % 3])
    for i, model in enumerate(_MODELS)
]


@pytest.mark.parametrize(
    ("model", "how"), _DUMPS, ids=[f"{m.parent.name}/{m.name}-{h[1]}-{h[0]}" for m, h in _DUMPS]
)
def test_dumped_files_validate(model: Path, how: tuple[str, str], tmp_path: Path) -> None:
    """What `onnxtext dump` writes to a file: sidecars, Base64, numbers, digests; YAML and JSON."""
    name, mode = how
    doc = tmp_path / name
    result = CliRunner().invoke(main, ["dump", str(model), "-o", str(doc), "--tensors", mode])
    assert result.exit_code == 0, result.output
    assert validate(text.parse(doc.read_text(encoding="utf-8"), text.format_for(name))) == []


def test_samples_validate() -> None:
    for doc in sorted((ROOT / "samples").glob("*.yaml")):
        assert validate(text.parse(doc.read_text(encoding="utf-8"), "yaml")) == [], doc.name


@pytest.mark.parametrize("seed", range(40))
def test_random_models_validate(seed: int) -> None:
    """Every field of every message, random presence, unknown fields, odd strings: the schema takes them.

    The nodes of these nonsense models get a custom domain: ops of onnx's own domains are checked
    against onnx.defs, which random op names would fail (as they should).
    """
    model = onnx.ModelProto()
    random_message(model.DESCRIPTOR, model, random.Random(seed), 0)
    _custom_domains(model)
    tree = encode_model(model, Policy())
    for fmt in ("yaml", "json"):
        assert validate(text.parse(text.emit(tree, fmt), fmt)) == [], fmt


def _custom_domains(msg: Any) -> None:
    for field, value in msg.ListFields():
        if field.message_type is None:
            continue
        for item in value if field.is_repeated else [value]:
            if isinstance(item, onnx.NodeProto):
                item.domain = "x.custom"
            _custom_domains(item)


def _conv_doc() -> dict[str, Any]:
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="conv", kernel_shape=[1, 1], pads=[0, 0, 0, 0])
    cast = helper.make_node("Cast", ["y"], ["z"], name="cast", to=onnx.TensorProto.FLOAT16)
    graph = helper.make_graph(
        [node, cast],
        "g",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, ["N", 3, 8, 8])],
        [helper.make_tensor_value_info("z", onnx.TensorProto.FLOAT16, ["N", 4, 8, 8])],
        [helper.make_tensor("w", onnx.TensorProto.FLOAT, [4, 3, 1, 1], [0.5] * 12)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    onnx.checker.check_model(model, full_check=True)
    return text.parse(onnxtext.dumps(model, "yaml"), "yaml")


def _edit(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    *parents, last = path
    holder = doc
    for key in parents:
        holder = holder[key]
    if value is _DELETE:
        del holder[last]
    else:
        holder[last] = value
    return doc


_DELETE = object()
NODE = ("graph", "nodes", 0)
BAD_EDITS = [
    ("unknown model key", ("grpah",), {}, ("grpah",), "did you mean 'graph'"),
    ("unknown node key", (*NODE, "input"), ["x"], (*NODE, "input"), "did you mean 'inputs'"),
    ("inputs not a list", (*NODE, "inputs"), "x", (*NODE, "inputs"), "expected a list"),
    (
        "bad type string",
        ("graph", "inputs", 0, "type"),
        "float32[N,3",
        ("graph", "inputs", 0, "type"),
        "float32",
    ),
    (
        "bad element type",
        ("graph", "inputs", 0, "type"),
        "flaot32[N]",
        ("graph", "inputs", 0, "type"),
        "float32",
    ),
    (
        "bad tensor type",
        ("graph", "initializers", 0, "type"),
        "float32[N]",
        ("graph", "initializers", 0, "type"),
        "",
    ),
    ("unknown op", (*NODE, "op_type"), "Conv2d", (*NODE, "op_type"), "did you mean 'Conv'"),
    (
        "unknown attribute",
        (*NODE, "attributes", "kernal_shape"),
        [3],
        (*NODE, "attributes", "kernal_shape"),
        "kernel_shape",
    ),
    (
        "wrong attribute kind",
        (*NODE, "attributes", "pads"),
        1,
        (*NODE, "attributes", "pads"),
        "expected a list",
    ),
    (
        "bad dtype name",
        ("graph", "nodes", 1, "attributes", "to"),
        "float61",
        ("graph", "nodes", 1, "attributes", "to"),
        "",
    ),
    (
        "missing required attribute",
        ("graph", "nodes", 1, "attributes"),
        _DELETE,
        ("graph", "nodes", 1),
        "attributes",
    ),
    ("wrong opset kind", ("opset_import", ""), "21a", ("opset_import", ""), ""),
    (
        "bad value kind",
        ("graph", "initializers", 0, "values", 0),
        "x",
        ("graph", "initializers", 0, "values", 0),
        "",
    ),
]


def test_clean_document_validates() -> None:
    assert validate(_conv_doc()) == []


@pytest.mark.parametrize(("what", "path", "value", "at", "words"), BAD_EDITS, ids=[e[0] for e in BAD_EDITS])
def test_bad_edit_is_flagged_at_its_path(
    what: str, path: tuple[Any, ...], value: Any, at: Any, words: str
) -> None:
    found = validate(_edit(_conv_doc(), path, value))
    assert [p for p, _ in found] == [at], found
    assert words in found[0][1]


def test_custom_domains_stay_open() -> None:
    doc = _edit(_conv_doc(), (*NODE, "domain"), "com.example")
    doc = _edit(doc, (*NODE, "op_type"), "MyConv")
    doc = _edit(doc, (*NODE, "attributes", "anything"), {"type": "GRAPHS", "graphs": []})
    assert validate(doc) == []


def test_format_1_attribute_forms_still_validate() -> None:
    """The field forms format 1 wrote ({type: TENSOR, t: ...}, dtype codes) are still read, so still valid."""
    doc = _edit(_conv_doc(), ("graph", "nodes", 1, "attributes", "to"), 10)
    doc = _edit(doc, ("onnxtext",), 1)
    constant = {
        "op_type": "Constant",
        "outputs": ["c"],
        "attributes": {"value": {"type": "TENSOR", "t": {"type": "int64[]", "values": [1]}}},
    }
    doc["graph"]["nodes"].append(constant)
    assert validate(doc) == []


def test_each_op_text_is_only_on_its_own_branch() -> None:
    """The YAML extension's hover shows the first description it meets: generic definitions have none."""
    defs = schema()["$defs"]
    for name, definition in defs.items():
        if not name.startswith("op:"):
            assert "markdownDescription" not in definition and "description" not in definition, name
    onnx_ops = next(b for b in defs["NodeProto"]["allOf"] if "enum" in b["if"]["properties"]["domain"])
    choices = onnx_ops["then"]["properties"]["op_type"]["defaultSnippets"]
    assert "markdownDescription" not in onnx_ops["then"]["properties"]["op_type"]
    assert len(choices) == len({c["body"] for c in choices}) > 150
    assert "convolution" in defs["op:ai.onnx:Conv"]["properties"]["op_type"]["markdownDescription"]
    conv_attributes = defs["op:ai.onnx:Conv"]["properties"]["attributes"]["properties"]
    assert (
        "kernel_shape" in conv_attributes and "INTS" in conv_attributes["kernel_shape"]["markdownDescription"]
    )


def test_required_attributes_have_a_snippet() -> None:
    cast = schema()["$defs"]["op:ai.onnx:Cast"]["properties"]["attributes"]
    assert cast["required"] == ["to"]
    assert cast["defaultSnippets"][0]["body"] == {"to": "${1:float32}"}


def test_schema_is_cached_and_deterministic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONNXTEXT_CACHE_DIR", str(tmp_path))
    first = schema_text()
    assert [p.name for p in tmp_path.iterdir()] == [f"schema-{cache.key()}.json"]
    (tmp_path / f"schema-{cache.key()}.json").write_text('{"cached": true}')
    assert schema_text() == '{"cached": true}'
    from onnxtext.schema.generate import generate

    assert json.dumps(generate(), indent=2, ensure_ascii=False) + "\n" == first


def test_cli_prints_and_writes_the_schema(tmp_path: Path) -> None:
    printed = CliRunner().invoke(main, ["schema"])
    assert printed.exit_code == 0 and json.loads(printed.output) == schema()
    written = CliRunner().invoke(main, ["schema", "-o", str(tmp_path / "s.json")])
    assert written.exit_code == 0 and (tmp_path / "s.json").read_text(encoding="utf-8") == schema_text()

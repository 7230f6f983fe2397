"""``onnxtext diff``: changes in model terms, pairing by name and by structure, exit codes like diff."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import onnx
import pytest
from click.testing import CliRunner, Result
from onnx import TensorProto, helper, numpy_helper

from onnxtext import api
from onnxtext.cli import main
from onnxtext.diff import ModelDiff, diff_files, diff_models, render_json, render_text

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SQUEEZENET = SAMPLES / "squeezenet.onnx"


def chain(names: list[str] | None = None, alpha: float = 0.1, weight_scale: float = 1.0) -> onnx.ModelProto:
    """x -> MatMul(W) -> LeakyRelu(alpha) -> Relu -> Neg -> y, node names given or empty."""
    names = names or ["mm", "leaky", "relu", "neg"]
    w = numpy_helper.from_array(np.arange(12, dtype=np.float32).reshape(4, 3) * weight_scale, "W")
    nodes = [
        helper.make_node("MatMul", ["x", "W"], ["h0"], name=names[0]),
        helper.make_node("LeakyRelu", ["h0"], ["h1"], name=names[1], alpha=alpha),
        helper.make_node("Relu", ["h1"], ["h2"], name=names[2]),
        helper.make_node("Neg", ["h2"], ["y"], name=names[3]),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])],
        initializer=[w],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def kinds(changes: list) -> list[tuple[str, str, str]]:
    from onnxtext.base.paths import format_path

    return [(c.section, c.kind, format_path(c.path)) for c in changes]


def test_the_same_model_has_no_changes() -> None:
    model = onnx.load(SQUEEZENET)
    assert diff_models(model, onnx.load(SQUEEZENET)) == []


def test_a_dump_and_its_model_are_the_same(tmp_path: Path) -> None:
    api.dump(SQUEEZENET, tmp_path / "s.yaml")
    result = diff_files(SQUEEZENET, tmp_path / "s.yaml")
    assert result.same and render_text(result) == ""


def test_attribute_change_old_to_new_with_its_path() -> None:
    (change,) = diff_models(chain(), chain(alpha=0.25))
    assert (change.section, change.kind, change.path, change.what) == (
        "nodes",
        "changed",
        ("graph", "nodes", 1),
        "LeakyRelu 'leaky'",
    )
    assert [(d.field, d.old, d.new) for d in change.details] == [("attributes.alpha", 0.1, 0.25)]
    text = render_text(ModelDiff("a", "b", (change,)))
    assert "~ graph.nodes[1]  LeakyRelu 'leaky'\n      attributes.alpha: 0.1 -> 0.25\n" in text


def test_renamed_node_is_a_rename() -> None:
    changes = diff_models(chain(), chain(["mm", "leaky_relu", "relu", "neg"]))
    assert kinds(changes) == [("nodes", "renamed", "graph.nodes[1]")]
    assert "> graph.nodes[1]  renamed 'leaky' -> 'leaky_relu'" in render_text(
        ModelDiff("a", "b", tuple(changes))
    )


def test_nodes_without_names_are_paired_by_structure() -> None:
    changes = diff_models(chain(["", "", "", ""]), chain(["", "", "", ""], alpha=0.5))
    assert kinds(changes) == [("nodes", "changed", "graph.nodes[1]")]


def test_renamed_node_with_a_changed_attribute_is_one_change() -> None:
    (change,) = diff_models(chain(), chain(["mm", "act", "relu", "neg"], alpha=0.3))
    assert change.kind == "changed"
    assert [d.field for d in change.details] == ["name", "attributes.alpha"]


def test_renamed_values_are_renames_not_new_nodes() -> None:
    """The README's sed over squeezenet renames 100+ tensors: every change is a rename."""
    text = api.dumps(onnx.load(SQUEEZENET), "yaml")
    renamed = api.loads(re.sub(r"fire([0-9]+)/", r"block\1_", text), "yaml")
    changes = diff_models(onnx.load(SQUEEZENET), renamed)
    assert changes and {c.kind for c in changes} == {"renamed"}
    assert {c.section for c in changes} == {"inputs", "initializers", "values"}
    values = [c for c in changes if c.section == "values"]
    assert values[0].details[0].old.startswith("fire") and values[0].details[0].new.startswith("block")


def test_a_constant_renamed_with_its_tensor_is_a_rename() -> None:
    """PaddleOCR's exporter names each Constant's tensor after its output, so a regex over names renames
    both: that is one rename, not also a changed ``value`` attribute."""
    model = onnx.load(SAMPLES / "ppocr_cls.onnx")
    text = api.dumps(model, "yaml")
    assert len(re.findall(r"name: conv2_expand_weights\b", text)) == 1  # the tensor's own name
    renamed = api.loads(re.sub(r"conv([0-9]+)_expand_weights", r"block\1.expand", text), "yaml")
    changes = diff_models(model, renamed)
    assert len(changes) == 11 and {(c.section, c.kind) for c in changes} == {("values", "renamed")}
    edited = api.loads(
        text.replace(
            "name: conv2_expand_weights, type: 'float32[8,8,1,1]'", "name: w, type: 'float32[8,8,1,1]'"
        ),
        "yaml",
    )
    assert [(c.section, c.kind, c.details[0].field) for c in diff_models(model, edited)] == [
        ("nodes", "changed", "attributes.value")
    ]  # a tensor name that is not the rename of its output stays a change


def test_value_renamed_along_a_chain_leaves_nodes_unchanged() -> None:
    b = chain()
    b.graph.node[0].output[0] = b.graph.node[1].input[0] = "hidden"
    changes = diff_models(chain(), b)
    assert kinds(changes) == [("values", "renamed", "graph.nodes[0].outputs[0]")]


def test_added_and_removed_nodes() -> None:
    b = chain()
    del b.graph.node[2]  # Relu gone: Neg now reads h1
    b.graph.node[2].input[0] = "h1"
    b.graph.node.append(helper.make_node("Abs", ["y"], ["z"], name="abs"))
    changes = diff_models(chain(), b)
    assert kinds(changes) == [
        ("nodes", "changed", "graph.nodes[3]"),
        ("nodes", "removed", "graph.nodes[2]"),
        ("nodes", "added", "graph.nodes[3]"),
    ]
    neg = changes[0]
    assert neg.new_path == ("graph", "nodes", 2)
    assert [(d.field, d.old, d.new) for d in neg.details] == [("inputs", ["h2"], ["h1"])]


def test_initializer_values_with_max_abs_and_rel_difference() -> None:
    (change,) = diff_models(chain(), chain(weight_scale=1.5))
    assert (change.section, change.path, change.what) == (
        "initializers",
        ("graph", "initializers", 0),
        "'W': float32[4,3]",
    )
    assert change.stats == {"differing": 11, "count": 12, "max_abs": 5.5, "max_rel": pytest.approx(1 / 3)}
    assert "values: 11 of 12 differ, max abs diff 5.5, max rel diff 0.333333" in render_text(
        ModelDiff("a", "b", (change,))
    )


def test_initializer_dtype_and_shape_change() -> None:
    b = chain()
    b.graph.initializer[0].CopyFrom(numpy_helper.from_array(np.zeros((4, 3), np.float16), "W"))
    (change,) = diff_models(chain(), b)
    assert [(d.field, d.old, d.new) for d in change.details] == [
        ("type", "float32[4,3]", "float16[4,3]"),
        ("values", None, None),
    ]


def test_inputs_outputs_opset_ir_and_metadata() -> None:
    b = chain()
    b.ir_version = 9
    b.opset_import[0].version = 18
    helper.set_model_props(b, {"author": "me"})
    b.graph.input[0].type.tensor_type.shape.dim[0].dim_param = "batch"
    b.graph.output[0].name = "out"
    b.graph.node[3].output[0] = "out"
    changes = diff_models(chain(), b)
    model = changes[0]
    assert model.section == "model"
    assert [(d.field, d.old, d.new) for d in model.details] == [
        ("ir_version", 8, 9),
        ('opset_import[""]', 17, 18),
        ("metadata_props.author", None, "me"),
    ]
    assert kinds(changes[1:]) == [
        ("inputs", "changed", "graph.inputs[0]"),
        ("outputs", "renamed", "graph.outputs[0]"),
    ]
    assert [(d.field, d.old, d.new) for d in changes[1].details] == [
        ("type", "float32[N,4]", "float32[batch,4]")
    ]


def if_model(then_alpha: float) -> onnx.ModelProto:
    def branch(name: str, alpha: float) -> onnx.GraphProto:
        return helper.make_graph(
            [helper.make_node("LeakyRelu", ["x"], [f"{name}_y"], name=f"{name}_act", alpha=alpha)],
            name,
            [],
            [helper.make_tensor_value_info(f"{name}_y", TensorProto.FLOAT, [2])],
        )

    node = helper.make_node(
        "If", ["c"], ["y"], name="if", then_branch=branch("then", then_alpha), else_branch=branch("else", 0.2)
    )
    graph = helper.make_graph(
        [node],
        "g",
        [
            helper.make_tensor_value_info("c", TensorProto.BOOL, []),
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [2]),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_changes_inside_a_subgraph_have_their_document_path(tmp_path: Path) -> None:
    (change,) = diff_models(if_model(0.1), if_model(0.3))
    path = change.path
    assert path[-2:] == ("nodes", 0) and "then_branch" in path
    # the path is the one the document has: it locates a line of the dump
    from onnxtext import text

    assert path in text.locate(api.dumps(if_model(0.1), "yaml"), "yaml")


def test_attribute_values_are_shown_as_the_document_writes_them() -> None:
    def cast(to: int) -> onnx.ModelProto:
        graph = helper.make_graph(
            [helper.make_node("Cast", ["x"], ["y"], name="cast", to=to)],
            "g",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT16, [2])],
        )
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])

    (change,) = diff_models(cast(TensorProto.FLOAT), cast(TensorProto.FLOAT16))
    (detail,) = change.details
    document = api.dumps(cast(TensorProto.FLOAT16), "yaml")
    assert f"to: {detail.new}" in document


def test_json_report_is_json() -> None:
    changes = diff_models(chain(), chain(alpha=float("nan"), weight_scale=2.0))
    report = json.loads(render_json(ModelDiff("a.onnx", "b.onnx", tuple(changes))))
    assert report["same"] is False and report["a"] == "a.onnx"
    sections = [c["section"] for c in report["changes"]]
    assert sections == ["initializers", "nodes"]
    assert report["changes"][0]["stats"]["max_abs"] == 11.0
    assert report["changes"][1]["details"][0]["field"] == "attributes.alpha"


def run_cli(*args: str) -> Result:
    return CliRunner().invoke(main, ["diff", *args])


def test_cli_exit_codes_and_formats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    onnx.save(chain(), tmp_path / "a.onnx")
    onnx.save(chain(alpha=0.5), tmp_path / "b.onnx")
    api.dump(tmp_path / "a.onnx", tmp_path / "a.yaml")
    same = run_cli("a.onnx", "a.yaml")
    assert (same.exit_code, same.stdout, same.stderr) == (0, "", "")
    different = run_cli("a.yaml", "b.onnx")
    assert different.exit_code == 1
    assert different.stdout.startswith("--- a.yaml\n+++ b.onnx\nnodes\n")
    assert "attributes.alpha: 0.1 -> 0.5" in different.stdout
    as_json = run_cli("a.onnx", "b.onnx", "--format", "json")
    assert as_json.exit_code == 1 and json.loads(as_json.stdout)["changes"][0]["path"] == "graph.nodes[1]"
    (tmp_path / "broken.yaml").write_text("onnxtext: 2\ngraph: {nodes: [{op_type: Relu, bogus: 1}]}\n")
    trouble = run_cli("a.onnx", "broken.yaml")
    assert trouble.exit_code == 2 and trouble.stdout == ""
    assert trouble.stderr.startswith("broken.yaml:2:") and "E201" in trouble.stderr
    missing = run_cli("a.onnx", "missing.onnx")
    assert missing.exit_code == 2 and "E502" in missing.stderr


def function_model(alpha: float) -> onnx.ModelProto:
    body = [helper.make_node("LeakyRelu", ["a"], ["b"], name="act", alpha=alpha)]
    function = helper.make_function(
        "custom", "act", ["a"], ["b"], body, opset_imports=[helper.make_opsetid("", 17)]
    )
    graph = helper.make_graph(
        [helper.make_node("act", ["x"], ["y"], name="call", domain="custom")],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])],
    )
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("custom", 1)]
    return helper.make_model(graph, opset_imports=opsets, functions=[function])


def test_changes_inside_a_function() -> None:
    (change,) = diff_models(function_model(0.1), function_model(0.2))
    assert (change.section, change.path) == ("nodes", ("functions", 0, "nodes", 0))
    assert [(d.field, d.old, d.new) for d in change.details] == [("attributes.alpha", 0.1, 0.2)]


def test_external_data_is_compared_by_its_bytes_when_the_files_differ(tmp_path: Path) -> None:
    """Two exports both keep W in ``m.data`` at offset 0: equal references, different weights. A
    document dumped elsewhere still finds its data (external_data_dir) and equals its model."""
    for folder, scale in (("a", 1.0), ("b", 2.0)):
        (tmp_path / folder).mkdir()
        onnx.save(
            chain(weight_scale=scale),
            tmp_path / folder / "m.onnx",
            save_as_external_data=True,
            location="m.data",
            size_threshold=0,
        )
    a, b = tmp_path / "a" / "m.onnx", tmp_path / "b" / "m.onnx"
    changed = diff_files(a, b).changes
    assert [(c.section, c.kind) for c in changed] == [("initializers", "changed")]
    assert changed[0].stats == {"differing": 11, "count": 12, "max_abs": 11.0, "max_rel": 0.5}
    api.dump(a, tmp_path / "docs" / "m.yaml")
    assert diff_files(tmp_path / "docs" / "m.yaml", a).changes == ()
    assert [c.section for c in diff_files(tmp_path / "docs" / "m.yaml", b).changes] == ["initializers"]

"""prune: what no output needs goes, what a subgraph reads from outside stays, a no-op keeps the bytes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx

from onnxtext.surgery.prune import prune
from tests.models import ONNX_DATA
from tests.surgery.helpers import chain_model, cli, if_model, run

X = np.array([[1.0, -2.0, 3.0]], np.float32)
SQUEEZENET = Path(__file__).parents[2] / "samples" / "squeezenet.onnx"


def test_prune_drops_the_unused_branch_and_the_model_still_runs() -> None:
    model = chain_model()
    pruned = prune(model)
    assert [n.name for n in pruned.graph.node] == ["relu", "neg", "abs"]
    assert not pruned.graph.initializer and not pruned.graph.value_info
    onnx.checker.check_model(pruned, full_check=True)
    np.testing.assert_array_equal(run(pruned, {"x": X})["y"], run(model, {"x": X})["y"])


def test_deleting_an_output_then_pruning_drops_its_nodes_and_inputs() -> None:
    model = chain_model()
    model.graph.output[0].name = "a"  # the "edit the outputs list" recipe: now only Relu is needed
    pruned = prune(model)
    assert [n.name for n in pruned.graph.node] == ["relu"]
    np.testing.assert_array_equal(run(pruned, {"x": X})["a"], np.maximum(X, 0))


def test_initializer_read_only_inside_a_branch_is_kept() -> None:
    model = if_model()
    pruned = prune(model)
    assert pruned.SerializeToString() == model.SerializeToString()
    out = run(pruned, {"cond": np.array(True), "x": np.ones(3, np.float32)})["y"]
    np.testing.assert_array_equal(out, [2.0, 3.0, 4.0])


def test_subgraph_nodes_no_branch_output_needs_are_pruned_too() -> None:
    model = if_model()
    then = next(a.g for a in model.graph.node[0].attribute if a.name == "then_branch")
    then.node.append(onnx.helper.make_node("Sin", ["x"], ["waste"], name="waste"))
    pruned = prune(model)
    then = next(a.g for a in pruned.graph.node[0].attribute if a.name == "then_branch")
    assert [n.name for n in then.node] == ["mul"]


def test_nothing_to_prune_in_squeezenet_keeps_its_bytes() -> None:
    model = onnx.load(ONNX_DATA / "light" / "light_squeezenet.onnx")
    assert prune(model).SerializeToString() == model.SerializeToString()


def test_unused_local_function_goes_with_its_caller() -> None:
    function = onnx.helper.make_function(
        "local",
        "Double",
        ["v"],
        ["w"],
        [onnx.helper.make_node("Add", ["v", "v"], ["w"])],
        [onnx.helper.make_opsetid("", 17)],
    )
    model = chain_model()
    model.graph.node.append(onnx.helper.make_node("Double", ["x"], ["twice"], domain="local"))
    model.functions.append(function)
    model.opset_import.append(onnx.helper.make_opsetid("local", 1))
    assert not prune(model).functions
    model.graph.output[0].name = "twice"
    kept = prune(model)
    assert [f.name for f in kept.functions] == ["Double"]
    np.testing.assert_array_equal(run(kept, {"x": X})["twice"], 2 * X)


def test_build_prune_drops_the_value_info_of_a_node_deleted_by_hand(tmp_path: Path) -> None:
    doc = tmp_path / "squeezenet.yaml"
    assert cli("dump", str(SQUEEZENET), "-o", str(doc), "--infer-shapes")[0] == 0
    text = doc.read_text()
    relu = "    - op_type: Relu\n      name: n1\n      inputs: [r0]\n      outputs: [r1]\n"
    pool = "      name: n2\n      inputs: [r1]\n"
    assert relu in text and pool in text and "- {name: r1, type:" in text
    doc.write_text(text.replace(relu, "").replace(pool, "      name: n2\n      inputs: [r0]\n"))
    code, out = cli("build", str(doc), "-o", str(tmp_path / "no-relu.onnx"), "--prune")
    assert code == 0, out
    built = onnx.load(tmp_path / "no-relu.onnx")
    assert "r1" not in [v.name for v in built.graph.value_info]
    expected = onnx.load(SQUEEZENET)
    next(n for n in expected.graph.node if n.name == "n1").op_type = "Identity"
    image = np.random.default_rng(0).uniform(-1, 1, (1, 3, 224, 224)).astype(np.float32)
    want = run(expected, {"data_0": image})["softmaxout_1"]
    np.testing.assert_allclose(run(built, {"data_0": image})["softmaxout_1"], want, rtol=1e-5)

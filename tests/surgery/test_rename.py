"""rename: every reference follows, in subgraphs and functions; collisions and captures are refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest

from onnxtext.base.errors import OnnxTextError
from onnxtext.surgery.rename import rename
from tests.models import silero_models
from tests.surgery.helpers import chain_model, cli, function_model, if_model, names_of, run

X = np.array([[1.0, -2.0, 3.0]], np.float32)
SQUEEZENET = Path(__file__).parents[2] / "samples" / "squeezenet.onnx"


def test_renamed_output_is_found_by_its_new_name() -> None:
    renamed, changes = rename(chain_model(), "^y$", "scores", "outputs")
    assert [(c.old, c.new, c.places) for c in changes] == [("y", "scores", 2)]
    np.testing.assert_array_equal(run(renamed, {"x": X})["scores"], np.abs(-np.maximum(X, 0)))


def test_values_scope_follows_references_into_branches() -> None:
    renamed, _ = rename(if_model(), "^w$", "weight")
    then = next(a.g for a in renamed.graph.node[0].attribute if a.name == "then_branch")
    assert then.node[0].input[1] == "weight" and renamed.graph.initializer[0].name == "weight"
    out = run(renamed, {"cond": np.array(True), "x": np.ones(3, np.float32)})["y"]
    np.testing.assert_array_equal(out, [2.0, 3.0, 4.0])


def test_inputs_scope_leaves_other_values_alone() -> None:
    renamed, _ = rename(chain_model(), "^(.*)$", r"in_\1", "inputs")
    assert names_of(renamed.graph.input) == ["in_x"]
    assert [list(n.input) for n in renamed.graph.node] == [["in_x"], ["a"], ["b"], ["in_x", "unused_w"]]


def test_collision_names_both() -> None:
    with pytest.raises(OnnxTextError) as err:
        rename(chain_model(), "^a$", "b")
    assert err.value.code == "E602"
    assert (
        "'a' (graph.nodes[0].outputs[0])" in err.value.message
        and "'b' (graph.nodes[1].outputs[0])" in err.value.message
    )


def test_capture_of_an_outer_name_is_refused() -> None:
    with pytest.raises(OnnxTextError, match="captures the outer 'w'") as err:
        rename(if_model(), "^t$", "w")
    assert "graph.nodes[0].attributes.then_branch.nodes[0].outputs[0]" in err.value.message
    assert "graph.initializers[0].name" in err.value.message


def test_sibling_branches_may_share_a_new_name() -> None:
    renamed, _ = rename(if_model(), "^[te]$", "branch_out")
    out = run(renamed, {"cond": np.array(False), "x": np.ones(3, np.float32)})["y"]
    np.testing.assert_array_equal(out, [1.0, 1.0, 1.0])


def test_dims_rename() -> None:
    model = chain_model()
    renamed, changes = rename(model, "^N$", "batch", "dims")
    assert renamed.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    assert changes[0].places == 3  # input, output, value_info
    with pytest.raises(OnnxTextError, match="without a name"):
        rename(model, "^N$", "", "dims")


def test_two_dims_merge_into_one(tmp_path: Path) -> None:
    # squeezenet made dynamic the way tf2onnx names unknown dims (magika: unk__214 in, unk__215 out)
    doc = tmp_path / "squeezenet.yaml"
    assert cli("dump", str(SQUEEZENET), "-o", str(doc))[0] == 0
    text = doc.read_text()
    for name, old, new in (
        ("data_0", "[1,3,224,224]", "[unk__214,3,224,224]"),
        ("softmaxout_1", "[1,1000,1,1]", "[unk__215,1000,1,1]"),
    ):
        line = f"- {{name: {name}, type: 'float32{old}'}}"
        assert text.count(line) == 1
        text = text.replace(line, f"- {{name: {name}, type: 'float32{new}'}}")
    doc.write_text(text)
    code, out = cli(
        "rename", "--scope", "dims", "^unk__21[45]$", "batch", str(doc), "-o", str(tmp_path / "b.onnx")
    )
    assert code == 0, out
    assert "unk__214 -> batch  (1 place)" in out and "unk__215 -> batch  (1 place)" in out
    model = onnx.load(tmp_path / "b.onnx")
    data = next(v for v in model.graph.input if v.name == "data_0")
    dims = [v.type.tensor_type.shape.dim[0].dim_param for v in (data, model.graph.output[0])]
    assert dims == ["batch", "batch"]
    images = np.random.default_rng(0).random((4, 3, 224, 224), np.float32)
    assert run(model, {"data_0": images})["softmaxout_1"].shape == (4, 1000, 1, 1)


def test_node_names_and_empty_values() -> None:
    renamed, _ = rename(chain_model(), "^(relu|neg)$", r"\1_node", "nodes")
    assert [n.name for n in renamed.graph.node][:2] == ["relu_node", "neg_node"]
    with pytest.raises(OnnxTextError, match="collides"):
        rename(chain_model(), "^(relu|neg)$", "same", "nodes")
    with pytest.raises(OnnxTextError, match="without a name"):
        rename(chain_model(), "^a$", "")
    with pytest.raises(OnnxTextError, match="bad pattern"):
        rename(chain_model(), "(", "x")


def test_function_bodies_are_their_own_namespace() -> None:
    model = function_model()
    renamed, _ = rename(model, "^v$", "x")  # the function's v may become x: no clash with the graph's x
    assert list(renamed.functions[0].node[0].input) == ["x", "x"]
    np.testing.assert_array_equal(run(renamed, {"x": np.ones(3, np.float32)})["y"], [2.0, 2.0, 2.0])


@pytest.mark.skipif(not silero_models(), reason="silero-vad not installed")
def test_silero_prefix_every_value_and_it_still_runs() -> None:
    model = onnx.load(silero_models()[0])
    renamed, changes = rename(model, "^", "vad/")
    assert len(changes) > 500
    feeds = {
        "vad/input": np.zeros((1, 512), np.float32),
        "vad/state": np.zeros((2, 1, 128), np.float32),
        "vad/sr": np.array(16000),
    }
    before = run(model, {k[4:]: v for k, v in feeds.items()})
    after = run(renamed, feeds)
    np.testing.assert_array_equal(before["output"], after["vad/output"])

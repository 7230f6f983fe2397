"""infer_shapes: value_info gains entries (subgraphs too), nothing else changes; failures are E605."""

from __future__ import annotations

import onnx
import pytest
from onnx import TensorProto, helper

from onnxtext.base.errors import OnnxTextError
from onnxtext.surgery.shapes import infer_shapes
from onnxtext.surgery.strip import strip_doc
from tests.models import ONNX_DATA
from tests.surgery.helpers import chain_model, if_model


def test_intermediate_values_gain_types_and_nothing_else_changes() -> None:
    model = chain_model()
    inferred = infer_shapes(model)
    assert [v.name for v in inferred.graph.value_info] == ["dead", "a", "b"]
    del inferred.graph.value_info[1:]
    assert inferred.SerializeToString() == model.SerializeToString()


def test_data_propagation_gives_reshape_targets_a_shape() -> None:
    graph = helper.make_graph(
        [
            helper.make_node("Shape", ["x"], ["s"]),
            helper.make_node("Reshape", ["x", "s"], ["y"]),
        ],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
    )
    inferred = infer_shapes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]))
    assert inferred.graph.output[0].type == graph.output[0].type  # declared types are not rewritten
    names = {v.name: v for v in inferred.graph.value_info}
    assert [d.dim_value for d in names["s"].type.tensor_type.shape.dim] == [2]


def test_idempotent_on_squeezenet() -> None:
    once = infer_shapes(onnx.load(ONNX_DATA / "light" / "light_squeezenet.onnx"))
    assert len(once.graph.value_info) > 60
    assert infer_shapes(once).SerializeToString() == once.SerializeToString()


def test_branches_gain_value_info() -> None:
    model = if_model()
    model.graph.node[0].attribute[1].g.node.append(helper.make_node("Neg", ["x"], ["n"]))
    inferred = infer_shapes(model)
    assert [v.name for v in inferred.graph.node[0].attribute[1].g.value_info] == ["n"]
    assert strip_doc(inferred).graph.node[0].attribute[1].g.value_info[0].name == "n"


def test_a_type_clash_is_e605() -> None:
    model = chain_model()
    model.graph.output[0].type.tensor_type.elem_type = TensorProto.INT64
    with pytest.raises(OnnxTextError) as err:
        infer_shapes(model)
    assert err.value.code == "E605"

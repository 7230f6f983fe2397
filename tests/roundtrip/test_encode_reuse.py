"""The encoder decides the readable form of a recurring attribute or type once and reuses it: the tree
must be the same as if each were decided on its own, and no two places may share a list."""

from __future__ import annotations

from onnx import TensorProto, helper

from onnxtext import text
from onnxtext.codecs.policy import Policy
from onnxtext.roundtrip.decode import decode_model
from onnxtext.roundtrip.encode import encode_model


def _model() -> object:
    nodes = [
        helper.make_node("Transpose", ["x"], ["t0"], perm=[0, 2, 1]),
        helper.make_node("Transpose", ["t0"], ["t1"], perm=[0, 2, 1]),
        helper.make_node("Cast", ["t1"], ["c0"], to=TensorProto.FLOAT16),  # to: float16
        helper.make_node("Mystery", ["c0"], ["c1"], domain="custom", to=TensorProto.FLOAT16),  # to: 10
        helper.make_node("Cast", ["c1"], ["c2"], to=TensorProto.FLOAT16),
        helper.make_node("Identity", ["c2"], ["y"], name="same", doc_string="d"),
    ]
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT16, ["N", 2, 3])
    inner = [helper.make_tensor_value_info(name, TensorProto.FLOAT, []) for name in ("t0", "t1")]
    graph = helper.make_graph(nodes, "g", [x], [y], value_info=inner)
    return helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 19), helper.make_opsetid("custom", 1)]
    )


def test_recurring_attributes_read_as_when_decided_alone() -> None:
    model = _model()
    nodes = encode_model(model, Policy())["graph"]["nodes"]
    assert [n.get("attributes") for n in nodes[:5]] == [
        {"perm": [0, 2, 1]},
        {"perm": [0, 2, 1]},
        {"to": "float16"},
        {"to": TensorProto.FLOAT16},
        {"to": "float16"},
    ]
    assert nodes[0]["attributes"]["perm"] is not nodes[1]["attributes"]["perm"]
    for fmt in ("yaml", "json"):
        tree = text.parse(text.emit(encode_model(model, Policy()), fmt), fmt)
        assert decode_model(tree).SerializeToString() == model.SerializeToString()


def test_recurring_types_are_written_once_decided() -> None:
    graph = encode_model(_model(), Policy())["graph"]
    assert graph["inputs"] == [{"name": "x", "type": "float32[N,2,3]"}]
    assert graph["value_info"] == [{"name": "t0", "type": "float32[]"}, {"name": "t1", "type": "float32[]"}]

"""An edit of a real sample model that tests of the pictures diff against (made with onnx, as a person's
edit of the dump would be)."""

from __future__ import annotations

from pathlib import Path

import onnx

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def edited_squeezenet() -> tuple[onnx.ModelProto, onnx.ModelProto, dict[str, int]]:
    """SqueezeNet and a copy with Dropout's ratio changed and a Relu put after it; the positions (in
    the edited model) of the Dropout, the Relu and the node that now reads the Relu."""
    before = onnx.load(SAMPLES / "squeezenet.onnx")
    after = onnx.load(SAMPLES / "squeezenet.onnx")
    nodes = after.graph.node
    dropout = next(k for k, n in enumerate(nodes) if n.op_type == "Dropout")
    nodes[dropout].attribute[0].f = 0.25
    relu = onnx.helper.make_node("Relu", [nodes[dropout].output[0]], ["extra_relu"], name="extra_relu")
    reader = next(k for k, n in enumerate(nodes) if nodes[dropout].output[0] in n.input)
    nodes[reader].input[list(nodes[reader].input).index(nodes[dropout].output[0])] = "extra_relu"
    nodes.insert(dropout + 1, relu)
    return before, after, {"dropout": dropout, "relu": dropout + 1, "reader": reader + 1}

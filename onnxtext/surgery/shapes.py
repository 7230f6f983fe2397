"""``shapes``: add the value_info that ONNX shape inference finds (``build/dump --infer-shapes``).

``onnx.shape_inference.infer_shapes`` (strict, with data propagation) does the work.  Its result is
not taken as it is: it may also rewrite types the model already declares.  Only the value_info
entries it adds for values that had none are copied into the model (each graph, nested ones too), so
the edit is "value_info gained entries" and nothing else; a model that gains nothing keeps its bytes.
"""

from __future__ import annotations

import onnx

from onnxtext.base.errors import OnnxTextError
from onnxtext.roundtrip.patch import node_graphs


def infer_shapes(model: onnx.ModelProto) -> onnx.ModelProto:
    """A copy of ``model`` with a value_info entry for every value inference can type; E605 if it fails."""
    try:
        inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True, data_prop=True)
    except (onnx.shape_inference.InferenceError, onnx.checker.ValidationError, RuntimeError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else "shape inference failed"
        raise OnnxTextError(
            "E605",
            f"shape inference: {first}",
            hint="fix the model first (`onnxtext build` names the failing node), or leave out --infer-shapes",
        ) from None
    result = onnx.ModelProto()
    result.CopyFrom(model)
    _add_value_info(result.graph, inferred.graph)
    return result


def _add_value_info(graph: onnx.GraphProto, inferred: onnx.GraphProto) -> None:
    """Copy ``inferred``'s value_info entries for names ``graph`` declares nowhere; recurse into subgraphs."""
    declared = {v.name for v in (*graph.input, *graph.output, *graph.value_info)}
    graph.value_info.extend(v for v in inferred.value_info if v.name not in declared and v.HasField("type"))
    for node, twin in zip(graph.node, inferred.node, strict=True):
        for (_, sub), (_, sub_twin) in zip(node_graphs(node, ()), node_graphs(twin, ()), strict=True):
            _add_value_info(sub, sub_twin)

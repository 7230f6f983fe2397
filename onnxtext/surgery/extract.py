"""``extract``: cut a sub-model out of a model between named values (``onnxtext extract``).

The named values become the graph's inputs and outputs, then :func:`~onnxtext.surgery.prune.prune`
drops everything the new outputs do not need (the walk stops at the new inputs).  Types of values
that become inputs or outputs come from the model's own ``value_info`` or, when it has none for them,
from ``onnx.shape_inference`` (as ``onnx.utils.extract_model`` does).  Everything else about the model
(producer, doc strings, metadata, graph name, functions still called) stays as it was.

Why not ``onnx.utils.Extractor`` itself: see :mod:`onnxtext.surgery.prune` (it misses values read
only inside subgraphs and rebuilds the model from scratch).  Only main-graph values can be cut at; a
value defined inside an If/Loop/Scan body has no meaning outside it.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

import onnx

from onnxtext.base.errors import OnnxTextError
from onnxtext.surgery.prune import prune
from onnxtext.surgery.walk import defined_names


def extract(
    model: onnx.ModelProto, outputs: Sequence[str], inputs: Sequence[str] | None = None
) -> onnx.ModelProto:
    """The sub-model of ``model`` computing ``outputs`` from ``inputs`` (default: those of the present
    inputs that the outputs need).

    Raises E601 for a name that is not a value of the main graph, a name given twice, a value whose
    type nobody knows, or an input that cannot be cut at because its producer is still needed.
    """
    graph = model.graph
    named = inputs is not None  # inputs named by the caller stay, even unused; the model's own may go
    inputs = [v.name for v in graph.input] if inputs is None else list(inputs)
    if not outputs:
        raise OnnxTextError("E601", "no output named", hint="name at least one value with --outputs")
    known = defined_names(graph)
    for role, names in (("input", inputs), ("output", outputs)):
        _check_names(role, names, known)
    declared = _declared_types(model, [*inputs, *outputs])
    cut = onnx.ModelProto()
    cut.CopyFrom(model)
    _replace(cut.graph.input, [declared[name] for name in inputs])
    _replace(cut.graph.output, [declared[name] for name in outputs])
    result = prune(cut, keep_inputs=named)
    _check_cut(result.graph, set(inputs))
    boundary = set(inputs) | set(outputs)
    kept = [v for v in result.graph.value_info if v.name not in boundary]
    if len(kept) != len(result.graph.value_info):
        _replace(result.graph.value_info, kept)
    return result


def _check_names(role: str, names: Sequence[str], known: set[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise OnnxTextError("E601", f"{role} {name!r} is named twice", hint="name each value once")
        seen.add(name)
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=3)
            hint = f"did you mean {', '.join(map(repr, close))}?" if close else "run `onnxtext summary`"
            raise OnnxTextError(
                "E601", f"{role} {name!r} is not a value of the main graph", hint=hint + " (names are exact)"
            )


def _declared_types(model: onnx.ModelProto, names: list[str]) -> dict[str, onnx.ValueInfoProto]:
    """A ValueInfoProto with a type for each name: the model's own, else shape inference's."""
    graph = model.graph
    found: dict[str, onnx.ValueInfoProto] = {}
    for info in [*graph.value_info, *graph.output, *graph.input]:  # inputs win, then outputs
        if info.HasField("type"):
            found[info.name] = info
    for tensor in graph.initializer:
        found.setdefault(
            tensor.name, onnx.helper.make_tensor_value_info(tensor.name, tensor.data_type, tensor.dims)
        )
    missing = [name for name in names if name not in found]
    if missing:
        inferred = onnx.shape_inference.infer_shapes(model, data_prop=True).graph
        for info in inferred.value_info:
            if info.name in missing and info.HasField("type"):
                found[info.name] = info
    for name in names:
        if name not in found:
            raise OnnxTextError(
                "E601",
                f"the type of {name!r} is unknown (shape inference cannot tell it)",
                hint="add a value_info entry with its type to the model, then extract",
            )
    return found


def _check_cut(graph: onnx.GraphProto, inputs: set[str]) -> None:
    for i, node in enumerate(graph.node):
        clash = inputs.intersection(node.output)
        if clash:
            others = [o for o in node.output if o and o not in inputs]
            raise OnnxTextError(
                "E601",
                f"cannot cut at {sorted(clash)[0]!r}: node {node.name or node.op_type!r} makes it "
                f"together with {', '.join(map(repr, others))}, which the outputs still need",
                path=("graph", "nodes", i),
                hint="cut at those values too (add them to --inputs)",
            )


def _replace(field: object, items: list) -> None:
    del field[:]  # type: ignore[index]
    field.extend(items)  # type: ignore[attr-defined]

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
import os
from collections.abc import Sequence
from pathlib import Path as FsPath

import onnx
from onnx.external_data_helper import load_external_data_for_tensor

from onnxtext.base.errors import OnnxTextError
from onnxtext.core.index import Index, Scope
from onnxtext.roundtrip import patch
from onnxtext.surgery.prune import prune

_SHAPE_TYPES = (onnx.TensorProto.INT64, onnx.TensorProto.INT32)


def extract(
    model: onnx.ModelProto,
    outputs: Sequence[str],
    inputs: Sequence[str] | None = None,
    *,
    data_dir: FsPath | None = None,
) -> onnx.ModelProto:
    """The sub-model of ``model`` computing ``outputs`` from ``inputs`` (default: those of the present
    inputs that the outputs need).  Inputs backed by an initializer (overridable defaults; every
    weight of a model older than IR version 4) stay where their initializer stays.  ``data_dir`` is
    where the model's external data lives (shape inference reads the integer tensors there).

    Raises E601 for a name that is not a value of the main graph, a name given twice, a value whose
    type nobody knows, or an input that cannot be cut at because its producer is still needed.
    """
    graph = model.graph
    named = inputs is not None  # inputs named by the caller stay, even unused; the model's own may go
    inputs = [v.name for v in graph.input] if inputs is None else list(inputs)
    if not outputs:
        raise OnnxTextError("E601", "no output named", hint="name at least one value with --outputs")
    index = Index.of_model(model)
    known = index.defined_names(index.scopes[0])
    for role, names in (("input", inputs), ("output", outputs)):
        _check_names(role, names, known)
    declared = _declared_types(model, [*inputs, *outputs], data_dir)
    backed = {name for name, kind, _ in index.scopes[0].defines if kind == "initializer"}
    defaults = [v for v in graph.input if v.name in backed and v.name not in inputs]
    cut = onnx.ModelProto()
    cut.CopyFrom(model)
    _replace(cut.graph.input, [*(declared[name] for name in inputs), *defaults])
    _replace(cut.graph.output, [declared[name] for name in outputs])
    result = prune(cut, keep_inputs=named)
    index = Index.of_model(result)
    main = index.scopes[0]
    _check_cut(main, set(inputs))
    _check_separated(index, main, inputs)
    weights = {name for name, kind, _ in main.defines if kind == "initializer"}
    boundary = {*inputs, *outputs}
    return patch.without(
        result,
        [
            *(path for name, path in main.value_info if name in boundary),
            *(  # an input backed by an initializer went with it
                path
                for name, kind, path in main.defines
                if kind == "input" and named and name not in inputs and name not in weights
            ),
        ],
    )


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


def _declared_types(
    model: onnx.ModelProto, names: list[str], data_dir: FsPath | None
) -> dict[str, onnx.ValueInfoProto]:
    """A ValueInfoProto with a type for each name: the model's own, else shape inference's (which
    also gives a shape where the model's own has none)."""
    graph = model.graph
    found: dict[str, onnx.ValueInfoProto] = {}
    for info in [*graph.value_info, *graph.output, *graph.input]:  # inputs win, then outputs
        if info.HasField("type"):
            found[info.name] = info
    for tensor in graph.initializer:
        found.setdefault(
            tensor.name, onnx.helper.make_tensor_value_info(tensor.name, tensor.data_type, tensor.dims)
        )
    unknown = [name for name in names if name not in found or not _shaped(found[name])]
    if unknown:
        inferred = onnx.shape_inference.infer_shapes(_with_shape_data(model, data_dir), data_prop=True).graph
        for info in inferred.value_info:
            if info.name in unknown and info.HasField("type") and (info.name not in found or _shaped(info)):
                found[info.name] = info
    for name in names:
        if name not in found:
            raise OnnxTextError(
                "E601",
                f"the type of {name!r} is unknown (shape inference cannot tell it)",
                hint="add a value_info entry with its type to the model, then extract",
            )
    return found


def _shaped(info: onnx.ValueInfoProto) -> bool:
    """Whether a tensor's type has its shape (onnx.checker requires one on graph inputs and outputs)."""
    return info.type.WhichOneof("value") != "tensor_type" or info.type.tensor_type.HasField("shape")


def _with_shape_data(model: onnx.ModelProto, data_dir: FsPath | None) -> onnx.ModelProto:
    """``model``, or a copy with its integer main-graph tensors in external data read in from
    ``data_dir``: shape inference needs their values (the shape of a ConstantOfShape, a Reshape)."""
    wanted = [
        i
        for i, t in enumerate(model.graph.initializer)
        if t.data_location == onnx.TensorProto.EXTERNAL and t.data_type in _SHAPE_TYPES
    ]
    if data_dir is None or not wanted:
        return model
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    for i in wanted:
        tensor = copy.graph.initializer[i]
        try:
            load_external_data_for_tensor(tensor, os.fspath(data_dir))
        except (OSError, ValueError, onnx.checker.ValidationError):
            continue  # unreadable: inference knows less, and says so by a missing shape
        tensor.data_location = onnx.TensorProto.DEFAULT
        del tensor.external_data[:]
    return copy


def _check_cut(graph: Scope, inputs: set[str]) -> None:
    for node in graph.nodes:
        clash = inputs.intersection(node.outputs)
        if clash:
            others = [o for o in node.outputs if o and o not in inputs]
            raise OnnxTextError(
                "E601",
                f"cannot cut at {sorted(clash)[0]!r}: node {node.name or node.op_type!r} makes it "
                f"together with {', '.join(map(repr, others))}, which the outputs still need",
                path=node.path,
                hint="cut at those values too (add them to --inputs)",
            )


def _check_separated(index: Index, graph: Scope, inputs: list[str]) -> None:
    """Raise E607 when the kept nodes read values the sub-model does not have: the cut does not
    separate the outputs from the rest of the model (they also need values that do not pass through
    ``inputs``).  The hint gives the ``--inputs`` that would separate it: the values that flow into
    the part computed from ``inputs`` from a part computed from what is left outside."""
    defined = index.defined_names(graph)
    reads = [index.reads(node) for node in graph.nodes]
    missing = list(dict.fromkeys(name for names in reads for name in names if name not in defined))
    if not missing:
        return
    fed, tainted = set(inputs), set(missing)
    border: list[str] = []
    for node, names in zip(graph.nodes, reads, strict=True):
        if fed.intersection(names):
            border += [name for name in names if name in tainted and name not in fed]
            fed.update(node.outputs)
        elif tainted.intersection(names):
            tainted.update(node.outputs)
    border += [name for name, _ in graph.outputs if name in tainted and name not in fed]
    add = list(dict.fromkeys(border)) or missing
    shown = ", ".join(map(repr, missing[:5])) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    raise OnnxTextError(
        "E607",
        f"the cut does not separate the outputs from the rest of the model: they still need {shown}, "
        "which the sub-model would not have",
        hint=f"add {', '.join(map(repr, add))} to the inputs: --inputs {','.join([*inputs, *add])}",
    )


def _replace(field: object, items: list) -> None:
    del field[:]  # type: ignore[index]
    field.extend(items)  # type: ignore[attr-defined]

"""The promise of every surgery command: what it writes, onnx.checker accepts and onnxruntime loads.

A surgery's result passes ``onnx.checker``'s full check (strict shape inference included) and
opens in an onnxruntime session (when onnxruntime is installed: the ``[run]`` extra), or the command
refuses it with ``E607`` and writes nothing.  Only what the surgery broke is refused: when the
result fails, the models it was made from are tried the same way, and a failure they share (a
custom op onnxruntime does not know, a model that was invalid already) is not the surgery's.

Weights do not take part: every main-graph initializer whose bytes live in external data or are
1 MiB and more stands, in the copy that is checked, as a graph input of its type and shape.  So a
model read without its external data is checked as it is, and a big model is not copied into the
checker and the session once more.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence

import onnx
from google.protobuf.message import Message
from onnx import TensorProto, helper

from onnxtext.base.errors import OnnxTextError
from onnxtext.roundtrip.lean import LEAN_MIN_BYTES

_FAILURES = (onnx.checker.ValidationError, onnx.shape_inference.InferenceError)


def verified(
    result: onnx.ModelProto, before: Sequence[onnx.ModelProto], surgery: str, *, hint: str | None = None
) -> onnx.ModelProto:
    """``result`` when it is a valid model that onnxruntime loads (or fails only as ``before`` did).

    Raises E607 naming ``surgery`` (``extract``, ``build --prune``...) and the first problem;
    ``hint`` says what the user can do instead.
    """
    problem = _problem(result)
    if problem is None or any(_problem(model) is not None for model in before):
        return result
    raise OnnxTextError(
        "E607",
        f"{surgery} would write a model that {problem}",
        hint=(hint + "; " if hint else "") + "nothing was written",
    )


def _problem(model: onnx.ModelProto) -> str | None:
    """What is wrong with ``model`` (checker first, then onnxruntime), or None."""
    hollow = _without_weights(model)
    try:
        onnx.checker.check_model(hollow, full_check=True)
    except _FAILURES as err:
        return f"onnx.checker refuses: {_first_line(err)}"
    if importlib.util.find_spec("onnxruntime") is None:
        return None
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 4  # the failure is reported once, here
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    try:
        onnxruntime.InferenceSession(hollow.SerializeToString(), options, providers=["CPUExecutionProvider"])
    except Exception as err:  # onnxruntime raises its own exception types, one per status code
        return f"onnxruntime {onnxruntime.__version__} cannot load: {_first_line(err)}"
    return None


def _without_weights(model: onnx.ModelProto) -> onnx.ModelProto:
    """``model`` itself, or a copy whose external and big main-graph initializers are typed graph inputs
    (the copy is made field by field: the weights it leaves out are never copied)."""
    graph = model.graph
    heavy = [tensor for tensor in graph.initializer if _heavy(tensor)]
    if not heavy:
        return model
    hollow = onnx.ModelProto()
    _copy_fields(model, hollow, skip="graph")
    _copy_fields(graph, hollow.graph, skip="initializer")
    names = {tensor.name for tensor in heavy}
    hollow.graph.initializer.extend(t for t in graph.initializer if t.name not in names)
    declared = {v.name for v in graph.input}
    hollow.graph.input.extend(
        helper.make_tensor_value_info(t.name, t.data_type, t.dims) for t in heavy if t.name not in declared
    )
    return hollow


def _copy_fields(source: Message, target: Message, *, skip: str) -> None:
    for field, value in source.ListFields():
        if field.name == skip:
            continue
        if field.is_repeated:
            getattr(target, field.name).extend(value)
        elif field.message_type is not None:
            getattr(target, field.name).CopyFrom(value)
        else:
            setattr(target, field.name, value)


def _heavy(tensor: TensorProto) -> bool:
    return tensor.data_location == TensorProto.EXTERNAL or tensor.ByteSize() >= LEAN_MIN_BYTES


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__

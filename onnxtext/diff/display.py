"""How a diff names and shows elements: as the document writes them."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import onnx
from google.protobuf import text_format
from onnx import ModelProto, NodeProto, TensorProto

from onnxtext.codecs.policy import Policy
from onnxtext.diff.changes import Detail
from onnxtext.roundtrip.encode import encode_model
from onnxtext.roundtrip.types import format_tensor_type, format_type

_DISPLAY = Policy(mode="digest")  # attribute tensors are shown as the textconv shows them


def node_what(node: NodeProto) -> str:
    """``Conv '/conv1/Conv'``, or the op and its outputs for an unnamed node."""
    op = f"{node.domain}.{node.op_type}" if node.domain not in ("", "ai.onnx") else node.op_type
    return f"{op} {node.name!r}" if node.name else f"{op} -> {', '.join(node.output)}"


def named(name: str, info: onnx.ValueInfoProto | None) -> str:
    kind = type_text(info)
    return f"{name!r}: {kind}" if kind else repr(name)


def type_text(info: onnx.ValueInfoProto | None) -> str | None:
    """The document's type string (``float32[N,3]``); protobuf text for a type it cannot say."""
    if info is None or not info.HasField("type"):
        return None
    return format_type(info.type) or text_format.MessageToString(info.type, as_one_line=True)


def tensor_what(tensor: TensorProto) -> str:
    return f"{tensor.name!r}: {tensor_type(tensor)}"


def tensor_type(tensor: TensorProto) -> str:
    return (
        format_tensor_type(tensor.data_type, list(tensor.dims))
        or f"data_type {tensor.data_type}{list(tensor.dims)}"
    )


def function_what(function: onnx.FunctionProto) -> str:
    return f"function {function.domain + '.' if function.domain else ''}{function.name}"


def shown_attributes(node: NodeProto) -> dict[str, Any]:
    """The node's attributes as the document writes them (the encoder's own forms; big tensors digested)."""
    alone = ModelProto()
    alone.graph.node.append(node)
    tree = encode_model(alone, _DISPLAY)
    attributes = tree["graph"]["nodes"][0].get("attributes", {})
    if isinstance(attributes, dict):
        return dict(attributes)
    return {item.get("name"): item for item in attributes}  # the list form: names repeat or are missing


def detail_text(detail: Detail, stats: dict[str, Any] | None) -> str:
    """One line for a field that changed (``attributes.ratio: 0.5 -> 0.25``; a tensor's values: how many
    differ and by how much)."""
    if detail.field == "values":
        if stats is None:
            return "values: differ (not comparable element by element)"
        numbers = f"{stats['differing']} of {stats['count']} differ"
        if "max_abs" in stats:
            numbers += f", max abs diff {stats['max_abs']:.6g}, max rel diff {stats['max_rel']:.6g}"
        return f"values: {numbers}"
    if detail.field == "encoding":
        return "encoding: same values, stored differently"
    return f"{detail.field}: {show_value(detail.old)} -> {show_value(detail.new)}"


_SIMPLE = re.compile(r"[\w.:/\[\],?()-]+")
_NON_FINITE = {"nan": ".nan", "inf": ".inf", "-inf": "-.inf"}


def show_value(value: Any) -> str:
    """A value in one line, as a flow-style document would write it; ``(none)`` when absent."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if _SIMPLE.fullmatch(value) else json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else _NON_FINITE[repr(value)]
    if isinstance(value, dict):
        return "{" + ", ".join(f"{show_value(k)}: {show_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    return str(value)

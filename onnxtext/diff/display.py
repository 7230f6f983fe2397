"""How a diff names and shows elements: as the document writes them."""

from __future__ import annotations

from typing import Any

import onnx
from google.protobuf import text_format
from onnx import ModelProto, NodeProto, TensorProto

from onnxtext.codecs.policy import Policy
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

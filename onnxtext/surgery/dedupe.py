"""``dedupe``: identical initializers and Constant tensors become one (``build --dedupe``).

Exporters repeat small constants (silero-vad holds hundreds of copies of a few values).  Within each
graph, a tensor whose element type, shape and values equal an earlier one (an initializer, or a
Constant node's ``value``) is dropped and its readers are rewired to the earlier name, nested graphs
included.  The first occurrence in document order stays (initializers count before nodes, which is
also where they are visible).  Initializers that are graph inputs (overridable defaults) or graph
outputs keep their names and are never merged; tensors in external data are not read and not merged.
Values are compared element for element (``numpy_helper.to_array``), so a tensor stored in
``float_data`` equals the same values in ``raw_data``.  onnx has no API for this.
"""

from __future__ import annotations

import dataclasses
import hashlib

import onnx
from onnx import numpy_helper

from onnxtext.roundtrip.patch import Body, bodies, node_graphs

_CONSTANT_DOMAINS = ("", "ai.onnx")


@dataclasses.dataclass(frozen=True)
class DedupeReport:
    """What :func:`dedupe` merged: how many tensors went, and how much smaller the serialized model is."""

    merged: int
    bytes_saved: int

    def __str__(self) -> str:
        return f"dedupe: {self.merged} duplicate tensors merged, {self.bytes_saved} bytes saved"


def dedupe(model: onnx.ModelProto) -> tuple[onnx.ModelProto, DedupeReport]:
    """A copy of ``model`` whose duplicate constant tensors are merged, and what that saved."""
    result = onnx.ModelProto()
    result.CopyFrom(model)
    merged = sum(_dedupe_body(body) for _, body in list(bodies(result)))
    saved = model.ByteSize() - result.ByteSize() if merged else 0  # rewired names may be longer
    return result, DedupeReport(merged, saved)


def _dedupe_body(body: Body) -> int:
    first: dict[bytes, str] = {}
    mapping: dict[str, str] = {}
    if isinstance(body, onnx.GraphProto):
        pinned = {v.name for v in (*body.input, *body.output)}
        kept_tensors = []
        for tensor in body.initializer:
            key = None if tensor.name in pinned else _key(tensor)
            if key is not None and key in first:
                mapping[tensor.name] = first[key]
                continue
            if key is not None:
                first[key] = tensor.name
            kept_tensors.append(tensor)
        _replace(body.initializer, kept_tensors)
    pinned = {v.name for v in body.output} if isinstance(body, onnx.GraphProto) else set(body.output)
    kept_nodes = []
    for node in body.node:
        key = _constant_key(node) if node.output[0:1] and node.output[0] not in pinned else None
        if key is not None and key in first:
            mapping[node.output[0]] = first[key]
            continue
        if key is not None:
            first[key] = node.output[0]
        kept_nodes.append(node)
    if not mapping:
        return 0
    _replace(body.node, kept_nodes)
    _replace(body.value_info, [v for v in body.value_info if v.name not in mapping])
    _rewire(body.node, mapping)
    return len(mapping)


def _key(tensor: onnx.TensorProto) -> bytes | None:
    """A digest of a tensor's element type, shape and values (None when its bytes are external)."""
    if tensor.data_location == onnx.TensorProto.EXTERNAL or tensor.segment.ByteSize():
        return None
    array = numpy_helper.to_array(tensor)
    payload = repr(array.tolist()).encode() if array.dtype == object else array.tobytes()
    head = f"{tensor.data_type}:{list(tensor.dims)}:".encode()
    return hashlib.sha256(head + payload).digest()


def _constant_key(node: onnx.NodeProto) -> bytes | None:
    if node.op_type != "Constant" or node.domain not in _CONSTANT_DOMAINS or len(node.output) != 1:
        return None
    if len(node.attribute) != 1 or node.attribute[0].name != "value" or not node.attribute[0].HasField("t"):
        return None
    return _key(node.attribute[0].t)


def _rewire(nodes: object, mapping: dict[str, str]) -> None:
    """Point every reader of a dropped name at the kept one, in nested graphs too."""
    for node in nodes:  # type: ignore[attr-defined]
        for k, name in enumerate(node.input):
            if name in mapping:
                node.input[k] = mapping[name]
        for _, sub in node_graphs(node, ()):
            for out in sub.output:
                if out.name in mapping:
                    out.name = mapping[out.name]
            _rewire(sub.node, mapping)


def _replace(field: object, items: list) -> None:
    if len(items) != len(field):  # type: ignore[arg-type]
        del field[:]  # type: ignore[index]
        field.extend(items)  # type: ignore[attr-defined]

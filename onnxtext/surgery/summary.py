"""``summary``: what a model holds, in one screen (``onnxtext summary``).

Ops by domain and type, parameters by element type (the elements and bytes of initializers and of
the tensors Constant nodes hold: exporters such as spox keep every weight in a Constant), opsets,
inputs and outputs with their types, subgraph and function counts.  Everything comes from names, types and
dims: no weight byte is read, so a model whose weights live in external data is summarised from its
``.onnx`` alone (load it with ``load_external_data=False``, as ``onnxtext.api.read_model`` does).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

import onnx

from onnxtext.codecs.dtypes import dtype_by_onnx
from onnxtext.roundtrip.patch import bodies
from onnxtext.roundtrip.types import format_type


def summarize(model: onnx.ModelProto) -> dict[str, Any]:
    """The summary as plain data (what ``--format json`` prints)."""
    graphs = [body for _, body in bodies(model, functions=False)]
    ops: Counter[tuple[str, str]] = Counter(
        (node.domain or "ai.onnx", node.op_type) for graph in graphs for node in graph.node
    )
    params: dict[str, dict[str, int]] = {}
    for graph in graphs:
        for tensor in graph.initializer:
            _count(params, tensor)
        for sparse in graph.sparse_initializer:
            _count(params, sparse.values)
    constants: dict[str, dict[str, int]] = {}
    for graph in graphs:
        for tensor in _constant_tensors(graph.node):
            _count(params, tensor)
            _count(constants, tensor)
    return {
        "ir_version": model.ir_version,
        "producer": " ".join(filter(None, (model.producer_name, model.producer_version))),
        "opsets": {o.domain or "ai.onnx": o.version for o in model.opset_import},
        "inputs": {v.name: _type(v.type) for v in model.graph.input},
        "outputs": {v.name: _type(v.type) for v in model.graph.output},
        "nodes": sum(ops.values()),
        "ops": {
            domain: dict(
                sorted(((op, n) for (d, op), n in ops.items() if d == domain), key=lambda x: (-x[1], x[0]))
            )
            for domain in sorted({d for d, _ in ops})
        },
        "parameters": {
            "elements": sum(p["elements"] for p in params.values()),
            "bytes": sum(p["bytes"] for p in params.values()),
            "tensors": sum(p["tensors"] for p in params.values()),
            "by_dtype": dict(sorted(params.items())),
            "in_constant_nodes": {
                "elements": sum(p["elements"] for p in constants.values()),
                "tensors": sum(p["tensors"] for p in constants.values()),
            },
        },
        "subgraphs": len(graphs) - 1,
        "functions": [f"{f.domain}.{f.name}" if f.domain else f.name for f in model.functions],
    }


def _constant_tensors(nodes: Iterable[onnx.NodeProto]) -> Iterator[onnx.TensorProto]:
    """The tensors Constant nodes hold (``value``, and ``sparse_value``'s values)."""
    for node in nodes:
        if node.op_type != "Constant" or node.domain not in ("", "ai.onnx"):
            continue
        for attr in node.attribute:
            if attr.name == "value" and attr.HasField("t"):
                yield attr.t
            elif attr.name == "sparse_value" and attr.HasField("sparse_tensor"):
                yield attr.sparse_tensor.values


def _count(params: dict[str, dict[str, int]], tensor: onnx.TensorProto) -> None:
    dtype = dtype_by_onnx(tensor.data_type)
    name = dtype.name if dtype else f"type{tensor.data_type}"
    elements = math.prod(tensor.dims)
    entry = params.setdefault(name, {"tensors": 0, "elements": 0, "bytes": 0})
    entry["tensors"] += 1
    entry["elements"] += elements
    entry["bytes"] += _nbytes(tensor, elements, dtype.bits if dtype else 0)


def _nbytes(tensor: onnx.TensorProto, elements: int, bits: int) -> int:
    """The payload size, from the external data entry or the dims: never from reading the bytes."""
    for entry in tensor.external_data:
        if entry.key == "length":
            return int(entry.value)
    if bits:
        return (elements * bits + 7) // 8
    return sum(len(s) for s in tensor.string_data)


def _type(tp: onnx.TypeProto) -> str:
    return format_type(tp) or onnx.helper.printable_type(tp) or "?"


def render(summary: dict[str, Any]) -> str:
    """The summary as text for a terminal."""
    counts = f"{summary['subgraphs']} subgraphs, {len(summary['functions'])} functions"
    lines = [
        f"ir_version {summary['ir_version']}"
        + (f", produced by {summary['producer']}" if summary["producer"] else ""),
        "opsets: " + ", ".join(f"{d} {v}" for d, v in summary["opsets"].items()),
        "inputs:",
        *(f"  {name}: {tp}" for name, tp in summary["inputs"].items()),
        "outputs:",
        *(f"  {name}: {tp}" for name, tp in summary["outputs"].items()),
        f"nodes: {summary['nodes']} ({counts})",
    ]
    for domain, ops in summary["ops"].items():
        lines.append(f"  {domain}: " + ", ".join(f"{op} {n}" for op, n in ops.items()))
    params = summary["parameters"]
    constants = params["in_constant_nodes"]
    held = f" ({constants['tensors']} of them in Constant nodes)" if constants["tensors"] else ""
    lines.append(
        f"parameters: {params['elements']:,} in {params['tensors']} tensors{held}, {_size(params['bytes'])}"
    )
    lines.extend(
        f"  {dtype}: {p['elements']:,} in {p['tensors']} tensors, {_size(p['bytes'])}"
        for dtype, p in params["by_dtype"].items()
    )
    if summary["functions"]:
        lines.append("functions: " + ", ".join(summary["functions"]))
    return "\n".join(lines) + "\n"


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    raise AssertionError

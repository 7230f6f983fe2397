"""``opset``: move a model to another version of the default ONNX opset (``build --opset N``).

Over ``onnx.version_converter``, which adapts node by node and stops at the first op it has no
adapter for, with a C++ assertion message that names the op type but no node.  This module turns that
into one E603 that names the nodes (their paths) and, from ``onnx.defs``, the opset range where the op
exists, so the fix is visible.  Converting to the version the model already has returns it unchanged
(the converter would rebuild it and add value_info).  Only the default domain is converted, as the
converter does; custom domains keep their versions.
"""

from __future__ import annotations

import functools
import re

import onnx
import onnx.version_converter

from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import Path, format_path
from onnxtext.surgery.walk import scopes

DEFAULT_DOMAINS = ("", "ai.onnx")


def default_opset(model: onnx.ModelProto) -> int | None:
    """The version of the default ONNX domain the model imports (None when it imports none)."""
    versions = [o.version for o in model.opset_import if o.domain in DEFAULT_DOMAINS]
    return versions[0] if versions else None


def convert(model: onnx.ModelProto, version: int) -> onnx.ModelProto:
    """``model`` converted to opset ``version`` of the default domain; E603 when the converter cannot."""
    newest = onnx.defs.onnx_opset_version()
    if not 1 <= version <= newest:
        raise OnnxTextError(
            "E603", f"opset {version} does not exist", hint=f"this onnx knows opsets 1 to {newest}"
        )
    current = default_opset(model)
    if current is None:
        raise OnnxTextError(
            "E603", "the model imports no default-domain opset to convert", path=("opset_import",)
        )
    if current == version:
        same = onnx.ModelProto()
        same.CopyFrom(model)
        return same
    try:
        return onnx.version_converter.convert_version(model, version)
    except (RuntimeError, onnx.checker.ValidationError) as err:
        raise _explain(model, version, str(err)) from None


def _explain(model: onnx.ModelProto, version: int, message: str) -> OnnxTextError:
    reason = message.strip().splitlines()[-1] if message.strip() else "the converter failed"
    reason = re.sub(r"^.*?(Assertion `[^`]*` failed: )", "", reason)
    op_types = set(re.findall(r"\b([A-Z][A-Za-z0-9]+)\b", reason))
    nodes = [(path, op) for path, op in _node_ops(model) if op in op_types]
    where = ", ".join(f"{format_path(path)} ({op})" for path, op in nodes[:5])
    more = f" and {len(nodes) - 5} more" if len(nodes) > 5 else ""
    hint = "; ".join(filter(None, (_range(op, version) for op in sorted({op for _, op in nodes}))))
    return OnnxTextError(
        "E603",
        f"cannot convert to opset {version}: {reason}" + (f" (nodes: {where}{more})" if nodes else ""),
        path=nodes[0][0] if nodes else ("opset_import",),
        hint=hint or "convert in smaller steps or choose another opset; `onnxtext summary` lists the ops",
    )


def _node_ops(model: onnx.ModelProto) -> list[tuple[Path, str]]:
    return [
        ((*sc.path, "nodes", j), node.op_type)
        for sc in scopes(model, functions=False)
        for j, node in enumerate(sc.body.node)
        if node.domain in DEFAULT_DOMAINS
    ]


def _range(op_type: str, version: int) -> str:
    """Which opsets define ``op_type`` (from onnx.defs), said so that a reachable target can be chosen."""
    versions = _versions().get(op_type)
    if not versions:
        return ""
    listed = ", ".join(map(str, versions))
    if version < versions[0]:
        return f"{op_type} exists from opset {versions[0]} on (its versions: {listed})"
    return f"{op_type} has versions at opsets {listed}; try a target on the far side of the failing step"


@functools.cache
def _versions() -> dict[str, list[int]]:
    """For every default-domain op, the opsets where it gained a new version."""
    found: dict[str, list[int]] = {}
    for schema in onnx.defs.get_all_schemas_with_history():
        if schema.domain in DEFAULT_DOMAINS:
            found.setdefault(schema.name, []).append(schema.since_version)
    return {op: sorted(set(v)) for op, v in found.items()}

"""``opset``: move a model to another version of the default ONNX opset (``build --opset N``).

Over ``onnx.version_converter``, which adapts node by node and stops at the first op it has no
adapter for, with a C++ assertion message that names the op type but no node.  This module turns that
into one E603 that says which op could not be taken from which opset to which, names the nodes (their
paths) and, from ``onnx.defs``, the opsets where the op changed, so the fix is visible.  The IR
version is raised to the one the new opset needs (``onnx.helper.find_min_ir_version_for``): the
converter keeps the old one.  Converting to the version the model already has returns it unchanged
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
from onnxtext.roundtrip.patch import bodies

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
        converted = onnx.version_converter.convert_version(model, version)
    except (RuntimeError, onnx.checker.ValidationError) as err:
        raise _explain(model, version, str(err)) from None
    # the converter keeps the IR version: raise it to the one the new opsets need (onnx's own table)
    needed = onnx.helper.find_min_ir_version_for(list(converted.opset_import), ignore_unknown=True)
    converted.ir_version = max(converted.ir_version, needed)
    return converted


_STEP = re.compile(r"No Adapter (From|To) Version \$(\d+) for (\w+)")
_NO_ADAPTER = re.compile(r"No Adapter For (\w+)")
_NOT_BEFORE = re.compile(r"No Previous Version of (\w+) exists")


def _explain(model: onnx.ModelProto, version: int, message: str) -> OnnxTextError:
    """The converter's failure in plain words: which op, which step (from opset to opset), what to try."""
    current = default_opset(model) or version
    reason = message.strip().splitlines()[-1] if message.strip() else "the converter failed"
    reason = re.sub(r"^.*?(Assertion `[^`]*` failed: )", "", reason)
    what, tried = reason, ""
    if step := _STEP.search(reason):
        op, at, up = step.group(3), int(step.group(2)), version > current
        start, end = (at, at + (1 if up else -1)) if step.group(1) == "From" else (at - (1 if up else -1), at)
        what = f"onnx's version converter cannot take {op} from opset {start} to {end}"
        tried = f"convert to opset {start} instead (as far as the converter gets)"
    elif missing := _NO_ADAPTER.search(reason) or _NOT_BEFORE.search(reason):
        op = missing.group(1)
        first = _versions().get(op, [0])[0]
        what = (
            f"{op} does not exist before opset {first}"
            if missing.re is _NOT_BEFORE
            else f"onnx's version converter has no adapter for {op}"
        )
        tried = f"keep opset {current}"
    ops = {op} if tried else set(re.findall(r"\b([A-Z][A-Za-z0-9]+)\b", reason))
    nodes = [(path, op) for path, op in _node_ops(model) if op in ops]
    where = ", ".join(f"{format_path(path)} ({op})" for path, op in nodes[:5])
    more = f" and {len(nodes) - 5} more" if len(nodes) > 5 else ""
    if tried and nodes:
        tried += f", or replace the {nodes[0][1]} nodes by ops that opset {version} has, then convert"
    hint = "; ".join(filter(None, (tried, *(_range(op, version) for op in sorted({op for _, op in nodes})))))
    return OnnxTextError(
        "E603",
        f"cannot convert from opset {current} to {version}: {what}"
        + (f" (nodes: {where}{more})" if nodes else ""),
        path=nodes[0][0] if nodes else ("opset_import",),
        hint=hint or "convert in smaller steps or choose another opset; `onnxtext summary` lists the ops",
    )


def _node_ops(model: onnx.ModelProto) -> list[tuple[Path, str]]:
    return [
        ((*path, "nodes", j), node.op_type)
        for path, body in bodies(model, functions=False)
        for j, node in enumerate(body.node)
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
    return f"{op_type} changed at opsets {listed}"


@functools.cache
def _versions() -> dict[str, list[int]]:
    """For every default-domain op, the opsets where it gained a new version."""
    found: dict[str, list[int]] = {}
    for schema in onnx.defs.get_all_schemas_with_history():
        if schema.domain in DEFAULT_DOMAINS:
            found.setdefault(schema.name, []).append(schema.since_version)
    return {op: sorted(set(v)) for op, v in found.items()}

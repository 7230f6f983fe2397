"""Hover text (Markdown): a value's type, producer and consumers; an op's schema at the model's opset;
an attribute's description, and for element-type attributes (``to: float16`` on Cast) the type.
"""

from __future__ import annotations

from typing import Any

from onnxtext.base.paths import Path
from onnxtext.codecs import dtype_by_name, dtype_by_onnx
from onnxtext.core.index import Node, Producer, Scope
from onnxtext.lsp import navigate, ops
from onnxtext.lsp.navigate import Target
from onnxtext.lsp.snapshot import Snapshot
from onnxtext.roundtrip.layout import dtype_attributes

_LISTED_USES = 10


def hover_text(snapshot: Snapshot, target: Target) -> str | None:
    """The Markdown shown for ``target`` (None when there is nothing to say)."""
    if target.kind == "value":
        return _value(snapshot, target)
    if target.kind == "op" and target.node is not None:
        return op_text(snapshot, target.node)
    if target.kind == "attribute" and target.node is not None:
        return _attribute(snapshot, target.node, target.name)
    if target.kind == "node" and target.node is not None:
        node = target.node
        return f"node **{node.name or '(unnamed)'}**: `{node.op_type}`\n\n" + _io(node)
    return None


# -- values ---------------------------------------------------------------------------------------


def value_type(snapshot: Snapshot, producer: Producer | None, name: str, scope: Scope | None) -> str | None:
    """``type (declared)`` or ``type (inferred)``: what the document or shape inference says."""
    if producer is not None and producer.kind in ("input", "initializer"):
        declared = _type_of(snapshot.value(producer.path))
        if declared:
            return f"`{declared}` (declared)"
    for outer in scope.chain() if scope is not None else ():
        for entry, path in outer.value_info:
            declared = _type_of(snapshot.value(path)) if entry == name else None
            if declared:
                return f"`{declared}` (declared)"
        for use in snapshot.index.consumers_of(outer, name):
            declared = _type_of(snapshot.value(use.path)) if use.kind == "output" else None
            if declared:
                return f"`{declared}` (declared)"
    inferred = (snapshot.inferred or {}).get(name)
    return f"`{inferred}` (inferred)" if inferred else None


def _type_of(item: Any) -> str | None:
    found = item.get("type") if isinstance(item, dict) else None
    return found if isinstance(found, str) else None


def _value(snapshot: Snapshot, target: Target) -> str:
    producer = navigate.definition(snapshot, target)
    lines = [f"value **{target.name}**"]
    typed = value_type(snapshot, producer, target.name, target.scope)
    if typed:
        lines[0] += f": {typed}"
    if producer is None:
        lines.append("produced by nothing: no node, initializer or graph input of this name is visible here")
        return "\n\n".join(lines)
    lines.append(f"produced by {_producer(snapshot, producer)}")
    uses = [path for path, defines in navigate.occurrences(snapshot, producer) if not defines]
    readers = [_use(snapshot, path) for path in uses if "value_info" not in path]
    if readers:
        shown = readers[:_LISTED_USES]
        more = f"\n- ... and {len(readers) - len(shown)} more" if len(readers) > len(shown) else ""
        lines.append(f"read by {len(readers)}:\n" + "\n".join(f"- {r}" for r in shown) + more)
    else:
        lines.append("read by nothing")
    return "\n\n".join(lines)


def _line(snapshot: Snapshot, path: Path) -> str:
    span = snapshot.span(path)
    return f"line {span.line}" if span is not None else ""


def _node_text(node: Node) -> str:
    return f"node {node.label()} (`{node.op_type}`)"


def _producer(snapshot: Snapshot, producer: Producer) -> str:
    what = _node_text(producer.node) if producer.node is not None else producer.kind.replace("_", " ")
    return f"{what}, {_line(snapshot, producer.path)}"


def _use(snapshot: Snapshot, path: Path) -> str:
    owner, _ = snapshot.owner(path)
    what = _node_text(owner) if isinstance(owner, Node) else "graph output"
    return f"{what}, {_line(snapshot, path)}"


# -- ops and attributes ---------------------------------------------------------------------------


def _opsets(snapshot: Snapshot, node: Node) -> dict[str, int]:
    root = next(s for s in node.scope.chain() if s.parent is None)
    function = snapshot.value(root.path) if root.kind == "function" else None
    return ops.tree_opsets(snapshot.tree, function)


def op_text(snapshot: Snapshot, node: Node) -> str:
    """The op's schema at the opset the node is read against: documentation, inputs, outputs, attributes."""
    opsets = _opsets(snapshot, node)
    entry = ops.op_schema(node.op_type, node.domain, opsets)
    domain = node.domain or "ai.onnx"
    if entry is None:
        imported = opsets.get(ops.normal_domain(node.domain))
        at = f" at opset {imported}" if imported is not None else ""
        return f"**{node.op_type}** ({domain}): onnx.defs has no such op{at}"
    imported = opsets.get(ops.normal_domain(node.domain), ops.LATEST)
    parts = [
        f"**{entry.name}** ({domain}, version {entry.since_version}; the model imports opset {imported})",
        (entry.doc or "").strip(),
        "**Inputs**\n" + _params(entry.inputs),
        "**Outputs**\n" + _params(entry.outputs),
    ]
    if entry.attributes:
        parts.append(
            "**Attributes**\n"
            + "\n".join(
                f"- `{a.name}` ({ops.attribute_type(a)}{', required' if a.required else ''}): "
                f"{' '.join(a.description.split())}"
                for a in entry.attributes.values()
            )
        )
    return "\n\n".join(part for part in parts if part)


def _params(params: Any) -> str:
    if not params:
        return "- (none)"
    option = {"Optional": " (optional)", "Variadic": " (variadic)"}
    return "\n".join(
        f"- `{p.name}`: {p.type_str}{option.get(str(p.option).rsplit('.', 1)[-1], '')}" for p in params
    )


def _io(node: Node) -> str:
    return f"inputs: {', '.join(node.inputs) or '(none)'}\n\noutputs: {', '.join(node.outputs) or '(none)'}"


def _attribute(snapshot: Snapshot, node: Node, name: str) -> str:
    entry = ops.op_schema(node.op_type, node.domain, _opsets(snapshot, node))
    found = entry.attributes.get(name) if entry is not None else None
    lines = [f"attribute **{name}** of `{node.op_type}`"]
    if found is not None:
        lines[0] += f" ({ops.attribute_type(found)})"
        lines.append(" ".join(found.description.split()))
    elif entry is not None:
        lines.append(f"`{node.op_type}` has no attribute `{name}` at this opset")
    if name in dtype_attributes(ops.normal_domain(node.domain), node.op_type):
        lines.insert(1, _dtype(snapshot.value((*node.path, "attributes", name))))
    return "\n\n".join(lines)


def _dtype(value: Any) -> str:
    found = dtype_by_name(value) if isinstance(value, str) else None
    if isinstance(value, int) and not isinstance(value, bool):
        found = dtype_by_onnx(value)
    if found is None:
        return f"element type: `{value}` is no element type"
    return f"element type **{found.name}** (TensorProto data type {found.onnx})"

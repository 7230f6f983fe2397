"""Completion candidates, chosen by what the line says before the cursor.

Text being typed rarely parses, so the context comes from the current line (the same key names in
YAML and JSON): after ``op_type:`` the ops of the model's opset, inside a node's ``inputs: [`` the
value names visible in its scope, at a key of ``attributes: {`` the attributes of the node's op,
and inside a ``type:`` string the element type names.  Names and the op come from the last snapshot
that parsed.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Literal

from onnxtext.codecs import DTYPE_NAMES
from onnxtext.lsp import ops
from onnxtext.lsp.snapshot import Snapshot

ItemKind = Literal["op", "value", "attribute", "dtype"]

_KEY = r"""["']?{}["']?\s*:\s*"""
_OP = re.compile(_KEY.format("op_type") + r"""["']?[A-Za-z0-9_]*$""")
_TYPE = re.compile(_KEY.format("type") + r"""["']?(?:[a-z]+\(|[a-z0-9]+\s*,\s*)*[a-z0-9]*$""")
_INPUTS = re.compile(_KEY.format("inputs") + r"\[[^\]]*$")
_ATTRIBUTES = re.compile(_KEY.format("attributes") + r"\{")
_OP_LINE = re.compile(_KEY.format("op_type") + r"""["']?([A-Za-z0-9_]+)""")
_DOMAIN_LINE = re.compile(_KEY.format("domain") + r"""["']?([A-Za-z0-9_.]*)""")


@dataclasses.dataclass(frozen=True)
class Item:
    label: str
    kind: ItemKind
    detail: str = ""


def candidates(current: Snapshot, parsed: Snapshot | None, line: int, col: int) -> list[Item]:
    """What may be typed at 1-based ``line:col`` of ``current`` (``parsed``: the last version that parsed)."""
    before = current.line_text(line)[: col - 1]
    if _TYPE.search(before):
        return [Item(name, "dtype") for name in DTYPE_NAMES]
    if parsed is None:
        return []
    if _OP.search(before):
        domain = _near(current, line, _DOMAIN_LINE) or ""
        version = ops.tree_opsets(parsed.tree).get(ops.normal_domain(domain), ops.LATEST)
        return [Item(name, "op", text) for name, text in ops.ops_at(ops.normal_domain(domain), version)]
    if _INPUTS.search(before):
        return _values(parsed, line)
    if _at_attribute_key(before):
        return _attributes(current, parsed, line, before)
    return []


def _values(parsed: Snapshot, line: int) -> list[Item]:
    node = parsed.node_near(line)
    scope = node.scope if node is not None else parsed.main_scope()
    if scope is None:
        return []
    index = parsed.index
    found = []
    for name in dict.fromkeys(index.visible_names(scope)):
        producer = index.resolve(scope, name)
        if producer is not None and (producer.node is None or producer.node is not node):
            what = f"{producer.node.op_type} output" if producer.node is not None else producer.kind
            found.append(Item(name, "value", what.replace("_", " ")))
    return found


def _at_attribute_key(before: str) -> bool:
    """Whether the cursor is where a key of a one-line ``attributes: {...}`` mapping is typed."""
    starts = [found.end() for found in _ATTRIBUTES.finditer(before)]
    if not starts:
        return False
    depth, segment = 0, ""
    for char in before[starts[-1] :]:
        if char in "[{(":
            depth += 1
        elif char in "]})":
            depth -= 1
            if depth < 0:
                return False
        elif char == "," and depth == 0:
            segment = ""
            continue
        segment += char if depth == 0 else ""
    return depth == 0 and ":" not in segment


def _attributes(current: Snapshot, parsed: Snapshot, line: int, before: str) -> list[Item]:
    op_type = _near(current, line, _OP_LINE)
    if not op_type:
        return []
    domain = _near(current, line, _DOMAIN_LINE) or ""
    entry = ops.op_schema(op_type, domain, ops.tree_opsets(parsed.tree))
    if entry is None:
        return []
    written = set(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*[\"']?\s*:", before.split("{", 1)[-1]))
    return [
        Item(a.name, "attribute", f"{ops.attribute_type(a)}{', required' if a.required else ''}")
        for a in entry.attributes.values()
        if a.name not in written
    ]


def _near(snapshot: Snapshot, line: int, pattern: re.Pattern[str], reach: int = 12) -> str | None:
    """The value ``pattern`` finds on ``line`` or the nearest line above it that starts this node."""
    for number in range(line, max(0, line - reach), -1):
        text = snapshot.line_text(number)
        match = pattern.search(text)
        if match:
            return match.group(1)
        if number < line and text.lstrip().startswith(("- ", "{")):  # the node's first line: stop
            break
    return None

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


def candidates(current: Snapshot, parsed: Snapshot | None, line: int, col: int) -> tuple[list[Item], bool]:
    """What may be typed at 1-based ``line:col`` of ``current`` (``parsed``: the last version that parsed),
    and whether the list is incomplete (the editor asks again as more is typed)."""
    before = current.line_text(line)[: col - 1]
    if _TYPE.search(before):
        return [Item(name, "dtype") for name in DTYPE_NAMES], False
    if parsed is None:
        return [], False
    if _OP.search(before):
        domain = _near(current, line, _DOMAIN_LINE) or ""
        version = ops.tree_opsets(parsed.tree).get(ops.normal_domain(domain), ops.LATEST)
        return [
            Item(name, "op", text) for name, text in ops.ops_at(ops.normal_domain(domain), version)
        ], False
    if _INPUTS.search(before):
        return _values(parsed, line, _TYPED.search(before).group(1))  # type: ignore[union-attr]
    if _at_attribute_key(before):
        return _attributes(current, parsed, line, before), False
    return [], False


_TYPED = re.compile(r"""([^,\[\]"' ]*)$""")
MAX_VALUES = 1000  # past this many visible names, only those holding what is typed are sent


def _values(parsed: Snapshot, line: int, typed: str) -> tuple[list[Item], bool]:
    """The names a node input may read: every value visible from the node's scope but its own outputs.

    A graph of 50,000 nodes sees 80,000 names: then only those containing the typed text are sent,
    at most MAX_VALUES, and the list is marked incomplete.
    """
    node = parsed.node_near(line)
    scope = node.scope if node is not None else parsed.main_scope()
    if scope is None:
        return [], False
    index = parsed.index
    names = list(dict.fromkeys(index.visible_names(scope)))
    many = len(names) > MAX_VALUES
    if many:
        names = [name for name in names if typed.lower() in name.lower()]
    found = []
    for name in names:
        producer = index.resolve(scope, name)
        if producer is not None and (producer.node is None or producer.node is not node):
            what = f"{producer.node.op_type} output" if producer.node is not None else producer.kind
            found.append(Item(name, "value", what.replace("_", " ")))
            if len(found) == MAX_VALUES:
                break
    return found, many


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

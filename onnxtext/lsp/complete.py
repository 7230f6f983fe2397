"""Completion candidates, chosen by what the line says before the cursor.

Text being typed rarely parses, so the context comes from the current line (the same key names in
YAML and JSON): after ``op_type:`` the ops of the model's opset, inside a node's ``inputs: [`` the
value names visible in its scope, at a key of ``attributes: {`` or on a new key line of a block
``attributes:`` mapping (what PyYAML writes, and dump for nodes with graph attributes) the
attributes of the node's op not written yet, and inside a ``type:`` string the element type
names.  The op comes from the lines of the node being typed; names and opsets from the last
snapshot that parsed.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Literal

from onnxtext.codecs import DTYPE_NAMES
from onnxtext.lsp import ops
from onnxtext.lsp.snapshot import Snapshot

ItemKind = Literal["op", "value", "attribute", "dtype"]

_KEY = r"""(?<![\w.-])["']?{}["']?\s*:\s*"""  # a whole key: ``type`` is not the end of ``op_type``
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
        written = set(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*[\"']?\s*:", before.split("{", 1)[-1]))
        op_type, domain = _near(current, line, _OP_LINE), _near(current, line, _DOMAIN_LINE)
        return _attributes(parsed, op_type, domain, written), False
    block = _block_attributes(current, line, before)
    if block is not None:
        return _attributes(parsed, *block), False
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


def _attributes(parsed: Snapshot, op_type: str | None, domain: str | None, written: set[str]) -> list[Item]:
    """The attributes of ``op_type`` (at the model's opset of its domain) that are not ``written``."""
    if not op_type:
        return []
    entry = ops.op_schema(op_type, domain or "", ops.tree_opsets(parsed.tree))
    if entry is None:
        return []
    return [
        Item(a.name, "attribute", f"{ops.attribute_type(a)}{', required' if a.required else ''}")
        for a in entry.attributes.values()
        if a.name not in written
    ]


_TYPING_KEY = re.compile(r"""( *)["']?[A-Za-z0-9_]*""")
_KEY_LINE = re.compile(r"""( *)(- +)?["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*:\s*(.*)""")


def _block_attributes(
    current: Snapshot, line: int, before: str
) -> tuple[str | None, str | None, set[str]] | None:
    """When the cursor is where a key of a block ``attributes:`` mapping is typed (a line of its own,
    at the indentation of its keys): the node's op type and domain, and the keys already written.

    The mapping is found by indentation, from the lines alone: going up, lines indented deeper
    belong to an earlier attribute's value, lines at the cursor's indentation are its siblings, and
    the first line indented less must be ``attributes:`` (``"attributes": {`` in JSON).
    """
    typed = _TYPING_KEY.fullmatch(before)
    if typed is None:
        return None
    indent = len(typed.group(1))
    holder = None
    written: set[str] = set()
    for number in range(line - 1, 0, -1):
        entry = _key_line(current.line_text(number))
        if entry is None or entry[0] > indent:
            continue
        if entry[0] == indent:  # a sibling (or, with a dash, an item of a sibling's value)
            if not entry[1]:
                written.add(entry[2])
            continue
        if entry[2] != "attributes" or entry[3] not in ("", "{"):
            return None
        holder = number, entry[0] + len(entry[1])
        break
    if holder is None:
        return None
    for number in range(line + 1, len(current.document.lines) + 1):  # the siblings after the cursor
        entry = _key_line(current.line_text(number))
        if entry is not None and entry[0] < indent:
            break
        if entry is not None and entry[0] == indent and not entry[1]:
            written.add(entry[2])
    keys = _node_keys(current, *holder)
    return keys.get("op_type"), keys.get("domain"), written


def _key_line(text: str) -> tuple[int, str, str, str] | None:
    """(indentation, list dash, key, rest of the line) of a line starting a mapping entry; None for a
    line that holds no key (blank, a closing bracket, a list item's value)."""
    match = _KEY_LINE.fullmatch(text.rstrip())
    if match is None:
        return None
    return len(match.group(1)), match.group(2) or "", match.group(3), match.group(4)


def _node_keys(current: Snapshot, line: int, column: int) -> dict[str, str]:
    """The one-line values of the keys of the node that has a key at ``line`` starting at 0-based
    ``column``: its keys are the lines whose key starts at that column, up to its first line (the
    one with the list dash) and down to the next node's dash or a line indented less."""
    found: dict[str, str] = {}
    for step in (-1, 1):
        number = line if step < 0 else line + 1
        while 0 < number <= len(current.document.lines):
            text = current.line_text(number)
            number += step
            entry = _key_line(text)
            if entry is None:  # blank, a bracket, a value's continuation
                if text.strip() and len(text) - len(text.lstrip(" ")) < column:
                    break
                continue
            start = entry[0] + len(entry[1])
            if start > column:
                continue
            if start < column or (entry[1] and step > 0):
                break
            found.setdefault(entry[2], entry[3].rstrip(",").strip().strip("'\""))
            if entry[1]:  # the node's first line
                break
    return found


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

"""Where things are in a dump, found by reading its lines: the expected positions of tests that check
where onnxtext places a diagnostic or a range, found without the source map, ``text.locate`` or the
server under test.  Each helper knows only how a dump is laid out (YAML block items start with
``- ``, JSON items with a ``{`` line, one key per line), in both formats."""

from __future__ import annotations

import re


def bare(line: str) -> str:
    """A line without its indentation, list dash, double quotes and trailing comma: ``name: n9`` for
    both ``      name: n9`` (YAML) and ``        "name": "n9",`` (JSON)."""
    return line.strip().removeprefix("- ").replace('"', "").rstrip(",")


def line_of(text: str, content: str, nth: int = 0) -> int:
    """The number (from 1) of the ``nth`` line whose :func:`bare` form is ``content``."""
    found = [n for n, line in enumerate(text.splitlines(), 1) if bare(line) == content]
    assert len(found) > nth, f"{content!r} is on {len(found)} lines"
    return found[nth]


def key_position(text: str, key: str) -> tuple[int, int]:
    """Line and column (from 1) of the first mapping key ``key`` that starts a line."""
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(rf'\s*"?{re.escape(key)}"?:', line):
            return number, len(line) - len(line.lstrip()) + 1
    raise AssertionError(f"no line starts with the key {key!r}")


def first_difference(before: str, after: str) -> int:
    """The number (from 1) of the first line where two texts differ."""
    for number, (old, new) in enumerate(zip(before.splitlines(), after.splitlines(), strict=False), 1):
        if old != new:
            return number
    raise AssertionError("the texts have the same lines")


def item_start(text: str, line: int) -> int:
    """The line where the list item holding ``line`` begins: the nearest line at or above it that
    starts a YAML block item (``- ``) or is a JSON item's lone ``{``."""
    lines = text.splitlines()
    for number in range(line, 0, -1):
        stripped = lines[number - 1].strip()
        if stripped.startswith("- ") or stripped == "{":
            return number
    raise AssertionError(f"line {line} is in no list item")


# a name in a flow list or mapping: 'quoted' or "quoted" (no quote inside), or plain up to , ] or }
_NAME = r"""'[^']*'|"[^"]*"|[^,\]}\s][^,\]}]*"""


def definitions(
    text: str, sections: tuple[str, ...] = ("inputs", "initializers", "nodes")
) -> dict[str, tuple[int, int, str]]:
    """Where the main graph first defines each value: name -> (line, column, both from 1, and the text
    written there).  A value is defined by the name of a graph input or an initializer (one item per
    line) or by a node's ``outputs`` list, in the given ``sections`` of the graph; the graph's outputs
    and value_info only describe values, and the nodes of subgraphs sit deeper than the main graph's."""
    graph_indent = 4 if text.startswith("{") else 2  # the main graph's keys (JSON nests one level more)
    section = ""
    found: dict[str, tuple[int, int, str]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        key = re.match(rf' {{{graph_indent}}}"?(\w+)"?:', line)
        if key:
            section = key.group(1)
            continue
        spans: list[tuple[int, str]] = []
        if section not in sections:
            continue
        if section in ("inputs", "initializers"):
            item = re.match(rf'\s*(?:- )?\{{"?name"?: ({_NAME})', line)
            if item:
                spans = [(item.start(1), item.group(1))]
        elif section == "nodes":
            outputs = re.match(rf' {{{graph_indent + 4}}}"?outputs"?: \[(.*)\],?$', line)
            if outputs:
                names = re.finditer(_NAME, outputs.group(1))
                spans = [(outputs.start(1) + m.start(), m.group()) for m in names]
        for start, written in spans:
            name = written.strip().strip("'\"")
            found.setdefault(name, (number, start + 1, written.strip()))
    return found


def node_items(text: str) -> list[tuple[int, int, list[str]]]:
    """Every node of the dump, subgraphs' included, in text order: the line and column (from 1) where
    its list item begins (YAML: its first key, after ``- ``; JSON: its ``{``) and the keys it has."""
    lines = text.splitlines()
    found = []
    for number, line in enumerate(lines, 1):
        indent = len(line) - len(line.lstrip())
        if line.lstrip().startswith("- op_type:"):  # YAML: the item's first key is on its line
            col, keys = indent + 3, ["op_type"]
        elif line.strip() == "{" and number < len(lines) and bare(lines[number]).startswith("op_type:"):
            col, keys = indent + 1, []
        else:
            continue
        for inside in lines[number:]:  # the item's other lines: its keys two columns in, deeper values
            depth = len(inside) - len(inside.lstrip())
            if depth <= indent:
                break
            if depth == indent + 2:
                keys.append(bare(inside).split(":")[0])
        found.append((number, col, keys))
    return found

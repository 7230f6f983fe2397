"""Edits of a document's text by element path: what fixes are made of.

Each function returns the :class:`~onnxtext.base.diagnostics.Edit` s that make one change in the
layout the text already has and touch nothing else, so comments, key order and every other line stay
as a person wrote them.  Two layouts are told apart by the collection holding the element:

- *block* (YAML's indented lists and mappings, what ``dump`` writes for nodes and tensors): an element
  owns its lines, and is deleted or inserted as whole lines (a comment on its last line goes with it);
- *flow* (JSON, and YAML's ``[...]``/``{...}``): an element is deleted with the separator before or
  after it, and inserted with one.

A collection that the canonical form leaves out when empty (``initializers``, ``value_info``,
``nodes``...) is deleted with its last element, so a fix keeps a canonical document canonical.  When
the text is laid out in a way these edits do not know (an element sharing its line with another in a
block collection, say), they return None and the fix is not offered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from onnxtext.base.diagnostics import Edit, Fix
from onnxtext.base.paths import Path
from onnxtext.core.document import Document

Position = tuple[int, int]

# the fields whose empty list or mapping the canonical form leaves out (every repeated field)
_OMITTED_WHEN_EMPTY = frozenset(
    {
        "initializers",
        "sparse_initializers",
        "value_info",
        "nodes",
        "functions",
        "opset_import",
        "inputs",
        "outputs",
        "metadata_props",
        "quantization_annotation",
        "attributes",
    }
)
_ITEM_LEAD = re.compile(r"[ \t]*-[ \t]+")
_LINE_END = re.compile(r"[ \t]*(#.*)?\r?")


def _newline(document: Document) -> str:
    return "\r\n" if "\r\n" in document.text else "\n"


def value_at(tree: Any, path: Path) -> Any:
    """The element of ``tree`` at ``path`` (None when there is none)."""
    for key in path:
        if isinstance(tree, dict) and isinstance(key, str):
            tree = tree.get(key)
        elif isinstance(tree, list) and isinstance(key, int) and 0 <= key < len(tree):
            tree = tree[key]
        else:
            return None
    return tree


def _keys(container: Any) -> list[Any]:
    return list(range(len(container))) if isinstance(container, list) else list(container)


def _span(document: Document, path: Path) -> tuple[Position, Position] | None:
    source_map = document.source_map
    if source_map is None or path not in source_map.starts or path not in source_map.ends:
        return None
    return source_map.starts[path], source_map.ends[path]


def literal(value: Any, fmt: str) -> str:
    """How the document writes ``value`` (a name, a number, a small mapping) inside a flow collection."""
    if isinstance(value, dict):
        entries = ", ".join(f"{literal(k, fmt)}: {literal(v, fmt)}" for k, v in value.items())
        return "{" + entries + "}"
    if isinstance(value, str):
        if fmt == "json":
            from onnxtext.text.json_emit import string_text

            return string_text(value)
        from onnxtext.text.yaml_emit import plain_ok, quoted

        return value if plain_ok(value, flow=True) else quoted(value)
    return str(value)


def _value_start(document: Document, entry: Path) -> Position | None:
    """Where the value of the mapping entry ``entry`` starts (after its key, the colon and spaces); the
    end of the key's line when the value starts on a later line."""
    span = _span(document, entry)
    if span is None:
        return None
    (line, col), _ = span
    text = document.lines[line - 1]
    at = col - 1
    if at < len(text) and text[at] in "'\"":  # a quoted key: to its closing quote
        quote = text[at]
        at += 1
        while at < len(text) and text[at] != quote:
            at += 2 if quote == '"' and text[at] == "\\" else 1
        at += 1
    colon = text.find(":", at)
    if colon < 0:
        return None
    at = colon + 1
    while at < len(text) and text[at] in " \t":
        at += 1
    return line, at + 1


def _is_flow(document: Document, container: Path) -> bool:
    """Whether the collection at ``container`` is written in flow style (always, in JSON)."""
    if document.format == "json":
        return True
    if not container:
        return document.text.lstrip()[:1] in ("{", "[")
    if isinstance(container[-1], str):
        start = _value_start(document, container)
    else:
        span = _span(document, container)
        start = span[0] if span is not None else None
    if start is None:
        return False
    text = document.lines[start[0] - 1]
    return text[start[1] - 1 : start[1]] in ("[", "{")


def _owns_lines(document: Document, path: Path, after_dash: bool = False) -> bool:
    """Whether the block element at ``path`` has its lines to itself (a list item after its dash, a
    mapping entry at the line's indentation, or after a dash when ``after_dash``: the first key of a
    list item, which lines can follow but not replace; nothing but a comment after it)."""
    span = _span(document, path)
    if span is None:
        return False
    (line, col), (end_line, end_col) = span
    lines = document.lines
    lead = lines[line - 1][: col - 1]
    dashed = _ITEM_LEAD.fullmatch(lead) is not None
    owned = dashed if isinstance(path[-1], int) else not lead.strip() or (after_dash and dashed)
    return bool(owned) and _LINE_END.fullmatch(lines[end_line - 1][end_col - 1 :]) is not None


def remove(document: Document, path: Path) -> list[Edit] | None:
    """Delete the list item or mapping entry at ``path`` with its separator (see the module docstring)."""
    tree = document.tree
    container_path = path[:-1]
    container = value_at(tree, container_path)
    if not isinstance(container, (list, dict)) or path[-1] not in _keys(container):
        return None
    keys = _keys(container)
    if len(keys) == 1 and container_path and container_path[-1] in _OMITTED_WHEN_EMPTY:
        return remove(document, container_path)
    span = _span(document, path)
    if span is None:
        return None
    start, end = span
    if not _is_flow(document, container_path):
        if len(keys) == 1 or not _owns_lines(document, path):
            return None  # an empty block collection would read as null
        return [Edit(start[0], 1, end[0] + 1, 1, "")]
    at = keys.index(path[-1])
    if at + 1 < len(keys):
        following = _span(document, (*container_path, keys[at + 1]))
        return None if following is None else [Edit(*start, *following[0], "")]
    if at > 0:
        previous = _span(document, (*container_path, keys[at - 1]))
        return None if previous is None else [Edit(*previous[1], *end, "")]
    return [Edit(*start, *end, "")]


def removal(document: Document, path: Path | None, title: str) -> Fix | None:
    """The fix that deletes the element at ``path`` (:func:`remove`); None when it cannot."""
    edits = remove(document, path) if path else None
    return Fix(title, tuple(edits)) if edits else None


def replace_value(document: Document, path: Path, value: Any) -> list[Edit] | None:
    """Write ``value`` in place of the scalar at ``path`` (a list item, or a mapping entry's value)."""
    span = _span(document, path)
    if span is None or isinstance(value_at(document.tree, path), (dict, list)):
        return None
    start = _value_start(document, path) if isinstance(path[-1], str) else span[0]
    if start is None:
        return None
    return [Edit(*start, *span[1], literal(value, document.format))]


def rename_key(document: Document, path: Path, key: str) -> list[Edit] | None:
    """Write ``key`` in place of the key of the mapping entry at ``path``."""
    span = _span(document, path)
    value = _value_start(document, path)
    if span is None or value is None or not isinstance(path[-1], str):
        return None
    line, col = span[0]
    written = document.lines[line - 1][col - 1 : value[1] - 1]
    old = written[: written.rindex(":")].rstrip()
    return [Edit(line, col, line, col + len(old), literal(key, document.format))]


def insert_entry(
    document: Document, beside: Path, key: str, value: Any, before: bool = False
) -> list[Edit] | None:
    """Add ``key: value`` to the mapping holding the entry ``beside``, right after it (or before it)."""
    span = _span(document, beside)
    if span is None or not isinstance(beside[-1], str):
        return None
    (line, col), (end_line, end_col) = span
    fmt = document.format
    entry = f"{literal(key, fmt)}: {literal(value, fmt)}"
    lines = document.lines
    lead = lines[line - 1][: col - 1]
    starts_line = not lead.strip() or _ITEM_LEAD.fullmatch(lead) is not None
    indent = " " * len(lead)
    if _is_flow(document, beside[:-1]):
        separator = f",{_newline(document)}{indent}" if starts_line else ", "
        if before:
            return [Edit(line, col, line, col, f"{entry}{separator}")]
        return [Edit(end_line, end_col, end_line, end_col, f"{separator}{entry}")]
    if not _owns_lines(document, beside, after_dash=True):
        return None
    if before:
        return [Edit(line, col, line, col, f"{entry}{_newline(document)}{indent}")]
    last = len(lines[end_line - 1]) + 1  # after a comment on the entry's last line
    return [Edit(end_line, last, end_line, last, f"{_newline(document)}{indent}{entry}")]


def append_item(document: Document, after: Path, value: Any) -> list[Edit] | None:
    """Add ``value`` to the list holding the item ``after``, right after it."""
    span = _span(document, after)
    if span is None or not isinstance(after[-1], int):
        return None
    (line, col), (end_line, end_col) = span
    written = literal(value, document.format)
    lead = document.lines[line - 1][: col - 1]
    if _is_flow(document, after[:-1]):
        separator = f",{_newline(document)}{lead}" if not lead.strip() else ", "
        return [Edit(end_line, end_col, end_line, end_col, f"{separator}{written}")]
    if not _owns_lines(document, after):
        return None
    last = len(document.lines[end_line - 1]) + 1
    return [Edit(end_line, last, end_line, last, f"{_newline(document)}{lead}{written}")]


def reorder(document: Document, items: Path, order: Sequence[int]) -> list[Edit] | None:
    """Put the items of the list at ``items`` in ``order`` (a permutation of their positions).

    One edit, over the items that move: in a block list each item moves with its lines and the
    comment lines above it; in a flow list the items move and the separators stay where they were.
    """
    count = len(order)
    moved = [k for k in range(count) if order[k] != k]
    if not moved:
        return []
    first, last = moved[0], moved[-1]
    spans = [_span(document, (*items, k)) for k in range(count)]
    if any(span is None for span in spans):
        return None
    if _is_flow(document, items):
        pieces = []
        for k in range(first, last + 1):
            (line, col), (end_line, end_col) = spans[order[k]]  # type: ignore[misc]
            pieces.append(_text_between(document, (line, col), (end_line, end_col)))
            if k < last:
                pieces.append(_text_between(document, spans[k][1], spans[k + 1][0]))  # type: ignore[index]
        start, end = spans[first][0], spans[last][1]  # type: ignore[index]
        return [Edit(*start, *end, "".join(pieces))]
    if not all(_owns_lines(document, (*items, k)) for k in range(count)):
        return None
    chunks = _line_chunks(document, spans)  # type: ignore[arg-type]
    lines, newline = document.lines, _newline(document)
    moved = (chunks[order[k]] for k in range(first, last + 1))
    text = "".join(newline.join(lines[a - 1 : b]) + newline for a, b in moved)
    return [Edit(chunks[first][0], 1, chunks[last][1] + 1, 1, text)]


def _line_chunks(document: Document, spans: list[tuple[Position, Position]]) -> list[tuple[int, int]]:
    """(first line, last line) of each block item: its own lines and the comment or blank lines right
    above it (after the item before)."""
    lines = document.lines
    chunks = []
    previous_end = 0
    for (line, _), (end_line, _) in spans:
        first = line
        while first - 1 > previous_end and lines[first - 2].strip()[:1] in ("#", ""):
            first -= 1
        chunks.append((first, end_line))
        previous_end = end_line
    return chunks


def _text_between(document: Document, start: Position, end: Position) -> str:
    lines = document.lines
    if start[0] == end[0]:
        return lines[start[0] - 1][start[1] - 1 : end[1] - 1]
    middle = lines[start[0] : end[0] - 1]
    parts = [lines[start[0] - 1][start[1] - 1 :], *middle, lines[end[0] - 1][: end[1] - 1]]
    return _newline(document).join(parts)

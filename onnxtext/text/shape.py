"""What the writers need to know of a document tree (:mod:`onnxtext.base.doctree`): which lists go on
one line, and what to say when they meet something that is not plain data."""

from __future__ import annotations

from typing import Any

from onnxtext.base.doctree import MAPPINGS
from onnxtext.base.paths import Path, format_path

_SCALAR_TYPES = (str, int, float, bool, type(None))


class NotPlainData(TypeError):
    """Raised by a writer on a value (or key) outside the document tree's types; see :func:`explain`."""


def explain(tree: Any) -> str:
    """Name a value or key of ``tree`` that a writer cannot write, and where it is."""
    todo: list[tuple[Path, Any]] = [((), tree)]
    while todo:
        path, value = todo.pop()
        if type(value) in MAPPINGS:
            for key, item in value.items():
                if type(key) is not str:
                    return f"mapping key {key!r} ({type(key).__name__}) at {format_path(path)} is not a str"
                todo.append(((*path, key), item))
        elif type(value) is list:
            todo.extend(((*path, index), item) for index, item in enumerate(value))
        elif type(value) not in _SCALAR_TYPES:
            return f"{type(value).__name__} value at {format_path(path)} is not plain data"
    return "the tree is not plain data"


def inline_list(items: list[Any]) -> bool:
    """True when a list is written on one line: it holds no mapping, at any depth.

    Lists of names and numbers (and nested lists of them, like complex pairs) stay on one line,
    however long: the text of one element never depends on another's length, so a rename changes
    only the lines that hold the name.  A list of records is a block sequence, one record per item.
    """
    for item in items:
        kind = type(item)
        if kind in MAPPINGS or (kind is list and not inline_list(item)):
            return False
    return True

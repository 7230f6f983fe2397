"""The document tree: plain Python data, and what to say when a writer meets something else."""

from __future__ import annotations

from typing import Any

from onnxtext.paths import Path, format_path

_SCALAR_TYPES = (str, int, float, bool, type(None))


class NotPlainData(TypeError):
    """Raised by a writer on a value (or key) outside the document tree's types; see :func:`explain`."""


def explain(tree: Any) -> str:
    """Name a value or key of ``tree`` that a writer cannot write, and where it is."""
    todo: list[tuple[Path, Any]] = [((), tree)]
    while todo:
        path, value = todo.pop()
        if type(value) is dict:
            for key, item in value.items():
                if type(key) is not str:
                    return f"mapping key {key!r} ({type(key).__name__}) at {format_path(path)} is not a str"
                todo.append(((*path, key), item))
        elif type(value) is list:
            todo.extend(((*path, index), item) for index, item in enumerate(value))
        elif type(value) not in _SCALAR_TYPES:
            return f"{type(value).__name__} value at {format_path(path)} is not plain data"
    return "the tree is not plain data"

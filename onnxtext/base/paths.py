"""Document paths: the one currency shared by parser, decoder, schema and linter.

A path is a tuple of mapping keys (str) and list indices (int), e.g.
``("graph", "nodes", 12, "inputs", 1)``, written ``graph.nodes[12].inputs[1]``.
Only the outermost layer turns a path into ``file:line:col``.
"""

from __future__ import annotations

import json
import re
from typing import Any

Path = tuple[str | int, ...]

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def format_path(path: Path) -> str:
    """Render a path as ``graph.nodes[12].attributes.epsilon``; odd keys are quoted: ``["a.b"]``."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _PLAIN_KEY.match(part):
            out.append(f".{part}" if out else part)
        else:
            out.append(f"[{json.dumps(part, ensure_ascii=False)}]")
    return "".join(out) or "<document>"


def value_at(tree: Any, path: Path, absent: Any = None) -> Any:
    """The element of a document tree at ``path``; ``absent`` when the tree has none there."""
    for part in path:
        try:
            tree = tree[part]
        except (KeyError, IndexError, TypeError):
            return absent
    return tree

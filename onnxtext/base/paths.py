"""Document paths: the one currency shared by parser, decoder, schema and linter.

A path is a tuple of mapping keys (str) and list indices (int), e.g.
``("graph", "nodes", 12, "inputs", 1)``, written ``graph.nodes[12].inputs[1]``.
Only the outermost layer turns a path into ``file:line:col``.
"""

from __future__ import annotations

import json
import re

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

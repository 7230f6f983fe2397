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


def parse_path(text: str) -> Path:
    """Inverse of :func:`format_path` (used by tests and by the CLI to accept ``--path``)."""
    if text == "<document>":
        return ()
    parts: list[str | int] = []
    pos = 0
    token = re.compile(r'\.?([A-Za-z_][A-Za-z0-9_]*)|\[(-?\d+)\]|\[("(?:[^"\\]|\\.)*")\]')
    while pos < len(text):
        match = token.match(text, pos)
        if match is None or (match.group(1) and pos > 0 and not text.startswith(".", pos)):
            raise ValueError(f"not a document path: {text!r} (at offset {pos})")
        name, index, quoted = match.groups()
        parts.append(name if name is not None else int(index) if index is not None else json.loads(quoted))
        pos = match.end()
    return tuple(parts)

"""Quick fixes: the linter's hints applied as text edits.

- a did-you-mean hint (R201/R202 a misspelt value, O401 an op, O403 an attribute): write the name
  it suggests in place of the one written;
- O407 (a domain the model does not import): add it to ``opset_import`` at the newest version
  onnx knows (1 for a custom domain);
- N104 (a node without a name): add the name the hint proposes.
"""

from __future__ import annotations

import dataclasses
import re

from onnx import defs

from onnxtext.base.paths import Path
from onnxtext.core.positions import Span
from onnxtext.lint.facts import known_domain
from onnxtext.lsp import ops
from onnxtext.lsp.navigate import name_literal
from onnxtext.lsp.snapshot import Snapshot

_DID_YOU_MEAN = re.compile(r"did you mean '(?P<name>[^']+)'")
_NODE_NAME = re.compile(r"`name: (?P<name>.+)`")
_RENAMES = ("R201", "R202", "O401", "O403")


@dataclasses.dataclass(frozen=True)
class Fix:
    title: str
    code: str
    edits: list[tuple[Span, str]]  # an insertion has an empty span


def fixes(snapshot: Snapshot, code: str, path: Path, hint: str) -> list[Fix]:
    """The quick fixes for one diagnostic (none when its hint offers nothing to apply)."""
    if code in _RENAMES:
        match = _DID_YOU_MEAN.search(hint)
        span = _name_span(snapshot, code, path) if match else None
        if match and span is not None:
            literal = name_literal(match["name"], snapshot.document.format)
            return [Fix(f"Change to '{match['name']}'", code, [(span, literal)])]
    if code == "O407":
        return _import_domain(snapshot, path)
    if code == "N104":
        match = _NODE_NAME.search(hint)
        return _name_node(snapshot, path, match["name"]) if match else []
    return []


def _name_span(snapshot: Snapshot, code: str, path: Path) -> Span | None:
    if code == "O403":
        return snapshot.key_span(path)
    if code == "R202" and isinstance(snapshot.value(path), dict):
        return snapshot.value_span((*path, "name"))
    return snapshot.value_span(path)


def _import_domain(snapshot: Snapshot, path: Path) -> list[Fix]:
    node_path = path[:-1] if path and path[-1] == "domain" else path
    node = snapshot.node_at.get(node_path)
    holder = snapshot.span(("opset_import",))
    entries = snapshot.value(("opset_import",))
    if node is None or holder is None or not isinstance(entries, dict):
        return []
    domain = ops.normal_domain(node.domain)
    version = _newest(domain)
    fmt = snapshot.document.format
    entry = f"{name_literal(domain, fmt)}: {version}"
    line, _, end_line, end_col = holder
    closing = snapshot.line_text(end_line)[: end_col - 1].rstrip()
    if end_line != line or not closing.endswith("}"):
        return []  # a block mapping: not the form dump writes; no automatic edit
    at = len(closing)  # the 1-based column of the closing brace
    text = f", {entry}" if entries else entry
    return [
        Fix(f"Import domain '{domain}' (opset {version})", "O407", [(Span(end_line, at, end_line, at), text)])
    ]


def _newest(domain: str) -> int:
    if not known_domain(domain):
        return 1
    return max(
        (s.since_version for s in defs.get_all_schemas_with_history() if s.domain == domain), default=1
    )


def _name_node(snapshot: Snapshot, path: Path, name: str) -> list[Fix]:
    op_span = snapshot.span((*path, "op_type"))
    if op_span is None:
        return []
    line, col = op_span.line, op_span.col
    text = snapshot.line_text(line)
    fmt = snapshot.document.format
    literal = name_literal(name, fmt)
    entry = f'"name": {literal}' if fmt == "json" else f"name: {literal}"
    if "{" in text[: col - 1] or (fmt == "json" and not text.rstrip().endswith(",")):
        edit = (
            Span(line, col, line, col),
            f"{entry}, " if "{" in text[: col - 1] else f"{entry},\n{' ' * (col - 1)}",
        )
    else:  # after the op_type line, at its indentation
        end = len(text) + 1
        edit = (Span(line, end, line, end), f"\n{' ' * (col - 1)}{entry}{',' if fmt == 'json' else ''}")
    return [Fix(f"Name the node '{name}'", "N104", [edit])]

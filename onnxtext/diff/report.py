"""The two reports of a :class:`~onnxtext.diff.changes.ModelDiff`: text for people, JSON for tools."""

from __future__ import annotations

import json
import math
from typing import Any

from onnxtext.base.paths import format_path
from onnxtext.diff.changes import ModelDiff
from onnxtext.diff.display import detail_text, show_value

_SIGNS = {"added": "+", "removed": "-", "changed": "~", "renamed": ">"}


def render_text(diff: ModelDiff) -> str:
    """The report for people: changes grouped by section, each headed by its document path."""
    if diff.same:
        return ""
    lines = [f"--- {diff.a}", f"+++ {diff.b}"]
    section = None
    for change in diff.changes:
        if change.section != section:
            section = change.section
            lines.append(section)
        if change.section == "model":
            lines += [f"  ~ {d.field}: {show_value(d.old)} -> {show_value(d.new)}" for d in change.details]
            continue
        where = format_path(change.path)
        if change.new_path is not None:
            where += f" -> {format_path(change.new_path)}"
        if change.kind == "renamed":
            (rename,) = change.details
            lines.append(f"  > {where}  renamed {rename.old!r} -> {rename.new!r}")
            continue
        lines.append(f"  {_SIGNS[change.kind]} {where}  {change.what}")
        lines += [f"      {detail_text(d, change.stats)}" for d in change.details]
    counts = {kind: sum(c.kind == kind for c in diff.changes) for kind in _SIGNS}
    summary = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    lines.append(f"{len(diff.changes)} change{'s' if len(diff.changes) != 1 else ''} ({summary})")
    return "\n".join(lines) + "\n"


def render_json(diff: ModelDiff) -> str:
    """The report for tools: ``{"a", "b", "same", "changes": [...]}``; non-finite numbers as strings."""
    document = {
        "a": diff.a,
        "b": diff.b,
        "same": diff.same,
        "changes": [
            {
                "section": c.section,
                "change": c.kind,
                "path": format_path(c.path),
                "new_path": format_path(c.new_path) if c.new_path is not None else None,
                "what": c.what,
                "details": [{"field": d.field, "old": d.old, "new": d.new} for d in c.details],
                **({"stats": c.stats} if c.stats is not None else {}),
            }
            for c in diff.changes
        ],
    }
    return json.dumps(_finite(document), ensure_ascii=False, indent=2) + "\n"


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities as the strings JSON documents use (``"NaN"``, ``"Infinity"``)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value

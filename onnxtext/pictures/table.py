"""The rows of a diff's summary table, shared by the Markdown and HTML pictures (bounded: a rename of
every value would otherwise make a table of thousands of rows)."""

from __future__ import annotations

import dataclasses

from onnxtext.base.paths import format_path
from onnxtext.diff.changes import ModelDiff
from onnxtext.diff.display import detail_text

SIGNS = {"added": "+", "removed": "-", "changed": "~", "renamed": ">"}


@dataclasses.dataclass(frozen=True)
class Row:
    kind: str
    where: str  # the element's path (A's, then B's when it moved)
    what: str
    details: tuple[str, ...]


def counts(diff: ModelDiff) -> dict[str, int]:
    """How many changes of each kind (kinds without any left out)."""
    found = {kind: sum(c.kind == kind for c in diff.changes) for kind in SIGNS}
    return {kind: n for kind, n in found.items() if n}


def rows(diff: ModelDiff, limit: int) -> tuple[list[Row], int]:
    """The first ``limit`` changes as rows, and how many more there are."""
    made = []
    for change in diff.changes[:limit]:
        where = format_path(change.path)
        if change.new_path is not None:
            where += f" → {format_path(change.new_path)}"
        details = tuple(detail_text(detail, change.stats) for detail in change.details)
        made.append(Row(change.kind, where, change.what, details))
    return made, max(len(diff.changes) - limit, 0)

"""What a diff is made of: :class:`Change` of an element, its :class:`Detail` fields, the :class:`ModelDiff`.

Shared by the comparison (:mod:`onnxtext.diff.comparison` and the modules it asks) and the reports
(:mod:`onnxtext.diff.report`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, Literal

import onnx

from onnxtext.base.paths import Path, format_path

Kind = Literal["added", "removed", "changed", "renamed"]
SECTIONS = ("model", "inputs", "outputs", "initializers", "nodes", "values", "value_info", "functions")


@dataclasses.dataclass(frozen=True)
class Detail:
    """One field of an element that differs: ``field`` (``attributes.alpha``), ``old`` and ``new``.

    ``old``/``new`` are plain data (as the document writes the value); None means absent.
    """

    field: str
    old: Any
    new: Any


@dataclasses.dataclass(frozen=True)
class Change:
    """An element added, removed, changed or renamed.

    ``path`` is the element's document path in A (in B for an addition); ``new_path`` its path in B
    when that differs.  ``what`` names it for people (``Conv '/conv1/Conv'``).  ``stats`` holds
    numbers about changed tensor values (``differing``, ``count``, ``max_abs``, ``max_rel``).
    """

    section: str
    kind: Kind
    path: Path
    what: str
    new_path: Path | None = None
    details: tuple[Detail, ...] = ()
    stats: dict[str, Any] | None = None


@dataclasses.dataclass(frozen=True)
class ModelDiff:
    """All changes from model A to model B (no changes: the same model)."""

    a: str
    b: str
    changes: tuple[Change, ...]

    @property
    def same(self) -> bool:
        return not self.changes


def kind_of(details: list[Detail]) -> Kind:
    """A change of the name alone is a rename."""
    return "renamed" if [d.field for d in details] == ["name"] else "changed"


def moved(path: Path, new_path: Path) -> Path | None:
    """``new_path`` when the element moved."""
    return new_path if new_path != path else None


def keyed(field: str, old: dict[str, Any], new: dict[str, Any]) -> list[Detail]:
    """One detail per key of a mapping that was added, removed or changed (``opset_import['']``)."""
    return [
        Detail(format_path((field, key)), old.get(key), new.get(key))
        for key in sorted(old.keys() | new.keys())
        if old.get(key) != new.get(key)
    ]


def opsets(entries: Iterable[onnx.OperatorSetIdProto]) -> dict[str, int]:
    return {o.domain: o.version for o in entries}


def entries(pairs: Iterable[onnx.StringStringEntryProto]) -> dict[str, str]:
    return {e.key: e.value for e in pairs}

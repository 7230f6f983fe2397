"""What changed in a graph's initializers: pairing by bytes, name and content, and value statistics.

Initializers are paired by identical bytes, then by (mapped) name, then a renamed one by identical
content; the values of a changed pair are compared element by element (how many differ, by how
much).  When the two models' external data lives in different folders, tensors are compared by the
bytes they refer to as well (:mod:`onnxtext.diff.hashing`).
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from pathlib import Path as FsPath
from typing import Any

import numpy as np
from onnx import GraphProto, TensorProto, numpy_helper

from onnxtext.base.paths import Path
from onnxtext.diff.changes import Change, Detail, kind_of, moved
from onnxtext.diff.display import tensor_type, tensor_what
from onnxtext.diff.hashing import content_key, tensor_key
from onnxtext.diff.pairing import Renames
from onnxtext.diff.side import Side


def initializer_changes(a: Side, b: Side, values: Renames) -> list[Change]:
    """Initializers added, removed, renamed or changed from ``a`` to ``b``; ``values`` learns the renames."""
    apart = _data_apart(a, b)
    dir_a, dir_b = (a.data_dir, b.data_dir) if apart else (None, None)
    tensors_a, tensors_b = _initializers(a), _initializers(b)
    paired: dict[int, int] = {}  # b index -> a index
    if not apart:  # identical at the same position: protobuf compares them without making bytes
        paired = {k: k for k, (x, y) in enumerate(zip(tensors_a, tensors_b, strict=False)) if x == y}
    taken = set(paired.values())
    by_bytes: dict[bytes, list[int]] = defaultdict(list)
    for i, tensor in enumerate(tensors_a):
        if i not in taken:
            by_bytes[tensor_key(tensor, dir_a)].append(i)
    changed: list[int] = []  # b indices not identical to a tensor of A
    for j, tensor in enumerate(tensors_b):
        if j in paired:
            continue
        same = by_bytes.get(tensor_key(tensor, dir_b))
        if same:
            paired[j] = same.pop(0)
        else:
            changed.append(j)
    taken = set(paired.values())
    by_name = {tensors_a[i].name: i for i in range(len(tensors_a)) if i not in taken}
    for j in changed:
        i = by_name.get(values(tensors_b[j].name))
        if i is not None:
            paired[j] = i
    unpaired_a: dict[bytes, list[int]] = defaultdict(list)
    taken = set(paired.values())
    for i, tensor in enumerate(tensors_a):
        if i not in taken:
            unpaired_a[content_key(tensor, dir_a)].append(i)
    for j, tensor in enumerate(tensors_b):
        if j in paired or not unpaired_a:
            continue
        content = content_key(tensor, dir_b)
        if unpaired_a.get(content):
            paired[j] = unpaired_a[content].pop(0)
    changes: list[Change] = []
    for j, i in sorted(((j, paired[j]) for j in changed if j in paired), key=lambda p: p[1]):
        old, new = tensors_a[i], tensors_b[j]
        if old.name != new.name:
            values.pair([old.name], [new.name])
        path, new_path = (*a.path, "initializers", i), (*b.path, "initializers", j)
        changes.append(_tensor_change(old, new, path, new_path, a, b))
    taken = set(paired.values())
    changes += [
        Change("initializers", "removed", (*a.path, "initializers", i), tensor_what(t))
        for i, t in enumerate(tensors_a)
        if i not in taken
    ]
    changes += [
        Change("initializers", "added", (*b.path, "initializers", j), tensor_what(t))
        for j, t in enumerate(tensors_b)
        if j not in paired
    ]
    return changes


def _initializers(side: Side) -> list[TensorProto]:
    return list(side.body.initializer) if isinstance(side.body, GraphProto) else []


def _data_apart(a: Side, b: Side) -> bool:
    """Whether the two sides' external data lives in different folders."""
    if a.data_dir is None or b.data_dir is None:
        return False
    return a.data_dir.resolve() != b.data_dir.resolve()


def _tensor_change(
    old: TensorProto, new: TensorProto, path: Path, new_path: Path, a: Side, b: Side
) -> Change:
    details: list[Detail] = []
    if old.name != new.name:
        details.append(Detail("name", old.name, new.name))
    type_old, type_new = tensor_type(old), tensor_type(new)
    if type_old != type_new:
        details.append(Detail("type", type_old, type_new))
    stats = None
    apart = _data_apart(a, b)
    if content_key(old, a.data_dir if apart else None) != content_key(new, b.data_dir if apart else None):
        stats = value_stats(old, new, a.data_dir, b.data_dir)
        if stats is None or stats.get("differing"):
            details.append(Detail("values", None, None))
        else:
            stats = None  # same numbers, another encoding (raw_data vs float_data, external data...)
            details.append(Detail("encoding", None, None))
    return Change(
        "initializers", kind_of(details), path, tensor_what(old), moved(path, new_path), tuple(details), stats
    )


def value_stats(
    old: TensorProto, new: TensorProto, dir_a: FsPath | None, dir_b: FsPath | None
) -> dict[str, Any] | None:
    """How many values differ and by how much (None when the values cannot be compared element-wise)."""
    try:
        x = numpy_helper.to_array(old, os.fspath(dir_a) if dir_a else "")
        y = numpy_helper.to_array(new, os.fspath(dir_b) if dir_b else "")
    except Exception:  # a tensor numpy cannot read: its values are reported as differing
        return None
    if x.shape != y.shape:
        return None
    count = int(x.size)
    if x.dtype.kind not in "biufc" or y.dtype.kind not in "biufc":
        differing = int(np.count_nonzero(x != y)) if x.dtype == y.dtype else count
        return {"differing": differing, "count": count}
    fx, fy = x.astype(np.float64), y.astype(np.float64)
    same = (fx == fy) | (np.isnan(fx) & np.isnan(fy))
    differing = int(count - np.count_nonzero(same))
    stats: dict[str, Any] = {"differing": differing, "count": count}
    if differing:
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            delta = np.where(same, 0.0, np.abs(fx - fy))
            scale = np.maximum(np.abs(fx), np.abs(fy))
            rel = np.where(same, 0.0, delta / np.where(scale == 0, 1.0, scale))
        stats["max_abs"] = float(np.nanmax(delta)) if not np.isnan(delta).all() else math.nan
        stats["max_rel"] = float(np.nanmax(rel)) if not np.isnan(rel).all() else math.nan
    return stats

"""``rename``: rename by regular expression, every reference at once (``onnxtext rename``).

A value's name appears in many places: the node that makes it, every node that reads it (also inside
If/Loop/Scan bodies, which see their enclosing graphs' values), graph inputs and outputs,
initializers, value_info, quantization annotations.  ``sed`` changes text wherever it matches; this
changes exactly the names of the chosen kind, everywhere they are referenced, and refuses a rename
that would change what the model means:

- a **collision**: two different values (nodes, dimensions) of one scope would get the same name;
- a **capture**: a value of a subgraph would take the name of a value of an enclosing graph, so the
  subgraph's references to the outer value would read the inner one instead.

Scopes: ``values`` (every value, function bodies included: each function is its own namespace),
``inputs`` / ``outputs`` (only the main graph's inputs or outputs, and their references), ``nodes``
(node names; unique per graph), ``dims`` (symbolic dimension names of every type in the model).
Dimensions are no values: renaming two to one name merges them (``unk__214`` of the input and
``unk__215`` of the output both become ``batch``), which is what a user wants there.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Literal

import onnx

from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import Path, format_path
from onnxtext.surgery.walk import Scope, scopes

RenameScope = Literal["values", "inputs", "outputs", "nodes", "dims"]
SCOPES: tuple[RenameScope, ...] = ("values", "inputs", "outputs", "nodes", "dims")


@dataclasses.dataclass(frozen=True)
class Renaming:
    """One name changed: how it read, how it reads now, and in how many places."""

    old: str
    new: str
    places: int


@dataclasses.dataclass(frozen=True)
class _Slot:
    """One place a name is written: ``holder[key]`` (a repeated string) or ``holder.<key>`` (a field)."""

    holder: object
    key: int | str
    path: Path
    defines: bool

    def get(self) -> str:
        return self.holder[self.key] if isinstance(self.key, int) else getattr(self.holder, self.key)  # type: ignore[index]

    def set(self, value: str) -> None:
        if isinstance(self.key, int):
            self.holder[self.key] = value  # type: ignore[index]
        else:
            setattr(self.holder, self.key, value)


def rename(
    model: onnx.ModelProto, pattern: str, replacement: str, scope: RenameScope = "values"
) -> tuple[onnx.ModelProto, list[Renaming]]:
    """A renamed copy of ``model`` and the renamings made (``re.sub(pattern, replacement, name)``).

    Raises E602 for a bad pattern or replacement, a collision, a capture, or a name made empty.
    """
    try:
        regex = re.compile(pattern)
        return rename_with(model, lambda name: regex.sub(replacement, name), scope)
    except re.error as err:
        raise OnnxTextError(
            "E602", f"bad pattern or replacement: {err}", hint="PATTERN is a Python regular expression"
        ) from None


def rename_with(
    model: onnx.ModelProto, change: Callable[[str], str], scope: RenameScope = "values"
) -> tuple[onnx.ModelProto, list[Renaming]]:
    """:func:`rename` with any function from old to new name (``merge`` uses a mapping)."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}")
    if model.training_info and scope in ("values", "inputs", "outputs"):
        raise OnnxTextError(
            "E602",
            "renaming values of a model with training_info is not supported",
            hint="rename in the text",
        )
    renamed = onnx.ModelProto()
    renamed.CopyFrom(model)
    groups = list(_slot_groups(renamed, scope))
    if scope in ("inputs", "outputs"):
        chosen = {v.name for v in getattr(renamed.graph, scope[:-1])}
        change = _only(chosen, change)
    for group in groups:
        _refuse_clashes(group, change, scope)
    counts: Counter[tuple[str, str]] = Counter()
    for group in groups:
        for slots in group.values():
            for slot in slots:
                old = slot.get()
                new = change(old)
                if new != old:
                    slot.set(new)
                    counts[old, new] += 1
    return renamed, [Renaming(old, new, n) for (old, new), n in counts.items()]


def _only(names: set[str], change: Callable[[str], str]) -> Callable[[str], str]:
    return lambda name: change(name) if name in names else name


# A group is one namespace: for each scope (graph) in it, its name slots.  Names are checked per group.
_Group = dict[Scope, list[_Slot]]


def _slot_groups(model: onnx.ModelProto, scope: RenameScope) -> Iterator[_Group]:
    if scope == "dims":
        slots = [s for sc in scopes(model) for s in _dim_slots(sc)]
        yield {Scope((), model.graph): slots}
        return
    group: _Group = {}
    for sc in scopes(model, functions=scope in ("values", "nodes")):
        if sc.parent is None and group:  # a function body starts a new namespace
            yield group
            group = {}
        group[sc] = list(_node_slots(sc) if scope == "nodes" else _value_slots(sc))
    if group:
        yield group


def _value_slots(scope: Scope) -> Iterator[_Slot]:
    body, at = scope.body, scope.path
    if isinstance(body, onnx.FunctionProto):
        yield from (_Slot(body.input, k, (*at, "inputs", k), True) for k in range(len(body.input)))
        yield from (_Slot(body.output, k, (*at, "outputs", k), False) for k in range(len(body.output)))
    else:
        for key, field in (("inputs", body.input), ("initializers", body.initializer)):
            yield from (_Slot(v, "name", (*at, key, i, "name"), True) for i, v in enumerate(field))
        for i, sparse in enumerate(body.sparse_initializer):
            yield _Slot(sparse.values, "name", (*at, "sparse_initializers", i, "values", "name"), True)
        yield from (_Slot(v, "name", (*at, "outputs", i, "name"), False) for i, v in enumerate(body.output))
        for i, q in enumerate(body.quantization_annotation):
            yield _Slot(q, "tensor_name", (*at, "quantization_annotation", i, "tensor_name"), False)
    yield from (
        _Slot(v, "name", (*at, "value_info", i, "name"), False) for i, v in enumerate(body.value_info)
    )
    for j, node in enumerate(body.node):
        for key, field, defines in (("inputs", node.input, False), ("outputs", node.output, True)):
            for k, name in enumerate(field):
                if name:
                    yield _Slot(field, k, (*at, "nodes", j, key, k), defines)


def _node_slots(scope: Scope) -> Iterator[_Slot]:
    for j, node in enumerate(scope.body.node):
        if node.name:
            yield _Slot(node, "name", (*scope.path, "nodes", j, "name"), True)


def _dim_slots(scope: Scope) -> Iterator[_Slot]:
    body, at = scope.body, scope.path
    infos = [("value_info", body.value_info)]
    if isinstance(body, onnx.GraphProto):
        infos = [("inputs", body.input), ("outputs", body.output), *infos]
    for key, field in infos:
        for i, info in enumerate(field):
            yield from _type_dims(info.type, (*at, key, i, "type"))


def _type_dims(type_: onnx.TypeProto, at: Path) -> Iterator[_Slot]:
    kind = type_.WhichOneof("value")
    if kind is None:
        return
    inner = getattr(type_, kind)
    if kind in ("tensor_type", "sparse_tensor_type"):
        for d, dim in enumerate(inner.shape.dim):
            if dim.HasField("dim_param"):
                yield _Slot(dim, "dim_param", (*at, "shape", d), True)
    elif kind == "map_type":
        yield from _type_dims(inner.value_type, at)
    elif inner.HasField("elem_type"):  # sequence, optional
        yield from _type_dims(inner.elem_type, at)


def _refuse_clashes(group: _Group, change: Callable[[str], str], scope: RenameScope) -> None:
    """Raise E602 when two distinct names of one scope chain would read the same after the rename."""
    taken: dict[Scope, dict[str, tuple[str, Path]]] = {}
    for sc, slots in group.items():
        mine: dict[str, tuple[str, Path]] = {}
        for slot in slots:
            if not slot.defines:
                continue
            old = slot.get()
            new = change(old)
            if not new:
                if scope == "nodes":
                    continue  # an unnamed node is fine
                raise OnnxTextError(
                    "E602", f"renaming {old!r} would leave it without a name", path=slot.path, hint=_HINT
                )
            other = mine.setdefault(new, (old, slot.path))
            if other[0] != old and scope != "dims":  # dims are no values: two may become one
                _clash(new, (old, slot.path), other, "collides with")
        if scope != "nodes":  # node names are unique per graph; values see enclosing graphs
            for outer in list(sc.chain())[1:]:
                for new, inner in mine.items():
                    other = taken[outer].get(new)
                    if other is not None and other[0] != inner[0]:
                        _clash(new, inner, other, "captures the outer")
        taken[sc] = mine


_HINT = "choose a replacement that keeps names distinct (--dry-run shows every change)"


def _clash(new: str, first: tuple[str, Path], second: tuple[str, Path], relation: str) -> None:
    """Report two distinct names that would both read ``new``, naming both and where they are defined."""
    (old1, at1), (old2, at2) = first, second
    message = (
        f"after the rename {old1!r} ({format_path(at1)}) {relation} {old2!r} ({format_path(at2)}): "
        f"both would be named {new!r}"
    )
    raise OnnxTextError("E602", message, path=at1, hint=_HINT)

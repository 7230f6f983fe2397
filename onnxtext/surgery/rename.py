"""``rename``: the one rename of onnxtext, for ``onnxtext rename`` and the language server alike.

A value's name appears in many places: the node that makes it, every node that reads it (also inside
If/Loop/Scan bodies, which see their enclosing graphs' values), graph inputs and outputs,
initializers, value_info, quantization annotations.  ``sed`` changes text wherever it matches; this
changes exactly the names of the chosen values, everywhere they are written, as the
:class:`~onnxtext.core.index.Index` finds them (a body's own value of the same name is another value),
and refuses a rename that would change what the model means:

- a **collision**: two different values (nodes) of one scope would get the same name;
- a **capture**: a value of a subgraph and a value of an enclosing graph would get the same name, so
  the subgraph's uses of the outer value would read the inner one;
- a name made **empty** (a value, or a dimension, without a name).

:func:`plan_values` is the rule, over any Index (of a document, in the editor; of a model's skeleton,
here): it answers with the new text of every place, by document path.  :func:`rename` applies such a
plan to a ModelProto (:func:`onnxtext.roundtrip.patch.renamed`).  Scopes of the command: ``values``
(every value, function bodies included: each function is its own namespace), ``inputs`` /
``outputs`` (only the main graph's inputs or outputs, and their references), ``nodes`` (node names;
unique per graph), ``dims`` (symbolic dimension names of every type in the model).  Dimensions are
no values: renaming two to one name merges them (``unk__214`` of the input and ``unk__215`` of the
output both become ``batch``), which is what a user wants there.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Literal

import onnx

from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import Path, format_path
from onnxtext.core.index import Index, Producer, Scope
from onnxtext.roundtrip import patch

RenameScope = Literal["values", "inputs", "outputs", "nodes", "dims"]
SCOPES: tuple[RenameScope, ...] = ("values", "inputs", "outputs", "nodes", "dims")
_HINT = "choose a replacement that keeps names distinct (--dry-run shows every change)"


@dataclasses.dataclass(frozen=True)
class Renaming:
    """One name changed: how it read, how it reads now, and in how many places."""

    old: str
    new: str
    places: int


@dataclasses.dataclass(frozen=True)
class Plan:
    """A rename found: the new text of every place a changed name is written, by document path."""

    edits: dict[Path, str]
    renamings: list[Renaming]


@dataclasses.dataclass
class Refused(OnnxTextError):
    """E602: the rename would change what the model means.  ``taken`` is the value that already has
    the new name, when the refusal is about one (the editor names it and its line)."""

    taken: Producer | None = None


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
    if scope == "dims":
        plan = _plan_dims(model, change)
    else:
        index = Index.of_model(model)
        if scope == "nodes":
            plan = _plan_nodes(index, change)
        elif scope == "values":
            plan = plan_values(index, lambda _, name: change(name))
        else:
            main = index.scopes[0]
            chosen = {name for name, _ in main.outputs} if scope == "outputs" else _input_names(main)
            plan = plan_values(
                index, lambda sc, name: change(name) if sc is main and name in chosen else name
            )
    return patch.renamed(model, plan.edits), plan.renamings


def _input_names(scope: Scope) -> set[str]:
    return {name for name, kind, _ in scope.defines if kind == "input"}


def plan_values(index: Index, new_name: Callable[[Scope, str], str]) -> Plan:
    """Rename values: each value (its defining scope and name) is to be called ``new_name(scope,
    name)``; a use nothing defines follows the name in its outermost scope.  Raises :class:`Refused`."""
    finals: dict[tuple[int, str], str] = {}

    def final(scope: Scope, name: str) -> str:
        key = (scope.id, name)
        found = finals.get(key)
        if found is None:
            found = finals[key] = new_name(scope, name)
        return found

    _refuse_value_clashes(index, final)
    return _plan(
        (path, name, final(home if home is not None else _outermost(index, path), name))
        for path, name, home, _ in index.places()
    )


def _outermost(index: Index, path: Path) -> Scope:
    return index.scope_at[path[:1] if path[0] == "graph" else path[:2]]


def _refuse_value_clashes(index: Index, final: Callable[[Scope, str], str]) -> None:
    """Raise Refused for a name made empty, two values of one scope that would share a name, or a
    value that would share its name with one of an enclosing scope (scopes come parents first)."""
    defined: dict[int, list[Producer]] = {}
    for (scope_id, _), producers in index.producers.items():
        defined.setdefault(scope_id, []).append(producers[0])
    taken: dict[int, dict[str, Producer]] = {}
    for scope in index.scopes:
        mine: dict[str, Producer] = {}
        for producer in defined.get(scope.id, ()):
            new = final(scope, producer.name)
            if not new:
                raise Refused(
                    "E602",
                    f"renaming {producer.name!r} would leave it without a name",
                    path=producer.name_path,
                    hint=_HINT,
                )
            other = mine.setdefault(new, producer)
            if other is not producer:
                _clash(new, producer, other, "collides with")
        for outer in list(scope.chain())[1:]:
            for new, inner in mine.items():
                other = taken[outer.id].get(new)
                if other is not None and other.name != inner.name:
                    _clash(new, inner, other, "captures the outer")
        taken[scope.id] = mine


def _clash(new: str, first: Producer, second: Producer, relation: str) -> None:
    """Refuse two distinct values that would both read ``new``, naming both and where they are defined."""
    message = (
        f"after the rename {first.name!r} ({format_path(first.name_path)}) {relation} {second.name!r} "
        f"({format_path(second.name_path)}): both would be named {new!r}"
    )
    taken = first if first.name == new else second if second.name == new else None
    raise Refused("E602", message, path=first.name_path, hint=_HINT, taken=taken)


def _plan_nodes(index: Index, change: Callable[[str], str]) -> Plan:
    """Node names: two named nodes of one graph must not share a new name; a node may lose its name."""
    for scope in index.scopes:
        seen: dict[str, tuple[str, Path]] = {}
        for node in scope.nodes:
            new = change(node.name) if node.name else ""
            if not new:
                continue
            other = seen.setdefault(new, (node.name, (*node.path, "name")))
            if other[0] != node.name:
                message = (
                    f"after the rename {node.name!r} ({format_path((*node.path, 'name'))}) collides with "
                    f"{other[0]!r} ({format_path(other[1])}): both would be named {new!r}"
                )
                raise Refused("E602", message, path=(*node.path, "name"), hint=_HINT)
    return _plan(((*node.path, "name"), node.name, change(node.name)) for node in index.nodes if node.name)


def _plan_dims(model: onnx.ModelProto, change: Callable[[str], str]) -> Plan:
    """Dimension names: any two may become one; none may become empty."""
    places = [(path, name, change(name)) for path, name in patch.dim_names(model)]
    for path, name, new in places:
        if not new:
            message = f"renaming {name!r} would leave it without a name"
            raise Refused("E602", message, path=path[:-1], hint=_HINT)
    return _plan(places)


def _plan(places: Iterable[tuple[Path, str, str]]) -> Plan:
    edits: dict[Path, str] = {}
    counts: Counter[tuple[str, str]] = Counter()
    for path, old, new in places:
        if new != old:
            edits[path] = new
            counts[old, new] += 1
    return Plan(edits, [Renaming(old, new, n) for (old, new), n in counts.items()])

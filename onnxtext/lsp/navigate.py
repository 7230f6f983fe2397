"""What is under the cursor, where it is defined, where it is used, and what renaming it changes.

All answers come from the snapshot's :class:`~onnxtext.core.index.Index` (names resolved through the
scope chain: a use inside an If/Loop/Scan body may refer to a value of an enclosing graph) and its
source map (every answer is a document path, placed as a text span).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Literal

from onnxtext.base.paths import Path
from onnxtext.core.index import Node, Producer, Scope
from onnxtext.core.positions import Span
from onnxtext.lint.edits import literal
from onnxtext.lsp.snapshot import Snapshot
from onnxtext.surgery.rename import Refused, plan_values

TargetKind = Literal["value", "op", "attribute", "node"]
_LISTED = ("inputs", "outputs", "initializers", "value_info")


@dataclasses.dataclass(frozen=True)
class Target:
    """An element the cursor is on: a value name (with the scope it is read in), an op, an attribute."""

    kind: TargetKind
    path: Path  # the element holding the name (list item or mapping entry)
    name: str
    scope: Scope | None = None
    node: Node | None = None


def target_at(snapshot: Snapshot, line: int, col: int) -> Target | None:
    """The named element at 1-based ``line:col``, or None when the cursor is on nothing with a name."""
    path = snapshot.path_at(line, col)
    if path is None:
        return None
    owner, rest = snapshot.owner(path)
    if isinstance(owner, Node):
        return _in_node(snapshot, owner, rest)
    if isinstance(owner, Scope):
        return _in_scope(snapshot, owner, rest)
    return None


def _in_node(snapshot: Snapshot, node: Node, rest: Path) -> Target | None:
    if len(rest) == 2 and rest[0] in ("inputs", "outputs") and isinstance(rest[1], int):
        names = node.inputs if rest[0] == "inputs" else node.outputs
        name = names[rest[1]] if rest[1] < len(names) else ""
        return Target("value", (*node.path, *rest), name, node.scope, node) if name else None
    if rest == ("op_type",):
        return Target("op", (*node.path, "op_type"), node.op_type, node.scope, node)
    if len(rest) == 2 and rest[0] == "attributes" and isinstance(rest[1], str):
        return Target("attribute", (*node.path, *rest), rest[1], node.scope, node)
    if rest in ((), ("name",)):
        return Target("node", node.path, node.name, node.scope, node)
    return None


def _in_scope(snapshot: Snapshot, scope: Scope, rest: Path) -> Target | None:
    if len(rest) < 2 or rest[0] not in (*_LISTED, "sparse_initializers") or not isinstance(rest[1], int):
        return None
    item = (*scope.path, *rest[:2])
    value = snapshot.value(item)
    if isinstance(value, str):  # a function's inputs and outputs are plain names
        return Target("value", item, value, scope) if value else None
    if rest[0] == "sparse_initializers":
        item, value = (*item, "values"), snapshot.value((*item, "values"))
    name = value.get("name") if isinstance(value, dict) else None
    return Target("value", (*item, "name"), name, scope) if isinstance(name, str) and name else None


# -- definitions and uses -------------------------------------------------------------------------


def name_path(producer: Producer) -> Path:
    """The path of the text that spells a producer's name."""
    return producer.name_path


def definition(snapshot: Snapshot, target: Target) -> Producer | None:
    """What a value name refers to: its producer in the innermost scope that has one."""
    if target.kind != "value" or target.scope is None:
        return None
    return snapshot.index.resolve(target.scope, target.name)


def _within(scope: Scope, outer: Scope) -> bool:
    return any(s is outer for s in scope.chain())


def occurrences(snapshot: Snapshot, producer: Producer) -> Iterator[tuple[Path, bool]]:
    """Every place the value ``producer`` defines is written: (path of the name, is a definition).

    Definitions (every producer of the name in its scope: a graph input and its initializer are one
    value), then each use that resolves to it (in the scope or in any subgraph inside it, unless a
    nearer scope defines the name again) and each value_info entry describing it.
    """
    index, name, home = snapshot.index, producer.name, producer.scope
    for each in index.producers_of(home, name):
        yield name_path(each), True
    for scope in index.scopes:
        if not _within(scope, home):
            continue
        found = index.resolve(scope, name)
        if found is None or found.scope is not home:
            continue
        for use in index.consumers_of(scope, name):
            yield (use.path if use.kind == "node" or scope.kind == "function" else (*use.path, "name")), False
        for entry, path in scope.value_info:
            if entry == name:
                yield (*path, "name"), False


def spans(snapshot: Snapshot, paths: Iterator[Path]) -> list[Span]:
    """The spans of the names at ``paths`` that the text has, in document order."""
    found = (snapshot.value_span(path) for path in paths)
    return sorted({span for span in found if span is not None})


# -- rename ---------------------------------------------------------------------------------------


class RenameRefused(ValueError):
    """The new name would change what the model means (the message says why)."""


def rename_edits(snapshot: Snapshot, producer: Producer, new: str) -> list[tuple[Span, str]]:
    """(span, new text) for every place the value is written; raises RenameRefused for a taken name.

    The one rename (:func:`onnxtext.surgery.rename.plan_values`, the command's own rules) decides
    which places change and what it refuses; here its paths become spans of the text.
    """
    if new == producer.name:
        return []
    home, old = producer.scope, producer.name
    try:
        plan = plan_values(snapshot.index, lambda scope, name: new if scope is home and name == old else name)
    except Refused as refused:
        raise RenameRefused(_refusal(snapshot, refused, new)) from None
    written = literal(new, snapshot.document.format)
    return [(span, written) for span in spans(snapshot, iter(plan.edits))]


def _refusal(snapshot: Snapshot, refused: Refused, new: str) -> str:
    """Why, in the editor's words: the value that has the name already, and its line."""
    if not new:
        return "a value needs a name"
    taken = refused.taken
    if taken is None:
        return refused.message
    span = snapshot.span(taken.path)
    where = f", line {span.line}" if span is not None else ""
    return f"'{new}' is already the name of a value ({_kind(taken)}{where})"


def _kind(producer: Producer) -> str:
    if producer.node is not None:
        return f"output of node {producer.node.label()}"
    return producer.kind.replace("_", " ")

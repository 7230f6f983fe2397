"""What changed between two models, in model terms: nodes, attributes, tensors, inputs, outputs, opsets.

A text diff of two dumps says which *lines* changed; this says which *elements* did.  Each model's
graphs are read through its :class:`~onnxtext.core.index.Index` (scopes, nodes, paths); nodes are
paired by :mod:`onnxtext.diff.pairing`, initializers by :mod:`onnxtext.diff.tensors`.  Every change
names the document path of its element (``graph.nodes[12].attributes.strides``), as ``onnxtext dump``
would write it; attribute values are shown as the document writes them.  Sub-graphs (If/Loop/Scan
bodies) and functions are compared the same way, recursively.

Nodes and tensors are compared by their serialized bytes first, and only the ones that differ are
looked at field by field.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path as FsPath
from typing import Any

import onnx
from onnx import AttributeProto, ModelProto

from onnxtext.base.collector import gc_paused
from onnxtext.core.index import Index, Scope
from onnxtext.diff.changes import SECTIONS, Change, Detail, ModelDiff, entries, keyed, kind_of, moved, opsets
from onnxtext.diff.display import function_what, named, node_what, shown_attributes, type_text
from onnxtext.diff.hashing import same_bytes
from onnxtext.diff.pairing import NodePairing, Renames
from onnxtext.diff.side import Side
from onnxtext.diff.tensors import initializer_changes
from onnxtext.surgery.files import read_located

_MODEL_FIELDS = ("ir_version", "producer_name", "producer_version", "domain", "model_version", "doc_string")


@dataclasses.dataclass(frozen=True)
class ScopePairing:
    """The nodes of scope ``b`` (of model B) paired with those of scope ``a`` (of model A): position in
    ``b`` -> position in ``a``, identical nodes included."""

    a: Scope
    b: Scope
    pairs: dict[int, int]


@dataclasses.dataclass(frozen=True)
class Comparison:
    """What :func:`compare_models` found: the changes, each model's Index and the node pairings of
    every pair of scopes it compared (the scopes inside identical nodes and functions were not: their
    nodes are paired by position).  Pictures of a diff colour and link nodes from it."""

    changes: list[Change]
    index_a: Index
    index_b: Index
    pairings: list[ScopePairing]


def diff_files(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> ModelDiff:
    """Compare two models, each a ``.onnx`` file or an onnxtext document (``.yaml``/``.yml``/``.json``)."""
    return compare_files(a, b)[0]


def compare_files(
    a: str | os.PathLike[str], b: str | os.PathLike[str]
) -> tuple[ModelDiff, Comparison | None]:
    """:func:`diff_files`, and the comparison behind it (None for two files of the same bytes)."""
    first, second = FsPath(a), FsPath(b)
    if same_bytes(first, second) and first.resolve().parent == second.resolve().parent:
        return ModelDiff(str(a), str(b), ()), None  # elsewhere, the same references may name other data files
    (model_a, dir_a), (model_b, dir_b) = read_located(first), read_located(second)
    comparison = compare_models(model_a, model_b, dir_a, dir_b)
    return ModelDiff(str(a), str(b), tuple(comparison.changes)), comparison


def diff_models(
    a: ModelProto, b: ModelProto, data_dir_a: FsPath | None = None, data_dir_b: FsPath | None = None
) -> list[Change]:
    """The changes from ``a`` to ``b``; the folders let values of external-data tensors be compared."""
    return compare_models(a, b, data_dir_a, data_dir_b).changes


def compare_models(
    a: ModelProto, b: ModelProto, data_dir_a: FsPath | None = None, data_dir_b: FsPath | None = None
) -> Comparison:
    """:func:`diff_models`, with the indexes and node pairings it was found from."""
    pairings: list[ScopePairing] = []
    with gc_paused():  # hundreds of thousands of keys and records, all alive until the end
        index_a, index_b = Index.of_models(a, b)
        changes = list(_model_fields(a, b))
        main_a = Side(a, index_a.scopes[0], data_dir_a)
        main_b = Side(b, index_b.scopes[0], data_dir_b)
        changes += _scope_changes(main_a, main_b, Renames(), pairings)
        changes += _functions(a, b, index_a, index_b, pairings)
    order = {section: i for i, section in enumerate(SECTIONS)}
    changes.sort(key=lambda c: order[c.section])  # stable: graph order within a section
    return Comparison(changes, index_a, index_b, pairings)


# ------------------------------------------------------------------------------------------ model level


def _model_fields(a: ModelProto, b: ModelProto) -> Iterator[Change]:
    details = [
        Detail(field, _scalar_field(a, field), _scalar_field(b, field))
        for field in _MODEL_FIELDS
        if _scalar_field(a, field) != _scalar_field(b, field)
    ]
    details += keyed("opset_import", opsets(a.opset_import), opsets(b.opset_import))
    details += keyed("metadata_props", entries(a.metadata_props), entries(b.metadata_props))
    for field in ("name", "doc_string"):
        old, new = _scalar_field(a.graph, field), _scalar_field(b.graph, field)
        if old != new:
            details.append(Detail(f"graph.{field}", old, new))
    if details:
        yield Change("model", "changed", (), "model", details=tuple(details))


def _scalar_field(msg: Any, field: str) -> Any:
    return getattr(msg, field) if msg.HasField(field) else None


# ------------------------------------------------------------------------------------------- a scope


def _scope_changes(a: Side, b: Side, values: Renames, pairings: list[ScopePairing]) -> list[Change]:
    """Changes from one graph (or function) to another; ``values`` learns the renames found on the way,
    ``pairings`` the node pairings of this scope and of the subgraphs compared inside it."""
    changes = _io("inputs", a, b, _declared(a, "input"), _declared(b, "input"), values, by_position=True)
    changes += initializer_changes(a, b, values)
    pairing = NodePairing(a, b, values)
    pairings.append(ScopePairing(a.scope, b.scope, pairing.pairs))
    changes += _node_changes(pairing, pairings)
    outputs_a = _declared(a, "output")
    changes += _io("outputs", a, b, outputs_a, _declared(b, "output"), values, by_position=True)
    graph_outputs = {name for name, _ in outputs_a}
    changes += [
        Change("values", "renamed", path, repr(old), details=(Detail("name", old, new),))
        for path, old, new in pairing.renamed_outputs
        if old not in graph_outputs  # reported under outputs
    ]
    infos_a = [(v.name, v) for v in a.body.value_info]
    infos_b = [(v.name, v) for v in b.body.value_info]
    changes += _io("value_info", a, b, infos_a, infos_b, values, by_position=False)
    return changes


def _declared(side: Side, field: str) -> list[tuple[str, onnx.ValueInfoProto | None]]:
    """A graph's inputs or outputs with their declarations; a function's names (no types)."""
    items = getattr(side.body, field)
    if isinstance(side.body, onnx.FunctionProto):
        return [(name, None) for name in items]
    return [(v.name, v) for v in items]


def _io(
    section: str,
    a: Side,
    b: Side,
    items_a: list[tuple[str, onnx.ValueInfoProto | None]],
    items_b: list[tuple[str, onnx.ValueInfoProto | None]],
    values: Renames,
    *,
    by_position: bool,
) -> list[Change]:
    """Graph inputs, outputs or value infos: paired by (mapped) name, then by position; types compared.

    A value info follows its value: its renaming is reported where the value's is, not here.
    """
    index_a = {name: i for i, (name, _) in enumerate(items_a)}
    paired: dict[int, int] = {}  # b index -> a index
    taken: set[int] = set()
    for j, (name, _) in enumerate(items_b):
        i = index_a.get(values(name))
        if i is not None and i not in taken:
            paired[j] = i
            taken.add(i)
    if by_position:
        for j in range(min(len(items_a), len(items_b))):
            if j not in paired and j not in taken:
                paired[j] = j
                taken.add(j)
    changes: list[Change] = []
    for j, i in sorted(paired.items(), key=lambda p: p[1]):
        (name_a, info_a), (name_b, info_b) = items_a[i], items_b[j]
        details = []
        if name_a != name_b and section != "value_info":
            details.append(Detail("name", name_a, name_b))
            values.pair([name_a], [name_b])
        type_a, type_b = type_text(info_a), type_text(info_b)
        if type_a != type_b:
            details.append(Detail("type", type_a, type_b))
        doc_a, doc_b = (info.doc_string if info is not None else "" for info in (info_a, info_b))
        if doc_a != doc_b:
            details.append(Detail("doc_string", doc_a, doc_b))
        if details:
            path, new_path = (*a.path, section, i), (*b.path, section, j)
            changes.append(
                Change(section, kind_of(details), path, repr(name_a), moved(path, new_path), tuple(details))
            )
    changes += [
        Change(section, "removed", (*a.path, section, i), named(name, info))
        for i, (name, info) in enumerate(items_a)
        if i not in taken
    ]
    changes += [
        Change(section, "added", (*b.path, section, j), named(name, info))
        for j, (name, info) in enumerate(items_b)
        if j not in paired
    ]
    return changes


# ---------------------------------------------------------------------------------------------- nodes


def _node_changes(pairing: NodePairing, pairings: list[ScopePairing]) -> list[Change]:
    a, b, pairs = pairing.a, pairing.b, pairing.pairs
    changes: list[Change] = []
    for j in sorted((j for j in pairing.changed if j in pairs), key=pairs.__getitem__):
        changes += _pair_changes(pairing, pairs[j], j, pairings)
    nodes_a, nodes_b = pairing.nodes_a, pairing.nodes_b
    changes += [
        Change("nodes", "removed", nodes_a[i].path, node_what(a.protos[i])) for i in pairing.unpaired_a()
    ]
    changes += [
        Change("nodes", "added", nodes_b[j].path, node_what(b.protos[j])) for j in pairing.unpaired_b()
    ]
    return changes


def _pair_changes(pairing: NodePairing, i: int, j: int, pairings: list[ScopePairing]) -> list[Change]:
    """What differs between node ``i`` of A and node ``j`` of B, and inside their subgraphs."""
    a, b, values = pairing.a, pairing.b, pairing.values
    old, new = pairing.nodes_a[i], pairing.nodes_b[j]
    old_proto, new_proto = a.protos[i], b.protos[j]
    details = [
        Detail(field, getattr(old, field), getattr(new, field))
        for field in ("name", "op_type", "domain", "overload")
        if getattr(old, field) != getattr(new, field)
    ]
    if old_proto.doc_string != new_proto.doc_string:
        details.append(Detail("doc_string", old_proto.doc_string, new_proto.doc_string))
    for field, before, after in (("inputs", old.inputs, new.inputs), ("outputs", old.outputs, new.outputs)):
        if before != after and before != [values(name) for name in after]:
            details.append(Detail(field, list(before), list(after)))
    if old_proto.metadata_props or new_proto.metadata_props:
        details += keyed(
            "metadata_props", entries(old_proto.metadata_props), entries(new_proto.metadata_props)
        )
    if old_proto.attribute != new_proto.attribute:
        details += _attribute_details(old_proto, new_proto, values)
    changes: list[Change] = []
    if details:
        changes.append(
            Change(
                "nodes",
                kind_of(details),
                old.path,
                node_what(old_proto),
                moved(old.path, new.path),
                tuple(details),
            )
        )
    inner = {sub.path[len(new.path) :]: sub for sub in new.subgraphs} if old.subgraphs else {}
    for sub in old.subgraphs:
        twin = inner.get(sub.path[len(old.path) :])
        if twin is not None:
            changes += _scope_changes(a.of(sub), b.of(twin), values.child(), pairings)
    return changes


def _attribute_details(old: onnx.NodeProto, new: onnx.NodeProto, values: Renames) -> list[Detail]:
    """Attributes added, removed or changed, their values as the document writes them.

    Graph-valued attributes are compared by recursion (see :func:`_pair_changes`), except when one
    side has no graph there.  A tensor attribute whose name is a value renamed between the two (an
    exporter names a Constant's tensor after its output) is the rename, already reported, not a change.
    """
    before = {a.name: a for a in old.attribute}
    after = {a.name: a for a in new.attribute}
    differing = [
        name
        for name in [*before, *(n for n in after if n not in before)]
        if before.get(name) is None or after.get(name) is None or _differ(before[name], after[name], values)
    ]
    differing = [name for name in differing if not _both_graphs(before.get(name), after.get(name))]
    if not differing:
        return []
    shown_old, shown_new = shown_attributes(old), shown_attributes(new)
    return [Detail(f"attributes.{name}", shown_old.get(name), shown_new.get(name)) for name in differing]


def _differ(old: AttributeProto, new: AttributeProto, values: Renames) -> bool:
    if old.SerializeToString() == new.SerializeToString():
        return False
    if old.type != AttributeProto.TENSOR or old.t.name == new.t.name or values(new.t.name) != old.t.name:
        return True
    renamed = AttributeProto()
    renamed.CopyFrom(new)
    renamed.t.name = old.t.name
    return old.SerializeToString() != renamed.SerializeToString()


def _both_graphs(old: AttributeProto | None, new: AttributeProto | None) -> bool:
    graphs = (AttributeProto.GRAPH, AttributeProto.GRAPHS)
    return old is not None and new is not None and old.type == new.type and old.type in graphs


# ------------------------------------------------------------------------------------------ functions


def _functions(
    a: ModelProto, b: ModelProto, index_a: Index, index_b: Index, pairings: list[ScopePairing]
) -> list[Change]:
    scopes_a = {s.function: s for s in index_a.scopes if s.function is not None}
    scopes_b = {s.function: s for s in index_b.scopes if s.function is not None}
    changes: list[Change] = []
    for key, scope in scopes_a.items():
        path = scope.path
        old = a.functions[path[1]]  # type: ignore[index]
        twin = scopes_b.get(key)
        if twin is None:
            changes.append(Change("functions", "removed", path, function_what(old)))
            continue
        new_path = twin.path
        new = b.functions[new_path[1]]  # type: ignore[index]
        if old.SerializeToString() == new.SerializeToString():
            continue
        details = []
        if list(old.attribute) != list(new.attribute):
            details.append(Detail("attributes", list(old.attribute), list(new.attribute)))
        details += keyed("opset_import", opsets(old.opset_import), opsets(new.opset_import))
        if old.doc_string != new.doc_string:
            details.append(Detail("doc_string", old.doc_string, new.doc_string))
        if details:
            changes.append(
                Change(
                    "functions", "changed", path, function_what(old), moved(path, new_path), tuple(details)
                )
            )
        changes += _scope_changes(Side(a, scope, None), Side(b, twin, None), Renames(), pairings)
    for key, scope in scopes_b.items():
        if key not in scopes_a:
            new = b.functions[scope.path[1]]  # type: ignore[index]
            changes.append(Change("functions", "added", scope.path, function_what(new)))
    return changes

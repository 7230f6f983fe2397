"""What changed between two models, in model terms: nodes, attributes, tensors, inputs, outputs, opsets.

A text diff of two dumps says which *lines* changed; this says which *elements* did.  Nodes are
paired first by name (unique, non-empty names), then by structure, in graph order, so that a node
whose name was empty or was changed is still paired with itself:

1. same op, same attributes and the same inputs (after the renames found so far);
2. same op and the same inputs (its attributes changed);
3. same op and the same outputs (its inputs were rewired).

Pairing a node pairs its outputs, so one renamed value (``sed s/fire/block/``) is one rename, not a
removal and an addition of every node downstream.  Every change names the document path of its
element (``graph.nodes[12].attributes.strides``), as ``onnxtext dump`` would write it; attribute
values are shown as the document writes them.  Sub-graphs (If/Loop/Scan bodies) and functions are
compared the same way, recursively.

Fast path: nodes and tensors are compared by their serialized bytes, and only the ones that differ
are looked at field by field, so two 50,000-node models compare in about a second.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import math
import os
import stat
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path as FsPath
from typing import Any

import numpy as np
import onnx
from google.protobuf import text_format
from onnx import AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, numpy_helper
from onnx.external_data_helper import ExternalDataInfo

from onnxtext.base.paths import Path, format_path
from onnxtext.codecs.policy import Policy
from onnxtext.diff.changes import SECTIONS, Change, Detail, Kind, ModelDiff
from onnxtext.roundtrip.encode import encode_model
from onnxtext.roundtrip.types import format_tensor_type, format_type
from onnxtext.surgery.files import read_located

_DISPLAY = Policy(mode="digest")  # attribute tensors are shown as the textconv shows them


def diff_files(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> ModelDiff:
    """Compare two models, each a ``.onnx`` file or an onnxtext document (``.yaml``/``.yml``/``.json``)."""
    first, second = FsPath(a), FsPath(b)
    if _same_bytes(first, second) and first.resolve().parent == second.resolve().parent:
        return ModelDiff(str(a), str(b), ())  # elsewhere, the same references may name other data files
    (model_a, dir_a), (model_b, dir_b) = read_located(first), read_located(second)
    return ModelDiff(str(a), str(b), tuple(diff_models(model_a, model_b, dir_a, dir_b)))


def diff_models(
    a: ModelProto, b: ModelProto, data_dir_a: FsPath | None = None, data_dir_b: FsPath | None = None
) -> list[Change]:
    """The changes from ``a`` to ``b``; the folders let values of external-data tensors be compared."""
    changes = list(_model_fields(a, b))
    values = _ValueMap()
    changes += _Scope.of_graph(a.graph, ("graph",), data_dir_a).diff(
        _Scope.of_graph(b.graph, ("graph",), data_dir_b), values
    )
    changes += _functions(a, b)
    order = {section: i for i, section in enumerate(SECTIONS)}
    return sorted(changes, key=lambda c: order[c.section])  # stable: graph order within a section


# ------------------------------------------------------------------------------------------- reading


def _same_bytes(a: FsPath, b: FsPath) -> bool:
    """Identical files are the same model, whatever they hold (one cheap look before any parsing).

    Only regular files are read twice: a pipe (``<(git show ...)``) is read once, by the parser.
    """
    try:
        first, second = a.stat(), b.stat()
        if not (stat.S_ISREG(first.st_mode) and stat.S_ISREG(second.st_mode)):
            return False
        if first.st_size != second.st_size:
            return False
        with open(a, "rb") as fa, open(b, "rb") as fb:
            while True:
                chunk = fa.read(1 << 20)
                if chunk != fb.read(1 << 20):
                    return False
                if not chunk:
                    return True
    except OSError:
        return False  # reading reports it properly


# ------------------------------------------------------------------------------------------ model level


_MODEL_FIELDS = ("ir_version", "producer_name", "producer_version", "domain", "model_version", "doc_string")


def _model_fields(a: ModelProto, b: ModelProto) -> Iterator[Change]:
    details = [
        Detail(field, _scalar_field(a, field), _scalar_field(b, field))
        for field in _MODEL_FIELDS
        if _scalar_field(a, field) != _scalar_field(b, field)
    ]
    details += _keyed("opset_import", _opsets(a.opset_import), _opsets(b.opset_import))
    details += _keyed("metadata_props", _entries(a.metadata_props), _entries(b.metadata_props))
    for field in ("name", "doc_string"):
        old, new = _scalar_field(a.graph, field), _scalar_field(b.graph, field)
        if old != new:
            details.append(Detail(f"graph.{field}", old, new))
    if details:
        yield Change("model", "changed", (), "model", details=tuple(details))


def _scalar_field(msg: Any, field: str) -> Any:
    return getattr(msg, field) if msg.HasField(field) else None


def _opsets(opsets: Iterable[onnx.OperatorSetIdProto]) -> dict[str, int]:
    return {o.domain: o.version for o in opsets}


def _entries(entries: Iterable[onnx.StringStringEntryProto]) -> dict[str, str]:
    return {e.key: e.value for e in entries}


def _keyed(field: str, old: dict[str, Any], new: dict[str, Any]) -> list[Detail]:
    """One detail per key of a mapping that was added, removed or changed (``opset_import['']``)."""
    return [
        Detail(format_path((field, key)), old.get(key), new.get(key))
        for key in sorted(old.keys() | new.keys())
        if old.get(key) != new.get(key)
    ]


# -------------------------------------------------------------------------------------- value renames


class _ValueMap:
    """B value name -> A value name, for the values found to be the same under another name."""

    def __init__(self, renames: dict[str, str] | None = None) -> None:
        self.renames: dict[str, str] = dict(renames or {})

    def __call__(self, name: str) -> str:
        return self.renames.get(name, name)

    def pair(self, a_names: Sequence[str], b_names: Sequence[str]) -> None:
        for old, new in zip(a_names, b_names, strict=False):
            if old != new and new:
                self.renames[new] = old

    def child(self) -> _ValueMap:
        """A map for a sub-graph: it sees the outer renames; its own stay inside."""
        return _ValueMap(self.renames)


# ------------------------------------------------------------------------------------------- a scope


@dataclasses.dataclass
class _Scope:
    """What two graphs (or two functions) are compared by: names in, tensors, nodes, names out."""

    path: Path
    inputs: list[tuple[str, onnx.ValueInfoProto | None]]
    outputs: list[tuple[str, onnx.ValueInfoProto | None]]
    value_info: list[onnx.ValueInfoProto]
    initializers: list[TensorProto]
    nodes: Sequence[NodeProto]
    data_dir: FsPath | None

    @classmethod
    def of_graph(cls, graph: GraphProto, path: Path, data_dir: FsPath | None) -> _Scope:
        return cls(
            path,
            [(v.name, v) for v in graph.input],
            [(v.name, v) for v in graph.output],
            list(graph.value_info),
            list(graph.initializer),
            graph.node,
            data_dir,
        )

    @classmethod
    def of_function(cls, function: onnx.FunctionProto, path: Path) -> _Scope:
        return cls(
            path,
            [(name, None) for name in function.input],
            [(name, None) for name in function.output],
            list(function.value_info),
            [],
            function.node,
            None,
        )

    def diff(self, other: _Scope, values: _ValueMap) -> list[Change]:
        """Changes from this scope to ``other``; ``values`` learns the renames found on the way."""
        changes = _io("inputs", self, other, self.inputs, other.inputs, values, by_position=True)
        changes += _initializers(self, other, values)
        nodes = _NodeDiff(self, other, values)
        changes += nodes.changes()
        changes += _io("outputs", self, other, self.outputs, other.outputs, values, by_position=True)
        graph_outputs = {name for name, _ in self.outputs}
        changes += [
            Change("values", "renamed", path, repr(old), details=(Detail("name", old, new),))
            for path, old, new in nodes.renamed_outputs
            if old not in graph_outputs  # reported under outputs
        ]
        infos_a = [(v.name, v) for v in self.value_info]
        infos_b = [(v.name, v) for v in other.value_info]
        changes += _io("value_info", self, other, infos_a, infos_b, values, by_position=False)
        return changes


def _io(
    section: str,
    a: _Scope,
    b: _Scope,
    items_a: list[tuple[str, onnx.ValueInfoProto | None]],
    items_b: list[tuple[str, onnx.ValueInfoProto | None]],
    values: _ValueMap,
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
        type_a, type_b = _type_text(info_a), _type_text(info_b)
        if type_a != type_b:
            details.append(Detail("type", type_a, type_b))
        doc_a, doc_b = (info.doc_string if info is not None else "" for info in (info_a, info_b))
        if doc_a != doc_b:
            details.append(Detail("doc_string", doc_a, doc_b))
        if details:
            path, new_path = (*a.path, section, i), (*b.path, section, j)
            changes.append(
                Change(section, _kind(details), path, repr(name_a), _moved(path, new_path), tuple(details))
            )
    changes += [
        Change(section, "removed", (*a.path, section, i), _named(name, info))
        for i, (name, info) in enumerate(items_a)
        if i not in taken
    ]
    changes += [
        Change(section, "added", (*b.path, section, j), _named(name, info))
        for j, (name, info) in enumerate(items_b)
        if j not in paired
    ]
    return changes


def _kind(details: list[Detail]) -> Kind:
    """A change of the name alone is a rename."""
    return "renamed" if [d.field for d in details] == ["name"] else "changed"


def _moved(path: Path, new_path: Path) -> Path | None:
    return new_path if new_path != path else None


def _named(name: str, info: onnx.ValueInfoProto | None) -> str:
    kind = _type_text(info)
    return f"{name!r}: {kind}" if kind else repr(name)


def _type_text(info: onnx.ValueInfoProto | None) -> str | None:
    """The document's type string (``float32[N,3]``); protobuf text for a type it cannot say."""
    if info is None or not info.HasField("type"):
        return None
    return format_type(info.type) or text_format.MessageToString(info.type, as_one_line=True)


# --------------------------------------------------------------------------------------- initializers


def _initializers(a: _Scope, b: _Scope, values: _ValueMap) -> list[Change]:
    """Initializers paired by name, then (renamed) by identical content; values compared numerically.

    When the two models' external data lives in different folders, equal references (``m.data`` at
    offset 0) say nothing: such tensors are compared by the bytes they refer to as well.
    """
    apart = _data_apart(a, b)
    by_bytes: dict[bytes, list[int]] = defaultdict(list)
    for i, tensor in enumerate(a.initializers):
        by_bytes[_tensor_key(tensor, a.data_dir if apart else None)].append(i)
    paired: dict[int, int] = {}  # b index -> a index
    changed: list[int] = []  # b indices not identical to a tensor of A
    for j, tensor in enumerate(b.initializers):
        same = by_bytes.get(_tensor_key(tensor, b.data_dir if apart else None))
        if same:
            paired[j] = same.pop(0)
        else:
            changed.append(j)
    taken = set(paired.values())
    by_name = {a.initializers[i].name: i for i in range(len(a.initializers)) if i not in taken}
    for j in changed:
        i = by_name.get(values(b.initializers[j].name))
        if i is not None:
            paired[j] = i
    unpaired_a: dict[bytes, list[int]] = defaultdict(list)
    taken = set(paired.values())
    for i, tensor in enumerate(a.initializers):
        if i not in taken:
            unpaired_a[_content(tensor, a.data_dir if apart else None)].append(i)
    for j, tensor in enumerate(b.initializers):
        content = _content(tensor, b.data_dir if apart else None)
        if j not in paired and unpaired_a.get(content):
            paired[j] = unpaired_a[content].pop(0)
    changes: list[Change] = []
    for j, i in sorted(((j, paired[j]) for j in changed if j in paired), key=lambda p: p[1]):
        old, new = a.initializers[i], b.initializers[j]
        if old.name != new.name:
            values.pair([old.name], [new.name])
        changes.append(
            _tensor_change(old, new, (*a.path, "initializers", i), (*b.path, "initializers", j), a, b)
        )
    taken = set(paired.values())
    changes += [
        Change("initializers", "removed", (*a.path, "initializers", i), _tensor_what(t))
        for i, t in enumerate(a.initializers)
        if i not in taken
    ]
    changes += [
        Change("initializers", "added", (*b.path, "initializers", j), _tensor_what(t))
        for j, t in enumerate(b.initializers)
        if j not in paired
    ]
    return changes


def _content(tensor: TensorProto, data_dir: FsPath | None = None) -> bytes:
    """The tensor without its name: what a renamed tensor keeps (see :func:`_tensor_key`)."""
    anonymous = TensorProto()
    anonymous.CopyFrom(tensor)
    anonymous.ClearField("name")
    return _tensor_key(anonymous, data_dir)


def _tensor_key(tensor: TensorProto, data_dir: FsPath | None) -> bytes:
    """The tensor's bytes; with ``data_dir``, an external tensor's also hold the digest of its data."""
    serialized = tensor.SerializeToString()
    if data_dir is None or tensor.data_location != TensorProto.EXTERNAL:
        return serialized
    return serialized + _external_digest(tensor, data_dir)


def _external_digest(tensor: TensorProto, data_dir: FsPath) -> bytes:
    """SHA-256 of the bytes an external tensor refers to; ``unreadable`` when they cannot be read
    (comparing the values then reports the tensor as changed, not comparable)."""
    try:
        info = ExternalDataInfo(tensor)
        path = data_dir / info.location
        state = path.stat()
        return _file_digest(path, info.offset or 0, info.length or -1, state.st_mtime_ns, state.st_size)
    except (OSError, ValueError):  # a missing file, a malformed offset or length
        return b"unreadable"


@functools.lru_cache(maxsize=4096)
def _file_digest(path: FsPath, offset: int, length: int, mtime_ns: int, size: int) -> bytes:
    """SHA-256 of ``length`` bytes (-1: to the end) of ``path`` at ``offset``; pairing and comparing a
    tensor ask for it more than once (the file's mtime and size are part of the key)."""
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        data.seek(offset)
        left = length if length >= 0 else size
        while left > 0:
            chunk = data.read(min(1 << 22, left))
            if not chunk:
                break
            digest.update(chunk)
            left -= len(chunk)
    return digest.digest()


def _data_apart(a: _Scope, b: _Scope) -> bool:
    """Whether the two scopes' external data lives in different folders."""
    if a.data_dir is None or b.data_dir is None:
        return False
    return a.data_dir.resolve() != b.data_dir.resolve()


def _tensor_what(tensor: TensorProto) -> str:
    return f"{tensor.name!r}: {_tensor_type(tensor)}"


def _tensor_type(tensor: TensorProto) -> str:
    return (
        format_tensor_type(tensor.data_type, list(tensor.dims))
        or f"data_type {tensor.data_type}{list(tensor.dims)}"
    )


def _tensor_change(
    old: TensorProto, new: TensorProto, path: Path, new_path: Path, a: _Scope, b: _Scope
) -> Change:
    details: list[Detail] = []
    if old.name != new.name:
        details.append(Detail("name", old.name, new.name))
    type_old, type_new = _tensor_type(old), _tensor_type(new)
    if type_old != type_new:
        details.append(Detail("type", type_old, type_new))
    stats = None
    apart = _data_apart(a, b)
    if _content(old, a.data_dir if apart else None) != _content(new, b.data_dir if apart else None):
        stats = _value_stats(old, new, a.data_dir, b.data_dir)
        if stats is None or stats.get("differing"):
            details.append(Detail("values", None, None))
        elif stats is not None and not stats.get("differing"):
            stats = None  # same numbers, another encoding (raw_data vs float_data, external data...)
            details.append(Detail("encoding", None, None))
    return Change(
        "initializers", _kind(details), path, _tensor_what(old), _moved(path, new_path), tuple(details), stats
    )


def _value_stats(
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


# ---------------------------------------------------------------------------------------------- nodes


class _NodeDiff:
    """Pairs the nodes of two scopes (see the module docstring) and reports what differs."""

    def __init__(self, a: _Scope, b: _Scope, values: _ValueMap) -> None:
        self.a, self.b, self.values = a, b, values
        self.pairs: dict[int, int] = {}  # b index -> a index
        self.taken: set[int] = set()
        self.renamed_outputs: list[tuple[Path, str, str]] = []  # (path in A, old name, new name)

    def changes(self) -> list[Change]:
        changed = self.pair_identical()
        self.pair_by_name()
        for key in (self.exact_key, self.inputs_key, self.outputs_key):
            self.pair_by(key)
        changes: list[Change] = []
        for j, i in sorted(self.pairs.items(), key=lambda p: p[1]):
            if j in changed:
                changes += self.compare(i, j)
        changes += [
            Change("nodes", "removed", self.path_a(i), _node_what(node))
            for i, node in enumerate(self.a.nodes)
            if i not in self.taken
        ]
        changes += [
            Change("nodes", "added", self.path_b(j), _node_what(node))
            for j, node in enumerate(self.b.nodes)
            if j not in self.pairs
        ]
        return changes

    def path_a(self, i: int) -> Path:
        return (*self.a.path, "nodes", i)

    def path_b(self, j: int) -> Path:
        return (*self.b.path, "nodes", j)

    # -- pairing --

    def pair_identical(self) -> set[int]:
        """Pair byte-identical nodes (most of them, usually); return the B nodes left to compare."""
        by_bytes: dict[bytes, list[int]] = defaultdict(list)
        for i, node in enumerate(self.a.nodes):
            by_bytes[node.SerializeToString()].append(i)
        left = set()
        for j, node in enumerate(self.b.nodes):
            same = by_bytes.get(node.SerializeToString())
            if same:
                i = same.pop(0)
                self.pairs[j] = i
                self.taken.add(i)
            else:
                left.add(j)
        return left

    def pair(self, i: int, j: int) -> None:
        self.pairs[j] = i
        self.taken.add(i)
        old, new = self.a.nodes[i].output, self.b.nodes[j].output
        self.values.pair(old, new)
        self.renamed_outputs += [
            ((*self.path_a(i), "outputs", k), before, after)
            for k, (before, after) in enumerate(zip(old, new, strict=False))
            if before != after and before and after
        ]

    def rest_a(self) -> list[int]:
        return [i for i in range(len(self.a.nodes)) if i not in self.taken]

    def rest_b(self) -> list[int]:
        return [j for j in range(len(self.b.nodes)) if j not in self.pairs]

    def pair_by_name(self) -> None:
        names_a = _unique_names(self.a.nodes, self.rest_a())
        for name, j in _unique_names(self.b.nodes, self.rest_b()).items():
            if name in names_a:
                self.pair(names_a[name], j)

    def pair_by(self, key: Callable[[NodeProto, Callable[[str], str]], Any]) -> None:
        """Pair the unpaired nodes of B, in graph order, with the first unpaired node of A of equal key."""
        candidates: dict[Any, list[int]] = defaultdict(list)
        for i in self.rest_a():
            candidates[key(self.a.nodes[i], _identity)].append(i)
        for j in self.rest_b():
            found = candidates.get(key(self.b.nodes[j], self.values))
            while found and found[0] in self.taken:
                found.pop(0)
            if found:
                self.pair(found.pop(0), j)

    @staticmethod
    def exact_key(node: NodeProto, names: Callable[[str], str]) -> Any:
        attributes = b"".join(a.SerializeToString() for a in node.attribute)
        return (node.domain, node.op_type, tuple(map(names, node.input)), len(node.output), attributes)

    @staticmethod
    def inputs_key(node: NodeProto, names: Callable[[str], str]) -> Any:
        return (node.domain, node.op_type, tuple(map(names, node.input)))

    @staticmethod
    def outputs_key(node: NodeProto, names: Callable[[str], str]) -> Any:
        return (node.domain, node.op_type, tuple(map(names, node.output)))

    # -- comparing a pair --

    def compare(self, i: int, j: int) -> list[Change]:
        old, new = self.a.nodes[i], self.b.nodes[j]
        path, new_path = self.path_a(i), self.path_b(j)
        details = [
            Detail(field, getattr(old, field), getattr(new, field))
            for field in ("name", "op_type", "domain", "overload", "doc_string")
            if getattr(old, field) != getattr(new, field)
        ]
        for field in ("input", "output"):
            before, after = list(getattr(old, field)), list(getattr(new, field))
            if before != [self.values(name) for name in after]:
                details.append(Detail(f"{field}s", before, after))
        details += _keyed("metadata_props", _entries(old.metadata_props), _entries(new.metadata_props))
        details += _attribute_details(old, new)
        changes: list[Change] = []
        if details:
            changes.append(
                Change("nodes", _kind(details), path, _node_what(old), _moved(path, new_path), tuple(details))
            )
        changes += self.subgraphs(old, new, path, new_path)
        return changes

    def subgraphs(self, old: NodeProto, new: NodeProto, path: Path, new_path: Path) -> list[Change]:
        """Changes inside the graphs held by attributes present in both nodes."""
        graphs_b = {
            a.name: a for a in new.attribute if a.type in (AttributeProto.GRAPH, AttributeProto.GRAPHS)
        }
        changes: list[Change] = []
        for attr in old.attribute:
            other = graphs_b.get(attr.name)
            if other is None or other.type != attr.type:
                continue
            for sub_path, sub_new_path, g_old, g_new in _graph_pairs(attr, other, path, new_path):
                scope_a = _Scope.of_graph(g_old, sub_path, self.a.data_dir)
                scope_b = _Scope.of_graph(g_new, sub_new_path, self.b.data_dir)
                changes += scope_a.diff(scope_b, self.values.child())
        return changes


def _identity(name: str) -> str:
    return name


def _unique_names(nodes: Sequence[NodeProto], indices: list[int]) -> dict[str, int]:
    """Non-empty names that occur once among ``nodes[indices]`` -> their index."""
    seen: dict[str, int] = {}
    repeated: set[str] = set()
    for i in indices:
        node = nodes[i]
        if node.name:
            if node.name in seen:
                repeated.add(node.name)
            seen[node.name] = i
    return {name: i for name, i in seen.items() if name not in repeated}


def _node_what(node: NodeProto) -> str:
    op = f"{node.domain}.{node.op_type}" if node.domain not in ("", "ai.onnx") else node.op_type
    return f"{op} {node.name!r}" if node.name else f"{op} -> {', '.join(node.output)}"


def _graph_pairs(
    old: AttributeProto, new: AttributeProto, path: Path, new_path: Path
) -> Iterator[tuple[Path, Path, GraphProto, GraphProto]]:
    if old.type == AttributeProto.GRAPH:
        # the document writes a graph attribute's graph as the attribute's value
        yield (*path, "attributes", old.name), (*new_path, "attributes", new.name), old.g, new.g
        return
    for k, (g_old, g_new) in enumerate(zip(old.graphs, new.graphs, strict=False)):
        yield (
            (*path, "attributes", old.name, "graphs", k),
            (*new_path, "attributes", new.name, "graphs", k),
            g_old,
            g_new,
        )


def _attribute_details(old: NodeProto, new: NodeProto) -> list[Detail]:
    """Attributes added, removed or changed, their values as the document writes them.

    Graph-valued attributes are compared by recursion (see :meth:`_NodeDiff.subgraphs`), except when
    one side has no graph there.
    """
    before = {a.name: a for a in old.attribute}
    after = {a.name: a for a in new.attribute}
    differing = [
        name
        for name in [*before, *(n for n in after if n not in before)]
        if before.get(name) is None
        or after.get(name) is None
        or before[name].SerializeToString() != after[name].SerializeToString()
    ]
    differing = [name for name in differing if not _both_graphs(before.get(name), after.get(name))]
    if not differing:
        return []
    shown_old, shown_new = _shown_attributes(old), _shown_attributes(new)
    return [Detail(f"attributes.{name}", shown_old.get(name), shown_new.get(name)) for name in differing]


def _both_graphs(old: AttributeProto | None, new: AttributeProto | None) -> bool:
    graphs = (AttributeProto.GRAPH, AttributeProto.GRAPHS)
    return old is not None and new is not None and old.type == new.type and old.type in graphs


def _shown_attributes(node: NodeProto) -> dict[str, Any]:
    """The node's attributes as the document writes them (the encoder's own forms; big tensors digested)."""
    alone = ModelProto()
    alone.graph.node.append(node)
    tree = encode_model(alone, _DISPLAY)
    attributes = tree["graph"]["nodes"][0].get("attributes", {})
    if isinstance(attributes, dict):
        return dict(attributes)
    return {item.get("name"): item for item in attributes}  # the list form: names repeat or are missing


# ------------------------------------------------------------------------------------------ functions


def _functions(a: ModelProto, b: ModelProto) -> list[Change]:
    def key(f: onnx.FunctionProto) -> tuple[str, str, str]:
        return (f.domain, f.name, f.overload)

    index_a = {key(f): i for i, f in enumerate(a.functions)}
    index_b = {key(f): j for j, f in enumerate(b.functions)}
    changes: list[Change] = []
    for k, i in index_a.items():
        old = a.functions[i]
        what = _function_what(old)
        j = index_b.get(k)
        if j is None:
            changes.append(Change("functions", "removed", ("functions", i), what))
            continue
        new = b.functions[j]
        if old.SerializeToString() == new.SerializeToString():
            continue
        path, new_path = ("functions", i), ("functions", j)
        details = []
        if list(old.attribute) != list(new.attribute):
            details.append(Detail("attributes", list(old.attribute), list(new.attribute)))
        details += _keyed("opset_import", _opsets(old.opset_import), _opsets(new.opset_import))
        if old.doc_string != new.doc_string:
            details.append(Detail("doc_string", old.doc_string, new.doc_string))
        if details:
            changes.append(Change("functions", "changed", path, what, _moved(path, new_path), tuple(details)))
        scope_a, scope_b = _Scope.of_function(old, path), _Scope.of_function(new, new_path)
        changes += scope_a.diff(scope_b, _ValueMap())
    for k, j in index_b.items():
        if k not in index_a:
            new = b.functions[j]
            changes.append(Change("functions", "added", ("functions", j), _function_what(new)))
    return changes


def _function_what(function: onnx.FunctionProto) -> str:
    return f"function {function.domain + '.' if function.domain else ''}{function.name}"

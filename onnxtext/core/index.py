"""Who produces and who uses every value of a model, in every scope, read from a document tree.

The :class:`Index` is built in one pass over a tree: a document's (not the decoded model, so it holds
even when decoding failed half-way), or a ``.onnx`` model's skeleton (:meth:`Index.of_model`: the
names and structure at the paths ``dump`` writes, :mod:`onnxtext.roundtrip.skeleton`).  Every answer
carries a document path.  Scopes are the main graph, each graph attribute of a node (If/Loop/Scan
bodies, at any depth) and each function.  A subgraph sees the names of the scopes around it (the
innermost definition wins: a body may shadow an outer name); a function sees only its own.

Producers are graph inputs, initializers (dense and sparse), node outputs and function inputs;
consumers are node inputs and graph/function outputs.  An empty name (an omitted optional input or
output) is neither.  The two tables are made on first use, from the scopes and nodes: a caller that
asks only about scopes and nodes (diff's pairing) does not pay for them.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import heapq
import weakref
from collections.abc import Iterator, Sequence
from typing import Any, Literal, overload

import numpy as np
import onnx

from onnxtext.base.collector import gc_paused
from onnxtext.base.paths import Path
from onnxtext.roundtrip.skeleton import NodeEntry, skeleton, skeletons

ScopeKind = Literal["graph", "subgraph", "function"]
ProducerKind = Literal["input", "initializer", "sparse_initializer", "node", "function_input"]
ConsumerKind = Literal["node", "output"]


class Scope:
    """A graph or function: its document path, the scope around it (subgraphs) and the node owning it.

    ``defines`` lists the names the scope defines other than by its nodes (graph inputs, initializers,
    sparse initializers, function inputs), ``outputs`` the names it returns, ``value_info`` and
    ``annotations`` (quantization annotations) the names they describe: each with the path of its
    element.  ``function`` is a function's (domain, name, overload).  The links up (``parent``,
    ``owner``, a node's ``scope``) are weak: the Index holds no reference cycle, so it is freed
    when the last reference to it goes, without waiting for the garbage collector.
    """

    def __init__(self, id: int, kind: ScopeKind, path: Path, parent: Scope | None, owner: int | None) -> None:
        self.id, self.kind, self.path = id, kind, path
        self._parent = None if parent is None else weakref.ref(parent)
        self._owner = owner  # the position of the owning node in the parent's nodes
        self.nodes: Sequence[Node] = _Nodes(self)
        self.value_info: list[tuple[str, Path]] = []
        self.defines: list[tuple[str, ProducerKind, Path]] = []
        self.outputs: list[tuple[str, Path]] = []
        self.annotations: list[tuple[str, Path]] = []
        self.function: tuple[str, str, str] | None = None

    @property
    def parent(self) -> Scope | None:
        """The scope around this one (None for the main graph and functions)."""
        return None if self._parent is None else self._parent()

    @property
    def owner(self) -> Node | None:
        """The node whose attribute holds this graph."""
        parent = self.parent
        return None if parent is None or self._owner is None else parent.nodes[self._owner]

    @property
    def root(self) -> Scope:
        """The outermost scope around this one: the main graph or a function."""
        scope = self
        while (parent := scope.parent) is not None:
            scope = parent
        return scope

    def chain(self) -> Iterator[Scope]:
        """This scope, then each enclosing one outwards."""
        scope: Scope | None = self
        while scope is not None:
            yield scope
            scope = scope.parent


@dataclasses.dataclass(eq=False, slots=True, weakref_slot=True)
class Node:
    """A node of the tree: where it is, what it is, and what it reads and writes (by name)."""

    path: Path
    scope_ref: weakref.ref[Scope]  # see Scope: the link up is weak
    position: int  # its index in the scope's node list
    op_type: str
    domain: str
    name: str
    inputs: list[str]
    outputs: list[str]
    attributes: list[str]  # attribute names, as written
    overload: str = ""
    subgraphs: list[Scope] = dataclasses.field(default_factory=list)
    # what analyses found from this node alone (lint's node-local rules), kept as long as the node: a
    # version of the document derived by an edit elsewhere shares this Node (see Index.with_node)
    meta: dict[object, object] = dataclasses.field(default_factory=dict)

    @property
    def scope(self) -> Scope:
        """The graph or function the node is in."""
        return self.scope_ref()  # type: ignore[return-value]

    def label(self) -> str:
        """How a message names the node: its name, else its op and path position."""
        return f"'{self.name}'" if self.name else f"{self.op_type or '?'} #{self.position}"


@dataclasses.dataclass(eq=False, slots=True)
class Producer:
    name: str
    kind: ProducerKind
    scope: Scope
    path: Path  # the element holding the name (the input item, the tensor, the node's output item)
    node: Node | None = None

    @property
    def name_path(self) -> Path:
        """The path of the text that spells the name."""
        if self.kind in ("node", "function_input"):
            return self.path
        if self.kind == "sparse_initializer":
            return (*self.path, "values", "name")
        return (*self.path, "name")


@dataclasses.dataclass(eq=False, slots=True)
class Consumer:
    name: str
    kind: ConsumerKind
    scope: Scope
    path: Path
    node: Node | None = None

    @property
    def name_path(self) -> Path:
        """The path of the text that spells the name (a function's outputs are plain names)."""
        return self.path if self.kind == "node" or self.scope.kind == "function" else (*self.path, "name")


class _Nodes(Sequence[Node]):
    """A scope's nodes, each made the first time it is asked for: a build reads only where the
    subgraphs are, and a caller that asks about a few nodes (diff's pairing) makes only those."""

    def __init__(self, scope: Scope) -> None:
        self._scope = weakref.ref(scope)
        self.docs: list[tuple[int, dict[str, Any]]] = []  # (index in the document's list, the node)
        self.subgraphs: dict[int, list[Scope]] = {}  # position -> the scopes its attributes hold
        self._made: list[Node | None] | None = None

    def __len__(self) -> int:
        return len(self.docs)

    @overload
    def __getitem__(self, position: int) -> Node: ...

    @overload
    def __getitem__(self, position: slice) -> list[Node]: ...

    def __getitem__(self, position: int | slice) -> Node | list[Node]:
        if isinstance(position, slice):
            return [self[k] for k in range(len(self.docs))[position]]
        made = self._made
        if made is None:
            made = self._made = [None] * len(self.docs)
        node = made[position]
        if node is None:  # made once
            scope = self._scope()
            k = position % len(self.docs)
            i, doc = self.docs[k]
            node = made[k] = _make_node(doc, (*scope.path, "nodes", i), scope, k)  # type: ignore[union-attr]
            node.subgraphs = self.subgraphs.get(k, [])
        return node

    def __iter__(self) -> Iterator[Node]:
        return (self[k] for k in range(len(self.docs)))


class Index:
    """Producers, consumers, nodes and scopes of a document tree; see the module docstring."""

    # For an index made by with_node: the index it came from (weakly) and the names the edited node
    # defined or used, before or after; what follows from definitions and uses can be carried over
    # for every other name.
    origin: tuple[weakref.ref[Index], frozenset[str]] | None = None

    def __init__(self, tree: Any) -> None:
        self.scopes: list[Scope] = []
        doc = tree if isinstance(tree, dict) else {}
        graph = doc.get("graph")
        if isinstance(graph, dict):
            self._graph(graph, ("graph",), "graph", None, None)
        functions = doc.get("functions")
        if isinstance(functions, list):
            for i, function in enumerate(functions):
                if isinstance(function, dict):
                    scope = self._graph(function, ("functions", i), "function", None, None)
                    key = (
                        _text(function.get("domain")),
                        _text(function.get("name")),
                        _text(function.get("overload")),
                    )
                    scope.function = key

    @classmethod
    def of_model(cls, model: onnx.ModelProto) -> Index:
        """The index of a ``.onnx`` model: of its skeleton, whose paths are those ``dump`` writes."""
        with gc_paused():
            return cls(skeleton(model))

    @classmethod
    def of_models(cls, a: onnx.ModelProto, b: onnx.ModelProto) -> tuple[Index, Index]:
        """The indexes of two versions of a model (:func:`~onnxtext.roundtrip.skeleton.skeletons`:
        the second reads the first's entries where their nodes are equal)."""
        with gc_paused():
            first, second = skeletons(a, b)
            return cls(first), cls(second)

    @functools.cached_property
    def producers(self) -> dict[tuple[int, str], list[Producer]]:
        """(scope id, name) -> the definitions of ``name`` in that scope, in document order."""
        self._tables()
        return self.__dict__["producers"]

    @functools.cached_property
    def consumers(self) -> dict[tuple[int, str], list[Consumer]]:
        """(scope id, name) -> the uses of ``name`` written in that scope, in document order."""
        self._tables()
        return self.__dict__["consumers"]

    def _tables(self) -> None:
        producers: dict[tuple[int, str], list[Producer]] = {}
        consumers: dict[tuple[int, str], list[Consumer]] = {}
        for scope in self.scopes:
            sid = scope.id
            for name, kind, path in scope.defines:
                producers.setdefault((sid, name), []).append(Producer(name, kind, scope, path))
            for node in scope.nodes:
                path = node.path
                for i, name in enumerate(node.inputs):
                    if name:
                        consumers.setdefault((sid, name), []).append(
                            Consumer(name, "node", scope, (*path, "inputs", i), node)
                        )
                for i, name in enumerate(node.outputs):
                    if name:
                        producers.setdefault((sid, name), []).append(
                            Producer(name, "node", scope, (*path, "outputs", i), node)
                        )
            for name, path in scope.outputs:
                consumers.setdefault((sid, name), []).append(Consumer(name, "output", scope, path))
        self.__dict__["producers"], self.__dict__["consumers"] = producers, consumers

    # -- questions ------------------------------------------------------------------------------

    def producers_of(self, scope: Scope, name: str) -> list[Producer]:
        """Every definition of ``name`` in ``scope`` itself (more than one is a problem)."""
        return self.producers.get((scope.id, name), [])

    def consumers_of(self, scope: Scope, name: str) -> list[Consumer]:
        """Every use of ``name`` written in ``scope`` itself (not in its subgraphs)."""
        return self.consumers.get((scope.id, name), [])

    def resolve(self, scope: Scope, name: str) -> Producer | None:
        """The definition a use of ``name`` in ``scope`` refers to: the innermost scope that has one."""
        producers = self.producers  # asked once per use by several rules: no generator, no attribute lookups
        outer: Scope | None = scope
        while outer is not None:
            found = producers.get((outer.id, name))
            if found:
                return found[0]
            outer = outer.parent
        return None

    def places(self) -> Iterator[tuple[Path, str, Scope | None, bool]]:
        """Every place a value's name is written: (path of the name, the name, the scope that defines
        the value it refers to (None when nothing does), whether the place defines it).

        Definitions, uses (resolved through the scope chain: a body's use of an outer value is the
        outer value's), value_info entries and quantization annotations.
        """
        scopes = self.scopes
        for (scope_id, name), producers in self.producers.items():
            for producer in producers:
                yield producer.name_path, name, scopes[scope_id], True
        for (scope_id, name), uses in self.consumers.items():
            found = self.resolve(scopes[scope_id], name)
            home = found.scope if found is not None else None
            for use in uses:
                yield use.name_path, name, home, False
        for scope in scopes:
            for entries, field in ((scope.value_info, "name"), (scope.annotations, "tensor_name")):
                for name, path in entries:
                    if name:
                        found = self.resolve(scope, name)
                        yield (*path, field), name, found.scope if found is not None else None, False

    def visible_names(self, scope: Scope) -> Iterator[str]:
        """Every name a use in ``scope`` could refer to."""
        ids = {outer.id for outer in scope.chain()}
        return (name for scope_id, name in self.producers if scope_id in ids)

    def similar(self, scope: Scope, name: str, n: int = 1) -> list[Producer]:
        """The visible definitions whose names look most like ``name`` (for did-you-mean hints)."""
        names = list(dict.fromkeys(self.visible_names(scope)))
        close = close_matches(name, names, n)
        found = (self.resolve(scope, match) for match in close)
        return [producer for producer in found if producer is not None]

    @functools.cached_property
    def nodes(self) -> list[Node]:
        """Every node, in document order (a node, then the nodes of the graphs it holds, then the next)."""
        found: list[Node] = []

        def visit(scope: Scope) -> None:
            for node in scope.nodes:
                found.append(node)
                for sub in node.subgraphs:
                    visit(sub)

        for scope in self.scopes:
            if scope.parent is None:
                visit(scope)
        return found

    @functools.cached_property
    def node_at(self) -> dict[Path, Node]:
        """Node path -> node."""
        return {node.path: node for node in self.nodes}

    @functools.cached_property
    def scope_at(self) -> dict[Path, Scope]:
        """Scope path -> scope."""
        return {scope.path: scope for scope in self.scopes}

    def defined_names(self, scope: Scope) -> set[str]:
        """The names ``scope`` itself defines (not its subgraphs)."""
        names = {name for name, _, _ in scope.defines}
        names.update(name for node in scope.nodes for name in node.outputs)
        names.discard("")
        return names

    def reads(self, node: Node) -> list[str]:
        """The names ``node`` reads: its inputs, then what its subgraphs read from outside them."""
        names = [name for name in node.inputs if name]
        for sub in node.subgraphs:
            names += sorted(self.outer_names(sub))
        return names

    def outer_names(self, scope: Scope) -> set[str]:
        """The names ``scope`` (its subgraphs included) reads without defining them: an enclosing
        scope's values (or nothing's, in a broken model)."""
        used = {name for name, _ in scope.outputs}
        for node in scope.nodes:
            used.update(self.reads(node))
        used.discard("")
        return used - self.defined_names(scope)

    def with_node(self, path: Path, doc: Any) -> Index | None:
        """The index of the tree where only the node at ``path`` changed, now ``doc``; None when that is
        not all (no such node, or it holds or now holds subgraphs: build the index again).

        The language server's edit of one node: the answer shares everything else with this index,
        and the node's scope now lists the new node (for this index too, which the server no longer
        asks: it belongs to the version before).  Producers and consumers of the node's names keep
        the order a full build gives.
        """
        old = self.node_at.get(path)
        if old is None or old.subgraphs or not isinstance(doc, dict):
            return None
        attributes = doc.get("attributes")
        if attributes and next(_subgraphs(attributes, path), None) is not None:
            return None
        scope, position = old.scope, old.position
        node = _make_node(doc, path, scope, position)
        new = Index.__new__(Index)
        new.scopes = self.scopes
        new.nodes = list(self.nodes)
        new.nodes[self.nodes.index(old)] = node
        scope.nodes = list(scope.nodes)
        scope.nodes[position] = node
        new.node_at = {**self.node_at, path: node}
        if "producers" not in self.__dict__:
            return new  # its tables will be made from the nodes, the new one among them
        new.consumers, new.producers = dict(self.consumers), dict(self.producers)
        for table, role, key in ((new.consumers, Consumer, "inputs"), (new.producers, Producer, "outputs")):
            before, after = getattr(old, key), getattr(node, key)
            for name in {*before, *after} - {""}:
                uses = [
                    role(name, "node", scope, (*path, key, i), node)
                    for i, each in enumerate(after)
                    if each == name
                ]
                _splice(table, (scope.id, name), old, uses, position)
        new.origin = (
            weakref.ref(self),
            frozenset({*old.inputs, *old.outputs, *node.inputs, *node.outputs} - {""}),
        )
        return new

    # -- building -------------------------------------------------------------------------------

    def _graph(
        self, graph: dict[str, Any], path: Path, kind: ScopeKind, parent: Scope | None, owner: int | None
    ) -> Scope:
        scope = Scope(len(self.scopes), kind, path, parent, owner)
        self.scopes.append(scope)
        defines, outputs = scope.defines, scope.outputs
        for i, item in enumerate(_items(graph.get("inputs"))):
            if kind == "function":
                _add(defines, item, "function_input", (*path, "inputs", i))
            elif isinstance(item, dict):
                _add(defines, item.get("name"), "input", (*path, "inputs", i))
        defines += [  # thousands in an export: one comprehension
            (name, "initializer", (*path, "initializers", i))
            for i, name in enumerate(_named(graph.get("initializers"), "name"))
            if type(name) is str and name
        ]
        for i, item in enumerate(_items(graph.get("sparse_initializers"))):
            values = item.get("values") if isinstance(item, dict) else None
            if isinstance(values, dict):
                _add(defines, values.get("name"), "sparse_initializer", (*path, "sparse_initializers", i))
        nodes: _Nodes = scope.nodes  # type: ignore[assignment]
        docs = nodes.docs
        docs += [(i, item) for i, item in enumerate(_items(graph.get("nodes"))) if isinstance(item, _ENTRIES)]
        for position, (i, item) in enumerate(docs):
            attributes = item.get("attributes")
            # a mapping of literals holds no graph: seen in C, not by a generator, for most nodes
            if attributes and (type(attributes) is not dict or dict in map(type, attributes.values())):
                nodes.subgraphs[position] = [
                    self._graph(sub, sub_path, "subgraph", scope, position)
                    for sub, sub_path in _subgraphs(attributes, (*path, "nodes", i, "attributes"))
                ]
        for i, item in enumerate(_items(graph.get("outputs"))):
            name = item if kind == "function" else item.get("name") if isinstance(item, dict) else None
            if isinstance(name, str) and name:
                outputs.append((name, (*path, "outputs", i)))
        for key, field, into in (
            ("value_info", "name", scope.value_info),
            ("quantization_annotation", "tensor_name", scope.annotations),
        ):
            into += [
                (name, (*path, key, i))
                for i, name in enumerate(_named(graph.get(key), field))
                if type(name) is str
            ]
        return scope


def _named(items: Any, field: str) -> list[Any]:
    """The ``field`` of each mapping of a list (None for an item that is no mapping)."""
    return [item.get(field) if isinstance(item, dict) else None for item in _items(items)]


def _add(defines: list[tuple[str, ProducerKind, Path]], name: Any, kind: ProducerKind, path: Path) -> None:
    if isinstance(name, str) and name:
        defines.append((name, kind, path))


def _make_node(doc: dict[str, Any], path: Path, scope: Scope, position: int) -> Node:
    get = doc.get  # once per node of every graph built: no helper calls for the common case
    op_type, domain, name, overload = get("op_type"), get("domain"), get("name"), get("overload")
    attributes = get("attributes")
    return Node(
        path,
        weakref.ref(scope),
        position,
        op_type if type(op_type) is str else "",
        domain if type(domain) is str else "",
        name if type(name) is str else "",
        _names(get("inputs")),
        _names(get("outputs")),
        list(attributes) if type(attributes) is dict else _attribute_names(attributes) if attributes else [],
        overload if type(overload) is str else "",
    )


def _names(value: Any) -> list[str]:
    """A list of names as written (anything but a string reads as an empty name).  A model's
    skeleton holds the node's own repeated field: copied here, for the nodes that are asked about."""
    if type(value) is _REPEATED_NAMES:
        return list(value)
    if not isinstance(value, list):
        return []
    try:
        "".join(value)  # all strings: the common case, checked in C
    except TypeError:
        return [_text(x) for x in value]
    return value[:]


_REPEATED_NAMES = type(onnx.NodeProto().input)
_ENTRIES = (dict, NodeEntry)  # a document's node, or a model's (roundtrip.skeleton)


def _splice(
    table: dict[tuple[int, str], list[Any]], key: tuple[int, str], old: Node, mine: list[Any], at: int
) -> None:
    """In ``table`` (producers or consumers, copied), the entries of ``key`` with those of node ``old``
    replaced by ``mine``, where a full build puts them: after earlier nodes' (and a graph's inputs and
    initializers), before later nodes' (and a graph's outputs)."""
    kept = [entry for entry in table.get(key, ()) if entry.node is not old]
    cut = next(
        (
            k
            for k, e in enumerate(kept)
            if e.kind in ("node", "output") and (e.node is None or e.node.position > at)
        ),
        len(kept),
    )
    entries = kept[:cut] + mine + kept[cut:]
    if entries:
        table[key] = entries
    else:
        table.pop(key, None)


def close_matches(word: str, names: list[str], n: int, cutoff: float = 0.6) -> list[str]:
    """What ``difflib.get_close_matches(word, names, n, cutoff)`` returns, in a small part of its time.

    Export-style names look alike (``/model/layers.12/...``), so nearly every one passes difflib's
    cheap bounds and pays for the full ratio.  Here the ``quick_ratio`` bound of every name is
    computed at once (:func:`_quick_bounds`), then the full ratio in order of that bound, best
    first, stopping once the bound falls below the n-th best ratio found: no later name can enter
    the result (82,500 names of a 50,000-node export: 0.05 s instead of 7.5 s).
    """
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    best: list[tuple[float, str]] = []  # a heap of the n best (ratio, name)
    for bound, group in _by_bound(_quick_bounds(word, names), names, cutoff):
        if len(best) == n and bound < best[0][0]:
            break
        for name in sorted(group, reverse=True):  # the order of difflib's sort on (ratio, name)
            matcher.set_seq1(name)
            ratio = matcher.ratio()
            if ratio >= cutoff:
                (heapq.heappush if len(best) < n else heapq.heappushpop)(best, (ratio, name))
    return [name for _, name in sorted(best, reverse=True)]


def _by_bound(bounds: np.ndarray, names: list[str], cutoff: float) -> Iterator[tuple[float, list[str]]]:
    """The names whose bound is at least ``cutoff``, grouped by bound, best first."""
    keep = np.flatnonzero(bounds >= cutoff)
    if not len(keep):
        return
    order = keep[np.argsort(-bounds[keep], kind="stable")]
    values = bounds[order]
    edges = np.flatnonzero(np.diff(values)) + 1
    for group in np.split(order, edges):
        yield float(bounds[group[0]]), [names[i] for i in group]


def _quick_bounds(word: str, names: list[str]) -> np.ndarray:
    """difflib's ``quick_ratio`` of ``word`` against each name (the same floats): twice the characters
    the two have in common, with multiplicity, over their total length.

    Names of ASCII characters are counted at once, in numpy, only for the characters of ``word``;
    when some name is not ASCII (or holds the NUL used as a separator), difflib counts.
    """
    data = "\0".join(names).encode("utf-8")
    lengths = np.fromiter(map(len, names), dtype=np.int64, count=len(names))
    ascii_names = len(data) == int(lengths.sum()) + len(names) - 1 and data.count(0) == len(names) - 1
    if not names or not ascii_names:
        return np.array([difflib.SequenceMatcher(None, name, word).quick_ratio() for name in names])
    wanted: dict[int, int] = {}
    for char in word:
        if 0 < ord(char) < 128:
            wanted[ord(char)] = wanted.get(ord(char), 0) + 1
    common = np.zeros(len(names), dtype=np.int64)
    if wanted:
        column = np.full(256, -1, dtype=np.int8)  # at most 127 distinct ASCII characters
        column[list(wanted)] = np.arange(len(wanted))
        codes = np.frombuffer(data, dtype=np.uint8)
        which = np.repeat(np.arange(len(names), dtype=np.int32), lengths + 1)[: len(codes)]
        picked = column[codes]
        inside = picked >= 0
        slots = which[inside].astype(np.int64) * len(wanted) + picked[inside]
        counts = np.bincount(slots, minlength=len(names) * len(wanted))
        limits = np.array(list(wanted.values()), dtype=np.int64)
        common = np.minimum(counts.reshape(len(names), len(wanted)), limits).sum(axis=1)
    total = lengths + len(word)
    return np.where(total > 0, 2.0 * common / np.maximum(total, 1), 1.0)


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _attribute_names(attributes: Any) -> list[str]:
    if isinstance(attributes, dict):
        return list(attributes)
    return [a["name"] for a in _items(attributes) if isinstance(a, dict) and isinstance(a.get("name"), str)]


def _subgraphs(attributes: Any, path: Path) -> Iterator[tuple[dict[str, Any], Path]]:
    """The graphs held by a node's attributes, with their paths, in any of the forms a document uses.

    Compact form (``then_branch: {nodes: ...}``, a mapping without ``type``), field form
    (``{type: GRAPH, g: {...}}``, ``{type: GRAPHS, graphs: [...]}``), and the list form of attributes.
    """
    if isinstance(attributes, dict):
        entries = [(value, (*path, name)) for name, value in attributes.items() if isinstance(value, dict)]
    else:
        entries = [(value, (*path, i)) for i, value in enumerate(_items(attributes))]
    for value, where in entries:
        if not isinstance(value, dict):
            continue
        if isinstance(attributes, dict) and "type" not in value:  # the compact form of a GRAPH
            yield value, where
            continue
        if isinstance(value.get("g"), dict):
            yield value["g"], (*where, "g")
        for i, graph in enumerate(_items(value.get("graphs"))):
            if isinstance(graph, dict):
                yield graph, (*where, "graphs", i)

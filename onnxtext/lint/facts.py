"""What several rules need and none should compute twice: opsets, op schemas, the decoded node of each
index node, and one strict shape-inference run.  Each is computed once per document and kept while the
document lives; what a node-local rule finds on a node is kept with the node (:func:`per_node`).
"""

from __future__ import annotations

import functools
import re
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

import onnx
from onnx import defs

from onnxtext.base.diagnostics import Diagnostic
from onnxtext.base.paths import Path
from onnxtext.core.document import Document
from onnxtext.core.index import Index, Node, Scope
from onnxtext.roundtrip.external import external_locations, with_small_external_data
from onnxtext.roundtrip.lean import without_big_weights

R = TypeVar("R")


def per_document(compute: Callable[[Document], R]) -> Callable[[Document], R]:
    """Compute once per document (a weak cache: nothing is kept once the document is gone)."""
    cache: weakref.WeakKeyDictionary[Document, object] = weakref.WeakKeyDictionary()

    @functools.wraps(compute)
    def cached(document: Document) -> R:
        if document not in cache:
            cache[document] = compute(document)
        return cache[document]  # type: ignore[return-value]

    return cached


def per_index(compute: Callable[[Index], R]) -> Callable[[Index], R]:
    """Compute once per index (weakly cached, like :func:`per_document`)."""
    cache: weakref.WeakKeyDictionary[Index, object] = weakref.WeakKeyDictionary()

    @functools.wraps(compute)
    def cached(index: Index) -> R:
        if index not in cache:
            cache[index] = compute(index)
        return cache[index]  # type: ignore[return-value]

    return cached


def per_node(
    check: Callable[[Document, Index, Node], Iterable[Diagnostic]],
) -> Callable[[Document, Index], Iterator[Diagnostic]]:
    """A rule's check made of a check of one node, run on every node of the index; what it finds on
    a node is kept in the node's ``meta`` (as long as the node lives) and given again when the node is
    asked again.

    For a node-local check (what it finds on a node depends on that node and on what the whole
    model imports: opsets, functions), a node asked again is the same node in the same model: the
    language server's next version of a document shares the ``Node`` of every node an edit did not
    touch (:meth:`~onnxtext.core.index.Index.with_node`), and any other edit builds every ``Node``
    anew.  So after an edit of one node, only that node is checked again.  (A weak table per rule,
    keyed by node, cost more on a fresh document than the checks it spared.)
    """

    @functools.wraps(check)
    def run(document: Document, index: Index) -> Iterator[Diagnostic]:
        for node in index.nodes:
            found = node.meta.get(check)
            if found is None:
                found = node.meta[check] = tuple(check(document, index, node))
            yield from found  # type: ignore[misc]

    return run


# -- opsets and schemas ---------------------------------------------------------------------------


def opsets_of(entries: list[onnx.OperatorSetIdProto]) -> dict[str, int]:
    """domain -> version ('ai.onnx' is the default domain '')."""
    return {("" if e.domain == "ai.onnx" else e.domain): e.version for e in entries}


@per_document
def model_opsets(document: Document) -> dict[str, int]:
    model = document.model
    return opsets_of(list(model.opset_import)) if model is not None else {}


@functools.cache
def known_versions(op_type: str, domain: str) -> tuple[int, ...]:
    """The opset versions at which ``op_type`` of ``domain`` changed (its schemas' since_version)."""
    return tuple(sorted(s.since_version for s in _history().get((domain, op_type), ())))


@functools.cache
def _history() -> dict[tuple[str, str], list[defs.OpSchema]]:
    table: dict[tuple[str, str], list[defs.OpSchema]] = {}
    for schema in defs.get_all_schemas_with_history():
        table.setdefault((schema.domain, schema.name), []).append(schema)
    return table


@functools.cache
def schema(op_type: str, domain: str, version: int) -> defs.OpSchema | None:
    """The schema ``op_type`` has at opset ``version`` of ``domain`` (None when it has none there)."""
    if not known_versions(op_type, domain):
        return None
    try:
        return defs.get_schema(op_type, version, domain)
    except defs.SchemaError:
        return None


@functools.cache
def attributes(op_type: str, domain: str, version: int) -> dict[str, defs.OpSchema.Attribute]:
    """The attributes of the op's schema at opset ``version``, by name (``OpSchema.attributes`` builds a
    new dict on every access: asked per node, that was most of O403-O405)."""
    entry = schema(op_type, domain, version)
    return dict(entry.attributes) if entry is not None else {}


@functools.cache
def newest_version(domain: str) -> int:
    """The newest opset version at which an op of ``domain`` changed (1 for a domain onnx.defs does not
    know): what a model importing the domain for its nodes can ask for."""
    return max(
        (s.since_version for (d, _), found in _history().items() if d == domain for s in found), default=1
    )


def known_domain(domain: str) -> bool:
    """Whether onnx.defs has schemas for ``domain`` (custom domains are not ours to judge)."""
    return domain in _domains()


@functools.cache
def _domains() -> frozenset[str]:
    return frozenset(domain for domain, _ in _history())


def normal_domain(domain: str) -> str:
    return "" if domain == "ai.onnx" else domain


def domain_text(domain: str) -> str:
    """How a message names a domain: ``'ai.onnx.ml'``, or ``'' (ai.onnx)`` for the default one."""
    return f"'{domain}'" if domain else "'' (ai.onnx)"


def opsets_by_scope(document: Document, index: Index) -> dict[int, dict[str, int]]:
    """scope id -> the opsets its nodes are read against (asked per node: looked up once per scope)."""
    return {scope.id: scope_opsets(document, index, scope) for scope in index.scopes}


def scope_opsets(document: Document, index: Index, scope: Scope) -> dict[str, int]:
    """The opsets the nodes of ``scope`` are read against: their function's own, else the model's."""
    root = scope.root
    if root.kind == "function":
        function = _function_proto(document, root)
        if function is not None and len(function.opset_import):
            return opsets_of(list(function.opset_import))
    return model_opsets(document)


def _function_proto(document: Document, scope: Scope) -> onnx.FunctionProto | None:
    model = document.model
    position = scope.path[1]
    if model is None or not isinstance(position, int) or position >= len(model.functions):
        return None
    return model.functions[position]


@per_document
def local_functions(document: Document) -> frozenset[tuple[str, str]]:
    """(domain, name) of every function the model defines: nodes may call them like ops."""
    model = document.model
    return frozenset((f.domain, f.name) for f in model.functions) if model is not None else frozenset()


# -- decoded nodes --------------------------------------------------------------------------------


def bound(document: Document, index: Index) -> dict[int, onnx.NodeProto]:
    """id(index node) -> the NodeProto decoding made of it (absent when decoding skipped the node)."""
    return _bind(document, index)


def proto_of(document: Document, index: Index, node: Node) -> onnx.NodeProto | None:
    """The NodeProto decoding made of ``node`` (None when decoding skipped it).

    A node of the main graph, when decoding kept all of them, is the one at its position: a
    node-local check asks for one node after an edit, and pairing them all takes a walk of the graph.
    """
    model = document.model
    scope = node.scope
    if model is not None and scope.parent is None and scope.kind == "graph" and scope.id == 0:
        graph_nodes = model.graph.node
        if len(graph_nodes) == len(scope.nodes) and _same(node, graph_nodes[node.position]):
            return graph_nodes[node.position]
    return bound(document, index).get(id(node))


_BINDINGS: weakref.WeakKeyDictionary[Document, tuple[Index, dict[int, onnx.NodeProto]]] = (
    weakref.WeakKeyDictionary()
)


def _bind(document: Document, index: Index) -> dict[int, onnx.NodeProto]:
    held = _BINDINGS.get(document)
    if held is not None and held[0] is index:
        return held[1]
    table: dict[int, onnx.NodeProto] = {}
    model = document.model
    if model is not None:
        roots = [s for s in index.scopes if s.parent is None]
        graphs = [model.graph] if roots and roots[0].kind == "graph" else []
        graphs += list(model.functions)
        for scope, graph in zip(roots, graphs, strict=False):
            _bind_scope(scope, list(graph.node), table)
    _BINDINGS[document] = (index, table)
    return table


def _bind_scope(scope: Scope, protos: list[onnx.NodeProto], table: dict[int, onnx.NodeProto]) -> None:
    """Pair the scope's nodes with the decoded ones in order; a tree node decoding skipped gets none."""
    k = 0
    for node in scope.nodes:
        if k < len(protos) and _same(node, protos[k]):
            proto = protos[k]
            table[id(node)] = proto
            k += 1
            if not node.subgraphs:
                continue
            subgraphs = [
                g for a in proto.attribute for g in ([a.g] if a.HasField("g") else []) + list(a.graphs)
            ]
            if len(subgraphs) == len(node.subgraphs):
                for sub, graph in zip(node.subgraphs, subgraphs, strict=True):
                    _bind_scope(sub, list(graph.node), table)


def _same(node: Node, proto: onnx.NodeProto) -> bool:
    # the repeated fields compare with lists directly (copying them with list() took three times longer)
    return node.op_type == proto.op_type and proto.input == node.inputs and proto.output == node.outputs


@per_index
def node_by_name(index: Index) -> dict[tuple[str, str], Node]:
    """(node name, op_type) -> the first node of that name in any scope: how onnx messages name nodes."""
    table: dict[tuple[str, str], Node] = {}
    for node in index.nodes:
        table.setdefault((node.name, node.op_type), node)
    return table


# -- the model's encoding -------------------------------------------------------------------------

# Documents a build writes: their model is serialized once, for onnx.checker, shape inference and the file.
_KEPT: weakref.WeakKeyDictionary[Document, bytes | None] = weakref.WeakKeyDictionary()


def keep_encoding(document: Document) -> None:
    """Have :func:`encoding` serialize ``document``'s model once and keep the bytes, until
    :func:`kept_encoding` takes them.

    Only a build asks: it writes those very bytes.  Elsewhere (the language server lints big models
    on every change) the bytes are not kept beside the model they encode.
    """
    _KEPT[document] = None


def kept_encoding(document: Document) -> bytes | None:
    """The encoding :func:`encoding` kept for ``document`` (None if no rule asked for it); forgotten here."""
    return _KEPT.pop(document, None)


def encoding(document: Document) -> bytes:
    """The serialized model of ``document`` (which has one): once per document while a build keeps
    it (:func:`keep_encoding`), else anew each time."""
    kept = _KEPT.get(document)
    if kept is None:
        assert document.model is not None
        kept = document.model.SerializeToString()
        if document in _KEPT:
            _KEPT[document] = kept
    return kept


@per_document
def has_external_data(document: Document) -> bool:
    """Whether a tensor of the model (an initializer, or an attribute's anywhere) keeps its bytes in
    external data.  A text says ``EXTERNAL`` for each such tensor, which spares big graphs the walk."""
    model = document.model
    if model is None or (document.has_text and "EXTERNAL" not in document.text):
        return False
    return bool(external_locations(model))


# -- shape inference ------------------------------------------------------------------------------

_INFERENCE_ENTRY = re.compile(r"\(op_type:(?P<op>[^,]*), node name: (?P<name>[^)]*)\): (?P<message>.*)")


@per_document
def inference(document: Document) -> tuple[onnx.ModelProto | None, list[tuple[str, str, str]]]:
    """The model with inferred types (strict mode, data propagation) and the failures it reported.

    Failures are (node name, op_type, message); a failure that names no node has empty name and op.
    """
    model = document.model
    if model is None:
        return None, []
    seen = without_big_weights(model, _KEPT.get(document))
    if has_external_data(document):
        seen = with_small_external_data(seen, document.data_dir)
    try:
        return onnx.shape_inference.infer_shapes(seen, check_type=True, strict_mode=True, data_prop=True), []
    except onnx.shape_inference.InferenceError as err:
        return None, list(_inference_failures(str(err)))
    except (onnx.checker.ValidationError, ValueError) as err:  # e.g. an unknown op: the O rules say it
        return None, [("", "", str(err).strip().splitlines()[0])]


def _inference_failures(text: str) -> Iterator[tuple[str, str, str]]:
    found = False
    for line in text.splitlines():
        match = _INFERENCE_ENTRY.search(line)
        if match:
            found = True
            yield match["name"], match["op"], match["message"].strip()
    if not found and text.strip():
        yield "", "", text.strip().splitlines()[0]


def node_path(index: Index, name: str, op_type: str) -> Path | None:
    """The path of the node an onnx message names by name and op (the first such node)."""
    node = node_by_name(index).get((name, op_type))
    return node.path if node is not None else None

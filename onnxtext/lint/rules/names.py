"""Names: every value defined once (SSA, across nested scopes), node names unique and present."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from onnxtext.base.diagnostics import Diagnostic, Fix
from onnxtext.base.paths import Path
from onnxtext.core.document import Document
from onnxtext.core.index import Index, Producer
from onnxtext.lint.edits import insert_entry, removal, replace_value, value_at
from onnxtext.lint.facts import per_document
from onnxtext.lint.registry import fixer, rule, where
from onnxtext.surgery.names import new_names

_LISTED = {"input": "graph input", "initializer": "initializer", "sparse_initializer": "sparse initializer"}
_LISTED["function_input"] = "function input"


def _describe(producer: Producer) -> str:
    if producer.node is not None:
        return f"node {producer.node.label()}"
    return _LISTED[producer.kind]


@rule(
    "N101",
    "duplicate-node-name",
    "warning",
    "two nodes share a name",
    """
Node names are optional, but when given they should be unique in the model: tools, error
messages and `onnxtext` itself find nodes by name.
""",
)
def duplicate_node_names(document: Document, index: Index) -> Iterator[Diagnostic]:
    first: dict[tuple[int, str], Path] = {}
    for node in index.nodes:
        if not node.name:
            continue
        key = (node.scope.root.id, node.name)
        if key in first:
            earlier = first[key]
            yield Diagnostic(
                "N101",
                f"node name '{node.name}' is already used by the node at {where(document, earlier)}",
                "warning",
                (*node.path, "name"),
                "give each node its own name",
            )
        else:
            first[key] = node.path


@rule(
    "N102",
    "value-produced-twice",
    "error",
    "a value is produced by two nodes, or by a node and an initializer or graph input",
    """
ONNX graphs are in single static assignment form: each value name has exactly one producer. A
second producer makes every use of the name ambiguous (a graph input may share its name with an
initializer: that is the input's default value).
""",
)
def produced_twice(document: Document, index: Index) -> Iterator[Diagnostic]:
    for producers in index.producers.values():
        if len(producers) < 2 or all(p.node is None for p in producers):
            continue
        first = producers[0]
        for later in producers[1:]:
            if later.node is None and first.node is None:
                continue
            yield Diagnostic(
                "N102",
                f"'{later.name}' is produced twice: by {_describe(later)} and by {_describe(first)} "
                f"at {where(document, first.path)}",
                "error",
                later.path,
                "rename one of the two outputs (and the inputs that mean it)",
            )


@rule(
    "N103",
    "duplicate-listed-name",
    "error",
    "a name appears twice in one list: graph inputs, outputs, initializers, a function's attributes, "
    "metadata keys",
    """
A graph's inputs, its outputs and its initializers (dense and sparse together) each name a value
once; a function lists each attribute once, and a model each metadata key once. onnx.checker
rejects a repeated entry, and a runtime would have to guess which one counts. The fix (unsafe: the
model's interface, or which tensor counts, changes) removes the repeated entry.
""",
)
def duplicate_listed(document: Document, index: Index) -> Iterator[Diagnostic]:
    for producers in index.producers.values():
        seen: dict[str, Producer] = {}
        for producer in producers:
            if producer.node is not None:
                continue
            group = "initializer" if producer.kind == "sparse_initializer" else producer.kind
            if group in seen:
                yield _listed_twice(
                    document, producer.name, _LISTED[producer.kind], producer.path, seen[group].path
                )
            else:
                seen[group] = producer
    for (_, name), uses in index.consumers.items():
        outputs = [use for use in uses if use.kind == "output"]
        for later in outputs[1:]:
            what = "function output" if later.scope.kind == "function" else "graph output"
            yield _listed_twice(document, name, what, later.path, outputs[0].path)
    tree = document.tree if isinstance(document.tree, dict) else {}
    for i, function in enumerate(_items(tree.get("functions"))):
        if isinstance(function, dict):
            yield from _repeated(
                document, function.get("attributes"), ("functions", i, "attributes"), "attribute"
            )
    metadata = tree.get("metadata_props")
    if isinstance(metadata, list):
        keys = [entry.get("key") if isinstance(entry, dict) else None for entry in metadata]
        yield from _repeated(document, keys, ("metadata_props",), "metadata key")


def _repeated(document: Document, names: Any, path: Path, what: str) -> Iterator[Diagnostic]:
    """N103 at each item of the list at ``path`` whose name (of ``names``) an earlier item has."""
    first: dict[str, Path] = {}
    for k, name in enumerate(_items(names)):
        if isinstance(name, str) and name in first:
            yield _listed_twice(document, name, what, (*path, k), first[name])
        elif isinstance(name, str):
            first[name] = (*path, k)


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _listed_twice(document: Document, name: str, what: str, path: Path, first: Path) -> Diagnostic:
    return Diagnostic(
        "N103",
        f"{what} '{name}' is listed twice (first at {where(document, first)})",
        "error",
        path,
        "remove the repeated entry, or rename it",
    )


@fixer("N103", "unsafe")
def remove_repeated(document: Document, index: Index, diagnostic: Diagnostic) -> Fix | None:
    """Delete the repeated entry (unsafe: the model's interface, or which tensor counts, changes)."""
    return removal(document, diagnostic.path, "Remove the repeated entry")


@rule(
    "N104",
    "unnamed-node",
    "warning",
    "a node has no name",
    """
Unnamed nodes cannot be told apart in messages, profiles and diffs.  Opt-in (`--extend-select
N104`): the name is optional in ONNX, and exporters leave hundreds of nodes unnamed (every
Constant of a PaddleOCR model, the 39 ConstantOfShape nodes of the bundled SqueezeNet).
`fmt --name-nodes` names them.

The fix adds the name `fmt --name-nodes` would give (`<OpType>_<n>`).
""",
    default=False,
)
def unnamed_nodes(document: Document, index: Index) -> Iterator[Diagnostic]:
    names = _new_names(document)
    for node in index.nodes:
        if not node.name:
            name = names.get((*node.path, "name"))
            yield Diagnostic(
                "N104",
                f"{node.op_type or 'a'} node has no name",
                "warning",
                node.path,
                f"add `name: {name}` (`onnxtext fmt --name-nodes` names every node)"
                if name
                else "give it a name",
            )


@per_document
def _new_names(document: Document) -> dict[Path, str]:
    """The name of each unnamed node, by the path of its ``name``: what ``fmt --name-nodes`` gives it."""
    return new_names(document.model) if document.model is not None else {}


@fixer("N104")
def name_node(document: Document, index: Index, diagnostic: Diagnostic) -> Fix | None:
    """Add the name the hint proposes, after the node's op_type (where the canonical form puts it)."""
    node = index.node_at.get(diagnostic.path) if diagnostic.path is not None else None
    if node is None or not node.op_type:
        return None
    name = _new_names(document).get((*node.path, "name"))
    if name is None:
        return None
    if isinstance(value_at(document.tree, (*node.path, "name")), str):  # written, and empty
        edits = replace_value(document, (*node.path, "name"), name)
    else:
        edits = insert_entry(document, (*node.path, "op_type"), "name", name)
    return Fix(f"Name the node '{name}'", tuple(edits)) if edits else None


@rule(
    "N105",
    "shadowed-name",
    "error",
    "a subgraph defines a name that an enclosing graph already defines",
    """
Subgraphs (If branches, Loop and Scan bodies) see the names of the graphs around them, and ONNX
forbids defining one of those names again inside: the checker rejects the model.
""",
)
def shadowed(document: Document, index: Index) -> Iterator[Diagnostic]:
    for (scope_id, name), producers in index.producers.items():
        scope = index.scopes[scope_id]
        if scope.parent is None:
            continue
        outer = index.resolve(scope.parent, name)
        if outer is not None:
            yield Diagnostic(
                "N105",
                f"'{name}' is already defined outside this subgraph, by {_describe(outer)} "
                f"at {where(document, outer.path)}",
                "error",
                producers[0].path,
                "give the subgraph's value its own name",
            )


@rule(
    "N106",
    "empty-name",
    "error",
    "a graph, function, initializer, graph input or output has no name",
    """
ONNX requires a name on every graph (subgraphs included), function, initializer and graph input
or output; onnx.checker rejects an empty one. A node input or output may be empty (an omitted
optional value), a node's name too (N104). The fix names a graph after what holds it (`main_graph`
for the model's, `<node>_<attribute>` for a subgraph) and deletes an initializer without a name
(nothing can read it); an input or output needs a name only you can give.
""",
)
def empty_names(document: Document, index: Index) -> Iterator[Diagnostic]:
    tree = document.tree
    for scope in index.scopes:
        graph = value_at(tree, scope.path)
        if not isinstance(graph, dict):
            continue
        what = "function" if scope.kind == "function" else "graph"
        if not _named(graph.get("name")):
            path = (*scope.path, "name") if "name" in graph else scope.path
            yield Diagnostic("N106", f"a {what} has no name", "error", path, f"give the {what} a name")
        if scope.kind == "function":
            continue
        for key, what in (
            ("inputs", "graph input"),
            ("outputs", "graph output"),
            ("initializers", "initializer"),
        ):
            for k, item in enumerate(_items(graph.get(key))):
                if isinstance(item, dict) and not _named(item.get("name")):
                    hint = "delete it: nothing can read it" if key == "initializers" else "give it a name"
                    yield Diagnostic("N106", f"a {what} has no name", "error", (*scope.path, key, k), hint)


def _named(name: Any) -> bool:
    return isinstance(name, str) and bool(name)


@fixer("N106")
def name_or_delete(document: Document, index: Index, diagnostic: Diagnostic) -> Fix | None:
    """Name a graph after what holds it; delete an initializer without a name."""
    path = diagnostic.path or ()
    if len(path) >= 2 and path[-2] == "initializers":
        return removal(document, path, "Remove the initializer without a name")
    scope = index.scope_at.get(path[:-1] if path[-1:] == ("name",) else path)
    if scope is None or scope.kind == "function":
        return None
    owner = scope.owner
    name = (
        "main_graph"
        if owner is None
        else f"{owner.name or f'{owner.op_type}_{owner.position}'}_{scope.path[-1]}"
    )
    if path[-1:] == ("name",):
        edits = replace_value(document, path, name)
    else:
        graph = value_at(document.tree, scope.path)
        first = next(iter(graph), None) if isinstance(graph, dict) else None
        edits = insert_entry(document, (*scope.path, first), "name", name, before=True) if first else None
    return Fix(f"Name the graph '{name}'", tuple(edits)) if edits else None

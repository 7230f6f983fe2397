"""The graph Model Explorer draws, made from an :class:`~onnxtext.core.index.Index`: one graph per scope.

Model Explorer takes a *graph collection* (its ``input_graph.ts``): graphs of nodes, each node with an
id, a label, a namespace (``a/b/c``: the collapsible layers it sits in), attributes shown when it is
selected, its incoming edges, metadata of its inputs and outputs, and the ids of the graphs it holds.
Here every scope of the Index (the main graph, each If/Loop/Scan body, each function) is one graph,
and every node one node whose id is its document path (``graph.nodes[12]``), so an editor, a diff
and the page all name it the same way.  Its attributes carry that path, its line in the document
(when there is text), its name and its attributes as the document writes them; its namespace is the
name scope an exporter wrote into its name (``/model.4/m.1/cv1/conv/Conv`` sits in
``model.4/m.1/cv1/conv``).

Graph inputs and outputs (and a function's) are nodes too, at their own paths; initializers are
not (a model has as many as it has nodes): a node's inputs say which of its values are initializers
and their types.  A body reads values of the scopes around it: each such value is one ``outer`` node
of the body's graph.  A :class:`Mark` (from a diff) colours a node and says what changed on it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any, Literal

from onnxtext.base.paths import Path, format_path, value_at
from onnxtext.core.index import Index, Node, Scope
from onnxtext.core.positions import SourceMap
from onnxtext.diff.display import show_value

MarkKind = Literal["added", "removed", "changed", "renamed"]

# background and border of a node a diff marks (GitHub's diff colours)
COLOURS: dict[MarkKind, tuple[str, str]] = {
    "added": ("#dafbe1", "#1a7f37"),
    "removed": ("#ffebe9", "#cf222e"),
    "changed": ("#fff8c5", "#bf8700"),
    "renamed": ("#ddf4ff", "#0969da"),
}
_LONGEST = 240  # characters of an attribute shown on the page (a long list of numbers is cut)


@dataclasses.dataclass(frozen=True)
class Mark:
    """A node as a diff sees it: how it changed and what changed (one line per field)."""

    kind: MarkKind
    lines: tuple[str, ...] = ()


def graph_collection(
    index: Index,
    tree: Any,
    label: str,
    *,
    source_map: SourceMap | None = None,
    marks: Mapping[Path, Mark] | None = None,
) -> dict[str, Any]:
    """Model Explorer's graph collection of ``index`` (built from ``tree``, whose entries give the
    types of values and the attributes of nodes); ``source_map`` gives each node's line."""
    types = _Types(tree)
    return {
        "label": label,
        "graphs": [_graph(index, scope, types, tree, source_map, marks or {}) for scope in index.scopes],
    }


def graph_id(scope: Scope) -> str:
    """A scope's graph id: ``graph`` for the main graph, else its path
    (``graph.nodes[3].attributes.then_branch``, ``functions[0]``)."""
    return format_path(scope.path)


def node_lines(index: Index, source_map: SourceMap) -> dict[str, int]:
    """Node id -> the line its entry starts at (what a page beside the text jumps to)."""
    return {format_path(node.path): source_map.start(node.path)[0] for node in index.nodes}


def namespace(name: str) -> str:
    """The layers a node name puts it in: its ``/``-separated scopes, without the last part."""
    parts = [part for part in name.split("/") if part]
    return "/".join(parts[:-1])


# ---------------------------------------------------------------------------------------------- a graph


def _graph(
    index: Index,
    scope: Scope,
    types: _Types,
    tree: Any,
    source_map: SourceMap | None,
    marks: Mapping[Path, Mark],
) -> dict[str, Any]:
    known = types.of(scope)
    nodes: list[dict[str, Any]] = []
    outer: dict[str, dict[str, Any]] = {}
    for name, kind, path in scope.defines:
        if kind in ("input", "function_input"):
            nodes.append(_value_node(path, "Input", name, known, source_map, marks))
    for node in scope.nodes:
        nodes.append(_node(index, node, known, value_at(tree, node.path), source_map, marks, outer))
    for name, path in scope.outputs:
        entry = _value_node(path, "Output", name, known, source_map, marks)
        entry["incomingEdges"] = _edges_into(index, scope, [name], outer)
        nodes.append(entry)
    return {"id": graph_id(scope), "nodes": [*outer.values(), *nodes]}


def _node(
    index: Index,
    node: Node,
    known: Mapping[str, str],
    doc: Any,
    source_map: SourceMap | None,
    marks: Mapping[Path, Mark],
    outer: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    node_id = format_path(node.path)
    attrs = [{"key": "path", "value": node_id}]
    if source_map is not None:
        attrs.append({"key": "line", "value": str(source_map.start(node.path)[0])})
    if node.name:
        attrs.append({"key": "name", "value": node.name})
    if node.domain:
        attrs.append({"key": "domain", "value": node.domain})
    attributes = doc.get("attributes") if isinstance(doc, dict) else None
    if isinstance(attributes, dict):
        attrs += [{"key": key, "value": _shown(value)} for key, value in attributes.items()]
    elif isinstance(attributes, list):
        attrs += [
            {"key": str(item.get("name")), "value": _shown(item)}
            for item in attributes
            if isinstance(item, dict)
        ]
    entry: dict[str, Any] = {
        "id": node_id,
        "label": node.op_type or "?",
        "namespace": namespace(node.name),
        "attrs": attrs,
        "incomingEdges": _edges_into(index, node.scope, node.inputs, outer),
        "inputsMetadata": [
            {"id": str(i), "attrs": _value_attrs(name, known, index.resolve(node.scope, name))}
            for i, name in enumerate(node.inputs)
            if name
        ],
        "outputsMetadata": [
            {"id": str(k), "attrs": _value_attrs(name, known, None)}
            for k, name in enumerate(node.outputs)
            if name
        ],
    }
    if node.subgraphs:
        entry["subgraphIds"] = [graph_id(sub) for sub in node.subgraphs]
    _mark(entry, marks.get(node.path))
    return entry


def _value_node(
    path: Path,
    label: str,
    name: str,
    known: Mapping[str, str],
    source_map: SourceMap | None,
    marks: Mapping[Path, Mark],
) -> dict[str, Any]:
    """A graph's (or function's) input or output: a node named for its value."""
    node_id = format_path(path)
    attrs = [{"key": "path", "value": node_id}, {"key": "name", "value": name}]
    if source_map is not None:
        attrs.append({"key": "line", "value": str(source_map.start(path)[0])})
    if name in known:
        attrs.append({"key": "type", "value": known[name]})
    entry: dict[str, Any] = {
        "id": node_id,
        "label": label,
        "namespace": "",
        "attrs": attrs,
        "outputsMetadata": [{"id": "0", "attrs": _value_attrs(name, known, None)}],
    }
    _mark(entry, marks.get(path))
    return entry


def _edges_into(
    index: Index, scope: Scope, names: list[str], outer: dict[str, dict[str, Any]]
) -> list[dict[str, str]]:
    """The edges into a node reading ``names``: from the node or input of this scope that produces
    each, or from an ``outer`` node for a value of an enclosing scope; none for an initializer."""
    edges = []
    for i, name in enumerate(names):
        producer = index.resolve(scope, name) if name else None
        if producer is None or producer.kind in ("initializer", "sparse_initializer"):
            continue
        if producer.scope is not scope:
            source = outer.setdefault(
                name, _outer_node(name, producer.node.path if producer.node else producer.path)
            )
            edges.append(
                {"sourceNodeId": source["id"], "sourceNodeOutputId": "0", "targetNodeInputId": str(i)}
            )
        elif producer.node is not None:
            edges.append(
                {
                    "sourceNodeId": format_path(producer.node.path),
                    "sourceNodeOutputId": str(producer.path[-1]),
                    "targetNodeInputId": str(i),
                }
            )
        else:
            edges.append(
                {
                    "sourceNodeId": format_path(producer.path),
                    "sourceNodeOutputId": "0",
                    "targetNodeInputId": str(i),
                }
            )
    return edges


def _outer_node(name: str, producer: Path) -> dict[str, Any]:
    """A value a body reads from an enclosing scope, drawn as a source of the body's graph."""
    return {
        "id": f"outer:{name}",
        "label": "outer",
        "namespace": "",
        "attrs": [{"key": "name", "value": name}, {"key": "from", "value": format_path(producer)}],
        "outputsMetadata": [{"id": "0", "attrs": [{"key": "tensor_name", "value": name}]}],
    }


def _value_attrs(name: str, known: Mapping[str, str], producer: Any) -> list[dict[str, str]]:
    attrs = [{"key": "tensor_name", "value": name}]
    if name in known:
        attrs.append({"key": "tensor_shape", "value": known[name]})
    if producer is not None and producer.kind in ("initializer", "sparse_initializer"):
        attrs.append({"key": "initializer", "value": format_path(producer.path)})
    return attrs


def _mark(entry: dict[str, Any], mark: Mark | None) -> None:
    if mark is None:
        return
    background, border = COLOURS[mark.kind]
    entry["style"] = {"backgroundColor": background, "borderColor": border, "hoveredBorderColor": border}
    changed = [{"key": "what changed", "value": "; ".join(mark.lines)}] if mark.lines else []
    entry["attrs"] = [{"key": "diff", "value": mark.kind}, *changed, *entry["attrs"]]


def _shown(value: Any) -> str:
    """An attribute as the document writes it, in one line, cut when long; a graph by its size."""
    if isinstance(value, dict) and isinstance(value.get("nodes"), list):
        return f"graph of {len(value['nodes'])} nodes"
    text = show_value(value)
    return text if len(text) <= _LONGEST else text[: _LONGEST - 1] + "…"


# ---------------------------------------------------------------------------------------------- types


class _Types:
    """The declared type of each value of a scope, as the document writes it: graph inputs, outputs,
    value_info and initializers (``float32[N,3,224,224]``; a type the document writes as a mapping,
    in one line)."""

    def __init__(self, tree: Any) -> None:
        self.tree = tree

    def of(self, scope: Scope) -> dict[str, str]:
        body = value_at(self.tree, scope.path)
        if not isinstance(body, dict) or scope.kind == "function":
            return {}
        found: dict[str, str] = {}
        for key in ("initializers", "value_info", "inputs", "outputs"):
            for item in body.get(key) or ():
                if isinstance(item, dict) and isinstance(item.get("name"), str) and "type" in item:
                    kind = item["type"]
                    found[item["name"]] = (
                        kind if isinstance(kind, str) else json.dumps(kind, ensure_ascii=False)
                    )
        return found

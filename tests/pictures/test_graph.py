"""The graph JSON Model Explorer draws, from the Index: every node at its path and line, every edge."""

from __future__ import annotations

import re
from pathlib import Path

import onnx
import pytest
from onnx import helper

from onnxtext.pictures.graph import Mark, graph_collection, namespace
from onnxtext.pictures.sources import of_model, read_drawn

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _nodes(graph: dict) -> dict[str, dict]:
    return {node["id"]: node for node in graph["nodes"]}


def _attr(node: dict, key: str) -> str | None:
    return next((a["value"] for a in node["attrs"] if a["key"] == key), None)


def test_a_document_s_nodes_are_at_their_paths_and_lines() -> None:
    drawn = read_drawn(SAMPLES / "squeezenet.yaml")
    (graph,) = graph_collection(drawn.index, drawn.tree, drawn.label, source_map=drawn.source_map)["graphs"]
    model = onnx.load(SAMPLES / "squeezenet.onnx")
    # the k-th node entry of the main graph starts at the k-th "    - op_type:" line of the text
    starts = [i + 1 for i, line in enumerate(drawn.text.splitlines()) if re.match(r"    - op_type: ", line)]
    nodes = _nodes(graph)
    assert len(starts) == len(model.graph.node)
    for k, proto in enumerate(model.graph.node):
        node = nodes[f"graph.nodes[{k}]"]
        assert node["label"] == proto.op_type
        assert _attr(node, "line") == str(starts[k])
        assert _attr(node, "name") == (proto.name or None)


def test_edges_come_from_the_producers() -> None:
    model = onnx.load(SAMPLES / "squeezenet.onnx")
    drawn = of_model(model, "squeezenet.onnx")
    (graph,) = graph_collection(drawn.index, drawn.tree, drawn.label)["graphs"]
    made_by = {name: (k, i) for k, node in enumerate(model.graph.node) for i, name in enumerate(node.output)}
    inputs = {value.name: i for i, value in enumerate(model.graph.input)}
    nodes = _nodes(graph)
    edges = 0
    for k, proto in enumerate(model.graph.node):
        expected = []
        for i, name in enumerate(proto.input):
            if name in made_by:
                expected.append((f"graph.nodes[{made_by[name][0]}]", str(made_by[name][1]), str(i)))
            elif name in inputs:
                expected.append((f"graph.inputs[{inputs[name]}]", "0", str(i)))
        got = [
            (e["sourceNodeId"], e["sourceNodeOutputId"], e["targetNodeInputId"])
            for e in nodes[f"graph.nodes[{k}]"]["incomingEdges"]
        ]
        assert got == expected
        edges += len(got)
    assert edges > 100
    (output,) = [node for node in graph["nodes"] if node["label"] == "Output"]
    producer = made_by[model.graph.output[0].name][0]
    assert output["incomingEdges"][0]["sourceNodeId"] == f"graph.nodes[{producer}]"
    shape = {a["key"]: a["value"] for a in output["outputsMetadata"][0]["attrs"]}["tensor_shape"]
    assert shape == "float32[1,1000,1,1]"


def _graph_attributes(graph: onnx.GraphProto, prefix: str) -> list[str]:
    """Paths of the graphs held by node attributes, found by walking the protos (not the Index)."""
    found = []
    for k, node in enumerate(graph.node):
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                path = f"{prefix}.nodes[{k}].attributes.{attr.name}"
                found += [path, *_graph_attributes(attr.g, path)]
    return found


def test_bodies_are_graphs_reached_from_their_nodes() -> None:
    model = onnx.load(SAMPLES / "silero_vad.onnx")
    drawn = of_model(model, "silero_vad.onnx")
    graphs = graph_collection(drawn.index, drawn.tree, drawn.label)["graphs"]
    ids = [graph["id"] for graph in graphs]
    bodies = _graph_attributes(model.graph, "graph")
    assert ids == ["graph", *bodies] or sorted(ids) == sorted(["graph", *bodies])
    linked = [sub for graph in graphs for node in graph["nodes"] for sub in node.get("subgraphIds", [])]
    assert sorted(linked) == sorted(bodies)
    # a body reads the values of the graphs around it through "outer" nodes, each edge from one
    body = next(
        graph
        for graph in graphs
        if graph["id"] != "graph" and any(n["label"] == "outer" for n in graph["nodes"])
    )
    outer = {n["id"] for n in body["nodes"] if n["label"] == "outer"}
    sources = {e["sourceNodeId"] for n in body["nodes"] for e in n.get("incomingEdges", [])}
    assert outer <= sources


def test_initializers_are_input_metadata_not_nodes() -> None:
    x = helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [2])
    y = helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [2])
    w = helper.make_tensor("w", onnx.TensorProto.FLOAT, [2], [1.0, 2.0])
    node = helper.make_node("Add", ["x", "w"], ["y"], name="/block/add/Add")
    model = helper.make_model(helper.make_graph([node], "g", [x], [y], [w]))
    drawn = of_model(model, "m.onnx")
    marks = {("graph", "nodes", 0): Mark("changed", ("attributes.alpha: 1 -> 2",))}
    (graph,) = graph_collection(drawn.index, drawn.tree, "m", marks=marks)["graphs"]
    add = _nodes(graph)["graph.nodes[0]"]
    assert [n["label"] for n in graph["nodes"]] == ["Input", "Add", "Output"]
    assert add["namespace"] == "block/add"
    assert [e["sourceNodeId"] for e in add["incomingEdges"]] == ["graph.inputs[0]"]
    weight = {a["key"]: a["value"] for a in add["inputsMetadata"][1]["attrs"]}
    assert weight == {
        "tensor_name": "w",
        "tensor_shape": "float32[2]",
        "initializer": "graph.initializers[0]",
    }
    assert add["style"]["borderColor"] == "#bf8700"
    assert add["attrs"][:2] == [
        {"key": "diff", "value": "changed"},
        {"key": "what changed", "value": "attributes.alpha: 1 -> 2"},
    ]


@pytest.mark.parametrize(
    ("name", "layers"),
    [("/model.4/m.1/cv1/conv/Conv", "model.4/m.1/cv1/conv"), ("Conv_12", ""), ("a/b", "a"), ("", "")],
)
def test_namespace_is_the_name_scope(name: str, layers: str) -> None:
    assert namespace(name) == layers

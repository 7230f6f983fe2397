"""The Index's scope rules, read from documents and from .onnx skeletons alike; its fast close-match
search returns exactly what difflib.get_close_matches does."""

from __future__ import annotations

import copy
import difflib
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper

from onnxtext.codecs.policy import Policy
from onnxtext.core.index import Index, close_matches
from onnxtext.roundtrip.encode import encode_model
from tests.models import silero_models
from tests.surgery.helpers import function_model

SAMPLES = Path(__file__).parent.parent / "samples"
_EXPORT_NAMES = [
    f"/model/layers.{i}/{part}_output_0" for i in range(60) for part in ("Add", "MatMul", "Mul_1")
]


def _tree(model: onnx.ModelProto) -> dict[str, Any]:
    """The document tree ``dump`` writes (tensors digested: no sidecars needed)."""
    return encode_model(model, Policy(mode="digest"))


def _summary(index: Index) -> tuple[Any, ...]:
    """Everything the Index answers, as plain data (scopes by path, not by object)."""
    scopes = index.scopes
    return (
        [(s.kind, s.path, s.parent and s.parent.path, s.owner and s.owner.path, s.function) for s in scopes],
        [(s.path, s.defines, s.outputs, s.value_info, s.annotations) for s in scopes],
        [
            (n.path, n.scope.path, n.position, n.op_type, n.domain, n.overload, n.name, n.inputs, n.outputs)
            + (n.attributes, [sub.path for sub in n.subgraphs])
            for n in index.nodes
        ],
        {(scopes[k].path, name): [(p.kind, p.path) for p in v] for (k, name), v in index.producers.items()},
        {(scopes[k].path, name): [(c.kind, c.path) for c in v] for (k, name), v in index.consumers.items()},
    )


def _with_function() -> onnx.ModelProto:
    """y = Twice(x) of a local function whose body reads ``w``: a name only the main graph defines."""
    return function_model("w")


def _shadowing() -> onnx.ModelProto:
    """An If whose then-branch defines its own ``w`` (shadowing the initializer) and holds a Loop
    reading ``w``; the else-branch reads the outer ``w``."""
    loop_body = helper.make_graph(
        [helper.make_node("Add", ["w", "acc"], ["acc_out"]), helper.make_node("Identity", ["c"], ["c_out"])],
        "loop",
        [
            helper.make_tensor_value_info("i", TensorProto.INT64, []),
            helper.make_tensor_value_info("c", TensorProto.BOOL, []),
            helper.make_tensor_value_info("acc", TensorProto.FLOAT, [3]),
        ],
        [
            helper.make_tensor_value_info("c_out", TensorProto.BOOL, []),
            helper.make_tensor_value_info("acc_out", TensorProto.FLOAT, [3]),
        ],
    )
    then = helper.make_graph(
        [
            helper.make_node("Neg", ["x"], ["w"]),
            helper.make_node("Loop", ["n", "", "x"], ["t"], body=loop_body),
        ],
        "then",
        [],
        [helper.make_tensor_value_info("t", TensorProto.FLOAT, [3])],
    )
    other = helper.make_graph(
        [helper.make_node("Mul", ["x", "w"], ["e"])],
        "else",
        [],
        [helper.make_tensor_value_info("e", TensorProto.FLOAT, [3])],
    )
    graph = helper.make_graph(
        [helper.make_node("If", ["cond"], ["y"], then_branch=then, else_branch=other)],
        "g",
        [
            helper.make_tensor_value_info("cond", TensorProto.BOOL, []),
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [3]),
            helper.make_tensor_value_info("n", TensorProto.INT64, []),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3])],
        [numpy_helper.from_array(np.full(3, 2.0, np.float32), "w")],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_a_function_body_sees_only_its_own_names() -> None:
    index = Index.of_model(_with_function())
    main, function = index.scopes
    assert function.kind == "function" and function.function == ("local", "Twice", "")
    assert index.resolve(main, "w").kind == "initializer"
    assert index.resolve(function, "w") is None  # the graph's w is not the function's
    assert index.resolve(function, "v").kind == "function_input"
    assert index.outer_names(function) == {"w"}


def test_sparse_initializers_define_their_values_name() -> None:
    sparse = helper.make_sparse_tensor(
        numpy_helper.from_array(np.array([5.0], np.float32), "s"), numpy_helper.from_array(np.array([1])), [3]
    )
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "s"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3])],
        sparse_initializer=[sparse],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    for index in (Index.of_model(model), Index(_tree(model))):
        found = index.resolve(index.scopes[0], "s")
        assert (found.kind, found.path, found.name_path) == (
            "sparse_initializer",
            ("graph", "sparse_initializers", 0),
            ("graph", "sparse_initializers", 0, "values", "name"),
        )


def test_graphs_attributes_are_scopes_at_their_positions() -> None:
    branch = [
        helper.make_graph(
            [helper.make_node("Relu", ["x"], [f"b{k}"])],
            f"b{k}",
            [],
            [helper.make_tensor_value_info(f"b{k}", 1, [3])],
        )
        for k in range(2)
    ]
    node = helper.make_node("Choose", ["x"], ["y"], domain="custom", name="choose")
    node.attribute.append(helper.make_attribute("branches", branch))
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", 1, [3])],
        [helper.make_tensor_value_info("y", 1, [3])],
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("custom", 1)]
    )
    for index in (Index.of_model(model), Index(_tree(model))):
        paths = [s.path for s in index.scopes[1:]]
        assert paths == [("graph", "nodes", 0, "attributes", "branches", "graphs", k) for k in range(2)]
        assert all(s.owner is index.nodes[0] and s.parent is index.scopes[0] for s in index.scopes[1:])
        assert index.resolve(index.scopes[2], "x").path == ("graph", "inputs", 0)  # read from outside


def test_shadowing_in_nested_bodies() -> None:
    index = Index.of_model(_shadowing())
    main, other, then, loop = index.scopes  # make_node sorts attributes: else_branch first
    assert (then.path, loop.path, other.path) == (
        ("graph", "nodes", 0, "attributes", "then_branch"),
        ("graph", "nodes", 0, "attributes", "then_branch", "nodes", 1, "attributes", "body"),
        ("graph", "nodes", 0, "attributes", "else_branch"),
    )
    assert index.resolve(loop, "w").scope is then  # the branch's own w, not the initializer
    assert index.resolve(other, "w").scope is main
    homes = {path: home.path for path, name, home, _ in index.places() if name == "w" and home is not None}
    assert homes[(*loop.path, "nodes", 0, "inputs", 0)] == then.path
    assert homes[(*other.path, "nodes", 0, "inputs", 1)] == main.path
    assert index.outer_names(then) == {"x", "n"} and index.outer_names(loop) == {"w"}


def test_producers_and_consumers_come_in_document_order() -> None:
    model = _shadowing()
    model.graph.node.insert(0, helper.make_node("Identity", ["x"], ["x2"]))
    model.graph.node.append(helper.make_node("Add", ["x", "x2"], ["z"]))
    model.graph.output.append(helper.make_tensor_value_info("x", 1, [3]))
    index = Index.of_model(model)
    main = index.scopes[0]
    assert [(c.kind, c.path) for c in index.consumers_of(main, "x")] == [
        ("node", ("graph", "nodes", 0, "inputs", 0)),
        ("node", ("graph", "nodes", 2, "inputs", 0)),
        ("output", ("graph", "outputs", 1)),
    ]
    model.graph.input.append(helper.make_tensor_value_info("w", 1, [3]))  # w: an input with a default
    index = Index.of_model(model)
    assert [p.kind for p in index.producers_of(index.scopes[0], "w")] == ["input", "initializer"]


@pytest.mark.parametrize("tables_first", [True, False])
def test_with_node_equals_a_fresh_build(tables_first: bool) -> None:
    tree = _tree(onnx.load(SAMPLES / "squeezenet.onnx"))
    index = Index(tree)
    if tables_first:
        assert index.producers  # made before the edit: spliced; else made from the new nodes
    node = copy.deepcopy(tree["graph"]["nodes"][45])
    node["inputs"] = ["r2", "fire2/squeeze1x1_w_0"]  # rewired, and one input fewer
    node["outputs"] = ["renamed"]
    edited = copy.deepcopy(tree)
    edited["graph"]["nodes"][45] = node
    derived = index.with_node(("graph", "nodes", 45), node)
    assert derived is not None and _summary(derived) == _summary(Index(edited))


def _scan_and_listed_attributes() -> onnx.ModelProto:
    """A Scan (a GRAPH attribute beside other attributes: written as its fields) and a node whose
    attribute names repeat (written as a list, each graph under ``g``)."""
    body = helper.make_graph(
        [helper.make_node("Add", ["s", "xi"], ["s_out"]), helper.make_node("Identity", ["s_out"], ["yi"])],
        "scan",
        [helper.make_tensor_value_info(n, 1, [2]) for n in ("s", "xi")],
        [helper.make_tensor_value_info(n, 1, [2]) for n in ("s_out", "yi")],
    )
    scan = helper.make_node("Scan", ["init", "xs"], ["final", "ys"], body=body, num_scan_inputs=1)
    scan.attribute[0].doc_string = "not only name, type and graph"
    odd = helper.make_node("Twin", ["final"], ["z"], domain="custom")
    odd.attribute.extend([helper.make_attribute("g", body), helper.make_attribute("g", body)])
    graph = helper.make_graph(
        [scan, odd],
        "scan_graph",
        [helper.make_tensor_value_info("init", 1, [2]), helper.make_tensor_value_info("xs", 1, [3, 2])],
        [helper.make_tensor_value_info(n, 1, None) for n in ("ys", "z")],
    )
    return helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("custom", 1)]
    )


def _corpus() -> list[onnx.ModelProto]:
    models = [
        onnx.load(SAMPLES / "squeezenet.onnx"),
        _with_function(),
        _shadowing(),
        _scan_and_listed_attributes(),
    ]
    return models + [onnx.load(path) for path in silero_models()]


@pytest.mark.parametrize("model", _corpus(), ids=lambda m: m.graph.name)
def test_the_index_of_a_model_is_the_index_of_its_document(model: onnx.ModelProto) -> None:
    assert _summary(Index.of_model(model)) == _summary(Index(_tree(model)))


@given(
    st.lists(st.text("ab_/.0123", max_size=12), max_size=40),
    st.text("ab_/.0123", max_size=12),
    st.integers(1, 4),
)
@settings(max_examples=300, deadline=None)
def test_same_as_difflib(names: list[str], word: str, n: int) -> None:
    assert close_matches(word, names, n) == difflib.get_close_matches(word, names, n)


def test_same_as_difflib_on_export_names() -> None:
    for word in ("/model/layers.7/Add_output_0_x", "/model/layers.70/MatMul_output", "Mul_1", ""):
        assert close_matches(word, _EXPORT_NAMES, 3) == difflib.get_close_matches(word, _EXPORT_NAMES, 3)

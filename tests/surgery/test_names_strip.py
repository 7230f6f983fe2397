"""name_nodes gives stable unique names; strip_doc takes doc strings and metadata out."""

from __future__ import annotations

import onnx

from onnxtext.surgery.names import name_nodes
from onnxtext.surgery.strip import strip_doc
from tests.models import ONNX_DATA
from tests.surgery.helpers import chain_model, if_model, run


def test_unnamed_nodes_get_op_type_counters_skipping_used_names() -> None:
    model = chain_model()
    model.graph.node[0].name = ""
    model.graph.node[1].name = "Relu_0"  # taken: the new name skips it
    named = name_nodes(model)
    assert [n.name for n in named.graph.node] == ["Relu_1", "Relu_0", "abs", "dead_add"]
    assert name_nodes(named).SerializeToString() == named.SerializeToString()


def test_subgraph_nodes_are_named_too() -> None:
    model = if_model()
    for attr in model.graph.node[0].attribute:
        attr.g.node[0].name = ""
    named = name_nodes(model)
    assert sorted(a.g.node[0].name for a in named.graph.node[0].attribute) == ["Identity_0", "Mul_0"]


def test_squeezenet_nodes_all_named_and_still_run() -> None:
    model = onnx.load(ONNX_DATA / "light" / "light_squeezenet.onnx")
    unnamed = [i for i, n in enumerate(model.graph.node) if not n.name]
    named = name_nodes(model)
    names = [n.name for n in named.graph.node]
    assert unnamed and all(names) and len(set(names)) == len(names)
    assert all(names[i] == n.name for i, n in enumerate(model.graph.node) if n.name)
    onnx.checker.check_model(named, full_check=True)


def test_strip_doc_and_metadata() -> None:
    model = chain_model()
    model.doc_string = "exported"
    model.graph.node[0].doc_string = "from layer 1"
    onnx.helper.set_model_props(model, {"author": "me"})
    stripped = strip_doc(model)
    assert not stripped.doc_string and not stripped.graph.node[0].doc_string and not stripped.metadata_props
    assert strip_doc(model, metadata=False).metadata_props[0].key == "author"
    assert strip_doc(stripped).SerializeToString() == stripped.SerializeToString()
    x = {"x": __import__("numpy").ones((1, 3), "float32")}
    assert (run(stripped, x)["y"] == run(model, x)["y"]).all()

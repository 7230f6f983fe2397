"""Paths print the way the README shows them, quoting keys a dotted path could not hold."""

from onnxtext.base.paths import format_path


def test_format_path() -> None:
    assert format_path(("graph", "nodes", 12, "inputs", 1)) == "graph.nodes[12].inputs[1]"
    assert format_path(("graph", "nodes", 0, "attributes", "epsilon")) == "graph.nodes[0].attributes.epsilon"
    assert format_path(("metadata_props", "a.b c")) == 'metadata_props["a.b c"]'
    assert format_path(()) == "<document>"

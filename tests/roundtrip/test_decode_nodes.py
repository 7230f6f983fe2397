"""The decoder sets a common node (names, lists of names, attributes) in one go: it must build the same
node and report the same problems, at the same paths, as the field-by-field path it skips."""

from __future__ import annotations

from typing import Any

import pytest

from onnxtext.base.errors import OnnxTextError
from onnxtext.roundtrip import decode
from onnxtext.roundtrip.decode import decode_model

NODES = [
    {"op_type": "Add", "name": "n", "inputs": ["x", "y"], "outputs": ["z"]},
    {"op_type": "Add", "name": "a\udc80", "inputs": ["x"], "outputs": ["y"]},  # lone surrogate
    {"op_type": "Add", "inputs": ["x", 3], "outputs": ["y"]},
    {"op_type": "Add", "inputs": ["x"], "outputs": ["y"], "attributes": {"a": [1, "x"], "b": 2, "c": None}},
    {"attributes": {"to": "float16"}, "op_type": "Cast", "domain": "", "inputs": ["x"], "outputs": ["y"]},
    {"op_type": "Add", "inputs": "x", "outputs": ["y"]},
    {"op_type": "Add", "inputs": [], "outputs": [], "doc_string": "d", "overload": ""},
    {"op_type": "Add", "bogus": 1},
    {"op_type": True},
    {},
]


def decoded(node: dict[str, Any], recover: bool) -> tuple[bytes, list[tuple[str, str, Any]]]:
    tree = {"ir_version": 8, "graph": {"nodes": [node]}}
    problems: list[OnnxTextError] | None = [] if recover else None
    try:
        model = decode_model(tree, problems=problems).SerializeToString()
    except OnnxTextError as err:
        return b"", [(err.code, str(err), err.path)]
    return model, [(p.code, str(p), p.path) for p in problems or []]


@pytest.mark.parametrize("recover", [True, False])
@pytest.mark.parametrize("node", NODES, ids=range(len(NODES)))
def test_common_nodes_decode_as_field_by_field(
    node: dict[str, Any], recover: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick = decoded(node, recover)
    monkeypatch.setattr(decode._Decoder, "plain_node", lambda *_: False)
    assert quick == decoded(node, recover)


# Literals that Python holds equal but that are different attributes; each pair in one graph, so the
# second is decoded after the first is remembered.
TWINS = [
    ({"a": 1}, {"a": 1.0}),
    ({"a": 0.0}, {"a": -0.0}),
    ({"a": [1, 2]}, {"a": [1.0, 2.0]}),
    ({"a": 1}, {"a": True}),
    ({"a": "float16"}, {"to": "float16"}),
    ({"to": "float16"}, {"to": "float16"}),
    ({"a": "9007199254740993"}, {"a": 9007199254740993}),
    ({"a": 2**64}, {"a": 2**64}),
    ({"a": []}, {"a": []}),
]


@pytest.mark.parametrize("recover", [True, False])
@pytest.mark.parametrize(("first", "second"), TWINS, ids=range(len(TWINS)))
def test_remembered_literals_stay_apart(
    first: dict[str, Any], second: dict[str, Any], recover: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    nodes = [
        {"op_type": op, "inputs": ["x"], "outputs": [f"y{i}"], "attributes": attrs}
        for i, (op, attrs) in enumerate([("Cast", first), ("Cast", second), ("Add", second)])
    ]

    def graph() -> tuple[bytes, list[tuple[str, str, Any]]]:
        problems: list[OnnxTextError] | None = [] if recover else None
        try:
            model = decode_model({"ir_version": 8, "graph": {"nodes": nodes}}, problems=problems)
        except OnnxTextError as err:
            return b"", [(err.code, str(err), err.path)]
        return model.SerializeToString(), [(p.code, str(p), p.path) for p in problems or []]

    remembered = graph()
    monkeypatch.setattr(decode, "literal_key", lambda *_: None)
    assert remembered == graph()

"""Shared by the surgery tests: running models, the CLI, and small models built with onnx.helper."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import onnx
import onnxruntime
from click.testing import CliRunner
from onnx import TensorProto, helper

from onnxtext.cli import main


def run(model: onnx.ModelProto, feeds: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Output name -> value, in onnxruntime."""
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 4
    session = onnxruntime.InferenceSession(model.SerializeToString(), options)
    names = [o.name for o in model.graph.output]
    return dict(zip(names, session.run(names, dict(feeds)), strict=True))


def cli(*args: str) -> tuple[int, str]:
    """Exit code and stdout+stderr of ``onnxtext ARGS``."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def chain_model(opset: int = 17) -> onnx.ModelProto:
    """x -> Relu -> a -> Neg -> b -> Abs -> y, plus an unused branch (Exp of x, with an initializer)."""
    nodes = [
        helper.make_node("Relu", ["x"], ["a"], name="relu"),
        helper.make_node("Neg", ["a"], ["b"], name="neg"),
        helper.make_node("Abs", ["b"], ["y"], name="abs"),
        helper.make_node("Add", ["x", "unused_w"], ["dead"], name="dead_add"),
    ]
    graph = helper.make_graph(
        nodes,
        "chain",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])],
        initializer=[helper.make_tensor("unused_w", TensorProto.FLOAT, [3], [1.0, 2.0, 3.0])],
        value_info=[helper.make_tensor_value_info("dead", TensorProto.FLOAT, ["N", 3])],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def if_model() -> onnx.ModelProto:
    """y = If(cond, then: x * w (w an outer initializer read only inside the branch), else: x)."""
    then_branch = helper.make_graph(
        [helper.make_node("Mul", ["x", "w"], ["t"], name="mul")],
        "then",
        [],
        [helper.make_tensor_value_info("t", TensorProto.FLOAT, [3])],
    )
    else_branch = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["e"], name="ident")],
        "else",
        [],
        [helper.make_tensor_value_info("e", TensorProto.FLOAT, [3])],
    )
    graph = helper.make_graph(
        [
            helper.make_node(
                "If", ["cond"], ["y"], name="if", then_branch=then_branch, else_branch=else_branch
            )
        ],
        "branchy",
        [
            helper.make_tensor_value_info("cond", TensorProto.BOOL, []),
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [3]),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3])],
        initializer=[helper.make_tensor("w", TensorProto.FLOAT, [3], [2.0, 3.0, 4.0])],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def unary(op: str, opset: int = 17, **attrs: object) -> onnx.ModelProto:
    """y = op(x) on float32[N,3] (the shape of the conformance cases' unary ops, small)."""
    graph = helper.make_graph(
        [helper.make_node(op, ["x"], ["y"], name=op.lower(), **attrs)],
        op,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def names_of(values: Sequence[onnx.ValueInfoProto]) -> list[str]:
    return [v.name for v in values]


def function_model(second: str = "v") -> onnx.ModelProto:
    """y = Twice(x), a local function whose body is Add(v, ``second``); with ``second="w"`` the body
    reads a name that only the main graph defines (an initializer w)."""
    function = helper.make_function(
        "local",
        "Twice",
        ["v"],
        ["a"],
        [helper.make_node("Add", ["v", second], ["a"])],
        [helper.make_opsetid("", 17)],
    )
    weights = [helper.make_tensor("w", TensorProto.FLOAT, [3], [1.0, 1.0, 1.0])] if second == "w" else []
    graph = helper.make_graph(
        [helper.make_node("Twice", ["x"], ["y"], domain="local")],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3])],
        weights,
    )
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("local", 1)]
    return helper.make_model(graph, functions=[function], opset_imports=opsets)

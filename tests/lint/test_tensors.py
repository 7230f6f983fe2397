"""T304: a tensor written field by field whose payload does not hold its elements is an error at the
tensor's own line (not only onnx.checker's C501 at the ``graph:`` line), wherever the tensor is."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnx.backend.test.case.node import collect_testcases

import onnxtext
from onnxtext.codecs.dtypes import dtype_by_onnx
from onnxtext.core.document import Document
from onnxtext.lint.engine import lint

FORMATS = ["yaml", "json"]


def t304(model: onnx.ModelProto, fmt: str) -> tuple[str, list[tuple[int, str]]]:
    text = onnxtext.dumps(model, fmt)
    found = lint(Document(text, fmt, f"m.{fmt}", Path(".")))
    return text, [(d.line or 0, d.message) for d in found if d.code == "T304"]


def line_of(text: str, needle: str) -> int:
    assert text.count(needle) == 1, needle
    return text[: text.index(needle)].count("\n") + 1


def model_with(*, initializers=(), nodes=(), sparse=()) -> onnx.ModelProto:
    nodes = [*nodes, helper.make_node("Identity", ["x"], ["y"])]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3])],
        initializer=list(initializers),
        sparse_initializer=list(sparse),
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


BROKEN = {
    "float_data short": TensorProto(name="w", data_type=1, dims=[3], float_data=[1, 2]),
    "float_data long": TensorProto(name="w", data_type=1, dims=[3], float_data=[1, 2, 3, 4]),
    "raw_data short": TensorProto(name="w", data_type=1, dims=[3], raw_data=b"\0" * 8),
    "raw_data long": TensorProto(name="w", data_type=7, dims=[2], raw_data=b"\0" * 24),
    "no payload": TensorProto(name="w", data_type=1, dims=[3]),
    "two payloads": TensorProto(name="w", data_type=1, dims=[3], raw_data=b"\0" * 12, float_data=[1, 2, 3]),
    "wrong field": TensorProto(name="w", data_type=1, dims=[3], int32_data=[1, 2, 3]),
    "strings short": TensorProto(name="w", data_type=8, dims=[3], string_data=[b"a"]),
    "float16 short": TensorProto(name="w", data_type=10, dims=[3], int32_data=[1, 2]),
    "int4 short": TensorProto(name="w", data_type=22, dims=[5], raw_data=b"\0\0"),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_initializer_is_reported_at_its_line(case: str, fmt: str) -> None:
    text, found = t304(model_with(initializers=[BROKEN[case]]), fmt)
    assert [line for line, _ in found] == [line_of(text, '{"name": "w"' if fmt == "json" else "{name: w,")]
    assert "tensor 'w' does not hold its elements" in found[0][1]


@pytest.mark.parametrize("fmt", FORMATS)
def test_tensors_in_attributes_subgraphs_and_sparse_tensors_are_reported_at_their_lines(fmt: str) -> None:
    short = TensorProto(name="c", data_type=1, dims=[3], float_data=[1, 2])
    constant = helper.make_node("Constant", [], ["k"], value=short)
    in_list = helper.make_node("Custom", [], ["z"], domain="x", tensors=[short, short])
    inner_init = TensorProto(name="inner", data_type=7, dims=[2], int64_data=[1])
    body = helper.make_graph(
        [helper.make_node("Identity", ["inner"], ["b"])],
        "body",
        [],
        [helper.make_tensor_value_info("b", TensorProto.INT64, [2])],
        initializer=[inner_init],
    )
    branch = helper.make_node("If", ["cond"], ["o"], then_branch=body, else_branch=body)
    values = TensorProto(name="sv", data_type=1, dims=[2], float_data=[1.0])
    indices = numpy_helper.from_array(np.array([0, 2], np.int64), "si")
    sparse = helper.make_sparse_tensor(values, indices, [3])
    model = model_with(nodes=[constant, in_list, branch], sparse=[sparse])
    text, found = t304(model, fmt)
    lines = sorted(line for line, _ in found)
    quote = '"' if fmt == "json" else ""
    expected = [
        line_of(text, f"{quote}value{quote}: {{{quote}type{quote}: {quote}TENSOR"),
        *[i + 1 for i, line in enumerate(text.splitlines()) if "inner" in line and "dims" in line],
        *[line_of(text, f"{quote}tensors{quote}: [")] * 2,  # both tensors of the list, on one line
        line_of(text, f"{quote}name{quote}: {quote}sv{quote}"),
    ]
    assert lines == sorted(expected)


def conformance_tensors() -> list[tuple[str, onnx.ModelProto, onnx.ModelProto]]:
    """Conformance models holding a tensor (initializer or attribute) of a known type, each with that
    tensor's payload cut by one entry: the held-out cases of the issue, rebuilt from real models."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = collect_testcases(None)
    out = []
    for case in cases:
        model = onnx.ModelProto()
        model.CopyFrom(case.model)
        tensor = next(_tensors(model.graph), None)
        if tensor is None or dtype_by_onnx(tensor.data_type) is None or not np.prod(tensor.dims):
            continue
        if tensor.HasField("raw_data") and tensor.raw_data:
            tensor.raw_data = tensor.raw_data[:-1]
        else:
            field = next(f.name for f, v in tensor.ListFields() if f.name.endswith("_data") and len(v))
            del getattr(tensor, field)[-1]
        out.append((case.name, case.model, model))
    return out[::4]  # every 4th: the shapes repeat


def _tensors(graph: onnx.GraphProto):
    yield from graph.initializer
    for node in graph.node:
        for attr in node.attribute:
            if attr.HasField("t"):
                yield attr.t


CONFORMANCE = conformance_tensors()


@pytest.mark.parametrize("name, original, cut", CONFORMANCE, ids=[name for name, _, _ in CONFORMANCE])
def test_a_cut_conformance_tensor_is_reported_at_its_line(
    name: str, original: onnx.ModelProto, cut: onnx.ModelProto
) -> None:
    assert len(CONFORMANCE) > 20
    text, found = t304(cut, "yaml")
    before = onnxtext.dumps(original, "yaml").splitlines()
    changed = [i + 1 for i, (a, b) in enumerate(zip(before, text.splitlines(), strict=True)) if a != b]
    assert len(changed) == 1 and [line for line, _ in found] == changed, name


def test_every_clean_conformance_tensor_passes() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = collect_testcases(None)
    for case in cases[::3]:
        assert t304(case.model, "yaml")[1] == [], case.name

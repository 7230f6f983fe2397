"""Lint test helpers: a small real model dumped as a person would see it, edited as a person would.

Edits are written once and rendered for YAML and JSON (``field``); expected positions are found in
the edited text (``at``), so every test asserts code, line and column in both formats.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import onnxtext
from onnxtext.base.diagnostics import Diagnostic
from onnxtext.core.document import Document
from onnxtext.lint.engine import Selection, lint

FORMATS = ["yaml", "json"]


def chain_model(opset: int = 17) -> onnx.ModelProto:
    """x -> Add(w) -> a -> LeakyRelu -> b -> Relu -> y, and x -> Cast -> c; outputs y and c; value_info b."""
    weight = numpy_helper.from_array(np.arange(6, dtype=np.float32).reshape(2, 3), "w")
    nodes = [
        helper.make_node("Add", ["x", "w"], ["a"], name="n0"),
        helper.make_node("LeakyRelu", ["a"], ["b"], name="n1", alpha=0.1),
        helper.make_node("Relu", ["b"], ["y"], name="n2"),
        helper.make_node("Cast", ["x"], ["c"], name="n3", to=TensorProto.FLOAT16),
    ]
    graph = helper.make_graph(
        nodes,
        "chain",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
        [
            helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3]),
            helper.make_tensor_value_info("c", TensorProto.FLOAT16, [2, 3]),
        ],
        initializer=[weight],
        value_info=[helper.make_tensor_value_info("b", TensorProto.FLOAT, [2, 3])],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def render(value: Any, fmt: str) -> str:
    """A value as the emitter writes it inline (plain names in YAML flow lists)."""
    if fmt == "json":
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(render(v, fmt) for v in value) + "]"
    return str(value)


def field(key: str, value: Any, fmt: str) -> str:
    """``key: value`` as written in ``fmt``."""
    return f'"{key}": {render(value, fmt)}' if fmt == "json" else f"{key}: {render(value, fmt)}"


def edit(text: str, fmt: str, key: str, old: Any, new: Any, count: int = 1) -> str:
    """Replace the first ``key: old`` with ``key: new`` (both rendered for ``fmt``)."""
    before = field(key, old, fmt)
    assert before in text, (before, text)
    return text.replace(before, field(key, new, fmt), count)


def at(text: str, needle: str, nth: int = 0, offset: int = 0) -> tuple[int, int]:
    """(line, col), 1-based, of the ``nth`` occurrence of ``needle`` (plus ``offset`` characters)."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    start += offset
    line = text.count("\n", 0, start) + 1
    return line, start - (text.rfind("\n", 0, start) + 1) + 1


def item(text: str, fmt: str, key: str, value: list[str], index: int, nth: int = 0) -> tuple[int, int]:
    """Where item ``index`` of the list ``key: value`` starts (the quote in JSON)."""
    rendered = field(key, value, fmt)
    inner = rendered.index("[") + 1
    for i in range(index):
        inner += len(render(value[i], fmt)) + 2
    return at(text, rendered, nth, inner)


def node_start(text: str, fmt: str, op_type: str) -> tuple[int, int]:
    """Where the node with ``op_type`` starts: its first key in YAML, its ``{`` in JSON."""
    line, col = at(text, field("op_type", op_type, fmt))
    if fmt == "yaml":
        return line, col
    previous = text.splitlines()[line - 2]
    return line - 1, previous.index("{") + 1


def dumped(model: onnx.ModelProto, fmt: str) -> str:
    return onnxtext.dumps(model, fmt)  # type: ignore[arg-type]


def run(
    text: str, fmt: str, folder: Path | None = None, selection: Selection | None = None
) -> list[Diagnostic]:
    document = Document(text, fmt, f"m.{fmt}", folder or Path.cwd())  # type: ignore[arg-type]
    return lint(document, selection)


def codes(found: list[Diagnostic]) -> set[str]:
    return {d.code for d in found}


def expect(found: list[Diagnostic], code: str, where: tuple[int, int]) -> Diagnostic:
    """The diagnostic ``code`` at ``where``; fails listing what was found otherwise."""
    hits = [d for d in found if d.code == code and (d.line, d.col) == where]
    assert hits, f"no {code} at {where}:\n" + "\n".join(d.report() for d in found)
    return hits[0]


def clean(fmt: str, model: onnx.ModelProto | None = None) -> str:
    """A document of ``model`` (default :func:`chain_model`) that lints with no error."""
    text = dumped(model or chain_model(), fmt)
    errors = [d.report() for d in run(text, fmt) if d.severity == "error"]
    assert not errors, errors
    return text

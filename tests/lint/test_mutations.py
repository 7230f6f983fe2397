"""Break a real model at the proto level, dump it, lint: the right code at the line of the broken
element, in YAML and JSON; and ``build`` refuses it, writing nothing.

The expected line is found in the text (the line the dumps of the original and the broken model first
differ on, or the line holding the broken element's own content), never from the source map that
placed the diagnostic.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import onnx
import pytest
from click.testing import CliRunner

import onnxtext
from onnxtext.base.paths import Path as DocPath
from onnxtext.cli import main
from onnxtext.core.document import Document
from onnxtext.lint.engine import lint
from tests.textsearch import first_difference, item_start, line_of

SQUEEZENET = Path(__file__).resolve().parents[2] / "samples" / "squeezenet.onnx"

# (dump of the original model, dump of the broken one) -> the line of the broken element
Where = Callable[[str, str], int]


def first(model: onnx.ModelProto, op_type: str) -> int:
    return next(i for i, node in enumerate(model.graph.node) if node.op_type == op_type)


def changed(original: str, broken: str) -> int:
    """The broken element is on the one line that changed."""
    return first_difference(original, broken)


def holding(content: str) -> Where:
    """The broken element is on the first line that reads ``content``."""
    return lambda _, broken: line_of(broken, content)


def node_named(name: str) -> Where:
    """The broken element is the node called ``name``: the line its list item starts on."""
    return lambda _, broken: item_start(broken, line_of(broken, f"name: {name}"))


def rename_input(model: onnx.ModelProto) -> tuple[DocPath, Where]:
    i = first(model, "Relu")
    model.graph.node[i].input[0] += "_typo"
    return ("graph", "nodes", i, "inputs", 0), changed


def duplicate_output(model: onnx.ModelProto) -> tuple[DocPath, Where]:
    i, j = first(model, "Relu"), first(model, "MaxPool")
    model.graph.node[j].output[0] = model.graph.node[i].output[0]
    return ("graph", "nodes", j, "outputs", 0), changed


def drop_required_attribute(model: onnx.ModelProto) -> tuple[DocPath, Where]:
    i = first(model, "Concat")
    del model.graph.node[i].attribute[:]
    return ("graph", "nodes", i), node_named(model.graph.node[i].name)


def lower_opset(model: onnx.ModelProto) -> tuple[DocPath, Where]:
    model.opset_import[0].version = 8  # ConstantOfShape is from opset 9
    return ("graph", "nodes", first(model, "ConstantOfShape"), "op_type"), holding("op_type: ConstantOfShape")


def retype_attribute(model: onnx.ModelProto) -> tuple[DocPath, Where]:
    i = first(model, "Concat")
    axis = model.graph.node[i].attribute[0]
    axis.type, axis.f = onnx.AttributeProto.FLOAT, float(axis.i)
    axis.ClearField("i")
    return ("graph", "nodes", i, "attributes", "axis"), changed


def cycle(model: onnx.ModelProto) -> tuple[DocPath, Where]:
    i = first(model, "Relu")
    model.graph.node[i].input[0] = model.graph.node[i + 1].output[0]
    return ("graph", "nodes", i), node_named(model.graph.node[i].name)


MUTATIONS: dict[str, tuple[Callable[[onnx.ModelProto], tuple[DocPath, Where]], str]] = {
    "rename-input": (rename_input, "R201"),
    "duplicate-output": (duplicate_output, "N102"),
    "drop-required-attribute": (drop_required_attribute, "O404"),
    "lower-opset": (lower_opset, "O401"),
    "retype-attribute": (retype_attribute, "O405"),
    "cycle": (cycle, "R203"),
}


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_mutation_is_found_at_its_line(mutation: str, fmt: str, tmp_path: Path) -> None:
    model = onnx.load(SQUEEZENET)
    original = onnxtext.dumps(model, fmt)  # type: ignore[arg-type]
    breaks, code = MUTATIONS[mutation]
    path, where = breaks(model)
    text = onnxtext.dumps(model, fmt)  # type: ignore[arg-type]
    document = Document(text, fmt, f"m.{fmt}", tmp_path)  # type: ignore[arg-type]
    found = lint(document)
    assert [d.line for d in found if d.code == code and d.path == path] == [where(original, text)], [
        d.report() for d in found
    ]
    if fmt == "yaml":
        doc, out = tmp_path / "m.yaml", tmp_path / "m.onnx"
        doc.write_text(text)
        result = CliRunner().invoke(main, ["build", str(doc), "-o", str(out)])
        assert result.exit_code == 1 and f" error {code} " in result.output and not out.exists()

"""A YAML syntax error is reported by libyaml at once; only a refusal YAML 1.2 may accept is read again."""

from __future__ import annotations

import io
from pathlib import Path

import onnx
import pytest
from ruamel.yaml import YAML

import onnxtext
from onnxtext import text
from onnxtext.core.document import Document
from onnxtext.text import yaml_parse
from tests.models import shipped_models


def _model() -> onnx.ModelProto:
    return onnx.load(next(p for p in shipped_models() if "conv" in p.parent.name))


def test_ruamel_written_document_still_builds() -> None:
    # ruamel (YAML 1.2) writes names like onnx::Add_17 unquoted inside [ ]: libyaml refuses them
    value = onnx.helper.make_tensor_value_info
    model = onnx.helper.make_model(
        onnx.helper.make_graph(
            [onnx.helper.make_node("Add", ["x", "onnx::Add_17"], ["y"])],
            "g",
            [
                onnx.helper.make_tensor_value_info(n, onnx.TensorProto.FLOAT, [1])
                for n in ("x", "onnx::Add_17")
            ],
            [value("y", onnx.TensorProto.FLOAT, [1])],
        )
    )
    tree = text.parse(onnxtext.dumps(model), "yaml")
    out = io.StringIO()
    writer = YAML()
    writer.default_flow_style = None
    writer.dump(tree, out)
    assert "[x, onnx::Add_17]" in out.getvalue()
    assert onnxtext.loads(out.getvalue()).SerializeToString() == model.SerializeToString()


def test_unclosed_bracket_is_reported_without_the_pure_python_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = onnxtext.dumps(_model()).split("\n")
    at = next(i for i, line in enumerate(lines) if "inputs: [" in line)
    lines[at] = lines[at].replace("]", "")
    called: list[str] = []
    pure = yaml_parse._pure_events
    monkeypatch.setattr(yaml_parse, "_pure_events", lambda t: called.append(t) or pure(t))
    document = Document("\n".join(lines), "yaml", "m.yaml", Path("."))
    error = document.syntax_error
    assert error is not None and error.code == "E101"
    assert error.line is not None and at + 1 <= error.line <= at + 2
    assert "']'" in (error.hint or "")
    assert not called

"""RT001-RT003 against onnxruntime itself: a model they report is one onnxruntime refuses to load, on the
conformance models and the shipped ones; without onnxruntime they are silent and lint says so once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import onnx
import onnxruntime
import pytest
from onnx.backend.test.case.node import collect_testcases

from onnxtext.core.document import Document
from onnxtext.lint.engine import Selection, lint
from onnxtext.lint.registry import examples
from tests.models import shipped_models

RT = Selection(extend_select=("RT",))
ROOT = Path(__file__).resolve().parents[2]


def loads(model: onnx.ModelProto) -> bool:
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 4
    try:
        onnxruntime.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    except Exception:  # onnxruntime raises its own exception types, one per failure
        return False
    return True


def corpus() -> list[tuple[str, onnx.ModelProto]]:
    """Every 5th conformance model and the shipped models."""
    picked = [(c.name, c.model) for k, c in enumerate(collect_testcases(None)) if k % 5 == 0]
    return picked + [(str(p), onnx.load(p)) for p in shipped_models()]


def _reported(name: str, model: onnx.ModelProto) -> list[str]:
    return [d.code for d in lint(Document.of_model(model, name), RT) if d.code.startswith("RT")]


def test_what_rt_reports_onnxruntime_refuses() -> None:
    reported = 0
    for name, model in corpus():
        if _reported(name, model):
            reported += 1
            assert not loads(model), name
    assert reported > 20  # training ops, opsets newer than its kernels, bfloat16 arithmetic, old opsets


def test_silent_without_onnxruntime_and_said_once(tmp_path: Path) -> None:
    shadow = tmp_path / "onnxruntime"
    shadow.mkdir()
    (shadow / "__init__.py").write_text("raise ImportError('onnxruntime is not installed')\n")
    bad = examples("RT001")[0]  # type: ignore[index]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    command = [sys.executable, "-m", "onnxtext", "lint", "--select", "RT", str(bad), str(bad)]
    result = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == "onnxtext lint: onnxruntime is not installed: the RT rules check nothing\n"


@pytest.mark.parametrize("code", ["RT001", "RT002", "RT003"])
def test_the_bad_documents_are_refused_by_onnxruntime_and_the_good_ones_load(code: str) -> None:
    bad, good = examples(code)  # type: ignore[misc]
    for path, expected in ((bad, False), (good, True)):
        model = Document.read(path).model
        assert model is not None and loads(model) is expected

"""No false positives: every conformance model, every model shipped with onnx and the silero-vad models
lint without errors, except models onnx.checker itself rejects (listed here with the reason)."""

from __future__ import annotations

import onnx
import pytest
from onnx.backend.test.case.node import collect_testcases

from onnxtext.core.document import Document
from onnxtext.lint.engine import lint
from tests.models import shipped_models, silero_models

# onnx.checker (full check) rejects these itself: lint must say so too, and does (T303).
CHECKER_REJECTS = {"test_mvn": "its function body's Constant has no value attribute"}
CHUNKS = 4


def corpus() -> list[tuple[str, onnx.ModelProto]]:
    cases = [(case.name, case.model) for case in collect_testcases(None)]
    return cases + [(str(path), onnx.load(path)) for path in [*shipped_models(), *silero_models()]]


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_real_models_lint_without_errors(chunk: int) -> None:
    models = corpus()[chunk::CHUNKS]
    assert models
    unexpected = []
    for name, model in models:
        errors = [d.report() for d in lint(Document.of_model(model, name)) if d.severity == "error"]
        if name in CHECKER_REJECTS:
            with pytest.raises(onnx.shape_inference.InferenceError):
                onnx.checker.check_model(model, full_check=True)
            assert errors, name
        elif errors:
            unexpected.append(errors[0])
    assert not unexpected, "\n".join(unexpected)

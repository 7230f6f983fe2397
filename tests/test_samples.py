"""The bundled samples' documents are what onnxtext writes today, and build back to the same bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

import onnxtext
from onnxtext import api

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
DOCUMENTS = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".yaml", ".json"))


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_sample_document_is_current_and_exact(document: Path, tmp_path: Path) -> None:
    model = document.with_suffix(".onnx")
    fresh = tmp_path / document.name
    onnxtext.dump(model, fresh)
    assert fresh.read_text() == document.read_text(), f"re-dump {model.name}: the format changed"
    out = tmp_path / "rebuilt.onnx"
    api.build(document, out)
    assert out.read_bytes() == model.read_bytes()

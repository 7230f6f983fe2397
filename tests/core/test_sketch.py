"""Where block entries start, from line leads alone: the starts a full read gives, or nothing."""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest

import onnxtext
from onnxtext import text as text_layer
from onnxtext.core.sketch import sketch
from tests.models import shipped_models

SAMPLES = Path(__file__).parents[2] / "samples"


def _texts() -> list[tuple[str, str]]:
    found = [(path.read_text(encoding="utf-8"), path.suffix[1:]) for path in SAMPLES.glob("*.yaml")]
    found += [(path.read_text(encoding="utf-8"), path.suffix[1:]) for path in SAMPLES.glob("*.json")]
    for model in shipped_models()[::25]:
        for fmt in ("yaml", "json"):
            found.append((onnxtext.dumps(onnx.load(str(model)), fmt), fmt))  # type: ignore[arg-type]
    return found


def test_sketch_gives_the_starts_locate_gives() -> None:
    sketched = 0
    for text, fmt in _texts():
        outline = sketch(fmt, text.split("\n"))
        if outline is None:
            continue
        sketched += 1
        starts = text_layer.locate(text, fmt)  # type: ignore[arg-type]
        assert {path: starts.get(path) for path in outline} == outline
    assert sketched >= 10


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("yaml", "a: 1\n# note\nb: 2\n"),
        ("yaml", "a:\n  - x\n\n  - y\n"),
        ("yaml", "a: |\n  x\n"),
        ("yaml", "'a': 1\n"),
        ("yaml", "a: [1,\n  2]\n"),
        ("json", '{\n  "a": [1,\n    2]\n}\n'),
        ("json", '{"a": 1}\n'),
    ],
)
def test_other_layouts_are_not_sketched(fmt: str, text: str) -> None:
    assert text_layer.parse(text, fmt) is not None  # type: ignore[arg-type]
    assert sketch(fmt, text.split("\n")) is None

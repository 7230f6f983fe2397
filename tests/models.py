"""Where the real models of the test corpus live (the onnx wheel, the silero-vad package)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import onnx

ONNX_DATA = Path(onnx.__file__).parent / "backend" / "test" / "data"
SHIPPED_DIRS = ("light", "simple", "pytorch-converted", "pytorch-operator")


def shipped_models() -> list[Path]:
    """The .onnx files shipped inside the onnx wheel's backend test data."""
    return sorted(p for d in SHIPPED_DIRS for p in (ONNX_DATA / d).rglob("*.onnx"))


def silero_models() -> list[Path]:
    """The .onnx files inside the silero-vad package (installed with --no-deps; its import needs torch)."""
    spec = importlib.util.find_spec("silero_vad")
    if spec is None or not spec.submodule_search_locations:
        if os.environ.get("CI"):
            raise RuntimeError("CI must have silero-vad: pip install --no-deps silero-vad==6.2.3")
        return []
    return sorted(Path(next(iter(spec.submodule_search_locations))).glob("data/*.onnx"))

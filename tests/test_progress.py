"""The progress bar: drawn only for long runs, cleared at the end, fed by the library."""

from __future__ import annotations

import io
import time
from pathlib import Path

import onnx

import onnxtext
from onnxtext.base.progress import TerminalBar
from tests.models import shipped_models


class Recorder:
    def __init__(self) -> None:
        self.stages: list[tuple[str, int]] = []
        self.items = 0

    def stage(self, name: str, total: int = 0) -> None:
        self.stages.append((name, total))

    def advance(self, count: int = 1) -> None:
        self.items += count


def test_library_reports_stages_and_one_tick_per_node_and_tensor(tmp_path: Path) -> None:
    model_path = shipped_models()[0]
    model = onnx.load(str(model_path))
    recorder = Recorder()
    onnxtext.dump(model_path, tmp_path / "m.yaml", progress=recorder)
    total = len(model.graph.node) + len(model.graph.initializer)
    assert ("encoding", total) in recorder.stages and recorder.items >= total
    recorder = Recorder()
    onnxtext.api.build(tmp_path / "m.yaml", tmp_path / "m.onnx", check=False, progress=recorder)
    assert [name for name, _ in recorder.stages] == ["parsing", "decoding", "writing"]
    assert recorder.items >= total


def test_bar_draws_after_the_delay_and_clears_its_line() -> None:
    stream = io.StringIO()
    with TerminalBar("onnxtext build", stream, delay=0.0, interval=0.01) as bar:
        bar.stage("decoding", 200)
        bar.advance(100)
        time.sleep(0.1)
    out = stream.getvalue()
    assert "onnxtext build: decoding [" in out and " 50% 100/200 " in out
    assert out.endswith("\r\x1b[K")


def test_quick_runs_print_nothing() -> None:
    stream = io.StringIO()
    with TerminalBar("onnxtext dump", stream, delay=5.0, interval=0.01) as bar:
        bar.stage("encoding", 10)
        time.sleep(0.05)
    assert stream.getvalue() == ""

"""A hover or definition on a text just opened answers from a sketch of its positions (before they
are all computed) with the text and ranges it gives once they are."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

import pytest

import onnxtext
from onnxtext.core.document import Document
from onnxtext.lsp import hover, navigate
from onnxtext.lsp.snapshot import Snapshot

SAMPLES = Path(__file__).parents[2] / "samples"
WORKLOADS = Path(__file__).parents[2] / "benchmarks" / "workloads.py"
_WORD = re.compile(r"[A-Za-z_/.:0-9]+")


def _workload(tmp_path: Path, fmt: str) -> Path:
    """The language-server benchmark's graph (``benchmarks/workloads.py``) at 2,000 nodes, dumped."""
    workloads: Any = sys.modules.get("workloads")
    if workloads is None:
        spec = importlib.util.spec_from_file_location("workloads", WORKLOADS)
        assert spec is not None and spec.loader is not None
        workloads = sys.modules["workloads"] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(workloads)
    model = workloads.make_graph(tmp_path / "graph.onnx", nodes=2000)
    onnxtext.dump(str(model), str(tmp_path / f"graph.{fmt}"))
    return tmp_path / f"graph.{fmt}"


def _answers(snapshot: Snapshot, line: int, col: int) -> tuple[Any, ...] | None:
    """What hover and definition answer at ``line:col``: the target, hover text and range, definition."""
    target = navigate.target_at(snapshot, line, col)
    if target is None:
        return None
    producer = navigate.definition(snapshot, target)
    defined = snapshot.value_span(navigate.name_path(producer)) if producer is not None else None
    shown = hover.hover_text(snapshot, target), snapshot.value_span(target.path)
    return (target.kind, target.path, target.name, *shown, defined)


@pytest.mark.parametrize("which", ["silero_vad.yaml", "squeezenet.json", "workload.yaml", "workload.json"])
def test_a_fresh_text_answers_as_a_prepared_one(which: str, tmp_path: Path) -> None:
    path = SAMPLES / which if not which.startswith("workload") else _workload(tmp_path, which[-4:])
    fresh, ready = Document.read(path), Document.read(path)
    fresh.ready_for_edits()
    quick, prepared = Snapshot(fresh, 1), Snapshot(ready, 1)
    prepared.prepare()
    assert fresh.ready_source_map() is not None  # the emitter's layout: sketched
    lines = fresh.lines
    step = max(1, len(lines) // 1500)
    probes = [
        (number, match.start() + offset)
        for number in range(1, len(lines) + 1, step)
        for match in _WORD.finditer(lines[number - 1])
        for offset in (1, 2)
    ]
    kinds: dict[str, int] = {}
    nodes = []
    for line, col in probes:
        target = navigate.target_at(quick, line, col)
        if target is not None and target.kind == "node":  # a node's range ends lines below: asked last
            nodes.append((line, col))
            continue
        found = _answers(quick, line, col)
        assert found == _answers(prepared, line, col), (line, col, lines[line - 1])
        if found is not None:
            kinds[found[0]] = kinds.get(found[0], 0) + 1
    assert "source_map" not in fresh.__dict__  # answered without computing every position
    assert kinds.get("value", 0) > 100 and kinds.get("op", 0) > 10
    for line, col in nodes:
        assert _answers(quick, line, col) == _answers(prepared, line, col), (line, col)

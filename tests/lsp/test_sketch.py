"""A version sketched (block entries only) is derived from as one whose positions are all known."""

from __future__ import annotations

import random
from pathlib import Path

import onnx
import pytest

import onnxtext
from onnxtext import text as text_layer
from onnxtext.lsp.incremental import Edit
from onnxtext.lsp.sketch import sketch
from onnxtext.lsp.snapshot import Snapshot
from tests.lsp.test_incremental import SAMPLES, _applied, _documents, _random_edit
from tests.models import shipped_models


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


def _chain() -> onnx.ModelProto:
    """Ten Add nodes, each adding the previous value to itself: clean, and a misspelt input leaves
    the value it named used by the other input."""
    make = onnx.helper
    nodes = [
        make.make_node("Add", [f"r{i - 1}"] * 2 if i else ["x", "x"], [f"r{i}"], name=f"n{i}")
        for i in range(10)
    ]
    value = [make.make_tensor_value_info(name, onnx.TensorProto.FLOAT, [1]) for name in ("x", "r9")]
    graph = make.make_graph(nodes, "g", value[:1], value[1:])
    return make.make_model(graph, opset_imports=[make.make_opsetid("", 17)])


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_first_change_after_open_needs_no_full_positions(tmp_path: Path, fmt: str) -> None:
    file = str(tmp_path / f"chain.{fmt}")
    text = onnxtext.dumps(_chain(), fmt)  # type: ignore[arg-type]
    lines = text.split("\n")
    row = next(i for i, line in enumerate(lines) if "r4" in line and "inputs" in line)
    col = lines[row].index("r4") + 1
    first = Snapshot(text, fmt, file, 1)  # type: ignore[arg-type]
    assert first.diagnostics == []
    first.prepare()
    edit = Edit(row + 1, col, row + 1, col, "q")
    broken = Snapshot(_applied(lines, edit), fmt, file, 2, first, edit)  # type: ignore[arg-type]
    assert [(d.code, d.line) for d in broken.diagnostics] == [("R201", row + 1)]
    assert broken._derived is not None
    assert "source_map" not in first.document.__dict__  # nothing outside the node was asked for
    fresh = Snapshot(broken.text, fmt, file, 2)  # type: ignore[arg-type]
    assert broken.tree == fresh.tree and broken.diagnostics == fresh.diagnostics
    mine, theirs = broken.source_map, fresh.source_map
    assert mine is not None and theirs is not None
    assert dict(mine.starts) == theirs.starts and dict(mine.ends) == theirs.ends


@pytest.mark.parametrize("seed", [1])
def test_versions_derived_from_a_sketch_equal_a_full_read(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    for path in _documents(tmp_path):
        fmt = text_layer.format_for(path.name)
        text = path.read_text(encoding="utf-8")
        derived = 0
        for version in range(2, 22):  # each from the opened version, sketched only
            first = Snapshot(text, fmt, str(path), 1)
            first.prepare()
            lines = text.split("\n")
            edit = _random_edit(rng, lines)
            new_text = _applied(lines, edit)
            snapshot = Snapshot(new_text, fmt, str(path), version, first, edit)
            fresh = Snapshot(new_text, fmt, str(path), version)
            located = Snapshot(text, fmt, str(path), 1)
            _ = located.source_map
            known = Snapshot(new_text, fmt, str(path), version, located, edit)  # from the full positions
            where = f"{path.name} v{version} {edit}"
            assert (snapshot.document and snapshot._derived is None) == (
                known.document and known._derived is None
            )
            assert snapshot.tree == fresh.tree, where
            assert snapshot.diagnostics == fresh.diagnostics, where
            if fresh.parsed:
                mine, theirs = snapshot.source_map, fresh.source_map
                assert mine is not None and theirs is not None
                assert dict(mine.starts) == theirs.starts, where
                assert dict(mine.ends) == theirs.ends, where
            derived += snapshot._derived is not None
        assert derived >= 2, (path.name, derived)


def test_an_unclosed_bracket_is_reported_without_the_layout_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """A '[' left open in a node: the item does not read, so the whole text goes to libyaml at once
    (the fast reader would read up to the error first) and gives the E101 a fresh read gives."""
    from onnxtext.text import yaml_parse

    path = SAMPLES / "squeezenet.yaml"
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    row = lines.index("    - op_type: Relu") + 2  # its inputs: [...] line
    first = Snapshot(text, "yaml", str(path), 1)
    _ = first.source_map, first.diagnostics
    end = len(lines[row])
    edit = Edit(row + 1, end, row + 1, end + 1, "")  # the closing ']' deleted
    tried: list[str] = []
    canonical = yaml_parse.read_canonical
    monkeypatch.setattr(yaml_parse, "read_canonical", lambda t: tried.append(t) or canonical(t))
    broken = Snapshot(_applied(lines, edit), "yaml", str(path), 2, first, edit)
    error = broken.document.syntax_error
    assert broken.text not in tried  # only the item's few lines were
    fresh = Snapshot(broken.text, "yaml", str(path), 2)
    assert error is not None and error == fresh.document.syntax_error and error.code == "E101"
    assert broken.text in tried  # a fresh read tries the fast reader first
    assert error.line == row + 2

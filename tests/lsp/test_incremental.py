"""A version derived from the previous one (re-reading one item) equals the whole text read again.

Random edits of real dumps (squeezenet, silero-vad; YAML and JSON), each applied to the version the
previous edit made: renames inside a name, deletions, insertions of characters, of line breaks, of
whole lines, of a new item.  After each, the derived tree, positions and lint diagnostics must be
those of a fresh read of the same text, and enough edits must take the incremental path for the
test to mean something.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

import onnxtext
from onnxtext import text as text_layer
from onnxtext.core.index import Index
from onnxtext.lsp import incremental
from onnxtext.lsp.incremental import Edit
from onnxtext.lsp.snapshot import Snapshot
from tests.models import silero_models

SAMPLES = Path(__file__).parents[2] / "samples"
_INSERTS = ["x", "_1", " ", "\n", ",", "]", "}", ": ", "- ", "'", '"', "#", "\n  ", "\t", "{a: 1}", "[]"]


def _documents(tmp: Path) -> list[Path]:
    found = [SAMPLES / "squeezenet.yaml", SAMPLES / "squeezenet.json"]
    silero = [m for m in silero_models() if m.stat().st_size < 3_000_000][:1]
    for model in silero:
        for suffix in (".yaml", ".json"):
            target = tmp / (model.stem + suffix)
            onnxtext.dump(str(model), str(target))
            found.append(target)
    return found


def _random_edit(rng: random.Random, lines: list[str]) -> Edit:
    line = rng.randrange(len(lines) // 4, len(lines)) + 1  # mostly in lists, sometimes anywhere
    text = lines[line - 1]
    kind = rng.random()
    col = rng.randrange(len(text) + 1) + 1
    if kind < 0.35 and text:  # rename: replace a word-ish run
        end = min(len(text) + 1, col + rng.randrange(1, 6))
        return Edit(line, col, line, end, rng.choice(["y", "_x", "zz", ""]))
    if kind < 0.7:
        return Edit(line, col, line, col, rng.choice(_INSERTS))
    if kind < 0.85:  # a whole line copied below (a new item, or a duplicate key)
        copy = lines[rng.randrange(len(lines))]
        return Edit(line, len(text) + 1, line, len(text) + 1, "\n" + copy)
    end_line = min(len(lines), line + rng.randrange(0, 3))
    return Edit(line, 1, end_line, rng.randrange(len(lines[end_line - 1]) + 1) + 1, "")


def _shape(index: Index) -> tuple[object, ...]:
    """What an Index says, as plain data (its objects compare by identity)."""

    def entries(table: dict[tuple[int, str], list[Any]]) -> dict[object, object]:
        return {
            key: [(e.name, e.kind, e.scope.id, e.path, e.node.path if e.node else None) for e in found]
            for key, found in table.items()
        }

    nodes = [
        (n.path, n.scope.id, n.position, n.op_type, n.name, n.inputs, n.outputs, n.attributes)
        for n in index.nodes
    ]
    scopes = [(s.id, s.kind, s.path, [n.path for n in s.nodes], s.value_info) for s in index.scopes]
    return nodes, scopes, entries(index.producers), entries(index.consumers)


def _applied(lines: list[str], edit: Edit) -> str:
    offset = sum(len(text) + 1 for text in lines[: edit.line - 1]) + edit.col - 1
    end = sum(len(text) + 1 for text in lines[: edit.end_line - 1]) + edit.end_col - 1
    whole = "\n".join(lines)
    return whole[:offset] + edit.text + whole[end:]


@pytest.mark.parametrize("seed", [0])
def test_derived_versions_equal_a_full_read(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    for path in _documents(tmp_path):
        fmt = text_layer.format_for(path.name)
        text = path.read_text(encoding="utf-8")
        previous = Snapshot(text, fmt, str(path), 1)
        _ = previous.source_map, previous.diagnostics
        derived = 0
        for version in range(2, 32):
            lines = previous.text.split("\n")
            edit = _random_edit(rng, lines)
            new_text = _applied(lines, edit)
            snapshot = Snapshot(new_text, fmt, str(path), version, previous, edit)
            fresh = Snapshot(new_text, fmt, str(path), version)
            where = f"{path.name} v{version} {edit}"
            assert snapshot.tree == fresh.tree, where
            assert snapshot.document.syntax_error == fresh.document.syntax_error, where
            if fresh.parsed:
                mine, theirs = snapshot.source_map, fresh.source_map
                assert mine is not None and theirs is not None
                assert dict(mine.starts) == theirs.starts, where
                assert dict(mine.ends) == theirs.ends, where
                for line in range(1, len(snapshot.text.split("\n")) + 1, 7):
                    assert snapshot.path_at(line, 3) == fresh.path_at(line, 3), (where, line)
            assert snapshot.diagnostics == fresh.diagnostics, where
            if fresh.parsed:
                assert _shape(snapshot.index) == _shape(fresh.index), where
            derived += snapshot._derived is not None
            if snapshot.parsed:
                previous = snapshot
        assert derived >= 5, (path.name, derived)


def test_a_misspelt_input_is_derived_and_reported(tmp_path: Path) -> None:
    """The language server's typical edit: one name in one node, broken then restored."""
    path = SAMPLES / "squeezenet.yaml"
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    row = lines.index("    - op_type: Relu") + 2  # its inputs: [...] line
    col = lines[row].index("inputs: [") + len("inputs: [") + 1
    first = Snapshot(text, "yaml", str(path), 1)
    _ = first.source_map, first.diagnostics
    edit = Edit(row + 1, col, row + 1, col, "q")
    broken = Snapshot(_applied(lines, edit), "yaml", str(path), 2, first, edit)
    missing = [d for d in broken.diagnostics if d.code == "R201"]
    assert broken._derived is not None
    assert [(d.line, d.col) for d in missing] == [(row + 1, col)]


def test_a_failure_while_deriving_reads_the_text_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug in the incremental path costs time, not the version: it is logged and the text read whole."""
    path = SAMPLES / "squeezenet.yaml"
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    row = lines.index("    - op_type: Relu") + 2
    col = lines[row].index("inputs: [") + len("inputs: [") + 1
    first = Snapshot(text, "yaml", str(path), 1)
    _ = first.source_map, first.diagnostics

    def broken(self: Snapshot, edit: Edit) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(Snapshot, "derive", broken)
    edit = Edit(row + 1, col, row + 1, col, "q")
    second = Snapshot(_applied(lines, edit), "yaml", str(path), 2, first, edit)
    fresh = Snapshot(second.text, "yaml", str(path), 2)
    assert second.tree == fresh.tree and second._derived is None
    assert second.diagnostics == fresh.diagnostics
    assert [d.code for d in second.diagnostics if d.code == "R201"] == ["R201"]
    assert "deriving version 2 failed" in caplog.text


def test_a_burst_of_typing_keeps_no_chain_of_versions() -> None:
    """Each change supersedes the last before its lint: each version is derived as the next arrives
    (settle), holds no version before it, and the last one equals a fresh read."""
    path = SAMPLES / "squeezenet.yaml"
    text = path.read_text(encoding="utf-8")
    first = Snapshot(text, "yaml", str(path), 1)
    _ = first.source_map, first.diagnostics
    row = text.split("\n").index("    - op_type: Relu") + 1  # its name: n1 line (1-based: the next)
    previous = first
    for version, char in enumerate("renamed", 2):
        lines = previous.text.split("\n")
        col = len(lines[row]) + 1
        edit = Edit(row + 1, col, row + 1, col, char)
        previous.settle()
        assert previous._previous is None
        previous = Snapshot(_applied(lines, edit), "yaml", str(path), version, previous, edit)
    fresh = Snapshot(previous.text, "yaml", str(path), 99)
    assert "name: n1renamed" in previous.text
    assert previous.tree == fresh.tree and previous._derived is not None
    assert previous.diagnostics == fresh.diagnostics


def test_layers_are_flattened_when_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once enough edits are layered, warm() makes the positions one dict again: same answers."""
    monkeypatch.setattr(incremental, "DEPTH", 3)
    path = SAMPLES / "squeezenet.json"
    text = path.read_text(encoding="utf-8")
    previous = Snapshot(text, "json", str(path), 1)
    _ = previous.source_map, previous.diagnostics
    row = text.split("\n").index('        "name": "n1",')
    for version in range(2, 8):
        lines = previous.text.split("\n")
        end = len(lines[row]) + 1
        edit = Edit(row + 1, end, row + 1, end, "\n" if version % 2 else " ")  # the lines below move
        previous = Snapshot(_applied(lines, edit), "json", str(path), version, previous, edit)
        previous.warm()
        fresh = Snapshot(previous.text, "json", str(path), version)
        mine, theirs = previous.source_map, fresh.source_map
        assert mine is not None and theirs is not None and previous._derived is not None
        assert isinstance(mine.starts, dict) == (version in (4, 7))  # every third edit: one dict again
        assert dict(mine.starts) == theirs.starts and dict(mine.ends) == theirs.ends
        assert all(previous.path_at(n, 9) == fresh.path_at(n, 9) for n in range(row - 5, row + 12))


def test_typing_a_new_node_numbers_the_next_ones_on() -> None:
    """A node typed after another: the edited item's lines hold two items; the nodes after them are
    numbered on (positions, line table), and later edits of those are derived too."""
    path = SAMPLES / "squeezenet.yaml"
    text = path.read_text(encoding="utf-8")
    previous = Snapshot(text, "yaml", str(path), 1)
    _ = previous.source_map, previous.diagnostics
    lines = text.split("\n")
    row = lines.index("    - op_type: Relu") + 3  # the Relu's outputs line (0-based)
    typed = "\n    - op_type: Relu\n      name: typed\n      inputs: [r1]\n      outputs: [r1_typed]"
    later = lines.index("      name: n30") + 4 + 1  # 1-based, after the insertion of four lines
    edits = [
        Edit(row + 1, len(lines[row]) + 1, row + 1, len(lines[row]) + 1, typed),
        Edit(later, 13, later, 13, "_x"),  # a node after the new one, renamed
        Edit(row + 3, 13, row + 3, 18, "mine"),  # the new node renamed
    ]
    for version, edit in enumerate(edits, 2):
        new_text = _applied(previous.text.split("\n"), edit)
        snapshot = Snapshot(new_text, "yaml", str(path), version, previous, edit)
        fresh = Snapshot(new_text, "yaml", str(path), version)
        assert snapshot.tree == fresh.tree and snapshot._derived is not None, edit
        assert snapshot._derived.count == (2 if version == 2 else 1)
        mine, theirs = snapshot.source_map, fresh.source_map
        assert mine is not None and theirs is not None
        assert dict(mine.starts) == theirs.starts and dict(mine.ends) == theirs.ends
        assert all(mine.starts[p] == theirs.starts[p] for p in theirs.starts)
        for line in range(1, len(new_text.split("\n")) + 1):
            assert snapshot.path_at(line, 9) == fresh.path_at(line, 9), (edit, line)
        assert snapshot.diagnostics == fresh.diagnostics
        assert _shape(snapshot.index) == _shape(fresh.index)
        previous = snapshot

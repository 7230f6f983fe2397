"""The language server's versions: each derived from the one before (re-reading one item, see
:meth:`onnxtext.core.document.Document.with_edit`, and updating its Index) equals the whole text read
again.

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

import onnx
import pytest

import onnxtext
from onnxtext import text as text_layer
from onnxtext.core import document as document_module
from onnxtext.core import layers
from onnxtext.core.document import DecodeMemo, Document
from onnxtext.core.index import Index
from onnxtext.core.positions import Edit
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


def _open(path: Path, text: str | None = None, version: int = 1) -> Snapshot:
    """A version of ``path`` read whole (the file's text unless ``text`` is given)."""
    text = path.read_text(encoding="utf-8") if text is None else text
    document = Document(text, text_layer.format_for(path.name), str(path), path.parent, memo=DecodeMemo())
    return Snapshot(document, version)


def _edited(previous: Snapshot, edit: Edit) -> Snapshot:
    """The version after ``edit``, as the server makes it."""
    return previous.following(previous.document.with_edit(edit), previous.version + 1)


def _derived(snapshot: Snapshot) -> bool:
    return snapshot.document._derivation is not None


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
        previous = _open(path)
        _ = previous.document.source_map, previous.lint()
        derived = 0
        for _version in range(2, 32):
            lines = previous.document.text.split("\n")
            edit = _random_edit(rng, lines)
            snapshot = _edited(previous, edit)
            fresh = _open(path, _applied(lines, edit), snapshot.version)
            where = f"{path.name} v{snapshot.version} {edit}"
            assert snapshot.document.text == fresh.document.text, where
            assert snapshot.tree == fresh.tree, where
            assert snapshot.document.syntax_error == fresh.document.syntax_error, where
            if fresh.parsed:
                mine, theirs = snapshot.document.source_map, fresh.document.source_map
                assert mine is not None and theirs is not None
                assert dict(mine.starts) == theirs.starts, where
                assert dict(mine.ends) == theirs.ends, where
                for line in range(1, len(snapshot.document.lines) + 1, 7):
                    assert snapshot.path_at(line, 3) == fresh.path_at(line, 3), (where, line)
            assert snapshot.lint() == fresh.lint(), where
            if fresh.parsed:
                assert _shape(snapshot.index) == _shape(fresh.index), where
            derived += _derived(snapshot)
            if snapshot.parsed:
                previous = snapshot
        assert derived >= 5, (path.name, derived)


def _relu_inputs(text: str) -> tuple[int, int]:
    """0-based row and 1-based column of the first name of the first Relu's inputs (squeezenet.yaml)."""
    lines = text.split("\n")
    row = lines.index("    - op_type: Relu") + 2
    return row, lines[row].index("inputs: [") + len("inputs: [") + 1


def test_a_misspelt_input_is_derived_and_reported() -> None:
    """The language server's typical edit: one name in one node."""
    first = _open(SAMPLES / "squeezenet.yaml")
    _ = first.document.source_map, first.lint()
    row, col = _relu_inputs(first.document.text)
    broken = _edited(first, Edit(row + 1, col, row + 1, col, "q"))
    missing = [d for d in broken.lint() if d.code == "R201"]
    assert _derived(broken)
    assert [(d.line, d.col) for d in missing] == [(row + 1, col)]


def test_a_failure_while_deriving_reads_the_text_whole(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug in the incremental path costs time, not the version: it is logged and the text read whole."""
    first = _open(SAMPLES / "squeezenet.yaml")
    _ = first.document.source_map, first.lint()
    row, col = _relu_inputs(first.document.text)

    def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(document_module, "derive", broken)
    second = _edited(first, Edit(row + 1, col, row + 1, col, "q"))
    fresh = _open(SAMPLES / "squeezenet.yaml", second.document.text, 2)
    assert second.tree == fresh.tree and not _derived(second)
    assert second.lint() == fresh.lint()
    assert [d.code for d in second.lint() if d.code == "R201"] == ["R201"]
    assert "deriving a version of" in caplog.text and "RuntimeError('a bug')" in caplog.text


def test_a_burst_of_typing_keeps_no_chain_of_versions() -> None:
    """Changes that come while the opened version is still being read wait for it; the first change
    after it is derived, and so are the ones that waited: no version holds the one before it."""
    first = _open(SAMPLES / "squeezenet.yaml")
    row = first.document.text.split("\n").index("    - op_type: Relu") + 1  # its name: n1 line
    versions = [first.document]
    for char in "renamed":
        line = versions[-1].lines[row]
        versions.append(versions[-1].with_edit(Edit(row + 1, len(line) + 1, row + 1, len(line) + 1, char)))
        if char == "n":  # the opened version is read and linted meanwhile
            _ = first.lint()
            first.document.ready_for_edits()
    assert all(version._origin is None for version in versions)
    assert [version._derivation is not None for version in versions] == [False] + [True] * 7
    last = Snapshot(versions[-1], 8)
    fresh = _open(SAMPLES / "squeezenet.yaml", last.document.text, 99)
    assert "name: n1renamed" in last.document.text
    assert last.tree == fresh.tree and last.lint() == fresh.lint()


def test_a_text_edited_but_never_read_keeps_few_versions() -> None:
    """Some other YAML file open in the editor is edited but never read: its versions must not pile up
    (each waiting version holds the one before)."""
    document = Document("services:\n  web: {image: nginx}\n", "yaml", "compose.yaml", Path("."))
    for _ in range(3 * document_module.WAITING):
        document = document.with_edit(Edit(2, 3, 2, 3, "x"))
    held, version = 0, document
    while version._origin is not None:
        held, version = held + 1, version._origin[0]
    assert 0 < held < document_module.WAITING
    assert document.tree == {"services": {"x" * (3 * document_module.WAITING) + "web": {"image": "nginx"}}}


def test_layers_are_flattened_when_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once enough edits are layered, warm() makes the positions one dict again: same answers."""
    monkeypatch.setattr(layers, "DEPTH", 3)
    path = SAMPLES / "squeezenet.json"
    previous = _open(path)
    _ = previous.document.source_map, previous.lint()
    row = previous.document.text.split("\n").index('        "name": "n1",')
    for version in range(2, 8):
        end = len(previous.document.lines[row]) + 1
        edit = Edit(row + 1, end, row + 1, end, "\n" if version % 2 else " ")  # the lines below move
        previous = _edited(previous, edit)
        previous.warm()
        fresh = _open(path, previous.document.text, version)
        mine, theirs = previous.document.source_map, fresh.document.source_map
        assert mine is not None and theirs is not None and _derived(previous)
        assert isinstance(mine.starts, dict) == (version in (4, 7))  # every third edit: one dict again
        assert dict(mine.starts) == theirs.starts and dict(mine.ends) == theirs.ends
        assert all(previous.path_at(n, 9) == fresh.path_at(n, 9) for n in range(row - 5, row + 12))


def test_typing_a_new_node_numbers_the_next_ones_on() -> None:
    """A node typed after another: the edited item's lines hold two items; the nodes after them are
    numbered on (positions, line table), and later edits of those are derived too."""
    path = SAMPLES / "squeezenet.yaml"
    previous = _open(path)
    _ = previous.document.source_map, previous.lint()
    lines = previous.document.text.split("\n")
    row = lines.index("    - op_type: Relu") + 3  # the Relu's outputs line (0-based)
    typed = "\n    - op_type: Relu\n      name: typed\n      inputs: [r1]\n      outputs: [r1_typed]"
    later = lines.index("      name: n30") + 4 + 1  # 1-based, after the insertion of four lines
    edits = [
        Edit(row + 1, len(lines[row]) + 1, row + 1, len(lines[row]) + 1, typed),
        Edit(later, 13, later, 13, "_x"),  # a node after the new one, renamed
        Edit(row + 3, 13, row + 3, 18, "mine"),  # the new node renamed
    ]
    for version, edit in enumerate(edits, 2):
        new_text = _applied(previous.document.text.split("\n"), edit)
        snapshot = _edited(previous, edit)
        fresh = _open(path, new_text, version)
        found = snapshot.document._derivation
        assert snapshot.tree == fresh.tree and found is not None, edit
        assert found.count == (2 if version == 2 else 1)
        mine, theirs = snapshot.document.source_map, fresh.document.source_map
        assert mine is not None and theirs is not None
        assert dict(mine.starts) == theirs.starts and dict(mine.ends) == theirs.ends
        for line in range(1, len(new_text.split("\n")) + 1):
            assert snapshot.path_at(line, 9) == fresh.path_at(line, 9), (edit, line)
        assert snapshot.lint() == fresh.lint()
        assert _shape(snapshot.index) == _shape(fresh.index)
        previous = snapshot


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
    file = tmp_path / f"chain.{fmt}"
    text = onnxtext.dumps(_chain(), fmt)  # type: ignore[arg-type]
    lines = text.split("\n")
    row = next(i for i, line in enumerate(lines) if "r4" in line and "inputs" in line)
    col = lines[row].index("r4") + 1
    first = _open(file, text)
    assert first.lint() == []
    first.document.ready_for_edits()
    broken = _edited(first, Edit(row + 1, col, row + 1, col, "q"))
    assert [(d.code, d.line) for d in broken.lint()] == [("R201", row + 1)]
    assert _derived(broken)
    assert first.document._positions() is None  # nothing outside the node was asked for
    fresh = _open(file, broken.document.text, 2)
    assert broken.tree == fresh.tree and broken.lint() == fresh.lint()
    mine, theirs = broken.document.source_map, fresh.document.source_map
    assert mine is not None and theirs is not None
    assert dict(mine.starts) == theirs.starts and dict(mine.ends) == theirs.ends


@pytest.mark.parametrize("seed", [1])
def test_versions_derived_from_a_sketch_equal_a_full_read(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    for path in _documents(tmp_path):
        text = path.read_text(encoding="utf-8")
        derived = 0
        for version in range(2, 16):  # each from the opened version, sketched only
            first = _open(path, text)
            first.document.ready_for_edits()
            lines = text.split("\n")
            edit = _random_edit(rng, lines)
            snapshot = _edited(first, edit)
            fresh = _open(path, _applied(lines, edit), version)
            located = _open(path, text)
            _ = located.document.source_map
            known = _edited(located, edit)  # from the full positions
            where = f"{path.name} v{version} {edit}"
            assert _derived(snapshot) == _derived(known), where
            assert snapshot.tree == fresh.tree, where
            assert snapshot.lint() == fresh.lint(), where
            if fresh.parsed:
                mine, theirs = snapshot.document.source_map, fresh.document.source_map
                assert mine is not None and theirs is not None
                assert dict(mine.starts) == theirs.starts, where
                assert dict(mine.ends) == theirs.ends, where
            derived += _derived(snapshot)
        assert derived >= 2, (path.name, derived)


def test_an_unclosed_bracket_is_reported_without_the_layout_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """A '[' left open in a node: the item does not read, so the whole text goes to libyaml at once
    (the fast reader would read up to the error first) and gives the E101 a fresh read gives."""
    from onnxtext.text import yaml_parse

    first = _open(SAMPLES / "squeezenet.yaml")
    _ = first.document.source_map, first.lint()
    row = first.document.lines.index("    - op_type: Relu") + 2  # its inputs: [...] line
    end = len(first.document.lines[row])
    edit = Edit(row + 1, end, row + 1, end + 1, "")  # the closing ']' deleted
    tried: list[str] = []
    canonical = yaml_parse.read_canonical
    monkeypatch.setattr(yaml_parse, "read_canonical", lambda t: tried.append(t) or canonical(t))
    broken = _edited(first, edit)
    error = broken.document.syntax_error
    assert broken.document.text not in tried  # only the item's few lines were
    fresh = _open(SAMPLES / "squeezenet.yaml", broken.document.text, 2)
    assert error is not None and error == fresh.document.syntax_error and error.code == "E101"
    assert broken.document.text in tried  # a fresh read tries the fast reader first
    assert error.line == row + 2


def _replaced(previous: Snapshot, old: str, new: str) -> Snapshot:
    """The version after replacing the first ``old`` of the text by ``new`` (on one line)."""
    lines = previous.document.text.split("\n")
    row = next(i for i, line in enumerate(lines) if old in line)
    col = lines[row].index(old) + 1
    return _edited(previous, Edit(row + 1, col, row + 1, col + len(old), new))


def test_what_lint_carries_over_from_the_version_before_equals_a_full_read() -> None:
    """The schema and tensor rules remember what they found on each node and check again only the node
    an edit made anew (lint.facts.per_node); uses' definitions are carried over but for the names the
    edit touched (Index.origin).  Each version's diagnostics must equal a fresh read's, when an edit
    breaks a node, mends it, changes what every node is read against (the opset), or renames a use
    or a definition."""
    path = SAMPLES / "squeezenet.yaml"
    previous = _open(path)
    _ = previous.document.source_map, previous.lint()
    steps = [
        ("kernel_shape: [3, 3]}", "kernel_shape: [3, 3], dilation: [1, 1]}"),  # O403 on n0
        ("strides: [2, 2]", "strides: 2.0"),  # O405 on n0 too
        ("op_type: Relu", "op_type: Relux"),  # O401 on n1
        ("op_type: Relux", "op_type: Relu"),  # n1 mended
        ("{'': 9}", "{'': 1}"),  # every node is read against another opset
        ("{'': 1}", "{'': 9}"),
        ("strides: 2.0", "strides: [2, 2]"),
        ("dilation: [1, 1]}", "dilations: [1, 1]}"),  # all mended
        ("conv1_b_0]", "zzz]"),  # R201, and the bias is used by nothing (R205)
        ("outputs: [r1]", "outputs: [q]"),  # n1 is dead (R206), n2's input dangles
        ("outputs: [q]", "outputs: [r1]"),
        ("zzz]", "conv1_b_0]"),
    ]
    codes = []
    for old, new in steps:
        snapshot = _replaced(previous, old, new)
        fresh = _open(path, snapshot.document.text, snapshot.version)
        assert snapshot.lint() == fresh.lint(), (old, new)
        codes.append(sorted({d.code for d in snapshot.lint() if d.code.startswith("O")}))
        previous = snapshot
    assert codes[0] == ["O403"] and codes[1] == ["O403", "O405"] and "O401" in codes[2]
    assert "O401" not in codes[3] and codes[7] == [] and codes[-1] == []
    assert all(not d.code.startswith(("R", "O")) for d in previous.lint())

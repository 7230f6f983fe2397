"""Whatever a user types into a document, the recovering decoder (what lint, the language server and
``build`` read through: ``Document(...).decode()``) ends in diagnostics or in a correct model, never an
exception.

Real dumps (sidecars included) are mutated in the tree (hostile values anywhere) and in the text (lines
deleted, doubled, cut, characters swapped, words replaced).  The fail-fast decoder is the oracle: where
the recovering one reports nothing, both build the same bytes; where it reports problems, the fail-fast
one refuses the same tree, with a code the recovering one reported too.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import onnx
import pytest

import onnxtext
from onnxtext import text
from onnxtext.base.errors import OnnxTextError
from onnxtext.codecs import SidecarReader
from onnxtext.core.document import Document
from onnxtext.roundtrip import decode_model
from tests.models import shipped_models
from tests.roundtrip.test_hostile_edits import HOSTILE, _edit, _slots, _undo

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
WORDS = ["", "x", "-", "[", "]", "{", "}", ":", ",", "'", '"', "float33[2]", "1.5", "null", "- x", "#"]


def check(document: Document) -> None:
    """The outcome of one mutated document: diagnostics placed at lines, or the model the fail-fast
    decoder builds from the same tree."""
    decoded = document.decode()  # must not raise
    if document.syntax_error is not None:
        assert document.syntax_error.code in ("E101", "E102") and document.syntax_error.line
        return
    for diagnostic in decoded.diagnostics:
        assert diagnostic.code[0] == "E" and diagnostic.message and diagnostic.line, diagnostic
    try:
        strict = decode_model(document.tree, SidecarReader(document.folder))
    except OnnxTextError as err:
        assert err.code in {d.code for d in decoded.diagnostics}, (err, decoded.diagnostics)
        return
    assert decoded.diagnostics == [], decoded.diagnostics
    assert decoded.model is not None
    assert decoded.model.SerializeToString() == strict.SerializeToString()


def tree_mutations(tree: Any, fmt: str, rng: random.Random, count: int) -> list[str]:
    """``count`` texts of ``tree`` with one to three values replaced by hostile ones."""
    slots = _slots(tree)
    out: list[str] = []
    undo: list[tuple[Any, Any, Any]] = []
    while len(out) < count:
        edited = tree
        try:
            for _ in range(rng.randint(1, 3)):
                edited = _edit(edited, rng.choice(slots), copy.deepcopy(rng.choice(HOSTILE)), undo)
            out.append(text.emit(edited, fmt))
        except (KeyError, IndexError, TypeError):  # an earlier edit removed the path a later one aimed at
            pass
        _undo(undo)
    return out


def text_mutation(source: str, rng: random.Random) -> str:
    lines = source.split("\n")
    i = rng.randrange(len(lines))
    kind = rng.randrange(5)
    if kind == 0:
        del lines[i]
    elif kind == 1:
        lines.insert(i, lines[i])
    elif kind == 2:
        return source[: rng.randrange(len(source))]
    elif kind == 3 and len(lines[i]) > 1:
        j = rng.randrange(len(lines[i]) - 1)
        lines[i] = lines[i][:j] + lines[i][j + 1] + lines[i][j] + lines[i][j + 2 :]
    else:
        words = lines[i].split(" ")
        words[rng.randrange(len(words))] = rng.choice(WORDS)
        lines[i] = " ".join(words)
    return "\n".join(lines)


def small_models() -> list[onnx.ModelProto]:
    return [onnx.load(p) for p in shipped_models()[::5]]


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_hostile_values_in_real_dumps_end_in_diagnostics_or_the_model(fmt: str) -> None:
    rng = random.Random(fmt)
    for model in small_models():
        tree = text.parse(onnxtext.dumps(model, fmt, inline_max=64), fmt)
        for edited in tree_mutations(tree, fmt, rng, 25):
            check(Document(edited, fmt, f"m.{fmt}", SAMPLES))


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_typing_into_real_dumps_ends_in_diagnostics_or_the_model(fmt: str) -> None:
    rng = random.Random(fmt + "text")
    for model in small_models():
        source = onnxtext.dumps(model, fmt, inline_max=64)
        for _ in range(25):
            check(Document(text_mutation(source, rng), fmt, f"m.{fmt}", SAMPLES))


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_edits_of_a_dump_with_sidecars_end_in_diagnostics_or_the_model(tmp_path: Path, fmt: str) -> None:
    """silero-vad with its .npy sidecars and If bodies: references, digests and payloads get hit too."""
    doc = tmp_path / f"s.{fmt}"
    onnxtext.dump(SAMPLES / "silero_vad.onnx", doc)
    source = doc.read_text()
    tree = text.parse(source, fmt)
    rng = random.Random(fmt + "silero")
    payload_slots = [s for s in _slots(tree) if s and s[-1] in ("npy", "sha256", "values", "type")]
    for _ in range(12):
        undo: list[tuple[Any, Any, Any]] = []
        value = copy.deepcopy(rng.choice([*HOSTILE, "s.tensors/x.npy"]))
        edited = _edit(tree, rng.choice(payload_slots), value, undo)
        check(Document(text.emit(edited, fmt), fmt, doc.name, tmp_path))
        _undo(undo)
    for edited in tree_mutations(tree, fmt, rng, 6):
        check(Document(edited, fmt, doc.name, tmp_path))
    for _ in range(6):
        check(Document(text_mutation(source, rng), fmt, doc.name, tmp_path))


@pytest.mark.parametrize(
    "fmt, source", [("yaml", ""), ("yaml", "null\n"), ("yaml", "# nothing\n"), ("json", "null")]
)
def test_a_document_of_nothing_is_an_error_at_its_first_line(fmt: str, source: str) -> None:
    """An empty YAML file parses (to null): it is refused like any other non-mapping, not passed over."""
    document = Document(source, fmt, f"m.{fmt}", SAMPLES)
    (found,) = document.decode().diagnostics
    assert (found.code, found.line, found.col) == ("E202", 1, 1)
    check(document)

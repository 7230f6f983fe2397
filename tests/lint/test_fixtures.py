"""Every rule's bad and good document (``onnxtext/lint/fixtures``): the bad one gets exactly that rule at
the lines its ``# CODE`` comments mark (found by searching the text), the good one nothing, and a fix
turns the bad one into the good one, which builds with the default ``build`` and runs in onnxruntime
with the bad one's outputs where the fix keeps behaviour."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest

from onnxtext import api, text
from onnxtext.core.document import Document
from onnxtext.fmt import format_file
from onnxtext.lint.engine import Selection, lint, rules
from onnxtext.lint.fixing import applicable, fix_document
from onnxtext.lint.registry import FIXTURES, examples

# reported by fmt (E701), the merge driver (E702), build (L101) and lint --fix of a .onnx (L102)
NO_DOCUMENT = {"E701", "E702", "L101", "L102"}
CODES = sorted(code for code in rules() if code not in NO_DOCUMENT)
FIXABLE = sorted(code for code in CODES if rules()[code].fix is not None)
# what onnx.checker refuses, now named at its element instead of one C501 at the graph
CHECKER_MAPPED = ["N106", "O411", "O412", "O413", "O416", "R209", "T306", "T307", "T308", "T309"]
_MARK = re.compile(r"#\s*((?:[A-Z]{1,2}\d{3}\b\s*)+)$")


def selection(code: str) -> Selection:
    """The default rules and ``code`` (opt-in ones too); S101 alone, as an editor's schema check shows
    it: what the schema says, the decoder and the O rules say first, and S101 defers to them."""
    return Selection(select=(code,)) if code == "S101" else Selection(extend_select=(code,))


def expected(code: str, bad: str) -> list[tuple[str, int]]:
    """(code, line) of each mark; for L100, the lines of its noqa comments (a line has one comment)."""
    if code == "L100":
        return [(code, n) for n, line in enumerate(bad.splitlines(), 1) if "onnxtext: noqa" in line]
    marked = [(n, _MARK.search(line)) for n, line in enumerate(bad.splitlines(), 1)]
    return sorted((each, n) for n, match in marked if match for each in match.group(1).split())


def copied(code: str, folder: Path) -> tuple[Path, Path]:
    """The rule's two documents, copied into ``folder`` with the sidecars they name."""
    shutil.copytree(FIXTURES / "sidecars", folder / "sidecars")
    found = examples(code)
    assert found is not None
    return shutil.copy(found[0], folder / "bad.yaml"), shutil.copy(found[1], folder / "good.yaml")


def test_every_rule_has_its_documents() -> None:
    assert {code for code in rules() if examples(code) is not None} == set(CODES)
    for code, entry in rules().items():
        assert entry.summary and entry.explanation and entry.severity in ("error", "warning", "info"), code


@pytest.mark.parametrize("code", CODES)
def test_bad_has_exactly_its_rule_and_good_nothing(code: str) -> None:
    bad, good = examples(code)  # type: ignore[misc]
    marked = expected(code, bad.read_text())
    found = lint(Document.read(bad), selection(code))
    assert marked and sorted((d.code, d.line) for d in found) == marked, [d.report() for d in found]
    assert lint(Document.read(good), selection(code)) == []


@pytest.mark.parametrize("code", CODES)
def test_good_is_canonical(code: str, tmp_path: Path) -> None:
    good = copied(code, tmp_path)[1]
    assert not format_file(good, write=False)


@pytest.mark.parametrize("code", CHECKER_MAPPED)
def test_what_the_checker_refuses_is_named_at_its_element(code: str) -> None:
    bad = examples(code)[0]  # type: ignore[index]
    model = Document.read(bad).model
    assert model is not None
    with pytest.raises(onnx.checker.ValidationError):
        onnx.checker.check_model(model, full_check=True)
    assert "C501" not in {d.code for d in lint(Document.read(bad), selection(code))}


@pytest.mark.parametrize("code", FIXABLE)
def test_fix_turns_bad_into_good(code: str, tmp_path: Path) -> None:
    bad, good = copied(code, tmp_path)
    fixed = fix_document(Document.read(bad), selection(code), unsafe=True)
    assert fixed.text == good.read_text() and fixed.fixed[code] >= 1 and fixed.remaining == []
    assert fix_document(Document.read(good), selection(code), unsafe=True).text == good.read_text()
    outputs = _outputs(good, tmp_path / "good.onnx", check=True)
    assert outputs is not None
    safe = all(applicable(d, unsafe=False) for d in lint(Document.read(bad), selection(code), fixes=True))
    before = _outputs(bad, tmp_path / "bad.onnx", check=False) if safe else None
    if before is not None:  # the fix kept what the model computes
        assert before.keys() == outputs.keys()
        for name, value in before.items():
            np.testing.assert_array_equal(value, outputs[name])


@pytest.mark.parametrize("code", sorted(set(FIXABLE) - {"L100"}))  # JSON has no comments
def test_fix_in_json(code: str) -> None:
    bad, good = examples(code)  # type: ignore[misc]
    as_json = [text.emit(text.parse(path.read_text(), "yaml"), "json") for path in (bad, good)]
    document = Document(as_json[0], "json", "bad.json", FIXTURES)
    assert fix_document(document, selection(code), unsafe=True).text == as_json[1]


def _outputs(document: Path, model: Path, check: bool) -> dict[str, np.ndarray] | None:
    """The outputs of the built document in onnxruntime, for fixed inputs (None when it does not build
    or load)."""
    try:
        built = api.build(document, model, check=check)
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 4
        session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    except Exception:  # a bad document need not build nor load: then there is nothing to compare
        if check:
            raise
        return None
    rng = np.random.default_rng(0)
    feeds = {}
    for graph_input in built.graph.input:
        kind = graph_input.type.tensor_type
        shape = [d.dim_value for d in kind.shape.dim]
        dtype = onnx.helper.tensor_dtype_to_np_dtype(kind.elem_type)
        feeds[graph_input.name] = rng.standard_normal(shape).astype(dtype)
    names = [o.name for o in built.graph.output]
    return dict(zip(names, session.run(names, feeds), strict=True))

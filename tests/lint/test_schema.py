"""S101: the document's JSON Schema through lint: opt-in, placed by path, never repeating another rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from onnxtext.api import build
from onnxtext.lint.engine import Selection, related
from onnxtext.lint.gate import LintFailed
from tests.lint.cases import FORMATS, at, clean, codes, edit, expect, run

SCHEMA_ONLY = Selection(select=("S",))
WITH_SCHEMA = Selection(extend_select=("S",))


def _numeric_name(fmt: str) -> str:
    """The clean document with node n2's name written as a number (the schema and E202 both see it)."""
    return edit(clean(fmt), fmt, "name", "n2", 5)


@pytest.mark.parametrize("fmt", FORMATS)
def test_schema_finding_at_its_line(fmt: str) -> None:
    text = _numeric_name(fmt)
    found = run(text, fmt, selection=SCHEMA_ONLY)
    diagnostic = expect(found, "S101", at(text, '"name": 5' if fmt == "json" else "name: 5"))
    assert diagnostic.message == "schema: expected a string or a mapping, got 5"
    assert diagnostic.path == ("graph", "nodes", 2, "name")
    assert codes(found) == {"S101"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_clean_document_has_no_schema_finding(fmt: str) -> None:
    assert run(clean(fmt), fmt, selection=SCHEMA_ONLY) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_what_the_decoder_reports_is_not_repeated(fmt: str) -> None:
    text = _numeric_name(fmt)
    found = run(text, fmt, selection=WITH_SCHEMA)
    expect(found, "E202", at(text, '"name": 5' if fmt == "json" else "name: 5"))
    assert "S101" not in codes(found)


def test_opt_in_selection() -> None:
    assert not Selection().enabled("S101")  # ALL leaves opt-in rules out
    assert Selection(extend_select=("S",)).enabled("S101")
    assert Selection(select=("S101",)).enabled("S101")
    assert not Selection(extend_select=("S",), ignore=("S101",)).enabled("S101")
    assert Selection().enabled("R201")


def test_related_elements() -> None:
    node = ("graph", "nodes", 2)
    assert related((*node, "name"), {(*node, "name")})  # the same element
    assert related((*node, "attributes", "alpha"), {node})  # inside a reported element
    assert related(node, {(*node, "op_typ")})  # around a reported element
    assert not related((*node, "name"), {("graph",)})  # a top-level key relates to nothing
    assert not related(("graph", "nodes", 3), {(*node, "name")})


def test_build_reports_schema_findings(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.onnxtext.lint]\nselect = ["S"]\n')
    (tmp_path / "m.yaml").write_text(_numeric_name("yaml"))
    with pytest.raises(LintFailed) as failed:
        build(tmp_path / "m.yaml", tmp_path / "m.onnx")
    assert [d.code for d in failed.value.diagnostics] == ["S101"]
    assert not (tmp_path / "m.onnx").exists()

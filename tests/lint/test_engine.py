"""The engine: every problem in one run, selection, noqa, and the registry's promises."""

from __future__ import annotations

import pytest

from onnxtext.lint.engine import Selection
from tests.lint.cases import FORMATS, at, clean, codes, edit, expect, field, item, run


def five_mistakes(fmt: str) -> str:
    text = clean(fmt)
    entry = "{" + field("name", "x", fmt) + ", " + field("type", "float32[2,3]", fmt)
    if fmt == "yaml":
        entry = entry.replace("float32[2,3]", "'float32[2,3]'")
    text = text.replace(entry, entry.replace("[2,3]", "[2,,3]"), 1)  # 1. a bad type string
    text = text.replace(field("op_type", "Relu", fmt), field("op_typo", "Relu", fmt))  # 2. an unknown key
    text = edit(text, fmt, "inputs", ["x"], ["xx"])  # 3. a dangling input (the Cast)
    text = edit(text, fmt, "name", "n1", "n0")  # 4. a duplicated name
    return text.replace(field("alpha", 0.1, fmt), field("alpha", 1, fmt))  # 5. an attribute of the wrong type


@pytest.mark.parametrize("fmt", FORMATS)
def test_five_mistakes_in_one_run(fmt: str) -> None:
    text = five_mistakes(fmt)
    found = run(text, fmt)
    expect(found, "E203", at(text, field("type", "float32[2,,3]", fmt).split(":")[0]))
    expect(found, "E201", at(text, field("op_typo", "Relu", fmt)))
    expect(found, "R201", item(text, fmt, "inputs", ["xx"], 0))
    expect(found, "N101", at(text, field("name", "n0", fmt), nth=1))
    expect(found, "O405", at(text, field("alpha", 1, fmt)))
    assert [d.line for d in found] == sorted(d.line for d in found)  # sorted by position


def test_syntax_error_is_the_one_diagnostic() -> None:
    found = run(clean("yaml").replace("inputs: [x, w]", "inputs: [x, w"), "yaml")
    assert [d.code for d in found] == ["E101"] and found[0].line is not None


def test_selection_by_code_and_prefix() -> None:
    text = five_mistakes("yaml")
    assert codes(run(text, "yaml", selection=Selection(select=("R",)))) == {"R201"}
    assert "N101" not in codes(run(text, "yaml", selection=Selection(ignore=("N1",))))
    narrowed = Selection(select=("R", "E"), ignore=("E2",), extend_select=("E203",))
    assert codes(run(text, "yaml", selection=narrowed)) == {"R201", "E203"}
    assert Selection(select=("Z9",)).unknown() == ["Z9"]


def test_noqa_silences_its_line_and_unused_noqa_is_reported() -> None:
    text = edit(clean("yaml"), "yaml", "name", "n2", "n1")
    line = at(text, "name: n1", nth=1)[0]
    lines = text.splitlines()
    lines[line - 1] += "  # onnxtext: noqa N101"
    lines[0] += "  # onnxtext: noqa R201"
    found = run("\n".join(lines) + "\n", "yaml")
    assert "N101" not in codes(found)
    unused = [d for d in found if d.code == "L100"]
    assert [(d.line, d.severity) for d in unused] == [(1, "warning")] and "R201" in unused[0].message

"""Types and shapes: one strict shape-inference run, each failure at the node or declaration it is about."""

from __future__ import annotations

import pytest

from tests.lint.cases import FORMATS, at, clean, codes, expect, field, node_start, run


def retype(text: str, fmt: str, name: str, old: str, new: str) -> tuple[str, tuple[int, int]]:
    """Change the type of value-info ``name``; return the text and where its entry starts."""
    entry = (
        "{"
        + field("name", name, fmt)
        + ", "
        + field("type", old, fmt).replace(f"{old}", f"'{old}'" if fmt == "yaml" else f"{old}")
    )
    assert entry in text, entry
    return text.replace(entry, entry.replace(old, new), 1), at(text, entry)


@pytest.mark.parametrize("fmt", FORMATS)
def test_t301_declared_output_contradicts_inference(fmt: str) -> None:
    text, where = retype(clean(fmt), fmt, "y", "float32[2,3]", "float32[3,3]")
    found = expect(run(text, fmt), "T301", where)
    assert "differ in dimension 0: (2) vs (3)" in found.message
    assert codes(run(text, fmt)) & {"T301", "T302", "T303"} == {"T301"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_t301_stale_value_info_type(fmt: str) -> None:
    text, where = retype(clean(fmt), fmt, "b", "float32[2,3]", "float16[2,3]")
    expect(run(text, fmt), "T301", where)


@pytest.mark.parametrize("fmt", FORMATS)
def test_t302_element_types_disagree(fmt: str) -> None:
    text, _ = retype(clean(fmt), fmt, "x", "float32[2,3]", "int64[2,3]")
    found = expect(run(text, fmt), "T302", node_start(text, fmt, "Add"))
    assert "inconsistent type" in found.message


@pytest.mark.parametrize("fmt", FORMATS)
def test_t303_broadcast_failure_without_cascades(fmt: str) -> None:
    text, _ = retype(clean(fmt), fmt, "x", "float32[2,3]", "float32[4,3]")
    found = run(text, fmt)
    expect(found, "T303", node_start(text, fmt, "Add"))
    assert not [d for d in found if "instead is null" in d.message]


@pytest.mark.parametrize("fmt", FORMATS)
def test_model_rules_wait_for_a_sound_document(fmt: str) -> None:
    text, _ = retype(clean(fmt), fmt, "x", "float32[2,3]", "float32[4,3]")
    text = text.replace(field("op_type", "Relu", fmt), field("op_type", "Relux", fmt))
    assert codes(run(text, fmt)) & {"O401", "T301", "T302", "T303", "C501"} == {"O401"}

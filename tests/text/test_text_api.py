"""The text package's small public surface."""

from __future__ import annotations

import numpy as np
import pytest

from onnxtext.text import emit, format_for, locate, parse


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("m.yaml", "yaml"),
        ("dir.v1/m.yml", "yaml"),
        ("M.YAML", "yaml"),
        ("m.json", "json"),
        ("a.onnx.json", "json"),
    ],
)
def test_format_for(name: str, fmt: str) -> None:
    assert format_for(name) == fmt


@pytest.mark.parametrize("name", ["m.onnx", "m", "yaml", "m.yaml.bak", ".json"])
def test_format_for_refuses_other_names(name: str) -> None:
    with pytest.raises(ValueError, match="yaml"):
        format_for(name)


@pytest.mark.parametrize(
    "call", [lambda: emit({}, "toml"), lambda: parse("", "xml"), lambda: locate("", "ini")]
)
def test_unknown_format(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="unknown text format"):
        call()


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_not_plain_data_is_a_type_error_with_its_path(fmt: str) -> None:
    with pytest.raises(TypeError, match=r"tuple value at graph\.nodes\[1\]"):
        emit({"graph": {"nodes": [1, (2, 3)]}}, fmt)
    with pytest.raises(TypeError, match=r"mapping key 1 \(int\) at a is not a str"):
        emit({"a": {1: 2}}, fmt)
    with pytest.raises(TypeError, match="float64 value at <document>"):
        emit(np.float64(1.5), fmt)

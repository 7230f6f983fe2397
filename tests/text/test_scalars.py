"""The core-schema resolver that the YAML writer and reader share."""

from __future__ import annotations

import math

import pytest
import yaml

from onnxtext.text.scalars import (
    finite_floats_text,
    float_text,
    is_plain_str,
    json_float_text,
    resolve_plain,
    resolve_tagged,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("", None), ("~", None), ("null", None), ("Null", None), ("NULL", None),
        ("true", True), ("True", True), ("TRUE", True), ("false", False), ("FALSE", False),
        ("0", 0), ("-17", -17), ("+5", 5), ("007", 7), ("0o17", 15), ("0x1F", 31),
        ("18446744073709551615", 2**64 - 1),
        ("1.0", 1.0), ("1.", 1.0), (".5", 0.5), ("-.5", -0.5), ("1e-05", 1e-05), ("1E+16", 1e16),
        (".inf", math.inf), ("+.Inf", math.inf), ("-.INF", -math.inf),
    ],
)  # fmt: skip
def test_core_schema_values(text: str, value: object) -> None:
    resolved = resolve_plain(text)
    assert type(resolved) is type(value)
    assert resolved == value
    assert not is_plain_str(text)


@pytest.mark.parametrize(
    "text",
    ["tRUE", "nan", "inf", "0X1F", "0o8", "1e", "e5", "1.2.3", ". 5", "NaN", "Infinity", "name",
     "onnx::Add_17", "1 ", "١٢", "y", "n", "N", "x.1", "unk__0", "2024-1"],
)  # fmt: skip
def test_everything_else_is_text(text: str) -> None:
    assert resolve_plain(text) == text
    assert is_plain_str(text)


@pytest.mark.parametrize(
    "text",
    ["yes", "No", "ON", "off", "1_000", "0b1", "1:20", "12:30:00", "-0x1", "2024-01-01",
     "2001-12-14t21:59:43.10-05:00", "=", "<<", "1.", "+.5"],
)  # fmt: skip
def test_what_yaml_1_1_reads_as_no_string_is_quoted(text: str) -> None:
    assert not is_plain_str(text)
    assert yaml.safe_load(f"k: {text!r}")["k"] == text  # quoted, PyYAML reads the same string


@pytest.mark.parametrize("value", [1e-05, 1e16, -2.5e-300, 0.1, 3.0, 1e300])
def test_floats_read_as_floats_by_yaml_1_1_too(value: float) -> None:
    text = float_text(value)
    assert resolve_plain(text) == value
    assert yaml.safe_load(f"k: {text}")["k"] == value


def test_nan_resolves_to_nan() -> None:
    assert all(math.isnan(resolve_plain(text)) for text in (".nan", ".NaN", ".NAN"))


def test_int_and_float_are_told_apart_by_form() -> None:
    assert type(resolve_plain("1")) is int
    assert type(resolve_plain("1.0")) is float
    assert type(resolve_plain("1e5")) is float


@pytest.mark.parametrize("value", [1.0, -0.0, 0.1, 1e-05, 1e16, 5e-324, 1.7976931348623157e308, -2.5e-300])
def test_float_text_reads_back_exactly(value: float) -> None:
    text = float_text(value)
    back = resolve_plain(text)
    assert type(back) is float and repr(back) == repr(value)


def test_float_text_of_non_finite() -> None:
    assert (float_text(math.nan), float_text(math.inf), float_text(-math.inf)) == (".nan", ".inf", "-.inf")


def test_standard_tags() -> None:
    prefix = "tag:yaml.org,2002:"
    assert resolve_tagged("1", prefix + "str") == "1"
    assert resolve_tagged("1", prefix + "float") == 1.0
    assert type(resolve_tagged("1", prefix + "float")) is float
    assert resolve_tagged("0x10", prefix + "int") == 16
    assert resolve_tagged("", prefix + "null") is None
    with pytest.raises(ValueError, match="not a valid !!int"):
        resolve_tagged("1.5", prefix + "int")
    with pytest.raises(ValueError, match="not supported"):
        resolve_tagged("x", prefix + "python/none")


def test_a_list_of_finite_floats_is_spelled_as_each_float_is() -> None:
    values = [0.0, -0.0, 1e-05, -5e20, 1.5e-07, 0.1, 123456789.0, 1e16, -2.5e-300, 3.0]
    assert finite_floats_text(values, yaml=True) == ", ".join(map(float_text, values))
    assert finite_floats_text(values, yaml=False) == ", ".join(map(json_float_text, values))
    assert yaml.safe_load(f"[{finite_floats_text(values, yaml=True)}]") == values  # YAML 1.1 reads floats

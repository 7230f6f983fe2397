"""Exact float lists for generic fields: shortest decimals, or Base64 when text cannot hold the bits."""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest
from codec_cases import json_trip
from hypothesis import given, settings
from hypothesis import strategies as st

from onnxtext.base.errors import OnnxTextError
from onnxtext.codecs import decode_floats, encode_floats
from onnxtext.codecs.floats import shortest_floats

WIDTH = {32: ("<f4", "<u4"), 64: ("<f8", "<u8")}


def bits_of(values: np.ndarray, bits: int) -> list[int]:
    return np.asarray(values, dtype=WIDTH[bits][0]).view(WIDTH[bits][1]).tolist()


@pytest.mark.parametrize("bits", [32, 64])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_bit_pattern_round_trips_through_json(bits, data) -> None:
    codes = data.draw(st.lists(st.integers(0, (1 << bits) - 1), max_size=8))
    values = np.array(codes, dtype=WIDTH[bits][1]).view(WIDTH[bits][0])
    encoded = encode_floats(values, bits)
    assert bits_of(decode_floats(json_trip(encoded), bits, ()), bits) == codes


@settings(max_examples=150, deadline=None)
@given(st.lists(st.floats(width=32, allow_nan=False), max_size=8))
def test_float32_values_stay_readable(values) -> None:
    encoded = encode_floats(values, 32)
    assert isinstance(encoded, list)
    assert all(len(repr(x)) <= len(repr(float(np.float32(v)))) for x, v in zip(encoded, values, strict=True))


def test_shortest_repr() -> None:
    assert encode_floats([0.1, 1 / 3, 16777217.0, 1e-45, 3.4028235e38], 32) == [
        0.1,
        0.33333334,
        16777216.0,
        1e-45,
        3.4028235e38,
    ]
    assert encode_floats([0.1, 1 / 3], 64) == [0.1, 1 / 3]


def test_specials_stay_readable() -> None:
    encoded = encode_floats([-0.0, math.inf, -math.inf, math.nan], 32)
    assert encoded[:3] == [-0.0, math.inf, -math.inf] and math.copysign(1, encoded[0]) == -1
    assert math.isnan(encoded[3])


@pytest.mark.parametrize("pattern", [0x7FC00001, 0xFFC00000, 0x7F800001])
def test_nan_that_text_cannot_hold_falls_back_to_base64(pattern) -> None:
    raw = struct.pack("<fI", 1.5, pattern)
    encoded = encode_floats(raw, 32)
    assert set(encoded) == {"base64"}
    assert decode_floats(encoded, 32, ()).tobytes() == raw


def test_bytes_input_keeps_signalling_nan() -> None:
    raw = struct.pack("<I", 0x7F800001)
    assert decode_floats(encode_floats(raw, 32), 32, ()).tobytes() == raw


def test_decode_accepts_special_spellings() -> None:
    spellings = [
        "NaN",
        "nan",
        ".nan",
        ".NaN",
        "Infinity",
        "inf",
        ".inf",
        "+inf",
        "-Infinity",
        "-inf",
        "-.inf",
    ]
    got = decode_floats(spellings, 64, ())
    assert np.isnan(got[:4]).all()
    assert got[4:8].tolist() == [math.inf] * 4 and got[8:].tolist() == [-math.inf] * 3


def test_decode_accepts_ints() -> None:
    assert decode_floats([1, 2**70], 64, ()).tolist() == [1.0, 2.0**70]


@pytest.mark.parametrize(
    "node, index, code",
    [
        ([1.0, "x"], 1, "E301"),
        ([True], 0, "E301"),
        ([None], 0, "E301"),
        ([1e39], 0, "E301"),
        ([10**400], 0, "E301"),
    ],
)
def test_decode_errors_name_the_element(node, index, code) -> None:
    with pytest.raises(OnnxTextError) as caught:
        decode_floats(node, 32, ("attributes", "alpha"))
    assert (caught.value.code, caught.value.path) == (code, ("attributes", "alpha", index))
    assert caught.value.hint


def test_decode_structure_errors() -> None:
    with pytest.raises(OnnxTextError) as caught:
        decode_floats({"base64": "AAAA"}, 32, ("f",))
    assert (caught.value.code, caught.value.path) == ("E302", ("f", "base64"))
    with pytest.raises(OnnxTextError) as caught:
        decode_floats({"base64": "AA"}, 32, ("f",))
    assert caught.value.code == "E302"
    with pytest.raises(OnnxTextError) as caught:
        decode_floats("1.0", 32, ("f",))
    assert caught.value.code == "E202"
    with pytest.raises(OnnxTextError) as caught:
        decode_floats({"base64": "AAAAAA==", "x": 1}, 32, ("f",))
    assert (caught.value.code, caught.value.path) == ("E201", ("f", "x"))


def test_small_float32_fast_path_matches_numpy_shortest_repr() -> None:
    bits = np.random.default_rng(7).integers(0, 2**32, 40_000, dtype=np.uint64).astype(np.uint32)
    values = bits.view(np.float32)
    values = values[~np.isnan(values)]
    expected = values.astype(str).astype(np.float64)  # numpy's Dragon4, the large-array path
    for start in range(0, len(values), 8):
        chunk = shortest_floats(values[start : start + 8])
        assert chunk.tolist() == expected[start : start + 8].tolist()


def _dragon4(values: np.ndarray) -> np.ndarray:
    """numpy's shortest decimals (Dragon4, one element at a time), read back as Python reads them."""
    return np.array([float(str(v)) for v in values], dtype=np.float64)


def _float32_cases() -> np.ndarray:
    rng = np.random.default_rng(11)
    random_bits = rng.integers(0, 2**32, 200_000, dtype=np.uint64).astype(np.uint32).view(np.float32)
    consecutive = (np.arange(1 << 16, dtype=np.uint32) + np.uint32(0x3F7F0000)).view(np.float32)
    with np.errstate(over="ignore"):
        powers = np.ldexp(np.float32(1), np.arange(-149, 128)).astype(np.float32)
    boundaries = np.concatenate([powers, np.nextafter(powers, np.float32(0)), np.nextafter(powers, np.inf)])
    weights = (rng.standard_normal(100_000) * 0.02).astype(np.float32)
    specials = np.array(
        [0.0, -0.0, np.inf, -np.inf, 1e-45, -1e-45, 1e-40, 3.4028235e38, 0.1, 1e-5], np.float32
    )
    return np.concatenate([random_bits, consecutive, boundaries, -boundaries, weights, specials])


@pytest.mark.parametrize(
    "values",
    [_float32_cases(), np.arange(1 << 16, dtype=np.uint16).view(np.float16)],
    ids=["float32", "every float16"],
)
def test_whole_arrays_get_the_shortest_decimals_dragon4_prints(values: np.ndarray) -> None:
    values = values[~np.isnan(values)]
    decimals = shortest_floats(values)
    assert decimals.tobytes() == _dragon4(values).tobytes()  # -0.0 stays -0.0: bytes, not ==
    assert decimals.astype(values.dtype).tobytes() == values.tobytes()


def test_nan_payloads_in_a_whole_array_fall_back_to_base64() -> None:
    values = (np.random.default_rng(3).standard_normal(50_000) * 0.02).astype(np.float32)
    values.view(np.uint32)[[5, 49_999]] = [
        0x7FC00001,
        0xFF800001,
    ]  # a quiet NaN with a payload, a signalling one
    encoded = encode_floats(values.tobytes(), 32)
    assert isinstance(encoded, dict)
    assert decode_floats(encoded, 32, ("f",)).tobytes() == values.tobytes()


def test_short_lists_take_the_scalar_path_with_the_same_answer() -> None:
    """A float attribute is one value or a few: encode_floats answers those one scalar at a time, and
    must say exactly what the whole-array search says (and still refuse what text cannot carry)."""
    values = (np.random.default_rng(5).standard_normal(4_000) * 10.0).astype(np.float32)
    for start in range(0, len(values), 4):
        chunk = values[start : start + 4]
        assert encode_floats(chunk, 32) == shortest_floats(chunk).tolist()
    assert encode_floats([1.0, -0.0], 32, signed_zeros=False) == {"base64": "AACAPwAAAIA="}
    assert encode_floats([1.0, 0.0], 32, signed_zeros=False) == [1.0, 0.0]
    payload = np.array([0x7FC00001], np.uint32).view(np.float32)
    assert isinstance(encode_floats(payload, 32), dict)

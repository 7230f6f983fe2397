"""Exact float lists: the shortest decimal that reads back to the same bits, or Base64.

A float32 ``0.1f`` is written ``0.1``, not ``0.10000000149011612``: the document stores the
shortest decimal whose conversion back to the element type gives the identical bits (numpy's
Dragon4 for float16/32, a per-code search for the ml_dtypes types, which numpy cannot print).
Text parses decimals to float64 first, so a shortest decimal could in principle be double-rounded
to a neighbour; such an element is written with its exact float64 value instead.

NaN carries no sign or payload in text, so a list is only readable when every NaN is the default
quiet NaN of its type (what ``float("nan")`` converts to); anything else is written as Base64.
After JSON (which has no NaN), NaN and infinities arrive as strings: ``"NaN"``, ``"Infinity"``,
``"-Infinity"`` and the YAML spellings are accepted wherever a float is.
"""

from __future__ import annotations

import functools
import math
import struct
from collections.abc import Sequence

import ml_dtypes
import numpy as np

from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import Path
from onnxtext.codecs.b64 import BASE64_KEY, base64_node, decode_base64, encode_base64
from onnxtext.codecs.messages import brief

_SPECIAL = {
    **dict.fromkeys(("nan", ".nan"), math.nan),
    **dict.fromkeys(("inf", "+inf", ".inf", "+.inf", "infinity", "+infinity"), math.inf),
    **dict.fromkeys(("-inf", "-.inf", "-infinity"), -math.inf),
}
_NUMBER_HINT = "write a number, or NaN, Infinity, -Infinity"
_GENERIC = {32: (np.dtype("<f4"), "float32"), 64: (np.dtype("<f8"), "float64")}


def float_items(items: Sequence[object], path: Path) -> np.ndarray:
    """A list of document numbers (floats, ints, NaN/Infinity strings) as a float64 array; E301 on others."""
    if set(map(type, items)) <= {float, int}:
        try:
            return np.array(items, dtype=np.float64)
        except OverflowError:
            pass  # an int beyond float64: the loop below names it
    return np.array([_one_float(item, (*path, i)) for i, item in enumerate(items)], dtype=np.float64)


def _one_float(item: object, path: Path) -> float:
    if type(item) is float:
        return item
    if type(item) is int:
        try:
            return float(item)
        except OverflowError:
            raise OnnxTextError(
                "E301",
                f"a {item.bit_length()}-bit integer is out of range for a float",
                path=path,
                hint="floats go up to about ±1.8e308",
            ) from None
    if isinstance(item, str) and item.strip().lower() in _SPECIAL:
        return _SPECIAL[item.strip().lower()]
    raise OnnxTextError("E301", f"expected a number, got {brief(item)}", path=path, hint=_NUMBER_HINT)


@functools.cache
def _range(dtype: np.dtype) -> tuple[float, float]:
    """(largest finite value, smallest magnitude that no longer rounds to it) of a float type."""
    largest = np.array(ml_dtypes.finfo(dtype).max, dtype=dtype)
    below = (largest.view(_code_type(dtype)) - 1).view(dtype)
    top = float(largest.astype(np.float64))
    return top, top + (top - float(below.astype(np.float64))) / 2


def cast_floats(values: np.ndarray, dtype: np.dtype, name: str, path: Path) -> np.ndarray:
    """``values`` (float64) rounded to ``dtype``; E301 for what the type cannot hold.

    Refused: finite values at or beyond the overflow threshold (instead of inf, NaN or a silent
    saturation, depending on the type), and NaN or infinity for types that have none.
    """
    if dtype == np.float64:
        return values
    with np.errstate(all="ignore"):
        out = values.astype(dtype)
        back = out.astype(np.float64)
    top, limit = _range(dtype)
    if np.abs(values).max(initial=0.0) < limit and np.isfinite(back).all():  # the common case, quickly
        return out
    finite = np.isfinite(values)
    bad = (np.isnan(values) != np.isnan(back)) | (np.isinf(values) & (back != values))
    bad |= finite & (~np.isfinite(back) | (np.abs(values) >= limit))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        value = float(values[i])
        if math.isnan(value):
            message = f"{name} has no NaN"
        elif math.isinf(value):
            message = f"{name} has no infinity"
        else:
            message = f"{value!r} cannot be stored as {name}"
        raise OnnxTextError(
            "E301", message, path=(*path, i), hint=f"{name} holds finite values up to ±{top:g}"
        )
    return out


_SMALL = 8  # up to this many float32 elements, a Python loop beats numpy's per-call overhead


def shortest_float_list(array: np.ndarray) -> list[float]:
    """:func:`shortest_floats` as a list (what a ``values:`` list holds), without numpy for short arrays."""
    values = _short_exact(array)
    return shortest_floats(array).tolist() if values is None else values


def _short_exact(array: np.ndarray) -> list[float] | None:
    """A short float32 array's shortest decimals, one scalar at a time (numpy's Dragon4); None when the
    array is long, of another type, or holds a value a decimal cannot carry (a NaN payload)."""
    if array.dtype != np.float32 or array.size > _SMALL:
        return None
    values = [float(str(v)) for v in array]
    return values if struct.pack(f"<{len(values)}f", *values) == array.astype("<f4").tobytes() else None


def shortest_floats(array: np.ndarray) -> np.ndarray:
    """Float64 values that round back to exactly ``array``'s bits (NaN: the default quiet NaN)."""
    if array.dtype == np.float64:
        out = array.astype(np.float64, copy=True)
    elif array.dtype in _MOST_DIGITS:
        out = _shortest_decimals(array)
        unknown = np.isnan(out) & ~np.isnan(array)
        if unknown.any():  # numpy's Dragon4, one element at a time
            out[unknown] = array[unknown].astype(str).astype(np.float64)
    else:
        codes, inverse = np.unique(array.view(_code_type(array.dtype)), return_inverse=True)
        table = np.array([_shortest_code(array.dtype, int(c)) for c in codes], dtype=np.float64)
        out = table[inverse.reshape(-1)]
    nan = np.isnan(out)
    wrong = ~same_bits(out.astype(array.dtype), array) & ~nan
    if wrong.any():
        out[wrong] = array[wrong].astype(np.float64)
    if nan.any():
        out[nan] = math.nan
    return out


# Significant digits that always tell two values of the type apart; 10**i, exact as doubles for i <= 22.
_MOST_DIGITS = {np.dtype(np.float16): 5, np.dtype(np.float32): 9}
_POWERS = np.array([10.0**i for i in range(23)])
_BLOCK = 1 << 14


def _shortest_decimals(array: np.ndarray) -> np.ndarray:
    """The shortest decimals that read back to the float16/32 elements of ``array`` (as float64), found
    for the whole array at once; NaN where this way cannot tell (NaN, subnormal and extreme elements).

    For each element, a binary search finds the fewest significant digits ``k`` at which the nearest
    ``k``-digit decimal reads back to it (digits that read back keep doing so with one more), or its
    neighbour on the element's far side, which the rounding interval reaches alone where it is
    lopsided (just above a power of two); both are what Dragon4's shortest mode prints.  A decimal
    ``m * 10**-p`` is computed as one correctly rounded division or multiplication by an exact power of
    ten, so it is the double nearest to it: the double the text reader makes of its shortest spelling.
    """
    if array.size > _BLOCK:  # blocks small enough for the temporaries to stay in the CPU cache
        return np.concatenate(
            [_shortest_decimals(array[i : i + _BLOCK]) for i in range(0, array.size, _BLOCK)]
        )
    most = _MOST_DIGITS[array.dtype]
    codes = array.view(_code_type(array.dtype))
    with np.errstate(all="ignore"):
        x = array.astype(np.float64)
        magnitude = np.abs(x)
        searched = np.isfinite(x) & (magnitude > 0)  # zeros and infinities are their own decimals
        exponent = np.floor(np.log10(np.where(searched, magnitude, 1.0))).astype(np.int64)
    # every power of ten the search may use is exact: not so for subnormal and extreme elements
    usable = searched & (exponent <= 22) & (exponent >= most - 23)

    def nearest(digits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(the decimal of ``digits`` significant digits that reads back, NaN if none; whether one does)"""
        p = digits - 1 - exponent
        power = _POWERS[np.minimum(np.abs(p), 22)]
        up = p >= 0
        found = np.full(x.shape, np.nan)
        with np.errstate(all="ignore"):
            scaled = np.where(up, x * power, x / power)
            m = np.rint(scaled)
            for k in (m + np.sign(scaled - m), m):  # the far neighbour first: the nearest overrides it
                decimal = np.where(up, k / power, k * power)
                back = decimal.astype(array.dtype).view(codes.dtype) == codes
                found = np.where(back, decimal, found)
        return found, usable & ~np.isnan(found)

    lo = np.ones(x.shape, np.int64)
    hi = np.full(x.shape, most, np.int64)
    while (searching := lo < hi).any():
        mid = (lo + hi) // 2
        good = nearest(mid)[1]
        hi = np.where(searching & good, mid, hi)
        lo = np.where(searching & ~good, mid + 1, lo)
    found, good = nearest(hi)
    return np.where(good, found, np.where(searched | np.isnan(x), np.nan, x))


@functools.cache
def _shortest_code(dtype: np.dtype, code: int) -> float:
    """The shortest decimal (as a float) that ``dtype`` rounds to ``code``; for types numpy cannot print.

    A candidate past the overflow threshold is skipped even if the type saturates it to ``code``.
    """
    with np.errstate(all="ignore"):  # a signalling NaN code warns when widened
        exact = float(np.array(code, dtype=_code_type(dtype)).view(dtype).astype(np.float64))
    if not math.isfinite(exact):
        return exact
    _, limit = _range(dtype)
    with np.errstate(all="ignore"):
        for digits in range(1, 18):
            candidate = float(f"{exact:.{digits}g}")
            if (
                abs(candidate) < limit
                and int(np.array(candidate).astype(dtype).view(_code_type(dtype))) == code
            ):
                return candidate
    return exact


def _code_type(dtype: np.dtype) -> np.dtype:
    return np.dtype(f"<u{dtype.itemsize}")


def same_bits(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Elementwise bit equality of two arrays of the same float type (NaN == NaN when bits match)."""
    code_type = _code_type(a.dtype)
    return a.view(code_type) == b.view(code_type)


def encode_floats(
    values: Sequence[float] | np.ndarray | bytes | memoryview, bits: int, *, signed_zeros: bool = True
) -> list[float] | dict[str, str]:
    """A float/double field's values: shortest decimals when exact, else ``{base64: <LE bytes>}``.

    ``values`` may be a repeated proto field, a sequence of floats, an array, or the little-endian
    bytes themselves (see :mod:`onnxtext.codecs.wire` for reading those without losing NaN bits).
    Without ``signed_zeros`` (a text whose readers lose the sign of a zero), a ``-0.0`` is not exact.
    """
    dtype, _ = _GENERIC[bits]
    if isinstance(values, (bytes, bytearray, memoryview)):
        array = np.frombuffer(values, dtype=dtype)
    else:
        array = np.asarray(values, dtype=dtype).reshape(-1)
    listed = _short_exact(array)  # most float attributes: a scalar or a few, where numpy costs most
    if listed is None:
        out = shortest_floats(array)
        with np.errstate(all="ignore"):
            if same_bits(out.astype(dtype), array).all():
                listed = out.tolist()
    if listed is not None and not signed_zeros and negative_zeros(array):
        listed = None
    return {BASE64_KEY: encode_base64(array.tobytes())} if listed is None else listed


def negative_zeros(elements: np.ndarray) -> bool:
    """Whether a float or complex array (ml_dtypes included) holds a ``-0.0``."""
    if elements.dtype.kind == "c":
        elements = elements.view(np.float64 if elements.dtype.itemsize == 16 else np.float32)
    elif elements.dtype not in (np.float16, np.float32, np.float64):
        with np.errstate(all="ignore"):
            elements = elements.astype(np.float64)
    return bool(np.signbit(elements[elements == 0]).any())


def decode_floats(node: object, bits: int, path: Path) -> np.ndarray:
    """Inverse of :func:`encode_floats`: a float32 (``bits=32``) or float64 array."""
    dtype, name = _GENERIC[bits]
    text = base64_node(node, path)
    if text is not None:
        data = decode_base64(text, (*path, BASE64_KEY))
        if len(data) % dtype.itemsize:
            raise OnnxTextError(
                "E302",
                f"{len(data)} bytes is not a whole number of {name} values",
                path=(*path, BASE64_KEY),
                hint=f"{name} takes {dtype.itemsize} bytes per value",
            )
        return np.frombuffer(data, dtype=dtype)
    if not isinstance(node, list):
        raise OnnxTextError("E202", "expected a list of numbers or {base64: ...}", path=path)
    return cast_floats(float_items(node, path), dtype, name, path)

"""Tensor elements <-> the readable ``values:`` list.

Elements are a flat numpy array of the type's own dtype (ml_dtypes for bfloat16, float8, int4,
...).  Floats become shortest decimals (:mod:`.floats`), integers Python ints, bool true/false,
complex numbers ``[re, im]`` pairs and strings text or ``{base64: ...}``.  Whether a list is exact
for a given stored payload is the caller's check (re-encode and compare bytes); here the list is
only validated and converted.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import ml_dtypes
import numpy as np

from onnxtext.base.doctree import decimal_int
from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import Path
from onnxtext.codecs.b64 import decode_bytes, encode_bytes
from onnxtext.codecs.dtypes import DType
from onnxtext.codecs.floats import cast_floats, float_items, shortest_float_list, shortest_floats
from onnxtext.codecs.messages import brief, kind

_COMPONENT = {8: np.dtype(np.float32), 16: np.dtype(np.float64)}


def type_text(dtype: DType, dims: Sequence[int]) -> str:
    """``float32[2,3]``: how error messages name a tensor's type."""
    return f"{dtype.name}[{','.join(map(str, dims))}]"


def element_count(dtype: DType, dims: Sequence[int], path: Path) -> int:
    """The number of elements ``dims`` describe; E301 for a negative dimension."""
    if any(d < 0 for d in dims):
        raise OnnxTextError(
            "E301",
            f"{type_text(dtype, dims)} has a negative dimension, so it can hold no values",
            path=path,
            hint="write the payload as base64 (the bytes as they are)",
        )
    return math.prod(dims)


def to_values(elements: np.ndarray, dtype: DType) -> list[object]:
    """The readable list for a flat array of numeric elements."""
    if dtype.kind == "float":
        return shortest_float_list(elements)
    if dtype.kind == "complex":
        parts = elements.view(_COMPONENT[elements.dtype.itemsize])
        return shortest_floats(parts).reshape(-1, 2).tolist()
    return elements.tolist()


def from_values(node: object, dtype: DType, dims: Sequence[int], path: Path) -> np.ndarray:
    """The flat element array a ``values`` list describes; E301 when it does not fit ``dims``/``dtype``."""
    items = _checked_list(node, dtype, dims, path)
    if dtype.kind == "float":
        return cast_floats(float_items(items, path), dtype.numpy, dtype.name, path)
    if dtype.kind == "complex":
        return _complex(items, dtype, path)
    if dtype.kind == "bool":
        return _bools(items, path)
    return _ints(items, dtype, path)


def string_values(items: Sequence[bytes]) -> list[str | dict[str, str]]:
    """The readable list for ``string_data``: text, or ``{base64: ...}`` for bytes that are not UTF-8."""
    return [encode_bytes(item) for item in items]


def strings_from_values(node: object, dtype: DType, dims: Sequence[int], path: Path) -> list[bytes]:
    """Inverse of :func:`string_values`, with the element count checked against ``dims``."""
    items = _checked_list(node, dtype, dims, path)
    return [decode_bytes(item, (*path, i)) for i, item in enumerate(items)]


def _checked_list(node: object, dtype: DType, dims: Sequence[int], path: Path) -> list[object]:
    if not isinstance(node, list):
        raise OnnxTextError("E202", f"values must be a list, got {kind(node)}", path=path)
    expected = element_count(dtype, dims, path)
    if len(node) != expected:
        raise OnnxTextError(
            "E301",
            f"expected {expected} values for {type_text(dtype, dims)}, got {len(node)}",
            path=path,
            hint=f"give exactly {expected} {dtype.name} values (flattened, row-major) or change the shape",
        )
    return node


def _ints(items: list[object], dtype: DType, path: Path) -> np.ndarray:
    info = ml_dtypes.iinfo(dtype.numpy)
    low, high = int(info.min), int(info.max)
    if str in set(map(type, items)):  # JSON writes integers beyond +-(2^53 - 1) as decimal strings
        items = [item if type(item) is not str else _decimal(item) for item in items]
    if not set(map(type, items)) <= {int}:
        i, item = next((i, x) for i, x in enumerate(items) if type(x) is not int)
        raise OnnxTextError(
            "E301",
            f"expected an integer, got {brief(item)}",
            path=(*path, i),
            hint=f"{dtype.name} values are integers from {low} to {high}",
        )
    if items and (min(items) < low or max(items) > high):
        i, item = next((i, x) for i, x in enumerate(items) if not low <= x <= high)
        raise OnnxTextError(
            "E301",
            f"{brief(item)} is out of range for {dtype.name}",
            path=(*path, i),
            hint=f"{dtype.name} values are integers from {low} to {high}",
        )
    wide = np.uint64 if high > np.iinfo(np.int64).max else np.int64
    return np.array(items, dtype=wide).astype(dtype.numpy)


def _decimal(item: str) -> object:
    """The integer a decimal string spells; other text as it is (refused below)."""
    value = decimal_int(item)
    return item if value is None else value


def _bools(items: list[object], path: Path) -> np.ndarray:
    if not set(map(type, items)) <= {bool}:
        i, item = next((i, x) for i, x in enumerate(items) if type(x) is not bool)
        raise OnnxTextError(
            "E301",
            f"expected true or false, got {brief(item)}",
            path=(*path, i),
            hint="bool values are true or false",
        )
    return np.array(items, dtype=np.bool_)


def _complex(items: list[object], dtype: DType, path: Path) -> np.ndarray:
    for i, item in enumerate(items):
        if not (isinstance(item, list) and len(item) == 2):
            raise OnnxTextError(
                "E301",
                f"expected a [real, imaginary] pair, got {brief(item)}",
                path=(*path, i),
                hint=f"{dtype.name} values are pairs like [1.5, -2.0]",
            )
    component = _COMPONENT[dtype.numpy.itemsize]
    flat = [part for pair in items for part in pair]
    try:
        parts = cast_floats(float_items(flat, path), component, dtype.name, path)
    except OnnxTextError as err:  # its path ends in an index into ``flat``: point at the pair instead
        flat_index = int((err.path or ())[len(path)])
        raise dataclasses.replace(err, path=path + divmod(flat_index, 2)) from None
    return parts.view(dtype.numpy)

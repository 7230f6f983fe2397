"""Shared strategies and helpers for the codec tests: random tensors of every element type."""

from __future__ import annotations

import json
import math
from typing import Any

import ml_dtypes
import numpy as np
import onnx
from hypothesis import strategies as st
from onnx import helper, numpy_helper

from onnxtext.codecs import DTYPES, DType

NUMERIC: list[DType] = [dt for dt in DTYPES if dt.kind != "string"]
FLOATING: list[DType] = [dt for dt in DTYPES if dt.kind == "float"]

shapes = st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple)


def _specials(dt: DType) -> list[np.ndarray]:
    """Interesting single elements of a float type: zeros, infinities, NaN, extremes, subnormals."""
    info = ml_dtypes.finfo(dt.numpy)
    picks = [
        0.0,
        -0.0,
        math.inf,
        -math.inf,
        math.nan,
        float(info.smallest_subnormal),
        float(info.max),
        -float(info.max),
        float(info.tiny),
    ]
    with np.errstate(all="ignore"):
        return [np.array([v]).astype(dt.numpy) for v in picks]


@st.composite
def elements(draw: st.DrawFn, dt: DType, count: int) -> np.ndarray:
    """``count`` random elements of ``dt``: random bit patterns (so NaN payloads too), some specials."""
    if dt.kind == "bool":
        return np.array(draw(st.lists(st.booleans(), min_size=count, max_size=count)), dtype=np.bool_)
    if dt.packed:
        codes = draw(st.lists(st.integers(0, (1 << dt.bits) - 1), min_size=count, max_size=count))
        return np.array(codes, dtype=np.uint8).view(dt.numpy)
    raw = draw(st.binary(min_size=count * dt.numpy.itemsize, max_size=count * dt.numpy.itemsize))
    out = np.frombuffer(raw, dtype=dt.numpy).copy()
    if dt.kind == "float" and count:
        specials = _specials(dt)
        for i in draw(st.lists(st.integers(0, count - 1), max_size=3)):
            out[i] = specials[draw(st.integers(0, len(specials) - 1))][0]
    return out


def raw_tensor(dt: DType, dims: tuple[int, ...], items: np.ndarray) -> onnx.TensorProto:
    """A tensor holding ``items`` in raw_data, packed as ONNX packs it."""
    tensor = numpy_helper.from_array(items.reshape(dims), name="w")
    assert tensor.data_type == dt.onnx
    return tensor


def typed_tensor(dt: DType, dims: tuple[int, ...], items: np.ndarray) -> onnx.TensorProto:
    """A tensor holding ``items`` in the typed field ONNX uses for ``dt`` (``make_tensor``)."""
    return helper.make_tensor("w", dt.onnx, dims, items)


def readable(dt: DType, tensor: onnx.TensorProto) -> bool:
    """True when every NaN of ``tensor`` is the default quiet NaN, so ``values`` can hold it exactly."""
    if dt.kind not in ("float", "complex"):
        return True
    items = numpy_helper.to_array(tensor).reshape(-1)
    if dt.kind == "complex":
        items = items.view(np.float32 if dt.numpy.itemsize == 8 else np.float64)
    with np.errstate(all="ignore"):
        canonical = np.array([math.nan]).astype(items.dtype).view(f"u{items.dtype.itemsize}")[0]
        nan = np.isnan(items.astype(np.float64))
    return bool((items.view(f"u{items.dtype.itemsize}")[nan] == canonical).all())


def json_trip(tree: Any) -> Any:
    """``tree`` after RFC 8259 JSON: NaN and infinities become the strings JSON writers use."""

    def plain(node: Any) -> Any:
        if isinstance(node, float) and not math.isfinite(node):
            return "NaN" if math.isnan(node) else ("Infinity" if node > 0 else "-Infinity")
        if isinstance(node, list):
            return [plain(item) for item in node]
        if isinstance(node, dict):
            return {key: plain(value) for key, value in node.items()}
        return node

    return json.loads(json.dumps(plain(tree), allow_nan=False))


def blank(tensor: onnx.TensorProto) -> onnx.TensorProto:
    """A tensor with the same name, type and dims as ``tensor`` and no payload (what decode receives)."""
    return onnx.TensorProto(name=tensor.name, data_type=tensor.data_type, dims=tensor.dims)

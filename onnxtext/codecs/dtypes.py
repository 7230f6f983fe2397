"""The 28 ONNX tensor element types, as the document names them.

Everything here is read from ONNX's own tables (``onnx.helper.tensor_dtype_to_np_dtype``,
``tensor_dtype_to_field``) and from ``ml_dtypes``' ``finfo``/``iinfo``, so a new ONNX release
cannot silently disagree with a hand-written copy.  Only the short names are ours: the ONNX enum
name in lower case, except ``FLOAT``/``DOUBLE`` which the document calls ``float32``/``float64``.
"""

from __future__ import annotations

import dataclasses
import difflib
from typing import Literal

import ml_dtypes
import numpy as np
import onnx
from onnx import helper

Kind = Literal["float", "int", "bool", "complex", "string"]

_RENAMED = {"FLOAT": "float32", "DOUBLE": "float64"}


@dataclasses.dataclass(frozen=True)
class DType:
    """One tensor element type.

    ``bits`` is the element width as ONNX packs it in ``raw_data`` (4 for int4, 6 for float6, 0 for
    string); ``field`` is the typed field ONNX stores it in when ``raw_data`` is not used.
    """

    onnx: int
    name: str
    numpy: np.dtype
    bits: int
    field: str
    kind: Kind

    @property
    def packed(self) -> bool:
        """True for the sub-byte types that ONNX packs several to a byte (int4, float6, ...)."""
        return 0 < self.bits < 8


def _kind(code: int, name: str) -> Kind:
    if code == onnx.TensorProto.STRING:
        return "string"
    if code == onnx.TensorProto.BOOL:
        return "bool"
    if name.startswith("complex"):
        return "complex"
    if name.startswith(("float", "bfloat")):
        return "float"
    return "int"


def _bits(np_dtype: np.dtype, kind: Kind) -> int:
    if kind == "string":
        return 0
    if kind == "float":
        return int(ml_dtypes.finfo(np_dtype).bits)
    if kind == "int":
        return int(ml_dtypes.iinfo(np_dtype).bits)
    return np_dtype.itemsize * 8


def _make(code: int) -> DType:
    onnx_name = onnx.TensorProto.DataType.Name(code)
    name = _RENAMED.get(onnx_name, onnx_name.lower())
    np_dtype = np.dtype(helper.tensor_dtype_to_np_dtype(code))
    kind = _kind(code, name)
    return DType(code, name, np_dtype, _bits(np_dtype, kind), helper.tensor_dtype_to_field(code), kind)


DTYPES: tuple[DType, ...] = tuple(
    _make(code) for code in sorted(onnx.TensorProto.DataType.values()) if code != onnx.TensorProto.UNDEFINED
)
DTYPE_NAMES: tuple[str, ...] = tuple(dt.name for dt in DTYPES)

_BY_ONNX = {dt.onnx: dt for dt in DTYPES}
_BY_NAME = {dt.name: dt for dt in DTYPES}


def dtype_by_onnx(code: int) -> DType | None:
    """The element type with ONNX enum value ``code``; None for UNDEFINED and unknown codes."""
    return _BY_ONNX.get(code)


def dtype_by_name(name: str) -> DType | None:
    """The element type the document calls ``name`` (``float32``, ``int4``, ...); None if unknown."""
    return _BY_NAME.get(name)


def dtype_hint(name: object) -> str:
    """The fix hint for an unknown element type ``name``: the closest known name, else a few examples."""
    close = difflib.get_close_matches(name.lower(), DTYPE_NAMES, n=1) if isinstance(name, str) else []
    return f"did you mean {close[0]!r}?" if close else "e.g. float32, int64, float16, bool, string"

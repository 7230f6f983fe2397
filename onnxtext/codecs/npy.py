"""``.npy`` sidecars: big ``raw_data`` payloads in files beside the document.

A sidecar holds the tensor's elements with the tensor's shape, so ``numpy.load`` gives the tensor.
The container dtype is the element type itself where ``.npy`` can describe it, and otherwise an
exact stand-in (numpy writes ml_dtypes types as opaque ``|V2``/``|V1``, which nothing reads back):

============================================  ========  =========================================
ONNX type                                     .npy      element
============================================  ========  =========================================
float16/32/64, [u]int8..64, bool, complex     native    little-endian, as numpy writes it
bfloat16                                      ``<u2``   bit pattern (``.view(ml_dtypes.bfloat16)``)
float8e4m3fn, e4m3fnuz, e5m2, e5m2fnuz, e8m0  ``|u1``   bit pattern (``.view(ml_dtypes.float8_*)``)
float4e2m1, float6e2m3, float6e3m2            ``|u1``   code in the low bits, one per byte (unpacked)
int4, int2                                    ``|i1``   the value, one per byte (unpacked)
uint4, uint2                                  ``|u1``   the value, one per byte (unpacked)
============================================  ========  =========================================

Byte-aligned payloads are streamed to the file as they are (header from ``numpy.lib.format``, then
the bytes).  Sub-byte payloads are unpacked with ONNX's rules and packed again on reading, so they
are only written when that is exact (:func:`sidecar_holds`): padding bits must be zero.

The sha256 written beside a reference is always of the ``raw_data`` bytes, not of the file.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from pathlib import Path as FsPath
from pathlib import PurePosixPath

import ml_dtypes
import numpy as np
from numpy.lib import format as npy_format

from onnxtext.codecs.digest import sha256_while
from onnxtext.codecs.dtypes import DType
from onnxtext.codecs.inline import type_text
from onnxtext.codecs.storage import elements_from_raw, packed_size, raw_from_elements
from onnxtext.errors import OnnxTextError
from onnxtext.paths import Path

_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{dev}{i}" for dev in ("COM", "LPT") for i in range(10)]
)
_STEM_MAX = 80
_REFERENCE_HINT = (
    "a sidecar reference is a relative path inside the document's folder, like model.tensors/w.npy"
)


@functools.cache
def container_dtype(dtype: DType) -> np.dtype:
    """The ``.npy`` dtype that stores elements of ``dtype`` (see the module table)."""
    if dtype.kind != "string" and _npy_native(dtype.numpy):
        return dtype.numpy.newbyteorder("<")
    if dtype.kind == "int":
        return np.dtype("i1" if ml_dtypes.iinfo(dtype.numpy).min < 0 else "u1")
    return np.dtype(f"<u{dtype.numpy.itemsize}")


def _npy_native(dtype: np.dtype) -> bool:
    """True when a .npy header can name ``dtype`` (not so for ml_dtypes, whatever their ``kind``)."""
    try:
        return npy_format.descr_to_dtype(npy_format.dtype_to_descr(dtype)) == dtype
    except TypeError:
        return False


def sidecar_holds(data: bytes | memoryview, dtype: DType, shape: Sequence[int]) -> bool:
    """True when ``data`` (a ``raw_data`` payload) survives a trip through a sidecar unchanged."""
    return _to_container(data, dtype, shape) is not None


def _to_container(data: bytes | memoryview, dtype: DType, shape: Sequence[int]) -> np.ndarray | None:
    if dtype.kind == "string" or any(d < 0 for d in shape):
        return None
    count = math.prod(shape)
    if not dtype.packed:
        if len(data) != packed_size(dtype, count):
            return None
        return np.frombuffer(data, dtype=container_dtype(dtype)).reshape(shape)
    elements = elements_from_raw(bytes(data), dtype, count)
    if elements is None or raw_from_elements(elements, dtype) != data:
        return None
    store = container_dtype(dtype)
    codes = elements.astype(store) if dtype.kind == "int" else elements.view(store)
    return codes.reshape(shape)


def _from_container(array: np.ndarray, dtype: DType, reference: str, path: Path) -> bytes | memoryview:
    if not dtype.packed:
        return array.reshape(-1).view(np.uint8).data
    if dtype.kind == "int":
        info = ml_dtypes.iinfo(dtype.numpy)
        low, high = int(info.min), int(info.max)
    else:
        low, high = 0, (1 << dtype.bits) - 1
    flat = array.reshape(-1)
    bad = np.flatnonzero((flat < low) | (flat > high))
    if bad.size:
        i = int(bad[0])
        raise OnnxTextError(
            "E301",
            f"{reference} element {i} is {flat[i]}, which does not fit {dtype.name}",
            path=path,
            hint=f"{dtype.name} sidecars hold one value from {low} to {high} per byte",
        )
    elements = flat.astype(dtype.numpy) if dtype.kind == "int" else flat.view(dtype.numpy)
    return raw_from_elements(elements, dtype)


class SidecarWriter:
    """Writes sidecars into ``folder`` (created on the first write), referenced as ``prefix/<file>``.

    File names come from the tensor name, made safe for Windows, macOS and Linux; clashes
    (case-insensitive too) get ``-2``, ``-3``, ... in write order, so the same model gives the same
    files.  A payload already written (same digest, type and shape) is not written again.
    """

    def __init__(self, folder: FsPath, prefix: str) -> None:
        self.folder = folder
        self.prefix = prefix
        self._taken: set[str] = set()
        self._written: dict[tuple[str, int, tuple[int, ...]], str] = {}

    def write(
        self, name_hint: str, data: bytes | memoryview, dtype: DType, shape: tuple[int, ...]
    ) -> tuple[str, str]:
        """Store ``data`` (a ``raw_data`` payload); return (reference, sha256 hex of ``data``).

        Raises ValueError when the payload cannot be stored exactly (check :func:`sidecar_holds`).
        """
        array = _to_container(data, dtype, shape)
        if array is None:
            raise ValueError(
                f"a {len(data)}-byte payload cannot be stored exactly as {type_text(dtype, shape)}"
            )
        filename = self._claim(name_hint)
        path = self.folder / filename
        # The file is written while its digest is computed; a payload stored already is then undone.
        digest, _ = sha256_while(
            data, lambda: self._store(path, array, data if not dtype.packed else array.data)
        )
        key = (digest, dtype.onnx, tuple(shape))
        if key in self._written:
            path.unlink()
            self._taken.discard(filename.lower())
            return self._written[key], digest
        reference = f"{self.prefix}/{filename}" if self.prefix else filename
        self._written[key] = reference
        return reference, digest

    def _store(self, path: FsPath, array: np.ndarray, data: bytes | memoryview) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as out:
            _write_header(out, array)
            out.write(data)

    def _claim(self, name_hint: str) -> str:
        stem = safe_stem(name_hint)
        candidate, n = f"{stem}.npy", 1
        while candidate.lower() in self._taken:
            n += 1
            candidate = f"{stem}-{n}.npy"
        self._taken.add(candidate.lower())
        return candidate


def safe_stem(name: str) -> str:
    """A file name stem for a tensor name: ``[A-Za-z0-9._-]`` only, no leading dot, no device name."""
    stem = _UNSAFE_CHARS.sub("_", name).lstrip(".-")[:_STEM_MAX].rstrip(".") or "tensor"
    return f"_{stem}" if stem.split(".")[0].upper() in _RESERVED else stem


def _write_header(out: object, array: np.ndarray) -> None:
    header = {"descr": npy_format.dtype_to_descr(array.dtype), "fortran_order": False, "shape": array.shape}
    try:
        npy_format.write_array_header_1_0(out, header)
    except ValueError:  # a header past 64 KiB (absurdly many dims) needs format 2.0
        npy_format.write_array_header_2_0(out, header)


class SidecarReader:
    """Reads sidecars referenced from a document in ``doc_dir``; never outside that folder."""

    def __init__(self, doc_dir: FsPath) -> None:
        self.doc_dir = doc_dir

    def read(self, reference: str, dtype: DType, shape: Sequence[int], path: Path) -> bytes | memoryview:
        """The ``raw_data`` payload stored in ``reference`` for a tensor of ``dtype`` and ``shape``."""
        file = self._resolve(reference, path)
        try:
            array = np.load(file, mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError) as err:
            raise OnnxTextError(
                "E303",
                f"cannot read sidecar {reference}: {err}",
                path=path,
                hint=f"expected a .npy file at {file}",
            ) from None
        if not isinstance(array, np.ndarray):
            raise OnnxTextError(
                "E303",
                f"sidecar {reference} is not a .npy file",
                path=path,
                hint=f"expected a .npy file at {file}",
            )
        store = container_dtype(dtype)
        if array.dtype.newbyteorder("<") != store or array.shape != tuple(shape):
            found = f"{npy_format.dtype_to_descr(array.dtype)} {list(array.shape)}"
            raise OnnxTextError(
                "E306",
                f"sidecar {reference} holds {found}, expected {store.str} {list(shape)} "
                f"for {type_text(dtype, shape)}",
                path=path,
                hint=f"save the array as {store.str} with shape {tuple(shape)}, or fix the tensor's type",
            )
        return _from_container(np.ascontiguousarray(array, dtype=store), dtype, reference, path)

    def _resolve(self, reference: object, path: Path) -> FsPath:
        if not isinstance(reference, str):
            raise OnnxTextError(
                "E202", f"npy must be a relative path, got {type(reference).__name__}", path=path
            )
        pure = PurePosixPath(reference)
        unsafe = (
            not reference or pure.is_absolute() or "\\" in reference or ":" in reference or "\0" in reference
        )
        base = self.doc_dir.resolve()
        file = (base / reference).resolve() if not unsafe else base
        if unsafe or not file.is_relative_to(base):
            raise OnnxTextError(
                "E305", f"unsafe sidecar reference {reference!r}", path=path, hint=_REFERENCE_HINT
            )
        if not file.is_file():
            raise OnnxTextError(
                "E303",
                f"sidecar {reference} not found",
                path=path,
                hint=f"expected the file {file} (dumped beside the document)",
            )
        return file

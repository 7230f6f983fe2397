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

A reader made with ``splice=True`` (``build``) leaves big byte-aligned payloads in their files: the
tensor gets no ``raw_data``, and :attr:`SidecarReader.slices` says where its bytes are, for
:func:`onnxtext.roundtrip.save.write_model` to copy them straight into the model file, checking
their sha256 on the way (each byte read once, written once, never held whole in memory).
"""

from __future__ import annotations

import dataclasses
import functools
import io
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path as FsPath
from pathlib import PurePosixPath
from typing import Any, BinaryIO

import ml_dtypes
import numpy as np
from numpy.lib import format as npy_format

from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import Path
from onnxtext.codecs.digest import check_digest, copy_hashed, sha256_hex, sha256_while
from onnxtext.codecs.dtypes import DType
from onnxtext.codecs.inline import type_text
from onnxtext.codecs.storage import elements_from_raw, packed_size, raw_from_elements

NAME_DIGITS = 16  # hex digits of the payload's sha256 that name its sidecar
_SCRATCH = ".incoming.npy"  # the sidecar being written, before its digest names it
SPLICE_MIN_BYTES = 1 << 20  # smaller payloads are read into the tensor: a splice per file costs more
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

    It also hands the encoder the payloads a lean read left in the model file (:meth:`raw_data_of`).

    A sidecar is named by its content, ``<first 16 hex digits of the payload's sha256>.npy``, never
    by its tensor: the tensor's name is then written once in the document, so a regex over names
    cannot reach a path, and identical payloads share a file.  The rare second file of one digest
    prefix (the same bytes as another type or shape, or a prefix collision) gets ``-2``, ``-3``, ...
    in write order, so the same model gives the same files.
    """

    def __init__(
        self, folder: FsPath, prefix: str, left_in_file: Mapping[int, tuple[Any, memoryview]] | None = None
    ) -> None:
        self.folder = folder
        self.prefix = prefix
        self.left_in_file = dict(left_in_file or {})
        self._taken: set[str] = set()
        self._written: dict[tuple[str, int, tuple[int, ...]], str] = {}

    def raw_data_of(self, tensor: object) -> memoryview | None:
        """The ``raw_data`` of ``tensor`` when the model was read without it (``left_in_file``:
        id(tensor) -> (tensor, the bytes in the mapped model file); see ``roundtrip.lean``).

        Each is handed out once; :meth:`check_all_taken` then proves that none was missed.
        """
        entry = self.left_in_file.pop(id(tensor), None)
        return None if entry is None else entry[1]

    def check_all_taken(self) -> None:
        """Fail loudly (a bug, not bad input) if a tensor read without its bytes was not encoded."""
        if self.left_in_file:
            names = ", ".join(str(tensor.name) for tensor, _ in self.left_in_file.values())
            raise RuntimeError(f"weights left in the model file were never encoded: {names}")

    def write(self, data: bytes | memoryview, dtype: DType, shape: tuple[int, ...]) -> tuple[str, str]:
        """Store ``data`` (a ``raw_data`` payload); return (reference, sha256 hex of ``data``).

        Raises ValueError when the payload cannot be stored exactly (check :func:`sidecar_holds`).
        """
        array = _to_container(data, dtype, shape)
        if array is None:
            raise ValueError(
                f"a {len(data)}-byte payload cannot be stored exactly as {type_text(dtype, shape)}"
            )
        # The file is written under a scratch name while its digest is computed (the name needs the
        # digest), then renamed; a payload stored already is undone.
        scratch = self.folder / _SCRATCH
        digest, _ = sha256_while(
            data, lambda: self._store(scratch, array, data if not dtype.packed else array.data)
        )
        key = (digest, dtype.onnx, tuple(shape))
        if key in self._written:
            scratch.unlink()
            return self._written[key], digest
        filename = self._claim(digest)
        os.replace(scratch, self.folder / filename)
        reference = f"{self.prefix}/{filename}" if self.prefix else filename
        self._written[key] = reference
        return reference, digest

    def _store(self, path: FsPath, array: np.ndarray, data: bytes | memoryview) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as out:
            _write_header(out, array)
            out.write(data)

    def _claim(self, digest: str) -> str:
        stem = digest[:NAME_DIGITS]
        candidate, n = f"{stem}.npy", 1
        while candidate in self._taken:
            n += 1
            candidate = f"{stem}-{n}.npy"
        self._taken.add(candidate)
        return candidate


def _write_header(out: object, array: np.ndarray) -> None:
    header = {"descr": npy_format.dtype_to_descr(array.dtype), "fortran_order": False, "shape": array.shape}
    try:
        npy_format.write_array_header_1_0(out, header)
    except ValueError:  # a header past 64 KiB (absurdly many dims) needs format 2.0
        npy_format.write_array_header_2_0(out, header)


@dataclasses.dataclass(frozen=True)
class SidecarSlice:
    """A tensor's ``raw_data`` left in its sidecar: ``size`` bytes at ``offset`` of ``file``.

    ``path`` is the tensor's place in the document; ``sha256`` the digest written beside the reference
    (None when there is none), checked on the bytes as they are copied.
    """

    file: FsPath
    offset: int
    size: int
    reference: str
    sha256: str | None
    path: Path

    def write_to(self, out: BinaryIO) -> None:
        """Copy the payload to ``out``: E303 if the file was cut short, E304 if it changed since the dump."""
        with open(self.file, "rb", buffering=0) as source:
            source.seek(self.offset)
            actual = copy_hashed(source, out, self.size)
        if actual is None:
            raise OnnxTextError(
                "E303",
                f"sidecar {self.reference} is shorter than its header says",
                path=(*self.path, "npy"),
                hint="the file was cut short while the model was being built; dump the model again",
            )
        if self.sha256 is not None:
            check_digest(self.sha256, actual, self.reference, (*self.path, "sha256"))

    def read(self) -> bytes:
        """The payload itself, checked as :meth:`write_to` checks it."""
        out = io.BytesIO()
        self.write_to(out)
        return out.getvalue()


class SidecarReader:
    """Reads sidecars referenced from a document in ``doc_dir``; never outside that folder.

    A reference whose file is missing is looked for by the sha256 the document holds beside it, in
    the folder the reference names: first the file named by that digest (what ``dump`` writes),
    then every ``.npy`` file of the tensor's type and shape there.  The digest proves the bytes,
    so a reference that a regex rewrote (documents dumped before sidecars were named by their
    content were named after their tensors) still builds the same model.

    With ``splice``, :meth:`defer` leaves big payloads in their files (see the module docstring).
    """

    def __init__(self, doc_dir: FsPath, *, splice: bool = False) -> None:
        self.doc_dir = doc_dir
        self.splice = splice
        self.slices: dict[int, tuple[Any, SidecarSlice]] = {}  # id(tensor) -> (tensor, where its bytes are)
        self._digests: dict[FsPath, str | None] = {}  # file -> sha256 of its payload (searches only)

    def read(
        self, reference: str, dtype: DType, shape: Sequence[int], sha256: str | None, path: Path
    ) -> bytes | memoryview:
        """The ``raw_data`` payload stored in ``reference`` for a tensor of ``dtype`` and ``shape``.

        ``sha256`` (the digest written beside the reference, or None) finds a missing file; the
        caller checks it on the bytes.
        """
        file = self._resolve(reference, dtype, shape, sha256, path)
        return _load(file, reference, dtype, shape, path)

    def defer(
        self,
        tensor: object,
        reference: str,
        dtype: DType,
        shape: Sequence[int],
        sha256: str | None,
        path: Path,
    ) -> bool:
        """Record ``tensor``'s payload in :attr:`slices` instead of reading it; False to have it read.

        Only a splicing reader defers, and only a big payload whose file holds exactly its
        ``raw_data`` bytes (the element type itself, little-endian, C order); anything else, a
        malformed file included, is left to :meth:`read`, which converts it or says what is wrong.
        ``path`` is the tensor's path in the document.
        """
        if not self.splice or dtype.packed or dtype.kind == "string" or any(d < 0 for d in shape):
            return False
        size = packed_size(dtype, math.prod(shape))
        if size < SPLICE_MIN_BYTES:
            return False
        file = self._resolve(reference, dtype, shape, sha256, (*path, "npy"))
        header = _plain_header(file)
        if header is None or header[:2] != (container_dtype(dtype), tuple(shape)):
            return False
        offset = header[2]
        if os.stat(file).st_size < offset + size:
            return False
        self.slices[id(tensor)] = (tensor, SidecarSlice(file, offset, size, reference, sha256, path))
        return True

    def _resolve(
        self, reference: object, dtype: DType, shape: Sequence[int], sha256: str | None, path: Path
    ) -> FsPath:
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
        if file.is_file():
            return file
        found = self._find(file.parent, dtype, tuple(shape), sha256) if isinstance(sha256, str) else None
        if found is not None:
            return found
        folder = PurePosixPath(reference).parent
        if isinstance(sha256, str):
            hint = (
                f"no .npy file in {folder}/ holds the bytes of the sha256 written beside it "
                f"({sha256.strip()[:NAME_DIGITS]}...): dump the model again, or point npy: at the "
                "file that holds this tensor"
            )
        else:
            hint = f"expected the file {file}: dump the model again, or point npy: at the file that holds it"
        raise OnnxTextError("E303", f"sidecar {reference} not found", path=path, hint=hint)

    def _find(self, folder: FsPath, dtype: DType, shape: tuple[int, ...], sha256: str) -> FsPath | None:
        """The ``.npy`` file in ``folder`` whose payload, read as ``dtype`` and ``shape``, has ``sha256``."""
        if not folder.is_dir():
            return None
        wanted = sha256.strip().lower()
        named = sorted(folder.glob(f"{wanted[:NAME_DIGITS]}*.npy"))
        rest = sorted(set(folder.glob("*.npy")).difference(named))
        store = container_dtype(dtype)
        for file in [*named, *rest]:
            header = _plain_header(file) if file.is_file() else None
            if header is None or header[0].newbyteorder("<") != store or header[1] != shape:
                continue
            if file not in self._digests:
                try:
                    self._digests[file] = sha256_hex(_load(file, file.name, dtype, shape, ()))
                except OnnxTextError:
                    self._digests[file] = None
            if self._digests[file] == wanted:
                return file
        return None


def _load(file: FsPath, reference: str, dtype: DType, shape: Sequence[int], path: Path) -> bytes | memoryview:
    """The ``raw_data`` payload of the sidecar ``file`` for a tensor of ``dtype`` and ``shape``."""
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


def _plain_header(file: FsPath) -> tuple[np.dtype, tuple[int, ...], int] | None:
    """(dtype, shape, where the data starts) of a C-order ``.npy`` file (format 1.0 or 2.0), else None."""
    with open(file, "rb") as f:
        try:
            version = npy_format.read_magic(f)
            read_header = {(1, 0): npy_format.read_array_header_1_0, (2, 0): npy_format.read_array_header_2_0}
            if version not in read_header:
                return None
            shape, fortran_order, dtype = read_header[version](f)
        except ValueError:
            return None
        return None if fortran_order else (dtype, tuple(shape), f.tell())

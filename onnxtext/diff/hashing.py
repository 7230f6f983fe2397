"""Bytes that say two tensors (or two files) are the same, read once.

Tensors are compared by their serialized bytes.  When the two models' external data lives in
different folders, equal references (``m.data`` at offset 0) say nothing: such a tensor's key also
holds the SHA-256 of the bytes it refers to, read once per file state (pairing and comparing ask
for it more than once; the file's mtime and size are part of the cache key).
"""

from __future__ import annotations

import functools
import hashlib
import stat
from pathlib import Path as FsPath

from onnx import TensorProto
from onnx.external_data_helper import ExternalDataInfo


def same_bytes(a: FsPath, b: FsPath) -> bool:
    """Identical files are the same model, whatever they hold (one cheap look before any parsing).

    Only regular files are read twice: a pipe (``<(git show ...)``) is read once, by the parser.
    """
    try:
        first, second = a.stat(), b.stat()
        if not (stat.S_ISREG(first.st_mode) and stat.S_ISREG(second.st_mode)):
            return False
        if first.st_size != second.st_size:
            return False
        with open(a, "rb") as fa, open(b, "rb") as fb:
            while True:
                chunk = fa.read(1 << 20)
                if chunk != fb.read(1 << 20):
                    return False
                if not chunk:
                    return True
    except OSError:
        return False  # reading reports it properly


def tensor_key(tensor: TensorProto, data_dir: FsPath | None) -> bytes:
    """The tensor's bytes; with ``data_dir``, an external tensor's also hold the digest of its data."""
    serialized = tensor.SerializeToString()
    if data_dir is None or tensor.data_location != TensorProto.EXTERNAL:
        return serialized
    return serialized + _external_digest(tensor, data_dir)


def content_key(tensor: TensorProto, data_dir: FsPath | None = None) -> bytes:
    """The tensor without its name: what a renamed tensor keeps (see :func:`tensor_key`)."""
    anonymous = TensorProto()
    anonymous.CopyFrom(tensor)
    anonymous.ClearField("name")
    return tensor_key(anonymous, data_dir)


def _external_digest(tensor: TensorProto, data_dir: FsPath) -> bytes:
    """SHA-256 of the bytes an external tensor refers to; ``unreadable`` when they cannot be read
    (comparing the values then reports the tensor as changed, not comparable)."""
    try:
        info = ExternalDataInfo(tensor)
        path = data_dir / info.location
        state = path.stat()
        return _file_digest(path, info.offset or 0, info.length or -1, state.st_mtime_ns, state.st_size)
    except (OSError, ValueError):  # a missing file, a malformed offset or length
        return b"unreadable"


@functools.lru_cache(maxsize=4096)
def _file_digest(path: FsPath, offset: int, length: int, mtime_ns: int, size: int) -> bytes:
    """SHA-256 of ``length`` bytes (-1: to the end) of ``path`` at ``offset``."""
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        data.seek(offset)
        left = length if length >= 0 else size
        while left > 0:
            chunk = data.read(min(1 << 22, left))
            if not chunk:
                break
            digest.update(chunk)
            left -= len(chunk)
    return digest.digest()

"""SHA-256 of sidecar payloads, computed beside the copy or write of the same bytes.

``hashlib`` releases the GIL while it hashes a big buffer, and so does writing a file, so the digest
of a large payload costs almost nothing when a worker thread computes it while the caller moves the
bytes.  Small payloads are hashed in line (a thread hand-off would cost more than it saves).

A sidecar's digest is checked on the very bytes that go on (copied into the model, or written to its
file by :func:`copy_hashed`): one read of the file, no window in which it could change unseen.
"""

from __future__ import annotations

import concurrent.futures
import functools
import hashlib
from collections.abc import Callable
from typing import BinaryIO, TypeVar

from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import Path

T = TypeVar("T")
PARALLEL_MIN_BYTES = 1 << 20
CHUNK_BYTES = 1 << 23  # 8 MiB: big enough that a hand-off per chunk costs nothing, small for memory


def sha256_hex(data: bytes | memoryview) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.cache
def _worker() -> concurrent.futures.ThreadPoolExecutor:
    return concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="onnxtext-sha256")


def sha256_while(data: bytes | memoryview, work: Callable[[], T]) -> tuple[str, T]:
    """(sha256 hex of ``data``, ``work()``), the two running at once when ``data`` is big."""
    if len(data) < PARALLEL_MIN_BYTES:
        return sha256_hex(data), work()
    digest = _worker().submit(sha256_hex, data)
    try:
        result = work()
    finally:
        hexdigest = digest.result()
    return hexdigest, result


def copy_hashed(source: BinaryIO, out: BinaryIO, size: int) -> str | None:
    """Copy ``size`` bytes from ``source`` (at its position) to ``out``; the sha256 hex of those bytes.

    Chunks are read into two reused buffers: while ``out`` takes one chunk, the worker thread hashes
    it, and the next one is read meanwhile.  None when ``source`` ends before ``size`` bytes.
    """
    digest = hashlib.sha256()
    buffers = [memoryview(bytearray(min(size, CHUNK_BYTES))) for _ in range(2 if size > CHUNK_BYTES else 1)]
    pending: concurrent.futures.Future[None] | None = None
    done = 0
    try:
        while done < size:
            buffer = buffers[(done // CHUNK_BYTES) % len(buffers)][: min(CHUNK_BYTES, size - done)]
            if source.readinto(buffer) != len(buffer):  # type: ignore[attr-defined]
                return None
            if pending is not None:
                pending.result()  # the other buffer is hashed: ``digest`` takes chunks in order
            pending = _worker().submit(digest.update, buffer) if size >= PARALLEL_MIN_BYTES else None
            if pending is None:
                digest.update(buffer)
            out.write(buffer)
            done += len(buffer)
    finally:
        if pending is not None:
            pending.result()
    return digest.hexdigest()


def check_digest(expected: str, actual: str, reference: str, path: Path) -> None:
    """E304 unless ``actual`` (a sha256 hex) is the ``expected`` one written beside ``reference``."""
    if expected.strip().lower() != actual:
        raise OnnxTextError(
            "E304",
            f"sidecar {reference} does not match its sha256",
            path=path,
            hint=f"the file changed since the dump: to build with its bytes, write sha256: {actual} "
            "in the tensor's mapping (or remove its sha256 key); to get the dumped weights back, dump "
            "the model again",
        )

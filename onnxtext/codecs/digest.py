"""SHA-256 of sidecar payloads, computed beside the copy or write of the same bytes.

``hashlib`` releases the GIL while it hashes a big buffer, and so does writing a file, so the digest
of a large payload costs almost nothing when a worker thread computes it while the caller moves the
bytes.  Small payloads are hashed in line (a thread hand-off would cost more than it saves).
"""

from __future__ import annotations

import concurrent.futures
import functools
import hashlib
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
PARALLEL_MIN_BYTES = 1 << 20


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

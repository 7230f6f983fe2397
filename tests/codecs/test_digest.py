"""copy_hashed copies and hashes the same bytes in one pass, chunk by chunk, in order."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from onnxtext.codecs import digest


@pytest.mark.parametrize("size", [0, 1, 999, 1000, 1001, 4096, 10_007])
@pytest.mark.parametrize("parallel", [False, True])
def test_copy_hashed_copies_and_hashes_every_byte(
    monkeypatch: pytest.MonkeyPatch, size: int, parallel: bool
) -> None:
    monkeypatch.setattr(digest, "CHUNK_BYTES", 1000)
    monkeypatch.setattr(digest, "PARALLEL_MIN_BYTES", 0 if parallel else 1 << 40)
    data = os.urandom(size)
    source = io.BytesIO(b"head" + data + b"tail")
    source.seek(4)
    out = io.BytesIO()
    assert digest.copy_hashed(source, out, size) == hashlib.sha256(data).hexdigest()
    assert out.getvalue() == data


def test_copy_hashed_says_when_the_source_is_short(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digest, "CHUNK_BYTES", 1000)
    assert digest.copy_hashed(io.BytesIO(b"x" * 2500), io.BytesIO(), 2501) is None

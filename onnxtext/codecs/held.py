"""Big payloads held out of a document's tree while it is written or read (``--tensors base64/inline``).

A 200 MB weight written as Base64 is a 270 MB Python string in the tree, and as numbers a list of
50 million Python floats (gigabytes); reading it back makes the same objects again.  While a
:class:`HeldPayloads` is active (:func:`holding`), a payload of at least ``min_bytes`` stands in the
tree as a *token*, a short plain string of its own:

* dump: :func:`hold` returns the token instead of the Base64 text or the number list, and keeps the
  payload's bytes (usually a view of the mapped model file); the writer
  (:mod:`onnxtext.roundtrip.stream`) replaces each token in the emitted text by the payload's text,
  made chunk by chunk.
* build: the reader replaced each big payload scalar of the text by a token and registered how to
  decode it; :func:`take` hands the decoder the payload's bytes, decoded chunk by chunk from the file.
  With a ``spool`` file, :func:`defer` decodes a ``raw_data`` payload into it instead, and records
  where (:attr:`HeldPayloads.slices`): the model writer copies it from there, as it copies sidecars,
  and the payload never enters the message.

Exactness is never traded: a payload the fast path cannot reproduce exactly is not held, and one it
finds it cannot read exactly raises :class:`NotHeld`, on which the caller does the whole job again
the ordinary way (which then reports any error at its line).
"""

from __future__ import annotations

import contextlib
import contextvars
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from onnxtext.codecs.dtypes import DType

HELD_MIN_BYTES = 1 << 20  # smaller payloads are written and read as part of the tree, as always
TOKEN_PREFIX = "onnxtext-held-"  # "-" is not Base64: a token read as a payload can never pass for one


class NotHeld(Exception):
    """The fast path cannot do this exactly: redo it the ordinary way."""


@dataclass(frozen=True)
class Held:
    """A payload held by :func:`hold`: ``form`` (``values`` or ``base64``) of the ``raw_data`` ``data``."""

    form: str
    data: bytes | memoryview
    dtype: DType


_COPY_CHUNK = 1 << 22


@dataclass(frozen=True)
class SpoolSlice:
    """A ``raw_data`` payload decoded into the build's spool: ``size`` bytes at ``offset``."""

    spool: IO[bytes]
    offset: int
    size: int

    def write_to(self, out: IO[bytes]) -> None:
        """Copy the payload to ``out`` (the spool is read from where it was written)."""
        self.spool.seek(self.offset)
        left = self.size
        while left:
            chunk = self.spool.read(min(left, _COPY_CHUNK))
            out.write(chunk)
            left -= len(chunk)
        self.spool.seek(0, 2)

    def read(self) -> bytes:
        self.spool.seek(self.offset)
        data = self.spool.read(self.size)
        self.spool.seek(0, 2)
        return data


# (form the document gives, element type, element count) -> the payload's bytes, chunk by chunk;
# NotHeld (while iterating) for a text the chunked reader cannot read exactly
Reader = Callable[[str, DType, int], Iterator[bytes]]


class HeldPayloads:
    """The tokens of one dump (``held``: token -> payload) or of one build (``readers``: token -> reader)."""

    def __init__(self, min_bytes: int | None = None, spool: IO[bytes] | None = None) -> None:
        self.min_bytes = HELD_MIN_BYTES if min_bytes is None else min_bytes
        self.held: dict[str, Held] = {}
        self.readers: dict[str, Reader] = {}
        self.spool = spool
        self.slices: dict[int, tuple[Any, SpoolSlice]] = {}  # id(tensor) -> (tensor, its raw_data)
        self.prefix = f"{TOKEN_PREFIX}{secrets.token_hex(8)}-"  # no document holds it by chance
        self._count = 0

    def new_token(self) -> str:
        """A token of its own: the prefix and a counter."""
        self._count += 1
        return f"{self.prefix}{self._count}"

    def check_all_taken(self) -> None:
        """NotHeld unless the decoder took every token as a whole payload (a token it did not take
        stood somewhere else in the text, e.g. inside a quoted string)."""
        if self.readers:
            raise NotHeld(f"{len(self.readers)} payloads were not taken as payloads")


_ACTIVE: contextvars.ContextVar[HeldPayloads | None] = contextvars.ContextVar("held_payloads", default=None)


@contextlib.contextmanager
def holding(payloads: HeldPayloads) -> Iterator[HeldPayloads]:
    """Make ``payloads`` the one :func:`hold` and :func:`take` use, for the block."""
    reset = _ACTIVE.set(payloads)
    try:
        yield payloads
    finally:
        _ACTIVE.reset(reset)


def would_hold(nbytes: int) -> bool:
    """Whether a payload of ``nbytes`` would be held (checked before any work to decide its form)."""
    payloads = _ACTIVE.get()
    return payloads is not None and nbytes >= payloads.min_bytes


def hold(form: str, data: bytes | memoryview, dtype: DType) -> str | None:
    """The token standing for ``data`` written as ``form``; None when nothing is active or it is small."""
    payloads = _ACTIVE.get()
    if payloads is None or len(data) < payloads.min_bytes:
        return None
    token = payloads.new_token()
    payloads.held[token] = Held(form, data, dtype)
    return token


def is_token(node: object) -> bool:
    """Whether ``node`` is a token of the active build (anything else is decoded as it is)."""
    payloads = _ACTIVE.get()
    return payloads is not None and type(node) is str and node in payloads.readers


def spooled_payloads() -> bool:
    """Whether the build under way left payloads in its spool (the model lacks their bytes)."""
    payloads = _ACTIVE.get()
    return payloads is not None and bool(payloads.slices)


def take(token: str, form: str, dtype: DType, count: int, expected: int) -> bytes:
    """The bytes of the payload ``token`` stands for (``count`` elements, ``expected`` bytes); NotHeld
    when they cannot be read exactly."""
    payloads = _ACTIVE.get()
    assert payloads is not None
    data = b"".join(payloads.readers.pop(token)(form, dtype, count))
    if len(data) != expected:
        raise NotHeld("not the size the tensor's type says")
    return data


def defer(token: str, tensor: object, form: str, dtype: DType, count: int, expected: int) -> bool:
    """Decode the payload into the spool and record where it is, for ``tensor``'s ``raw_data``; False
    (nothing done) when the build has no spool.  NotHeld as for :func:`take`."""
    payloads = _ACTIVE.get()
    assert payloads is not None
    spool = payloads.spool
    if spool is None:
        return False
    offset = spool.tell()
    for chunk in payloads.readers.pop(token)(form, dtype, count):
        spool.write(chunk)
    if spool.tell() - offset != expected:
        raise NotHeld("not the size the tensor's type says")
    payloads.slices[id(tensor)] = (tensor, SpoolSlice(spool, offset, expected))
    return True

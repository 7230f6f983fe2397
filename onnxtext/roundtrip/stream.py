"""Big payloads streamed between the model and the document text, never held as Python objects.

``dump --tensors base64|inline`` of a 200 MB model used to build a 270 MB Base64 string, or a list
of 50 million Python floats, in the tree, then the whole text in memory; ``build`` parsed it all
back.  With a :class:`~onnxtext.codecs.held.HeldPayloads` active, big payloads stand in the tree as
tokens, and this module does the rest:

* :func:`write_document` writes the emitted text with each token replaced by the payload's text,
  made chunk by chunk from the (mapped) payload: Base64 in chunks of a multiple of 3 bytes, numbers
  formatted exactly as the emitters format a ``values`` list (the same functions, on the same floats).
* :func:`thin_document` maps a document file, finds big payload scalars (a long Base64 run after
  ``base64:``, a long one-line list after ``values:``), and returns the text with each replaced by a
  token, plus a reader for each that decodes it chunk by chunk from the file when the decoder asks.
  Pages of the mapping are released once read, so the text never counts whole in the process's memory.

Anything the chunked reader is not sure to read exactly as the parser would raises
:class:`~onnxtext.codecs.held.NotHeld`: the caller builds the ordinary way.
"""

from __future__ import annotations

import binascii
import mmap
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path as FsPath
from typing import Any, BinaryIO

import numpy as np

from onnxtext.base.doctree import SAFE_INT
from onnxtext.base.errors import OnnxTextError
from onnxtext.codecs import DType
from onnxtext.codecs.b64 import base64_of, strict_base64
from onnxtext.codecs.floats import shortest_floats
from onnxtext.codecs.held import Held, HeldPayloads, NotHeld
from onnxtext.codecs.inline import from_values
from onnxtext.codecs.storage import raw_from_elements
from onnxtext.text import Format
from onnxtext.text.scalars import (
    finite_floats_text,
    float_text,
    json_float_text,
    json_int_text,
    resolve_plain,
)

_BASE64_CHUNK = 3 << 20  # bytes encoded at a time (a multiple of 3: no padding inside)
_TEXT_CHUNK = 4 << 20  # Base64 characters decoded at a time (a multiple of 4)
# characters of numbers read at a time: the list regex keeps state per item (memory grows with the chunk)
_NUMBERS_CHUNK = 1 << 19
_VALUES_CHUNK = 1 << 18  # elements formatted at a time
_WINDOW = 1 << 24  # bytes of the document searched at a time (pages behind are released)
_BASE64_RUN = re.compile(rb"[A-Za-z0-9+/=]*")
_NOT_NUMBER_LIKE = re.compile(rb"[g-wyzG-WYZ/]")  # a plain YAML scalar holding one is a string
_KEYS = {"yaml": (b"base64: ", b"values: ["), "json": (b'"base64": "', b'"values": [')}
_LOOKAHEAD = 1024  # a payload key is looked at only when this many payload characters follow it
_FOLLOWS = {"base64": rb"[A-Za-z0-9+/=]", "values": rb"[^\]\[\r\n]"}


# -- dump ----------------------------------------------------------------------------------------


def write_document(document: str, payloads: HeldPayloads, fmt: Format, out: BinaryIO) -> None:
    """Write ``document`` to ``out`` (UTF-8) with every token of ``payloads`` replaced by its payload.

    A token is written plain in YAML, as a string in JSON: a Base64 payload takes the token's place
    (inside the quotes), a ``values`` list the whole scalar's.
    """
    written = _token_places(document, payloads, fmt)
    pos = 0
    for start, end, held in written:
        out.write(document[pos:start].encode("utf-8"))
        chunks = _base64_chunks(held.data) if held.form == "base64" else _values_chunks(held, fmt)
        for chunk in chunks:
            out.write(chunk)
        pos = end
    out.write(document[pos:].encode("utf-8"))


def _token_places(document: str, payloads: HeldPayloads, fmt: Format) -> list[tuple[int, int, Held]]:
    """(start, end, payload) of each token in ``document``, in order; every token exactly once."""
    quote = '"' if fmt == "json" else ""
    places = []
    for match in re.finditer(f"{quote}({re.escape(payloads.prefix)}[0-9]+){quote}", document):
        held = payloads.held[match.group(1)]
        if held.form == "base64":
            places.append((match.start(1), match.end(1), held))
        else:
            places.append((match.start(), match.end(), held))
    if sorted(document[s:e].strip('"') for s, e, _ in places) != sorted(payloads.held):
        raise RuntimeError("a held payload's token is missing from the document, or written twice")
    return places


def _base64_chunks(data: bytes | memoryview) -> Iterator[bytes]:
    view = memoryview(data).cast("B")
    for i in range(0, len(view), _BASE64_CHUNK):
        yield base64_of(view[i : i + _BASE64_CHUNK])


def _values_chunks(held: Held, fmt: Format) -> Iterator[bytes]:
    """``[v, v, ...]`` as the emitters write the list :func:`~onnxtext.codecs.inline.to_values` gives
    (held only when that list needs no exactness check: integers, IEEE floats without NaN)."""
    elements = np.frombuffer(held.data, dtype=held.dtype.numpy)
    floats = held.dtype.kind == "float"
    if fmt == "json":
        number_text: Callable[[Any], str] = json_float_text if floats else json_int_text
    else:
        number_text = float_text if floats else str
    lead = b"["
    for i in range(0, elements.size, _VALUES_CHUNK):
        chunk = elements[i : i + _VALUES_CHUNK]
        if not floats:
            plain = fmt != "json" or bool(np.abs(chunk).max(initial=0) <= SAFE_INT)
            text = repr(chunk.tolist())[1:-1] if plain else ", ".join(map(number_text, chunk.tolist()))
        elif np.isfinite(chunk).all():
            text = finite_floats_text(shortest_floats(chunk).tolist(), yaml=fmt != "json")
        else:
            text = ", ".join(map(number_text, shortest_floats(chunk).tolist()))
        yield lead + text.encode("ascii")
        lead = b", "
    yield b"]"


# -- build ---------------------------------------------------------------------------------------


def thin_document(source: FsPath, fmt: Format, payloads: HeldPayloads) -> str | None:
    """The text of ``source`` with its big payload scalars replaced by tokens registered in ``payloads``
    (each with a reader from the file); None when it holds none, or is not UTF-8 text."""
    try:
        with open(source, "rb") as f:
            if os.fstat(f.fileno()).st_size < payloads.min_bytes:
                return None
            data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except OSError:  # reading it the ordinary way says what is wrong
        return None
    pieces: list[bytes] = []
    pos = 0
    for form, start, end in _payload_spans(data, fmt, payloads.min_bytes):
        token = payloads.new_token()
        reader = _Base64Span(data, start, end) if form == "base64" else _ValuesSpan(data, start, end, fmt)
        payloads.readers[token] = reader
        pieces += [data[pos:start], (f'"{token}"' if form == "values" and fmt == "json" else token).encode()]
        pos = end
    if not pieces:
        data.close()
        return None
    pieces.append(data[pos:])
    _release(data, 0, len(data))
    thinned = b"".join(pieces)
    if b"\r" in thinned:  # read_text's universal newlines would change the text: leave it to them
        payloads.readers.clear()
        return None
    try:
        return thinned.decode("utf-8")
    except UnicodeDecodeError:
        payloads.readers.clear()
        return None


def _payload_spans(data: mmap.mmap, fmt: Format, min_bytes: int) -> Iterator[tuple[str, int, int]]:
    """(form, start, end) of each big payload scalar: a Base64 run, or a one-line ``[...]``."""
    pos = 0
    for form, start in _candidates(data, fmt, min(min_bytes, _LOOKAHEAD)):
        if start < pos:  # inside the previous payload
            continue
        if form == "base64":
            end = _run_end(data, start, fmt)
            big = end - start >= min_bytes and (fmt == "json" or _NOT_NUMBER_LIKE.search(data, start, end))
        else:
            end = _list_end(data, start)
            big = end - start >= min_bytes
        _release(data, start, end)
        if big:
            yield form, start, end
            pos = end


def _candidates(data: mmap.mmap, fmt: Format, lookahead: int) -> list[tuple[str, int]]:
    """(form, where the scalar starts) after each payload key followed by ``lookahead`` payload
    characters, in order; the keys found with ``find`` window by window (a big graph has many small
    payloads: only the big ones take a step in Python, and the payloads' text is searched at the
    speed of ``memchr``, not of a regular expression)."""
    found = []
    size = len(data)
    for form, key in zip(("base64", "values"), _KEYS[fmt], strict=True):
        follows = re.compile(_FOLLOWS[form] + b"{%d}" % lookahead)
        for window in range(0, size, _WINDOW):
            stop = min(window + _WINDOW + len(key) - 1, size)  # a key that starts in this window
            hit = data.find(key, window, stop)
            while hit >= 0:
                if follows.match(data, hit + len(key)):
                    found.append((form, hit + len(key) - (form == "values")))  # a list starts at "["
                hit = data.find(key, hit + 1, stop)
            _release(data, window, window + _WINDOW)
    return sorted(found, key=lambda item: item[1])


def _list_end(data: mmap.mmap, start: int) -> int:
    """Just past the ``]`` closing the one-line, flat list at ``start``; ``start`` when it is not one."""
    pos, size = start + 1, len(data)
    while pos < size:
        stop = min(pos + _WINDOW, size)
        close = data.find(b"]", pos, stop)
        upto = stop if close < 0 else close
        if any(data.find(char, pos, upto) >= 0 for char in (b"[", b"\n", b"\r")):
            return start
        if close >= 0:
            return close + 1
        _release(data, pos, stop)
        pos = stop
    return start


def _run_end(data: mmap.mmap, start: int, fmt: Format) -> int:
    """Where the Base64 scalar starting at ``start`` ends (searched window by window): in YAML, at the
    first character that is not Base64; in JSON, at the closing quote (found by ``find``: a character
    before it that is not Base64 makes decoding refuse the span, see :class:`_Base64Span`)."""
    pos, size = start, len(data)
    while True:
        stop = min(pos + _WINDOW, size)
        if fmt == "json":
            quote = data.find(b'"', pos, stop)
            end = stop if quote < 0 else quote
        else:
            end = _BASE64_RUN.match(data, pos, stop).end()  # type: ignore[union-attr]
        if end < stop or stop == size:
            return end
        _release(data, pos, end)
        pos = end


def _release(data: mmap.mmap, start: int, end: int) -> None:
    """Drop the mapping's pages in [start, end) from the process (they stay in the page cache)."""
    first = start - start % mmap.PAGESIZE
    if end > first and hasattr(data, "madvise"):
        data.madvise(mmap.MADV_DONTNEED, first, end - first)


class _Base64Span:
    """A Base64 run in the mapped document, decoded chunk by chunk as ``base64.b64decode(validate=True)``
    would decode it whole (only Base64 characters, padding only at the very end; anything else is
    left to it)."""

    def __init__(self, data: mmap.mmap, start: int, end: int) -> None:
        self.data, self.start, self.end = data, start, end

    def __call__(self, form: str, dtype: DType, count: int) -> Iterator[bytes]:
        if form != "base64" or (self.end - self.start) % 4:
            raise NotHeld("not a whole Base64 text")
        for pos in range(self.start, self.end, _TEXT_CHUNK):
            chunk = self.data[pos : min(pos + _TEXT_CHUNK, self.end)]
            body = chunk.rstrip(b"=") if pos + _TEXT_CHUNK >= self.end else chunk
            if b"=" in body or len(chunk) - len(body) > 2:
                raise NotHeld("padding inside the Base64 text")
            try:
                yield strict_base64(chunk)
            except (binascii.Error, ValueError) as err:
                raise NotHeld(str(err)) from None
            _release(self.data, pos, pos + len(chunk))


# The forms of the numbers the dump writes (repr of floats, decimal ints), read here without the
# per-item resolution; any other item goes through the parser's own rules.
_FLOAT_FORM = {
    "yaml": rb"-?[0-9]+\.[0-9]*(?:[eE][-+]?[0-9]+)?|-?[0-9]+[eE][-+]?[0-9]+",
    "json": rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:[eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)",
}
_INT_FORM = {"yaml": rb"-?[0-9]+", "json": rb"-?(?:0|[1-9][0-9]*)"}
_ITEM = {"yaml": rb"[-+.0-9A-Za-z_]+", "json": rb'-?[0-9][-+.0-9eE]*|"[-+.0-9A-Za-z_]*"'}


def _list_of(item: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"(?:" + item + rb")(?:, (?:" + item + rb"))*")


_ALL_FLOATS = {fmt: _list_of(form) for fmt, form in _FLOAT_FORM.items()}
_ALL_INTS = {fmt: _list_of(form) for fmt, form in _INT_FORM.items()}
_ANY_ITEMS = {fmt: _list_of(form) for fmt, form in _ITEM.items()}
_JSON_NUMBER = re.compile(_INT_FORM["json"] + rb"|" + _FLOAT_FORM["json"])
_JSON_INT = re.compile(_INT_FORM["json"])


class _ValuesSpan:
    """A one-line ``[n, n, ...]`` in the mapped document, read chunk by chunk into ``raw_data``.

    Each chunk's items get the values the parser would give them (:func:`resolve_plain` for YAML,
    ``json.loads``'s rules for JSON), then go through :func:`from_values` as the whole list would: the
    same checks and conversions, element by element, so the bytes are the same.
    """

    def __init__(self, data: mmap.mmap, start: int, end: int, fmt: Format) -> None:
        self.data, self.start, self.end, self.fmt = data, start, end, fmt

    def __call__(self, form: str, dtype: DType, count: int) -> Iterator[bytes]:
        if form != "values" or dtype.packed or dtype.kind not in ("float", "int", "bool"):
            raise NotHeld(f"{dtype.name} numbers")
        seen = 0
        pos, stop = self.start + 1, self.end - 1
        while pos < stop:
            cut = stop if pos + _NUMBERS_CHUNK >= stop else self.data.find(b", ", pos + _NUMBERS_CHUNK, stop)
            cut = stop if cut < 0 else cut
            values = self._values(self.data[pos:cut])
            seen += len(values)
            if seen > count:
                raise NotHeld("more numbers than the tensor's type says")
            try:
                elements = from_values(values, dtype, (len(values),), ())
            except OnnxTextError as err:
                raise NotHeld(err.message) from None
            yield raw_from_elements(elements, dtype)
            _release(self.data, pos, cut)
            pos = cut + 2
        if seen != count:
            raise NotHeld("fewer numbers than the tensor's type says")

    def _values(self, text: bytes) -> list[Any]:
        items = text.split(b", ")
        if _ALL_FLOATS[self.fmt].fullmatch(text):
            return list(map(float, items))
        if _ALL_INTS[self.fmt].fullmatch(text):
            return list(map(int, items))
        if not _ANY_ITEMS[self.fmt].fullmatch(text):
            raise NotHeld("an item the chunked reader does not read")
        if self.fmt == "yaml":
            try:
                return [resolve_plain(item.decode("ascii")) for item in items]
            except ValueError as err:  # an integer of more than 4300 digits
                raise NotHeld(str(err)) from None
        return [_json_item(item) for item in items]


def _json_item(item: bytes) -> Any:
    if item.startswith(b'"'):
        return item[1:-1].decode("ascii")
    if _JSON_NUMBER.fullmatch(item) is None:
        raise NotHeld("not a JSON number")
    return int(item) if _JSON_INT.fullmatch(item) else float(item)

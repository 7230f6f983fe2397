"""Base64 and byte strings: the exact form for bytes that are not (or cannot be shown as) text.

Base64 is the standard alphabet with padding (RFC 4648 §4), decoded strictly so that a typo is an
error rather than silently different bytes.  Line breaks and spaces are tolerated (a hand-wrapped
block scalar), nothing else.

The work is pybase64's (SIMD), several times faster than the standard library: it writes what
``base64.b64encode`` writes and reads what ``binascii.a2b_base64(strict_mode=True)`` reads (which also
refuses padding past the end, ``9999=``).  Every Base64 of the package goes through
:func:`encode_base64`, :func:`base64_of` and :func:`strict_base64`.
"""

from __future__ import annotations

import binascii
import re

import pybase64

from onnxtext.base.errors import OnnxTextError
from onnxtext.base.paths import Path
from onnxtext.codecs.messages import kind

BASE64_KEY = "base64"
_SPACE = re.compile(r"[ \t\r\n]+")


def encode_base64(data: bytes | memoryview) -> str:
    """Standard Base64 (with padding) of ``data``."""
    return pybase64.b64encode_as_string(data)


def base64_of(data: bytes | memoryview) -> bytes:
    """Standard Base64 (with padding) of ``data``, as ASCII bytes (a text being written)."""
    return pybase64.b64encode(data)


def strict_base64(text: str | bytes | memoryview) -> bytes:
    """The bytes of standard Base64 with correct padding and nothing else (no spaces); raises
    binascii.Error (or ValueError for a str that is not ASCII) on anything else."""
    return pybase64.b64decode(text, validate=True)


def decode_base64(text: object, path: Path, expected_bytes: int | None = None) -> bytes:
    """The bytes of a Base64 string; E302 on anything but the standard alphabet with correct padding.

    ``expected_bytes`` (when the caller knows it) only improves the hint.
    """
    if not isinstance(text, str):
        raise OnnxTextError("E202", f"expected a Base64 string, got {kind(text)}", path=path)
    try:
        return strict_base64(text)
    except (binascii.Error, ValueError):
        pass
    compact = _SPACE.sub("", text)
    try:
        return strict_base64(compact)
    except (binascii.Error, ValueError) as err:
        raise OnnxTextError(
            "E302", f"bad Base64: {err}", path=path, hint=_hint(compact, expected_bytes)
        ) from None


def base64_node(node: object, path: Path) -> str | None:
    """The Base64 text of a ``{base64: ...}`` mapping; None when ``node`` is not a mapping."""
    if not isinstance(node, dict):
        return None
    extra = sorted(str(k) for k in node if k != BASE64_KEY)
    if extra:
        raise OnnxTextError(
            "E201",
            f"unknown key {extra[0]!r} beside base64",
            path=(*path, extra[0]),
            hint="a bytes value is either text or {base64: ...}",
        )
    if BASE64_KEY not in node:
        raise OnnxTextError(
            "E206", "missing key 'base64'", path=path, hint="write {base64: <standard Base64>}"
        )
    return node[BASE64_KEY]


def encode_bytes(data: bytes) -> str | dict[str, str]:
    """``data`` as text when it is valid UTF-8 (decoding and re-encoding is exact), else ``{base64: ...}``."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return {BASE64_KEY: encode_base64(data)}


def decode_bytes(node: object, path: Path) -> bytes:
    """Inverse of :func:`encode_bytes`: UTF-8 of a string, or the bytes of ``{base64: ...}``."""
    if isinstance(node, str):
        try:
            return node.encode("utf-8")
        except UnicodeEncodeError as err:
            raise OnnxTextError(
                "E202",
                f"string holds a lone surrogate at offset {err.start}",
                path=path,
                hint="write bytes that are not valid UTF-8 as {base64: ...}",
            ) from None
    text = base64_node(node, path)
    if text is None:
        raise OnnxTextError("E202", f"expected a string or {{base64: ...}}, got {kind(node)}", path=path)
    return decode_base64(text, (*path, BASE64_KEY))


def _hint(compact: str, expected_bytes: int | None) -> str:
    if expected_bytes is not None:
        chars = 4 * -(-expected_bytes // 3)
        return (
            f"expected {expected_bytes} bytes, i.e. {chars} Base64 characters; got {len(compact)} "
            "(A-Z a-z 0-9 + /, '=' padding)"
        )
    if len(compact) % 4:
        return f"Base64 text comes in groups of 4 characters; this has {len(compact)} (check the '=' padding)"
    return "use the standard alphabet A-Z a-z 0-9 + / with '=' padding"

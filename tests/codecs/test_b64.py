"""Bytes and Base64: text when UTF-8, strict Base64 otherwise."""

from __future__ import annotations

import base64
import binascii

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onnxtext.base.errors import OnnxTextError
from onnxtext.codecs import decode_base64, decode_bytes, encode_base64, encode_bytes
from onnxtext.codecs.b64 import base64_of, strict_base64


@given(st.binary(max_size=64))
def test_bytes_round_trip(data) -> None:
    assert decode_bytes(encode_bytes(data), ("s",)) == data
    assert decode_base64(encode_base64(data), ("s",)) == data


def test_text_when_utf8() -> None:
    assert encode_bytes("héllo".encode()) == "héllo"
    assert encode_bytes(b"\xff") == {"base64": "/w=="}


def test_line_breaks_are_tolerated() -> None:
    assert decode_base64("QUJD\nREVG\n", ()) == b"ABCDEF"


@pytest.mark.parametrize("text", ["AAA", "A===", "AA==AA==", "AB*=", "ÄÄÄÄ", "AA=A"])
def test_bad_base64(text) -> None:
    with pytest.raises(OnnxTextError) as caught:
        decode_base64(text, ("x",))
    assert (caught.value.code, caught.value.path) == ("E302", ("x",))
    assert caught.value.hint


def test_expected_length_hint() -> None:
    with pytest.raises(OnnxTextError) as caught:
        decode_base64("AAAAA", ("x",), expected_bytes=6)
    assert "expected 6 bytes, i.e. 8 Base64 characters; got 5" in caught.value.hint


@pytest.mark.parametrize(
    "node, code",
    [
        (1, "E202"),
        (None, "E202"),
        ({"b64": "x"}, "E201"),
        ({}, "E206"),
        ({"base64": "*"}, "E302"),
        ("\ud800", "E202"),
    ],
)
def test_bad_bytes_nodes(node, code) -> None:
    with pytest.raises(OnnxTextError) as caught:
        decode_bytes(node, ("s",))
    assert caught.value.code == code


def _stdlib(text: str | bytes) -> bytes | None:
    try:
        return binascii.a2b_base64(text, strict_mode=True)
    except (binascii.Error, ValueError):
        return None


def _ours(text: str | bytes) -> bytes | None:
    try:
        return strict_base64(text)
    except (binascii.Error, ValueError):
        return None


_NEAR_BASE64 = st.text(alphabet="AQgw/+9z=\n -_Ä*", max_size=24)


@given(st.one_of(_NEAR_BASE64, _NEAR_BASE64.map(lambda t: t.encode("utf-8"))))
def test_reads_what_the_standard_library_reads_and_refuses_what_it_refuses(text: str | bytes) -> None:
    """pybase64 does the work; a document must mean the same bytes as with the standard library's
    strict mode (which also refuses padding past the end: ``9999=``)."""
    assert _ours(text) == _stdlib(text)


@given(st.binary(max_size=100))
def test_writes_what_the_standard_library_writes(data: bytes) -> None:
    assert base64_of(data) == base64.b64encode(data)
    assert encode_base64(data) == base64.b64encode(data).decode("ascii")

"""Bytes and Base64: text when UTF-8, strict Base64 otherwise."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onnxtext.base.errors import OnnxTextError
from onnxtext.codecs import decode_base64, decode_bytes, encode_base64, encode_bytes


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

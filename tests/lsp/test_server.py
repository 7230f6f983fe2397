"""A handler that fails answers empty and logs the error: the server stays up (in-process)."""

from __future__ import annotations

import asyncio
import logging

import pytest
from lsprotocol import types

from onnxtext.lsp.server import make_server


def test_failing_handler_logs_and_answers_empty(caplog: pytest.LogCaptureFixture) -> None:
    server = make_server()
    features = server.protocol.fm.features
    with caplog.at_level(logging.ERROR, logger="onnxtext.lsp"):
        assert asyncio.run(features[types.TEXT_DOCUMENT_HOVER](object())) is None
        assert asyncio.run(features[types.TEXT_DOCUMENT_REFERENCES](object())) == []
    ours = [r.getMessage() for r in caplog.records if r.name == "onnxtext.lsp"]
    assert [message.split(":")[0] for message in ours] == ["hover failed", "references failed"]
    assert "AttributeError" in ours[0]

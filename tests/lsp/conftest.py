"""A real `onnxtext lsp` process per test module, driven over stdio by pytest-lsp's client."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features


def _record(ls: Any, params: types.PublishDiagnosticsParams) -> None:
    """Keep every publication by (uri, version): two may arrive in one read, and waiting for "the next
    one" would miss the second."""
    ls.diagnostics[params.uri] = params.diagnostics
    ls.published[params.uri, params.version] = params.diagnostics


def _make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=default_converter)
    client.published = {}  # type: ignore[attr-defined]
    register_lsp_features(
        client, {**DEFAULT_CLIENT_FEATURES, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _record}
    )
    return client


SERVER = ClientServerConfig(
    server_command=[sys.executable, "-m", "onnxtext", "lsp"], client_factory=_make_client
)


@pytest_lsp.fixture(scope="module", config=SERVER)
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities("visual-studio-code"))
    )
    yield
    await lsp_client.shutdown_session()

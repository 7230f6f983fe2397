"""The picture server serves only what the page needs: the model's graph and text behind the token,
the web app's own files by name, nothing from elsewhere on disk, nothing to another host name."""

from __future__ import annotations

import importlib.util
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from onnxtext.viewer.server import PictureServer, Session

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("model_explorer") is None,
    reason="needs Model Explorer's web app (pip install --no-deps ai-edge-model-explorer)",
)


@pytest.fixture
def server() -> Iterator[PictureServer]:
    served = PictureServer(
        Session([{"label": "m", "graphs": [{"id": "graph", "nodes": []}]}], {"kind": "view"})
    )
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    yield served
    served.shutdown()
    served.server_close()


def _get(server: PictureServer, path: str, **headers: str) -> tuple[int, bytes]:
    request = urllib.request.Request(server.origin + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_the_model_needs_the_token(server: PictureServer) -> None:
    assert _get(server, "/onnxtext/session")[0] == 403
    assert _get(server, "/onnxtext/session?token=wrong")[0] == 403
    assert _get(server, f"/onnxtext/session?token={server.token}") == (200, b'{"kind": "view"}')
    # Model Explorer's request for the graph carries the token in its page's address (the Referer)
    graphs = "/api/v1/load_graphs_json?graph_index=0"
    assert _get(server, graphs)[0] == 403
    assert _get(server, graphs, Referer=f"http://evil.example/?token={server.token}")[0] == 403
    status, body = _get(server, graphs, Referer=f"{server.origin}/?data=x&token={server.token}")
    assert status == 200 and body.startswith(b'{"label": "m"')
    assert _get(server, "/api/v1/load_graphs_json?graph_index=7", Referer=server.url)[0] == 404


def test_no_file_outside_the_app(server: PictureServer) -> None:
    assert _get(server, "/api/v1/read_text_file?path=/etc/passwd")[0] == 404
    assert _get(server, "/../../../../etc/passwd")[0] == 404
    assert _get(server, "/%2e%2e/%2e%2e/etc/passwd")[0] == 404
    assert _get(server, "/onnxtext/../server.py")[0] == 404
    assert _get(server, "/apipost/v1/upload")[0] == 404
    status, body = _get(server, "/")
    assert status == 200 and b"Model Explorer" in body


def test_another_host_name_is_refused(server: PictureServer) -> None:
    port = server.server_address[1]
    assert _get(server, "/", Host=f"evil.example:{port}")[0] == 403
    assert _get(server, "/", Host=f"localhost:{port}")[0] == 200

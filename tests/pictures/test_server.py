"""The picture server serves only what the page needs: the model's graph and text behind the token,
the web app's own files by name, nothing from elsewhere on disk, nothing to another host name; the
editor's page (``view --editor``) holds no model, and goes with the editor that started it."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from onnxtext.pictures.pages import editor_page
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


def _headers(server: PictureServer, path: str) -> dict[str, str]:
    with urllib.request.urlopen(server.origin + path, timeout=10) as answer:
        return dict(answer.headers)


def test_only_the_editors_page_may_be_framed_by_another_site(server: PictureServer) -> None:
    assert "frame-ancestors 'self'" in _headers(server, "/")["Content-Security-Policy"]
    collections, page = editor_page()
    editor = PictureServer(Session(collections, page, embedded=True))
    threading.Thread(target=editor.serve_forever, daemon=True).start()
    try:
        # a webview's origin depends on the editor (vscode-webview://... in VS Code)
        assert "frame-ancestors" not in _headers(editor, "/")["Content-Security-Policy"]
        # it holds no model: an empty graph for each pane of a diff, for the app to start on
        for index in (0, 1):
            status, body = _get(editor, f"/api/v1/load_graphs_json?graph_index={index}", Referer=editor.url)
            assert status == 200 and json.loads(body)["graphs"] == [{"id": "graph", "nodes": []}]
    finally:
        editor.shutdown()
        editor.server_close()


def test_view_editor_prints_the_address_and_stops_when_its_input_closes() -> None:
    command = [sys.executable, "-m", "onnxtext", "view", "--editor"]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()  # type: ignore[union-attr]
    assert re.match(r"http://127\.0\.0\.1:\d+/onnxtext/page\?token=\S+$", line)
    process.stdin.close()  # type: ignore[union-attr]
    assert process.wait(timeout=20) == 0
    process.stdout.close()  # type: ignore[union-attr]
    usage = subprocess.run([sys.executable, "-m", "onnxtext", "view"], capture_output=True, text=True)
    assert usage.returncode == 2 and "give MODEL, or --editor without one" in usage.stderr

"""The picture server: Model Explorer's web app and onnxtext's page over it, on 127.0.0.1 only.

What it serves, and to whom:

- ``/onnxtext/page?token=T``: onnxtext's page (the graph beside the text, or two graphs side by side),
  and ``/onnxtext/session?token=T``: what that page shows (labels, texts, lines, pairings); for an
  editor's graph view (``onnxtext view --editor``), the page starts empty and the editor's webview,
  which frames it, hands it the graphs by message: they never pass through the server;
- ``/api/v1/load_graphs_json?graph_index=N``: the N-th graph collection, the one request of Model
  Explorer's app that carries the model.  The app adds no token to it: the token is read from the
  request's ``Referer``, the app's own address (``/?data=...&token=T``), which the browser sends
  with every request a page makes to its own origin and which no other site can set;
- ``/api/v1/get_extensions``: the one adapter the app needs, its own JSON loader (the app waits for
  this list before it loads a graph, and loads ``graphs://`` sources only with that adapter);
- the files of Model Explorer's web app and of onnxtext's page (public files of the installed
  packages: no model data in them), by name, only from those two folders.

Nothing else: no upload, no command, no file read by path (Model Explorer's own server has
``/api/v1/read_text_file?path=``, which returns any file the user can read).  The model data needs
the token, a random 32-byte string in the address the command prints, compared in constant time; a
request whose ``Host`` is not this server's address is refused (a DNS-rebinding page cannot reach
it under another name).  Every answer forbids caching and, but for the editor's page (framed by a
webview, whose origin depends on the editor), framing by other sites; pages run under a
Content-Security-Policy that lets them load nothing from the network.
"""

from __future__ import annotations

import dataclasses
import hmac
import json
import mimetypes
import secrets
import threading
import webbrowser
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs, urlsplit

from onnxtext.viewer.webapp import web_app

PAGE_FILES = Path(__file__).parent / "page"
_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self' data: blob:; worker-src 'self' blob:"
)

_EXTENSIONS = json.dumps(
    [{"fileExts": ["json"], "type": "adapter", "id": "builtin_json", "name": "JSON", "description": "graphs"}]
).encode()


@dataclasses.dataclass
class Session:
    """What one server shows: Model Explorer graph collections (by index) and the page's data."""

    collections: list[dict[str, Any]]
    page: dict[str, Any]
    embedded: bool = False  # the page lives in an editor's webview: any origin may frame it (a webview's
    # origin depends on the editor: vscode-webview://... in VS Code, another host in code-server)


class PictureServer(ThreadingHTTPServer):
    """A threading HTTP server on 127.0.0.1 holding one :class:`Session`, with a random token."""

    daemon_threads = True

    def __init__(self, session: Session, port: int = 0) -> None:
        self.session = session
        self.token = secrets.token_urlsafe(32)
        self.app = web_app()
        self._graph_bytes: dict[int, bytes] = {}
        self._lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def url(self) -> str:
        """The address of onnxtext's page, with the token."""
        return f"{self.origin}/onnxtext/page?token={self.token}"

    def graph_bytes(self, index: int) -> bytes | None:
        """The JSON of graph collection ``index`` (made once: the page may load it again)."""
        with self._lock:
            if index not in self._graph_bytes:
                if not 0 <= index < len(self.session.collections):
                    return None
                self._graph_bytes[index] = json.dumps(self.session.collections[index]).encode()
            return self._graph_bytes[index]

    def allowed(self, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(token.encode(), self.token.encode())


class _Handler(BaseHTTPRequestHandler):
    server: PictureServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # the terminal shows the address, not a log
        pass

    def do_GET(self) -> None:
        server = self.server
        port = server.server_address[1]
        if self.headers.get("Host") not in (f"127.0.0.1:{port}", f"localhost:{port}"):
            self._send(HTTPStatus.FORBIDDEN, b"unknown host", "text/plain")
            return
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        route: Callable[[dict[str, list[str]]], None] | None = {
            "/onnxtext/page": self._page,
            "/onnxtext/session": self._session,
            "/api/v1/load_graphs_json": self._graphs,
            "/api/v1/get_extensions": self._extensions,
        }.get(url.path)
        if route is not None:
            route(query)
        elif url.path.startswith("/onnxtext/"):
            self._file(PAGE_FILES, url.path[len("/onnxtext/") :])
        else:
            self._file(server.app, url.path.lstrip("/") or "index.html")

    # -- routes -----------------------------------------------------------------------------------

    def _page(self, query: dict[str, list[str]]) -> None:
        if self._token_ok(query.get("token", [None])[0]):
            self._file(PAGE_FILES, "page.html")

    def _session(self, query: dict[str, list[str]]) -> None:
        if self._token_ok(query.get("token", [None])[0]):
            self._send(HTTPStatus.OK, json.dumps(self.server.session.page).encode(), "application/json")

    def _graphs(self, query: dict[str, list[str]]) -> None:
        referer = parse_qs(urlsplit(self.headers.get("Referer", "")).query)
        same_origin = self.headers.get("Referer", "").startswith(
            self.server.origin + "/"
        ) or self.headers.get("Referer", "").startswith(f"http://localhost:{self.server.server_address[1]}/")
        if not self._token_ok(referer.get("token", [None])[0] if same_origin else None):
            return
        try:
            index = int(query.get("graph_index", ["0"])[0])
        except ValueError:
            index = -1
        content = self.server.graph_bytes(index)
        if content is None:
            self._send(HTTPStatus.NOT_FOUND, b"no such graph", "text/plain")
        else:
            self._send(HTTPStatus.OK, content, "application/json")

    def _extensions(self, query: dict[str, list[str]]) -> None:
        self._send(HTTPStatus.OK, _EXTENSIONS, "application/json")

    # -- answers ----------------------------------------------------------------------------------

    def _token_ok(self, token: str | None) -> bool:
        if self.server.allowed(token):
            return True
        self._send(HTTPStatus.FORBIDDEN, b"this address needs the token the command printed", "text/plain")
        return False

    def _file(self, folder: Path, name: str) -> None:
        """A file of ``folder`` by its relative name; nothing outside it (no ``..``, no link out)."""
        root = folder.resolve()
        target = (root / name).resolve()
        if root not in target.parents or not target.is_file():
            self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")
            return
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix == ".js":
            kind = "text/javascript"
        self._send(HTTPStatus.OK, target.read_bytes(), kind)

    def _send(self, status: HTTPStatus, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header(
            "Content-Type",
            kind + ("; charset=utf-8" if kind.startswith(("text/", "application/json")) else ""),
        )
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "same-origin")
        framing = "" if self.server.session.embedded else "; frame-ancestors 'self'"
        self.send_header("Content-Security-Policy", _POLICY + framing)
        self.end_headers()
        self.wfile.write(body)


def serve(
    session: Session,
    *,
    port: int = 0,
    browser: bool = True,
    announce: Callable[[str], None] = print,
    until_closed: IO[bytes] | None = None,
) -> None:
    """Serve ``session`` until interrupted, or until ``until_closed`` ends (an editor that started the
    server holds the other end of it: when the editor goes, so does the server): say the page's address
    (with its token), open it in a browser."""
    server = PictureServer(session, port)
    announce(server.url)
    if browser:
        webbrowser.open(server.url)
    if until_closed is not None:
        threading.Thread(target=_stop_at_end, args=(until_closed, server), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _stop_at_end(stream: IO[bytes], server: PictureServer) -> None:
    while stream.read(4096):
        pass
    server.shutdown()

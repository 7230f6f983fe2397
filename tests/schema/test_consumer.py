"""The schema in a real consumer: the YAML language server that VS Code's YAML extension runs.

``yaml-language-server`` (pinned in ``consumer/package.json`` and its lock file) is installed by this
test with ``npm ci`` into the git-ignored ``consumer/node_modules`` and driven over stdio as the
editor drives it: the schema is associated through the ``yaml.schemas`` setting that
``onnxtext editor-setup`` writes, a document is opened, and its diagnostics are read.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

import onnxtext
from onnxtext.schema import schema_text

CONSUMER = Path(__file__).resolve().parent / "consumer"
SERVER = CONSUMER / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"

pytestmark = pytest.mark.skipif(shutil.which("npm") is None, reason="needs node and npm")


@pytest.fixture(scope="module")
def server_bin() -> Path:
    if not SERVER.exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=CONSUMER, check=True, capture_output=True
        )
    return SERVER


class Client:
    """Just enough of an LSP client: requests, notifications, and the server's requests answered."""

    def __init__(self, server: Path, workspace: Path) -> None:
        self.proc = subprocess.Popen(
            ["node", str(server), "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.workspace = workspace
        self.next_id = 0
        self.settings = {
            "yaml": {
                "validate": True,
                "hover": True,
                "completion": True,
                "schemaStore": {"enable": False},
                "schemas": {"./.vscode/onnxtext.schema.json": ["*.yaml"]},
            }
        }

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        length = 0
        while (line := self.proc.stdout.readline().strip()) != b"":
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        message = json.loads(self.proc.stdout.read(length))
        if "id" in message and "method" in message:  # the server asks: configuration, registrations
            if message["method"] == "workspace/configuration":
                items = message["params"]["items"]
                result: Any = [self.settings.get(i.get("section", "").split(".")[0]) for i in items]
            else:
                result = None
            self.send({"id": message["id"], "result": result})
        return message

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            message = self.read()
            if message.get("id") == self.next_id and "method" not in message:
                return message.get("result")

    def start(self) -> None:
        uri = self.workspace.as_uri()
        self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": uri,
                "workspaceFolders": [{"uri": uri, "name": self.workspace.name}],
                "capabilities": {"workspace": {"configuration": True}},
            },
        )
        self.send({"method": "initialized", "params": {}})
        self.send({"method": "workspace/didChangeConfiguration", "params": {"settings": self.settings}})

    def diagnostics(self, path: Path) -> list[dict[str, Any]]:
        uri = path.as_uri()
        document = {"uri": uri, "languageId": "yaml", "version": 1, "text": path.read_text(encoding="utf-8")}
        self.send({"method": "textDocument/didOpen", "params": {"textDocument": document}})
        while True:
            message = self.read()
            if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri:
                return message["params"]["diagnostics"]

    def stop(self) -> None:
        self.request("shutdown", {})
        self.send({"method": "exit"})
        self.proc.wait(timeout=10)


@pytest.fixture
def client(server_bin: Path, tmp_path: Path) -> Any:
    (tmp_path / ".vscode").mkdir()
    (tmp_path / ".vscode" / "onnxtext.schema.json").write_text(schema_text(), encoding="utf-8")
    client = Client(server_bin, tmp_path)
    client.start()
    yield client
    client.stop()


def test_clean_dump_has_no_problem_and_a_bogus_key_is_flagged(client: Client, tmp_path: Path) -> None:
    clean = tmp_path / "silero.yaml"
    onnxtext.dump(Path(__file__).resolve().parents[2] / "samples" / "silero_vad.onnx", clean)
    assert client.diagnostics(clean) == []
    bogus = tmp_path / "bogus.yaml"
    bogus.write_text(
        clean.read_text(encoding="utf-8").replace(
            "  nodes:\n", "  nodes:\n    - op_type: Relu\n      bogus_key: 1\n", 1
        )
    )
    problems = client.diagnostics(bogus)
    assert len(problems) == 1 and "bogus_key" in problems[0]["message"], problems
    line = bogus.read_text(encoding="utf-8").splitlines().index("      bogus_key: 1")
    assert problems[0]["range"]["start"]["line"] == line


def test_editor_features_on_an_op(client: Client, tmp_path: Path) -> None:
    """A misspelt attribute of Conv is flagged; hovering Conv shows Conv's own documentation."""
    doc = tmp_path / "conv.yaml"
    doc.write_text(
        "onnxtext: 2\nopset_import: {'': 21}\ngraph:\n  nodes:\n    - op_type: Conv\n"
        "      inputs: [x, w]\n      outputs: [y]\n      attributes: {kernal_shape: [3, 3]}\n"
    )
    problems = client.diagnostics(doc)
    assert [p["range"]["start"]["line"] for p in problems] == [7] and "kernal_shape" in problems[0]["message"]
    hover = client.request(
        "textDocument/hover",
        {"textDocument": {"uri": doc.as_uri()}, "position": {"line": 4, "character": 17}},
    )
    assert "convolution" in hover["contents"]["value"]


def test_time_on_a_2000_node_document(client: Client, tmp_path: Path) -> None:
    """The figure the README quotes: diagnostics for a 2,000-node document, open to answer (~7 s)."""
    from benchmarks.workloads import make_graph

    model = make_graph(tmp_path / "g.onnx", nodes=2000)
    doc = tmp_path / "g.yaml"
    onnxtext.dump(model, doc)
    start = time.perf_counter()
    assert client.diagnostics(doc) == []
    elapsed = time.perf_counter() - start
    print(f"yaml-language-server: {elapsed:.2f} s for {doc.stat().st_size // 1024} KB, 2,000 nodes")
    assert elapsed < 30


def _complete(client: Client, doc: Path, text: str, line: int, character: int) -> set[str]:
    doc.write_text(text, encoding="utf-8")
    client.diagnostics(doc)
    found = client.request(
        "textDocument/completion",
        {"textDocument": {"uri": doc.as_uri()}, "position": {"line": line, "character": character}},
    )
    items = found["items"] if isinstance(found, dict) else found
    return {item["label"] for item in items}


def test_completion_matches_ops_and_domains_exactly(client: Client, tmp_path: Path) -> None:
    """yaml-language-server takes a ``const`` for a prefix while completing: Conv must not get
    ConvTranspose's attributes, nor a node of ai.onnx the ops of ai.onnx.ml."""
    head = "onnxtext: 2\nopset_import: {'': 21, ai.onnx.ml: 5}\ngraph:\n  nodes:\n"
    conv = "    - op_type: Conv\n      outputs: [y]\n      attributes:\n        group: 1\n        \n"
    attributes = _complete(client, tmp_path / "conv.yaml", head + conv, 8, 8)
    assert {"kernel_shape", "strides", "pads"} <= attributes
    assert not attributes & {"output_padding", "output_shape"}  # ConvTranspose's
    typed = "    - domain: ai.onnx\n      op_type: \n"
    ops = _complete(client, tmp_path / "ops.yaml", head + typed, 5, 15)
    assert {"Conv", "Relu"} <= ops
    assert not ops & {"LinearClassifier", "TreeEnsembleRegressor"}  # ai.onnx.ml's

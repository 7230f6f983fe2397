#!/usr/bin/env python
"""How fast ``onnxtext lsp`` answers an editor, measured over stdio like an editor drives it.

    python benchmarks/lsp_bench.py [--nodes 2000 50000] [--formats yaml json] [--edits 4] [--probes 20]

For each document (the transformer-like graphs of ``workloads.make_graph``, dumped by onnxtext) the
script starts a fresh server, opens the document and waits for its diagnostics, then edits it the
way a person does, with incremental changes: it misspells one input of a node in the middle of the
graph (lint reports R201) and puts it back (the document is clean again, so lint also runs
onnx.checker and shape inference), ``--edits`` times.  Latency is the wall time from sending the
change to receiving the diagnostics of that version (the server's debounce included); a graph of
``PREVIEW_NODES`` nodes or more gets a clean version's diagnostics twice (tree rules, then with
onnx.checker and shape inference): both times are given.  The first change right after the open
is shown apart (the median includes it): a change is derived from the previous version's
positions, and the opened version has only a sketch of them (its block entries), made before its
diagnostics go out.  A hover on that input is sent right after the open (an editor asks as soon as
the pointer rests on a name): "open -> first hover" is when its answer arrives.
Then hover,
definition and references on that input, ``--probes`` times each, once the server is idle (it
has sent ``workspace/inlayHint/refresh``: positions and inferred types of the last version are
known).  Prints a Markdown table of medians (and the worst navigation time).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from workloads import make_graph

import onnxtext
from onnxtext.lsp.scheduler import PREVIEW_NODES

PUBLISH = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS


def document(work: Path, nodes: int, fmt: str) -> Path:
    """The dumped document of the ``nodes``-node graph (made once, kept in ``work``)."""
    work.mkdir(parents=True, exist_ok=True)
    model, doc = work / f"graph-{nodes}.onnx", work / f"graph-{nodes}.{fmt}"
    if not model.exists():
        make_graph(model, nodes=nodes)
    if not doc.exists():
        onnxtext.dump(str(model), str(doc))
    return doc


def probe(text: str) -> tuple[int, int, str]:
    """(line, UTF-16 column, name) of the first input of the node in the middle of the document."""
    lines = text.split("\n")
    uses = [i for i, line in enumerate(lines) if "inputs" in line and "[" in line and "]" in line]
    line = uses[len(uses) // 2]
    body = lines[line]
    start = body.index("[") + 1
    while body[start] in " \"'":
        start += 1
    end = start
    while body[end] not in ",]\"'":
        end += 1
    return line, len(body[:start].encode("utf-16-le")) // 2, body[start:end]


class Editor:
    """A pygls client that records when each version's diagnostics arrive."""

    def __init__(self) -> None:
        self.client = LanguageClient("onnxtext-lsp-bench", "1")
        self.arrived: dict[int | None, list[tuple[float, int]]] = {}  # every publication of a version

        self.refreshed = 0

        @self.client.feature(PUBLISH)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.arrived.setdefault(params.version, []).append((time.perf_counter(), len(params.diagnostics)))

        @self.client.feature(types.WORKSPACE_INLAY_HINT_REFRESH)
        def refreshed(params: None) -> None:  # the server has positions and types of the last version
            self.refreshed += 1

    async def diagnostics(self, version: int, sent: float, publications: int = 1) -> tuple[float, int]:
        """Seconds from ``sent`` to the ``publications``-th publication of ``version``, and its count."""
        while len(self.arrived.get(version, ())) < publications:
            await asyncio.sleep(0.001)
        at, count = self.arrived[version][publications - 1]
        return at - sent, count


async def measure(path: Path, edits: int, probes: int, nodes: int) -> dict[str, float]:
    text = path.read_text(encoding="utf-8")
    uri = path.resolve().as_uri()
    editor = Editor()
    client = editor.client
    await client.start_io(sys.executable, "-m", "onnxtext", "lsp")
    hints = types.InlayHintWorkspaceClientCapabilities(refresh_support=True)
    capabilities = types.ClientCapabilities(workspace=types.WorkspaceClientCapabilities(inlay_hint=hints))
    await client.initialize_async(types.InitializeParams(capabilities=capabilities))
    client.initialized(types.InitializedParams())
    language = "json" if path.suffix == ".json" else "yaml"
    line, col, name = probe(text)
    doc = types.TextDocumentIdentifier(uri)
    sent = time.perf_counter()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, language, 1, text))
    )
    # an editor asks as soon as the pointer rests on a name: the hover is sent with the open
    first_hover = await client.text_document_hover_async(
        types.HoverParams(doc, types.Position(line, col + 1))
    )
    hovered = time.perf_counter() - sent
    assert first_hover, "the first hover has no answer"
    opened, _ = await editor.diagnostics(1, sent, 2 if nodes >= PREVIEW_NODES else 1)
    found: dict[str, list[float]] = {"broken": [], "clean": [], "clean complete": []}
    version = 1
    for k in range(2 * edits):
        broken = k % 2 == 0
        old, new = (name, name + "_x") if broken else (name + "_x", name)
        version += 1
        change = types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(line, col), types.Position(line, col + len(old))), text=new
        )
        sent = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(types.VersionedTextDocumentIdentifier(version, uri), [change])
        )
        latency, count = await editor.diagnostics(version, sent)
        assert (count > 0) == broken or not broken, (version, count)
        found["broken" if broken else "clean"].append(latency)
        if not broken:  # a big graph's tree rules first, then onnx.checker and shape inference too
            complete, _ = await editor.diagnostics(version, sent, 2 if nodes >= PREVIEW_NODES else 1)
            found["clean complete"].append(complete)
    before = editor.refreshed
    while editor.refreshed == before:  # the server is idle: positions and types of the last version known
        await asyncio.sleep(0.01)
    at = types.Position(line, col + 1)
    requests = {
        "hover": lambda: client.text_document_hover_async(types.HoverParams(doc, at)),
        "definition": lambda: client.text_document_definition_async(types.DefinitionParams(doc, at)),
        "references": lambda: client.text_document_references_async(
            types.ReferenceParams(context=types.ReferenceContext(True), text_document=doc, position=at)
        ),
    }
    nav: dict[str, list[float]] = {}
    for what, request in requests.items():
        for _ in range(probes):
            sent = time.perf_counter()
            answer = await request()
            nav.setdefault(what, []).append(time.perf_counter() - sent)
            assert answer, what
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    row = {"open": opened, "first hover": hovered, "first": found["broken"][0]}
    row.update({f"change {k}": statistics.median(v) for k, v in found.items()})
    for what, times in nav.items():
        row[what] = statistics.median(times)
        row[f"{what} max"] = max(times)
    return row


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[2000, 50000])
    parser.add_argument("--formats", nargs="+", default=["yaml", "json"], choices=["yaml", "json"])
    parser.add_argument("--edits", type=int, default=4, help="misspell-and-restore rounds")
    parser.add_argument("--probes", type=int, default=20, help="requests of each kind")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "onnxtext-lsp-bench")
    args = parser.parse_args(argv)
    print(
        "| document | open -> first hover | open -> diagnostics | first change (R201) "
        "| change -> diagnostics (R201) | change -> diagnostics (clean) | hover | definition | references |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for nodes in args.nodes:
        for fmt in args.formats:
            path = document(args.work, nodes, fmt)
            row = asyncio.run(measure(path, args.edits, args.probes, nodes))
            nav = " | ".join(
                f"{_ms(row[w])} (max {_ms(row[w + ' max'])})" for w in ("hover", "definition", "references")
            )
            size = path.stat().st_size / 2**20
            clean = _ms(row["change clean"])
            if row["change clean complete"] != row["change clean"]:
                clean += f" (all rules: {_ms(row['change clean complete'])})"
            changes = f"{_ms(row['change broken'])} | {clean}"
            label = f"{nodes:,} nodes, {fmt.upper()} ({size:.1f} MB)"
            opening = f"{_ms(row['first hover'])} | {_ms(row['open'])}"
            print(f"| {label} | {opening} | {_ms(row['first'])} | {changes} | {nav} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

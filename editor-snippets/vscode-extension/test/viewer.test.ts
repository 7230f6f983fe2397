// Against the real onnxtext (ONNXTEXT_PYTHON=/path/to/python, as tests/test_vscode_extension.py sets it): the picture
// server the graph views frame starts and stops as the extension runs it, and the language server answers the request
// the extension sends with what the page and cursorLineFor need.
import assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import { MessageConnection, StreamMessageReader, StreamMessageWriter, createMessageConnection } from "vscode-jsonrpc/node";
import { argv, chooseOnnxtext, lspArgs } from "../src/command";
import { GRAPH_REQUEST, GraphAnswer, cursorLineFor, graphParams, readAnswer } from "../src/graph";
import { startViewer } from "../src/viewer";

const python = process.env.ONNXTEXT_PYTHON;
const skip = python ? false : "set ONNXTEXT_PYTHON to a Python with onnxtext installed";
const SAMPLES = path.join(__dirname, "..", "..", "..", "..", "samples");
const TEXT = python ? readFileSync(path.join(SAMPLES, "squeezenet.yaml"), "utf8") : "";
const LINES = TEXT.split("\n");
/** Where each node's entry starts (1-based), found in the text. */
const STARTS = LINES.flatMap((line, i) => (line.startsWith("    - op_type: ") ? [i + 1] : []));
const onnxtext = () => chooseOnnxtext({ configured: [], interpreter: python, interpreterHasOnnxtext: true });

test("view --editor serves the page behind its token, holds no model, and stops when asked", { skip }, async () => {
  const viewer = await startViewer(onnxtext());
  const page = new URL(viewer.page);
  assert.equal(page.hostname, "127.0.0.1");
  assert.equal((await fetch(viewer.page)).status, 200);
  assert.equal((await fetch(`${page.origin}/onnxtext/page?token=wrong`)).status, 403);
  const session = (await (await fetch(`${page.origin}/onnxtext/session${page.search}`)).json()) as { kind: string };
  assert.equal(session.kind, "editor");
  viewer.stop();
  await viewer.exited;
});

test("a viewer that cannot start says why", { skip }, async () => {
  await assert.rejects(startViewer({ program: "/nonexistent/python", prefix: ["-m", "onnxtext"], source: "test" }), /could not start/);
  const old = { ...onnxtext(), prefix: ["-c", "import sys; sys.exit('error E801 no web app')"] };
  await assert.rejects(startViewer(old), /E801 no web app/);
});

let server: ChildProcess;
let connection: MessageConnection;

before(async () => {
  if (!python) {
    return;
  }
  const { program, prefix } = onnxtext();
  server = spawn(program, argv({ program, prefix, source: "test" }, ...lspArgs()), { stdio: ["pipe", "pipe", "inherit"] });
  connection = createMessageConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
  connection.listen();
  await connection.sendRequest("initialize", { processId: process.pid, rootUri: null, capabilities: {} });
  connection.sendNotification("initialized", {});
});

after(async () => {
  if (!python) {
    return;
  }
  await connection.sendRequest("shutdown");
  connection.sendNotification("exit");
  connection.dispose();
});

async function graph(uri: string, line?: number, against?: string): Promise<GraphAnswer> {
  const answer = await connection.sendRequest(GRAPH_REQUEST, graphParams(uri, line === undefined ? undefined : { line, character: 6 }, against));
  const read = readAnswer(answer);
  assert.ok("graph" in read, JSON.stringify(read));
  return read.graph;
}

test("the language server answers the extension's request with the cursor's node and each node's lines", { skip }, async () => {
  const uri = pathToFileURL(path.join(SAMPLES, "squeezenet.onnx.yaml")).href; // a name the server looks after
  connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "yaml", version: 1, text: TEXT } });
  const shown = await graph(uri, STARTS[7]); // 0-based: the second line of the 8th node
  assert.equal(shown.kind, "view");
  assert.equal(shown.cursor, "graph.nodes[7]");
  assert.equal(shown.editing, 0);
  assert.deepEqual(shown.panes[0].spans["graph.nodes[7]"], [STARTS[7], STARTS[8] - 1]);
  // the page says the 13th node was clicked: the cursor goes to its first line, found in the text
  const picked = { type: "onnxtext-selected" as const, pane: 0, id: "graph.nodes[12]", lines: shown.panes[0].spans["graph.nodes[12]"], partner: null };
  assert.equal(cursorLineFor(picked, shown.editing, STARTS[7] + 1), STARTS[12]);

  // an edit, then Show Changes against the text before it (as git HEAD's): two panes, the document the second
  const edited = TEXT.replace("ratio: 0.5", "ratio: 0.25");
  connection.sendNotification("textDocument/didChange", { textDocument: { uri, version: 2 }, contentChanges: [{ text: edited }] });
  const changes = await graph(uri, undefined, TEXT);
  assert.equal(changes.kind, "diff");
  assert.equal(changes.editing, 1);
  assert.equal(changes.collections.length, 2);
  connection.sendNotification("textDocument/didClose", { textDocument: { uri } });
});

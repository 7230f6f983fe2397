// The graph view's plumbing without VS Code: the request's params, the page's messages read with suspicion, where a
// selection in the graph puts the cursor, the webview's HTML and the address it frames.
import assert from "node:assert/strict";
import { mock, test } from "node:test";
import {
  Debouncer,
  cursorLineFor,
  frameAddress,
  graphParams,
  headVersionArgs,
  pageAddress,
  readAnswer,
  readPageMessage,
  webviewHtml,
} from "../src/graph";

test("the request names the document, and the cursor and HEAD's text only when there are some", () => {
  assert.deepEqual(graphParams("file:///m.onnx.yaml"), { textDocument: { uri: "file:///m.onnx.yaml" } });
  assert.deepEqual(graphParams("file:///m.onnx.yaml", { line: 3, character: 6 }, ""), {
    textDocument: { uri: "file:///m.onnx.yaml" },
    position: { line: 3, character: 6 },
    against: "", // an empty committed version is a version
  });
});

test("an answer is a graph, an error to say, or nothing", () => {
  assert.deepEqual(readAnswer(null), { missing: true });
  assert.deepEqual(readAnswer({ error: "E202 no document" }), { error: "E202 no document" });
  assert.match((readAnswer({ kind: "view" }) as { error: string }).error, /no graph/);
  const graph = { kind: "view", title: "m", collections: [], panes: [], editing: 0, cursor: null };
  assert.deepEqual(readAnswer(graph), { graph });
});

test("the page's messages are checked: ours pass, anything else is dropped", () => {
  assert.deepEqual(readPageMessage({ type: "onnxtext-page-ready", extra: 1 }), { type: "onnxtext-page-ready" });
  const selected = { type: "onnxtext-selected", pane: 0, id: "graph.nodes[3]", lines: [20, 24], partner: null };
  assert.deepEqual(readPageMessage(selected), selected);
  assert.deepEqual(readPageMessage({ ...selected, lines: null }), { ...selected, lines: null });
  assert.deepEqual(readPageMessage({ ...selected, lines: [0, "x"] }), { ...selected, lines: null });
  assert.deepEqual(readPageMessage({ ...selected, partner: { pane: 1, id: "graph.nodes[4]", lines: [30, 33] } }), {
    ...selected,
    partner: { pane: 1, id: "graph.nodes[4]", lines: [30, 33] },
  });
  for (const bad of [null, "onnxtext-selected", { type: "model-explorer-ready" }, { ...selected, pane: "0" }, { ...selected, id: 7 }]) {
    assert.equal(readPageMessage(bad), undefined);
  }
});

test("a node selected in the graph moves the cursor to its first line, unless the cursor is in it already", () => {
  const picked = { type: "onnxtext-selected" as const, pane: 0, id: "graph.nodes[3]", lines: [20, 24] as [number, number], partner: null };
  assert.equal(cursorLineFor(picked, 0, 5), 20);
  assert.equal(cursorLineFor(picked, 0, 20), undefined);
  assert.equal(cursorLineFor(picked, 0, 24), undefined); // the page selected it because the cursor went there
  assert.equal(cursorLineFor(picked, 0, 25), 20);
  assert.equal(cursorLineFor({ ...picked, lines: null }, 0, 5), undefined);
});

test("in Show Changes, a node of HEAD's version moves the cursor to its partner in the document", () => {
  const head = { type: "onnxtext-selected" as const, pane: 0, id: "graph.nodes[61]", lines: [557, 561] as [number, number] };
  const partner = { pane: 1, id: "graph.nodes[61]", lines: [560, 564] as [number, number] };
  assert.equal(cursorLineFor({ ...head, partner }, 1, 1), 560);
  assert.equal(cursorLineFor({ ...head, partner: null }, 1, 1), undefined); // removed since HEAD: nowhere to go
  assert.equal(cursorLineFor({ ...partner, type: "onnxtext-selected", partner: null }, 1, 1), 560);
});

test("the page's address is read from what view --editor prints", () => {
  const page = "http://127.0.0.1:40717/onnxtext/page?token=h-nFLg7-cSrnOFYtybb8gnk4wXQb8OUskOonekWuK4s";
  assert.equal(pageAddress(`${page}\n`), page);
  assert.equal(pageAddress("starting\n"), undefined);
  assert.equal(pageAddress("http://evil.example/onnxtext/page?token=x\n"), undefined);
});

test("the webview frames the forwarded address when it keeps the root, else the page's own", () => {
  const page = "http://127.0.0.1:40717/onnxtext/page?token=abc";
  assert.equal(frameAddress(page, "http://127.0.0.1:40717/"), page); // a desktop
  assert.equal(frameAddress(page, "http://localhost:51234/"), "http://localhost:51234/onnxtext/page?token=abc"); // a remote window
  assert.equal(frameAddress(page, "http://127.0.0.1:8080/proxy/40717/"), page); // code-server's path proxy
});

test("the webview lets in only the page's frame and its own script, and relays both ways", () => {
  const html = webviewHtml("http://127.0.0.1:40717/onnxtext/page?token=abc", "NONCE", 'Graph: "a<b>"');
  const csp = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1];
  assert.equal(csp, "default-src 'none'; frame-src http://127.0.0.1:40717; script-src 'nonce-NONCE'; style-src 'unsafe-inline'");
  assert.match(html, /<iframe id="page" src="http:\/\/127\.0\.0\.1:40717\/onnxtext\/page\?token=abc" title="Graph: &quot;a&lt;b&gt;&quot;">/);
  assert.match(html, /<script nonce="NONCE">/);
  assert.match(html, /page\.contentWindow\.postMessage\(event\.data, "http:\/\/127\.0\.0\.1:40717"\)/);
  assert.match(html, /event\.source === page\.contentWindow\) {\s+vscode\.postMessage\(event\.data\)/);
  assert.match(html, /event\.origin === window\.location\.origin\) {[^}]*page\.contentWindow\.postMessage/);
});

test("git shows the committed version from the document's folder", () => {
  assert.deepEqual(headVersionArgs("/work/models/m.onnx.yaml"), { cwd: "/work/models", args: ["show", "HEAD:./m.onnx.yaml"] });
});

test("the debouncer runs only the last of close calls", () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const ran: number[] = [];
    const debouncer = new Debouncer(100);
    debouncer.run(() => ran.push(1));
    mock.timers.tick(60);
    debouncer.run(() => ran.push(2));
    mock.timers.tick(60);
    assert.equal(ran.length, 0);
    mock.timers.tick(40);
    assert.deepEqual(ran, [2]);
    debouncer.run(() => ran.push(3));
    debouncer.cancel();
    mock.timers.tick(200);
    assert.deepEqual(ran, [2]);
  } finally {
    mock.timers.reset();
  }
});

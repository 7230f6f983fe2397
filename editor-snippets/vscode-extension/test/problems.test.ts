import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { FILE_PATTERN, LINE_PATTERN, parseProblems, problemsByFile, summarize, tally } from "../src/problems";

// lines as onnxtext lint and build print them (copied from real runs on samples/squeezenet.onnx)
const LINT_OUTPUT = `m.onnx.yaml:279:16: error R201 input 'data_X' of node 'n0' is produced by no node, initializer or graph input
  hint: did you mean 'data_0' (produced by input, line 25)?
m.onnx.yaml:2:1: warning O408 ir_version 3 is older than opset 9 of domain '' (ai.onnx) needs (4)
  hint: raise ir_version to 4 or later
bad.onnx: error R201 input 'nope' of node 'r2' is produced by no node, initializer or graph input [at graph.nodes[1].inputs[0]]
  hint: add the producer, or use the name of an existing value
m.onnx.yaml: error E501 m.onnx.yaml already exists
  hint: pass --force to overwrite it, or choose another -o path
w.onnx.yaml: info L101 94 warnings (R205 x2, R206 x92): run onnxtext lint w.onnx.yaml
`;

test("every kind of diagnostic line is read, each with its hint", () => {
  assert.deepEqual(parseProblems(LINT_OUTPUT), [
    {
      file: "m.onnx.yaml",
      line: 279,
      col: 16,
      severity: "error",
      code: "R201",
      message: "input 'data_X' of node 'n0' is produced by no node, initializer or graph input",
      hint: "did you mean 'data_0' (produced by input, line 25)?",
    },
    {
      file: "m.onnx.yaml",
      line: 2,
      col: 1,
      severity: "warning",
      code: "O408",
      message: "ir_version 3 is older than opset 9 of domain '' (ai.onnx) needs (4)",
      hint: "raise ir_version to 4 or later",
    },
    {
      file: "bad.onnx",
      severity: "error",
      code: "R201",
      message: "input 'nope' of node 'r2' is produced by no node, initializer or graph input",
      path: "graph.nodes[1].inputs[0]",
      hint: "add the producer, or use the name of an existing value",
    },
    {
      file: "m.onnx.yaml",
      severity: "error",
      code: "E501",
      message: "m.onnx.yaml already exists",
      hint: "pass --force to overwrite it, or choose another -o path",
    },
    {
      file: "w.onnx.yaml",
      severity: "info",
      code: "L101",
      message: "94 warnings (R205 x2, R206 x92): run onnxtext lint w.onnx.yaml",
    },
  ]);
});

test("file names with colons, spaces and drive letters; CRLF line ends", () => {
  const [windows, spaced] = parseProblems(
    "C:\\models\\a b.onnx.yaml:3:4: error E203 bad type string 'float32[N,'\r\n/w/my models/x:y.yaml:10:2: warning R205 initializer 'w' is not used\r\n",
  );
  assert.equal(windows.file, "C:\\models\\a b.onnx.yaml");
  assert.equal(windows.line, 3);
  assert.equal(windows.col, 4);
  assert.equal(windows.message, "bad type string 'float32[N,'");
  assert.equal(spaced.file, "/w/my models/x:y.yaml");
  assert.equal(spaced.line, 10);
});

test("lines that are no diagnostics are left out, and a stray hint attaches to nothing", () => {
  assert.deepEqual(parseProblems("  hint: orphan\nbuilding model.onnx\nTraceback (most recent call last):\n\n"), []);
  assert.deepEqual(parseProblems("x.yaml:1:1: error E101 bad\n  hint: one\n  hint: two\n")[0].hint, "one");
});

test("a one-line summary names the line or the element path", () => {
  const [atLine, , atPath, bare] = parseProblems(LINT_OUTPUT);
  assert.equal(summarize(atLine), "line 279: R201 input 'data_X' of node 'n0' is produced by no node, initializer or graph input");
  assert.equal(summarize(atPath), "at graph.nodes[1].inputs[0]: R201 input 'nope' of node 'r2' is produced by no node, initializer or graph input");
  assert.equal(summarize(bare), "E501 m.onnx.yaml already exists");
});

test("the problem matchers in package.json use the parser's patterns", () => {
  const manifest = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
  const patterns = Object.fromEntries(
    manifest.contributes.problemMatchers.map((matcher: { name: string; pattern: { regexp: string } }) => [matcher.name, matcher.pattern.regexp]),
  );
  assert.deepEqual(patterns, { onnxtext: LINE_PATTERN.source, "onnxtext-file": FILE_PATTERN.source });
});

test("problems are grouped by absolute file, relative names resolved where onnxtext ran", () => {
  const problems = parseProblems(
    "m.onnx.yaml:2:1: warning O408 old ir_version\n" +
      "/abs/bad.onnx: error R201 dangling input [at graph.nodes[1].inputs[0]]\n" +
      "sub/../m.onnx.yaml:9:3: error E203 bad type string\n",
  );
  const byFile = problemsByFile(problems, "/work");
  assert.deepEqual([...byFile.keys()], [path.resolve("/work/m.onnx.yaml"), path.resolve("/abs/bad.onnx")]);
  assert.deepEqual(byFile.get(path.resolve("/work/m.onnx.yaml"))?.map((problem) => problem.code), ["O408", "E203"]);
});

test("a tally counts each severity", () => {
  assert.equal(tally(parseProblems(LINT_OUTPUT)), "3 errors, 1 warning, 1 note");
  assert.equal(tally([]), "no problems");
});

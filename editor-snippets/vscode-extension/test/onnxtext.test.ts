// Against the real onnxtext (ONNXTEXT_PYTHON=/path/to/python, as tests/test_vscode_extension.py sets it): the
// command lines the extension builds do what it expects, and the save-rebuild decision reads real output.
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { Onnxtext, buildArgs, chooseOnnxtext, diffArgs, dumpArgs, lintArgs, probeArgs } from "../src/command";
import { documentForModel, modelForDocument, openAction } from "../src/mapping";
import { parseProblems } from "../src/problems";
import { rebuildOutcome } from "../src/rebuild";
import { runOnnxtext } from "../src/run";

const python = process.env.ONNXTEXT_PYTHON;
const skip = python ? false : "set ONNXTEXT_PYTHON to a Python with onnxtext installed";
const SAMPLE = path.join(__dirname, "..", "..", "..", "..", "samples", "squeezenet.onnx");

function onnxtext(): Onnxtext {
  return chooseOnnxtext({ configured: [], interpreter: python, interpreterHasOnnxtext: true });
}

test("open as text, edit, save: a clean document rebuilds the same bytes, a broken one says why", { skip }, async () => {
  const folder = mkdtempSync(path.join(tmpdir(), "onnxtext-vscode-"));
  const model = path.join(folder, "squeezenet.onnx");
  copyFileSync(SAMPLE, model);
  const original = readFileSync(model);
  const document = documentForModel(model, "yaml");
  assert.equal(openAction(undefined, statSync(model).mtimeMs), "dump");

  const dumped = await runOnnxtext(onnxtext(), dumpArgs(model, document, false), folder);
  assert.equal(dumped.exitCode, 0, dumped.stderr);
  assert.equal(modelForDocument(document), model);
  const again = await runOnnxtext(onnxtext(), dumpArgs(model, document, false), folder);
  assert.equal(again.exitCode, 1);
  assert.equal(parseProblems(again.stderr)[0].code, "E501");

  const clean = await runOnnxtext(onnxtext(), buildArgs(document, model), folder);
  const rebuilt = rebuildOutcome(model, clean.exitCode, clean.stderr + clean.stdout);
  assert.equal(rebuilt.rebuilt, true, rebuilt.message);
  assert.equal(rebuilt.message, "Rebuilt squeezenet.onnx."); // a clean export: no warning under the default rules
  assert.deepEqual(readFileSync(model), original);
  const same = await runOnnxtext(onnxtext(), diffArgs(model, document), folder);
  assert.equal(same.exitCode, 0, same.stderr);

  const text = readFileSync(document, "utf8");
  writeFileSync(document, text.replace("inputs: [data_0,", "inputs: [data_X,"));
  const broken = await runOnnxtext(onnxtext(), buildArgs(document, model), folder);
  const refused = rebuildOutcome(model, broken.exitCode, broken.stderr + broken.stdout);
  assert.equal(refused.rebuilt, false);
  const line = text.split("\n").findIndex((row) => row.includes("inputs: [data_0,")) + 1;
  assert.match(refused.message, new RegExp(`^squeezenet\\.onnx not rebuilt: lint found 1 error\\. line ${line}: R201 input 'data_X'`));
  assert.deepEqual(readFileSync(model), original);
  const changed = await runOnnxtext(onnxtext(), diffArgs(model, document), folder);
  assert.equal(changed.exitCode, 1);

  const linted = await runOnnxtext(onnxtext(), lintArgs([document]), folder);
  assert.equal(linted.exitCode, 1);
  assert.deepEqual(
    parseProblems(linted.stdout + linted.stderr).filter((problem) => problem.severity === "error").map((problem) => [problem.code, problem.line]),
    [["R201", line]],
  );
});

test("a .onnx file's findings carry the element path", { skip }, async () => {
  const result = await runOnnxtext(onnxtext(), [...lintArgs([SAMPLE]), "--extend-select", "N104"]); // unnamed nodes: opt-in
  const problems = parseProblems(result.stdout + result.stderr);
  assert.ok(problems.length > 0);
  assert.ok(problems.every((problem) => problem.line === undefined && problem.file === SAMPLE));
  assert.ok(problems.some((problem) => problem.path?.startsWith("graph.nodes[")));
});

test("probing an interpreter: yes for one with onnxtext, no (not a crash) for a missing program", { skip }, async () => {
  assert.equal((await runOnnxtext(onnxtext(), probeArgs())).exitCode, 0);
  const missing = await runOnnxtext({ program: "/nonexistent/python", prefix: ["-m", "onnxtext"], source: "test" }, probeArgs());
  assert.equal(missing.exitCode, -1);
  assert.match(missing.stderr, /could not start \/nonexistent\/python -m onnxtext/);
});

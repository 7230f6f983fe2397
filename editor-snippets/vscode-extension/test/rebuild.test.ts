import assert from "node:assert/strict";
import { test } from "node:test";
import { modelToRebuild, rebuildOutcome } from "../src/rebuild";

const opened = new Set(["/w/m.onnx.yaml"]);

test("by default only a document opened as text rebuilds its model", () => {
  const context = { mode: "openedAsText" as const, openedAsText: opened, isOnnxtextDocument: true };
  assert.equal(modelToRebuild("/w/m.onnx.yaml", "/w/m.onnx", context), "/w/m.onnx");
  assert.equal(modelToRebuild("/w/other.onnx.yaml", "/w/other.onnx", context), undefined);
});

test("'always' rebuilds every onnxtext document, 'never' none, and a non-document never", () => {
  const always = { mode: "always" as const, openedAsText: new Set<string>(), isOnnxtextDocument: true };
  assert.equal(modelToRebuild("/w/other.onnx.yaml", "/w/other.onnx", always), "/w/other.onnx");
  assert.equal(modelToRebuild("/w/config.yaml", "/w/config.onnx", { ...always, isOnnxtextDocument: false }), undefined);
  assert.equal(modelToRebuild("/w/m.onnx.yaml", "/w/m.onnx", { mode: "never", openedAsText: opened, isOnnxtextDocument: true }), undefined);
  assert.equal(modelToRebuild("/w/notes.txt", undefined, { ...always, openedAsText: new Set(["/w/notes.txt"]) }), undefined);
});

test("a clean build says it rebuilt, with the warnings its one summary line counts", () => {
  const output = "w.onnx.yaml: info L101 96 warnings (R205 x2, R206 x94): run onnxtext lint w.onnx.yaml\n";
  const outcome = rebuildOutcome("/w/w.onnx", 0, output);
  assert.equal(outcome.rebuilt, true);
  assert.equal(outcome.message, "Rebuilt w.onnx (96 warnings).");
  assert.equal(rebuildOutcome("/w/w.onnx", 0, "").message, "Rebuilt w.onnx.");
});

test("lint errors: not rebuilt, with the first error, its line and how many more", () => {
  const output =
    "m.onnx.yaml:279:16: error R201 input 'data_X' of node 'n0' is produced by no node, initializer or graph input\n" +
    "  hint: did you mean 'data_0' (produced by input, line 25)?\n" +
    "m.onnx.yaml:300:9: error E203 bad type string\n";
  const outcome = rebuildOutcome("/w/m.onnx", 1, output);
  assert.equal(outcome.rebuilt, false);
  assert.equal(
    outcome.message,
    "m.onnx not rebuilt: lint found 2 errors. line 279: R201 input 'data_X' of node 'n0' is produced by no node, " +
      "initializer or graph input (and 1 more error)",
  );
  assert.equal(outcome.problems.length, 2);
});

test("a failure without diagnostics quotes the first line onnxtext printed", () => {
  const outcome = rebuildOutcome("/w/m.onnx", 2, "\nUsage: onnxtext build [OPTIONS] DOCUMENT\nError: no such option\n");
  assert.equal(outcome.rebuilt, false);
  assert.equal(outcome.message, "m.onnx not rebuilt: onnxtext build exited with 2: Usage: onnxtext build [OPTIONS] DOCUMENT");
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { argv, buildArgs, chooseOnnxtext, describe, diffArgs, dumpArgs, lintArgs, lspArgs, serverExecutable } from "../src/command";

test("the onnxtext.command setting wins over the interpreter", () => {
  const chosen = chooseOnnxtext({
    configured: ["/venv/bin/python", "-m", "onnxtext"],
    interpreter: "/usr/bin/python3",
    interpreterHasOnnxtext: true,
  });
  assert.deepEqual(chosen, { program: "/venv/bin/python", prefix: ["-m", "onnxtext"], source: "setting onnxtext.command" });
});

test("a setting of blank strings counts as unset", () => {
  const chosen = chooseOnnxtext({ configured: ["", "  "], interpreter: "/p/python", interpreterHasOnnxtext: true });
  assert.equal(chosen.program, "/p/python");
});

test("the selected interpreter runs python -m onnxtext only when onnxtext is installed in it", () => {
  assert.deepEqual(chooseOnnxtext({ configured: [], interpreter: "/p/python", interpreterHasOnnxtext: true }), {
    program: "/p/python",
    prefix: ["-m", "onnxtext"],
    source: "the Python extension's interpreter",
  });
  assert.deepEqual(chooseOnnxtext({ configured: [], interpreter: "/p/python", interpreterHasOnnxtext: false }), {
    program: "onnxtext",
    prefix: [],
    source: "PATH",
  });
  assert.equal(chooseOnnxtext({ configured: [] }).program, "onnxtext");
});

test("command lines put the prefix before the subcommand", () => {
  const python = chooseOnnxtext({ configured: ["python3", "-m", "onnxtext"] });
  assert.deepEqual(argv(python, ...lspArgs()), ["-m", "onnxtext", "lsp"]);
  assert.deepEqual(argv(chooseOnnxtext({ configured: [] }), ...lspArgs()), ["lsp"]);
});

test("dump replaces a document only when told to", () => {
  assert.deepEqual(dumpArgs("/m/a.onnx", "/m/a.onnx.yaml", false), ["dump", "/m/a.onnx", "-o", "/m/a.onnx.yaml", "-q"]);
  assert.deepEqual(dumpArgs("/m/a.onnx", "/m/a.onnx.yaml", true), [
    "dump",
    "/m/a.onnx",
    "-o",
    "/m/a.onnx.yaml",
    "-q",
    "--force",
  ]);
});

test("build names its output and replaces it; lint and diff pass their files through", () => {
  assert.deepEqual(buildArgs("/m/a.onnx.yaml", "/m/a.onnx"), ["build", "/m/a.onnx.yaml", "-o", "/m/a.onnx", "--force", "-q"]);
  assert.deepEqual(lintArgs(["/m/a.yaml", "/m/models"]), ["lint", "/m/a.yaml", "/m/models"]);
  assert.deepEqual(diffArgs("/m/a.onnx", "/m/a.onnx.yaml"), ["diff", "/m/a.onnx", "/m/a.onnx.yaml"]);
});

test("describe quotes what a shell would split", () => {
  assert.equal(describe(chooseOnnxtext({ configured: ["/my env/bin/python", "-m", "onnxtext"] })), "'/my env/bin/python' -m onnxtext");
  assert.equal(describe(chooseOnnxtext({ configured: ["it's"] })), "'it'\\''s'");
});

test("the server runs over plain stdio: no transport, so the client adds no --stdio that onnxtext lsp would refuse", () => {
  assert.deepEqual(serverExecutable(chooseOnnxtext({ configured: ["/venv/bin/python", "-m", "onnxtext"] })), {
    command: "/venv/bin/python",
    args: ["-m", "onnxtext", "lsp"],
  });
});

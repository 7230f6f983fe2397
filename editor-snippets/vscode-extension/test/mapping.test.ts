import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { documentForModel, isDocument, isModel, modelForDocument, openAction } from "../src/mapping";

test("a model opens as model.onnx.yaml or model.onnx.json beside it", () => {
  assert.equal(documentForModel("/w/models/resnet.onnx", "yaml"), "/w/models/resnet.onnx.yaml");
  assert.equal(documentForModel("/w/models/resnet.onnx", "json"), "/w/models/resnet.onnx.json");
});

test("a document builds the model onnxtext build would write by default", () => {
  assert.equal(modelForDocument("/w/m/resnet.onnx.yaml"), path.join("/w/m", "resnet.onnx"));
  assert.equal(modelForDocument("/w/m/resnet.onnx.yml"), path.join("/w/m", "resnet.onnx"));
  assert.equal(modelForDocument("/w/m/resnet.onnx.json"), path.join("/w/m", "resnet.onnx"));
  assert.equal(modelForDocument("/w/m/squeezenet.yaml"), path.join("/w/m", "squeezenet.onnx"));
  assert.equal(modelForDocument("/w/m/Net.ONNX.YAML"), path.join("/w/m", "Net.onnx"));
  assert.equal(modelForDocument("/w/m/v1.2.onnx.yaml"), path.join("/w/m", "v1.2.onnx"));
  assert.equal(modelForDocument("/w/m/notes.txt"), undefined);
  assert.equal(modelForDocument("/w/m/model.onnx"), undefined);
});

test("the round trip model -> document -> model comes back", () => {
  for (const model of ["/a/b.onnx", "/a/b.c.onnx", "/a/my model.onnx"]) {
    for (const format of ["yaml", "json"] as const) {
      assert.equal(modelForDocument(documentForModel(model, format)), model);
    }
  }
});

test("which files are models and documents", () => {
  assert.ok(isModel("/a/b.onnx") && isModel("/a/B.ONNX"));
  assert.ok(!isModel("/a/b.onnx.yaml"));
  assert.ok(isDocument("/a/b.yaml") && isDocument("/a/b.yml") && isDocument("/a/b.json"));
  assert.ok(!isDocument("/a/b.onnx"));
});

test("open as text dumps only when there is no document, and compares when the model is newer", () => {
  assert.equal(openAction(undefined, 1000), "dump");
  assert.equal(openAction(2000, 1000), "open");
  assert.equal(openAction(1000, 1000), "open");
  assert.equal(openAction(1000, 2000), "compare");
});

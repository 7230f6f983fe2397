// package.json and extension.ts agree: every contributed command is registered, every file it names is one the
// build makes.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";

const root = path.join(__dirname, "..", "..");
const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const source = readFileSync(path.join(root, "src", "extension.ts"), "utf8");

test("every contributed command is registered, and every registered one contributed", () => {
  const contributed = manifest.contributes.commands.map((command: { command: string }) => command.command).sort();
  const registered = [...source.matchAll(/registerCommand\("([\w.]+)"/g)].map((match) => match[1]).sort();
  assert.deepEqual(registered, contributed);
  for (const menu of Object.values(manifest.contributes.menus) as { command: string }[][]) {
    for (const item of menu) {
      assert.ok(contributed.includes(item.command), item.command);
    }
  }
});

test("the schema and snippets the manifest names are the files scripts/assets.mjs writes, packed by .vscodeignore", () => {
  const assets = readFileSync(path.join(root, "scripts", "assets.mjs"), "utf8");
  const packed = readFileSync(path.join(root, ".vscodeignore"), "utf8");
  const named = [
    manifest.main,
    ...manifest.contributes.snippets.map((snippet: { path: string }) => snippet.path),
    ...manifest.contributes.yamlValidation.map((entry: { url: string }) => entry.url),
    ...manifest.contributes.jsonValidation.map((entry: { url: string }) => entry.url),
  ];
  for (const file of named) {
    const relative = path.posix.normalize(file);
    assert.ok(packed.includes(`!${relative}`), `${relative} is left out of the package`);
  }
  assert.match(assets, /"schema", "onnxtext\.schema\.json"/);
  assert.match(assets, /"snippets", "onnxtext\.code-snippets"/);
});

test("the schema covers the same documents as the language server by default", () => {
  const documents: string[] = manifest.contributes.configuration.properties["onnxtext.documents"].default;
  const schemaGlobs = [
    ...manifest.contributes.yamlValidation.flatMap((entry: { fileMatch: string[] }) => entry.fileMatch),
    manifest.contributes.jsonValidation[0].fileMatch,
  ];
  assert.deepEqual(documents, schemaGlobs.map((glob: string) => `**/${glob}`));
});

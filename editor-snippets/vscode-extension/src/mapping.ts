// Which document a model is opened as, and which model a document builds. No `vscode` import.
import * as path from "node:path";

export type TextFormat = "yaml" | "json";

const DOCUMENT = /\.(ya?ml|json)$/i;

/** model.onnx -> model.onnx.yaml: the name VS Code's schema association (`*.onnx.yaml`) and the server's default selector know. */
export function documentForModel(model: string, format: TextFormat): string {
  return `${model}.${format}`;
}

/**
 * The model a document builds: its name with the last extension replaced by `.onnx`, as `onnxtext build` does by
 * default (model.onnx.yaml -> model.onnx, squeezenet.yaml -> squeezenet.onnx). Undefined for a non-document.
 */
export function modelForDocument(document: string): string | undefined {
  if (!DOCUMENT.test(document)) {
    return undefined;
  }
  const { dir, name } = path.parse(document);
  const stem = name.toLowerCase().endsWith(".onnx") ? name.slice(0, -".onnx".length) : name;
  return path.join(dir, `${stem}.onnx`);
}

export function isModel(file: string): boolean {
  return /\.onnx$/i.test(file);
}

export function isDocument(file: string): boolean {
  return DOCUMENT.test(file);
}

export type OpenAction = "dump" | "open" | "compare";

/**
 * What "Open Model as Text" does: dump when there is no document yet; open it when it is at least as new as the
 * model (it holds the user's text, comments included, which a new dump would lose); when the model is newer (built
 * or replaced since), compare the two before deciding (`compare`: same model -> open, different -> ask).
 */
export function openAction(documentMtime: number | undefined, modelMtime: number): OpenAction {
  if (documentMtime === undefined) {
    return "dump";
  }
  return documentMtime >= modelMtime ? "open" : "compare";
}

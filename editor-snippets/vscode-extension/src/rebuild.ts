// When saving a document rebuilds its model, and what to tell the user afterwards. No `vscode` import.
import * as path from "node:path";
import { Problem, parseProblems, plural, summarize } from "./problems";

export type RebuildMode = "openedAsText" | "always" | "never";

export interface SaveContext {
  mode: RebuildMode;
  /** Documents made by "Open Model as Text" (absolute paths). */
  openedAsText: ReadonlySet<string>;
  /** Whether the document matches the `onnxtext.documents` globs. */
  isOnnxtextDocument: boolean;
}

/** The model to rebuild when `document` is saved, or undefined to leave it alone. */
export function modelToRebuild(document: string, modelForDocument: string | undefined, context: SaveContext): string | undefined {
  if (modelForDocument === undefined || context.mode === "never") {
    return undefined;
  }
  const wanted = context.mode === "always" ? context.isOnnxtextDocument : context.openedAsText.has(document);
  return wanted ? modelForDocument : undefined;
}

export interface RebuildOutcome {
  rebuilt: boolean;
  /** What the notification says. */
  message: string;
  problems: Problem[];
}

/**
 * Reads what `onnxtext build` did: it lints first and writes nothing when lint finds an error (exit 1), so a
 * clean lint and a written model are one and the same answer. The message names the first error and its line.
 */
export function rebuildOutcome(model: string, exitCode: number, output: string): RebuildOutcome {
  const problems = parseProblems(output);
  const errors = problems.filter((problem) => problem.severity === "error");
  const warnings = countWarnings(problems);
  const name = path.basename(model);
  if (exitCode === 0) {
    const note = warnings > 0 ? ` (${plural(warnings, "warning")})` : "";
    return { rebuilt: true, message: `Rebuilt ${name}${note}.`, problems };
  }
  if (errors.length > 0) {
    const more = errors.length > 1 ? ` (and ${plural(errors.length - 1, "more error")})` : "";
    return {
      rebuilt: false,
      message: `${name} not rebuilt: lint found ${plural(errors.length, "error")}. ${summarize(errors[0])}${more}`,
      problems,
    };
  }
  const firstLine = output.split(/\r?\n/).find((line) => line.trim() !== "") ?? "no output";
  return { rebuilt: false, message: `${name} not rebuilt: onnxtext build exited with ${exitCode}: ${firstLine}`, problems };
}

/** build counts its warnings in one line: `info L101 96 warnings (N101 x2, R206 x94): run onnxtext lint ...`. */
function countWarnings(problems: Problem[]): number {
  let count = 0;
  for (const problem of problems) {
    const counted = problem.code === "L101" ? /^(\d+) warnings?\b/.exec(problem.message) : null;
    count += counted ? Number(counted[1]) : problem.severity === "warning" ? 1 : 0;
  }
  return count;
}

// Reads the diagnostic lines every onnxtext command prints. No `vscode` import.
import * as path from "node:path";
//
//   model.yaml:412:15: error R201 input 'x' of node 'Relu_7' is produced by no node, ...
//     hint: did you mean 'x0' (produced by node 'Conv_3', line 398)?
//   model.onnx: error C501 ... [at graph.nodes[3]]        (a .onnx has no lines: the element's path instead)
//   out.yaml: error E501 out.yaml already exists          (a file-level problem)
//
// The first two are the patterns of the problem matchers in package.json (a test keeps them equal).

export type Severity = "error" | "warning" | "info";

export interface Problem {
  file: string;
  /** 1-based; absent for a problem on the whole file. */
  line?: number;
  /** 1-based. */
  col?: number;
  severity: Severity;
  code: string;
  message: string;
  /** The element's path in the model, for problems of a .onnx file. */
  path?: string;
  hint?: string;
}

export const LINE_PATTERN = /^(.+?):(\d+):(\d+): (error|warning|info) ([A-Z]+[0-9]+) (.*)$/;
export const FILE_PATTERN = /^(.+?): (error|warning|info) ([A-Z]+[0-9]+) (.*) \[at (.+)\]$/;
const BARE_FILE_PATTERN = /^(.+?): (error|warning|info) ([A-Z]+[0-9]+) (.*)$/;
const HINT_PATTERN = /^\s+hint: (.*)$/;

export function parseProblems(output: string): Problem[] {
  const problems: Problem[] = [];
  for (const line of output.split(/\r?\n/)) {
    const problem = parseLine(line);
    if (problem) {
      problems.push(problem);
      continue;
    }
    const hint = HINT_PATTERN.exec(line);
    if (hint && problems.length > 0 && problems[problems.length - 1].hint === undefined) {
      problems[problems.length - 1].hint = hint[1];
    }
  }
  return problems;
}

function parseLine(line: string): Problem | undefined {
  let m = LINE_PATTERN.exec(line);
  if (m) {
    return {
      file: m[1],
      line: Number(m[2]),
      col: Number(m[3]),
      severity: m[4] as Severity,
      code: m[5],
      message: m[6],
    };
  }
  m = FILE_PATTERN.exec(line);
  if (m) {
    return { file: m[1], severity: m[2] as Severity, code: m[3], message: m[4], path: m[5] };
  }
  m = BARE_FILE_PATTERN.exec(line);
  if (m) {
    return { file: m[1], severity: m[2] as Severity, code: m[3], message: m[4] };
  }
  return undefined;
}

/** One line for a notification: where, code, message. */
export function summarize(problem: Problem): string {
  const where = problem.line !== undefined ? `line ${problem.line}` : problem.path ? `at ${problem.path}` : "";
  return `${where ? `${where}: ` : ""}${problem.code} ${problem.message}`;
}

/** The problems of each file, by absolute path (onnxtext prints the paths it was given, relative to `cwd`). */
export function problemsByFile(problems: Problem[], cwd: string): Map<string, Problem[]> {
  const byFile = new Map<string, Problem[]>();
  for (const problem of problems) {
    const file = path.resolve(cwd, problem.file);
    byFile.set(file, [...(byFile.get(file) ?? []), problem]);
  }
  return byFile;
}

/** `1 error, 92 warnings`; `no problems`. */
export function tally(problems: Problem[]): string {
  const count = (severity: Severity) => problems.filter((problem) => problem.severity === severity).length;
  const parts = (["error", "warning", "info"] as const)
    .map((severity) => [count(severity), severity === "info" ? "note" : severity] as const)
    .filter(([n]) => n > 0)
    .map(([n, word]) => plural(n, word));
  return parts.length > 0 ? parts.join(", ") : "no problems";
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

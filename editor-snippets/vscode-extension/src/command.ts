// Which onnxtext to run, and the command lines of the commands the extension runs.
// No `vscode` import: tested under node.

/** A program and the arguments before the onnxtext subcommand (`python -m onnxtext` -> python, [-m, onnxtext]). */
export interface Onnxtext {
  program: string;
  prefix: string[];
  /** Where it came from, for messages ("setting onnxtext.command", "the Python extension's interpreter", "PATH"). */
  source: string;
}

export interface CommandChoice {
  /** The `onnxtext.command` setting: [] when unset. */
  configured: readonly string[];
  /** The Python extension's selected interpreter, if that extension is there and has one. */
  interpreter?: string;
  /** Whether `interpreter -m onnxtext --version` ran (asked only when there is an interpreter). */
  interpreterHasOnnxtext?: boolean;
}

/**
 * The setting wins; then the selected interpreter, but only when onnxtext is installed in it (a project's
 * interpreter often is not the environment onnxtext lives in); then `onnxtext` on the PATH.
 */
export function chooseOnnxtext(choice: CommandChoice): Onnxtext {
  const configured = choice.configured.filter((part) => part.trim() !== "");
  if (configured.length > 0) {
    return { program: configured[0], prefix: configured.slice(1), source: "setting onnxtext.command" };
  }
  if (choice.interpreter && choice.interpreterHasOnnxtext) {
    return { program: choice.interpreter, prefix: ["-m", "onnxtext"], source: "the Python extension's interpreter" };
  }
  return { program: "onnxtext", prefix: [], source: "PATH" };
}

/** The full argument list for one subcommand. */
export function argv(onnxtext: Onnxtext, ...args: string[]): string[] {
  return [...onnxtext.prefix, ...args];
}

export function describe(onnxtext: Onnxtext): string {
  return [onnxtext.program, ...onnxtext.prefix].map(quote).join(" ");
}

function quote(part: string): string {
  return /^[\w./:=+-]+$/.test(part) ? part : `'${part.replace(/'/g, "'\\''")}'`;
}

export const lspArgs = (): string[] => ["lsp"];

/**
 * How the language client starts the server: plain stdin/stdout. No `transport: stdio`, which would make
 * vscode-languageclient append `--stdio`, an option `onnxtext lsp` does not take (it exits with a usage error).
 */
export function serverExecutable(onnxtext: Onnxtext): { command: string; args: string[] } {
  return { command: onnxtext.program, args: argv(onnxtext, ...lspArgs()) };
}

export const probeArgs = (): string[] => ["--version"];

/** `dump`, with `--force` only when the user agreed to replace the document (dump refuses otherwise). */
export function dumpArgs(model: string, document: string, force: boolean): string[] {
  return ["dump", model, "-o", document, "-q", ...(force ? ["--force"] : [])];
}

/** `build` always names its output: the model the document maps to, replaced (as the build task does). */
export function buildArgs(document: string, model: string): string[] {
  return ["build", document, "-o", model, "--force", "-q"];
}

export function lintArgs(targets: readonly string[]): string[] {
  return ["lint", ...targets];
}

export function diffArgs(a: string, b: string): string[] {
  return ["diff", a, b];
}

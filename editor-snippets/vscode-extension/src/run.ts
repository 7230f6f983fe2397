// Runs onnxtext (or git) and collects what it printed. No `vscode` import.
import { spawn } from "node:child_process";
import { Onnxtext, argv, describe } from "./command";

export interface RunResult {
  /** The exit code; -1 when the program could not be started. */
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function runOnnxtext(onnxtext: Onnxtext, args: string[], cwd?: string): Promise<RunResult> {
  return runProgram(onnxtext.program, argv(onnxtext, ...args), cwd, `${describe(onnxtext)} (from ${onnxtext.source})`);
}

/** `program args` in `cwd`; `name` says what could not be started. */
export function runProgram(program: string, args: string[], cwd?: string, name: string = program): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { cwd, shell: false });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error) => resolve({ exitCode: -1, stdout: "", stderr: `could not start ${name}: ${error.message}` }));
    child.on("close", (code) =>
      resolve({
        exitCode: code ?? -1,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      }),
    );
  });
}

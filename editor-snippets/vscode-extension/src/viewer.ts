// The picture server the graph views frame: `onnxtext view --editor`, one per window, started with the first view.
// No `vscode` import.
import { ChildProcess, spawn } from "node:child_process";
import { Onnxtext, argv, describe } from "./command";
import { pageAddress } from "./graph";

export const viewerArgs = (): string[] => ["view", "--editor"];

export interface Viewer {
  /** onnxtext's page, with the server's token. */
  page: string;
  /** Stops the server: its standard input closes, which it waits for (it also goes if the extension host dies). */
  stop(): void;
  /** Resolves when the server has exited. */
  exited: Promise<void>;
}

/** Starts the server and resolves with its page's address, or rejects with what it said (no Model Explorer: E801). */
export function startViewer(onnxtext: Onnxtext, onExit: (stderr: string) => void = () => undefined): Promise<Viewer> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(onnxtext.program, argv(onnxtext, ...viewerArgs()), { stdio: ["pipe", "pipe", "pipe"] });
    } catch (error) {
      reject(new Error(`could not start ${describe(onnxtext)}: ${String(error)}`));
      return;
    }
    let printed = "";
    let said = "";
    let started = false;
    const exited = new Promise<void>((done) => child.on("close", () => done()));
    child.stdout?.on("data", (chunk: Buffer) => {
      printed += chunk.toString("utf8");
      const page = pageAddress(printed);
      if (page && !started) {
        started = true;
        resolve({ page, stop: () => child.stdin?.end(), exited });
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => (said += chunk.toString("utf8")));
    child.on("error", (error) => reject(new Error(`could not start ${describe(onnxtext)} (from ${onnxtext.source}): ${error.message}`)));
    child.on("close", (code) => {
      if (!started) {
        const first = said.split(/\r?\n/).filter((line) => line.trim() !== "");
        reject(new Error(first.join(" ") || `${describe(onnxtext)} ${viewerArgs().join(" ")} exited with ${code}`));
      } else {
        onExit(said);
      }
    });
  });
}

// The graph view's plumbing: the language server's request, the messages between the extension and the page in
// the webview, where a selection in the graph puts the cursor, and the webview's HTML. No `vscode` import.
//
// Who talks to whom: the extension asks the language server for `onnxtext/graph` and hands the answer to the
// webview; the webview frames onnxtext's page, served by `onnxtext view --editor` on 127.0.0.1 (Model Explorer's
// app cannot run from a webview's own files: its worker must come from the page's origin), and only relays
// messages between the extension and that page; the page draws the graphs in Model Explorer's app.
import * as path from "node:path";

export const GRAPH_REQUEST = "onnxtext/graph";

/** A position as LSP counts it (0-based line, UTF-16 character). */
export interface Position {
  line: number;
  character: number;
}

export interface GraphParams {
  textDocument: { uri: string };
  position?: Position;
  against?: string;
}

/** The params of `onnxtext/graph`: the cursor's node comes back as `cursor`, `against` (HEAD's text) asks for the changes. */
export function graphParams(uri: string, position?: Position, against?: string): GraphParams {
  return {
    textDocument: { uri },
    ...(position ? { position } : {}),
    ...(against !== undefined ? { against } : {}),
  };
}

/** What the page needs of the language server's answer (the rest it takes as it is). */
export interface GraphAnswer {
  kind: "view" | "diff";
  title: string;
  collections: unknown[];
  panes: { label: string; graph: number; spans: Record<string, [number, number]> }[];
  /** The pane that shows the document (a diff's second: HEAD's is the first). */
  editing: number;
  cursor: string | null;
}

/** What the language server answered: a graph, an error to say, or nothing (the document is not one of its). */
export type Answer = { graph: GraphAnswer } | { error: string } | { missing: true };

export function readAnswer(answer: unknown): Answer {
  if (answer === null || typeof answer !== "object") {
    return { missing: true };
  }
  const fields = answer as Record<string, unknown>;
  if (typeof fields.error === "string") {
    return { error: fields.error };
  }
  if (!Array.isArray(fields.collections) || !Array.isArray(fields.panes) || typeof fields.editing !== "number") {
    return { error: "the language server's answer to onnxtext/graph has no graph (is it an older onnxtext?)" };
  }
  return { graph: answer as GraphAnswer };
}

// --- messages ------------------------------------------------------------------------------------------------

/** The extension to the page: a graph to show (again, after an edit), or the line (1-based) of the cursor. */
export type ToPage = { type: "onnxtext-show"; session: GraphAnswer } | { type: "onnxtext-cursor"; line: number };

export interface Picked {
  pane: number;
  id: string;
  /** The node's first and last line (1-based) in its pane's text; null for a node without lines. */
  lines: [number, number] | null;
}

/** The page to the extension: it is ready for a graph (again, when the webview was reloaded), or a node was selected. */
export type FromPage = { type: "onnxtext-page-ready" } | ({ type: "onnxtext-selected"; partner: Picked | null } & Picked);

/** A message from the webview, checked (it comes from a page of another origin): undefined when it is none of ours. */
export function readPageMessage(data: unknown): FromPage | undefined {
  if (data === null || typeof data !== "object") {
    return undefined;
  }
  const message = data as Record<string, unknown>;
  if (message.type === "onnxtext-page-ready") {
    return { type: "onnxtext-page-ready" };
  }
  if (message.type !== "onnxtext-selected") {
    return undefined;
  }
  const picked = readPicked(message);
  if (!picked) {
    return undefined;
  }
  const partner = message.partner === null || message.partner === undefined ? null : readPicked(message.partner);
  return { type: "onnxtext-selected", ...picked, partner: partner ?? null };
}

function readPicked(data: unknown): Picked | undefined {
  if (data === null || typeof data !== "object") {
    return undefined;
  }
  const { pane, id, lines } = data as Record<string, unknown>;
  if (!Number.isInteger(pane) || typeof id !== "string") {
    return undefined;
  }
  const placed = Array.isArray(lines) && lines.length === 2 && lines.every((line) => Number.isInteger(line) && line > 0);
  return { pane: pane as number, id, lines: placed ? [lines[0], lines[1]] : null };
}

/**
 * The line (1-based) to put the cursor on when the page says a node was selected: the node's first line when it is
 * in the document's pane, else its partner's (a node of HEAD's version that the document still has); undefined when
 * the cursor is in that node already (the page selected it because the cursor moved there) or it has no line here.
 */
export function cursorLineFor(picked: Extract<FromPage, { type: "onnxtext-selected" }>, editing: number, cursorLine: number): number | undefined {
  const here = picked.pane === editing ? picked : picked.partner?.pane === editing ? picked.partner : undefined;
  if (!here?.lines) {
    return undefined;
  }
  const [first, last] = here.lines;
  return cursorLine >= first && cursorLine <= last ? undefined : first;
}

// --- the page and the webview -----------------------------------------------------------------------------

/** The page's address in what `onnxtext view --editor` prints first. */
export function pageAddress(printed: string): string | undefined {
  return printed.match(/^(http:\/\/127\.0\.0\.1:\d+\/onnxtext\/page\?token=[\w-]+)\s*$/m)?.[1];
}

/**
 * The address the webview frames. `external` is what the editor made of the server's origin for the machine that
 * runs the webview (`vscode.env.asExternalUri`): the same address on a desktop, a forwarded port in a remote window.
 * Model Explorer's app asks for its files from the root of its origin, so a forwarded address with a path of its
 * own (code-server's /proxy/PORT/) cannot serve it; then the page's own address is framed, which a browser on the
 * machine that runs code-server reaches.
 */
export function frameAddress(page: string, external: string): string {
  const from = new URL(page);
  const to = new URL(external);
  if (to.pathname !== "/" || to.search !== "") {
    return page;
  }
  return `${to.origin}${from.pathname}${from.search}`;
}

/** A webview that frames the page and relays messages: the extension's to the page, the page's to the extension. */
export function webviewHtml(frame: string, nonce: string, title: string): string {
  const origin = new URL(frame).origin;
  const csp = `default-src 'none'; frame-src ${origin}; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<style>html, body, iframe { margin: 0; padding: 0; border: 0; width: 100%; height: 100%; overflow: hidden; display: block; }</style>
</head>
<body>
<iframe id="page" src="${escapeHtml(frame)}" title="${escapeHtml(title)}"></iframe>
<script nonce="${nonce}">
(() => {
  const vscode = acquireVsCodeApi();
  const page = document.getElementById("page");
  window.addEventListener("message", (event) => {
    if (event.source === page.contentWindow) {
      vscode.postMessage(event.data);
    } else if (event.origin === window.location.origin) {
      // the extension's, posted by the webview's host (VS Code's script hides the real window.parent)
      page.contentWindow.postMessage(event.data, ${JSON.stringify(origin)});
    }
  });
})();
</script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// --- git and timing ------------------------------------------------------------------------------------------

/** `git show` of the committed version of `file`, run in its folder (`HEAD:./name` is relative to it). */
export function headVersionArgs(file: string): { cwd: string; args: string[] } {
  return { cwd: path.dirname(file), args: ["show", `HEAD:./${path.basename(file)}`] };
}

/** Runs the last of calls that come closer together than `wait` ms (the cursor while it moves, edits while typing). */
export class Debouncer {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly wait: number) {}

  run(action: () => void): void {
    this.cancel();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      action();
    }, this.wait);
  }

  cancel(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}

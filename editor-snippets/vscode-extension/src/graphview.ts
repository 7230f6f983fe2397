// "onnxtext: Show Graph" and "onnxtext: Show Changes": a webview beside the document that frames onnxtext's page
// (served by `onnxtext view --editor`) and hands it the language server's graph; the cursor selects its node, a node
// selected in the graph moves the cursor, and an edit shows up after a pause. The decisions live in graph.ts.
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import * as vscode from "vscode";
import { LanguageClient } from "vscode-languageclient/node";
import { Onnxtext } from "./command";
import {
  Debouncer,
  GRAPH_REQUEST,
  GraphAnswer,
  ToPage,
  cursorLineFor,
  frameAddress,
  graphParams,
  headVersionArgs,
  readAnswer,
  readPageMessage,
  webviewHtml,
} from "./graph";
import { runProgram } from "./run";
import { Viewer, startViewer } from "./viewer";

export type GraphKind = "graph" | "changes";

/** What the views need of the rest of the extension. */
export interface GraphHost {
  onnxtext(resource: vscode.Uri): Promise<Onnxtext>;
  /** Whether the language server reads `document` (setting onnxtext.documents). */
  isDocument(document: vscode.TextDocument): boolean;
  /** The language client that looks after `document` (started if need be); undefined when it could not start. */
  client(document: vscode.TextDocument): Promise<LanguageClient | undefined>;
  output: vscode.LogOutputChannel;
}

/** ms: the cursor selects its node once it rests; an edit is drawn once typing pauses (the server reads it first). */
const CURSOR_WAIT = 150;
const EDIT_WAIT = 400;

/** The open graph views, and the one picture server they share (it goes with the last view). */
export class GraphViews implements vscode.Disposable {
  private readonly views = new Map<string, GraphView>();
  private viewer: Promise<Viewer> | undefined;
  private readonly listeners: vscode.Disposable[];

  constructor(private readonly host: GraphHost) {
    this.listeners = [
      vscode.window.onDidChangeTextEditorSelection((event) =>
        this.viewsOf(event.textEditor.document).forEach((view) => view.cursorMoved(event.textEditor)),
      ),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length > 0) {
          this.viewsOf(event.document).forEach((view) => view.edited());
        }
      }),
    ];
  }

  async show(kind: GraphKind): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !this.host.isDocument(editor.document)) {
      void vscode.window.showInformationMessage(
        "onnxtext: open an onnxtext document (model.onnx.yaml, or a file the setting onnxtext.documents names) to see its graph.",
      );
      return;
    }
    const key = `${kind} ${editor.document.uri.toString()}`;
    const open = this.views.get(key);
    if (open) {
      open.panel.reveal(undefined, true);
      return;
    }
    if (kind === "changes") {
      const head = await headText(editor.document.uri.fsPath);
      if ("error" in head) {
        void vscode.window.showWarningMessage(`onnxtext: no committed version of ${path.basename(editor.document.fileName)}: ${head.error}`);
        return;
      }
    }
    let frame: string;
    try {
      frame = await this.frame(editor.document.uri);
    } catch (error) {
      void vscode.window.showErrorMessage(`onnxtext: the graph view needs \`onnxtext view --editor\`: ${(error as Error).message}`);
      return;
    }
    const view = new GraphView(kind, editor, frame, this.host, () => {
      this.views.delete(key);
      if (this.views.size === 0) {
        this.stopViewer();
      }
    });
    this.views.set(key, view);
  }

  dispose(): void {
    this.listeners.forEach((listener) => listener.dispose());
    [...this.views.values()].forEach((view) => view.panel.dispose());
    this.stopViewer();
  }

  private viewsOf(document: vscode.TextDocument): GraphView[] {
    return [...this.views.values()].filter((view) => view.uri === document.uri.toString());
  }

  /** The page's address as the webview reaches it (the server started with the first view). */
  private async frame(resource: vscode.Uri): Promise<string> {
    if (!this.viewer) {
      const starting = this.host.onnxtext(resource).then((onnxtext) =>
        startViewer(onnxtext, (said) => {
          this.host.output.appendLine(`onnxtext view --editor stopped${said ? `: ${said}` : ""}`);
          if (this.viewer === starting) {
            this.viewer = undefined;
          }
        }),
      );
      this.viewer = starting;
      starting.catch(() => {
        if (this.viewer === starting) {
          this.viewer = undefined;
        }
      });
    }
    const { page } = await this.viewer;
    const external = await vscode.env.asExternalUri(vscode.Uri.parse(`${new URL(page).origin}/`));
    return frameAddress(page, external.toString(true));
  }

  private stopViewer(): void {
    const viewer = this.viewer;
    this.viewer = undefined;
    void viewer?.then((running) => running.stop()).catch(() => undefined);
  }
}

/** One webview: the graph of a document, or its changes since git HEAD. */
class GraphView {
  readonly panel: vscode.WebviewPanel;
  readonly uri: string;
  private readonly document: vscode.TextDocument;
  private column: vscode.ViewColumn | undefined;
  private session: GraphAnswer | undefined;
  private pageReady = false;
  private asked = 0;
  private warned: string | undefined;
  private readonly cursor = new Debouncer(CURSOR_WAIT);
  private readonly edits = new Debouncer(EDIT_WAIT);

  constructor(
    private readonly kind: GraphKind,
    editor: vscode.TextEditor,
    frame: string,
    private readonly host: GraphHost,
    onClose: () => void,
  ) {
    this.document = editor.document;
    this.uri = editor.document.uri.toString();
    this.column = editor.viewColumn;
    const name = path.basename(editor.document.fileName);
    const title = kind === "graph" ? `Graph: ${name}` : `Changes: ${name} since HEAD`;
    this.panel = vscode.window.createWebviewPanel(
      "onnxtext.graph",
      title,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      // the app keeps its layout while the tab is hidden (laying out a big graph again takes seconds)
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [] },
    );
    this.panel.webview.html = webviewHtml(frame, randomBytes(16).toString("base64"), title);
    this.panel.webview.onDidReceiveMessage((data) => void this.fromPage(data));
    this.panel.onDidDispose(() => {
      this.cursor.cancel();
      this.edits.cancel();
      onClose();
    });
    void this.refresh();
  }

  cursorMoved(editor: vscode.TextEditor): void {
    this.column = editor.viewColumn ?? this.column;
    this.cursor.run(() => this.post({ type: "onnxtext-cursor", line: editor.selection.active.line + 1 }));
  }

  edited(): void {
    this.edits.run(() => void this.refresh());
  }

  /** Asks the language server for the graph (of the version it has read) and hands it to the page. */
  private async refresh(): Promise<void> {
    const ticket = ++this.asked;
    const client = await this.host.client(this.document);
    if (!client) {
      return; // the extension has said why the server did not start
    }
    let against: string | undefined;
    if (this.kind === "changes") {
      const head = await headText(this.document.uri.fsPath);
      if ("error" in head) {
        this.warn(`onnxtext: no committed version of ${path.basename(this.document.fileName)}: ${head.error}`);
        return;
      }
      against = head.text;
    }
    const cursor = this.editor()?.selection.active;
    const params = graphParams(this.uri, cursor && { line: cursor.line, character: cursor.character }, against);
    let answer: unknown;
    try {
      answer = await client.sendRequest(GRAPH_REQUEST, params);
    } catch (error) {
      this.host.output.appendLine(`${GRAPH_REQUEST} failed: ${String(error)}`);
      return;
    }
    if (ticket !== this.asked) {
      return; // a newer request is on its way
    }
    const read = readAnswer(answer);
    if ("error" in read || "missing" in read) {
      const why = "error" in read ? read.error : "the language server has no version of it that parses";
      this.warn(`onnxtext: no graph of ${path.basename(this.document.fileName)}: ${why}`);
    } else {
      this.warned = undefined;
      this.session = read.graph;
      if (this.pageReady) {
        this.post({ type: "onnxtext-show", session: read.graph });
      }
    }
  }

  private async fromPage(data: unknown): Promise<void> {
    const message = readPageMessage(data);
    if (message?.type === "onnxtext-page-ready") {
      this.pageReady = true;
      if (this.session) {
        this.post({ type: "onnxtext-show", session: this.session });
      }
    } else if (message?.type === "onnxtext-selected" && this.session) {
      const editor = this.editor();
      const line = cursorLineFor(message, this.session.editing, editor ? editor.selection.active.line + 1 : 0);
      if (line !== undefined) {
        await this.moveCursor(line);
      }
    }
  }

  /** Puts the cursor at the start of `line` (1-based) in the document's editor, shown and focused. */
  private async moveCursor(line: number): Promise<void> {
    const editor = await vscode.window.showTextDocument(this.document, { viewColumn: this.editor()?.viewColumn ?? this.column });
    const target = this.document.lineAt(Math.min(line, this.document.lineCount) - 1);
    const position = new vscode.Position(target.lineNumber, target.firstNonWhitespaceCharacterIndex);
    editor.selection = new vscode.Selection(position, position);
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /** Says `message` once while it stays the same (each pause in typing asks again), keeping the last graph shown. */
  private warn(message: string): void {
    if (message !== this.warned) {
      this.warned = message;
      void vscode.window.showWarningMessage(message);
    }
  }

  private editor(): vscode.TextEditor | undefined {
    return vscode.window.visibleTextEditors.find((editor) => editor.document.uri.toString() === this.uri);
  }

  private post(message: ToPage): void {
    void this.panel.webview.postMessage(message);
  }
}

/** The document's committed version (`git show HEAD:./name` in its folder), or why there is none. */
async function headText(file: string): Promise<{ text: string } | { error: string }> {
  const { cwd, args } = headVersionArgs(file);
  const result = await runProgram("git", args, cwd);
  if (result.exitCode !== 0) {
    return { error: result.stderr.trim().split(/\r?\n/)[0] || `git exited with ${result.exitCode}` };
  }
  return { text: result.stdout };
}

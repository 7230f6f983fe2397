// The VS Code side: starts `onnxtext lsp`, runs the commands, rebuilds a model when its document is saved, shows
// graphs (graphview.ts).
// Everything that decides something lives in the modules it imports (tested under node); this file wires them
// to the editor.
import * as fs from "node:fs/promises";
import * as path from "node:path";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions } from "vscode-languageclient/node";
import {
  Onnxtext,
  buildArgs,
  chooseOnnxtext,
  describe,
  diffArgs,
  dumpArgs,
  lintArgs,
  probeArgs,
  serverExecutable,
} from "./command";
import { GraphViews } from "./graphview";
import { TextFormat, documentForModel, isDocument, isModel, modelForDocument, openAction } from "./mapping";
import { Problem, parseProblems, plural, problemsByFile, tally } from "./problems";
import { RebuildMode, modelToRebuild, rebuildOutcome } from "./rebuild";
import { RunResult, runOnnxtext } from "./run";

const OPENED_AS_TEXT = "onnxtext.openedAsText";

let client: LanguageClient | undefined;
let starting: Promise<void> | undefined;
/** Set when the server did not start: it is not tried again (with the same error) until a restart. */
let serverFailed = false;
let output: vscode.LogOutputChannel;
/** What lint and build printed, for the files the language server does not already show. */
let cliProblems: vscode.DiagnosticCollection;
let state: vscode.Memento;
const interpreterHasOnnxtext = new Map<string, Promise<boolean>>();
const rebuilding = new Map<string, Promise<void>>();
const saveAgain = new Set<string>();
const builtByCommand = new Set<string>();

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("onnxtext", { log: true });
  cliProblems = vscode.languages.createDiagnosticCollection("onnxtext-cli");
  state = context.workspaceState;
  const graphs = new GraphViews({
    onnxtext: resolveOnnxtext,
    isDocument: isOnnxtextDocument,
    client: async (document) => {
      await startServerFor(document);
      return client;
    },
    output,
  });
  context.subscriptions.push(
    output,
    cliProblems,
    graphs,
    vscode.commands.registerCommand("onnxtext.openAsText", openAsText),
    vscode.commands.registerCommand("onnxtext.dump", dump),
    vscode.commands.registerCommand("onnxtext.build", build),
    vscode.commands.registerCommand("onnxtext.lint", lint),
    vscode.commands.registerCommand("onnxtext.diff", diff),
    vscode.commands.registerCommand("onnxtext.showGraph", () => graphs.show("graph")),
    vscode.commands.registerCommand("onnxtext.showChanges", () => graphs.show("changes")),
    vscode.commands.registerCommand("onnxtext.restartServer", restartServer),
    vscode.workspace.onDidOpenTextDocument((document) => void startServerFor(document)),
    vscode.workspace.onDidSaveTextDocument((document) => void rebuildOnSave(document)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("onnxtext.command") || event.affectsConfiguration("onnxtext.documents")) {
        interpreterHasOnnxtext.clear();
        void restartServer();
      }
    }),
  );
  for (const document of vscode.workspace.textDocuments) {
    void startServerFor(document);
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

function settings(resource?: vscode.Uri): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration("onnxtext", resource);
}

// --- which onnxtext ------------------------------------------------------------------------------------------

async function resolveOnnxtext(resource?: vscode.Uri): Promise<Onnxtext> {
  const configured = settings(resource).get<string[]>("command", []);
  if (configured.some((part) => part.trim() !== "")) {
    return chooseOnnxtext({ configured });
  }
  const interpreter = await pythonInterpreter(resource);
  const has = interpreter !== undefined && (await probe(interpreter));
  return chooseOnnxtext({ configured, interpreter, interpreterHasOnnxtext: has });
}

/** The Python extension's selected interpreter (new API, then the older one), if that extension is installed. */
async function pythonInterpreter(resource?: vscode.Uri): Promise<string | undefined> {
  const extension = vscode.extensions.getExtension("ms-python.python");
  if (!extension) {
    return undefined;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const api: any = extension.isActive ? extension.exports : await extension.activate();
    const active = api?.environments?.getActiveEnvironmentPath?.(resource);
    if (typeof active?.path === "string") {
      return active.path;
    }
    const command = api?.settings?.getExecutionDetails?.(resource)?.execCommand;
    return Array.isArray(command) && typeof command[0] === "string" ? command[0] : undefined;
  } catch (error) {
    output.appendLine(`the Python extension gave no interpreter: ${String(error)}`);
    return undefined;
  }
}

function probe(interpreter: string): Promise<boolean> {
  let answer = interpreterHasOnnxtext.get(interpreter);
  if (!answer) {
    const candidate: Onnxtext = { program: interpreter, prefix: ["-m", "onnxtext"], source: "probe" };
    answer = runOnnxtext(candidate, probeArgs()).then((result) => result.exitCode === 0);
    interpreterHasOnnxtext.set(interpreter, answer);
  }
  return answer;
}

// --- the language server -------------------------------------------------------------------------------------

function documentSelector(): { scheme: string; pattern: string }[] {
  return settings()
    .get<string[]>("documents", [])
    .map((pattern) => ({ scheme: "file", pattern }));
}

function isOnnxtextDocument(document: vscode.TextDocument): boolean {
  return vscode.languages.match(documentSelector(), document) > 0;
}

/** The server starts with the first onnxtext document opened, so other YAML/JSON projects never run it. */
async function startServerFor(document: vscode.TextDocument): Promise<void> {
  if (!client && !starting && !serverFailed && isOnnxtextDocument(document)) {
    starting = startServer().finally(() => (starting = undefined));
  }
  await starting;
}

async function startServer(): Promise<void> {
  const onnxtext = await resolveOnnxtext();
  const serverOptions: ServerOptions = serverExecutable(onnxtext);
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(),
    outputChannel: output,
    // not "onnxtext", the problem matchers' owner: markers of one owner replace each other, so a lint task
    // would wipe the server's diagnostics (seen in code-server)
    diagnosticCollectionName: "onnxtext-lsp",
  };
  client = new LanguageClient("onnxtext", "onnxtext language server", serverOptions, clientOptions);
  output.appendLine(`starting ${describe(onnxtext)} lsp (onnxtext from ${onnxtext.source})`);
  try {
    await client.start();
  } catch (error) {
    client = undefined;
    serverFailed = true;
    const choice = await vscode.window.showErrorMessage(
      `onnxtext: the language server (${describe(onnxtext)} lsp) did not start: ${String(error)}. ` +
        "Install onnxtext in the selected Python environment, or set onnxtext.command.",
      "Open Settings",
    );
    if (choice) {
      void vscode.commands.executeCommand("workbench.action.openSettings", "onnxtext.command");
    }
  }
}

async function restartServer(): Promise<void> {
  await starting;
  const running = client;
  client = undefined;
  serverFailed = false;
  await running?.stop();
  for (const document of vscode.workspace.textDocuments) {
    await startServerFor(document);
  }
}

// --- commands ------------------------------------------------------------------------------------------------

/** The file a command acts on: the explorer's selection, else the active editor's document, else a picker. */
async function target(uri: unknown, filters: Record<string, string[]>, accept: (file: string) => boolean) {
  if (uri instanceof vscode.Uri) {
    return uri;
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && active.scheme === "file" && accept(active.fsPath)) {
    return active;
  }
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters });
  return picked?.[0];
}

const MODELS = { "ONNX models": ["onnx"] };
const DOCUMENTS = { "onnxtext documents": ["yaml", "yml", "json"] };
const ANY = { "Models and documents": ["onnx", "yaml", "yml", "json"] };

async function openAsText(uri?: unknown): Promise<void> {
  const model = await target(uri, MODELS, isModel);
  if (!model) {
    return;
  }
  const format = settings(model).get<TextFormat>("textFormat", "yaml");
  const document = documentForModel(model.fsPath, format);
  const action = openAction(await mtime(document), (await mtime(model.fsPath)) ?? 0);
  let dumpIt = action === "dump";
  if (action === "compare") {
    const compared = await runWithProgress(`comparing ${path.basename(model.fsPath)}`, model, diffArgs(model.fsPath, document));
    if (compared.exitCode === 1) {
      const again = "Dump Again";
      const choice = await vscode.window.showWarningMessage(
        `${path.basename(model.fsPath)} changed since ${path.basename(document)} was written.`,
        again,
        "Open the Document As It Is",
      );
      if (choice === undefined) {
        return;
      }
      dumpIt = choice === again;
    }
  }
  if (dumpIt) {
    const result = await runWithProgress(`dumping ${path.basename(model.fsPath)}`, model, dumpArgs(model.fsPath, document, action !== "dump"));
    if (result.exitCode !== 0) {
      return reportFailure(`could not dump ${path.basename(model.fsPath)}`, result);
    }
  }
  await rememberOpenedAsText(document);
  await vscode.window.showTextDocument(vscode.Uri.file(document));
}

async function dump(uri?: unknown): Promise<void> {
  const model = await target(uri, MODELS, isModel);
  if (!model) {
    return;
  }
  const format = settings(model).get<TextFormat>("textFormat", "yaml");
  const chosen = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.file(documentForModel(model.fsPath, format)),
    filters: { YAML: ["yaml", "yml"], JSON: ["json"] },
  });
  if (!chosen) {
    return;
  }
  // the save dialog has asked whether to replace an existing file
  const exists = (await mtime(chosen.fsPath)) !== undefined;
  const result = await runWithProgress(`dumping ${path.basename(model.fsPath)}`, model, dumpArgs(model.fsPath, chosen.fsPath, exists));
  if (result.exitCode !== 0) {
    return reportFailure(`could not dump ${path.basename(model.fsPath)}`, result);
  }
  if ((await vscode.window.showInformationMessage(`Wrote ${path.basename(chosen.fsPath)}.`, "Open")) === "Open") {
    await vscode.window.showTextDocument(chosen);
  }
}

async function build(uri?: unknown): Promise<void> {
  const document = await target(uri, DOCUMENTS, isDocument);
  const model = document && modelForDocument(document.fsPath);
  if (!document || !model) {
    return;
  }
  const open = vscode.workspace.textDocuments.find((doc) => doc.uri.fsPath === document.fsPath);
  if (open?.isDirty) {
    builtByCommand.add(document.fsPath);
    try {
      await open.save();
    } finally {
      builtByCommand.delete(document.fsPath);
    }
  }
  await rebuild(document, model, true);
}

async function lint(uri?: unknown, selected?: unknown): Promise<void> {
  let targets: string[];
  if (Array.isArray(selected) && selected.length > 0) {
    targets = selected.filter((item): item is vscode.Uri => item instanceof vscode.Uri).map((item) => item.fsPath);
  } else if (uri instanceof vscode.Uri) {
    targets = [uri.fsPath];
  } else {
    const active = vscode.window.activeTextEditor?.document;
    targets =
      active && active.uri.scheme === "file" && isDocument(active.fileName)
        ? [active.fileName]
        : (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath);
  }
  if (targets.length === 0) {
    return void vscode.window.showInformationMessage("onnxtext: open a document or a folder to lint.");
  }
  const onnxtext = await resolveOnnxtext(vscode.Uri.file(targets[0]));
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? path.dirname(targets[0]);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `onnxtext: linting ${targets.map((file) => path.basename(file)).join(", ")}` },
    () => runOnnxtext(onnxtext, lintArgs(targets), cwd),
  );
  log(`${describe(onnxtext)} ${lintArgs(targets).join(" ")}`, result);
  if (result.exitCode !== 0 && result.exitCode !== 1) {
    return reportFailure("lint did not run", result);
  }
  const problems = parseProblems(result.stdout + result.stderr);
  cliProblems.forEach((uri) => {
    if (targets.some((target) => uri.fsPath === target || uri.fsPath.startsWith(target + path.sep))) {
      cliProblems.delete(uri);
    }
  });
  showProblems(problems, cwd);
  const message = `onnxtext lint: ${tally(problems)} in ${plural(problemsByFile(problems, cwd).size, "file")}.`;
  const show = result.exitCode === 1 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(message, "Show Problems").then((choice) => {
    if (choice) {
      void vscode.commands.executeCommand("workbench.actions.view.problems");
    }
  });
}

async function diff(uri?: unknown, selected?: unknown): Promise<void> {
  const pair = Array.isArray(selected) ? selected.filter((item): item is vscode.Uri => item instanceof vscode.Uri) : [];
  let a: vscode.Uri | undefined;
  let b: vscode.Uri | undefined;
  if (pair.length === 2) {
    [a, b] = pair;
  } else {
    a = await target(uri, ANY, (file) => isModel(file) || isDocument(file));
    const counterpart = a && (isModel(a.fsPath) ? undefined : modelForDocument(a.fsPath));
    const picked =
      a &&
      (await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: ANY,
        defaultUri: counterpart ? vscode.Uri.file(counterpart) : a,
        openLabel: `Compare with ${path.basename(a.fsPath)}`,
      }));
    b = picked?.[0];
  }
  if (!a || !b) {
    return;
  }
  const result = await runWithProgress(`comparing ${path.basename(a.fsPath)} and ${path.basename(b.fsPath)}`, a, diffArgs(a.fsPath, b.fsPath));
  if (result.exitCode !== 0 && result.exitCode !== 1) {
    return reportFailure("could not compare the models", result);
  }
  const shown = await vscode.workspace.openTextDocument({ content: result.stdout, language: "plaintext" });
  await vscode.window.showTextDocument(shown, { preview: true });
}

// --- rebuild on save -----------------------------------------------------------------------------------------

async function rebuildOnSave(document: vscode.TextDocument): Promise<void> {
  if (document.uri.scheme !== "file" || builtByCommand.has(document.fileName)) {
    return;
  }
  const model = modelToRebuild(document.fileName, modelForDocument(document.fileName), {
    mode: settings(document.uri).get<RebuildMode>("rebuildOnSave", "openedAsText"),
    openedAsText: new Set(state.get<string[]>(OPENED_AS_TEXT, [])),
    isOnnxtextDocument: isOnnxtextDocument(document),
  });
  if (!model) {
    return;
  }
  // one build at a time per document; a save during a build asks for one more afterwards
  if (rebuilding.has(document.fileName)) {
    saveAgain.add(document.fileName);
    return;
  }
  const run = (async () => {
    do {
      saveAgain.delete(document.fileName);
      await rebuild(document.uri, model, false);
    } while (saveAgain.has(document.fileName));
  })();
  rebuilding.set(document.fileName, run);
  try {
    await run;
  } finally {
    rebuilding.delete(document.fileName);
  }
}

/** Builds `model` from `document`; `asked` (the Build command) says so in a notification, a save in the status bar. */
async function rebuild(document: vscode.Uri, model: string, asked: boolean): Promise<void> {
  const onnxtext = await resolveOnnxtext(document);
  const status = vscode.window.setStatusBarMessage(`$(sync~spin) onnxtext: building ${path.basename(model)}`);
  const result = await runOnnxtext(onnxtext, buildArgs(document.fsPath, model), path.dirname(document.fsPath));
  status.dispose();
  log(`${describe(onnxtext)} ${buildArgs(document.fsPath, model).join(" ")}`, result);
  if (result.exitCode === -1) {
    void reportFailure(`${path.basename(model)} not rebuilt`, result);
    return;
  }
  const outcome = rebuildOutcome(model, result.exitCode, result.stderr + result.stdout);
  cliProblems.delete(document);
  showProblems(outcome.problems, path.dirname(document.fsPath));
  if (outcome.rebuilt) {
    if (asked) {
      void vscode.window.showInformationMessage(`onnxtext: ${outcome.message}`);
    } else {
      vscode.window.setStatusBarMessage(`$(check) onnxtext: ${outcome.message}`, 5000);
    }
    return;
  }
  // not awaited: the next save must not wait for the user to answer this one
  void vscode.window.showWarningMessage(`onnxtext: ${outcome.message}`, "Show Problems", "Show Output").then((choice) => {
    if (choice === "Show Problems") {
      void vscode.commands.executeCommand("workbench.actions.view.problems");
    } else if (choice === "Show Output") {
      output.show(true);
    }
  });
}

/** Puts problems in the Problems panel, except on the documents the language server already looks after. */
function showProblems(problems: Problem[], cwd: string): void {
  for (const [file, list] of problemsByFile(problems, cwd)) {
    const served =
      client?.isRunning() &&
      vscode.workspace.textDocuments.some((document) => document.uri.fsPath === file && isOnnxtextDocument(document));
    cliProblems.set(vscode.Uri.file(file), served ? [] : list.map(toDiagnostic));
  }
}

const SEVERITY = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** A problem at a line starts at its column and runs to the line's end; one of a .onnx file sits on its start. */
function toDiagnostic(problem: Problem): vscode.Diagnostic {
  const line = Math.max((problem.line ?? 1) - 1, 0);
  const col = Math.max((problem.col ?? 1) - 1, 0);
  const where = problem.path && problem.line === undefined ? ` [at ${problem.path}]` : "";
  const diagnostic = new vscode.Diagnostic(
    new vscode.Range(line, col, line, problem.line === undefined ? col : Number.MAX_SAFE_INTEGER),
    `${problem.message}${where}${problem.hint ? `\nhint: ${problem.hint}` : ""}`,
    SEVERITY[problem.severity],
  );
  diagnostic.code = problem.code;
  diagnostic.source = "onnxtext";
  return diagnostic;
}

async function rememberOpenedAsText(document: string): Promise<void> {
  const opened = state.get<string[]>(OPENED_AS_TEXT, []);
  if (!opened.includes(document)) {
    await state.update(OPENED_AS_TEXT, [...opened, document]);
  }
}

// --- running onnxtext ----------------------------------------------------------------------------------------

async function runWithProgress(title: string, resource: vscode.Uri, args: string[]): Promise<RunResult> {
  const onnxtext = await resolveOnnxtext(resource);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `onnxtext: ${title}` },
    () => runOnnxtext(onnxtext, args, path.dirname(resource.fsPath)),
  );
  log(`${describe(onnxtext)} ${args.join(" ")}`, result);
  return result;
}

function log(commandLine: string, result: RunResult): void {
  output.appendLine(`$ ${commandLine}  (exit ${result.exitCode})`);
  for (const text of [result.stderr, result.stdout]) {
    if (text) {
      output.append(text.endsWith("\n") ? text : `${text}\n`);
    }
  }
}

async function reportFailure(what: string, result: RunResult): Promise<void> {
  const first = (result.stderr || result.stdout).split(/\r?\n/).find((line) => line.trim() !== "") ?? `exit ${result.exitCode}`;
  const hint = result.exitCode === -1 ? " Install onnxtext in the selected Python environment, or set onnxtext.command." : "";
  if ((await vscode.window.showErrorMessage(`onnxtext: ${what}: ${first}${hint}`, "Show Output")) === "Show Output") {
    output.show(true);
  }
}

async function mtime(file: string): Promise<number | undefined> {
  try {
    return (await fs.stat(file)).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Problems of mlloop.yaml in the Problems panel as the user types: the core parser
 * (parseProject: YAML syntax, JSON Schema, semantic checks) runs on the editor's text, not
 * the file on disk, shortly after each change, and when a document opens. Closing the
 * document clears its problems (nothing stale for a file no one is editing).
 */
import * as vscode from 'vscode';
import { parseProject, type ProjectProblem } from '../../core/project/parse';
import { diagnosticsEnabled, isProjectFile } from './projectFile';

/** Shown as the source of every diagnostic ("ML Loop" in the Problems panel). */
export const DIAGNOSTIC_SOURCE = 'ML Loop';

/**
 * The editor range of a problem. Problems carry 1-based positions with an exclusive end
 * column. A problem about a whole block (a feature missing its `type`, the file missing a
 * key) spans many lines; underlining all of them hides the text, so such a range is cut to
 * the rest of its first line. An empty range widens to the word (or character) there so
 * that it can be seen.
 */
export function problemRange(document: vscode.TextDocument, p: ProjectProblem): vscode.Range {
  const line = Math.min(Math.max(p.line - 1, 0), Math.max(document.lineCount - 1, 0));
  const start = document.validatePosition(new vscode.Position(line, Math.max(p.column - 1, 0)));
  let end: vscode.Position;
  if (p.endLine - 1 > line) {
    const text = document.lineAt(line).text;
    end = new vscode.Position(line, Math.max(start.character, text.trimEnd().length));
  } else {
    end = document.validatePosition(new vscode.Position(Math.max(p.endLine - 1, line), Math.max(p.endColumn - 1, 0)));
  }
  if (end.isAfter(start)) return new vscode.Range(start, end);
  const word = document.getWordRangeAtPosition(start);
  if (word) return word;
  const lineLength = document.lineAt(line).text.length;
  return new vscode.Range(start, new vscode.Position(line, Math.min(start.character + 1, lineLength)));
}

/** The diagnostics for a project file's text (what the Problems panel lists). */
export function projectDiagnostics(document: vscode.TextDocument): vscode.Diagnostic[] {
  const result = parseProject(document.getText());
  return result.problems.map((p) => {
    const severity = p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning;
    const d = new vscode.Diagnostic(problemRange(document, p), p.message, severity);
    d.source = DIAGNOSTIC_SOURCE;
    return d;
  });
}

/**
 * Keeps the 'mlloop' diagnostic collection in step with every open mlloop.yaml. Changes are
 * debounced per document (`delayMs`, default 200 ms) so typing a word parses once, not per
 * keystroke. The `mlloop.diagnostics.enabled` setting turns it all off (and clears) or on.
 */
export class ProjectFileDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('mlloop');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly delayMs = 200) {
    this.disposables.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.validateNow(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('mlloop.diagnostics.enabled')) this.validateAll();
      }),
    );
    this.validateAll();
  }

  /** Re-validates every open project file (or clears all when diagnostics are off). */
  validateAll(): void {
    if (!diagnosticsEnabled()) {
      for (const t of this.timers.values()) clearTimeout(t);
      this.timers.clear();
      this.collection.clear();
      return;
    }
    for (const d of vscode.workspace.textDocuments) this.validateNow(d);
  }

  private schedule(document: vscode.TextDocument): void {
    if (!isProjectFile(document) || !diagnosticsEnabled()) return;
    const key = document.uri.toString();
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        // The document may have closed while the timer ran: closed documents keep no problems.
        if (!document.isClosed) this.validateNow(document);
      }, this.delayMs),
    );
  }

  private validateNow(document: vscode.TextDocument): void {
    if (!isProjectFile(document) || !diagnosticsEnabled()) return;
    this.collection.set(document.uri, projectDiagnostics(document));
  }

  private forget(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.delete(key);
    this.collection.delete(document.uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of this.disposables) d.dispose();
  }
}

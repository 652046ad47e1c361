/** Finding the ML Loop project(s) of the open workspace. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMAND_IDS } from './commandIds';

const EXCLUDE = '{**/node_modules/**,**/.git/**,**/.mlloop/**}';

/** Folders holding an mlloop.yaml, shallowest first. */
export async function findProjectRoots(): Promise<string[]> {
  const files = await vscode.workspace.findFiles('**/mlloop.yaml', EXCLUDE, 50);
  return files
    .map((f) => path.dirname(f.fsPath))
    .sort((a, b) => a.split(path.sep).length - b.split(path.sep).length || a.localeCompare(b));
}

/**
 * The project a command acts on: the one of the active editor's file, else `preferred` (the
 * project the views show) when it is still a project, else the only one, else the user's
 * pick. Undefined when there is none (the user is told) or the pick is dismissed.
 */
export async function pickProjectRoot(preferred?: string): Promise<string | undefined> {
  const roots = await findProjectRoots();
  if (roots.length === 0) {
    const create = 'Create Project';
    const choice = await vscode.window.showWarningMessage('No mlloop.yaml in this workspace. Create an ML Loop project first.', create);
    if (choice === create) await vscode.commands.executeCommand(COMMAND_IDS.createProject);
    return undefined;
  }
  const active = vscode.window.activeTextEditor?.document.uri.fsPath;
  if (active) {
    const owner = roots.filter((r) => active.startsWith(r + path.sep)).sort((a, b) => b.length - a.length)[0];
    if (owner) return owner;
  }
  if (preferred && roots.includes(preferred)) return preferred;
  if (roots.length === 1) return roots[0];
  const picked = await vscode.window.showQuickPick(
    roots.map((r) => ({ label: path.basename(r), description: vscode.workspace.asRelativePath(r), root: r })),
    { placeHolder: 'Which ML Loop project?' },
  );
  return picked?.root;
}

/**
 * The "Get started with ML Loop" walkthrough (package.json contributes.walkthroughs):
 * create a sample project → import its examples → train → look at the results.
 *
 * This module owns the first step's command, mlloop.createSampleProject, and the context
 * keys that tick the steps when their work is really done (not merely when a button was
 * clicked): `mlloop.walkthrough.sampleCreated`, `mlloop.walkthrough.hasExamples`,
 * `mlloop.walkthrough.hasModel`. The other steps use the palette commands (import, train,
 * open dashboard).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isUserError } from '../../core/util/errors';
import { COMMAND_IDS } from '../commandIds';
import type { Log } from '../log';
import type { ProjectSnapshot, ProjectState } from '../state/projectState';
import { copySampleProject, isEffectivelyEmpty, SAMPLE_FOLDER_NAME, SAMPLE_PROJECT_DIR, unusedFolder } from './sampleProject';
import { ensureWorkspaceTrusted } from './trustGuard';

/** Context keys the walkthrough's completionEvents (`onContext:`) wait for. */
export const WALKTHROUGH_CONTEXT_KEYS = {
  sampleCreated: 'mlloop.walkthrough.sampleCreated',
  hasExamples: 'mlloop.walkthrough.hasExamples',
  hasModel: 'mlloop.walkthrough.hasModel',
} as const;

/** globalState key: an mlloop.yaml to open once the window has reopened on its folder. */
const OPEN_AFTER_RELOAD_KEY = 'mlloop.walkthrough.openAfterReload';

export interface WalkthroughDeps {
  context: vscode.ExtensionContext;
  log: Log;
  state: ProjectState;
}

/** Arguments of mlloop.createSampleProject (all optional; without them the command asks). */
export interface CreateSampleProjectArgs {
  /** Folder to copy the sample into (created when missing; must not hold an mlloop.yaml). */
  target?: string;
  /** Open the copied mlloop.yaml in an editor (default true). */
  open?: boolean;
}

/**
 * The walkthrough's step state for a project snapshot: whether its examples are imported and
 * whether a model is trained. A missing snapshot (no project) is neither.
 */
export function walkthroughProgress(snapshot: ProjectSnapshot | undefined): { hasExamples: boolean; hasModel: boolean } {
  return { hasExamples: (snapshot?.examples ?? 0) > 0, hasModel: (snapshot?.models.length ?? 0) > 0 };
}

/**
 * Opens the project file beside the walkthrough when the walkthrough (or another non-text
 * editor) is in front, so the user keeps the steps in view; else in the active group.
 */
async function openProjectFile(file: string): Promise<void> {
  // The walkthrough's tab has no input type in the API (input is undefined), so "a tab that
  // is not a text editor" is the test.
  const activeTab = vscode.window.tabGroups.activeTabGroup.activeTab;
  const besideWalkthrough = activeTab !== undefined && !(activeTab.input instanceof vscode.TabInputText);
  await vscode.window.showTextDocument(vscode.Uri.file(file), {
    preview: false,
    viewColumn: besideWalkthrough ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active,
  });
}

/**
 * Where the sample goes when the command is run without a target: a new `iris-sample`
 * folder in the first workspace folder; with no folder open, a folder the user picks (used
 * as it is when empty, else a new `iris-sample` inside it). Undefined when the user cancels.
 */
async function chooseTarget(): Promise<{ target: string; reopen: boolean } | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder) return { target: unusedFolder(folder.uri.fsPath, SAMPLE_FOLDER_NAME), reopen: false };
  const choose = 'Choose Folder…';
  const answer = await vscode.window.showInformationMessage(
    'ML Loop: the sample project needs a folder to live in. Choose one; VS Code then opens it.',
    { modal: true },
    choose,
  );
  if (answer !== choose) return undefined;
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    openLabel: 'Create Sample Here',
    title: 'ML Loop: folder for the sample project',
  });
  if (!picked?.length) return undefined;
  const dir = picked[0].fsPath;
  return { target: isEffectivelyEmpty(dir) ? dir : unusedFolder(dir, SAMPLE_FOLDER_NAME), reopen: true };
}

async function createSampleProject(deps: WalkthroughDeps, args: CreateSampleProjectArgs): Promise<string | undefined> {
  if (!ensureWorkspaceTrusted(COMMAND_IDS.createSampleProject)) return undefined;
  const interactive = args.target === undefined;
  const chosen = args.target !== undefined ? { target: path.resolve(args.target), reopen: false } : await chooseTarget();
  if (!chosen) return undefined;
  const file = copySampleProject(deps.context.asAbsolutePath(SAMPLE_PROJECT_DIR), chosen.target);
  deps.log.info(`created the sample project in ${chosen.target}`);
  await vscode.commands.executeCommand('setContext', WALKTHROUGH_CONTEXT_KEYS.sampleCreated, true);
  if (chosen.reopen) {
    // Opening a folder restarts the extension host: remember what to open when it is back.
    await deps.context.globalState.update(OPEN_AFTER_RELOAD_KEY, file);
    await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(chosen.target));
    return file;
  }
  await deps.state.setRoot(chosen.target);
  if (args.open ?? true) await openProjectFile(file);
  if (interactive) {
    const importNow = 'Import Examples';
    void vscode.window
      .showInformationMessage(`ML Loop: created the iris sample project in ${vscode.workspace.asRelativePath(chosen.target)}. Next: import its examples.`, importNow)
      .then((c) => {
        if (c === importNow) void vscode.commands.executeCommand(COMMAND_IDS.importExamples, { root: chosen.target });
      });
  }
  return file;
}

/** After a window reload caused by createSampleProject: open the sample's mlloop.yaml. */
async function openPendingSample(deps: WalkthroughDeps): Promise<void> {
  const file = deps.context.globalState.get<string>(OPEN_AFTER_RELOAD_KEY);
  if (!file) return;
  await deps.context.globalState.update(OPEN_AFTER_RELOAD_KEY, undefined);
  const inWorkspace = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file)) !== undefined;
  if (!inWorkspace) return;
  await vscode.commands.executeCommand('setContext', WALKTHROUGH_CONTEXT_KEYS.sampleCreated, true);
  await deps.state.setRoot(path.dirname(file));
  await openProjectFile(file);
}

/** Registers mlloop.createSampleProject and keeps the walkthrough's context keys current. */
export function registerWalkthrough(deps: WalkthroughDeps): vscode.Disposable[] {
  const setProgress = (snapshot: ProjectSnapshot | undefined) => {
    const p = walkthroughProgress(snapshot);
    void vscode.commands.executeCommand('setContext', WALKTHROUGH_CONTEXT_KEYS.hasExamples, p.hasExamples);
    void vscode.commands.executeCommand('setContext', WALKTHROUGH_CONTEXT_KEYS.hasModel, p.hasModel);
  };
  setProgress(deps.state.snapshot);
  void openPendingSample(deps).catch((e) => deps.log.error('opening the sample project failed', e));
  return [
    deps.state.onDidChange(setProgress),
    vscode.commands.registerCommand(COMMAND_IDS.createSampleProject, async (args?: CreateSampleProjectArgs): Promise<string | undefined> => {
      try {
        return await createSampleProject(deps, args ?? {});
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        deps.log.error(`create sample project failed: ${message}`, e);
        void vscode.window.showErrorMessage(isUserError(e) ? `ML Loop: ${message}` : `ML Loop: creating the sample project failed: ${message}`);
        return undefined;
      }
    }),
  ];
}

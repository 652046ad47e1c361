/**
 * Registers the run and compare panels: their commands (`mlloop.openRun`,
 * `mlloop.compareRuns`) and their serializers, which bring panels back after a window
 * reload from the state each page saved with setState.
 */
import * as vscode from 'vscode';
import { COMMAND_IDS } from '../commandIds';
import type { CommandDeps } from '../commands';
import { pickProjectRoot } from '../project';
import { ComparePanels, registerComparePanel } from '../compare/register';
import { RUN_PANEL_VIEW_TYPE, RUN_TABS, type RunPageState, type RunTab } from '../../../webview/run/protocol';
import type { StoreClients } from '../state/storeClients';
import { RunPanel } from './runPanel';
import { runIdFromArgument } from './snapshot';

/** The open run panels, one per (project, run). */
export class RunPanels implements vscode.Disposable {
  private readonly panels = new Map<string, RunPanel>();

  constructor(
    private readonly deps: CommandDeps,
    private readonly stores: StoreClients,
  ) {}

  private static key(root: string, runId: number): string {
    return `${root}\u0000${runId}`;
  }

  /** The panel of a run, if open. */
  get(root: string, runId: number): RunPanel | undefined {
    return this.panels.get(RunPanels.key(root, runId));
  }

  /** Reveals the run's panel, creating it when there is none. */
  open(root: string, runId: number, tab?: RunTab): RunPanel {
    const existing = this.get(root, runId);
    if (existing) {
      existing.reveal(tab);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(RUN_PANEL_VIEW_TYPE, `Run ${runId}`, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, {
      enableFindWidget: true,
    });
    return this.adopt(new RunPanel(panel, runId, this.stores.acquire(root), this.deps, tab));
  }

  /** Takes over a panel VS Code restored after a reload. */
  revive(panel: vscode.WebviewPanel, state: RunPageState): RunPanel {
    return this.adopt(new RunPanel(panel, state.runId, this.stores.acquire(state.root), this.deps));
  }

  private adopt(runPanel: RunPanel): RunPanel {
    const key = RunPanels.key(runPanel.root, runPanel.runId);
    this.panels.set(key, runPanel);
    runPanel.onDidDispose(() => {
      if (this.panels.get(key) === runPanel) this.panels.delete(key);
    });
    return runPanel;
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    this.panels.clear();
  }
}

function isRunPageState(s: unknown): s is RunPageState {
  const o = s as Partial<RunPageState> | undefined;
  return !!o && typeof o.runId === 'number' && typeof o.root === 'string';
}

/** Lets the user pick one of the project's runs (newest first). */
async function pickRun(stores: StoreClients, root: string): Promise<number | undefined> {
  const runs = (await stores.withStore(root, (s) => s.summary()))?.runs ?? [];
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('ML Loop: this project has no runs yet. Train a model first (ML Loop: Train Model).');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    runs.map((r) => ({ label: `Run ${r.id}`, description: [r.status, r.modelVersion].filter(Boolean).join(' · '), id: r.id })),
    { placeHolder: 'Which run?' },
  );
  return picked?.id;
}

/**
 * `mlloop.openRun(runId, root?, options?)`: opens (or reveals) the run's panel and returns the
 * RunPanel. `runId` may be a number, a numeric string or a tree element with `runId`/`id`;
 * without one the user picks a run. `root` defaults to the project the views show (opening a
 * run of another project does not switch the views).
 * `options.tab` opens it at a tab ('training' | 'metrics' | 'curves' | 'calibration' | 'importance').
 */
export function registerRunAndComparePanels(deps: CommandDeps): vscode.Disposable[] {
  // The same workers the views read through (one per project), not a second set.
  const stores = deps.state.stores;
  const runPanels = new RunPanels(deps, stores);
  const comparePanels = new ComparePanels(deps, stores);
  return [
    runPanels,
    comparePanels,
    vscode.commands.registerCommand(COMMAND_IDS.openRun, async (runArg?: unknown, rootArg?: unknown, options?: { tab?: RunTab }): Promise<RunPanel | undefined> => {
      const root = typeof rootArg === 'string' ? rootArg : (deps.state.root ?? (await pickProjectRoot()));
      if (!root) return undefined;
      const runId = runIdFromArgument(runArg) ?? (await pickRun(stores, root));
      if (runId === undefined) return undefined;
      const tab = options?.tab && RUN_TABS.includes(options.tab) ? options.tab : undefined;
      return runPanels.open(root, runId, tab);
    }),
    vscode.window.registerWebviewPanelSerializer(RUN_PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        if (!isRunPageState(state)) {
          // Saved by a page that never got its snapshot: nothing says which run it was.
          panel.dispose();
          return;
        }
        runPanels.revive(panel, state);
      },
    }),
    ...registerComparePanel(deps, comparePanels, stores),
  ];
}

/**
 * `mlloop.compareRuns` and the compare panel's serializer. Registered together with the run
 * panel (../runPanel/register.ts), which calls registerComparePanel.
 */
import * as vscode from 'vscode';
import { COMMAND_IDS } from '../commandIds';
import type { CommandDeps } from '../commands';
import { pickProjectRoot } from '../project';
import { COMPARE_PANEL_VIEW_TYPE, COMPARE_TABS, type ComparePageState, type CompareTab } from '../../../webview/compare/protocol';
import type { StoreClients } from '../state/storeClients';
import { ComparePanel } from './comparePanel';
import { runIdsFromArguments } from './model';

/** The open compare panels, one per (project, run list). */
export class ComparePanels implements vscode.Disposable {
  private readonly panels = new Map<string, ComparePanel>();

  constructor(
    private readonly deps: CommandDeps,
    private readonly stores: StoreClients,
  ) {}

  private static key(root: string, runIds: readonly number[]): string {
    return `${root}\u0000${runIds.join(',')}`;
  }

  /** Reveals the panel comparing exactly these runs (same order), creating it when there is none. */
  open(root: string, runIds: readonly number[], tab?: CompareTab): ComparePanel {
    const existing = this.panels.get(ComparePanels.key(root, runIds));
    if (existing) {
      existing.reveal(tab);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(COMPARE_PANEL_VIEW_TYPE, `Compare runs ${runIds.join(', ')}`, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, { enableFindWidget: true });
    return this.adopt(new ComparePanel(panel, runIds, this.stores.acquire(root), this.deps, tab));
  }

  /** Takes over a panel VS Code restored after a reload. */
  revive(panel: vscode.WebviewPanel, state: ComparePageState): ComparePanel {
    return this.adopt(new ComparePanel(panel, state.runIds, this.stores.acquire(state.root), this.deps));
  }

  private adopt(p: ComparePanel): ComparePanel {
    const key = ComparePanels.key(p.root, p.runIds);
    this.panels.set(key, p);
    p.onDidDispose(() => {
      if (this.panels.get(key) === p) this.panels.delete(key);
    });
    return p;
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    this.panels.clear();
  }
}

function isComparePageState(s: unknown): s is ComparePageState {
  const o = s as Partial<ComparePageState> | undefined;
  return !!o && Array.isArray(o.runIds) && o.runIds.length >= 2 && o.runIds.every((x) => typeof x === 'number') && typeof o.root === 'string';
}

/** Lets the user pick two or more completed runs (newest first). */
async function pickRuns(stores: StoreClients, root: string): Promise<number[] | undefined> {
  const runs = ((await stores.withStore(root, (s) => s.summary()))?.runs ?? []).filter((r) => r.status === 'completed' && r.modelVersion);
  if (runs.length < 2) {
    void vscode.window.showInformationMessage('ML Loop: comparing needs two completed runs. Train again (e.g. after changing mlloop.yaml) and compare the two.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    runs.map((r) => ({ label: `Run ${r.id}`, description: [r.modelVersion, r.finishedAt].filter(Boolean).join(' · '), id: r.id })),
    { placeHolder: 'Pick two or more runs to compare (the oldest is the baseline)', canPickMany: true },
  );
  if (!picked) return undefined;
  if (picked.length < 2) {
    void vscode.window.showInformationMessage('ML Loop: pick at least two runs to compare.');
    return undefined;
  }
  return picked.map((p) => p.id).sort((a, b) => a - b);
}

/**
 * `mlloop.compareRuns(runIds, root?, options?)`: opens (or reveals) the panel comparing the
 * runs and returns the ComparePanel. The first run is the baseline of every delta. Also
 * accepts the Runs view's `(clickedRun, selectedRuns)`; without ids the user picks runs.
 * `options.tab` opens it at a tab ('metrics' | 'curves' | 'confusion' | 'changes').
 */
export function registerComparePanel(deps: CommandDeps, panels: ComparePanels, stores: StoreClients): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMAND_IDS.compareRuns, async (first?: unknown, second?: unknown, options?: { tab?: CompareTab }): Promise<ComparePanel | undefined> => {
      const root = typeof second === 'string' ? second : (deps.state.root ?? (await pickProjectRoot()));
      if (!root) return undefined;
      let ids = runIdsFromArguments(first, second);
      if (ids.length < 2) ids = (await pickRuns(stores, root)) ?? [];
      if (ids.length < 2) return undefined;
      const tab = options?.tab && COMPARE_TABS.includes(options.tab) ? options.tab : undefined;
      return panels.open(root, ids, tab);
    }),
    vscode.window.registerWebviewPanelSerializer(COMPARE_PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        if (!isComparePageState(state)) {
          panel.dispose();
          return;
        }
        panels.revive(panel, state);
      },
    }),
  ];
}

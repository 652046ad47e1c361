/**
 * Commands of the sidebar, the status bar and the Drift & Alerts panel. Each accepts
 * arguments so trees, pages and tests can run it without dialogs; without arguments (the
 * command palette) it asks.
 *
 * Tree context menus call a command with `(element, selectedElements)`: run ids for the
 * Runs view, versions for the Models view, alert ids for the Alerts view.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMAND_IDS, INTERNAL_COMMAND_IDS } from '../commandIds';
import type { AlertProvider } from '../drift/alertProvider';
import type { MonitorService } from '../drift/monitorService';
import type { MonitorJobReport } from '../../worker/protocol';
import { isUserError } from '../../core/util/errors';
import { DriftPanel, type DriftPanelDeps } from '../drift/driftPanel';
import type { JobTracker } from '../state/jobs';
import type { ProjectState } from '../state/projectState';
import type { DashboardViewProvider } from './dashboardView';
import { primaryMetricText } from './summary';
import { formatDuration } from '../../../webview/shared/format';
import type { Alert } from '../../core/monitor/types';
import type { DriftSection } from '../../../webview/drift/protocol';

export interface SidebarCommandDeps {
  state: ProjectState;
  jobs: JobTracker;
  alerts: AlertProvider;
  monitor: MonitorService;
  dashboard: DashboardViewProvider;
  drift: DriftPanelDeps;
}

/** Arguments of mlloop.deleteRun from code: the runs, and `confirmed: true` to skip the dialog. */
export interface DeleteRunArgs {
  runIds: number[];
  confirmed?: boolean;
}

/** Arguments of mlloop.revealModelFiles from code; `in` defaults to the OS file manager on desktop, the Explorer elsewhere. */
export interface RevealModelArgs {
  version: string;
  in?: 'os' | 'explorer';
}

export function registerSidebarCommands(deps: SidebarCommandDeps): vscode.Disposable[] {
  const { state, jobs, alerts } = deps;
  return [
    vscode.commands.registerCommand(COMMAND_IDS.openDashboard, async () => {
      await vscode.commands.executeCommand('mlloop.dashboard.focus');
    }),

    vscode.commands.registerCommand(COMMAND_IDS.refresh, () => state.refresh()),

    vscode.commands.registerCommand(COMMAND_IDS.cancelJob, (): boolean => {
      if (!jobs.current) {
        void vscode.window.showInformationMessage('ML Loop: no job is running.');
        return false;
      }
      jobs.cancel();
      return true;
    }),

    vscode.commands.registerCommand(
      COMMAND_IDS.deleteRun,
      async (target?: number | DeleteRunArgs, selected?: Array<number | string>): Promise<number[]> => {
        let ids: number[];
        let confirmed = false;
        // A selection in the Runs view may hold cycles too (`cycle:<id>`): runs only.
        const selectedRuns = selected?.filter((x): x is number => typeof x === 'number');
        if (typeof target === 'number') ids = selectedRuns?.includes(target) ? selectedRuns : [target];
        else if (target && Array.isArray(target.runIds)) {
          ids = target.runIds;
          confirmed = target.confirmed === true;
        } else {
          const picked = await pickRuns(state);
          if (!picked) return [];
          ids = picked;
        }
        return deleteRuns(state, jobs, ids, confirmed);
      },
    ),

    vscode.commands.registerCommand(COMMAND_IDS.revealModelFiles, async (target?: string | RevealModelArgs): Promise<string | undefined> => {
      const version = typeof target === 'string' ? target : (target?.version ?? (await pickModel(state)));
      if (!version) return undefined;
      const snapshot = state.snapshot;
      const model = snapshot?.models.find((m) => m.version === version);
      if (!snapshot || !model) {
        void vscode.window.showErrorMessage(`ML Loop: there is no model ${version} in this project.`);
        return undefined;
      }
      const folder = path.join(snapshot.root, model.path);
      if (!fs.existsSync(folder)) {
        void vscode.window.showErrorMessage(`ML Loop: the files of model ${version} are gone (${model.path} does not exist).`);
        return undefined;
      }
      const where = (typeof target === 'object' ? target.in : undefined) ?? defaultRevealTarget();
      await vscode.commands.executeCommand(where === 'os' ? 'revealFileInOS' : 'revealInExplorer', vscode.Uri.file(folder));
      return folder;
    }),

    vscode.commands.registerCommand(COMMAND_IDS.openDriftPanel, (alertId?: string) => {
      DriftPanel.show(deps.drift, typeof alertId === 'string' ? alertId : undefined);
    }),

    vscode.commands.registerCommand(COMMAND_IDS.acknowledgeAlert, async (alertId?: string, selected?: string[]): Promise<string[]> => {
      const ids = await pickAlerts(alertId, selected, alerts.active, 'Acknowledge which alerts?', 'there are no active alerts');
      return alertAction(ids, (id) => alerts.acknowledge(id));
    }),

    vscode.commands.registerCommand(COMMAND_IDS.resolveAlert, async (alertId?: string, selected?: string[]): Promise<string[]> => {
      const ids = await pickAlerts(alertId, selected, [...alerts.all], 'Resolve which alerts?', 'there are no open alerts');
      return alertAction(ids, (id) => alerts.resolve(id));
    }),

    vscode.commands.registerCommand(COMMAND_IDS.runMonitor, async (): Promise<MonitorJobReport | undefined> => {
      try {
        const report = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: 'ML Loop: monitoring', cancellable: true },
          (_progress, token) => {
            const controller = new AbortController();
            token.onCancellationRequested(() => controller.abort());
            return deps.monitor.runNow(controller.signal);
          },
        );
        if (report?.error) void vscode.window.showWarningMessage(`ML Loop: monitoring could not run: ${report.error}`);
        return report;
      } catch (e) {
        void vscode.window.showErrorMessage(`ML Loop: ${(e as Error).message}`);
        return undefined;
      }
    }),

    vscode.commands.registerCommand(INTERNAL_COMMAND_IDS.dashboardRendering, () => deps.dashboard.rendering),
    vscode.commands.registerCommand(INTERNAL_COMMAND_IDS.dashboardPress, (command: string) => deps.dashboard.press(command)),
    vscode.commands.registerCommand(INTERNAL_COMMAND_IDS.dashboardReveal, (section: Parameters<DashboardViewProvider['reveal']>[0]) => deps.dashboard.reveal(section)),
    vscode.commands.registerCommand(INTERNAL_COMMAND_IDS.driftRendering, () => DriftPanel.current?.rendering),
    vscode.commands.registerCommand(INTERNAL_COMMAND_IDS.driftPress, (control: string) => (DriftPanel.current ? (DriftPanel.current.press(control), true) : false)),
    vscode.commands.registerCommand(INTERNAL_COMMAND_IDS.driftReveal, (section: DriftSection) => (DriftPanel.current ? (DriftPanel.current.reveal(section), true) : false)),
    vscode.commands.registerCommand(INTERNAL_COMMAND_IDS.driftSelectFeature, (feature: string) => (DriftPanel.current ? (DriftPanel.current.selectFeature(feature), true) : false)),
  ];
}

/** Desktop VS Code can open the OS file manager on this machine; in a remote or web window the files are elsewhere. */
function defaultRevealTarget(): 'os' | 'explorer' {
  return vscode.env.remoteName || vscode.env.uiKind === vscode.UIKind.Web ? 'explorer' : 'os';
}

/**
 * Deletes runs after one confirmation (skipped when `confirmed`). A run that is training now is
 * refused: cancel it first. Returns the ids deleted.
 */
async function deleteRuns(state: ProjectState, jobs: JobTracker, ids: number[], confirmed: boolean): Promise<number[]> {
  const known = new Set(state.snapshot?.runs.map((r) => r.id) ?? []);
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    void vscode.window.showErrorMessage(`ML Loop: no run ${unknown.join(', ')} in this project.`);
    return [];
  }
  const busy = ids.filter((id) => jobs.current?.runId === id || state.snapshot?.runs.find((r) => r.id === id)?.status === 'running');
  if (busy.length > 0) {
    void vscode.window.showWarningMessage(`ML Loop: run ${busy.join(', ')} is still training; cancel it before deleting it.`);
    return [];
  }
  if (ids.length === 0) return [];
  if (!confirmed) {
    const what = ids.length === 1 ? `run ${ids[0]}` : `${ids.length} runs (${ids.join(', ')})`;
    const del = 'Delete';
    const answer = await vscode.window.showWarningMessage(
      `Delete ${what}?`,
      { modal: true, detail: 'Its metrics, epochs and evaluation are removed from the store. Model files in .mlloop/models stay.' },
      del,
    );
    if (answer !== del) return [];
  }
  for (const id of ids) await state.deleteRun(id);
  return ids;
}

async function pickRuns(state: ProjectState): Promise<number[] | undefined> {
  const runs = state.snapshot?.runs ?? [];
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('ML Loop: this project has no runs.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    runs.map((r) => ({
      label: `Run ${r.id}`,
      description: [r.status, primaryMetricText(r.metrics), formatDuration(r.durationMs)].filter(Boolean).join(' · '),
      id: r.id,
    })),
    { canPickMany: true, placeHolder: 'Delete which runs?' },
  );
  return picked?.length ? picked.map((p) => p.id) : undefined;
}

async function pickModel(state: ProjectState): Promise<string | undefined> {
  const models = state.snapshot?.models ?? [];
  if (models.length === 0) {
    void vscode.window.showInformationMessage('ML Loop: this project has no models yet; train one first.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    models.map((m) => ({
      label: m.version,
      description: [m.version === state.snapshot?.registry.champion?.version ? 'champion' : m.version === state.snapshot?.current?.version ? 'current (newest)' : '', primaryMetricText(m.metrics)].filter(Boolean).join(' · '),
      version: m.version,
    })),
    { placeHolder: 'Reveal the files of which model?' },
  );
  return picked?.version;
}

/**
 * The alerts a command acts on: the clicked one (with the rest of a multi-selection), or —
 * from the palette — the user's pick.
 */
async function pickAlerts(alertId: string | undefined, selected: string[] | undefined, candidates: readonly Alert[], placeHolder: string, none: string): Promise<string[]> {
  if (typeof alertId === 'string') return selected?.includes(alertId) ? selected.filter((id) => !id.startsWith('severity:')) : [alertId];
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(`ML Loop: ${none}.`);
    return [];
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((a) => ({ label: a.title, description: a.severity, detail: a.detail, id: a.id })),
    { canPickMany: true, placeHolder },
  );
  return picked?.map((p) => p.id) ?? [];
}

/** Runs `act` on each alert in turn; a store error is shown and stops the rest. @returns the ids it changed. */
async function alertAction(ids: string[], act: (id: string) => Promise<boolean>): Promise<string[]> {
  const done: string[] = [];
  for (const id of ids) {
    try {
      if (await act(id)) done.push(id);
    } catch (e) {
      void vscode.window.showErrorMessage(`ML Loop: ${isUserError(e) ? e.message : `alert ${id}: ${(e as Error).message}`}`);
      break;
    }
  }
  return done;
}

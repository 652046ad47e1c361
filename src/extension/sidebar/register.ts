/**
 * Wires the "ML Loop" activity-bar container (dashboard, Runs with cycles, Models with the
 * champion and its history, Alerts), the
 * status-bar item and the Drift & Alerts panel to the project state, the job tracker and the
 * alerts. extension.ts calls this once.
 */
import * as vscode from 'vscode';
import type { AlertProvider } from '../drift/alertProvider';
import type { MonitorService } from '../drift/monitorService';
import { DriftPanel } from '../drift/driftPanel';
import type { LoopParts } from '../loop/register';
import type { ServingState } from '../serve/servingState';
import type { JobTracker } from '../state/jobs';
import type { ProjectState } from '../state/projectState';
import { ModelStatusBar } from '../statusBar';
import { AlertsTreeProvider } from './alertsTree';
import { registerSidebarCommands } from './commands';
import { DashboardViewProvider } from './dashboardView';
import { ModelsTreeProvider } from './modelsTree';
import { RunsTreeProvider } from './runsTree';

export interface SidebarDeps {
  context: vscode.ExtensionContext;
  jobs: JobTracker;
  state: ProjectState;
  loop: LoopParts;
  /** The dashboard's server and experiment cards. */
  serving?: ServingState;
  alerts: AlertProvider;
  monitor: MonitorService;
}

/**
 * Context keys this sets (package.json `when` clauses use them):
 * - `mlloop.projectStateLoaded`: the project state has been read once (until then the views
 *   cannot tell "no project" from "not read yet", and say nothing);
 * - `mlloop.hasProject`: the workspace has an mlloop.yaml (welcome texts, palette entries);
 * - `mlloop.jobRunning`: a job runs in this window (the Cancel button of the Runs view).
 */
export function registerSidebar(deps: SidebarDeps): vscode.Disposable[] {
  const { context, jobs, state, loop, alerts, monitor } = deps;
  const extensionUri = context.extensionUri;
  // The project state loads after activation; until its first change the dashboard says "Loading…".
  let loaded = state.snapshot !== undefined;
  const contextKeys = new Map<string, boolean>();
  const setContext = (key: string, value: boolean) => {
    if (contextKeys.get(key) === value) return;
    contextKeys.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  };
  // Subscribed before the views, so they see `loaded` already true on the first change.
  const loadedSubscription = state.onDidChange((snapshot) => {
    loaded = true;
    setContext('mlloop.projectStateLoaded', true);
    setContext('mlloop.hasProject', snapshot !== undefined);
  });

  const dashboard = new DashboardViewProvider({ extensionUri, state, jobs, alerts, monitor, watcher: loop.watcher, canIngest: loop.canIngest, isLoaded: () => loaded, ...(deps.serving ? { serving: deps.serving } : {}) });
  const runs = new RunsTreeProvider(state, jobs);
  const models = new ModelsTreeProvider(state);
  const alertsTree = new AlertsTreeProvider(alerts);
  const runsView = vscode.window.createTreeView('mlloop.runs', { treeDataProvider: runs, canSelectMany: true });
  const modelsView = vscode.window.createTreeView('mlloop.models', { treeDataProvider: models });
  const alertsView = vscode.window.createTreeView('mlloop.alerts', { treeDataProvider: alertsTree, canSelectMany: true });
  const showAlertCount = () => {
    const n = alerts.active.length;
    alertsView.badge = n > 0 ? { value: n, tooltip: `${n} active alert${n === 1 ? '' : 's'}` } : undefined;
  };
  const drift = { extensionUri, alerts, state, monitor };

  setContext('mlloop.projectStateLoaded', loaded);
  setContext('mlloop.hasProject', state.snapshot !== undefined);
  setContext('mlloop.jobRunning', jobs.current !== undefined);
  return [
    dashboard,
    runs,
    models,
    alertsTree,
    runsView,
    modelsView,
    alertsView,
    new ModelStatusBar(state, jobs, alerts, 'mlloop.model', monitor),
    vscode.window.registerWebviewViewProvider(DashboardViewProvider.viewType, dashboard),
    DriftPanel.registerSerializer(drift),
    loadedSubscription,
    jobs.onDidChange((job) => setContext('mlloop.jobRunning', job !== undefined)),
    alerts.onDidChange(showAlertCount),
    ...registerSidebarCommands({ state, jobs, alerts, monitor, dashboard, drift }),
  ];
}

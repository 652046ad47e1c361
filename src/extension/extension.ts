/**
 * Extension entry: wires things together and nothing else. Activation must stay cheap:
 * no tfjs, no store — those load in the job worker or on first use.
 */
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { AlertProvider } from './drift/alertProvider';
import { MonitorService } from './drift/monitorService';
import { registerEditorIntegration } from './editor/register';
import { Log } from './log';
import { registerLoop, type LoopParts } from './loop/register';
import { Prompts } from './prompts';
import { JobTracker } from './state/jobs';
import { ProjectState } from './state/projectState';
import { registerRunAndComparePanels } from './runPanel/register';
import { registerServing, type ServingParts } from './serve/register';
import { registerSidebar } from './sidebar/register';
import { registerWalkthrough } from './walkthrough/register';

/** What activate() returns: for tests and other extensions (vscode.extensions.getExtension(...).exports). */
export interface MlLoopApi {
  log: Log;
  jobs: JobTracker;
  state: ProjectState;
  /** Every question and notification the extension showed (tests read and answer them). */
  prompts: Prompts;
  /** The loop: its watcher (the schedule while VS Code is open), cycle notifications, report tabs. */
  loop: LoopParts;
  /** Serving: this window's `mlloop serve` process and what the server and experiment cards read. */
  serving: ServingParts;
  /** The project's open alerts (the Alerts view, the Drift & Alerts panel). */
  alerts: AlertProvider;
  /** Monitoring on its timer (mlloop.monitor.interval) and Run Monitor Now: snapshots, health. */
  monitor: MonitorService;
}

export function activate(context: vscode.ExtensionContext): MlLoopApi {
  const started = Date.now();
  const log = new Log();
  const jobs = new JobTracker();
  const state = new ProjectState(context.asAbsolutePath('dist/storeWorker.js'));
  const prompts = new Prompts();
  const deps = { context, log, jobs, state, prompts };
  context.subscriptions.push(log, jobs, state, ...registerCommands(deps));
  context.subscriptions.push(...registerEditorIntegration(), ...registerWalkthrough(deps));
  const loop = registerLoop(deps);
  context.subscriptions.push(...loop.disposables);
  const serving = registerServing(deps);
  context.subscriptions.push(...serving.disposables);
  const alerts = new AlertProvider();
  const monitor = new MonitorService({ context, log, state, prompts, alerts });
  context.subscriptions.push(alerts, monitor);
  context.subscriptions.push(...registerSidebar({ ...deps, loop: loop.parts, serving: serving.parts.serving, alerts, monitor }));
  context.subscriptions.push(...registerRunAndComparePanels(deps));
  // The first snapshot loads after activation returns: reading the store must not delay it.
  setTimeout(() => void state.initialize(), 0);
  log.info(`ML Loop activated in ${Date.now() - started} ms`);
  return { log, jobs, state, prompts, loop: loop.parts, serving: serving.parts, alerts, monitor };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions; running jobs end with their worker.
}

/**
 * Wires the loop into the window: the cycle notifications, the deployment report tabs, the
 * watcher that runs the schedule while VS Code is open, and the loop's commands.
 * extension.ts calls this once, before the sidebar (whose dashboard shows the watcher).
 */
import * as vscode from 'vscode';
import { INBOX_INGEST_AVAILABLE } from '../../worker/protocol';
import { COMMAND_IDS } from '../commandIds';
import type { CommandDeps } from '../commands';
import { registerLoopCommands } from './commands';
import { CycleNotifier } from './notifier';
import { DeploymentReportPanels } from './reportPanel';
import { LoopWatcher } from './watcher';

export interface LoopParts {
  watcher: LoopWatcher;
  notifier: CycleNotifier;
  reports: DeploymentReportPanels;
  /** Whether this build takes in the inbox (the Ingest Inbox command exists). */
  canIngest: boolean;
}

export function registerLoop(deps: CommandDeps): { parts: LoopParts; disposables: vscode.Disposable[] } {
  const reports = new DeploymentReportPanels();
  const canIngest = INBOX_INGEST_AVAILABLE;
  // The notifier's buttons run commands, so they behave exactly as the palette's.
  const notifier = new CycleNotifier({
    prompts: deps.prompts,
    log: deps.log,
    state: deps.state,
    openReport: (root, cycle) => void vscode.commands.executeCommand(COMMAND_IDS.openDeploymentReport, { root, cycle }),
    retrainAnyway: (root) => void vscode.commands.executeCommand(COMMAND_IDS.retrain, { root, force: true }),
  });
  const watcher = new LoopWatcher({ context: deps.context, log: deps.log, state: deps.state, prompts: deps.prompts, notifier });
  const commandDeps = { ...deps, notifier, reports, canIngest };
  return {
    parts: { watcher, notifier, reports, canIngest },
    disposables: [reports, notifier, watcher, ...registerLoopCommands(commandDeps)],
  };
}

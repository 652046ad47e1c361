/**
 * Every command id of the extension, in one place (as vscode-dvc's commands/external.ts):
 * package.json contributes the public ones, features register them, trees and pages refer to
 * them. Pure (no 'vscode' import), so pages may import the type {@link CommandId} to check the
 * ids their buttons post.
 */

/** Commands a user can run (the palette, menus, buttons). Each is contributed in package.json. */
export const COMMAND_IDS = {
  createProject: 'mlloop.createProject',
  createSampleProject: 'mlloop.createSampleProject',
  importExamples: 'mlloop.importExamples',
  train: 'mlloop.train',
  evaluate: 'mlloop.evaluate',
  showLog: 'mlloop.showLog',
  openDashboard: 'mlloop.openDashboard',
  refresh: 'mlloop.refresh',
  deleteRun: 'mlloop.deleteRun',
  revealModelFiles: 'mlloop.revealModelFiles',
  openDriftPanel: 'mlloop.openDriftPanel',
  acknowledgeAlert: 'mlloop.acknowledgeAlert',
  resolveAlert: 'mlloop.resolveAlert',
  runMonitor: 'mlloop.runMonitor',
  cancelJob: 'mlloop.cancelJob',
  openRun: 'mlloop.openRun',
  compareRuns: 'mlloop.compareRuns',
  // The loop: cycles, the registry's champion, the inbox.
  retrain: 'mlloop.retrain',
  ingestInbox: 'mlloop.ingestInbox',
  promote: 'mlloop.promote',
  rollBack: 'mlloop.rollBack',
  openDeploymentReport: 'mlloop.openDeploymentReport',
  showHistory: 'mlloop.showHistory',
  // Serving: `mlloop serve` in a process of this window, the A/B experiment.
  startServer: 'mlloop.startServer',
  stopServer: 'mlloop.stopServer',
  startExperiment: 'mlloop.startExperiment',
  stopExperiment: 'mlloop.stopExperiment',
} as const;

/**
 * Commands for automation (the VS Code tests), not contributed to the palette: VS Code's own
 * convention for internal commands is the leading underscore.
 * - dashboardRendering() → DashboardRendering | undefined: what the dashboard page last drew;
 * - dashboardPress(command) → boolean: press the dashboard's button for `command`;
 * - dashboardReveal(section) → boolean: scroll the dashboard to a card ('model', 'loop', 'data', 'alerts', 'monitoring', 'server', 'experiment');
 * - driftRendering() → DriftRendering | undefined: what the open Drift & Alerts panel last drew;
 * - driftPress(control) → boolean: press a control of the open Drift & Alerts panel (DriftRendering.buttons);
 * - driftSelectFeature(feature) → boolean: pick the feature its histogram and history show;
 * - driftReveal(section) → boolean: scroll the panel to a section ('features', 'feature', 'predictions', 'performance', 'alerts').
 */
export const INTERNAL_COMMAND_IDS = {
  dashboardRendering: '_mlloop.dashboard.rendering',
  dashboardPress: '_mlloop.dashboard.press',
  dashboardReveal: '_mlloop.dashboard.reveal',
  driftRendering: '_mlloop.drift.rendering',
  driftPress: '_mlloop.drift.press',
  driftSelectFeature: '_mlloop.drift.selectFeature',
  driftReveal: '_mlloop.drift.reveal',
} as const;

export type CommandId = (typeof COMMAND_IDS)[keyof typeof COMMAND_IDS];

/**
 * The dashboard (the "ML Loop" sidebar's webview view) and the status-bar item, on a real
 * project trained from the command palette's commands: what the page shows for a project
 * without data, after training (model version, headline metrics, calibration, data counts),
 * and while a job runs (progress, and a Cancel button that really stops training).
 *
 * The page reports what it drew (DashboardRendering: visible text, buttons, progress bar)
 * through the internal command `_mlloop.dashboard.rendering`, and `_mlloop.dashboard.press`
 * clicks one of its buttons: the extension host cannot reach into a webview's DOM.
 *
 * Works in its own project folder inside the workspace (so the file watcher sees the store)
 * and removes it at the end, so later tests find the fixture project alone again.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MlLoopApi } from '../../../src/extension/extension';
import { AlertProvider } from '../../../src/extension/drift/alertProvider';
import { ModelStatusBar } from '../../../src/extension/statusBar';
import type { TrainResult } from '../../../src/core/jobs/train';
import type { DashboardRendering } from '../../../webview/dashboard/protocol';
import { formatMetric, metricLabel } from '../../../webview/shared/format';
import { activatedMlloopExtension, takeScreenshot, waitFor, workspaceRoot } from './harness';
import { dashboardShowing, rendering, showDashboard } from './dashboardPage';
import { WATCHABLE_MODEL, writeBreastCancerProject } from './mlloopProjects';

const PROJECT_NAME = 'sidebar-dashboard';

function writeProject(extensionPath: string, root: string, training: Record<string, unknown>): void {
  // A training that is watched and cancelled (batchSize 1, hundreds of epochs) gets a model
  // wide enough to take seconds on the SIMD training loop.
  writeBreastCancerProject(extensionPath, root, PROJECT_NAME, training, training.batchSize === 1 ? WATCHABLE_MODEL : undefined);
}

/** The import command with the project's data file (without `files` it asks where to import from). */
async function importExamples(root: string): Promise<{ imported: number } | undefined> {
  return vscode.commands.executeCommand<{ imported: number } | undefined>('mlloop.importExamples', { root, files: [path.join(root, 'data', 'breast_cancer.csv')] });
}

/**
 * The extension picks the workspace's first project after activation, asynchronously; a root
 * set before that finishes would be overwritten, so wait for it first.
 */
async function projectStateSettled(api: MlLoopApi): Promise<void> {
  await waitFor(() => api.state.root !== undefined, 'the project state to pick the workspace project');
}

function button(r: DashboardRendering, command: string): DashboardRendering['buttons'][number] | undefined {
  return r.buttons.find((b) => b.command === command);
}

describe('dashboard', function () {
  let api: MlLoopApi;
  let extensionPath: string;
  let root: string;

  before(async function () {
    this.timeout(60_000);
    const extension = await activatedMlloopExtension();
    api = extension.exports as MlLoopApi;
    extensionPath = extension.extensionPath;
    root = path.join(workspaceRoot(), PROJECT_NAME);
    // 0.3 of the rows for validation: enough (≥ 100) for calibration to be chosen and shown.
    writeProject(extensionPath, root, { validationSplit: 0.3 });
    await projectStateSettled(api);
    await api.state.setRoot(root);
    await showDashboard();
  });

  after(async function () {
    this.timeout(30_000);
    await api.state.setRoot(workspaceRoot());
    fs.rmSync(root, { recursive: true, force: true });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows a project without data with zero counts, Import Examples enabled and Train disabled', async () => {
    const r = await dashboardShowing('the empty project', (x) => x.text.includes(PROJECT_NAME) && x.text.includes('No examples yet'));
    assert.match(r.text, /Examples\s*0/);
    assert.match(r.text, /No model yet/);
    assert.equal(button(r, 'mlloop.importExamples')?.disabled, false, 'Import Examples should be enabled');
    assert.equal(button(r, 'mlloop.train')?.disabled, true, 'Train should wait for examples');
    assert.equal(button(r, 'mlloop.openRun')?.disabled, true, 'there is no run to open yet');
    assert.match(r.text, /No alerts\. Alerts appear once monitoring is configured/);
  });

  it('shows the model version, its age, headline metrics, calibration and data counts after training', async function () {
    this.timeout(120_000);
    const imported = await importExamples(root);
    assert.equal(imported?.imported, 569);
    const trained = await vscode.commands.executeCommand<TrainResult>('mlloop.train', { root });
    assert.ok(trained, 'training returned no result');

    // The page may draw the new model while the job is still shown running (the store's change
    // can reach it before the job's end): wait for the drawing after the job ended.
    const r = await dashboardShowing(
      `model ${trained.modelVersion} with the training ended`,
      (x) => x.text.includes(trained.modelVersion) && x.text.includes('569') && button(x, 'mlloop.train')?.disabled === false,
    );
    // Nothing promoted yet: the registry's current model is the newest, shown as not promoted.
    assert.match(r.text, new RegExp(`${trained.modelVersion} newest, not promoted Nothing promoted yet: the newest model serves\\. trained (just now|1 minute ago) · run ${trained.runId}`));
    for (const name of ['accuracy', 'f1_macro', 'roc_auc', 'log_loss']) {
      const value = trained.metrics[name];
      assert.equal(typeof value, 'number', `training reported no ${name}`);
      assert.ok(r.text.includes(`${metricLabel(name)} ${formatMetric(value)}`), `the dashboard does not show ${metricLabel(name)} ${formatMetric(value)}: ${r.text}`);
    }
    assert.match(r.text, /On the test split \(114 rows\), with 95% bootstrap intervals\./, 'headline metrics carry their bootstrap intervals');
    const run = api.state.snapshot?.runs.find((x) => x.id === trained.runId);
    const calibration = run?.details?.calibration as { method: string; test: { before: { ece: number }; after: { ece: number } } } | undefined;
    assert.ok(calibration?.test, 'the run recorded no calibration');
    assert.ok(r.text.toLowerCase().includes(`calibration ${calibration.method}`), `calibration method ${calibration.method} not shown: ${r.text}`);
    assert.ok(r.text.includes(`Test ECE ${formatMetric(calibration.test.before.ece)}`), 'ECE before calibration not shown');
    assert.ok(r.text.includes(formatMetric(calibration.test.after.ece)), 'ECE after calibration not shown');
    assert.match(r.text, /Examples\s*569\s*New labels\s*0\s*Runs\s*1/);
    assert.equal(button(r, 'mlloop.train')?.disabled, false);
    assert.equal(button(r, 'mlloop.evaluate')?.disabled, false);
    assert.equal(button(r, 'mlloop.openRun')?.disabled, false);
    assert.ok(button(r, 'mlloop.showLog'), 'no Show Log button');
    // Toasts and the Output panel (opened by earlier steps) would cover part of the window.
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await takeScreenshot('dashboard', { settleMs: 1000 });
  });

  it('shows a running job with its progress, and its Cancel button stops the training', async function () {
    this.timeout(120_000);
    // One row per step and no early stopping: a few hundred epochs take long enough to watch.
    writeProject(extensionPath, root, { validationSplit: 0.3, batchSize: 1, epochs: 400, earlyStopping: { enabled: false } });
    const runsBefore = api.state.snapshot?.runs.length ?? 0;
    const training = vscode.commands.executeCommand<TrainResult | undefined>('mlloop.train', { root });

    // This job's progress (to 400 epochs), not a drawing of the training before it still on screen.
    const r = await dashboardShowing('training progress past epoch 40 of the configured 400', (x) => x.progress?.max === 400 && (x.progress?.value ?? 0) >= 40, 60_000);
    assert.ok(r.progress!.value < 400);
    assert.match(r.text, /Training · run \d+/);
    // A loss under 1e-4 is written in exponent form (1.049e-5): the model can reach it by epoch 40.
    const num = String.raw`\d\.\d{3,4}(?:e-\d+)?`;
    assert.match(r.text, new RegExp(`epoch \\d+ / 400 · loss ${num} · val_loss ${num}`));
    const cancel = button(r, 'mlloop.cancelJob');
    assert.ok(cancel && !cancel.disabled, 'no enabled Cancel button while training');
    assert.equal(button(r, 'mlloop.train')?.disabled, true, 'Train is disabled while a job runs');
    // Toasts and the Output panel (opened by earlier steps) would cover part of the window.
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await takeScreenshot('dashboard-training', { settleMs: 300 });

    assert.equal(await vscode.commands.executeCommand('_mlloop.dashboard.press', 'mlloop.cancelJob'), true);
    assert.equal(await training, undefined, 'a cancelled training returns no result');
    assert.equal(api.jobs.current, undefined);
    const cancelled = await waitFor(() => {
      const runs = api.state.snapshot?.runs ?? [];
      return runs.length > runsBefore && runs[0].status === 'cancelled' ? runs[0] : undefined;
    }, 'the newest run to be recorded as cancelled');
    assert.ok(cancelled.durationMs !== null && cancelled.durationMs < 60_000);
    const after = await dashboardShowing('no running job', (x) => !button(x, 'mlloop.cancelJob') && !x.progress);
    assert.match(after.text, /Runs\s*2/);
  });
});

describe('status bar', function () {
  let api: MlLoopApi;
  let root: string;
  let alerts: AlertProvider;
  let bar: ModelStatusBar;

  before(async function () {
    this.timeout(90_000);
    const extension = await activatedMlloopExtension();
    api = extension.exports as MlLoopApi;
    root = path.join(workspaceRoot(), `${PROJECT_NAME}-status`);
    writeProject(extension.extensionPath, root, { validationSplit: 0.3 });
    await projectStateSettled(api);
    await importExamples(root);
    alerts = new AlertProvider();
    // A second item of the same class over the extension's own state and jobs: the API gives
    // no way to read another item's text.
    bar = new ModelStatusBar(api.state, api.jobs, alerts, 'mlloop.model.test');
  });

  after(async function () {
    this.timeout(30_000);
    bar?.dispose();
    alerts?.dispose();
    await api.state.setRoot(workspaceRoot());
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('says "no model" for a project that has examples but no model yet, and opens the dashboard', async () => {
    await api.state.setRoot(root);
    await waitFor(() => bar.visible && bar.item.text.includes('no model'), 'the status bar to say there is no model');
    assert.equal(bar.item.text, '$(circle-large-outline) ML Loop: no model');
    assert.equal((bar.item.command as vscode.Command).command, 'mlloop.openDashboard');
  });

  it('shows the current model version (the newest, not promoted) and its calibration ECE once trained, with the reasons in the tooltip', async function () {
    this.timeout(90_000);
    const trained = await vscode.commands.executeCommand<TrainResult>('mlloop.train', { root });
    const run = await waitFor(() => api.state.snapshot?.runs.find((r) => r.id === trained.runId && r.status === 'completed'), 'the run in the project state');
    const ece = (run.details?.calibration as { test: { after: { ece: number } } }).test.after.ece;
    await waitFor(() => bar.item.text.includes(trained.modelVersion), 'the status bar to show the new model');
    assert.equal(bar.item.text, `$(pass) ML Loop ${trained.modelVersion} (not promoted) · ECE ${formatMetric(ece)}`);
    // The Markdown source with its escapes removed: the text a user reads.
    const tooltip = (bar.item.tooltip as vscode.MarkdownString).value.replace(/\\(.)/g, '$1');
    assert.ok(tooltip.includes(`Current model **${trained.modelVersion}**, trained just now (run ${trained.runId})`), tooltip);
    assert.ok(tooltip.includes('Health: **healthy**'), tooltip);
    assert.ok(tooltip.includes(`The newest run (run ${trained.runId}) completed.`), tooltip);
    assert.ok(tooltip.includes(`Test-split ECE ${formatMetric(ece)}`), tooltip);
    assert.equal(bar.item.accessibilityInformation?.label, `ML Loop: model ${trained.modelVersion}, not promoted, healthy. Opens the dashboard.`);
  });

  it('turns to an error when monitoring raises a critical alert, and back once it is acknowledged', async () => {
    alerts.replace([
      { id: 'a1', severity: 'critical', title: 'Live accuracy fell', detail: 'Live accuracy 0.71 over the last 500 outcomes.', metric: 'live_accuracy', value: 0.71, threshold: 0.85, createdAt: new Date().toISOString(), acknowledged: false },
    ]);
    assert.match(bar.item.text, /^\$\(error\) ML Loop v\d+ \(not promoted\) · 1 critical alert$/);
    assert.ok(bar.item.backgroundColor instanceof vscode.ThemeColor);
    assert.equal(await alerts.acknowledge('a1'), true);
    assert.match(bar.item.text, /^\$\(pass\) ML Loop v\d+ \(not promoted\) · ECE /);
    assert.equal(bar.item.backgroundColor, undefined);
  });

  it('opens the dashboard when clicked', async () => {
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await waitFor(async () => (await rendering()) === undefined, 'the dashboard to be hidden');
    await vscode.commands.executeCommand((bar.item.command as vscode.Command).command);
    await showDashboard();
    await dashboardShowing('the project again', (r) => r.text.includes(PROJECT_NAME));
  });

  it('is hidden while the workspace has no ML Loop project', async () => {
    const empty = path.join(workspaceRoot(), 'no-project-here');
    fs.mkdirSync(empty, { recursive: true });
    try {
      await api.state.setRoot(empty);
      assert.equal(api.state.snapshot, undefined);
      assert.equal(bar.visible, false);
    } finally {
      await api.state.setRoot(root);
      fs.rmSync(empty, { recursive: true, force: true });
    }
    assert.equal(bar.visible, true);
  });
});

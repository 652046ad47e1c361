/**
 * The run panel inside VS Code: it receives epochs live while its run trains (the page
 * reports each redraw back to the host), then the evaluation; it is one panel per run; it
 * comes back with its state after being hidden (no retainContextWhenHidden); and it looks
 * right — screenshots of a binary, a multiclass and a regression run, and one in a
 * high-contrast theme.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunPanel } from '../../../src/extension/runPanel/runPanel';
import type { RunRendered, RunTab } from '../../../webview/run/protocol';
import { takeScreenshot, waitFor, workspaceRoot } from './harness';
import { calibratedChurnRun, churnProject, clearForScreenshots, irisProject, mlloopApi, noJobRunning, regressionProject, removeScratch, restoreWorkbench, someCompletedRun } from './mlloopProjects';

async function openRun(runId: number, root: string, tab?: RunTab): Promise<RunPanel> {
  const panel = await vscode.commands.executeCommand<RunPanel | undefined>('mlloop.openRun', runId, root, tab ? { tab } : undefined);
  assert.ok(panel, `mlloop.openRun ${runId} returned no panel`);
  return panel;
}

/** Waits until the page reports a drawing that satisfies `ok`. */
async function rendered(panel: RunPanel, ok: (r: RunRendered) => boolean, what: string, timeoutMs = 30_000): Promise<RunRendered> {
  try {
    return await waitFor(() => (panel.rendered && ok(panel.rendered) ? panel.rendered : undefined), `the run panel to draw ${what}`, { timeoutMs, intervalMs: 50 });
  } catch (e) {
    throw new Error(`${(e as Error).message}; it last drew ${JSON.stringify(panel.rendered)}`);
  }
}

/** Opens the run at `tab`, waits for the page to draw it, and saves a screenshot. */
async function screenshotTab(runId: number, root: string, tab: RunTab, name: string, needs: string[] = []): Promise<void> {
  const panel = await openRun(runId, root, tab);
  await vscode.commands.executeCommand('notifications.clearAll');
  await rendered(panel, (r) => r.tab === tab && needs.every((s) => r.sections.includes(s)), `tab ${tab} with ${needs.join(', ') || 'its content'}`);
  await takeScreenshot(name, { settleMs: 1200 });
}

describe('run panel', function () {
  this.timeout(240_000);

  before(async () => {
    await clearForScreenshots();
  });

  after(async () => {
    await restoreWorkbench();
    removeScratch();
  });

  it('shows epochs live while the run trains, marks the best epoch and the early stop, then shows the evaluation (screenshot: run-panel-live)', async function () {
    // Known intermittent cause (about one theme run in three in the full suite): VS Code loads
    // the panel's page late. A timeline of a failure: the host forwarded epochs 1–20 at 0.5 s
    // intervals, the run finished at 12 s, and the page said `webview/ready` only at 30 s (no
    // ML Loop code runs in between: the page's first line of script posts ready). The panel then
    // correctly shows the finished run, but the live part could not be seen. Each retry trains
    // a new run, so a panel that never shows live epochs still fails; the failure message
    // carries the timeline to tell the two apart.
    this.retries(2);
    const api = await mlloopApi();
    const root = await churnProject();
    await noJobRunning(api);
    const training = vscode.commands.executeCommand<{ runId: number; bestEpoch: number; epochsRun: number; stoppedEarly: boolean } | undefined>('mlloop.train', { root });
    const runId = await waitFor(() => (api.jobs.current?.kind === 'train' ? api.jobs.current.runId : undefined), 'training to start', { timeoutMs: 60_000 });
    const started = Date.now();
    const timeline: string[] = [];
    const mark = (what: string) => timeline.push(`${((Date.now() - started) / 1000).toFixed(1)} s ${what}`);
    const epochs = api.jobs.onDidEpoch((e) => e.runId === runId && mark(`epoch ${e.logs.epoch} forwarded`));
    const panel = await openRun(runId, root);
    mark('panel open');
    const drawings = panel.onDidRender((r) => mark(`page drew status ${r.status} with ${r.epochs} epochs`));
    assert.equal(panel.panel.title, `Run ${runId}`);

    // The first drawing while the run trains, then later epochs added to it.
    let firstLive: RunRendered;
    let later: RunRendered;
    try {
      firstLive = await rendered(panel, (r) => r.status === 'running' && r.epochs >= 1, 'a running run with an epoch', 60_000);
      later = await rendered(panel, (r) => r.status === 'running' && r.epochs >= firstLive.epochs + 2, 'two more live epochs', 60_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}\ntimeline: ${timeline.join('; ')}`);
    } finally {
      epochs.dispose();
      drawings.dispose();
    }
    assert.ok(later.epochs > firstLive.epochs);
    assert.equal(later.bestEpoch, null, 'the best epoch is only known when training ends');
    assert.deepEqual(later.sections, [], 'no evaluation while training');
    await vscode.commands.executeCommand('notifications.clearAll');
    await takeScreenshot('run-panel-live', { settleMs: 300 });

    const result = await training;
    assert.ok(result, 'training returned nothing');
    const done = await rendered(panel, (r) => r.status === 'completed' && r.sections.includes('metrics'), 'the evaluation after training', 60_000);
    assert.equal(done.epochs, result.epochsRun);
    assert.equal(done.bestEpoch, result.bestEpoch);
    assert.equal(done.stoppedAt, result.stoppedEarly ? result.epochsRun : null);
    for (const section of ['metrics', 'confusion', 'roc', 'pr', 'reliability', 'importance']) assert.ok(done.sections.includes(section), `no ${section} section: ${done.sections.join(', ')}`);
  });

  it('is one panel per run: opening the run again reveals the same panel', async () => {
    const root = await churnProject();
    const runId = await someCompletedRun(root);
    const a = await openRun(runId, root);
    const b = await openRun(runId, root);
    assert.equal(a, b);
    const panels = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.label === `Run ${runId}`);
    assert.equal(panels.length, 1);
  });

  it('comes back after being hidden, at the tab it showed, without retaining its context', async () => {
    const root = await churnProject();
    const runId = await someCompletedRun(root);
    const panel = await openRun(runId, root, 'calibration');
    await rendered(panel, (r) => r.tab === 'calibration' && r.sections.includes('reliability'), 'the calibration tab');
    assert.equal(panel.panel.options.retainContextWhenHidden, undefined);
    // Another editor in the same group hides the panel; the page is unloaded.
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(workspaceRoot(), 'mlloop.yaml')), { viewColumn: panel.panel.viewColumn, preview: false });
    await waitFor(() => !panel.panel.visible, 'the panel to be hidden');
    const seen = panel.rendered;
    panel.reveal();
    // A reloaded page draws again from a new snapshot, at the tab it saved with setState.
    await waitFor(() => panel.rendered !== seen && panel.rendered?.tab === 'calibration' && panel.rendered.sections.includes('reliability'), 'the restored page to draw the calibration tab again');
  });

  it('screenshots: binary run tabs (run-panel-binary-*)', async () => {
    const root = await churnProject();
    const runId = await someCompletedRun(root);
    await screenshotTab(runId, root, 'training', 'run-panel-binary-training');
    await screenshotTab(runId, root, 'metrics', 'run-panel-binary-metrics', ['metrics', 'confusion']);
    await screenshotTab(runId, root, 'curves', 'run-panel-binary-curves', ['roc', 'pr']);
    await screenshotTab(runId, root, 'importance', 'run-panel-binary-importance', ['importance']);
  });

  it('screenshot: a calibrated run shows the reliability diagram before and after (run-panel-binary-calibration)', async () => {
    const root = await churnProject();
    const runId = await calibratedChurnRun(root);
    await screenshotTab(runId, root, 'calibration', 'run-panel-binary-calibration', ['reliability']);
  });

  it('screenshots: a multiclass run (iris) and a regression run', async () => {
    const iris = await irisProject();
    const irisRun = await someCompletedRun(iris);
    await screenshotTab(irisRun, iris, 'metrics', 'run-panel-multiclass-metrics', ['confusion']);
    await screenshotTab(irisRun, iris, 'curves', 'run-panel-multiclass-roc', ['roc']);
    const regression = await regressionProject();
    const regressionRun = await someCompletedRun(regression);
    await screenshotTab(regressionRun, regression, 'curves', 'run-panel-regression-predictions', ['regression']);
    await screenshotTab(regressionRun, regression, 'metrics', 'run-panel-regression-metrics', ['metrics']);
  });

  it('redraws in a high-contrast theme (screenshot: run-panel-high-contrast)', async () => {    const root = await churnProject();
    const runId = await someCompletedRun(root);
    const panel = await openRun(runId, root, 'metrics');
    await rendered(panel, (r) => r.tab === 'metrics' && r.sections.includes('confusion'), 'the metrics tab');
    const config = vscode.workspace.getConfiguration('workbench');
    const previous = config.inspect<string>('colorTheme')?.globalValue;
    await config.update('colorTheme', 'Default High Contrast', vscode.ConfigurationTarget.Global);
    try {
      await openRun(runId, root, 'curves');
      await rendered(panel, (r) => r.tab === 'curves', 'the curves tab');
      await takeScreenshot('run-panel-high-contrast', { settleMs: 2000 });
    } finally {
      await config.update('colorTheme', previous, vscode.ConfigurationTarget.Global);
    }
  });
});

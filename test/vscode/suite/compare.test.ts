/**
 * The compare panel inside VS Code: two runs of the churn project with different settings,
 * side by side — metric deltas with better/worse verdicts, overlaid curves, the
 * confusion-matrix difference and the examples whose prediction changed (computed in the job
 * worker); one panel per set of runs; screenshots of its tabs.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ComparePanel } from '../../../src/extension/compare/comparePanel';
import type { CompareRendered, CompareTab } from '../../../webview/compare/protocol';
import { takeScreenshot, waitFor } from './harness';
import { calibratedChurnRun, churnProject, clearForScreenshots, completedRuns, restoreWorkbench, train } from './mlloopProjects';

async function compare(runIds: number[], root: string, tab?: CompareTab): Promise<ComparePanel> {
  const panel = await vscode.commands.executeCommand<ComparePanel | undefined>('mlloop.compareRuns', runIds, root, tab ? { tab } : undefined);
  assert.ok(panel, `mlloop.compareRuns ${runIds.join(', ')} returned no panel`);
  return panel;
}

async function rendered(panel: ComparePanel, ok: (r: CompareRendered) => boolean, what: string, timeoutMs = 60_000): Promise<CompareRendered> {
  try {
    return await waitFor(() => (panel.rendered && ok(panel.rendered) ? panel.rendered : undefined), `the compare panel to draw ${what}`, { timeoutMs, intervalMs: 50 });
  } catch (e) {
    throw new Error(`${(e as Error).message}; it last drew ${JSON.stringify(panel.rendered)}`);
  }
}

describe('compare panel', function () {
  this.timeout(240_000);
  let root: string;
  let base: number;
  let other: number;

  before(async () => {
    root = await churnProject();
    // The baseline: the slow, default config; the other run: a larger learning rate.
    const slow = (await completedRuns(root)).find((r) => JSON.stringify(r.config).includes('"learningRate":0.0001'));
    base = slow ? slow.id : (await train(root)).runId;
    other = await calibratedChurnRun(root);
    assert.notEqual(base, other);
    await clearForScreenshots();
  });

  after(async () => {
    await restoreWorkbench();
  });

  it('shows metric deltas against the first run, the curves, the confusion difference and the changed predictions (screenshot: compare-metrics)', async () => {
    const panel = await compare([base, other], root);
    assert.equal(panel.panel.title, `Compare runs ${base}, ${other}`);
    const first = await rendered(panel, (r) => r.metricRows > 0, 'the metrics');
    assert.deepEqual(first.runIds, [base, other]);
    for (const section of ['metrics', 'config', 'loss', 'roc', 'confusion']) assert.ok(first.sections.includes(section), `no ${section} section: ${first.sections.join(', ')}`);
    assert.equal(first.otherRunId, other);
    await takeScreenshot('compare-metrics', { settleMs: 1200 });
    // The changed predictions come from the job worker (both bundles on run `other`'s test split).
    const done = await rendered(panel, (r) => r.changes === 'done' || r.changes === 'failed', 'the changed predictions');
    assert.equal(done.changes, 'done');
    assert.ok(done.changedRows >= 0 && done.changedRows <= 200);
  });

  it('is one panel per set of runs and opens at a tab (screenshots: compare-curves, compare-confusion, compare-changes)', async () => {
    const panel = await compare([base, other], root, 'curves');
    assert.equal(await compare([base, other], root), panel, 'the same runs should reveal the same panel');
    await rendered(panel, (r) => r.tab === 'curves', 'the curves tab');
    await takeScreenshot('compare-curves', { settleMs: 1200 });
    await compare([base, other], root, 'confusion');
    await rendered(panel, (r) => r.tab === 'confusion', 'the confusion tab');
    await takeScreenshot('compare-confusion', { settleMs: 800 });
    await compare([base, other], root, 'changes');
    await rendered(panel, (r) => r.tab === 'changes' && r.changes === 'done' && r.sections.includes('changes'), 'the changed predictions tab');
    await takeScreenshot('compare-changes', { settleMs: 800 });
  });

  it('accepts the Runs view’s (clicked run, selected runs) arguments with the older run as the baseline', async () => {
    const panel = await vscode.commands.executeCommand<ComparePanel | undefined>('mlloop.compareRuns', other, [other, base]);
    assert.ok(panel);
    assert.deepEqual([...panel.runIds], [Math.min(base, other), Math.max(base, other)]);
  });
});

/**
 * Every palette command of ML Loop with its arguments (createProject {dataFile, label, root,
 * force}, importExamples {root, files}, train {root}, evaluate {root}, showLog), and training
 * the workspace's project from the command palette itself until the Runs view shows the
 * finished run.
 *
 * The regression project is created in a scratch folder outside the workspace (see
 * ./mlloopProjects.ts), so the workspace keeps its single mlloop.yaml.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { takeScreenshot, waitFor, workspaceRoot } from './harness';
import { suiteEnvNames } from './protocol';
import { mlloopApi, noJobRunning, restoreWorkbench, scratchRoot, type TestRun } from './mlloopProjects';

describe('commands', () => {
  after(async () => {
    await restoreWorkbench();
  });

  it('mlloop.createProject {dataFile, label, root, force} writes mlloop.yaml and infers a regression task', async () => {
    const root = path.join(scratchRoot(), 'commands-regression');
    fs.mkdirSync(root, { recursive: true });
    const dataFile = path.join(root, 'iris.csv');
    fs.copyFileSync(path.join(workspaceRoot(), 'iris.csv'), dataFile);
    const file = await vscode.commands.executeCommand<string | undefined>('mlloop.createProject', { dataFile, label: 'petal_width', root });
    assert.equal(file, path.join(root, 'mlloop.yaml'));
    const text = fs.readFileSync(file!, 'utf8');
    assert.match(text, /^task: regression/m);
    assert.match(text, /^label: petal_width/m);
    assert.match(text, /name: sepal_length, type: numeric/);
    assert.doesNotMatch(text, /name: petal_width/, 'the label must not also be a feature');
    // force: overwrites without asking (no modal dialog would ever be answered in a test).
    fs.writeFileSync(file!, '# replaced\n');
    const again = await vscode.commands.executeCommand<string | undefined>('mlloop.createProject', { dataFile, label: 'petal_width', root, force: true });
    assert.equal(again, file);
    assert.match(fs.readFileSync(file!, 'utf8'), /^task: regression/m);
  });

  it('mlloop.importExamples {root, files} imports the file and skips the same rows the second time', async () => {
    const root = path.join(scratchRoot(), 'commands-regression');
    const files = [path.join(root, 'iris.csv')];
    const first = await vscode.commands.executeCommand<{ imported: number; duplicates: number; rejectedTotal: number } | undefined>('mlloop.importExamples', { root, files });
    assert.ok(first, 'importExamples returned nothing');
    assert.equal(first.imported, 150);
    assert.equal(first.rejectedTotal, 0);
    const second = await vscode.commands.executeCommand<{ imported: number; duplicates: number } | undefined>('mlloop.importExamples', { root, files });
    assert.equal(second?.imported, 0);
    assert.equal(second?.duplicates, 150);
  });

  it('mlloop.train {root} trains the regression project and mlloop.evaluate {root} re-measures its model on the same test split', async () => {
    const root = path.join(scratchRoot(), 'commands-regression');
    const trained = await vscode.commands.executeCommand<{ runId: number; modelVersion: string; metrics: Record<string, number>; reportFile: string } | undefined>('mlloop.train', { root });
    assert.ok(trained, 'train returned nothing');
    assert.equal(trained.modelVersion, `v${trained.runId}`);
    assert.ok(trained.metrics.r2 > 0.8, `r2 ${trained.metrics.r2}`);
    assert.ok(fs.existsSync(trained.reportFile), 'no HTML report');
    assert.ok(fs.existsSync(path.join(root, '.mlloop', 'models', trained.modelVersion, 'model.json')), 'no bundle');
    const evaluated = await vscode.commands.executeCommand<{ model: string; on: string; n: number; metrics: Record<string, number> } | undefined>('mlloop.evaluate', { root });
    assert.ok(evaluated, 'evaluate returned nothing');
    assert.equal(evaluated.model, trained.modelVersion);
    assert.equal(evaluated.on, `test split of run ${trained.runId}`);
    assert.ok(Math.abs(evaluated.metrics.r2 - trained.metrics.r2) < 1e-6, `evaluate r2 ${evaluated.metrics.r2} ≠ train r2 ${trained.metrics.r2}`);
  });

  it('mlloop.importExamples {root} (no files) imports the sources listed in mlloop.yaml without asking', async () => {
    const root = workspaceRoot();
    const report = await vscode.commands.executeCommand<{ imported: number; duplicates: number } | undefined>('mlloop.importExamples', { root });
    assert.ok(report, 'importExamples returned nothing');
    assert.equal(report.imported + report.duplicates, 150);
  });

  it('trains the workspace project from the command palette until the Runs view shows the finished run (screenshot: runs-view-trained)', async function () {
    this.timeout(180_000);
    const api = await mlloopApi();
    await noJobRunning(api);
    const root = workspaceRoot();
    // Self-sufficient when run alone (--grep): the project needs its examples to train.
    await vscode.commands.executeCommand('mlloop.importExamples', { root });
    await api.state.setRoot(root);
    const before = new Set((api.state.snapshot?.runs ?? []).map((r) => r.id));
    // With mlloop.yaml active, the command (run without arguments) knows the project without asking.
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(root, 'mlloop.yaml')));
    await vscode.commands.executeCommand('workbench.action.quickOpen', '>ML Loop: Train Model');
    // The palette filters asynchronously; accept once our command is the selected entry.
    await new Promise((resolve) => setTimeout(resolve, 800));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const runId = await waitFor(() => (api.jobs.current?.kind === 'train' ? api.jobs.current.runId : undefined), 'the palette to start a training job', { timeoutMs: 30_000 });
    assert.ok(!before.has(runId), `run ${runId} existed before`);
    // The Runs view's items are the snapshot's runs (src/extension/sidebar/runsTree.ts).
    const finished = await waitFor(
      () => api.state.snapshot?.root === root && api.state.snapshot.runs.find((r: TestRun) => r.id === runId && r.status === 'completed'),
      `run ${runId} to show as completed in the Runs view`,
      { timeoutMs: 150_000, intervalMs: 250 },
    );
    assert.equal(finished.modelVersion, `v${runId}`);
    assert.ok(finished.bestEpoch !== null && finished.bestEpoch >= 1);
    await vscode.commands.executeCommand('mlloop.runs.focus');
    await takeScreenshot('runs-view-trained', { settleMs: 1500 });
  });

  it('mlloop.showLog shows the ML Loop log, which holds the training it ran', async () => {
    await vscode.commands.executeCommand('mlloop.showLog');
    const api = await mlloopApi();
    const lastRun = api.state.snapshot?.runs[0];
    assert.ok(lastRun, 'no run to find in the log');
    // VS Code writes the log output channel to a file under the extension host's log folder.
    const logsDir = process.env[suiteEnvNames.vscodeLogsDir];
    if (!logsDir) return;
    const logFile = await waitFor(
      () => findFile(logsDir, (f) => path.basename(f) === 'ML Loop.log' && fs.readFileSync(f, 'utf8').includes(`run ${lastRun.id} epoch 1:`)),
      `the ML Loop log file to mention run ${lastRun.id}'s epochs`,
      { timeoutMs: 15_000, intervalMs: 300 },
    );
    assert.match(fs.readFileSync(logFile, 'utf8'), new RegExp(`run ${lastRun.id} → model v${lastRun.id}`));
  });
});

/** The first file under `dir` (recursively) that `match` accepts. */
function findFile(dir: string, match: (file: string) => boolean): string | undefined {
  if (!fs.existsSync(dir)) return undefined;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const found = entry.isDirectory() ? findFile(full, match) : match(full) ? full : undefined;
    if (found) return found;
  }
  return undefined;
}

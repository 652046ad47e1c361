/**
 * The Runs, Models and Alerts views of the "ML Loop" sidebar: their items (labels,
 * descriptions, icons, tooltips, what a click runs), the context-menu entries package.json
 * offers for each kind of item, the commands behind them (delete, reveal, acknowledge), and
 * live updates while a run trains here or the CLI trains in a terminal.
 *
 * Tree providers are the extension's own classes over the extension's own project state and
 * job tracker (the API gives no way to read another view's items); the screenshot shows the
 * extension's views.
 *
 * Works in its own project folder inside the workspace (so the file watcher sees the store)
 * and removes it at the end.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { Alert } from '../../../src/core/monitor/types';
import type { TrainResult } from '../../../src/core/jobs/train';
import { AlertProvider } from '../../../src/extension/drift/alertProvider';
import type { MlLoopApi } from '../../../src/extension/extension';
import { AlertsTreeProvider } from '../../../src/extension/sidebar/alertsTree';
import { ModelsTreeProvider } from '../../../src/extension/sidebar/modelsTree';
import { RunsTreeProvider, type RunsTreeElement } from '../../../src/extension/sidebar/runsTree';
import { activatedMlloopExtension, takeScreenshot, waitFor, workspaceRoot } from './harness';
import { WATCHABLE_MODEL, writeBreastCancerProject } from './mlloopProjects';

const PROJECT_NAME = 'sidebar-trees';

interface MenuEntry {
  command: string;
  when?: string;
  group?: string;
}

/**
 * Commands of the `view/item/context` menu that VS Code shows for an item: evaluates the
 * `when` clauses of package.json (the `view`, `viewItem` and `listMultiSelection` terms they
 * use; any other term fails the test so this helper never silently ignores one).
 */
function contextMenu(packageJson: { contributes: { menus: Record<string, MenuEntry[]> } }, view: string, contextValue: string, multiSelection = false): string[] {
  const entries = packageJson.contributes.menus['view/item/context'] ?? [];
  const holds = (term: string): boolean => {
    const t = term.trim();
    let m: RegExpExecArray | null;
    if ((m = /^view == (\S+)$/.exec(t))) return m[1] === view;
    if ((m = /^viewItem == (\S+)$/.exec(t))) return m[1] === contextValue;
    if ((m = /^viewItem =~ \/(.+)\/$/.exec(t))) return new RegExp(m[1]).test(contextValue);
    if (t === 'listMultiSelection') return multiSelection;
    throw new Error(`contextMenu() does not know the when-clause term "${t}"`);
  };
  const shown = entries.filter((e) => (e.when ?? '').split('&&').every(holds));
  return [...new Set(shown.map((e) => e.command))].sort();
}

function writeProject(extensionPath: string, root: string, training: Record<string, unknown>): void {
  // A training that is watched and cancelled (batchSize 1, hundreds of epochs) gets a model
  // wide enough to take seconds on the SIMD training loop.
  writeBreastCancerProject(extensionPath, root, PROJECT_NAME, training, training.batchSize === 1 ? WATCHABLE_MODEL : undefined);
}

/** Waits until the project state lists `count` runs, none of them still running (commands refresh it just after they return). */
async function runsSettled(api: MlLoopApi, count: number): Promise<void> {
  await waitFor(() => {
    const list = api.state.snapshot?.runs ?? [];
    return list.length === count && list.every((r) => r.status !== 'running') && (api.state.snapshot?.models.length ?? 0) >= list.filter((r) => r.status === 'completed').length;
  }, `${count} finished runs in the project state`);
}

function iconId(item: vscode.TreeItem): string | undefined {
  return item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : undefined;
}

function tooltipText(item: vscode.TreeItem): string {
  const t = item.tooltip;
  // The Markdown source with its escapes removed: the text a user reads.
  return (typeof t === 'string' ? t : (t?.value ?? '')).replace(/\\(.)/g, '$1');
}

describe('sidebar trees', function () {
  let api: MlLoopApi;
  let extensionPath: string;
  let packageJson: { contributes: { menus: Record<string, MenuEntry[]>; viewsWelcome: Array<{ view: string; contents: string; when?: string }> } };
  let root: string;
  let runs: RunsTreeProvider;
  let models: ModelsTreeProvider;
  const trained: TrainResult[] = [];

  before(async function () {
    this.timeout(120_000);
    const extension = await activatedMlloopExtension();
    api = extension.exports as MlLoopApi;
    extensionPath = extension.extensionPath;
    packageJson = extension.packageJSON;
    root = path.join(workspaceRoot(), PROJECT_NAME);
    writeProject(extensionPath, root, { validationSplit: 0.3 });
    await waitFor(() => api.state.root !== undefined, 'the project state to pick the workspace project');
    await api.state.setRoot(root);
    await vscode.commands.executeCommand('mlloop.importExamples', { root, files: [path.join(root, 'data', 'breast_cancer.csv')] });
    for (let i = 0; i < 2; i++) {
      const result = await vscode.commands.executeCommand<TrainResult | undefined>('mlloop.train', { root });
      assert.ok(result, 'training failed');
      trained.push(result);
    }
    runs = new RunsTreeProvider(api.state, api.jobs);
    models = new ModelsTreeProvider(api.state);
    await runsSettled(api, 2);
  });

  after(async function () {
    this.timeout(30_000);
    runs?.dispose();
    models?.dispose();
    await api.state.setRoot(workspaceRoot());
    fs.rmSync(root, { recursive: true, force: true });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('lists one item per run, newest first, with status, headline metric and duration', () => {
    assert.deepEqual(runs.getChildren(), [trained[1].runId, trained[0].runId]);
    const item = runs.getTreeItem(trained[1].runId);
    assert.equal(item.label, `Run ${trained[1].runId}`);
    const description = String(item.description);
    assert.match(description, new RegExp(`^completed · accuracy ${trained[1].metrics.accuracy.toFixed(4)} · \\d+(\\.\\d)? (ms|s)$`));
    assert.equal(iconId(item), 'pass');
    assert.equal(item.contextValue, 'mlloop.run.completed');
    assert.deepEqual(item.command && { command: item.command.command, arguments: item.command.arguments }, { command: 'mlloop.openRun', arguments: [trained[1].runId] });
    const tooltip = tooltipText(item);
    assert.match(tooltip, new RegExp(`\\*\\*Run ${trained[1].runId}\\*\\* — completed`));
    assert.match(tooltip, /Rows: 284 train \/ 171 validation \/ 114 test/);
    assert.match(tooltip, new RegExp(`Model: ${trained[1].modelVersion}`));
    assert.match(tooltip, /Calibration: \w+, test ECE \d\.\d{4} → \d\.\d{4}/);
    assert.match(tooltip, /Test metrics/);
    assert.match(item.accessibilityInformation?.label ?? '', new RegExp(`^Run ${trained[1].runId}, completed, accuracy`));
  });

  it('offers Open, Compare (with several selected) and Delete on finished runs', () => {
    assert.deepEqual(contextMenu(packageJson, 'mlloop.runs', 'mlloop.run.completed'), ['mlloop.deleteRun', 'mlloop.openRun']);
    assert.deepEqual(contextMenu(packageJson, 'mlloop.runs', 'mlloop.run.completed', true), ['mlloop.compareRuns', 'mlloop.deleteRun', 'mlloop.openRun']);
    assert.deepEqual(contextMenu(packageJson, 'mlloop.runs', 'mlloop.run.failed'), ['mlloop.deleteRun', 'mlloop.openRun']);
    assert.deepEqual(contextMenu(packageJson, 'mlloop.runs', 'mlloop.run.running'), ['mlloop.openRun']);
  });

  it('shows a running run live (spinner, epoch) and records it as cancelled after Cancel', async function () {
    this.timeout(90_000);
    writeProject(extensionPath, root, { validationSplit: 0.3, batchSize: 1, epochs: 400, earlyStopping: { enabled: false } });
    const changed: Array<RunsTreeElement | undefined> = [];
    const subscription = runs.onDidChangeTreeData((e) => changed.push(e));
    try {
      const training = vscode.commands.executeCommand<TrainResult | undefined>('mlloop.train', { root });
      const runId = await waitFor(() => {
        const id = api.jobs.current?.runId;
        return id !== undefined && String(runs.getTreeItem(id).description).includes('epoch') ? id : undefined;
      }, 'the running run to show its epoch', { timeoutMs: 60_000 });
      const item = runs.getTreeItem(runId);
      assert.equal(iconId(item), 'loading~spin');
      assert.equal(item.contextValue, 'mlloop.run.running');
      assert.match(String(item.description), /^running · epoch \d+\/400 · /);
      await waitFor(() => changed.includes(runId), 'epoch progress to repaint the running run\'s row alone');
      assert.deepEqual(await vscode.commands.executeCommand('mlloop.deleteRun', { runIds: [runId], confirmed: true }), [], 'a run still training is not deleted');
      assert.equal(await vscode.commands.executeCommand('mlloop.cancelJob'), true);
      assert.equal(await training, undefined);
      await runsSettled(api, 3);
      assert.equal(runs.getTreeItem(runId).contextValue, 'mlloop.run.cancelled');
      assert.equal(iconId(runs.getTreeItem(runId)), 'circle-slash');
      assert.match(String(runs.getTreeItem(runId).description), /^cancelled · /);
    } finally {
      subscription.dispose();
      writeProject(extensionPath, root, { validationSplit: 0.3 });
    }
  });

  it('deletes a run with mlloop.deleteRun, and refuses an unknown one', async () => {
    const newest = runs.getChildren()[0] as number;
    assert.equal(runs.run(newest)?.status, 'cancelled');
    assert.deepEqual(await vscode.commands.executeCommand('mlloop.deleteRun', { runIds: [newest], confirmed: true }), [newest]);
    assert.ok(!runs.getChildren().includes(newest), 'the deleted run is still listed');
    assert.deepEqual(runs.getChildren(), [trained[1].runId, trained[0].runId]);
    assert.deepEqual(await vscode.commands.executeCommand('mlloop.deleteRun', { runIds: [9999], confirmed: true }), []);
  });

  it('updates live when the CLI trains in a terminal', async function () {
    this.timeout(90_000);
    const before = new Set(runs.getChildren());
    const cli = path.join(extensionPath, 'dist', 'cli.js');
    await promisify(execFile)(process.execPath, [cli, 'train', '--project', root], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    const added = await waitFor(() => runs.getChildren().find((id): id is number => typeof id === 'number' && !before.has(id) && runs.run(id)?.status === 'completed'), 'the CLI\'s finished run to appear in the Runs tree');
    await runsSettled(api, before.size + 1);
    assert.equal(models.getChildren()[0], runs.run(added)?.modelVersion, 'its model is the newest, current one');
  });

  it('lists models newest first, the newest marked as serving while nothing is promoted, and reveals a model\'s files', async () => {
    const versions = models.getChildren();
    assert.ok(versions.length >= 3);
    assert.ok(!versions.includes('#history'), 'no History node before anything was promoted or rejected');
    const [current, older] = [models.getTreeItem(versions[0]), models.getTreeItem(versions[1])];
    assert.equal(current.label, versions[0]);
    assert.match(String(current.description), /^current \(newest, not promoted\) · Accuracy \d\.\d{4} · F1 \(macro\) \d\.\d{4}$/);
    assert.equal(iconId(current), 'star-empty');
    assert.equal(current.contextValue, 'mlloop.model.newest');
    assert.match(tooltipText(current), /Nothing has been promoted yet, so the newest model serves: predictions use it\. Promote one/);
    assert.match(tooltipText(current), /Files: \.mlloop\/models\/v\d+/);
    assert.match(String(older.description), /^Accuracy \d\.\d{4}/);
    assert.equal(iconId(older), 'package');
    assert.equal(older.contextValue, 'mlloop.model');
    assert.deepEqual(contextMenu(packageJson, 'mlloop.models', 'mlloop.model.newest'), ['mlloop.promote', 'mlloop.revealModelFiles']);
    assert.deepEqual(contextMenu(packageJson, 'mlloop.models', 'mlloop.model'), ['mlloop.promote', 'mlloop.revealModelFiles']);

    const folder = await vscode.commands.executeCommand<string | undefined>('mlloop.revealModelFiles', { version: versions[1], in: 'explorer' });
    assert.equal(folder, path.join(root, '.mlloop', 'models', versions[1]));
    assert.ok(fs.existsSync(path.join(folder!, 'model.json')) || fs.readdirSync(folder!).length > 0, 'the revealed folder holds the bundle');
    assert.equal(await vscode.commands.executeCommand('mlloop.revealModelFiles', { version: 'v999', in: 'explorer' }), undefined);
  });

  it('shows no alerts until monitoring reports some, with a welcome text that says how monitoring starts', async () => {
    const empty = new AlertProvider();
    const tree = new AlertsTreeProvider(empty);
    try {
      assert.deepEqual(tree.getChildren(), []);
    } finally {
      tree.dispose();
      empty.dispose();
    }
    const welcome = packageJson.contributes.viewsWelcome.filter((w) => w.view === 'mlloop.alerts');
    assert.equal(welcome.length, 1);
    assert.match(welcome[0].contents, /^No alerts\.\nAlerts appear here once monitoring is configured: /);
    assert.match(welcome[0].contents, /\[Open Drift & Alerts\]\(command:mlloop\.openDriftPanel\)/);
    // The extension's own provider is empty too: acknowledging anything does nothing.
    assert.deepEqual(await vscode.commands.executeCommand('mlloop.acknowledgeAlert', 'no-such-alert'), []);
  });

  it('lists alerts grouped by severity, unacknowledged first in each group, and keeps acknowledgements across reports', async () => {
    const now = Date.now();
    const alert = (id: string, severity: Alert['severity'], minutesAgo: number, acknowledged = false): Alert => ({
      id,
      severity,
      title: `${severity} alert ${id}`,
      detail: `Detail of ${id}.`,
      metric: 'psi:mean_radius',
      value: 0.31,
      threshold: 0.2,
      createdAt: new Date(now - minutesAgo * 60_000).toISOString(),
      acknowledged,
    });
    const provider = new AlertProvider();
    const tree = new AlertsTreeProvider(provider);
    let changes = 0;
    const subscription = tree.onDidChangeTreeData(() => changes++);
    try {
      provider.replace([alert('i1', 'info', 1), alert('w-old', 'warning', 30), alert('c1', 'critical', 5, true), alert('w-new', 'warning', 2)]);
      assert.deepEqual(tree.getChildren(), ['severity:critical', 'severity:warning', 'severity:info']);
      assert.deepEqual(tree.getChildren('severity:warning'), ['w-new', 'w-old']);
      assert.deepEqual(tree.getChildren('severity:critical'), ['c1']);
      assert.equal(tree.getParent('w-old'), 'severity:warning');
      const group = tree.getTreeItem('severity:warning');
      assert.equal(group.label, 'Warning');
      assert.equal(String(group.description), '2');
      assert.equal(String(tree.getTreeItem('severity:critical').description), '0 of 1 unacknowledged');
      assert.equal(changes, 1);
      const w = tree.getTreeItem('w-new');
      assert.equal(w.label, 'warning alert w-new');
      assert.equal(String(w.description), 'psi:mean_radius 0.3100 (threshold 0.2000) · 2 minutes ago');
      assert.equal(iconId(w), 'warning');
      assert.equal(w.contextValue, 'mlloop.alert.active');
      assert.deepEqual(w.command && { command: w.command.command, arguments: w.command.arguments }, { command: 'mlloop.openDriftPanel', arguments: ['w-new'] });
      assert.match(tooltipText(w), /Detail of w-new\./);
      const acknowledged = tree.getTreeItem('c1');
      assert.equal(iconId(acknowledged), 'check');
      assert.equal(acknowledged.contextValue, 'mlloop.alert.acknowledged');
      assert.match(String(acknowledged.description), /^acknowledged · /);
      assert.deepEqual(contextMenu(packageJson, 'mlloop.alerts', 'mlloop.alert.active'), ['mlloop.acknowledgeAlert', 'mlloop.openDriftPanel', 'mlloop.resolveAlert']);
      assert.deepEqual(contextMenu(packageJson, 'mlloop.alerts', 'mlloop.alert.acknowledged'), ['mlloop.openDriftPanel', 'mlloop.resolveAlert']);

      assert.equal(await provider.acknowledge('w-new'), true);
      assert.equal(await provider.acknowledge('w-new'), false, 'acknowledging twice changes nothing');
      assert.deepEqual(tree.getChildren('severity:warning'), ['w-old', 'w-new']);
      assert.equal(await provider.resolve('i1'), true);
      assert.deepEqual(tree.getChildren(), ['severity:critical', 'severity:warning'], 'a resolved alert leaves the view, and its empty group with it');
      provider.replace([alert('w-new', 'warning', 2), alert('w-old', 'warning', 30)]);
      assert.equal(provider.get('w-new')?.acknowledged, true, 'a repeated report keeps the acknowledgement');
      assert.deepEqual(provider.active.map((a) => a.id), ['w-old']);
    } finally {
      subscription.dispose();
      tree.dispose();
      provider.dispose();
    }
  });

  it('shows the Runs, Models and Alerts views in the ML Loop sidebar (screenshot: sidebar-trees)', async () => {
    await vscode.commands.executeCommand('mlloop.runs.focus');
    await vscode.commands.executeCommand('mlloop.models.focus');
    await vscode.commands.executeCommand('mlloop.alerts.focus');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // Toasts and the Output panel (opened by earlier steps) would cover part of the window.
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await takeScreenshot('sidebar-trees', { settleMs: 1200 });
  });
});

/**
 * The loop in VS Code, on a real iris project with real training: Retrain Now runs a cycle in
 * the job worker and announces the promotion with a button that opens its deployment report;
 * the Models view marks the champion and lists the history; Promote runs the quality gate and
 * shows its rejection with every reason, offering a forced promotion behind a modal
 * confirmation; Roll Back names "from → to" before it acts; the Runs view lists the cycles
 * with their decisions; the dashboard shows the champion, the next scheduled cycle, the labels
 * since the last cycle and the last decision with its reasons and report; and with
 * `mlloop.loop.enabled` on, the window runs the schedule itself (a fine-tune once enough new
 * labels arrived) and announces what the gate decided.
 *
 * Questions and notifications are read from the extension's Prompts record (the API gives no
 * access to a notification's text) and answered through its responder (a modal dialog would
 * block the window until a person clicks). Tree providers are the extension's own classes over
 * its own project state, as in trees.test.ts.
 *
 * Works in its own project folder inside the workspace (so the file watcher sees the store)
 * and removes it at the end.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CycleResult } from '../../../src/core/loop/cycle';
import type { PromoteResult } from '../../../src/core/loop/promote';
import type { RegistryEvent } from '../../../src/core/store/types';
import { AlertProvider } from '../../../src/extension/drift/alertProvider';
import type { MlLoopApi } from '../../../src/extension/extension';
import type { PromptRecord } from '../../../src/extension/prompts';
import { ModelsTreeProvider } from '../../../src/extension/sidebar/modelsTree';
import { RunsTreeProvider } from '../../../src/extension/sidebar/runsTree';
import { ModelStatusBar } from '../../../src/extension/statusBar';
import type { DashboardRendering } from '../../../webview/dashboard/protocol';
import { activatedMlloopExtension, takeScreenshot, waitFor, workspaceRoot } from './harness';
import { dashboardShowing, rendering, showDashboard } from './dashboardPage';

const PROJECT = 'loop-project';

interface MenuEntry {
  command: string;
  when?: string;
}

/** Commands of the `view/item/context` menu for an item (the `view` and `viewItem` terms package.json uses). */
function contextMenu(packageJson: { contributes: { menus: Record<string, MenuEntry[]> } }, view: string, contextValue: string): string[] {
  const holds = (term: string): boolean => {
    const t = term.trim();
    let m: RegExpExecArray | null;
    if ((m = /^view == (\S+)$/.exec(t))) return m[1] === view;
    if ((m = /^viewItem == (\S+)$/.exec(t))) return m[1] === contextValue;
    if ((m = /^viewItem =~ \/(.+)\/$/.exec(t))) return new RegExp(m[1]).test(contextValue);
    if (t === 'listMultiSelection') return false;
    throw new Error(`contextMenu() does not know the when-clause term "${t}"`);
  };
  const shown = (packageJson.contributes.menus['view/item/context'] ?? []).filter((e) => (e.when ?? '').split('&&').every(holds));
  return [...new Set(shown.map((e) => e.command))].sort();
}

function iconId(item: vscode.TreeItem): string | undefined {
  return item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : undefined;
}

function tooltipText(item: vscode.TreeItem | vscode.StatusBarItem): string {
  const t = item.tooltip;
  return (typeof t === 'string' ? t : (t?.value ?? '')).replace(/\\(.)/g, '$1');
}

/** `n` iris-like rows that no stored row repeats (each is a new label). */
function writeNewRows(file: string, n: number): void {
  const species = ['setosa', 'versicolor', 'virginica'];
  const rows = ['sepal_length,sepal_width,petal_length,petal_width,species'];
  for (let i = 0; i < n; i++) {
    const s = species[i % 3];
    const base = s === 'setosa' ? [5.0, 3.4, 1.5, 0.2] : s === 'versicolor' ? [5.9, 2.8, 4.3, 1.3] : [6.6, 3.0, 5.5, 2.0];
    rows.push([...base.map((v, k) => (v + ((i * 7919 + k * 104729) % 97) / 1000).toFixed(3)), s].join(','));
  }
  fs.writeFileSync(file, rows.join('\n') + '\n');
}

function reportTabs(): string[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('mlloop.deploymentReport'))
    .map((t) => t.label);
}

/**
 * Runs `fn` with the dashboard alone in the side bar (the Runs, Models and Alerts views
 * hidden), so a screenshot shows more of it; puts the views back afterwards.
 */
async function withDashboardAlone(fn: () => Promise<void>): Promise<void> {
  const views = ['mlloop.runs', 'mlloop.models', 'mlloop.alerts'];
  for (const v of views) await vscode.commands.executeCommand(`${v}.toggleVisibility`);
  try {
    await fn();
  } finally {
    for (const v of views) await vscode.commands.executeCommand(`${v}.toggleVisibility`);
  }
}

/** Waits until no job runs in the window (a command's job is refused while another runs). */
async function jobsIdle(api: MlLoopApi): Promise<void> {
  await waitFor(() => api.jobs.current === undefined, 'the running ML Loop job to end', { timeoutMs: 120_000 });
}

describe('the loop in VS Code', function () {
  let api: MlLoopApi;
  let packageJson: { contributes: { menus: Record<string, MenuEntry[]> } };
  let root: string;
  let models: ModelsTreeProvider;
  let runs: RunsTreeProvider;
  let first: CycleResult;

  /** Prompts shown since `from` (an index into api.prompts.shown) whose message matches. */
  const promptsSince = (from: number, pattern: RegExp): PromptRecord[] => api.prompts.shown.slice(from).filter((p) => pattern.test(p.message));

  before(async function () {
    this.timeout(120_000);
    const extension = await activatedMlloopExtension();
    api = extension.exports as MlLoopApi;
    packageJson = extension.packageJSON;
    root = path.join(workspaceRoot(), PROJECT);
    const example = path.join(extension.extensionPath, 'examples', 'iris');
    fs.mkdirSync(path.join(root, 'data'), { recursive: true });
    fs.copyFileSync(path.join(example, 'data', 'iris.csv'), path.join(root, 'data', 'iris.csv'));
    fs.writeFileSync(path.join(root, 'mlloop.yaml'), fs.readFileSync(path.join(example, 'mlloop.yaml'), 'utf8').replace(/^name: iris$/m, `name: ${PROJECT}`));
    await waitFor(() => api.state.root !== undefined, 'the project state to pick the workspace project');
    await api.state.setRoot(root);
    const imported = await vscode.commands.executeCommand<{ imported: number } | undefined>('mlloop.importExamples', { root, files: [path.join(root, 'data', 'iris.csv')] });
    assert.equal(imported?.imported, 150);
    models = new ModelsTreeProvider(api.state);
    runs = new RunsTreeProvider(api.state, api.jobs);
  });

  afterEach(() => api.prompts.setResponder(undefined));

  after(async function () {
    this.timeout(60_000);
    models?.dispose();
    runs?.dispose();
    await vscode.workspace.getConfiguration('mlloop').update('loop.enabled', false, vscode.ConfigurationTarget.Global);
    await api.loop.watcher.settled();
    await jobsIdle(api);
    await api.state.setRoot(workspaceRoot());
    fs.rmSync(root, { recursive: true, force: true });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Retrain Now runs a cycle in the job worker and announces the promotion with a button that opens its deployment report', async function () {
    this.timeout(120_000);
    const from = api.prompts.shown.length;
    api.prompts.setResponder((p) => (/cycle \d+ promoted/.test(p.message) ? 'Open Report' : undefined));
    const kinds: string[] = [];
    const sub = api.jobs.onDidChange((j) => j && kinds.push(j.kind));
    let result: CycleResult | undefined;
    try {
      result = await vscode.commands.executeCommand<CycleResult | undefined>('mlloop.retrain', { root });
    } finally {
      sub.dispose();
    }
    assert.ok(result, 'mlloop.retrain returned nothing (see the ML Loop log)');
    first = result;
    assert.ok(kinds.includes('retrain'), 'the cycle ran as the window\'s job (progress, Cancel)');
    assert.equal(result.decision, 'promoted');
    assert.equal(result.champion, result.challenger);
    assert.match(result.reasons[0], /^First model/);
    const [note] = promptsSince(from, /promoted/);
    assert.ok(note, `no notification of the promotion: ${JSON.stringify(api.prompts.shown.slice(from))}`);
    assert.equal(note.severity, 'info');
    assert.equal(note.message, `ML Loop: cycle ${result.cycle} promoted ${result.champion} to champion: ${result.reasons[0]}`);
    assert.deepEqual(note.items, ['Open Report']);
    assert.equal(promptsSince(from, /promoted/).length, 1, 'announced once, although both the command and the store refresh saw it');
    await waitFor(() => reportTabs().includes(`Cycle ${result!.cycle}: promoted ${result!.champion}`), 'the deployment report to open in a tab');
    assert.ok(api.loop.reports.open.has(result.report!), 'the tab shows the cycle\'s report file');
  });

  it('marks the champion in the Models view (since when, by what), lists the history, and the status bar names it', async () => {
    await waitFor(() => api.state.snapshot?.registry.champion?.version === first.champion, 'the project state to know the champion');
    const v = first.champion!;
    const item = models.getTreeItem(v);
    assert.match(String(item.description), /^champion · Accuracy \d\.\d{4} · F1 \(macro\) \d\.\d{4}$/);
    assert.equal(iconId(item), 'star-full');
    assert.equal(item.contextValue, 'mlloop.model.champion', 'nothing to roll back to yet');
    assert.match(tooltipText(item), new RegExp(`Champion since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d \\(just now\\), promoted by extension \\(.+\\)\\. First model`));
    assert.deepEqual(contextMenu(packageJson, 'mlloop.models', item.contextValue!), ['mlloop.revealModelFiles'], 'no Promote or Roll Back on the only champion');
    const top = models.getChildren();
    assert.deepEqual(top, [v, '#history']);
    const history = models.getChildren('#history');
    assert.equal(history.length, 1);
    const entry = models.getTreeItem(history[0]);
    assert.equal(entry.label, `${v} promoted`);
    assert.match(String(entry.description), /^just now · by extension \(.+\) · First model/);
    assert.equal(entry.command?.command, 'mlloop.openDeploymentReport');

    const alerts = new AlertProvider();
    const bar = new ModelStatusBar(api.state, api.jobs, alerts, 'mlloop.model.loop-test');
    try {
      assert.match(bar.item.text, new RegExp(`^\\$\\(pass\\) ML Loop: champion ${v} · ECE \\d\\.\\d{4}$`));
      assert.match(tooltipText(bar.item), new RegExp(`Champion \\*\\*${v}\\*\\* since just now, promoted by extension`));
    } finally {
      bar.dispose();
      alerts.dispose();
    }
  });

  it('Promote runs the quality gate and shows its rejection with every reason, offering a forced promotion', async function () {
    this.timeout(120_000);
    await jobsIdle(api);
    // A second model trained on the same rows with the same seed: no better than the champion.
    const trained = await vscode.commands.executeCommand<{ modelVersion: string } | undefined>('mlloop.train', { root });
    assert.ok(trained);
    await waitFor(() => api.state.snapshot?.models.some((m) => m.version === trained.modelVersion), 'the new model in the project state');
    assert.equal(models.getTreeItem(trained.modelVersion).contextValue, 'mlloop.model', 'a version never gated');
    assert.deepEqual(contextMenu(packageJson, 'mlloop.models', 'mlloop.model'), ['mlloop.promote', 'mlloop.revealModelFiles']);

    const from = api.prompts.shown.length;
    api.prompts.setResponder(() => undefined); // dismiss the rejection
    const r = await vscode.commands.executeCommand<PromoteResult | undefined>('mlloop.promote', trained.modelVersion);
    assert.ok(r, 'mlloop.promote returned nothing');
    assert.equal(r.decision, 'rejected');
    assert.equal(r.champion, first.champion);
    assert.ok(r.reasons.length >= 1);
    const [shown] = promptsSince(from, /quality gate rejected/);
    assert.ok(shown, 'the rejection was not shown');
    assert.equal(shown.severity, 'warning');
    assert.equal(shown.message, `ML Loop: the quality gate rejected ${trained.modelVersion}; ${first.champion} stays the champion. ${r.reasons.join(' ')}`);
    assert.deepEqual(shown.items, ['Promote anyway (forced)']);
    await waitFor(() => models.getTreeItem(trained.modelVersion).contextValue === 'mlloop.model.rejected', 'the Models view to mark the version rejected');
    assert.match(String(models.getTreeItem(trained.modelVersion).description), /^rejected · /);
    assert.equal(models.getTreeItem(models.getChildren('#history')[0]).label, `${trained.modelVersion} rejected`);
    assert.equal(api.state.snapshot?.registry.champion?.version, first.champion, 'the champion is unchanged');

    // Shown as a user sees it: the toast with the reasons beside the Models view.
    await vscode.commands.executeCommand('mlloop.models.focus');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await takeScreenshot('loop-promote-rejected', { settleMs: 2500 });
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('forces a rejected promotion only after a modal confirmation, and records it as forced', async function () {
    this.timeout(120_000);
    await jobsIdle(api);
    const version = api.state.snapshot!.models.find((m) => m.version !== first.champion)!.version;
    // Declined at the confirmation: nothing changes.
    let from = api.prompts.shown.length;
    api.prompts.setResponder((p) => (p.items.includes('Promote anyway (forced)') ? 'Promote anyway (forced)' : undefined));
    await vscode.commands.executeCommand('mlloop.promote', version);
    const declined = await waitFor(() => promptsSince(from, /^Force /)[0], 'the forced promotion\'s confirmation');
    assert.equal(declined.modal, true);
    assert.equal(declined.message, `Force ${version} to be the champion instead of ${first.champion}?`);
    assert.match(declined.detail ?? '', new RegExp(`^The quality gate rejected ${version}:\\n• `));
    assert.match(declined.detail ?? '', /recorded in the history as forced, with the gate's numbers it overrode/);
    assert.deepEqual(declined.items, ['Force Promotion']);
    await jobsIdle(api);
    await api.state.refresh();
    assert.equal(api.state.snapshot?.registry.champion?.version, first.champion, 'declining changed nothing');

    // Confirmed: forced, and the history says so.
    from = api.prompts.shown.length;
    api.prompts.setResponder((p) => (p.items.includes('Promote anyway (forced)') ? 'Promote anyway (forced)' : p.items.includes('Force Promotion') ? 'Force Promotion' : undefined));
    await vscode.commands.executeCommand('mlloop.promote', version);
    await waitFor(() => api.state.snapshot?.registry.champion?.version === version, `${version} to become the champion`, { timeoutMs: 60_000 });
    const last = api.state.snapshot!.registry.history[api.state.snapshot!.registry.history.length - 1];
    assert.equal(last.action, 'forced');
    assert.equal(last.previous, first.champion);
    assert.match(last.reasons[0], /^forced by extension \(.+\), overriding the gate: /);
    assert.ok(promptsSince(from, new RegExp(`^ML Loop: ${version} is the champion \\(was ${first.champion}\\), forced past the gate`)).length === 1, 'the forced promotion was announced');
    const item = models.getTreeItem(version);
    assert.equal(item.contextValue, 'mlloop.model.champion.canRollBack');
    assert.deepEqual(contextMenu(packageJson, 'mlloop.models', item.contextValue!), ['mlloop.revealModelFiles', 'mlloop.rollBack']);
    assert.equal(models.getTreeItem(models.getChildren('#history')[0]).label, `${version} forced (over ${first.champion})`);
  });

  it('Roll Back names "from → to" in its confirmation, and puts the previous champion back', async function () {
    this.timeout(60_000);
    await jobsIdle(api);
    const from = api.state.snapshot!.registry.champion!.version;
    const to = first.champion!;
    let mark = api.prompts.shown.length;
    api.prompts.setResponder(() => undefined); // Cancel
    assert.equal(await vscode.commands.executeCommand<RegistryEvent | undefined>('mlloop.rollBack', from), undefined);
    const asked = promptsSince(mark, /^Roll back/)[0];
    assert.ok(asked, 'no confirmation was asked');
    assert.equal(asked.modal, true);
    assert.equal(asked.message, `Roll back the champion from ${from} to ${to}?`);
    assert.match(asked.detail ?? '', new RegExp(`^${to} becomes the champion again: .* ${from} \\(champion since .+\\) stays in the registry, archived\\.`));
    assert.equal(api.state.snapshot?.registry.champion?.version, from, 'cancelled: nothing changed');

    mark = api.prompts.shown.length;
    api.prompts.setResponder((p) => (p.modal && p.items.includes('Roll Back') ? 'Roll Back' : undefined));
    const event = await vscode.commands.executeCommand<RegistryEvent | undefined>('mlloop.rollBack', from);
    assert.ok(event, 'mlloop.rollBack returned nothing');
    assert.equal(event.action, 'rolled_back');
    assert.equal(event.version, to);
    assert.equal(event.previous, from);
    assert.equal(promptsSince(mark, new RegExp(`^ML Loop: ${to} is the champion again \\(was ${from}\\)\\.$`)).length, 1);
    await waitFor(() => api.state.snapshot?.registry.champion?.version === to, 'the rollback in the project state');
    assert.equal(models.getTreeItem(to).contextValue, 'mlloop.model.champion');
    const archived = models.getTreeItem(from);
    assert.equal(archived.contextValue, 'mlloop.model.former');
    assert.match(String(archived.description), /^archived · champion until \d{4}-\d\d-\d\d \d\d:\d\d · /);
    assert.equal(iconId(archived), 'archive');
    assert.deepEqual(contextMenu(packageJson, 'mlloop.models', 'mlloop.model.former'), ['mlloop.promote', 'mlloop.revealModelFiles', 'mlloop.rollBack']);
    // Newest first; every Promote ran the gate first (three rejections), the last one then forced.
    assert.deepEqual(
      models.getChildren('#history').map((e) => models.getTreeItem(e).label),
      [`${to} rolled back (from ${from})`, `${from} forced (over ${to})`, `${from} rejected`, `${from} rejected`, `${from} rejected`, `${to} promoted`],
    );
  });

  it('lists the cycles with their decisions in the Runs view; a rejection is announced with its report', async function () {
    this.timeout(120_000);
    await jobsIdle(api);
    const from = api.prompts.shown.length;
    api.prompts.setResponder(() => undefined);
    const second = await vscode.commands.executeCommand<CycleResult | undefined>('mlloop.retrain', { root, force: true });
    assert.ok(second);
    assert.equal(second.decision, 'rejected');
    const [note] = promptsSince(from, /rejected/);
    assert.ok(note, 'the rejection was not announced');
    assert.equal(note.severity, 'warning');
    assert.equal(note.message, `ML Loop: cycle ${second.cycle} rejected ${second.challenger}; ${second.champion} stays the champion: ${second.reasons[0]}`);
    assert.deepEqual(note.items, ['Open Report']);

    await waitFor(() => api.state.snapshot?.cycles[0]?.id === second.cycle && api.state.snapshot.cycles[0].status === 'completed', 'the cycle in the project state');
    const top = runs.getChildren();
    assert.equal(top[0], 'cycles', 'the Cycles group comes first');
    const group = runs.getTreeItem('cycles');
    assert.equal(group.label, 'Cycles');
    assert.equal(group.description, `2 · last: rejected ${second.challenger} (${second.champion} stays)`);
    assert.deepEqual(runs.getChildren('cycles'), [`cycle:${second.cycle}`, `cycle:${first.cycle}`]);
    const rejected = runs.getTreeItem(`cycle:${second.cycle}`);
    assert.equal(rejected.label, `Cycle ${second.cycle}`);
    assert.equal(rejected.description, `rejected ${second.challenger} (${second.champion} stays) · VS Code · just now`);
    assert.equal(iconId(rejected), 'circle-slash');
    assert.equal(rejected.contextValue, 'mlloop.cycle.rejected.report');
    assert.deepEqual(contextMenu(packageJson, 'mlloop.runs', rejected.contextValue!), ['mlloop.openDeploymentReport']);
    assert.ok(tooltipText(rejected).includes(second.reasons[0]), 'the tooltip lists the reasons');
    assert.equal(runs.getTreeItem(`cycle:${first.cycle}`).contextValue, 'mlloop.cycle.promoted.report');
    // The runs stay beside the group: the challengers' runs and the one trained by hand.
    assert.ok(top.slice(1).every((x) => typeof x === 'number') && top.length === 1 + 3);

    const file = await vscode.commands.executeCommand<string | undefined>('mlloop.openDeploymentReport', `cycle:${second.cycle}`, root);
    assert.equal(file, second.report);
    await waitFor(() => reportTabs().includes(`Cycle ${second.cycle}: rejected ${second.challenger} (${second.champion} stays)`), 'the rejected cycle\'s report tab');
    await vscode.commands.executeCommand('mlloop.runs.focus');
    await vscode.commands.executeCommand('mlloop.models.focus');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('notifications.clearAll');
    await takeScreenshot('loop-sidebar-report', { settleMs: 1500 });
  });

  it('shows the champion, the next scheduled cycle, labels since the last cycle and the last decision with its reasons and report on the dashboard', async function () {
    this.timeout(60_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await showDashboard();
    const snapshot = api.state.snapshot!;
    const champion = snapshot.registry.champion!.version;
    const last = snapshot.cycles[0];
    const r = await dashboardShowing(`champion ${champion} and cycle ${last.id}`, (x) => x.text.includes(`${champion} champion`) && x.text.includes(`cycle ${last.id}`));
    assert.match(r.text, new RegExp(`${champion} champion since just now · rolled back by extension \\(.+\\) trained (just now|\\d minutes? ago) · run \\d+`));
    // Default schedule: Sundays at 02:00 UTC.
    assert.match(r.text, /Next cycle (Sat|Sun|Mon), [A-Z][a-z]{2} \d{1,2}, \d\d:\d\d · 0 2 \* \* 0/);
    assert.match(r.text, /Labels since last cycle 0 of 100/);
    assert.ok(r.text.includes(`Last: cycle ${last.id} rejected ${last.challenger} (${last.champion} stays)`), r.text);
    for (const reason of last.reasons) assert.ok(r.text.includes(reason), `reason not shown: ${reason}`);
    assert.match(r.text, /Off in this window: the setting mlloop\.loop\.enabled is off/);
    const open = r.buttons.find((b) => b.command === 'mlloop.openDeploymentReport');
    assert.ok(open && !open.disabled, 'no Open Deployment Report button');
    assert.ok(r.buttons.find((b) => b.command === 'mlloop.retrain' && !b.disabled), 'no Retrain Now button');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('notifications.clearAll');
    await withDashboardAlone(async () => {
      assert.equal(await vscode.commands.executeCommand('_mlloop.dashboard.reveal', 'model'), true);
      await takeScreenshot('loop-dashboard', { settleMs: 1500 });
      assert.equal(await vscode.commands.executeCommand('_mlloop.dashboard.reveal', 'loop'), true);
      await takeScreenshot('loop-dashboard-cycle', { settleMs: 1000 });
    });
    assert.equal(await vscode.commands.executeCommand('_mlloop.dashboard.press', 'mlloop.openDeploymentReport'), true);
    await waitFor(() => reportTabs().some((t) => t.startsWith(`Cycle ${last.id}:`)), 'the report the dashboard links to');
  });

  it('runs the schedule in this window while mlloop.loop.enabled is on: a fine-tune once enough new labels arrived, announced', async function () {
    this.timeout(180_000);
    await jobsIdle(api);
    // Full retrains off; a fine-tune every 100 new labels.
    const yaml = path.join(root, 'mlloop.yaml');
    fs.writeFileSync(yaml, fs.readFileSync(yaml, 'utf8') + '\nschedule:\n  cron: "off"\n  incremental:\n    every: 100\n');
    await api.state.refresh();
    const cyclesBefore = api.state.snapshot!.cycles.length;
    const from = api.prompts.shown.length;
    api.prompts.setResponder(() => undefined);
    await vscode.workspace.getConfiguration('mlloop').update('loop.enabled', true, vscode.ConfigurationTarget.Global);
    await waitFor(() => api.loop.watcher.status.running && api.loop.watcher.status.root === root, 'the watcher to run for the project');
    const r = await dashboardShowing('the loop running in this window', (x) => x.text.includes('Runs in this window'));
    assert.match(r.text, /Next cycle off \(schedule\.cron: off\)/);
    // Not yet: 0 of 100 labels.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(api.state.snapshot!.cycles.length, cyclesBefore, 'no cycle before the labels arrive');

    const more = path.join(root, 'data', 'more.csv');
    writeNewRows(more, 120);
    const imported = await vscode.commands.executeCommand<{ imported: number } | undefined>('mlloop.importExamples', { root, files: [more] });
    assert.equal(imported?.imported, 120);
    const note = await waitFor(() => promptsSince(from, /^ML Loop: cycle \d+ (promoted|rejected)/)[0], 'the watcher\'s cycle to be announced', { timeoutMs: 150_000, intervalMs: 250 });
    assert.deepEqual(note.items, ['Open Report']);
    await api.state.refresh();
    const cycle = api.state.snapshot!.cycles[0];
    assert.equal(cycle.trigger, 'labels');
    assert.equal(cycle.status, 'completed');
    assert.match(String(runs.getTreeItem(`cycle:${cycle.id}`).description), / · new labels · /);
    const event = api.state.snapshot!.registry.history[api.state.snapshot!.registry.history.length - 1];
    assert.match(event.by, /^extension watch \(.+\) \(120 new labels \(every 100\)\)$/);
    await dashboardShowing('labels since the last cycle reset', (x) => /Labels since last cycle 0 of 100/.test(x.text) && x.text.includes(`cycle ${cycle.id}`));

    await vscode.workspace.getConfiguration('mlloop').update('loop.enabled', false, vscode.ConfigurationTarget.Global);
    await waitFor(() => !api.loop.watcher.status.running, 'the watcher to stop when the setting is off');
    assert.match(api.loop.watcher.status.text, /mlloop\.loop\.enabled is off/);
  });
});

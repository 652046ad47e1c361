/**
 * Serving in VS Code, on a real iris project trained through the palette's commands: Start
 * Server runs the bundled CLI's `mlloop serve` in a child process of the window; a real HTTP
 * request with the bearer token predicts; the dashboard's server card shows its address and
 * the numbers the server records in the store (requests/s, latency, predictions); an A/B
 * experiment in mlloop.yaml, fed synthetic outcomes through the server's own POST /outcome,
 * shows its arms, n per arm, the difference with its interval and the decision on the
 * experiment card; Stop Experiment asks first, naming what happens to the champion; Stop
 * Server ends the process (SIGTERM) and the card says it stopped.
 *
 * Works in its own project folder inside the workspace (so the file watcher sees the store)
 * and removes it at the end.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExperimentConclusion } from '../../../src/core/experiments/conclude';
import type { MlLoopApi } from '../../../src/extension/extension';
import type { ServeInfo } from '../../../src/extension/serve/serverProcess';
import type { DashboardRendering } from '../../../webview/dashboard/protocol';
import { activatedMlloopExtension, takeScreenshot, waitFor, workspaceRoot } from './harness';
import { dashboardShowing, rendering, showDashboard } from './dashboardPage';

const PROJECT = 'serve-project';

/** Serving's cards follow a server's 5 s heartbeat: a longer wait than the dashboard's default. */
const dashboardShowing30 = (description: string, accept: (r: DashboardRendering) => boolean) => dashboardShowing(description, accept, 30_000);

/** Synthetic outcomes with a known effect: a unit of the champion arm succeeds 85% of the time, of the fallback arm 35%. */
const SUCCESS = { champion: 0.85, fallback: 0.35 } as Record<string, number>;
const UNITS = 240;

/** The dashboard alone in the side bar (the tree views hidden) while `fn` runs, for screenshots. */
async function withDashboardAlone(fn: () => Promise<void>): Promise<void> {
  const views = ['mlloop.runs', 'mlloop.models', 'mlloop.alerts'];
  for (const v of views) await vscode.commands.executeCommand(`${v}.toggleVisibility`);
  try {
    await fn();
  } finally {
    for (const v of views) await vscode.commands.executeCommand(`${v}.toggleVisibility`);
  }
}

/** The text between `label` and the next stat label on the server card. */
function statAfter(text: string, label: string): string | undefined {
  const m = new RegExp(`${label.replace(/[/]/g, '\\/')} (\\S+)`).exec(text);
  return m?.[1];
}

/** A seeded uniform [0, 1) (the same outcomes every run). */
function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

describe('serving in VS Code', function () {
  let api: MlLoopApi;
  let root: string;
  let info: ServeInfo;
  let token: string;
  let pid: number;
  let champion: string;

  const post = async (route: string, body: unknown): Promise<{ status: number; json: any }> => {
    const res = await fetch(`${info.url}${route}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, json: await res.json() };
  };

  before(async function () {
    this.timeout(180_000);
    const extension = await activatedMlloopExtension();
    api = extension.exports as MlLoopApi;
    root = path.join(workspaceRoot(), PROJECT);
    const example = path.join(extension.extensionPath, 'examples', 'iris');
    fs.mkdirSync(path.join(root, 'data'), { recursive: true });
    fs.copyFileSync(path.join(example, 'data', 'iris.csv'), path.join(root, 'data', 'iris.csv'));
    const yaml = fs.readFileSync(path.join(example, 'mlloop.yaml'), 'utf8').replace(/^name: iris$/m, `name: ${PROJECT}`);
    // An A/B test of the model against the app's own rule; a 30-point effect needs about 40 units an arm.
    const experiment = ['experiment:', '  name: model-vs-rules', '  variants: {champion: 50, fallback: 50}', '  outcome: rate', '  minEffect: 0.3', ''].join('\n');
    fs.writeFileSync(path.join(root, 'mlloop.yaml'), `${yaml}\n${experiment}`);
    await waitFor(() => api.state.root !== undefined, 'the project state to pick the workspace project');
    await api.state.setRoot(root);
    const imported = await vscode.commands.executeCommand<{ imported: number } | undefined>('mlloop.importExamples', { root, files: [path.join(root, 'data', 'iris.csv')] });
    assert.equal(imported?.imported, 150);
    await waitFor(() => api.jobs.current === undefined, 'the import to end');
    const trained = await vscode.commands.executeCommand<{ modelVersion: string } | undefined>('mlloop.train', { root });
    assert.ok(trained, 'training failed (see the ML Loop log)');
    champion = trained.modelVersion;
    // The champion (the gate's first promotion): the experiment's champion arm serves it.
    const promoted = await vscode.commands.executeCommand<{ decision: string } | undefined>('mlloop.promote', { root, version: champion });
    assert.equal(promoted?.decision, 'promoted');
    await waitFor(() => api.state.snapshot?.registry.champion?.version === champion, 'the project state to know the champion');
  });

  afterEach(() => api.prompts.setResponder(undefined));

  after(async function () {
    this.timeout(60_000);
    // A failed test must not leave a server running on the project about to be deleted.
    if (api?.serving.server.active) await vscode.commands.executeCommand('mlloop.stopServer', { root });
    await waitFor(() => api.jobs.current === undefined, 'the last job to end', { timeoutMs: 30_000 });
    await api.state.setRoot(workspaceRoot());
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('Start Server runs mlloop serve in a process of its own, and a request with the token predicts', async function () {
    this.timeout(90_000);
    await showDashboard();
    const before = await dashboardShowing30('the server card with nothing running', (r) => r.text.includes('SERVER Not running'));
    assert.ok(before.buttons.some((b) => b.command === 'mlloop.startServer' && !b.disabled), 'no enabled Start Server button');

    const started = await vscode.commands.executeCommand<ServeInfo | undefined>('mlloop.startServer', { root, port: 0 });
    assert.ok(started, 'mlloop.startServer returned nothing (see the ML Loop log)');
    info = started;
    assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(info.model, champion);
    assert.equal(info.auth, true);
    const status = api.serving.server.status;
    assert.ok(status?.state === 'running', `the window's server is ${status?.state}`);
    pid = status.pid;
    assert.notEqual(pid, process.pid, 'the server runs in a process of its own, not in the extension host');
    assert.ok(alive(pid));
    token = fs.readFileSync(path.join(root, '.mlloop', 'serve-token'), 'utf8').trim();

    // Without the token: refused.
    const anonymous = await fetch(`${info.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"record":{}}' });
    assert.equal(anonymous.status, 401);
    const r = await post('/predict', { record: { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 } });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.model, champion);
    assert.equal(r.json.predictions.length, 1);
    assert.equal(r.json.predictions[0].label, 'setosa');
    assert.match(String(r.json.predictions[0].id), /^\S+$/, 'each prediction has its id');
    // The server's log reaches the ML Loop output channel: its start line names the address.
    assert.ok(api.prompts.shown.some((p) => p.message.includes(`serving ${champion} on ${info.url}`)), 'no notification of the address');
  });

  it('the dashboard server card shows the address, the requests/s, the latency and the predictions the server records', async function () {
    this.timeout(90_000);
    for (let i = 0; i < 40; i++) {
      const r = await post('/predict', { record: { sepal_length: 6 + (i % 10) / 10, sepal_width: 3, petal_length: 4.5, petal_width: 1.5 } });
      assert.equal(r.status, 200);
    }
    // The server writes its numbers with its heartbeat (every 5 s); the card reads them from the store.
    const r = await dashboardShowing30('the live server with its requests', (x) => {
      const predictions = statAfter(x.text, 'Predictions');
      return x.text.includes(`Live ${info.url}`) && predictions !== undefined && Number(predictions.replace(/,/g, '')) >= 41;
    });
    assert.match(r.text, /started by this window · heartbeat just now/);
    const rate = Number(statAfter(r.text, 'Requests/s'));
    assert.ok(rate > 0, `requests/s should be above 0: ${r.text}`);
    assert.match(r.text, /p99 latency \d[\d.,]* ms p50 \d[\d.,]* ms/);
    assert.ok(r.text.includes(`Model ${champion}`), r.text);
    assert.match(r.text, /experiment 'model-vs-rules' assigns arms/);
    const stop = r.buttons.find((b) => b.command === 'mlloop.stopServer');
    assert.ok(stop && !stop.disabled, 'no enabled Stop Server button');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('notifications.clearAll');
    await withDashboardAlone(async () => {
      assert.equal(await vscode.commands.executeCommand('_mlloop.dashboard.reveal', 'server'), true);
      await takeScreenshot('serve-dashboard-server', { settleMs: 1500 });
    });
  });

  it('an experiment fed synthetic outcomes shows its arms, n per arm, the difference with its interval, and the decision', async function () {
    this.timeout(120_000);
    const entities = Array.from({ length: UNITS }, (_, i) => `user-${i}`);
    const records = entities.map((_, i) => ({ sepal_length: 5 + (i % 20) / 10, sepal_width: 3, petal_length: 1 + (i % 50) / 10, petal_width: 0.2 + (i % 20) / 10 }));
    const served = await post('/predict', { records, entities });
    assert.equal(served.status, 200, JSON.stringify(served.json));
    const predictions = served.json.predictions as Array<{ id: number; variant: string }>;
    const arms = new Set(predictions.map((p) => p.variant));
    assert.deepEqual([...arms].sort(), ['champion', 'fallback'], 'both arms get traffic');
    const rnd = seeded(7);
    const outcomes = predictions.map((p) => ({ prediction: p.id, value: rnd() < SUCCESS[p.variant] ? 1 : 0 }));
    // Served predictions reach the store in batches (serve.flushInterval): an outcome for one
    // not written yet is a 404, so try again until they are all there.
    const recorded = await waitFor(
      async () => {
        const r = await post('/outcome', outcomes);
        return r.status === 200 ? r.json : undefined;
      },
      'the outcomes to be recorded',
      { timeoutMs: 15_000, intervalMs: 300 },
    );
    assert.equal(recorded.recorded, UNITS);
    const perArm = (arm: string) => predictions.filter((p) => p.variant === arm).length;

    const r = await dashboardShowing30('the experiment with its decision', (x) => /EXPERIMENT · MODEL-VS-RULES/.test(x.text) && x.text.includes('Winner: champion'));
    // Arms (control first), n of assigned, rate with interval, difference with interval and p.
    const nPattern = (arm: string, serves: string) => new RegExp(`${arm} ${serves} ${perArm(arm)} of ${perArm(arm)} \\d+\\.\\d% \\[\\d+\\.\\d%, \\d+\\.\\d%\\]`);
    assert.match(r.text, nPattern('fallback', 'app rule control'), r.text);
    assert.match(r.text, nPattern('champion', champion), r.text);
    assert.match(r.text, /Arm n Rate fallback/);
    assert.match(r.text, new RegExp(`champion ${champion} .* vs fallback \\+\\d+\\.\\d pts \\[\\+\\d+\\.\\d, \\+\\d+\\.\\d\\] · p (< 0\\.0001|0\\.\\d+)`), r.text);
    assert.match(r.text, /Decided on the first \d+ outcomes of each arm\./);
    assert.ok(r.buttons.some((b) => b.command === 'mlloop.stopExperiment' && !b.disabled), 'no Stop Experiment button');
    assert.ok(!/Sample-ratio mismatch/.test(r.text), 'a 50/50 hash split is no mismatch');
    await vscode.commands.executeCommand('notifications.clearAll');
    await withDashboardAlone(async () => {
      assert.equal(await vscode.commands.executeCommand('_mlloop.dashboard.reveal', 'experiment'), true);
      await takeScreenshot('serve-dashboard-experiment', { settleMs: 1500 });
    });
  });

  it('Stop Experiment asks first, naming what happens to the champion, then records the decision', async function () {
    this.timeout(90_000);
    const from = api.prompts.shown.length;
    // Declined: nothing stops.
    api.prompts.setResponder(() => undefined);
    assert.equal(await vscode.commands.executeCommand('mlloop.stopExperiment', { root }), undefined);
    const [asked] = api.prompts.shown.slice(from).filter((p) => p.modal);
    assert.ok(asked, 'no confirmation');
    assert.equal(asked.message, `Stop experiment 'model-vs-rules'? The champion arm won: nothing is promoted; ${champion} stays the champion.`);
    assert.match(asked.detail ?? '', /^Decision now: winner \(champion\)\./);
    assert.deepEqual(asked.items, ['Stop Experiment']);

    api.prompts.setResponder((p) => (p.modal ? 'Stop Experiment' : undefined));
    const r = await vscode.commands.executeCommand<ExperimentConclusion | undefined>('mlloop.stopExperiment', { root });
    assert.ok(r, 'mlloop.stopExperiment returned nothing');
    assert.equal(r.report.status, 'stopped');
    assert.equal(r.report.decision, 'winner');
    assert.equal(r.promotion, null, 'a winning champion arm promotes nothing');
    await dashboardShowing30('the experiment stopped', (x) => /EXPERIMENT · MODEL-VS-RULES stopped/.test(x.text) && !x.buttons.some((b) => b.command === 'mlloop.stopExperiment'));
    // The server notices within its poll interval and stops assigning arms.
    await dashboardShowing30('the server serving everyone the champion', (x) => x.text.includes("experiment 'model-vs-rules' stopped: everyone gets the champion"));
  });

  it('Stop Server ends the process (SIGTERM, its log written) and the card says it stopped', async function () {
    this.timeout(90_000);
    const stopped = await vscode.commands.executeCommand<boolean>('mlloop.stopServer', { root });
    assert.equal(stopped, true);
    assert.equal(api.serving.server.status?.state, 'stopped');
    assert.equal(alive(pid), false, `process ${pid} is still running`);
    await assert.rejects(fetch(`${info.url}/health`, { headers: { authorization: `Bearer ${token}` } }), 'nothing listens on the address any more');
    const r = await dashboardShowing30('the server stopped', (x) => /SERVER Stopped \d+ served predictions written to the store\./.test(x.text) && x.buttons.some((b) => b.command === 'mlloop.startServer' && !b.disabled));
    assert.ok(!r.text.includes(info.url), 'a stopped server shows no address');
    // It recorded its stop in the store: no server of the project is listed as running.
    await api.serving.serving.refresh();
    assert.deepEqual(api.serving.serving.summary?.servers, []);
    await withDashboardAlone(async () => {
      assert.equal(await vscode.commands.executeCommand('_mlloop.dashboard.reveal', 'server'), true);
      await takeScreenshot('serve-dashboard-stopped', { settleMs: 1000 });
    });
  });
});

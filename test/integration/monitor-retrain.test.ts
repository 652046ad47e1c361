/**
 * monitoring.retrain (issue 9, item 7) through the built CLI on real SQLite projects with real
 * tfjs training: a champion from `mlloop retrain`, newer labelled examples imported after it,
 * and the app's logged predictions in which x1 moved by 1.5 σ (a critical drift alert).
 *  - off (the default): `mlloop monitor` raises the critical alert and starts no cycle;
 *  - on: `mlloop monitor` starts exactly one cycle, trigger `alert`, judged by the gate
 *    (promoted or rejected, with the gate's numbers), naming the alert; the next runs — the
 *    alert still active, then resolved while its condition holds — start none;
 *  - on, under `mlloop watch` (the same monitorOnce): its first monitoring run starts exactly one.
 * The three projects are copies of one prepared directory (one champion trained, not three).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openSqliteStore } from '../../src/core/store/sqlite';
import type { CycleRecord, PredictionInput } from '../../src/core/store/types';
import { createRng } from '../../src/core/util/random';
import { loadBundle, predictRecords } from '../../src/runtime';
import { CLI, mlloop, requireBuild, tempDir } from './helpers';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

function record(rng: () => number, shift = 0): { x1: number; x2: number; y: string } {
  const x1 = gaussian(rng) + shift;
  const x2 = gaussian(rng);
  return { x1: Number(x1.toFixed(4)), x2: Number(x2.toFixed(4)), y: x1 + x2 > 0 ? 'yes' : 'no' };
}

const YAML = (monitoring: string) =>
  [
    'version: 1',
    'task: binary',
    'label: y',
    'time: ts',
    'features:',
    '  - {name: x1, type: numeric}',
    '  - {name: x2, type: numeric}',
    'model: {type: logistic}',
    'training: {epochs: 30, batchSize: 32, learningRate: 0.05, earlyStopping: {patience: 6}}',
    'evaluation: {bootstrap: 100, importanceRepeats: 0}',
    // No scheduled retrain, so that under mlloop watch only the alert can start a cycle.
    'schedule: {minExamples: 100, cron: "off"}',
    monitoring,
    '',
  ].join('\n');

async function cycles(dir: string): Promise<CycleRecord[]> {
  const store = await openSqliteStore(path.join(dir, '.mlloop', 'store.sqlite'));
  try {
    return (await store.listCycles()).sort((a, b) => a.id - b.id);
  } finally {
    await store.close();
  }
}

function csv(rows: Array<{ x1: number; x2: number; y: string }>, time: (i: number) => number): string {
  return ['ts,x1,x2,y', ...rows.map((r, i) => `${new Date(time(i)).toISOString()},${r.x1},${r.x2},${r.y}`)].join('\n') + '\n';
}

describe('monitoring.retrain: a critical drift alert starts one retraining cycle through the gate', function () {
  this.timeout(900000);
  let base: string;
  const dirs: string[] = [];

  /** A copy of the prepared project with `monitoring` in its mlloop.yaml. */
  function project(name: string, monitoring: string): string {
    const dir = path.join(base, name);
    fs.cpSync(path.join(base, 'prepared'), dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'mlloop.yaml'), YAML(monitoring));
    dirs.push(dir);
    return dir;
  }

  before(async () => {
    requireBuild();
    base = tempDir('mlloop-monitor-retrain-');
    const dir = path.join(base, 'prepared');
    fs.mkdirSync(dir);
    const rng = createRng(23);
    const now = Date.now();
    fs.writeFileSync(path.join(dir, 'seed.csv'), csv(Array.from({ length: 600 }, () => record(rng)), () => now - (20 + 30 * rng()) * DAY));
    fs.writeFileSync(path.join(dir, 'mlloop.yaml'), YAML(''));
    assert.equal(mlloop(dir, ['import', 'seed.csv']).code, 0);
    const first = mlloop(dir, ['retrain', '--json']);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.equal(first.json.decision, 'promoted');
    const champion = first.json.champion as string;
    // Labelled examples that arrived after the champion (x1 moved there too): a cycle has new labels to train on.
    fs.writeFileSync(path.join(dir, 'newer.csv'), csv(Array.from({ length: 300 }, () => record(rng, 1.5)), () => now - (1 + 4 * rng()) * DAY));
    assert.equal(mlloop(dir, ['import', 'newer.csv']).code, 0);
    // The app's log: 500 predictions of the last 12 hours by the champion, x1 moved by 1.5 σ.
    const bundle = await loadBundle(path.join(dir, '.mlloop', 'models', champion));
    const inputs = Array.from({ length: 500 }, () => {
      const { y: _y, ...input } = record(rng, 1.5);
      return input;
    });
    const predictions = predictRecords(bundle, inputs) as Array<{ label: string; confidence: number }>;
    const logged: PredictionInput[] = inputs.map((input, i) => ({
      id: `p${i}`,
      model: champion,
      time: new Date(now - 12 * HOUR + i * 60_000).toISOString(),
      input,
      output: { label: predictions[i].label, confidence: predictions[i].confidence },
      latencyMs: 5 + 10 * rng(),
      source: 'inbox/app.jsonl',
    }));
    const store = await openSqliteStore(path.join(dir, '.mlloop', 'store.sqlite'));
    try {
      await store.addPredictions(logged);
    } finally {
      await store.close();
    }
    assert.equal((await cycles(dir)).length, 1);
  });
  after(() => fs.rmSync(base, { recursive: true, force: true }));

  it('off by default: the critical drift alert fires and no cycle starts', async () => {
    const dir = project('off', '');
    const r = mlloop(dir, ['monitor', '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const x1 = r.json.features.find((f: { feature: string }) => f.feature === 'x1');
    assert.equal(x1.drift, 'critical', JSON.stringify(x1));
    const fired = r.json.alerts.filter((a: { new: boolean; severity: string }) => a.new && a.severity === 'critical');
    assert.ok(fired.some((a: { rule: string }) => a.rule === 'feature_drift'), JSON.stringify(r.json.alerts));
    assert.doesNotMatch(r.stderr, /monitoring\.retrain/);
    assert.deepEqual((await cycles(dir)).map((c) => c.trigger), ['command']);
  });

  it('on: mlloop monitor starts exactly one cycle, trigger alert, through the gate; the next runs start none', async () => {
    const dir = project('on', 'monitoring: {retrain: true}');
    const r = mlloop(dir, ['monitor', '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const alert = r.json.alerts.find((a: { new: boolean; severity: string; rule: string }) => a.new && a.severity === 'critical' && a.rule === 'feature_drift');
    assert.ok(alert, JSON.stringify(r.json.alerts));
    assert.match(r.stderr, new RegExp(`monitoring\\.retrain: starting a retraining cycle \\(alert ${alert.id}: Input drift in x1\\)`));
    const after1 = await cycles(dir);
    assert.equal(after1.length, 2, JSON.stringify(after1));
    const c = after1[1];
    assert.equal(c.trigger, 'alert');
    assert.equal(c.status, 'completed', JSON.stringify(c));
    assert.ok(c.decision === 'promoted' || c.decision === 'rejected', `the gate decided: ${c.decision} ${c.reasons.join('; ')}`);
    assert.ok(c.challenger && c.gate, 'a challenger was trained and gated');
    assert.match(r.stderr, new RegExp(`cycle ${c.id}: ${c.decision}`));

    // Next run: the drift alerts are still active (they fired at their onset), so nothing starts.
    // (What may be new is the info alert about the cycle, when the gate rejected its challenger.)
    const newAlerts = (j: { alerts: Array<{ new: boolean; rule: string; severity: string }> }) => j.alerts.filter((a) => a.new).map((a) => `${a.rule} ${a.severity}`);
    const again = mlloop(dir, ['monitor', '--json']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.deepEqual(newAlerts(again.json).filter((a) => a !== 'cycles info'), [], JSON.stringify(again.json.alerts));
    assert.doesNotMatch(again.stderr, /monitoring\.retrain/);
    assert.equal((await cycles(dir)).length, 2);

    // Resolved while x1 still drifts: it does not fire again (and the cooldown holds it back besides).
    assert.equal(mlloop(dir, ['alerts', 'resolve', String(alert.id)]).code, 0);
    const third = mlloop(dir, ['monitor', '--json']);
    assert.equal(third.code, 0, third.stdout + third.stderr);
    assert.deepEqual(newAlerts(third.json), [], JSON.stringify(third.json.alerts));
    assert.doesNotMatch(third.stderr, /monitoring\.retrain/);
    assert.equal((await cycles(dir)).length, 2);
  });

  it('on, under mlloop watch: its first monitoring run starts exactly one cycle, trigger alert', async () => {
    const dir = project('watch', 'monitoring: {retrain: true, every: 1h}');
    const child = spawn(process.execPath, [CLI, 'watch', '--poll', '1'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 600_000;
      // monitorOnce logs "cycle N: <decision>; champion …" when the alert's cycle ends.
      while (!/^cycle \d+: (promoted|rejected|skipped);/m.test(log) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 250));
      assert.match(log, /monitoring\.retrain: starting a retraining cycle \(alert \d+: Input drift in x1\)/, log);
      assert.match(log, /^cycle \d+: (promoted|rejected);/m, log);
      // A few more polls: nothing else starts.
      await new Promise((r) => setTimeout(r, 3000));
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, log);
    const all = await cycles(dir);
    assert.deepEqual(all.map((c) => c.trigger), ['command', 'alert'], log);
    assert.equal(all[1].status, 'completed');
    assert.equal((log.match(/monitoring\.retrain: starting/g) ?? []).length, 1, log);
  });
});

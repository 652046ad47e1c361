/**
 * Monitoring through the built CLI on a real SQLite project: a champion trained by
 * `mlloop retrain`, then the app's logged predictions (made by the champion's bundle, with
 * latencies and some outcomes and feedback) in which one input feature moved and the others
 * did not. `mlloop monitor --json` in the shape, the HTML report, an alert that fires
 * once, `mlloop alerts` with ack and resolve (surviving the process), `mlloop health --json`,
 * too little data as not_enough_data, and bad input as clear messages.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openSqliteStore } from '../../src/core/store/sqlite';
import type { PredictionInput } from '../../src/core/store/types';
import { createRng } from '../../src/core/util/random';
import { loadBundle, predictRecords } from '../../src/runtime';
import { CLI, mlloop, requireBuild, tempDir } from './helpers';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const COLORS = ['red', 'green', 'blue'];

function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** A record: x1 and x2 standard normal (x1 shifted by `shift`), a colour; y = x1 + x2 > 0. */
function record(rng: () => number, shift = 0): { x1: number; x2: number; color: string; y: string } {
  const x1 = gaussian(rng) + shift;
  const x2 = gaussian(rng);
  const color = COLORS[Math.floor(rng() * 3)];
  return { x1: Number(x1.toFixed(4)), x2: Number(x2.toFixed(4)), color, y: x1 + x2 > 0 ? 'yes' : 'no' };
}

const YAML = (monitoring = '') =>
  [
    'version: 1',
    'task: binary',
    'label: y',
    'time: ts',
    'features:',
    '  - {name: x1, type: numeric}',
    '  - {name: x2, type: numeric}',
    '  - {name: color, type: categorical}',
    'model: {type: logistic}',
    'training: {epochs: 40, batchSize: 32, learningRate: 0.05, earlyStopping: {patience: 8}}',
    'evaluation: {bootstrap: 100, importanceRepeats: 0}',
    'schedule: {minExamples: 100}',
    monitoring,
    '',
  ].join('\n');

const MONITOR_KEYS = ['alerts', 'current', 'dataset', 'features', 'model', 'performance', 'prediction', 'reference'];

describe('monitoring through the CLI: drift on one feature, alerts once, ack / resolve, health', function () {
  this.timeout(600000);
  let dir: string;
  let champion: string;

  before(async () => {
    requireBuild();
    dir = tempDir('mlloop-monitor-');
    const rng = createRng(11);
    const now = Date.now();
    const lines = ['ts,x1,x2,color,y'];
    for (let i = 0; i < 800; i++) {
      const r = record(rng);
      lines.push(`${new Date(now - (20 + 30 * rng()) * DAY).toISOString()},${r.x1},${r.x2},${r.color},${r.y}`);
    }
    fs.writeFileSync(path.join(dir, 'seed.csv'), lines.join('\n') + '\n');
    fs.writeFileSync(path.join(dir, 'mlloop.yaml'), YAML());
    assert.equal(mlloop(dir, ['import', 'seed.csv']).code, 0);
    const r = mlloop(dir, ['retrain', '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.json.decision, 'promoted');
    champion = r.json.champion;

    // The app's log: 600 predictions of the last 12 hours by the champion, x1 moved by 1.5 σ.
    const bundle = await loadBundle(path.join(dir, '.mlloop', 'models', champion));
    const records = Array.from({ length: 600 }, () => record(rng, 1.5));
    const predictions = predictRecords(bundle, records.map(({ y: _y, ...input }) => input));
    const logged: PredictionInput[] = records.map(({ y: _y, ...input }, i) => {
      const p = predictions[i] as { label: string; confidence: number };
      return {
        id: `p${i}`,
        model: champion,
        time: new Date(now - 12 * HOUR + i * 60_000).toISOString(),
        input,
        output: { label: p.label, confidence: p.confidence },
        latencyMs: 5 + 20 * rng(),
        source: 'inbox/app.jsonl',
      };
    });
    const store = await openSqliteStore(path.join(dir, '.mlloop', 'store.sqlite'));
    try {
      await store.addPredictions(logged);
      // One older than monitoring.retention.predictions (7 days): the monitor deletes it.
      await store.addPredictions([{ ...logged[0], id: 'old', time: new Date(now - 10 * DAY).toISOString() }]);
      // Outcomes for the first 200, feedback (accepted when right) on the next 50.
      await store.addOutcomes(records.slice(0, 200).map((r, i) => ({ prediction: `p${i}`, time: new Date(now - HOUR).toISOString(), label: r.y, source: 'test', hash: `o${i}` })));
      await store.addFeedback(
        records.slice(200, 250).map((r, j) => ({ prediction: `p${200 + j}`, time: new Date(now - HOUR).toISOString(), accepted: (predictions[200 + j] as { label: string }).label === r.y, source: 'test', hash: `f${j}` })),
      );
    } finally {
      await store.close();
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  let alertId: number;

  it('monitor --json: exactly the issue\'s shape; x1 drifts, x2 and color do not; live metrics, latency; an alert fires; the HTML report is written; the log older than 7 days is deleted', async () => {
    const r = mlloop(dir, ['monitor', '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const m = r.json;
    assert.deepEqual(Object.keys(m).sort(), MONITOR_KEYS);
    assert.equal(m.model, champion);
    assert.ok(m.reference.n > 300, `reference n ${m.reference.n}`);
    assert.deepEqual(Object.keys(m.current).sort(), ['from', 'n', 'to']);
    assert.equal(m.current.n, 600);
    const byName = Object.fromEntries(m.features.map((f: any) => [f.feature, f]));
    assert.deepEqual(Object.keys(byName).sort(), ['color', 'x1', 'x2']);
    for (const f of m.features) {
      for (const k of ['feature', 'type', 'test', 'statistic', 'p_value', 'distance', 'drift']) assert.ok(k in f, `${f.feature}: ${k}`);
    }
    assert.equal(byName.x1.drift, 'critical', JSON.stringify(byName.x1));
    assert.equal(byName.x1.type, 'numeric');
    assert.equal(byName.x1.test, 'ks');
    assert.ok(byName.x1.psi > 0.25 && byName.x1.p_value < 1e-10, JSON.stringify(byName.x1));
    assert.equal(byName.x2.drift, 'none', JSON.stringify(byName.x2));
    assert.equal(byName.color.drift, 'none', JSON.stringify(byName.color));
    assert.equal(byName.color.test, 'chi2');
    assert.deepEqual(m.dataset, { share: 1 / 3, drift: 'none' });
    assert.equal(m.prediction.n, 600);
    assert.ok(Array.isArray(m.prediction.tests) && m.prediction.tests.some((t: any) => t.name === 'labels'));
    const perf = m.performance;
    assert.equal(perf.labelled, 250);
    assert.ok(perf.metrics.accuracy.value > 0.8, JSON.stringify(perf.metrics.accuracy));
    assert.ok(perf.metrics.accuracy.lower < perf.metrics.accuracy.value && perf.metrics.accuracy.value <= perf.metrics.accuracy.upper + 1e-12);
    assert.ok(perf.metrics.accuracy.champion && typeof perf.metrics.accuracy.champion.value === 'number');
    assert.equal(perf.latency_ms.n, 600);
    assert.ok(perf.latency_ms.p50 >= 5 && perf.latency_ms.p50 <= perf.latency_ms.p95 && perf.latency_ms.p95 <= perf.latency_ms.p99 && perf.latency_ms.p99 <= 25);
    assert.equal(perf.acceptance.judged, 50);
    assert.ok(perf.fallback_rate.rate !== null && perf.fallback_rate.rate >= 0 && perf.fallback_rate.rate <= 1);
    const drift = m.alerts.filter((a: any) => a.key === 'feature_drift:x1');
    assert.equal(drift.length, 1, JSON.stringify(m.alerts));
    assert.equal(drift[0].new, true);
    assert.equal(drift[0].severity, 'critical');
    assert.equal(drift[0].status, 'active');
    assert.ok(!m.alerts.some((a: any) => a.key === 'feature_drift:x2' || a.key === 'feature_drift:color'));
    alertId = drift[0].id;
    const store = await openSqliteStore(path.join(dir, '.mlloop', 'store.sqlite'));
    try {
      assert.equal((await store.getPredictions(['old'])).size, 0, 'the 10-day-old prediction is gone (retention 7d)');
      assert.equal(await store.countPredictions(), 600);
      assert.equal((await store.listMonitorSnapshots()).length, 1, 'a snapshot of the run is kept');
    } finally {
      await store.close();
    }
    const report = path.join(dir, '.mlloop', 'reports', 'monitor.html');
    const html = fs.readFileSync(report, 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /x1/);
  });

  it('a second run does not fire the same alert again; `mlloop alerts` lists it; ack and resolve persist across processes', () => {
    const again = mlloop(dir, ['monitor', '--json']);
    assert.equal(again.code, 0, again.stderr);
    const same = again.json.alerts.filter((a: any) => a.key === 'feature_drift:x1');
    assert.deepEqual(same.map((a: any) => [a.id, a.new]), [[alertId, false]]);

    const list = mlloop(dir, ['alerts', '--json']);
    assert.equal(list.code, 0, list.stderr);
    assert.ok(list.json.alerts.some((a: any) => a.id === alertId && a.status === 'active'));
    const text = mlloop(dir, ['alerts']);
    assert.match(text.stdout, /Input drift in x1/);

    const ack = mlloop(dir, ['alerts', 'ack', String(alertId), '--json']);
    assert.equal(ack.code, 0, ack.stderr);
    assert.equal(ack.json.alert.status, 'acknowledged');
    const after = mlloop(dir, ['alerts', '--json']);
    assert.equal(after.json.alerts.find((a: any) => a.id === alertId).status, 'acknowledged');
    assert.ok(after.json.alerts.find((a: any) => a.id === alertId).acknowledged_by);

    const res = mlloop(dir, ['alerts', 'resolve', String(alertId), '--by', 'ana', '--json']);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual([res.json.alert.status, res.json.alert.resolved_by], ['resolved', 'ana']);
    assert.ok(!mlloop(dir, ['alerts', '--json']).json.alerts.some((a: any) => a.id === alertId), 'resolved: not open');
    assert.ok(mlloop(dir, ['alerts', '--all', '--json']).json.alerts.some((a: any) => a.id === alertId && a.status === 'resolved'), 'kept in the history');
    // Resolved while x1 still drifts: no new alert until it clears and comes back.
    const third = mlloop(dir, ['monitor', '--json']);
    assert.ok(!third.json.alerts.some((a: any) => a.key === 'feature_drift:x1'));
  });

  it('health --json: {status, checks: [{name, status, detail}]} with the five checks', () => {
    const h = mlloop(dir, ['health', '--json']);
    assert.ok(h.code === 0 || h.code === 1, h.stderr);
    assert.deepEqual(Object.keys(h.json).sort(), ['checks', 'status']);
    assert.ok(['ok', 'warning', 'critical'].includes(h.json.status));
    assert.deepEqual(h.json.checks.map((c: any) => c.name), ['data_arriving', 'champion_age', 'last_cycle', 'store_size', 'active_alerts']);
    for (const c of h.json.checks) {
      assert.deepEqual(Object.keys(c).sort(), ['detail', 'name', 'status']);
      assert.ok(typeof c.detail === 'string' && c.detail.length > 0);
    }
    assert.equal(h.json.checks[0].status, 'ok', 'predictions arrived within the last hours');
    assert.equal(h.code, h.json.status === 'critical' ? 1 : 0);
  });

  it('too few current predictions are not_enough_data, never "none"', () => {
    fs.writeFileSync(path.join(dir, 'mlloop.yaml'), YAML('monitoring: {window: {last: 10}}'));
    try {
      const r = mlloop(dir, ['monitor', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.json.current.n, 10);
      assert.deepEqual(r.json.features.map((f: any) => f.drift), ['not_enough_data', 'not_enough_data', 'not_enough_data']);
      assert.deepEqual(r.json.dataset, { share: null, drift: 'not_enough_data' });
    } finally {
      fs.writeFileSync(path.join(dir, 'mlloop.yaml'), YAML());
    }
  });

  it('mlloop watch runs the monitor when it starts (then every monitoring.every) and logs the run in a line', async () => {
    const child = spawn(process.execPath, [CLI, 'watch', '--poll', '1'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    try {
      const deadline = Date.now() + 60_000;
      while (!/monitor v\d+: \d+ predictions/.test(err) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      assert.match(err, new RegExp(`monitor ${champion}: 600 predictions; drift in x1 critical; dataset none; 0 new alerts`), err);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    }
  });

  it('bad input gets a clear message and no stack trace', () => {
    for (const [args, pattern] of [
      [['alerts', 'ack', 'abc'], /'abc' is not an alert id/],
      [['alerts', 'resolve', '9999'], /no alert 9999/],
      [['alerts', 'snooze', '1'], /alerts takes nothing, or ack ID, or resolve ID/],
      [['alerts', '--limit', '0'], /--limit takes a whole number/],
    ] as const) {
      const r = mlloop(dir, [...args]);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, pattern, r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  });
});

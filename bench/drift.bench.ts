/**
 * Speed of the monitor.
 *  1. Drift on arrays, the figure: 1,000,000 current rows × 18 numeric features against
 *     a 100,000-row reference, all tests included (KS with its p-value, PSI over reference
 *     quantile bins, Wasserstein / σ, the missing-share test, Holm, the decisions) — and the
 *     same at 100,000 current rows. The reference is prepared once per model (timed apart).
 *     Each size runs in its own child process, so its peak RSS (data included) is its own.
 *  2. `mlloop monitor --json` end to end through the built CLI on a real SQLite project with
 *     100,000 logged predictions × 18 features (reading the log, reference from the champion's
 *     training rows, drift, live metrics, alerts, snapshot, HTML report), wall time and peak RSS.
 *     The same store read alone (readCurrentWindow: the log into columns), since on a big log
 *     reading it, not the drift, is what `mlloop monitor` waits for.
 *  3. For orientation, when a python3 (/usr/bin/python3, else the one on PATH) has numpy and
 *     scipy, bench/drift_scipy.py on the sizes of 1: PSI alone (numpy), and PSI + scipy's
 *     ks_2samp + wasserstein_distance.
 * Prints figures; never fails on time. Run: `npx tsx bench/drift.bench.ts` (after `npm run build` for 2).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decideDrift, testNumericColumn, type ColumnTest } from '../src/core/monitor/drift';
import { numericScratch, prepareNumericReference, type NumericReference } from '../src/core/monitor/stats/numeric';
import { readCurrentWindow, windowFilter } from '../src/core/monitor/window';
import { DEFAULT_MONITORING } from '../src/core/project/parse';
import { openSqliteStore } from '../src/core/store/sqlite';
import type { PredictionInput } from '../src/core/store/types';
import { createRng } from '../src/core/util/random';
import { loadBundle, predictRecords } from '../src/runtime';

const FEATURES = 18;
const SETTINGS = { alpha: DEFAULT_MONITORING.alpha, minRows: DEFAULT_MONITORING.minRows, drift: DEFAULT_MONITORING.drift };
const REPO = path.resolve(__dirname, '..');
const CLI = path.join(REPO, 'dist', 'cli.js');
const RSS = path.join(__dirname, 'support', 'report-rss.cjs');

function gaussianColumn(n: number, seed: number, shift = 0): Float64Array {
  const rng = createRng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = shift + Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  return out;
}

/** Child: one size, printing one JSON line. */
function child(current: number, reference: number): void {
  const refs = Array.from({ length: FEATURES }, (_, f) => gaussianColumn(reference, 100 + f));
  // Feature 0 moved by 0.5 σ, the others did not.
  const cur = Array.from({ length: FEATURES }, (_, f) => gaussianColumn(current, 1000 + f, f === 0 ? 0.5 : 0));
  const t0 = performance.now();
  const prepared: NumericReference[] = refs.map((r) => prepareNumericReference(r, SETTINGS.drift.bins));
  const prepareMs = performance.now() - t0;
  const scratch = numericScratch(current);
  const runs: number[] = [];
  let drifting = '';
  for (let r = 0; r < 3; r++) {
    const t1 = performance.now();
    const tests: ColumnTest[] = prepared.map((ref, f) => testNumericColumn(`x${f}`, ref, cur[f], SETTINGS, scratch));
    const decided = decideDrift(tests, SETTINGS.alpha);
    runs.push(performance.now() - t1);
    // What a one-shot `mlloop monitor` does: prepare the reference too (a watcher keeps it).
    drifting = decided.filter((d) => d.drift !== 'none').map((d) => `${d.name} ${d.drift}`).join(', ');
  }
  runs.sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({ prepareMs, compareMs: runs[1], minMs: runs[0], drifting, maxrssKb: process.resourceUsage().maxRSS }) + '\n');
}

function arrays(): Array<{ current: number; compareMs: number }> {
  const out: Array<{ current: number; compareMs: number }> = [];
  for (const current of [100_000, 1_000_000]) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', String(current), '100000'], { encoding: 'utf8', cwd: REPO, maxBuffer: 1 << 24 });
    if (r.status !== 0) {
      console.log(`arrays ${current}: failed\n${r.stderr}`);
      continue;
    }
    const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
    console.log(
      `drift ${current.toLocaleString('en')} × ${FEATURES} numeric vs 100,000 reference`.padEnd(58) +
        `${j.compareMs.toFixed(0).padStart(6)} ms (median of 3, min ${j.minMs.toFixed(0)}); reference prepared once ${j.prepareMs.toFixed(0)} ms (both: ${(j.compareMs + j.prepareMs).toFixed(0)} ms); peak RSS ${(j.maxrssKb / 1024).toFixed(0)} MB (data included); drifting: ${j.drifting || 'none'}`,
    );
    out.push({ current, compareMs: j.compareMs });
  }
  return out;
}

function scipy(ours: Array<{ current: number; compareMs: number }>): void {
  const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import numpy, scipy'], { encoding: 'utf8' }).status === 0);
  if (!python) {
    console.log('(numpy / scipy not installed: apt-get install -y python3-scipy to print their figures too)');
    return;
  }
  for (const { current, compareMs } of ours) {
    const r = spawnSync(python, [path.join(__dirname, 'drift_scipy.py'), String(current), '100000', String(FEATURES)], { encoding: 'utf8' });
    if (r.status !== 0) {
      console.log(`scipy ${current}: failed\n${r.stderr}`);
      continue;
    }
    const j = JSON.parse(r.stdout.trim());
    console.log(
      `numpy / scipy ${current.toLocaleString('en')} × ${FEATURES}`.padEnd(58) +
        `PSI alone ${(j.psi_s * 1000).toFixed(0)} ms; PSI + ks_2samp + wasserstein ${(j.all_s * 1000).toFixed(0)} ms (${(j.all_s * 1000 / compareMs).toFixed(1)}× ours); peak RSS ${(j.maxrss_kb / 1024).toFixed(0)} MB`,
    );
  }
}

async function endToEnd(): Promise<void> {
  if (!fs.existsSync(CLI)) {
    console.log('(dist/cli.js missing: `npm run build` first for the end-to-end figure)');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-drift-bench-'));
  try {
    const names = Array.from({ length: FEATURES }, (_, f) => `f${f}`);
    const rng = createRng(7);
    const g = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const row = (shift: number) => names.map((_, f) => Number((g() + (f === 0 ? shift : 0)).toFixed(4)));
    const now = Date.now();
    const lines = [['ts', ...names, 'y'].join(',')];
    for (let i = 0; i < 3000; i++) {
      const x = row(0);
      lines.push([new Date(now - (10 + 20 * rng()) * 86_400_000).toISOString(), ...x, x[0] + x[1] - x[2] > 0 ? 'yes' : 'no'].join(','));
    }
    fs.writeFileSync(path.join(dir, 'data.csv'), lines.join('\n') + '\n');
    fs.writeFileSync(
      path.join(dir, 'mlloop.yaml'),
      ['version: 1', 'task: binary', 'label: y', 'time: ts', 'features:', ...names.map((n) => `  - {name: ${n}, type: numeric}`), 'model: {type: logistic}', 'training: {epochs: 20}', 'evaluation: {bootstrap: 100, importanceRepeats: 0}', 'schedule: {minExamples: 100}', ''].join('\n'),
    );
    const cli = (args: string[]) => spawnSync(process.execPath, ['-r', RSS, CLI, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26 });
    if (cli(['import', 'data.csv']).status !== 0) throw new Error('import failed');
    const retrain = cli(['retrain', '--json']);
    if (retrain.status !== 0) throw new Error(`retrain failed: ${retrain.stderr}`);
    const champion = JSON.parse(retrain.stdout.trim().split('\n').pop()!).champion as string;
    const bundle = await loadBundle(path.join(dir, '.mlloop', 'models', champion));
    const store = await openSqliteStore(path.join(dir, '.mlloop', 'store.sqlite'));
    const N = 100_000;
    try {
      for (let start = 0; start < N; start += 10_000) {
        const inputs = Array.from({ length: 10_000 }, () => Object.fromEntries(row(0.5).map((v, f) => [names[f], v])));
        const out = predictRecords(bundle, inputs) as Array<{ label: string; confidence: number }>;
        const batch: PredictionInput[] = inputs.map((input, i) => ({
          id: `p${start + i}`,
          model: champion,
          time: new Date(now - 20 * 3_600_000 + ((start + i) * 20 * 3_600_000) / N).toISOString(),
          input,
          output: { label: out[i].label, confidence: out[i].confidence },
          latencyMs: 2 + 10 * rng(),
          source: 'bench',
        }));
        await store.addPredictions(batch);
      }
    } finally {
      await store.close();
    }
    {
      const reader = await openSqliteStore(path.join(dir, '.mlloop', 'store.sqlite'));
      try {
        const features = names.map((name) => ({ name, type: 'numeric' as const }));
        const t0 = performance.now();
        const w = await readCurrentWindow(reader, features, champion, windowFilter(DEFAULT_MONITORING.window, new Date()));
        const ms = performance.now() - t0;
        console.log(`read the window into columns (readCurrentWindow), ${w.n.toLocaleString('en')} × ${FEATURES}`.padEnd(58) + `${ms.toFixed(0).padStart(6)} ms (${((ms / w.n) * 1000).toFixed(1)} µs a prediction)`);
      } finally {
        await reader.close();
      }
    }
    for (let run = 1; run <= 2; run++) {
      const t0 = performance.now();
      const r = cli(['monitor', '--json']);
      const ms = performance.now() - t0;
      if (r.status !== 0) throw new Error(`monitor failed: ${r.stderr}`);
      const rss = /@@maxrss_kb (\d+)/.exec(r.stderr);
      const m = JSON.parse(r.stdout.trim().split('\n').pop()!);
      const drifting = m.features.filter((f: { drift: string }) => f.drift !== 'none').map((f: { feature: string; drift: string }) => `${f.feature} ${f.drift}`);
      console.log(
        `mlloop monitor --json, ${m.current.n.toLocaleString('en')} logged × ${FEATURES} (run ${run})`.padEnd(58) +
          `${ms.toFixed(0).padStart(6)} ms wall (process start and store read included); peak RSS ${rss ? (Number(rss[1]) / 1024).toFixed(0) : '?'} MB; reference ${m.reference.n}; drifting: ${drifting.join(', ') || 'none'}`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--child');
  if (i >= 0) return child(Number(process.argv[i + 1]), Number(process.argv[i + 2]));
  console.log(`Node ${process.version}, ${os.cpus().length} cores`);
  const ours = arrays();
  await endToEnd();
  scipy(ours);
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * The store at scale, side by side with native SQLite (Python's sqlite3, bench/store_reference.py)
 * in the same run: a CSV of N rows × 19 columns (18 numeric features + a label; default
 * N = 1,000,000, pass another as the first argument) →
 *   - `mlloop import` (the built CLI): time and peak RSS;
 *   - one-row write transactions on that store (a one-example import, and a run heartbeat): median / p95;
 *   - `mlloop runs --json` and `mlloop models --json`: time and peak RSS;
 *   - `mlloop train` on it (logistic, 2 epochs, no bootstrap/importance): time, peak RSS and the
 *     time spent in the store (storeMs from the job);
 *   - Python's sqlite3 doing the same import work (CSV, number checks, sha1 of the canonical
 *     JSON, JSON, one transaction) with WAL and with a rollback journal, and its one-row writes.
 * Needs `npm run build` first. Prints figures; never fails on time.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqliteStore } from '../src/core/store/sqlite';
import { createRng } from '../src/core/util/random';

const REPO = path.join(__dirname, '..');
const CLI = path.join(REPO, 'dist', 'cli.js');
const RSS = path.join(__dirname, 'support', 'report-rss.cjs');

function cli(cwd: string, args: string[]): { ms: number; rssMb: number; stdout: string } {
  const t = performance.now();
  const r = spawnSync(process.execPath, ['-r', RSS, CLI, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`mlloop ${args.join(' ')} failed (${r.status}): ${r.stdout}\n${r.stderr}`);
  const m = /@@maxrss_kb (\d+)/.exec(r.stderr);
  return { ms, rssMb: m ? Number(m[1]) / 1024 : NaN, stdout: r.stdout };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function main(): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first.');
  const rows = Number(process.argv[2] ?? 1_000_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-bench-store-'));
  const csv = path.join(dir, 'rows.csv');
  const rng = createRng(1);
  const features = Array.from({ length: 18 }, (_, i) => `f${i}`);
  const out = fs.createWriteStream(csv);
  out.write([...features, 'action'].join(',') + '\n');
  for (let i = 0; i < rows; i++) {
    const line = features.map(() => (rng() * 100).toFixed(3)).join(',') + `,a${Math.floor(rng() * 5)}\n`;
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(r));
  fs.writeFileSync(
    path.join(dir, 'mlloop.yaml'),
    `version: 1\ntask: multiclass\nlabel: action\nfeatures:\n${features.map((f) => `  - {name: ${f}, type: numeric}`).join('\n')}\n` +
      'data:\n  sources:\n    - path: rows.csv\nmodel: {type: logistic}\ntraining: {epochs: 2, batchSize: 1024, earlyStopping: {enabled: false}}\n' +
      'calibration: {method: none}\nevaluation: {bootstrap: 0, importanceRepeats: 0}\n',
  );
  console.log(`${rows.toLocaleString('en')} rows × 19 columns, CSV ${(fs.statSync(csv).size / 1e6).toFixed(0)} MB; ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`);

  const imp = cli(dir, ['import', '--quiet']);
  const storeFile = path.join(dir, '.mlloop', 'store.sqlite');
  console.log(`ML Loop   import: ${(imp.ms / 1000).toFixed(1)} s, peak RSS ${imp.rssMb.toFixed(0)} MB, store ${(fs.statSync(storeFile).size / 1e6).toFixed(0)} MB`);

  // One-row write transactions in a running process on the full store.
  const store = await openSqliteStore(storeFile);
  const writes: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await store.addExamples([[{ source: 'cli', label: 'a1', record: { f0: String(i) }, hash: `one-${i}` }]]);
    writes.push(performance.now() - t);
  }
  const run = await store.createRun({ config: {}, configHash: 'bench' });
  const beats: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await store.heartbeat(run);
    beats.push(performance.now() - t);
  }
  await store.deleteRun(run);
  await store.close();
  writes.sort((a, b) => a - b);
  beats.sort((a, b) => a - b);
  console.log(
    `ML Loop   one-row write: median ${percentile(writes, 0.5).toFixed(2)} ms, p95 ${percentile(writes, 0.95).toFixed(2)} ms (an example); ` +
      `heartbeat median ${percentile(beats, 0.5).toFixed(2)} ms, p95 ${percentile(beats, 0.95).toFixed(2)} ms`,
  );

  const runs = cli(dir, ['runs', '--json']);
  const models = cli(dir, ['models', '--json']);
  console.log(`ML Loop   runs --json: ${runs.ms.toFixed(0)} ms, peak RSS ${runs.rssMb.toFixed(0)} MB; models --json: ${models.ms.toFixed(0)} ms, ${models.rssMb.toFixed(0)} MB`);

  const train = cli(dir, ['train', '--json', '--backend', 'wasm']);
  const result = JSON.parse(train.stdout.trim().split('\n').pop()!) as { store_ms?: number };
  console.log(`ML Loop   train: ${(train.ms / 1000).toFixed(1)} s, peak RSS ${train.rssMb.toFixed(0)} MB, of which in the store ${((result.store_ms ?? NaN) / 1000).toFixed(1)} s`);
  const runsAfter = cli(dir, ['runs', '--json']);
  console.log(`ML Loop   runs --json after a run: ${runsAfter.ms.toFixed(0)} ms, peak RSS ${runsAfter.rssMb.toFixed(0)} MB`);

  for (const mode of ['wal', 'delete']) {
    const py = spawnSync('/usr/bin/python3', [path.join(__dirname, 'store_reference.py'), csv, path.join(dir, `ref-${mode}.sqlite`), mode], { encoding: 'utf8' });
    if (py.status !== 0) {
      console.log(`Python sqlite3 (${mode}): not run (${py.stderr.trim().split('\n').pop()})`);
      continue;
    }
    const r = JSON.parse(py.stdout) as Record<string, number>;
    console.log(
      `Python sqlite3 ${mode.padEnd(6)} import: ${r.import_s} s, peak RSS ${r.peak_rss_mb} MB, db ${r.db_mb} MB; one-row write median ${r.one_row_write_ms_median} ms, p95 ${r.one_row_write_ms_p95} ms`,
    );
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

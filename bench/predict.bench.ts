/**
 * Single-record predict latency through the app runtime (record → features → probabilities →
 * label, `predictRecords(bundle, [record])`), on a model trained from examples/decision-policy
 * (18 numeric features → 64 → 32 → 16 → 5 actions) in a temp copy, calibration off so that
 * every side does the same work. Side by side, in the same run:
 *
 * - ours: the runtime as an app gets it (src/runtime: plain TypeScript, no TensorFlow.js);
 * - tfjs-wasm: the same bundle through TensorFlow.js' layers model on the wasm backend (how the
 *   runtime predicted before it evaluated networks itself);
 * - PyTorch: bench/predict_torch.py, the same bundle's weights in an nn.Sequential on one CPU
 *   thread, with the same feature pipeline written in Python (when /usr/bin/python3 has torch).
 *
 * Prints median and p95 per call over 3,000 calls (after a warm-up) and 1,000 rows in one call.
 * Run: `npx tsx bench/predict.bench.ts`. Prints figures; never fails on time.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../src/core/engine/backend';
import { predictScores } from '../src/core/engine/fit';
import { loadModel } from '../src/core/engine/serialize';
import { transformRows } from '../src/core/data/pipeline';
import { trainProject } from '../src/core/jobs/train';
import { openProjectContext } from '../src/core/context/projectContext';
import { importFiles } from '../src/core/store/import';
import { loadBundle, predictionsFromScores, predictRecords, scoreRecords } from '../src/runtime';

const CALLS = 3000;

function latency(label: string, records: Array<Record<string, unknown>>, predictOne: (r: Record<string, unknown>) => unknown, predictAll: () => unknown): void {
  for (let i = 0; i < 300; i++) predictOne(records[i % records.length]);
  const times: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t = performance.now();
    predictOne(records[i % records.length]);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const t0 = performance.now();
  predictAll();
  const batchMs = performance.now() - t0;
  const us = (q: number) => (times[Math.floor(times.length * q)] * 1000).toFixed(1).padStart(6);
  console.log(`${label.padEnd(34)} median ${us(0.5)} µs, p95 ${us(0.95)} µs; ${records.length.toLocaleString('en-US')} rows in one call: ${batchMs.toFixed(1)} ms`);
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-bench-predict-'));
  try {
    fs.cpSync(path.join(__dirname, '..', 'examples', 'decision-policy'), dir, { recursive: true });
    // Latency does not depend on how well the model is trained: a few epochs, no calibrator.
    const yaml = path.join(dir, 'mlloop.yaml');
    fs.writeFileSync(yaml, fs.readFileSync(yaml, 'utf8').replace(/^(\s*epochs:)\s*\d+/m, '$1 10') + '\ncalibration:\n  method: none\n');
    const ctx = await openProjectContext(dir, { purpose: 'predict bench' });
    const { config, store } = ctx;
    await importFiles(store, config, config.data.sources.map((s) => path.join(dir, s.path)), { root: dir });
    const records: Array<Record<string, unknown>> = [];
    for await (const batch of store.streamExamples({ maxId: 1000 })) records.push(...batch.map((e) => e.record));
    const trained = await trainProject({ ctx, backend: 'wasm' });
    await ctx.close();
    console.log(`decision-policy bundle ${trained.modelVersion}: 18 features → 64 → 32 → 16 → 5, single-record predict (record → features → probabilities → label)`);

    const bundle = await loadBundle(trained.bundleDir);
    if (bundle.calibrator) throw new Error('the bench bundle should have no calibrator');
    latency('ours (runtime, plain TypeScript)', records, (r) => predictRecords(bundle, [r]), () => predictRecords(bundle, records));

    await initBackend('wasm');
    const layers = await loadModel(trained.bundleDir);
    const { task } = bundle.card;
    const { classes } = bundle.labels;
    const d = bundle.pipeline.width;
    const viaTfjs = (rows: Array<Record<string, unknown>>) => {
      const { x, n } = transformRows(bundle.pipeline, rows);
      return predictionsFromScores(task, classes, predictScores(layers, x, n, d), n);
    };
    latency('tfjs-wasm (layers model)', records, (r) => viaTfjs([r]), () => viaTfjs(records));
    layers.dispose();

    const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      console.log('(PyTorch not installed: apt-get install -y python3-torch to print its figure too)');
      return;
    }
    const recordsFile = path.join(dir, 'records.json');
    const oursFile = path.join(dir, 'ours.json');
    fs.writeFileSync(recordsFile, JSON.stringify(records));
    const scores = scoreRecords(bundle, records).scores;
    const k = classes.length;
    fs.writeFileSync(oursFile, JSON.stringify(records.map((_, i) => Array.from(scores.subarray(i * k, (i + 1) * k)))));
    const run = spawnSync('/usr/bin/python3', [path.join(__dirname, 'predict_torch.py'), trained.bundleDir, recordsFile, oursFile], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    process.stdout.write(run.stdout ?? '');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * Single-row predict latency through the app runtime (load bundle → predictRecords), on a
 * model trained from examples/decision-policy (18 features → 5 actions) in a temp copy.
 * Prints median and p95 per call. Run: `npx tsx bench/predict.bench.ts`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { trainProject } from '../src/core/jobs/train';
import { openProjectContext } from '../src/core/context/projectContext';
import { importFiles } from '../src/core/store/import';
import { initBackend, loadBundle, predictRecords } from '../src/runtime';

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-bench-predict-'));
  fs.cpSync(path.join(__dirname, '..', 'examples', 'decision-policy'), dir, { recursive: true });
  const ctx = await openProjectContext(dir, { purpose: 'predict bench' });
  const { config, store } = ctx;
  await importFiles(store, config, config.data.sources.map((s) => path.join(dir, s.path)), { root: dir });
  const records: Array<Record<string, unknown>> = [];
  for await (const batch of store.streamExamples({ maxId: 1000 })) records.push(...batch.map((e) => e.record));
  const trained = await trainProject({ ctx });
  await ctx.close();

  for (const backend of ['wasm', 'cpu'] as const) {
    await initBackend(backend);
    const bundle = await loadBundle(trained.bundleDir);
    for (let i = 0; i < 200; i++) predictRecords(bundle, [records[i % records.length]]); // warm-up
    const times: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t = performance.now();
      predictRecords(bundle, [records[i % records.length]]);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const t0 = performance.now();
    predictRecords(bundle, records);
    const batchMs = performance.now() - t0;
    console.log(
      `${backend.padEnd(5)} single-row predict: median ${(times[1000] * 1000).toFixed(0)} µs, p95 ${(times[1900] * 1000).toFixed(0)} µs; ` +
        `1,000 rows in one call: ${batchMs.toFixed(1)} ms`,
    );
    bundle.model.dispose();
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

void main();

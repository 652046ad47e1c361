/**
 * The PostgreSQL store through the Store API, on a private local server with PostgreSQL's
 * default durability (fsync on, synchronous commit), started like the tests start theirs
 * (test/integration/support/postgres.ts: installs PostgreSQL from Debian's packages when
 * run as root on a machine without it):
 *  1. import N rows × 19 columns (18 numbers as CSV text, a note, the label) in batches of
 *     5000 as `mlloop import` sends them — one transaction; default N = 100,000, pass a number:
 *     `npx tsx bench/store-postgres.bench.ts 1000000`;
 *  2. one-row write transactions on that store: addExamples of one example (a feedback line)
 *     and a run heartbeat, median and p95 of 300 each;
 *  3. a streamed read of every row (streamExamples, batches of 5000) and of the rows without
 *     their records (streamExampleMeta); countExamples.
 * Prints figures; never fails on time. Figures on a loaded machine are noisy.
 */
import crypto from 'node:crypto';
import { openPostgresStore } from '../src/core/store/postgres';
import type { ExampleInput } from '../src/core/store/types';
import { createRng } from '../src/core/util/random';
import { startCluster, stopCluster } from '../test/integration/support/postgres';

const rows = Number(process.argv[2] ?? 100_000);
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`;

function* batches(n: number, size: number): Generator<ExampleInput[]> {
  const rng = createRng(7);
  for (let start = 0; start < n; start += size) {
    const batch: ExampleInput[] = [];
    for (let i = start; i < Math.min(n, start + size); i++) {
      const record: Record<string, unknown> = {};
      for (let f = 0; f < 18; f++) record[`f${f}`] = (rng() * 100).toFixed(3);
      record.note = `row ${i}, quoted`;
      record.action = `a${Math.floor(rng() * 5)}`;
      const hash = crypto.createHash('sha1').update(JSON.stringify(record)).digest('hex');
      batch.push({ source: 'data/tickets.csv', sourceLine: i + 2, label: record.action as string, record, hash });
    }
    yield batch;
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function timeEach(n: number, fn: (i: number) => Promise<unknown>): Promise<string> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return `median ${percentile(ms, 0.5).toFixed(2)} ms, p95 ${percentile(ms, 0.95).toFixed(2)} ms`;
}

async function main(): Promise<void> {
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  // MLLOOP_BENCH_FSYNC=off: without fsync, to tell the disk's share of a commit from ours.
  const durable = process.env.MLLOOP_BENCH_FSYNC !== 'off';
  const cluster = await startCluster({ durable });
  try {
    console.log(`PostgreSQL server ready in ${cluster.info.startMs} ms (fsync ${durable ? 'on' : 'off'})`);
    const store = await openPostgresStore(cluster.info.url, { schema: 'bench', purpose: 'bench' });

    let t = Date.now();
    const r = await store.addExamples(batches(rows, 5000));
    const importMs = Date.now() - t;
    console.log(`import ${rows.toLocaleString('en')} rows × 19 columns: ${(importMs / 1000).toFixed(2)} s (${Math.round(rows / (importMs / 1000)).toLocaleString('en')} rows/s), inserted ${r.inserted}, peak RSS ${mb(peak)}`);

    t = Date.now();
    const again = await store.addExamples(batches(Math.min(rows, 20_000), 5000));
    console.log(`re-import of ${Math.min(rows, 20_000).toLocaleString('en')} stored rows (all duplicates: ${again.duplicates}): ${((Date.now() - t) / 1000).toFixed(2)} s`);

    const one = (i: number): ExampleInput => ({ source: 'feedback', label: 'a1', record: { i, text: 'feedback' }, hash: `feedback-${i}` });
    console.log(`one-example write transaction (addExamples): ${await timeEach(300, (i) => store.addExamples([[one(i)]]))}`);
    const run = await store.createRun({ config: {}, configHash: 'bench' });
    console.log(`run heartbeat (one-row UPDATE transaction): ${await timeEach(300, () => store.heartbeat(run))}`);
    console.log(`countExamples: ${await timeEach(20, () => store.countExamples())}`);

    peak = 0;
    t = Date.now();
    let n = 0;
    for await (const b of store.streamExamples({}, { batchSize: 5000 })) n += b.length;
    console.log(`streamExamples of ${n.toLocaleString('en')} rows: ${((Date.now() - t) / 1000).toFixed(2)} s, peak RSS ${mb(peak)}`);
    t = Date.now();
    n = 0;
    for await (const b of store.streamExampleMeta({}, { batchSize: 5000 })) n += b.length;
    console.log(`streamExampleMeta of ${n.toLocaleString('en')} rows: ${((Date.now() - t) / 1000).toFixed(2)} s`);
    await store.close();
  } finally {
    clearInterval(sampler);
    await stopCluster(cluster);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * `mlloop ingest` throughput: an inbox file of N lines (default 50,000: 60% predictions, 30%
 * labelled feedback that become examples, 10% example lines) taken into a fresh store in
 * units of 1000 lines, then a second ingest with nothing new (what `mlloop watch` pays per
 * look). `npx tsx bench/ingest.bench.ts [N] [sqlite|postgres]`; postgres starts a private
 * server with default durability (test/integration/support/postgres.ts).
 * Prints figures; never fails on time. Figures on a loaded machine are noisy.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { contextFor } from '../src/core/context/projectContext';
import { ingestInbox } from '../src/core/loop/ingest';
import { loadProject } from '../src/core/project/workspace';
import { openPostgresStore } from '../src/core/store/postgres';
import { openSqliteStore } from '../src/core/store/sqlite';
import { startCluster, stopCluster, type Cluster } from '../test/integration/support/postgres';

const n = Number(process.argv[2] ?? 50_000);
const engine = process.argv[3] === 'postgres' ? 'postgres' : 'sqlite';

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-bench-ingest-'));
  let cluster: Cluster | undefined;
  try {
    fs.writeFileSync(path.join(root, 'mlloop.yaml'), 'version: 1\ntask: binary\nlabel: spam\nfeatures:\n  - { name: words, type: numeric }\n  - { name: sender, type: categorical }\n  - { name: subject, type: text }\n');
    const { config, paths } = loadProject(root);
    fs.mkdirSync(paths.inboxDir, { recursive: true });
    const out: string[] = [];
    let p = 0;
    for (let i = 0; i < n; i++) {
      const k = i % 10;
      const t = new Date(Date.UTC(2026, 10, 30, 0, 0, i)).toISOString();
      if (k < 6) out.push(JSON.stringify({ kind: 'prediction', id: `p${p++}`, model: 'v3', time: t, input: { words: i % 300, sender: `s${i % 40}`, subject: `subject of message ${i}` }, output: { label: i % 2 ? 'yes' : 'no', confidence: 0.5 + (i % 50) / 100 }, latency_ms: 1.5 }));
      else if (k < 9) out.push(JSON.stringify({ kind: 'feedback', prediction: `p${p - 1 - (k - 6)}`, time: t, label: k % 2 ? 'yes' : 'no', by: 'bench' }));
      else out.push(JSON.stringify({ kind: 'example', time: t, record: { words: i % 300, sender: 'x', subject: `example ${i}`, spam: 'no' } }));
    }
    const text = out.join('\n') + '\n';
    fs.writeFileSync(path.join(paths.inboxDir, 'app.jsonl'), text);
    let store;
    if (engine === 'postgres') {
      cluster = await startCluster({ durable: true });
      store = await openPostgresStore(cluster.info.url, { schema: 'bench', purpose: 'bench' });
    } else store = await openSqliteStore(paths.storeFile, { purpose: 'bench' });
    const ctx = contextFor(root, config, store);
    const t0 = performance.now();
    const r = await ingestInbox(ctx);
    const ms = performance.now() - t0;
    const t1 = performance.now();
    await ingestInbox(ctx);
    const idle = performance.now() - t1;
    console.log(`ingest on ${engine}: ${n} lines (${(text.length / 1e6).toFixed(1)} MB) in ${(ms / 1000).toFixed(2)} s = ${Math.round(n / (ms / 1000))} lines/s`);
    console.log(`  took ${r.ingested.predictions} predictions, ${r.ingested.feedback} feedback, ${r.ingested.examples} examples; ${r.rejectedTotal} rejected`);
    console.log(`  a second ingest with nothing new: ${idle.toFixed(1)} ms`);
    await store.close();
  } finally {
    if (cluster) await stopCluster(cluster);
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * Import throughput and memory: a generated CSV of N rows (default 100,000; pass a number,
 * e.g. `npx tsx bench/import.bench.ts 1000000`) imported into a fresh store.
 * Prints rows/s, the store's size and peak RSS. A benchmark prints figures; it never fails on time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseProject } from '../src/core/project/parse';
import { importFiles } from '../src/core/store/import';
import { openSqliteStore } from '../src/core/store/sqlite';
import { createRng } from '../src/core/util/random';

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 100000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-bench-import-'));
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
  const sizeMb = fs.statSync(csv).size / 1e6;

  const parsed = parseProject(`version: 1\ntask: multiclass\nlabel: action\nfeatures:\n${features.map((f) => `  - {name: ${f}, type: numeric}`).join('\n')}\n`);
  if (!parsed.ok) throw new Error('bad bench config');
  let peakRss = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const store = await openSqliteStore(path.join(dir, 'store.sqlite'));
  const t0 = performance.now();
  const report = await importFiles(store, parsed.config, [csv], { root: dir });
  const seconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const again = await importFiles(store, parsed.config, [csv], { root: dir });
  const secondsAgain = (performance.now() - t1) / 1000;
  clearInterval(timer);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  await store.close();
  const storeMb = fs.statSync(path.join(dir, 'store.sqlite')).size / 1e6;
  console.log(`import ${rows.toLocaleString('en')} rows × 19 columns (CSV ${sizeMb.toFixed(1)} MB)`);
  console.log(`  first import : ${seconds.toFixed(2)} s  (${Math.round(rows / seconds).toLocaleString('en')} rows/s), imported ${report.imported}`);
  console.log(`  same again   : ${secondsAgain.toFixed(2)} s  (all ${again.duplicates} duplicates)`);
  console.log(`  store file   : ${storeMb.toFixed(1)} MB; peak RSS ${(peakRss / 1e6).toFixed(0)} MB`);
  fs.rmSync(dir, { recursive: true, force: true });
}

void main();

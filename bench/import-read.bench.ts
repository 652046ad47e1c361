/**
 * Reader memory/throughput and feature-pipeline speed, without the store:
 * 1. readRecords over a generated CSV and JSONL of N rows (default 1,000,000; pass a number:
 *    `npx tsx bench/import-read.bench.ts 200000`), printing heap and RSS every N/10 rows —
 *    flat figures mean the reader streams.
 * 2. fitPipeline/transformRows on 100,000 rows × 18 numeric features (values as CSV strings
 *    and as JSON numbers), and on 10,000 rows of title text (hashed TF-IDF, 1024 buckets).
 * Prints figures; never fails on time. Run with `node --expose-gc --import tsx` for steadier heap figures.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readRecords } from '../src/core/data/readers';
import { fitPipeline, transformRows } from '../src/core/data/pipeline';
import type { FeatureSpec } from '../src/core/project/types';
import { createRng } from '../src/core/util/random';

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
const gc = (globalThis as { gc?: () => void }).gc;

async function writeLines(file: string, lines: Iterable<string>): Promise<void> {
  const out = fs.createWriteStream(file);
  for (const line of lines) {
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(r));
}

function* csvLines(rows: number): Generator<string> {
  const rng = createRng(7);
  yield Array.from({ length: 18 }, (_, i) => `f${i}`).join(',') + ',note,action\n';
  for (let i = 0; i < rows; i++) {
    const values = Array.from({ length: 18 }, () => (rng() * 100).toFixed(3));
    yield `${values.join(',')},"row ${i}, quoted",a${Math.floor(rng() * 5)}\n`;
  }
}

function* jsonlLines(rows: number): Generator<string> {
  const rng = createRng(8);
  for (let i = 0; i < rows; i++) {
    yield JSON.stringify({ x: rng(), y: Math.floor(rng() * 100), ok: rng() < 0.5, title: `item ${i}`, label: `c${i % 5}` }) + '\n';
  }
}

async function measureRead(file: string, rows: number): Promise<void> {
  gc?.();
  const before = process.memoryUsage();
  console.log(`  start          heap ${mb(before.heapUsed)}  rss ${mb(before.rss)}`);
  const every = Math.max(1, Math.floor(rows / 10));
  let records = 0;
  let errors = 0;
  let peakHeap = before.heapUsed;
  let peakRss = before.rss;
  const t0 = performance.now();
  for await (const item of readRecords(file)) {
    if (item.kind === 'record') records++;
    else errors++;
    if ((records + errors) % every === 0) {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakRss = Math.max(peakRss, m.rss);
      console.log(`  ${String(records + errors).padStart(9)} rows  heap ${mb(m.heapUsed)}  rss ${mb(m.rss)}`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `  read ${records.toLocaleString('en')} records, ${errors} errors in ${seconds.toFixed(2)} s (${Math.round(records / seconds).toLocaleString('en')} rows/s); ` +
      `peak heap ${mb(peakHeap)}, peak rss ${mb(peakRss)} (sampled every ${every.toLocaleString('en')} rows)`,
  );
}

function timeIt(label: string, repeats: number, run: () => void): void {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`  ${label}: median ${times[repeats >> 1].toFixed(1)} ms, best ${times[0].toFixed(1)} ms (${repeats} runs)`);
}

function benchPipeline(): void {
  const rng = createRng(3);
  const n = 100_000;
  const names = Array.from({ length: 18 }, (_, i) => `f${i}`);
  const numericSpecs: FeatureSpec[] = names.map((name) => ({ name, type: 'numeric', transform: 'standardize', impute: 'mean' }));
  const asNumbers = Array.from({ length: n }, () => Object.fromEntries(names.map((f) => [f, rng() * 100])));
  const asStrings = asNumbers.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.toFixed(3)])));
  console.log(`pipeline, ${n.toLocaleString('en')} rows × 18 numeric (standardize/mean):`);
  timeIt('fit, JSON numbers      ', 5, () => fitPipeline(numericSpecs, asNumbers));
  const fitted = fitPipeline(numericSpecs, asNumbers);
  timeIt('transform, JSON numbers', 7, () => transformRows(fitted, asNumbers));
  timeIt('transform, CSV strings ', 7, () => transformRows(fitted, asStrings));

  const words = ['export', 'csv', 'slow', 'login', 'fails', 'crash', 'on', 'save', 'docs', 'typo', 'add', 'dark', 'mode', 'token', 'expired'];
  const texts = Array.from({ length: 10_000 }, () => ({
    title: Array.from({ length: 4 + Math.floor(rng() * 8) }, () => words[Math.floor(rng() * words.length)]).join(' '),
  }));
  const textSpecs: FeatureSpec[] = [{ name: 'title', type: 'text', dimensions: 1024, ngrams: [1, 2], lowercase: true, analyzer: 'word', sublinearTf: false, minDf: 1 }];
  console.log('pipeline, 10,000 titles × hashed TF-IDF (1024 buckets, 1-2-grams):');
  timeIt('fit      ', 5, () => fitPipeline(textSpecs, texts));
  const fittedText = fitPipeline(textSpecs, texts);
  timeIt('transform', 5, () => transformRows(fittedText, texts));
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-bench-read-'));
  try {
    const csv = path.join(dir, 'rows.csv');
    await writeLines(csv, csvLines(rows));
    console.log(`readRecords, CSV ${rows.toLocaleString('en')} rows × 20 columns (${mb(fs.statSync(csv).size)})${gc ? '' : ' [no --expose-gc]'}:`);
    await measureRead(csv, rows);
    fs.rmSync(csv);

    const jsonl = path.join(dir, 'rows.jsonl');
    await writeLines(jsonl, jsonlLines(rows));
    console.log(`readRecords, JSONL ${rows.toLocaleString('en')} lines (${mb(fs.statSync(jsonl).size)}):`);
    await measureRead(jsonl, rows);
    fs.rmSync(jsonl);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  benchPipeline();
}

void main();

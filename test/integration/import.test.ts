import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseProject } from '../../src/core/project/parse';
import type { ProjectConfig } from '../../src/core/project/types';
import { importFiles, RecordHasher, recordHash } from '../../src/core/store/import';
import { createRng } from '../../src/core/util/random';
import { openSqliteStore } from '../../src/core/store/sqlite';
import type { Store } from '../../src/core/store/types';
import { CancelledError } from '../../src/core/util/errors';
import { spawnSync } from 'node:child_process';
import { CLI, collectExamples, REPO, requireBuild, tempDir } from './helpers';

function config(yaml: string): ProjectConfig {
  const r = parseProject(yaml);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

const BINARY = config('version: 1\ntask: binary\nlabel: y\nfeatures:\n  - {name: a, type: numeric}\n  - {name: t, type: text}\n');

describe('importing files into the store', function () {
  this.timeout(120000);
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = tempDir();
    store = await openSqliteStore(path.join(dir, '.mlloop', 'store.sqlite'));
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('repeated identical rows in one file are separate examples, yet re-importing adds nothing', async () => {
    const f = path.join(dir, 'r.csv');
    fs.writeFileSync(f, 'a,t,y\n1,hello,x\n1,hello,x\n2,bye,z\n');
    const first = await importFiles(store, BINARY, [f], { root: dir });
    assert.deepEqual([first.imported, first.duplicates], [3, 0]);
    const second = await importFiles(store, BINARY, [f], { root: dir });
    assert.deepEqual([second.imported, second.duplicates], [0, 3]);
    // The same record in another file is a duplicate of the first occurrence.
    const g = path.join(dir, 'g.csv');
    fs.writeFileSync(g, 'a,t,y\n2,bye,z\n3,new,x\n');
    const third = await importFiles(store, BINARY, [g], { root: dir });
    assert.deepEqual([third.imported, third.duplicates], [1, 1]);
    const stored = await collectExamples(store);
    assert.deepEqual(stored.map((e) => [e.source, e.sourceLine]), [['r.csv', 2], ['r.csv', 3], ['r.csv', 4], ['g.csv', 3]]);
  });

  it('RecordHasher gives exactly recordHash for any record (the hash format of every existing store), and the record\'s JSON.stringify', () => {
    const hasher = new RecordHasher();
    const rng = createRng(3);
    const values = ['1', 'x', '', 'é ü "q"\n\\', 'tab\there', '\u007f\u2028', '😀', '\ud800 lone', 'lone \udc00', 1, 0, -2.5, 1e21, true, false, null, undefined, { a: [1, { b: 'c' }] }, [1, 'two']];
    for (let i = 0; i < 500; i++) {
      // Mostly the same keys in the same order (CSV rows), sometimes others (JSON records).
      const keys = i % 7 === 0 ? ['z', 'a', 'Ω', 'a b', '__proto__'].slice(0, 1 + Math.floor(rng() * 5)) : ['b', 'a', 'c'];
      const record: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const k of keys) record[k] = values[Math.floor(rng() * values.length)];
      const occurrence = Math.floor(rng() * 3);
      assert.equal(RecordHasher.hash(hasher.canonical(record), occurrence), recordHash(record, occurrence), JSON.stringify(record));
      assert.equal(hasher.recordJson, JSON.stringify(record));
    }
    hasher.canonical({});
    assert.equal(hasher.recordJson, '{}');
    assert.equal(RecordHasher.hash(hasher.canonical({}), 0), recordHash({}, 0));
  });

  it('hashes records independently of key order', () => {
    assert.equal(recordHash({ a: 1, b: 'x' }, 0), recordHash({ b: 'x', a: 1 }, 0));
    assert.notEqual(recordHash({ a: 1 }, 0), recordHash({ a: 1 }, 1));
    assert.notEqual(recordHash({ a: 1 }, 0), recordHash({ a: '1' }, 0));
  });

  it('imports JSON in the {"samples": [...]} shape and JSONL with line numbers for bad records', async () => {
    const j = path.join(dir, 's.json');
    fs.writeFileSync(j, '{"samples": [\n  {"a": 1, "t": "x", "y": "p"},\n  {"a": "oops", "t": "x", "y": "q"},\n  {"a": 2, "t": "y", "y": "q"}\n]}\n');
    const l = path.join(dir, 's.jsonl');
    fs.writeFileSync(l, '{"a": 3, "t": "z", "y": "p"}\n{not json}\n\n{"a": 4, "t": "w"}\n');
    const r = await importFiles(store, BINARY, [j, l], { root: dir });
    assert.equal(r.imported, 3);
    assert.deepEqual(r.rejected.map((x) => `${x.file}:${x.line}`), ['s.json:3', 's.jsonl:2', 's.jsonl:4']);
    assert.match(r.rejected[0].reason, /'oops' is not a number/);
    assert.match(r.rejected[2].reason, /missing label 'y'/);
  });

  it('a cancelled import stores nothing and keeps what was there', async () => {
    const f = path.join(dir, 'r.csv');
    fs.writeFileSync(f, 'a,t,y\n' + Array.from({ length: 30000 }, (_, i) => `${i},w${i},${i % 2 ? 'x' : 'z'}`).join('\n'));
    const seed = path.join(dir, 'seed.csv');
    fs.writeFileSync(seed, 'a,t,y\n-1,seed,x\n');
    await importFiles(store, BINARY, [seed], { root: dir });
    const controller = new AbortController();
    await assert.rejects(
      importFiles(store, BINARY, [f], { root: dir, signal: controller.signal, onProgress: () => controller.abort() }),
      (e: unknown) => e instanceof CancelledError,
    );
    assert.equal(await store.countExamples(), 1);
  });

  it('`mlloop import` of a 1,000,000-row CSV imports every row at a peak RSS under 300 MB (memory does not grow with the data)', async function () {
    this.timeout(600000);
    requireBuild();
    const f = path.join(dir, 'big.csv');
    const out = fs.createWriteStream(f);
    out.write('a,y\n');
    for (let i = 0; i < 1_000_000; i++) {
      if (!out.write(`${i % 9973},${i % 3 ? 'x' : 'z'}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((r) => out.end(r));
    fs.writeFileSync(path.join(dir, 'mlloop.yaml'), 'version: 1\ntask: binary\nlabel: y\nfeatures:\n  - {name: a, type: numeric}\n');
    // The CLI in a child process of its own, which reports its own peak RSS on exit.
    const r = spawnSync(process.execPath, ['-r', path.join(REPO, 'bench', 'support', 'report-rss.cjs'), CLI, 'import', f, '--json'], { cwd: dir, encoding: 'utf8', timeout: 580000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout.trim());
    assert.equal(report.imported, 1_000_000);
    assert.equal(report.rejected_total, 0);
    const peakMb = Number(/@@maxrss_kb (\d+)/.exec(r.stderr)![1]) / 1024;
    const storeMb = fs.statSync(path.join(dir, '.mlloop', 'store.sqlite')).size / 1e6;
    process.stderr.write(`      (peak RSS ${peakMb.toFixed(0)} MB, store ${storeMb.toFixed(0)} MB)\n`);
    // The file is streamed into a staging file and the store writes pages. (Holding 1M parsed
    // rows as objects would take far more; sql.js, which kept the whole database in memory,
    // peaked at 1.2 GB here.)
    assert.ok(peakMb < 300, `peak RSS ${peakMb.toFixed(0)} MB for a ${storeMb.toFixed(0)} MB store`);
    const reopened = await openSqliteStore(path.join(dir, '.mlloop', 'store.sqlite'));
    assert.equal(await reopened.countExamples(), 1_000_000);
    await reopened.close();
  });
});

/**
 * The hot journal of a process killed inside an SQLite transaction: the store rolls it back
 * before its next unit of work (node-sqlite3-wasm would read the dead process's pages; see
 * src/core/store/sqliteJournal.ts). The "killed process" is built deterministically: a
 * connection with a tiny page cache spills a transaction's pages into the database file
 * (journal synced first, as at a commit), and the database, its journal and SQLite's lock
 * directory are copied while the transaction is open — what a kill -9 at that moment leaves.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Database } from 'node-sqlite3-wasm';
import { ingestInbox } from '../../src/core/loop/ingest';
import { openSqliteStore } from '../../src/core/store/sqlite';
import { rollBackHotJournal } from '../../src/core/store/sqliteJournal';
import type { PredictionInput } from '../../src/core/store/types';
import { collectLines, exited, fixtureChild } from './support/children';
import { line, loopProject } from './support/loopProject';

const prediction = (i: number): PredictionInput => ({
  id: `p${i}`,
  model: 'v1',
  time: '2026-11-30T10:00:00.000Z',
  input: { words: i, sender: `s${i % 7}`, pad: 'x'.repeat(300) },
  output: { label: 'yes', confidence: 0.75 },
  source: 'inbox/web.jsonl',
});

function integrity(file: string): string {
  const db = new Database(file);
  try {
    return String(db.get('PRAGMA integrity_check')!.integrity_check);
  } finally {
    db.close();
  }
}

describe('an SQLite store after a process died inside a transaction (hot journal)', () => {
  let dir: string;
  let live: string;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-journal-'));
    live = path.join(dir, 'live', 'store.sqlite');
    const store = await openSqliteStore(live, { purpose: 'journal test' });
    await store.unitOfWork(async (tx) => {
      await tx.addPredictions(Array.from({ length: 400 }, (_, i) => prediction(i)));
      await tx.setInboxFile({ name: 'web.jsonl', identity: 'a', offset: 1000, lines: 400, updatedAt: '2026-11-30T10:00:00Z' }, null);
    });
    await store.close();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Copies the store as a process killed in the middle of this transaction leaves it. */
  function killedMidTransaction(sql: string[]): string {
    const before = fs.readFileSync(live);
    const dead = path.join(dir, 'dead', 'store.sqlite');
    fs.mkdirSync(path.dirname(dead));
    const db = new Database(live);
    try {
      db.exec('PRAGMA cache_size = 2'); // spill: the journal is synced, then pages go to the file
      db.exec('BEGIN IMMEDIATE');
      for (const s of sql) db.exec(s);
      assert.ok(fs.existsSync(`${live}-journal`));
      assert.ok(!fs.readFileSync(live).equals(before), 'the transaction wrote to the database file before its commit');
      fs.copyFileSync(live, dead);
      fs.copyFileSync(`${live}-journal`, `${dead}-journal`);
      fs.mkdirSync(`${dead}.lock`); // SQLite's lock directory, left by the dead process
      db.exec('ROLLBACK');
    } finally {
      db.close();
    }
    return dead;
  }

  it('rolls it back before the next unit of work: the last committed state, integrity ok, no journal left', async () => {
    const dead = killedMidTransaction([
      "UPDATE predictions SET model_version = 'v2'",
      "DELETE FROM predictions WHERE id > 'p2'",
      "UPDATE inbox_files SET consumed = 99999, lines = 9999",
      `INSERT INTO predictions (id, model_version, time, input, output, label, source, ingested_at) SELECT 'q' || id, model_version, time, input, output, label, source, ingested_at FROM predictions`,
    ]);
    const store = await openSqliteStore(dead, { purpose: 'journal test' });
    try {
      assert.equal(await store.countPredictions(), 400);
      const got = await store.getPredictions(['p0', 'p399', 'qp0']);
      assert.deepEqual([...got.keys()].sort(), ['p0', 'p399']);
      assert.equal(got.get('p0')!.model, 'v1');
      const [state] = await store.getInboxFiles();
      assert.deepEqual([state.offset, state.lines], [1000, 400]);
      assert.equal(fs.existsSync(`${dead}-journal`), false);
      await store.addPredictions([prediction(400)]); // and it takes writes again
      assert.equal(await store.countPredictions(), 401);
    } finally {
      await store.close();
    }
    assert.equal(integrity(dead), 'ok');
  });

  it('a transaction that grew the file: cut back to its size before', async () => {
    const sizeBefore = fs.statSync(live).size;
    const dead = killedMidTransaction([`INSERT INTO predictions (id, model_version, time, input, output, label, source, ingested_at) SELECT 'q' || id, model_version, time, input || input || input, output, label, source, ingested_at FROM predictions`]);
    assert.ok(fs.statSync(dead).size > sizeBefore);
    fs.rmSync(`${dead}.lock`, { recursive: true });
    assert.equal(rollBackHotJournal(dead), 'rolled back');
    assert.equal(fs.statSync(dead).size, sizeBefore);
    assert.equal(integrity(dead), 'ok');
    assert.equal(rollBackHotJournal(dead), 'none');
  });

  it('a journal whose header was never synced (killed before the database was written) is removed, the database untouched', () => {
    const dead = killedMidTransaction(["UPDATE predictions SET model_version = 'v2'"]);
    fs.rmSync(`${dead}.lock`, { recursive: true });
    // What the file holds before its first sync: the header's magic and record count are zeros.
    const fd = fs.openSync(`${dead}-journal`, 'r+');
    fs.writeSync(fd, Buffer.alloc(12), 0, 12, 0);
    fs.closeSync(fd);
    const bytes = fs.readFileSync(dead);
    assert.equal(rollBackHotJournal(dead), 'removed');
    assert.ok(fs.readFileSync(dead).equals(bytes));
    assert.equal(fs.existsSync(`${dead}-journal`), false);
  });
});

describe('the inbox on SQLite, with the ingester killed between the page writes of a commit', function () {
  this.timeout(300_000);
  it('takes every line once across 12 such kills (without the rollback: a malformed store, or lines lost)', async () => {
    const p = await loopProject('sqlite');
    try {
      const text = Array.from({ length: 200 }, (_, i) => line.prediction(`p${i}`) + '\n').join('');
      fs.writeFileSync(path.join(p.inbox, 'web.jsonl'), text);
      for (let k = 1; k <= 12; k++) {
        // The k-th child dies after its (3 + 2k)-th page write: inside one of its first commits.
        const child = fixtureChild('torn-commit-ingest.ts', [p.root, p.location, String(3 + 2 * k)], p.env);
        const out = collectLines(child);
        let stderr = '';
        child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        await exited(child);
        assert.equal(child.signalCode, 'SIGKILL', `child ${k} was not killed mid-commit: ${out.join(' ')} ${stderr}`);
      }
      await ingestInbox(p.ctx, { batchLines: 50 });
      const have = await p.store.getPredictions(Array.from({ length: 200 }, (_, i) => `p${i}`));
      const missing = Array.from({ length: 200 }, (_, i) => `p${i}`).filter((id) => !have.has(id));
      assert.deepEqual(missing, [], 'predictions missing');
      assert.equal(await p.store.countPredictions(), 200);
      const [state] = await p.store.getInboxFiles();
      assert.deepEqual([state.offset, state.lines], [Buffer.byteLength(text), 200]);
    } finally {
      await p.dispose();
    }
  });
});

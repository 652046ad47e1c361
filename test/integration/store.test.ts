import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import initSqlJs from 'sql.js';
import { SqliteStore } from '../../src/core/store/sqlite';
import { acquireLock } from '../../src/core/store/fileio';
import { isUserError } from '../../src/core/util/errors';
import { createRng } from '../../src/core/util/random';

const FIXTURES = path.join(__dirname, 'fixtures');

function tsChild(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--require', 'tsx/cjs', path.join(FIXTURES, script), ...args], {
    cwd: path.join(__dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      const m = buf.match(pattern);
      if (m) {
        child.stdout!.off('data', onData);
        resolve(m[0]);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before printing ${pattern}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (c) => resolve(c))));
}

describe('sql.js store on disk', function () {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-store-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a writer killed at random moments never leaves a corrupt file; the last commit reopens intact', async function () {
    this.timeout(240000);
    const file = path.join(dir, 'store.sqlite');
    const rng = createRng(7);
    const rowsPerTx = 200;
    let totalKills = 0;
    let killedMidWrite = 0;
    for (let round = 0; round < 12; round++) {
      const child = tsChild('store-writer.ts', [file, `r${round}`, '100000', String(rowsPerTx)]);
      let committed = 0;
      child.stdout!.on('data', (d: Buffer) => {
        const all = [...d.toString().matchAll(/committed (\d+)/g)];
        if (all.length) committed = Number(all[all.length - 1][1]);
      });
      await waitForLine(child, /committed 1\n/);
      // Kill somewhere inside the write cycle (serialise, temp write, fsync, rename).
      await new Promise((r) => setTimeout(r, 20 + rng() * 400));
      const beforeKill = committed;
      child.kill('SIGKILL');
      await exited(child);
      totalKills++;
      if (fs.readdirSync(dir).some((f) => f.includes('.tmp-'))) killedMidWrite++;

      const store = await SqliteStore.open(file);
      const count = await store.countExamples();
      await store.close();
      // Only whole transactions are visible, and every commit the child reported is there.
      assert.equal(count % rowsPerTx, 0, `a partial transaction is visible (${count} rows)`);
      const SQL = await initSqlJs();
      const db = new SQL.Database(fs.readFileSync(file));
      assert.equal(db.exec('PRAGMA integrity_check')[0].values[0][0], 'ok');
      const mine = Number(db.exec(`SELECT count(*) FROM examples WHERE source = 'r${round}'`)[0].values[0][0]);
      db.close();
      assert.ok(mine >= beforeKill * rowsPerTx, `round ${round}: ${beforeKill} commits were reported but only ${mine / rowsPerTx} are stored`);
      assert.ok(mine <= (committed + 1) * rowsPerTx, 'more rows than transactions started');
    }
    assert.equal(totalKills, 12);
    // Evidence the test exercises the dangerous moment: some kills landed between the temp
    // file's creation and its rename.
    process.stderr.write(`      (${killedMidWrite} of ${totalKills} kills landed mid-write)\n`);
    // No temp files are left behind once a store is opened again.
    await (await SqliteStore.open(file)).close();
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.includes('.tmp-')), []);
  });

  it('two processes writing at once lose nothing (writes are serialised by the lock and reload)', async function () {
    this.timeout(120000);
    const file = path.join(dir, 'store.sqlite');
    await (await SqliteStore.open(file)).close();
    const a = tsChild('store-writer.ts', [file, 'a', '25', '10']);
    const b = tsChild('store-writer.ts', [file, 'b', '25', '10']);
    assert.equal(await exited(a), 0);
    assert.equal(await exited(b), 0);
    const store = await SqliteStore.open(file);
    assert.equal(await store.countExamples(), 500);
    await store.close();
  });

  it('a writer that cannot get the lock gets a clear error naming the holder, and the store is unchanged', async function () {
    this.timeout(60000);
    const file = path.join(dir, 'store.sqlite');
    const store = await SqliteStore.open(file, { lockTimeoutMs: 300 });
    await store.addExamples([[{ source: 't', label: 'a', record: { x: 1 }, hash: 'h1' }]]);
    const holder = tsChild('lock-holder.ts', [`${file}.lock`]);
    try {
      await waitForLine(holder, /locked/);
      await assert.rejects(
        store.addExamples([[{ source: 't', label: 'b', record: { x: 2 }, hash: 'h2' }]]),
        (e: unknown) => isUserError(e) && /busy: process \d+ \(lock-holder test\)/.test((e as Error).message),
      );
    } finally {
      holder.kill('SIGKILL');
      await exited(holder);
    }
    // The holder died without releasing: its stale lock is taken over.
    await store.addExamples([[{ source: 't', label: 'b', record: { x: 2 }, hash: 'h2' }]]);
    assert.equal(await store.countExamples(), 2);
    await store.close();
  });

  it('sees another process\'s committed writes on the next read', async () => {
    const file = path.join(dir, 'store.sqlite');
    const a = await SqliteStore.open(file);
    const b = await SqliteStore.open(file);
    await a.addExamples([[{ source: 't', label: 'a', record: { x: 1 }, hash: 'h1' }]]);
    assert.equal(await b.countExamples(), 1);
    const run = await b.createRun({ config: {}, configHash: 'c' });
    assert.equal((await a.getRun(run))?.status, 'running');
    await a.close();
    await b.close();
  });

  it('refuses a file that is not a store, without touching it', async () => {
    const file = path.join(dir, 'store.sqlite');
    fs.writeFileSync(file, 'not a database, just text that is long enough to have a header....................................');
    const before = fs.readFileSync(file);
    await assert.rejects(SqliteStore.open(file), (e: unknown) => isUserError(e) && /not an ML Loop store/.test((e as Error).message));
    assert.deepEqual(fs.readFileSync(file), before);
  });

  it('refuses a store written by a newer schema', async () => {
    const file = path.join(dir, 'store.sqlite');
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    db.exec('PRAGMA user_version = 99');
    fs.writeFileSync(file, db.export());
    await assert.rejects(SqliteStore.open(file), /newer ML Loop/);
  });

  it('releases the lock when a transaction fails, and stores nothing of it', async () => {
    const file = path.join(dir, 'store.sqlite');
    const store = await SqliteStore.open(file);
    async function* failing() {
      yield [{ source: 't', label: 'a', record: {}, hash: 'x1' }];
      throw new Error('boom');
    }
    await assert.rejects(store.addExamples(failing()), /boom/);
    assert.equal(fs.existsSync(`${file}.lock`), false);
    assert.equal(await store.countExamples(), 0);
    const release = await acquireLock(`${file}.lock`, { timeoutMs: 100 });
    release();
    await store.close();
  });
});

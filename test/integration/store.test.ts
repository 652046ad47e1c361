/**
 * The embedded store on disk (node-sqlite3-wasm): kills at random moments, the lock a killed
 * process leaves behind, two processes at once, files that are not stores, a full disk, a
 * symlinked store, and a store written by ML Loop 0.1 (sql.js). The Store API itself is
 * checked against both engines in store-contract.test.ts.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Database } from 'node-sqlite3-wasm';
import { SQLITE_MIGRATIONS } from '../../src/core/store/migrations';
import { mlloopLockFile, openSqliteStore } from '../../src/core/store/sqlite';
import { acquireLock } from '../../src/core/store/lock';
import { writeRunReport } from '../../src/core/jobs/report';
import { projectPaths } from '../../src/core/project/workspace';
import { isUserError } from '../../src/core/util/errors';
import { createRng } from '../../src/core/util/random';
import { CLI, collectExamples, mlloop, mountTmpfs, REPO, requireBuild, tempDir, unmount } from './helpers';

const FIXTURES = path.join(__dirname, 'fixtures');

function tsChild(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--require', 'tsx/cjs', path.join(FIXTURES, script), ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
}

function cliChild(cwd: string, args: string[]): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
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
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once('exit', (c) => resolve(c))));
}

/** PRAGMA integrity_check through a separate connection (not the store's code). */
function integrity(file: string): string {
  fs.rmSync(`${file}.lock`, { recursive: true, force: true }); // only after every writer is dead
  const db = new Database(file);
  try {
    return String(db.get('PRAGMA integrity_check')!.integrity_check);
  } finally {
    db.close();
  }
}

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('the embedded SQLite store on disk', function () {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('mlloop-store-');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('survives 40 kill -9 of a writer at random moments: integrity ok, every reported commit there, no half transaction, no lock that blocks', async function () {
    this.timeout(300000);
    const file = path.join(dir, '.mlloop', 'store.sqlite');
    const rng = createRng(7);
    const rowsPerTx = 150;
    let locksLeft = 0;
    let journalsLeft = 0;
    for (let round = 0; round < 40; round++) {
      const child = tsChild('store-writer.ts', [file, `r${round}`, '100000', String(rowsPerTx)]);
      let committed = 0;
      child.stdout!.on('data', (d: Buffer) => {
        const all = [...d.toString().matchAll(/committed (\d+)/g)];
        if (all.length) committed = Number(all[all.length - 1][1]);
      });
      await waitForLine(child, /committed 1\n/);
      await new Promise((r) => setTimeout(r, rng() * 250));
      const reported = committed;
      child.kill('SIGKILL');
      await exited(child);
      if (fs.existsSync(`${file}.lock`)) locksLeft++;
      if (fs.existsSync(`${file}-journal`)) journalsLeft++;

      // The next process opens without help: the stale locks are recovered, the journal rolled back.
      const store = await openSqliteStore(file, { lockTimeoutMs: 5000 });
      const mine = await store.countExamples({ sources: [`r${round}`] });
      const total = await store.countExamples();
      await store.close();
      assert.equal(total % rowsPerTx, 0, `a partial transaction is visible (${total} rows)`);
      assert.ok(mine >= reported * rowsPerTx, `round ${round}: ${reported} commits were reported but only ${mine / rowsPerTx} are stored`);
      assert.ok(mine <= (committed + 1) * rowsPerTx, 'more rows than transactions started');
    }
    assert.equal(integrity(file), 'ok');
    // Evidence the kills landed inside transactions, where the dangerous leftovers are made.
    process.stderr.write(`      (${locksLeft} of 40 kills left SQLite's lock directory, ${journalsLeft} a hot journal)\n`);
    assert.ok(locksLeft > 0, 'no kill landed inside a transaction: the test did not exercise recovery');
  });

  it('survives 12 kill -9 of `mlloop import` (staged, all or nothing) and of `mlloop train` (model, run and files together or not at all)', async function () {
    this.timeout(300000);
    requireBuild();
    const project = dir;
    const rows = 12000;
    const lines = ['a,b,c,y'];
    const rng = createRng(11);
    for (let i = 0; i < rows; i++) lines.push(`${(rng() * 10).toFixed(3)},${(rng() * 5).toFixed(3)},${i % 7},${rng() < 0.5 ? 'p' : 'q'}`);
    fs.writeFileSync(path.join(project, 'big.csv'), lines.join('\n') + '\n');
    fs.writeFileSync(
      path.join(project, 'mlloop.yaml'),
      'version: 1\ntask: binary\nlabel: y\nfeatures:\n  - {name: a, type: numeric}\n  - {name: b, type: numeric}\n  - {name: c, type: categorical}\n' +
        'data:\n  sources:\n    - path: big.csv\nmodel: {type: logistic}\ntraining: {epochs: 8, batchSize: 256}\nevaluation: {bootstrap: 50, importanceRepeats: 0}\n',
    );
    const file = path.join(project, '.mlloop', 'store.sqlite');
    let importsLanded = 0;
    let trainsLanded = 0;
    // How long one import and one training take here (the machine may be loaded): the kills
    // below land anywhere from early on to just after the end, so some interrupt the commit.
    const t0 = performance.now();
    assert.equal(mlloop(project, ['import', '--quiet']).code, 0);
    const importMs = performance.now() - t0;
    const t1 = performance.now();
    assert.equal(mlloop(project, ['train', '--quiet', '--backend', 'wasm']).code, 0);
    const trainMs = performance.now() - t1;
    // trains: a killed run is interrupted and has no model, or completed with its model and files.
    for (let round = 0; round < 6; round++) {
      const child = cliChild(project, ['train', '--quiet', '--backend', 'wasm']);
      await new Promise((r) => setTimeout(r, trainMs * (0.4 + 1.4 * rng())));
      child.kill('SIGKILL');
      await exited(child);
      const store = await openSqliteStore(file, { lockTimeoutMs: 5000 });
      const runs = await store.listRuns();
      const models = await store.listModels();
      for (const run of runs) {
        assert.ok(run.status === 'completed' || run.status === 'interrupted', `run ${run.id} is ${run.status}`);
        const model = models.find((m) => m.runId === run.id);
        if (run.status === 'completed') {
          assert.ok(model, `completed run ${run.id} has no model`);
          assert.equal(run.modelVersion, model!.version);
          assert.ok((await store.getModelFiles(model!.version)).length >= 5, 'the model has its files in the store');
          assert.ok((await store.listEpochs(run.id)).length > 0);
        } else assert.equal(model, undefined, `interrupted run ${run.id} has a model`);
      }
      trainsLanded = runs.filter((r) => r.status === 'completed').length - 1;
      await store.close();
    }
    // imports: each killed import adds all its rows or none.
    for (let round = 1; round <= 6; round++) {
      // Each round's file has a column r of its own, so all its rows are new.
      fs.writeFileSync(path.join(project, 'big.csv'), lines.map((l, i) => (i === 0 ? `${l},r` : `${l},${round}`)).join('\n') + '\n');
      const child = cliChild(project, ['import', '--quiet']);
      await new Promise((r) => setTimeout(r, importMs * (0.4 + 1.4 * rng())));
      child.kill('SIGKILL');
      await exited(child);
      const store = await openSqliteStore(file, { lockTimeoutMs: 5000 });
      const n = await store.countExamples();
      await store.close();
      assert.equal(n % rows, 0, `a killed import left ${n} rows (not a multiple of ${rows})`);
      importsLanded = n / rows - 1;
    }
    const ok = mlloop(project, ['import', '--json']);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    process.stderr.write(`      (import ${importMs.toFixed(0)} ms, train ${trainMs.toFixed(0)} ms; ${importsLanded} of 6 killed imports had committed, ${trainsLanded} of 6 killed trainings had completed)\n`);
    assert.equal(integrity(file), 'ok');
    // Whatever the kills left, the next commands work and a killed run's version is not reused.
    const after = mlloop(project, ['train', '--json', '--backend', 'wasm']);
    assert.equal(after.code, 0, after.stdout + after.stderr);
    const versions = mlloop(project, ['models', '--json']).json.models.map((m: { version: string }) => m.version);
    assert.equal(new Set(versions).size, versions.length);
  });

  it('never removes the lock of a live process: a second writer waits, names the holder, and the store is unchanged', async function () {
    this.timeout(60000);
    const file = path.join(dir, 'store.sqlite');
    const store = await openSqliteStore(file, { lockTimeoutMs: 600 });
    await store.addExamples([[{ source: 't', label: 'a', record: { x: 1 }, hash: 'h1' }]]);
    const holder = tsChild('lock-holder.ts', [file]);
    try {
      await waitForLine(holder, /holding/);
      await assert.rejects(
        store.addExamples([[{ source: 't', label: 'b', record: { x: 2 }, hash: 'h2' }]]),
        (e: unknown) => isUserError(e) && /busy: process \d+ \(lock-holder test\)/.test((e as Error).message),
      );
      await assert.rejects(store.countExamples(), (e: unknown) => isUserError(e) && /busy/.test((e as Error).message));
      assert.ok(fs.statSync(`${file}.lock`).isDirectory(), "the live holder's SQLite lock is still there");
    } finally {
      holder.kill('SIGKILL');
      await exited(holder);
    }
    // The holder died inside its transaction: both locks are stale now, and its row was never committed.
    assert.ok(fs.existsSync(`${file}.lock`) && fs.existsSync(mlloopLockFile(file)));
    await store.addExamples([[{ source: 't', label: 'b', record: { x: 2 }, hash: 'h2' }]]);
    assert.equal(await store.countExamples(), 2);
    assert.deepEqual(await store.listRuns(), [], "the killed holder's uncommitted run is not there");
    assert.equal(fs.existsSync(`${file}.lock`), false, 'SQLite released its lock directory');
    await store.close();
  });

  it('two processes writing at once lose nothing', async function () {
    this.timeout(120000);
    const file = path.join(dir, 'store.sqlite');
    await (await openSqliteStore(file)).close();
    const a = tsChild('store-writer.ts', [file, 'a', '40', '10']);
    const b = tsChild('store-writer.ts', [file, 'b', '40', '10']);
    assert.equal(await exited(a), 0);
    assert.equal(await exited(b), 0);
    const store = await openSqliteStore(file);
    assert.equal(await store.countExamples(), 800);
    await store.close();
  });

  it('an import holds the lock only to copy its rows in: a one-row writer is not kept waiting while a large file is read', async function () {
    this.timeout(120000);
    const file = path.join(dir, 'store.sqlite');
    const store = await openSqliteStore(file, { lockTimeoutMs: 2000 });
    const other = await openSqliteStore(file, { lockTimeoutMs: 2000 });
    // A slow source: 40 batches, 100 ms apart (a large file being parsed).
    async function* slow() {
      for (let b = 0; b < 40; b++) {
        await new Promise((r) => setTimeout(r, 100));
        yield Array.from({ length: 100 }, (_, i) => ({ source: 'slow', label: 'a', record: { b, i }, hash: `s-${b}-${i}` }));
      }
    }
    const importing = store.addExamples(slow());
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 300));
      const t = performance.now();
      await other.addExamples([[{ source: 'one', label: 'b', record: { i }, hash: `one-${i}` }]]);
      waits.push(performance.now() - t);
    }
    assert.deepEqual(await importing, { inserted: 4000, duplicates: 0 });
    assert.equal(await other.countExamples({ sources: ['one'] }), 10);
    // Every one-row write got through during the 4 s import (the 2 s lock timeout would have failed them otherwise).
    assert.equal(waits.length, 10);
    await store.close();
    await other.close();
  });

  it('refuses files that are not a store, empty or truncated, naming the file and touching nothing', async () => {
    const file = path.join(dir, 'store.sqlite');
    const cases: Array<[string, Buffer | string, RegExp]> = [
      ['text', 'not a database, just text that is long enough to have a header....................................................', /is not an SQLite database/],
      ['empty', '', /is empty \(0 bytes\)/],
    ];
    const honest = /run history and model list: they stay in the moved file .* are kept, and no model version or run id is ever reused/;
    for (const [what, content, message] of cases) {
      fs.writeFileSync(file, content);
      const before = sha(file);
      await assert.rejects(openSqliteStore(file), (e: unknown) => isUserError(e) && message.test((e as Error).message) && honest.test((e as Error).message) && (e as Error).message.includes(file), what);
      assert.equal(sha(file), before, `${what}: the file was changed`);
    }
    // A real store, cut in half.
    fs.rmSync(file);
    const s = await openSqliteStore(file);
    await s.addExamples([Array.from({ length: 3000 }, (_, i) => ({ source: 't', label: 'a', record: { i, pad: 'x'.repeat(100) }, hash: `h${i}` }))]);
    await s.close();
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
    const before = sha(file);
    await assert.rejects(openSqliteStore(file), (e: unknown) => isUserError(e) && /is truncated/.test((e as Error).message) && honest.test((e as Error).message));
    assert.equal(sha(file), before);
  });

  it('a store damaged in the middle gives a clear error naming the file (not "internal error"), with advice that keeps the models', async () => {
    requireBuild();
    const project = dir;
    fs.writeFileSync(path.join(project, 'mlloop.yaml'), 'version: 1\ntask: binary\nlabel: y\nfeatures:\n  - {name: a, type: numeric}\n');
    const csv = ['a,y', ...Array.from({ length: 4000 }, (_, i) => `${i},${i % 2 ? 'p' : 'q'}`)].join('\n');
    fs.writeFileSync(path.join(project, 'd.csv'), csv);
    assert.equal(mlloop(project, ['import', 'd.csv']).code, 0);
    const file = path.join(project, '.mlloop', 'store.sqlite');
    // Overwrite pages in the middle with garbage (header intact, size intact).
    const fd = fs.openSync(file, 'r+');
    const size = fs.fstatSync(fd).size;
    fs.writeSync(fd, crypto.randomBytes(4096 * 3), 0, 4096 * 3, Math.floor(size / 4096 / 2) * 4096);
    fs.closeSync(fd);
    const r = mlloop(project, ['train', '--json']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.json.error.message, /store .*store\.sqlite is damaged/);
    assert.match(r.json.error.message, /without that store's examples, run history and model list: they stay in the moved file/);
    assert.match(r.json.error.message, /model folders in .* are kept, and no model version or run id is ever reused/);
    assert.equal(r.json.error.file, file);
    assert.doesNotMatch(r.stderr, /internal error|at .*\.js:\d+/);
  });

  it('a full disk gives a clear error and leaves the store exactly as it was (a 2 MB tmpfs)', async function () {
    this.timeout(60000);
    const mnt = path.join(dir, 'small');
    if (!mountTmpfs(mnt, '2m')) this.skip();
    const file = path.join(mnt, 'store.sqlite');
    const store = await openSqliteStore(file);
    try {
      await store.addExamples([Array.from({ length: 500 }, (_, i) => ({ source: 'before', label: 'a', record: { i, pad: 'x'.repeat(200) }, hash: `b${i}` }))]);
      const before = sha(file);
      const big = Array.from({ length: 20000 }, (_, i) => ({ source: 'big', label: 'a', record: { i, pad: 'y'.repeat(300) }, hash: `g${i}` }));
      await assert.rejects(
        store.addExamples([big.slice(0, 1000), big.slice(1000)]),
        (e: unknown) => isUserError(e) && /disk .* is full/.test((e as Error).message) && (e as Error).message.includes(file),
      );
      // Also a small write (no staging file): the journal write fails.
      const fill = path.join(mnt, 'fill');
      try {
        fs.writeFileSync(fill, Buffer.alloc(4 * 1024 * 1024));
      } catch {
        /* filled up */
      }
      await assert.rejects(store.createRun({ config: { x: 'y'.repeat(50000) }, configHash: 'c' }), (e: unknown) => isUserError(e) && /is full/.test((e as Error).message));
      fs.rmSync(fill, { force: true });
      assert.equal(await store.countExamples(), 500);
      await store.close();
      assert.equal(sha(file), before, 'the store file changed');
      assert.deepEqual(fs.readdirSync(path.join(mnt, 'tmp')), [], 'a staging file was left behind');
    } finally {
      await store.close();
      unmount(mnt);
    }
  });

  it('writes a symlinked store through its link (the link and the file keep their owner and mode)', async () => {
    const real = path.join(dir, 'elsewhere', 'team.sqlite');
    fs.mkdirSync(path.dirname(real), { recursive: true });
    const link = path.join(dir, '.mlloop', 'store.sqlite');
    fs.mkdirSync(path.dirname(link));
    fs.symlinkSync(real, link);
    const s = await openSqliteStore(link);
    await s.addExamples([[{ source: 't', label: 'a', record: { x: 1 }, hash: 'h1' }]]);
    await s.close();
    fs.chmodSync(real, 0o640);
    const s2 = await openSqliteStore(link);
    await s2.addExamples([[{ source: 't', label: 'b', record: { x: 2 }, hash: 'h2' }]]);
    assert.equal(await s2.countExamples(), 2);
    await s2.close();
    assert.ok(fs.lstatSync(link).isSymbolicLink(), 'the link was replaced by a file');
    assert.equal(fs.statSync(real).mode & 0o777, 0o640);
    // The journal and locks live beside the real file, so every path to it shares them.
    assert.equal(fs.existsSync(path.join(dir, '.mlloop', 'store.sqlite.mlloop-lock')), false);
  });

  it('opens, migrates in place and keeps using a project written by ML Loop 0.1 (sql.js store, v1 bundle)', async function () {
    this.timeout(120000);
    requireBuild();
    const project = path.join(dir, 'legacy');
    fs.cpSync(path.join(FIXTURES, 'legacy-0.1'), project, { recursive: true });
    const weightsBefore = sha(path.join(project, '.mlloop', 'models', 'v1', 'weights.bin'));
    const runs = mlloop(project, ['runs', '--json']);
    assert.equal(runs.code, 0, runs.stderr);
    assert.equal(runs.json.runs.length, 1);
    assert.equal(runs.json.runs[0].status, 'completed');
    const store = await openSqliteStore(path.join(project, '.mlloop', 'store.sqlite'));
    assert.equal(await store.schemaVersion(), SQLITE_MIGRATIONS.length, 'migrated to the current schema');
    const examples = await collectExamples(store);
    assert.equal(examples.length, 150);
    assert.ok(examples.every((e) => e.eventTime === e.importedAt), 'old rows get their import time as event time');
    await store.close();
    const ev = mlloop(project, ['evaluate', '--json']);
    assert.equal(ev.code, 0, ev.stderr);
    assert.equal(ev.json.model, 'v1');
    assert.equal(ev.json.n, 30);
    const p = mlloop(project, ['predict', '--json'], '{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}');
    assert.equal(p.code, 0, p.stderr);
    assert.equal(p.json.model, 'v1');
    const t = mlloop(project, ['train', '--json']);
    assert.equal(t.code, 0, t.stderr);
    assert.equal(t.json.model, 'v2');
    assert.equal(sha(path.join(project, '.mlloop', 'models', 'v1', 'weights.bin')), weightsBefore, 'the old bundle was touched');
  });

  it('never reuses a version: after the store is moved aside, the next model is v2 and models/v1 is untouched', async function () {
    this.timeout(120000);
    requireBuild();
    const project = path.join(dir, 'p');
    fs.cpSync(path.join(FIXTURES, 'legacy-0.1'), project, { recursive: true });
    fs.rmSync(path.join(project, '.mlloop', 'store.sqlite'));
    const v1 = sha(path.join(project, '.mlloop', 'models', 'v1', 'card.json'));
    assert.equal(mlloop(project, ['import']).code, 0);
    const t = mlloop(project, ['train', '--json']);
    assert.equal(t.code, 0, t.stderr);
    assert.equal(t.json.run, 2, 'run ids continue above the run that made models/v1 (its card says run 1)');
    assert.equal(t.json.model, 'v2', 'and so does the version');
    assert.equal(sha(path.join(project, '.mlloop', 'models', 'v1', 'card.json')), v1);
    // A bundle folder deleted by hand is written again from the store's copy, byte for byte.
    const folder = path.join(project, '.mlloop', 'models', 'v2');
    const weights = sha(path.join(folder, 'weights.bin'));
    fs.rmSync(folder, { recursive: true });
    const p = mlloop(project, ['predict', '--json'], '{"sepal_length": 6.5, "sepal_width": 3.0, "petal_length": 5.5, "petal_width": 2.0}');
    assert.equal(p.code, 0, p.stderr);
    assert.equal(sha(path.join(folder, 'weights.bin')), weights);
  });

  it('never reuses a run id or overwrites a report: after the store is moved aside (or reset), runs continue above the reports and bundles on disk', async function () {
    this.timeout(180000);
    requireBuild();
    const project = path.join(dir, 'runs');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'mlloop.yaml'), 'version: 1\ntask: binary\nlabel: y\nfeatures:\n  - {name: a, type: numeric}\nmodel: {type: logistic}\ntraining: {epochs: 2}\n');
    fs.writeFileSync(path.join(project, 'd.csv'), ['a,y', ...Array.from({ length: 200 }, (_, i) => `${i},${i % 2 ? 'p' : 'q'}`)].join('\n'));
    const reports = path.join(project, '.mlloop', 'reports');
    const store = path.join(project, '.mlloop', 'store.sqlite');
    assert.equal(mlloop(project, ['import', 'd.csv']).code, 0);
    for (const run of [1, 2]) {
      const t = mlloop(project, ['train', '--json']);
      assert.equal(t.code, 0, t.stderr);
      assert.equal(t.json.run, run);
    }
    const before = { 1: sha(path.join(reports, 'run-1.html')), 2: sha(path.join(reports, 'run-2.html')) };
    // Moved aside: the new store has no runs, but the reports say 1 and 2 were made.
    fs.renameSync(store, `${store}.old`);
    assert.equal(mlloop(project, ['import', 'd.csv']).code, 0);
    const t3 = mlloop(project, ['train', '--json']);
    assert.equal(t3.code, 0, t3.stderr);
    assert.equal(t3.json.run, 3);
    assert.equal(t3.json.model, 'v3');
    assert.equal(t3.json.report, path.join(reports, 'run-3.html'));
    assert.deepEqual({ 1: sha(path.join(reports, 'run-1.html')), 2: sha(path.join(reports, 'run-2.html')) }, before, 'an earlier run\'s report was overwritten');
    // Reset again with the reports moved away too: the bundle cards still name run 3.
    fs.rmSync(store);
    fs.renameSync(reports, `${reports}.old`);
    assert.equal(mlloop(project, ['import', 'd.csv']).code, 0);
    const t4 = mlloop(project, ['train', '--json']);
    assert.equal(t4.code, 0, t4.stderr);
    assert.equal(t4.json.run, 4);
    assert.equal(t4.json.model, 'v4');
  });

  it('the report writer refuses to overwrite the report of another run with the same id, and rewrites its own', async () => {
    const paths = projectPaths(dir);
    const store = await openSqliteStore(path.join(dir, '.mlloop', 'store.sqlite'));
    try {
      const id = await store.createRun({ config: { task: 'binary', label: 'y', features: [], name: 'p' }, configHash: 'h' });
      const file = await writeRunReport(store, paths, id, 'p');
      assert.match(fs.readFileSync(file, 'utf8'), new RegExp(`<meta name="mlloop-run" content="${id} `));
      assert.equal(await writeRunReport(store, paths, id, 'p'), file, 'its own report is rewritten');
      // The report of another run 1 (an earlier store's, written before reports carried the meta).
      const foreign = '<!doctype html><title>p — run 1</title><time datetime="2020-01-01T00:00:00.000Z">2020-01-01T00:00:00.000Z</time>';
      fs.writeFileSync(file, foreign);
      await assert.rejects(writeRunReport(store, paths, id, 'p'), (e: unknown) => isUserError(e) && /holds the report of another run 1 .*never overwrites/.test((e as Error).message) && (e as Error).message.includes(file));
      assert.equal(fs.readFileSync(file, 'utf8'), foreign);
    } finally {
      await store.close();
    }
  });

  it('a lock file left by a killed ML Loop lock-taker is taken over; one from another host is waited for and named', async () => {
    const file = path.join(dir, 'x.lock');
    fs.writeFileSync(file, JSON.stringify({ pid: 999999, host: os.hostname(), start: null, token: 't', command: 'dead', since: new Date().toISOString() }));
    const release = await acquireLock(file, { timeoutMs: 1000 });
    release();
    assert.equal(fs.existsSync(file), false);
    fs.writeFileSync(file, JSON.stringify({ pid: 1, host: 'another-host', start: null, token: 't', command: 'mlloop retrain', since: '2026-12-01T00:00:00.000Z' }));
    await assert.rejects(acquireLock(file, { timeoutMs: 200 }), (e: unknown) => isUserError(e) && /process 1 \(mlloop retrain\) on another-host/.test((e as Error).message));
    assert.ok(fs.existsSync(file), 'a lock of another host is never removed');
  });

  it('refuses a store written by a newer schema', async () => {
    const file = path.join(dir, 'store.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE x (a); PRAGMA user_version = 99');
    db.close();
    await assert.rejects(openSqliteStore(file), /newer ML Loop/);
  });
});

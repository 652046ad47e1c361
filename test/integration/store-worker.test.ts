import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { projectPaths } from '../../src/core/project/workspace';
import { StoreClient } from '../../src/worker/storeClient';
import { openSqliteStore } from '../../src/core/store/sqlite';
import { spawn } from 'node:child_process';
import { copyExample, mlloop, REPO, requireBuild } from './helpers';

describe('the store worker the extension reads through', function () {
  this.timeout(120000);
  const script = path.join(REPO, 'dist', 'storeWorker.js');
  let dir: string;
  let client: StoreClient;
  before(() => {
    requireBuild();
    dir = copyExample('iris');
    client = new StoreClient(script, dir);
  });
  after(async () => {
    await client.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers null while there is no store, without creating one', async () => {
    assert.equal(await client.request({ method: 'summary' }), null);
    assert.equal(fs.existsSync(projectPaths(dir).storeFile), false);
  });

  it('sees what another process writes: imports, runs with epochs, models', async () => {
    mlloop(dir, ['import']);
    let summary = await client.request({ method: 'summary' });
    assert.equal(summary?.examples, 150);
    assert.equal(summary?.examplesSinceLastRun, 150);
    assert.equal(summary?.runs.length, 0);
    const trained = mlloop(dir, ['train', '--json']).json;
    summary = await client.request({ method: 'summary' });
    assert.equal(summary?.runs[0].id, trained.run);
    assert.equal(summary?.runs[0].status, 'completed');
    assert.equal(summary?.models[0].version, trained.model);
    assert.equal(summary?.examplesSinceLastRun, 0);
    const detail = await client.request({ method: 'runWithEpochs', runId: trained.run });
    assert.ok(detail, 'the run is found');
    assert.ok(detail.epochs.length > 0);
    assert.deepEqual(detail.epochs.map((e) => e.epoch), Array.from({ length: detail.epochs.length }, (_, i) => i + 1));
    assert.ok((detail.run.details as { evaluation?: unknown }).evaluation, 'the run carries its evaluation');
    assert.equal(await client.request({ method: 'runWithEpochs', runId: 999 }), null);
  });

  it('keeps answering while two CLIs import and train at once, and every row they wrote is there', async function () {
    this.timeout(240000);
    // Two more files of distinct rows, imported by two CLI processes at the same time, while
    // a third trains and the worker reads and deletes runs (its writes).
    const extra = (name: string, offset: number) => {
      const rows = ['sepal_length,sepal_width,petal_length,petal_width,species'];
      for (let i = 0; i < 3000; i++) rows.push(`${(4 + ((i + offset) % 40) / 10).toFixed(1)},${(2 + (i % 20) / 10).toFixed(1)},${(1 + (i % 50) / 10).toFixed(1)},${((i % 25) / 10).toFixed(1)},${['setosa', 'versicolor', 'virginica'][i % 3]}`);
      const file = path.join(dir, name);
      fs.writeFileSync(file, rows.join('\n') + '\n');
      return file;
    };
    const a = extra('a.csv', 0);
    const b = extra('b.csv', 7);
    const spawnCli = (args: string[]) => new Promise<number>((resolve) => spawn(process.execPath, [path.join(REPO, 'dist', 'cli.js'), ...args], { cwd: dir, stdio: 'ignore' }).on('exit', (c) => resolve(c ?? -1)));
    const before = (await client.request({ method: 'summary' }))!.examples;
    const jobs = [spawnCli(['import', a, '--quiet']), spawnCli(['import', b, '--quiet']), spawnCli(['train', '--quiet'])];
    let done = false;
    void Promise.all(jobs).then(() => (done = true));
    let answers = 0;
    while (!done) {
      const s = await client.request({ method: 'summary' });
      assert.ok(s, 'the worker answered');
      answers++;
      const failed = s.runs.find((r) => r.status !== 'completed' && r.status !== 'running');
      if (failed) await client.request({ method: 'deleteRun', runId: failed.id });
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(await Promise.all(jobs), [0, 0, 0]);
    const after = (await client.request({ method: 'summary' }))!;
    assert.ok(answers > 3, `the worker answered only ${answers} times`);
    // Each file's 3000 rows are new except the ones that repeat a row of iris or of the other file.
    const store = await openSqliteStore(projectPaths(dir).storeFile);
    const bySource = { a: await store.countExamples({ sources: ['a.csv'] }), b: await store.countExamples({ sources: ['b.csv'] }) };
    await store.close();
    assert.equal(after.examples, before + bySource.a + bySource.b);
    assert.ok(bySource.a > 0 && bySource.b > 0);
  });

  it('deletes a run', async () => {
    const before = await client.request({ method: 'summary' });
    await client.request({ method: 'deleteRun', runId: before!.runs[0].id });
    const after = await client.request({ method: 'summary' });
    assert.equal(after!.runs.length, before!.runs.length - 1);
  });

  it('ends a worker only after the requests under way, with its store closed: the next worker of this process takes the store at once', async () => {
    // A worker ended inside a transaction would leave ML Loop's lock stamped with this (live)
    // process: the next worker would wait 15 s and give up with "the store is busy".
    const closing = new StoreClient(script, dir);
    await closing.request({ method: 'summary' });
    const runs = (await closing.request({ method: 'summary' }))!.runs;
    const deleting = closing.request({ method: 'deleteRun', runId: runs[0].id });
    const disposed = closing.dispose();
    await deleting; // answered, not cut off by the thread's end
    await disposed;
    const next = new StoreClient(script, dir);
    try {
      const started = Date.now();
      const after = await next.request({ method: 'summary' });
      assert.equal(after!.runs.length, runs.length - 1);
      assert.ok(!after!.runs.some((r) => r.id === runs[0].id));
      await next.request({ method: 'deleteRun', runId: after!.runs[0]?.id ?? -1 });
      assert.ok(Date.now() - started < 10_000, `the next worker waited ${Date.now() - started} ms for the store`);
    } finally {
      await next.dispose();
    }
  });
});

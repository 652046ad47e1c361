/**
 * The loop's jobs as the extension runs them: in the job worker (dist/worker.js), on a real
 * iris project, with real training — retrain (the first champion, then a rejection), promote
 * through the gate and forced, rollback, and the watcher that runs the schedule (a fine-tune
 * once enough new labels arrived) until it is cancelled. The store worker then reports what
 * the views show: the champion, the history, the cycles and the labels since the last cycle.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runJobInWorker } from '../../src/worker/client';
import type { JobEvent } from '../../src/worker/protocol';
import { StoreClient } from '../../src/worker/storeClient';
import { copyExample, mlloop, REPO, requireBuild, WORKER } from './helpers';

/** `n` iris-like rows no stored row repeats (so each counts as a new label). */
function writeNewRows(dir: string, name: string, n: number, offset: number): string {
  const species = ['setosa', 'versicolor', 'virginica'];
  const rows = ['sepal_length,sepal_width,petal_length,petal_width,species'];
  for (let i = 0; i < n; i++) {
    const s = species[i % 3];
    const base = s === 'setosa' ? [5.0, 3.4, 1.5, 0.2] : s === 'versicolor' ? [5.9, 2.8, 4.3, 1.3] : [6.6, 3.0, 5.5, 2.0];
    const jitter = (k: number) => (((i + offset) * 7919 + k * 104729) % 97) / 1000;
    rows.push([...base.map((v, k) => (v + jitter(k)).toFixed(3)), s].join(','));
  }
  const file = path.join(dir, name);
  fs.writeFileSync(file, rows.join('\n') + '\n');
  return file;
}

describe("the loop's jobs in the worker thread", function () {
  this.timeout(300000);
  let dir: string;
  let store: StoreClient;
  before(async () => {
    requireBuild();
    dir = copyExample('iris');
    store = new StoreClient(path.join(REPO, 'dist', 'storeWorker.js'), dir);
    const report = await runJobInWorker({ kind: 'import', root: dir }, { workerScript: WORKER });
    assert.equal(report.imported, 150);
  });
  after(async () => {
    await store.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('retrain: the first cycle promotes its model on the floors; the store worker reports it as the champion', async () => {
    const events: JobEvent[] = [];
    const r = await runJobInWorker({ kind: 'retrain', root: dir, by: 'extension (test)' }, { workerScript: WORKER, onEvent: (e) => events.push(e) });
    assert.equal(r.decision, 'promoted');
    assert.equal(r.champion, r.challenger);
    assert.match(r.reasons[0], /^First model/);
    assert.ok(r.report && fs.existsSync(r.report), 'a deployment report was written');
    assert.ok(events.some((e) => e.type === 'epoch'), 'training epochs were streamed');
    assert.ok(events.some((e) => e.type === 'cycle' && /promoted/.test(e.message)), 'the cycle said what it decided');
    const s = await store.request({ method: 'summary' });
    assert.ok(s);
    assert.deepEqual(s.registry.champion?.version, r.champion);
    assert.deepEqual(s.registry.current, { version: r.champion, why: 'champion' });
    assert.equal(s.registry.history.length, 1);
    assert.equal(s.registry.history[0].action, 'promoted');
    assert.equal(s.registry.history[0].by, 'extension (test)');
    assert.equal(s.cycles[0].id, r.cycle);
    assert.equal(s.cycles[0].decision, 'promoted');
    assert.equal(s.loop.lastCycle?.id, r.cycle);
    assert.equal(s.loop.newLabels, 0, 'nothing was imported after the cycle started');
  });

  it('retrain --force: an equally good challenger is rejected with the gate metric named, the champion unchanged', async () => {
    const before = (await store.request({ method: 'registry' }))!.champion!.version;
    const r = await runJobInWorker({ kind: 'retrain', root: dir, by: 'extension (test)', force: true }, { workerScript: WORKER });
    assert.equal(r.decision, 'rejected');
    assert.equal(r.champion, before);
    assert.notEqual(r.challenger, before);
    assert.match(r.reasons.join(' '), /Accuracy/);
    const reg = (await store.request({ method: 'registry' }))!;
    assert.equal(reg.champion?.version, before);
    assert.equal(reg.history[reg.history.length - 1].action, 'rejected');
  });

  it('promote: the gate rejects the same challenger again; forced, it becomes the champion, recorded as forced; rollback puts the old one back', async () => {
    const reg = (await store.request({ method: 'registry' }))!;
    const champion = reg.champion!.version;
    const challenger = reg.history[reg.history.length - 1].version;
    const gated = await runJobInWorker({ kind: 'promote', root: dir, version: challenger, by: 'extension (test)' }, { workerScript: WORKER });
    assert.equal(gated.decision, 'rejected');
    assert.equal(gated.champion, champion);
    assert.ok(gated.reasons.length > 0);
    const forced = await runJobInWorker({ kind: 'promote', root: dir, version: challenger, by: 'extension (test)', force: true }, { workerScript: WORKER });
    assert.equal(forced.decision, 'forced');
    assert.equal(forced.previous, champion);
    assert.match(forced.reasons[0], /overriding the gate/);
    let now = (await store.request({ method: 'registry' }))!;
    assert.equal(now.champion?.version, challenger);
    assert.equal(now.history[now.history.length - 1].action, 'forced');

    const back = await runJobInWorker({ kind: 'rollback', root: dir, by: 'extension (test)' }, { workerScript: WORKER });
    assert.equal(back.action, 'rolled_back');
    assert.equal(back.version, champion);
    assert.equal(back.previous, challenger);
    now = (await store.request({ method: 'registry' }))!;
    assert.equal(now.champion?.version, champion);
    assert.deepEqual(
      now.history.map((e) => e.action),
      ['promoted', 'rejected', 'rejected', 'forced', 'rolled_back'],
    );
  });

  it('watch: fine-tunes once schedule.incremental.every new labels arrived, reports the cycle, and stops when cancelled', async () => {
    // Full retrains off, a fine-tune every 100 labels: only the label count can start a cycle.
    const yaml = path.join(dir, 'mlloop.yaml');
    fs.writeFileSync(yaml, fs.readFileSync(yaml, 'utf8') + '\nschedule:\n  cron: "off"\n  incremental:\n    every: 100\n');
    const controller = new AbortController();
    const events: JobEvent[] = [];
    const watching = runJobInWorker({ kind: 'watch', root: dir, by: 'extension watch (test)', pollMs: 200 }, { workerScript: WORKER, signal: controller.signal, onEvent: (e) => events.push(e) });
    // Nothing is due yet: no cycle in the first second.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(events.filter((e) => e.type === 'watch' && e.event.type === 'cycle-started').length, 0, 'no cycle is due with 0 new labels');
    const file = writeNewRows(dir, 'more.csv', 120, 0);
    mlloop(dir, ['import', file, '--quiet']);
    const deadline = Date.now() + 120000;
    while (!events.some((e) => e.type === 'watch' && (e.event.type === 'cycle' || e.event.type === 'cycle-failed')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    controller.abort();
    assert.equal(await watching, null, 'the watcher ends when cancelled');
    const started = events.find((e) => e.type === 'watch' && e.event.type === 'cycle-started');
    assert.ok(started && started.type === 'watch' && started.event.type === 'cycle-started');
    assert.equal(started.event.kind, 'incremental');
    const done = events.find((e) => e.type === 'watch' && e.event.type === 'cycle');
    assert.ok(done && done.type === 'watch' && done.event.type === 'cycle', `the cycle finished: ${JSON.stringify(events.filter((e) => e.type === 'watch'))}`);
    assert.equal(done.event.result.trigger, 'labels');
    const result = done.event.result;
    const s = (await store.request({ method: 'summary' }))!;
    const cycle = s.cycles.find((c) => c.id === result.cycle);
    assert.equal(cycle?.status, 'completed');
    assert.equal(s.loop.newLabels, 0, 'the cycle reset the label count');
    const last = s.registry.history[s.registry.history.length - 1];
    assert.match(last.by, /^extension watch \(test\) \(120 new labels \(every 100\)\)$/);
  });
});

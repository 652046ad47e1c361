import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startComputeTask } from '../../src/core/compute/thread';
import { runComputeTask, type ComputeTask } from '../../src/core/compute/tasks';
import { sparseRows } from '../../src/core/engine/linear';
import type { LinearPathFit } from '../../src/core/engine/linearPath';
import { CancelledError } from '../../src/core/util/errors';
import { createRng } from '../../src/core/util/random';

/**
 * Parts of a training run on a thread of their own (src/core/compute/thread.ts), through the
 * built worker (dist/compute-worker.js, made by `npm run build` before this tier): the same
 * results as on this thread, bit for bit; cancelled, the worker stops; a worker that cannot
 * run leaves the task to this thread.
 */
const SCRIPT = path.join(__dirname, '..', '..', 'dist', 'compute-worker.js');

/** A numeric multiclass table: n × d, k classes from a noisy linear teacher. */
function table(n: number, d: number, k: number, seed: number): { x: Float32Array; y: Float32Array } {
  const rng = createRng(seed);
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    let top = -Infinity;
    for (let j = 0; j < d; j++) x[r * d + j] = rng() * 2 - 1;
    for (let c = 0; c < k; c++) {
      let s = rng() * 2;
      for (let j = 0; j < d; j++) s += x[r * d + j] * Math.sin(7 * j + c);
      if (s > top) [top, best] = [s, c];
    }
    y[r] = best;
  }
  return { x, y };
}

function linearTask(n: number): Extract<ComputeTask, { kind: 'linearPath' }> {
  const { x, y } = table(n, 12, 4, 3);
  return { kind: 'linearPath', job: { rows: sparseRows(x, n, 12), y, task: 'multiclass', outputs: 4, l2s: [1 / (0.2 * n), 1 / (2 * n), 1 / (20 * n)], rowWeight: null } };
}

/** The fits without their wall times. */
function fitsOnly(fits: LinearPathFit[]): unknown {
  return fits.map(({ durationMs: _d, ...fit }) => ({ ...fit, kernel: Array.from(fit.kernel), bias: Array.from(fit.bias) }));
}

describe('training work on a thread of its own', function () {
  before(function () {
    if (!fs.existsSync(SCRIPT)) throw new Error(`${SCRIPT} is missing: run \`npm run build\` first`);
    if (os.availableParallelism() < 2) this.skip(); // one core: tasks always run inline
  });

  it("model: auto's linear path: the same fits on the worker as on this thread", async () => {
    const task = linearTask(3000);
    const run = startComputeTask(task, undefined, { script: SCRIPT, env: {} });
    assert.equal(run.where, 'thread');
    const onThread = await run.result();
    const here = await runComputeTask(task);
    assert.equal(onThread.length, 3);
    assert.ok(onThread.every((f) => f.iterations > 0 && f.durationMs > 0));
    assert.deepEqual(fitsOnly(onThread), fitsOnly(here));
  });

  it('moved to the worker (transfer), the rows leave this thread and the fits are the same; a failed worker runs the task made again here', async () => {
    const moved = linearTask(2000);
    const run = startComputeTask(moved, undefined, { script: SCRIPT, env: {}, transfer: { again: () => linearTask(2000) } });
    assert.equal(moved.job.rows.values.length, 0, 'the values buffer was moved, not copied');
    const expected = fitsOnly(await runComputeTask(linearTask(2000)));
    assert.deepEqual(fitsOnly(await run.result()), expected);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-compute-'));
    try {
      const broken = path.join(dir, 'compute-worker.js');
      fs.writeFileSync(broken, 'throw new Error("this worker cannot start");');
      let madeAgain = 0;
      const failing = startComputeTask(linearTask(2000), undefined, { script: broken, env: {}, transfer: { again: () => (madeAgain++, linearTask(2000)) } });
      assert.deepEqual(fitsOnly(await failing.result()), expected);
      assert.equal(madeAgain, 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bootstrap intervals: the same on the worker as on this thread', async () => {
    const rng = createRng(9);
    const n = 2000;
    const k = 3;
    const yTrue = new Float32Array(n);
    const scores = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      yTrue[i] = Math.floor(rng() * k);
      let sum = 0;
      for (let c = 0; c < k; c++) sum += scores[i * k + c] = rng() + (c === yTrue[i] ? 0.8 : 0);
      for (let c = 0; c < k; c++) scores[i * k + c] /= sum;
    }
    const task: ComputeTask = { kind: 'bootstrap', job: { task: 'multiclass', yTrue, scores, k, resamples: 300, confidence: 0.9, seed: 5 } };
    const onThread = await startComputeTask(task, undefined, { script: SCRIPT, env: {} }).result();
    assert.ok(onThread.roc_auc.lower < onThread.roc_auc.upper);
    assert.deepEqual(onThread, await runComputeTask(task));
  });

  it('cancelled: result() rejects with CancelledError and the worker is stopped', async () => {
    const controller = new AbortController();
    const run = startComputeTask(linearTask(60_000), controller.signal, { script: SCRIPT, env: {} });
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    await assert.rejects(run.result(), (e: unknown) => e instanceof CancelledError);
    assert.ok(performance.now() - started < 5000, 'the abort ended the wait at once');
  });

  it('a worker that cannot run leaves the task to this thread; MLLOOP_THREADS=1 never starts one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-compute-'));
    try {
      const broken = path.join(dir, 'compute-worker.js');
      fs.writeFileSync(broken, 'throw new Error("this worker cannot start");');
      const task = linearTask(1500);
      const run = startComputeTask(task, undefined, { script: broken, env: {} });
      assert.equal(run.where, 'thread');
      assert.deepEqual(fitsOnly(await run.result()), fitsOnly(await runComputeTask(task)));
      assert.equal(startComputeTask(task, undefined, { script: SCRIPT, env: { MLLOOP_THREADS: '1' } }).where, 'inline');
      assert.equal(startComputeTask(task, undefined, { script: null, env: {} }).where, 'inline');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

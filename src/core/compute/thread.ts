/**
 * Independent parts of a training run (./tasks.ts) on a thread of their own, while this one
 * goes on: model: auto's linear candidates while the MLP candidates train, the bootstrap
 * intervals while permutation importance scores the model.
 *
 * Why: on a numeric table of 20,000 rows the four linear fits take ~0.6 s and the bootstrap
 * ~0.2 s, which the work beside them hides when the machine has a second core (as
 * scikit-learn's n_jobs spreads independent fits). A task gives the same result on either
 * thread, so nothing a run records depends on where it ran.
 *
 * Where: the worker is the built bundle compute-worker.js beside the running bundle (dist/,
 * for the CLI's jobs and the extension's job worker). Run from source (tests under tsx), with
 * one core, or with MLLOOP_THREADS=1, a task runs on this thread when its result is asked
 * for. A worker that fails to start or dies is not an error of the run: the task then runs
 * on this thread.
 *
 * Node only (worker_threads).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CancelledError } from '../util/errors';
import { inputTransferables, runComputeTask, type ComputeResult, type ComputeTask } from './tasks';

/** A task under way: result() gives what it computed. */
export interface ComputeRun<R> {
  /** 'thread': on a worker, started at once; 'inline': runs on this thread inside result(). */
  where: 'thread' | 'inline';
  result(): Promise<R>;
  /** Stops a worker still computing (the run was cancelled or failed); harmless after result(). */
  stop(): void;
}

/** The built worker beside this bundle, or null (run from source). */
function workerScript(): string | null {
  const file = path.join(__dirname, 'compute-worker.js');
  return fs.existsSync(file) ? file : null;
}

/** Where and whether tasks may run on a thread (defaults: see the file doc). */
export interface ComputeThreadOptions {
  /** Default process.env (MLLOOP_THREADS=1: never). */
  env?: NodeJS.ProcessEnv;
  /** The worker bundle; default compute-worker.js beside this bundle (null: none, run inline). */
  script?: string | null;
  /**
   * Move the task's large inputs to the worker instead of copying them (see
   * tasks.ts#inputTransferables): they are then unusable here. `again` makes the task anew
   * for running it here if the worker fails after it took them.
   */
  transfer?: { again: () => ComputeTask };
}

/**
 * Starts `task` on a worker thread when one can run it (see the file doc), else prepares to
 * run it on this thread. Cancelling `signal` terminates the worker; result() then rejects
 * with CancelledError.
 */
export function startComputeTask<T extends ComputeTask>(task: T, signal?: AbortSignal, options: ComputeThreadOptions = {}): ComputeRun<ComputeResult<T>> {
  const script = options.script === undefined ? workerScript() : options.script;
  const env = options.env ?? process.env;
  const inline = () => runComputeTask(task, signal);
  if (script === null || env.MLLOOP_THREADS === '1' || os.availableParallelism() < 2) return { where: 'inline', result: inline, stop: () => undefined };

  let worker: Worker | null = null;
  // Settled once, and handled now though awaited later: a failure meanwhile is not an
  // unhandled rejection.
  const settled = new Promise<{ value: ComputeResult<T> } | { error: Error }>((resolve) => {
    const settle = (outcome: { value: ComputeResult<T> } | { error: Error }) => {
      signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onAbort = () => {
      void worker?.terminate();
      settle({ error: new CancelledError('Training cancelled') });
    };
    try {
      worker = new Worker(script, { workerData: task, ...(options.transfer ? { transferList: inputTransferables(task) } : {}) });
    } catch (e) {
      settle({ error: e as Error });
      return;
    }
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (m: { result?: ComputeResult<T>; error?: string }) =>
      settle(m.result !== undefined ? { value: m.result } : { error: new Error(m.error ?? `the ${task.kind} worker answered nothing`) }),
    );
    worker.once('error', (e) => settle({ error: e }));
    worker.once('exit', (code) => settle({ error: new Error(`the ${task.kind} worker exited (code ${code}) before it answered`) }));
  });
  return {
    where: 'thread',
    async result() {
      const r = await settled;
      if ('value' in r) return r.value;
      if (r.error instanceof CancelledError || signal?.aborted) throw new CancelledError('Training cancelled');
      // The worker could not do it (could not start, ran out of memory, …): run it here.
      return options.transfer ? runComputeTask(options.transfer.again() as T, signal) : inline();
    },
    stop() {
      void worker?.terminate();
    },
  };
}

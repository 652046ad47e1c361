/**
 * Host side of the job worker: start dist/worker.js with a job, stream its events, cancel
 * it. Used by the extension (which must never run training on its own thread) and tests.
 */
import { Worker } from 'node:worker_threads';
import { CancelledError, UserError } from '../core/util/errors';
import type { FromWorker, JobEvent, JobResult, ToWorker, WorkerJobRequest } from './protocol';

export interface RunJobOptions {
  /** Absolute path of the built worker bundle (dist/worker.js). */
  workerScript: string;
  onEvent?: (e: JobEvent) => void;
  signal?: AbortSignal;
  /** After cancel, how long the job may take to wind down before the thread is terminated, in ms. Default 10000. */
  cancelGraceMs?: number;
}

/**
 * Runs `job` in a new worker thread.
 * @returns the job's result.
 * @throws UserError (the job's user-facing errors), CancelledError, or Error for bugs
 *   (with the worker's stack) and a worker that died.
 */
export function runJobInWorker<R extends WorkerJobRequest>(job: R, opts: RunJobOptions): Promise<JobResult<R['kind']>> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(opts.workerScript, { workerData: job });
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      worker.postMessage({ type: 'cancel' } satisfies ToWorker);
      killTimer = setTimeout(() => {
        void worker.terminate();
        finish(() => reject(new CancelledError()));
      }, opts.cancelGraceMs ?? 10000);
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort);
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'event') opts.onEvent?.(m.event);
      else if (m.type === 'result') finish(() => resolve(m.result as JobResult<R['kind']>));
      else {
        finish(() => {
          if (m.cancelled) reject(new CancelledError());
          else if (m.userError) reject(new UserError(m.message, m.location));
          else {
            const e = new Error(m.message);
            if (m.stack) e.stack = m.stack;
            reject(e);
          }
        });
      }
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`The job worker stopped unexpectedly (exit code ${code}).`))));
  });
}

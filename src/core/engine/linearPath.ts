/**
 * The linear candidates of `model: auto` as one regularisation path: fitLinear at each L2
 * strength in turn, each fit starting from the previous optimum (a warm start, which saves
 * most iterations and leaves every optimum unchanged: the problems are strictly convex).
 *
 * Run on this thread by {@link fitLinearPath}, or on a thread of its own by ../compute/thread.ts
 * while the MLP candidates train on this one. Both give the same fits, bit for bit: the
 * arithmetic is the same float64 code in the same order.
 *
 * PURE: no node built-ins, no tfjs.
 */
import type { Task } from '../project/types';
import { fitLinear, type LinearFit, type SparseRows } from './linear';

/** What a path fits: the rows, their targets, and the strengths in the order they are fitted. */
export interface LinearPathJob {
  rows: SparseRows;
  /** binary 0/1, multiclass class index, regression target (as fitLinear takes them). */
  y: Float32Array;
  task: Task;
  /** 1 for binary and regression, the number of classes for multiclass. */
  outputs: number;
  /** The L2 penalties (fitLinear's `l2`), strongest first so each fit warms the next. */
  l2s: number[];
  rowWeight: Float32Array | null;
}

/** One fit of the path and how long it took (wall time, in ms). */
export type LinearPathFit = LinearFit & { durationMs: number };

/**
 * Fits the path on this thread: one fit per entry of `job.l2s`, in order, each warm-started
 * from the one before. `goOn`, called after each fit, ends the path there when it returns
 * false (the fits so far are returned).
 * @throws CancelledError when `signal` aborts (checked between iterations).
 */
export async function fitLinearPath(job: LinearPathJob, signal?: AbortSignal, goOn?: (fit: LinearPathFit, index: number) => boolean): Promise<LinearPathFit[]> {
  const fits: LinearPathFit[] = [];
  let previous: LinearFit | undefined;
  for (const l2 of job.l2s) {
    const started = performance.now();
    const fit = await fitLinear(job.rows, job.y, {
      task: job.task,
      outputs: job.outputs,
      l2,
      rowWeight: job.rowWeight,
      ...(previous ? { start: { kernel: previous.kernel, bias: previous.bias } } : {}),
      ...(signal ? { signal } : {}),
    });
    const done = { ...fit, durationMs: performance.now() - started };
    fits.push(done);
    if (goOn && !goOn(done, fits.length - 1)) break;
    previous = fit;
  }
  return fits;
}

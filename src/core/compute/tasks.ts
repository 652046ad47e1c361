/**
 * Independent computations of a training run that can run on another thread while this one
 * does other work (./thread.ts): each is a plain function of plain data (typed arrays,
 * numbers), so it gives the same result on either thread.
 *
 * - `linearPath`: model: auto's linear candidates (../engine/linearPath.ts);
 * - `bootstrap`: the bootstrap intervals of the test metrics (../evaluate/bootstrap.ts).
 *
 * PURE: no node built-ins, no tfjs.
 */
import type { Task } from '../project/types';
import { bootstrapIntervals, type MetricInterval } from '../evaluate/bootstrap';
import { fitLinearPath, type LinearPathFit, type LinearPathJob } from '../engine/linearPath';

export interface BootstrapJob {
  task: Task;
  yTrue: Float32Array | Float64Array;
  /** As bootstrapIntervals takes them (binary: P(class 1); multiclass n×k; regression predictions). */
  scores: Float32Array | Float64Array;
  k: number;
  resamples: number;
  confidence: number;
  seed: number;
}

export type ComputeTask = { kind: 'linearPath'; job: LinearPathJob } | { kind: 'bootstrap'; job: BootstrapJob };

/** What a task gives: a linear path its fits (in the order of l2s), a bootstrap its intervals by metric. */
export type ComputeResult<T extends ComputeTask> = T extends { kind: 'linearPath' } ? LinearPathFit[] : Record<string, MetricInterval>;

/** Runs a task on this thread. @throws CancelledError when `signal` aborts. */
export async function runComputeTask<T extends ComputeTask>(task: T, signal?: AbortSignal): Promise<ComputeResult<T>> {
  return (await runAny(task, signal)) as ComputeResult<T>;
}

async function runAny(task: ComputeTask, signal?: AbortSignal): Promise<unknown> {
  if (task.kind === 'linearPath') return fitLinearPath(task.job, signal);
  const { task: kind, yTrue, scores, k, resamples, confidence, seed } = task.job;
  return bootstrapIntervals(kind, yTrue, scores, k, { resamples, confidence, seed, ...(signal ? { signal } : {}) }).intervals;
}

/** The buffers of a result that can be moved to the receiving thread instead of copied. */
export function transferables(kind: ComputeTask['kind'], result: unknown): ArrayBuffer[] {
  if (kind !== 'linearPath') return [];
  return (result as LinearPathFit[]).flatMap((f) => [f.kernel.buffer as ArrayBuffer, f.bias.buffer as ArrayBuffer]);
}

/**
 * The task's inputs that may be moved to a worker: a linear path's sparse rows (the caller
 * builds them for the path alone; moved, they cost no second copy of the training matrix).
 * Targets, weights and scores stay copied: the caller uses them afterwards.
 */
export function inputTransferables(task: ComputeTask): ArrayBuffer[] {
  if (task.kind !== 'linearPath') return [];
  const { start, columns, values } = task.job.rows;
  return [start.buffer as ArrayBuffer, columns.buffer as ArrayBuffer, values.buffer as ArrayBuffer];
}

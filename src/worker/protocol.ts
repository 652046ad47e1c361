/**
 * Messages between a host (the extension, tests) and the job worker thread. One worker runs
 * one job and exits, so tfjs memory and the wasm heap are returned when the job ends.
 */
import type { EvaluateResult } from '../core/jobs/evaluate';
import type { BackendPreference, TrainEvent, TrainResult } from '../core/jobs/train';
import type { ImportReport } from '../core/store/import';

export type JobRequest =
  | { kind: 'train'; root: string; backend?: BackendPreference }
  | { kind: 'import'; root: string; files?: string[] }
  | { kind: 'evaluate'; root: string; version?: string; dataFile?: string; backend?: BackendPreference };

export type JobResult<K extends JobRequest['kind']> = K extends 'train' ? TrainResult : K extends 'import' ? ImportReport : EvaluateResult;

export type JobEvent = TrainEvent | { type: 'progress'; message: string; done: number; total?: number };

/** Host → worker. The job itself is passed as workerData. */
export type ToWorker = { type: 'cancel' };

/** Worker → host. */
export type FromWorker =
  | { type: 'event'; event: JobEvent }
  | { type: 'result'; result: unknown }
  | { type: 'error'; message: string; userError: boolean; cancelled: boolean; stack?: string };

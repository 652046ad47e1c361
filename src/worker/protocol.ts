/**
 * Messages between a host (the extension, tests) and the job worker thread. One worker runs
 * one job and exits, so tfjs memory and the wasm heap are returned when the job ends.
 */
import type { PredictionChanges } from '../core/jobs/compare';
import type { EvaluateResult } from '../core/jobs/evaluate';
import type { BackendPreference, TrainEvent, TrainResult } from '../core/jobs/train';
import type { ImportReport } from '../core/store/import';
import type { UserError } from '../core/util/errors';

export type JobRequest =
  | { kind: 'train'; root: string; backend?: BackendPreference }
  | { kind: 'import'; root: string; files?: string[] }
  | { kind: 'evaluate'; root: string; version?: string; dataFile?: string; backend?: BackendPreference };

/**
 * Rows whose prediction differs between two runs' models (the compare panel). Read-only
 * and quick, so it runs beside a training job rather than as "the" job of the window: it is
 * not a JobRequest, which the JobTracker shows one at a time.
 */
export type ComparePredictionsRequest = { kind: 'comparePredictions'; root: string; baseRunId: number; otherRunId: number; limit?: number; backend?: BackendPreference };

/** Everything the worker runs. */
export type WorkerJobRequest = JobRequest | ComparePredictionsRequest;

export type JobResult<K extends WorkerJobRequest['kind']> = K extends 'train'
  ? TrainResult
  : K extends 'import'
    ? ImportReport
    : K extends 'comparePredictions'
      ? PredictionChanges
      : EvaluateResult;

export type JobEvent = TrainEvent | { type: 'progress'; message: string; done: number; total?: number };

/** Host → worker. The job itself is passed as workerData. */
export type ToWorker = { type: 'cancel' };

/** Worker → host. */
export type FromWorker =
  | { type: 'event'; event: JobEvent }
  | { type: 'result'; result: unknown }
  | { type: 'error'; message: string; userError: boolean; cancelled: boolean; stack?: string; location?: UserError['location'] };

/**
 * Messages between a host (the extension, tests) and the job worker thread. One worker runs
 * one job and exits, so tfjs memory and the wasm heap are returned when the job ends (the
 * loop's `watch` job is the one that lasts: it runs until it is cancelled).
 *
 * One table of job kinds, {@link JobKinds}, says what each kind takes and gives; the request
 * union, the result type, the worker's runner table (src/worker/worker.ts, which the compiler
 * holds to this table), the job tracker and the dashboard's job view are all derived from it.
 * A new kind is a line here, its facts in {@link JOB_KIND_INFO}, and its runner in worker.ts.
 */
import type { PredictionChanges } from '../core/jobs/compare';
import type { EvaluateResult } from '../core/jobs/evaluate';
import type { BackendPreference, TrainEvent, TrainResult } from '../core/jobs/train';
import type { ExperimentConclusion } from '../core/experiments/conclude';
import type { CycleResult } from '../core/loop/cycle';
import type { PromoteResult } from '../core/loop/promote';
import type { WatchEvent } from '../core/loop/watch';
import type { HealthReport } from '../core/monitor/health';
import type { ImportReport } from '../core/store/import';
import type { ExperimentRecord, RegistryEvent, StoredAlert } from '../core/store/types';
import type { UserError } from '../core/util/errors';

/** What taking in the inbox reports (the fields of core/loop/ingest's IngestResult the hosts read). */
export interface InboxIngestReport {
  /** New rows by kind: predictions, feedback, outcomes, examples. */
  ingested: Record<string, number>;
  /** Lines set aside (file relative to the project, 1-based line, why); at most a thousand listed. */
  rejected: Array<{ file: string; line: number; reason: string }>;
  /** Every line set aside by this run (may exceed rejected.length). */
  rejectedTotal: number;
}

/**
 * Whether the worker can take in the inbox (src/worker/inboxIngest.ts has core's ingestInbox).
 * The extension contributes Ingest Inbox only then. Flip together with inboxIngest.ts.
 */
export const INBOX_INGEST_AVAILABLE: boolean = false;

/**
 * What one monitoring run in the worker reports (the extension's timer and Run Monitor Now):
 * the monitor's result as its snapshot keeps it, the alerts that fired in THIS run (the only
 * ones the extension notifies about: the once-per-onset and cooldown logic is core's), and the
 * health checks. `monitor` is null with `error` set when monitoring could not run (no model
 * yet, its reference rows gone): health is still reported.
 */
export interface MonitorJobReport {
  at: string;
  monitor: {
    model: string;
    /** The stored snapshot's id. */
    snapshot: number | null;
    /** core's snapshotSummary of the run (what the Drift & Alerts panel draws). */
    summary: Record<string, unknown>;
    fired: StoredAlert[];
    /** The HTML report written (.mlloop/reports/monitor.html). */
    report: string | null;
  } | null;
  error: string | null;
  health: HealthReport;
}

/** Every kind of job: its request (besides `kind` and `root`) and its result. */
export interface JobKinds {
  train: { request: { backend?: BackendPreference }; result: TrainResult };
  import: { request: { files?: string[] }; result: ImportReport };
  evaluate: { request: { version?: string; dataFile?: string; backend?: BackendPreference }; result: EvaluateResult };
  /** Rows whose prediction differs between two runs' models (the compare panel). */
  comparePredictions: { request: { baseRunId: number; otherRunId: number; limit?: number; backend?: BackendPreference }; result: PredictionChanges };
  /** One retraining cycle now (`mlloop retrain`). `by` is recorded in the history. */
  retrain: { request: { by: string; force?: boolean; incremental?: boolean; backend?: BackendPreference }; result: CycleResult };
  /** Promote a version through the gate, or forced (`mlloop promote`). */
  promote: { request: { version: string; by: string; force?: boolean }; result: PromoteResult };
  /** Put the previous champion (or `to`) back (`mlloop rollback`). */
  rollback: { request: { by: string; to?: string }; result: RegistryEvent };
  /** Take in what is new in .mlloop/inbox (`mlloop ingest`). */
  ingest: { request: Record<never, never>; result: InboxIngestReport };
  /**
   * The loop while VS Code is open (`mlloop watch`): takes in the inbox and runs the schedule
   * until cancelled; reports through `watch` events. `by` prefixes the history's "by".
   */
  watch: { request: { by: string; pollMs?: number }; result: null };
  /** Record that mlloop.yaml's experiment runs from now (`mlloop experiment start`). */
  experimentStart: { request: { by: string }; result: ExperimentRecord };
  /** Stop it, record the final analysis, promote a winning challenger through the gate (`mlloop experiment stop`). */
  experimentStop: { request: { by: string; promote?: boolean }; result: ExperimentConclusion };
  /** One monitoring run and the health checks (`mlloop monitor` + `mlloop health`); `by` names a retraining cycle it may start. */
  monitor: { request: { by: string }; result: MonitorJobReport };
}

export type JobKind = keyof JobKinds;

/** A request of kind K (default: any kind). */
export type JobRequestOf<K extends JobKind = JobKind> = { [P in K]: { kind: P; root: string } & JobKinds[P]['request'] }[K];

/** Everything the worker runs. */
export type WorkerJobRequest = JobRequestOf;

export type JobResult<K extends JobKind> = JobKinds[K]['result'];

/**
 * Facts of each kind the host needs at run time.
 * - `tracked`: "the" job of the window, one at a time, shown by the JobTracker (dashboard,
 *   status bar, progress notification). Untracked kinds run beside it: read-only and quick
 *   (comparePredictions), or the loop's watcher, which lasts as long as the window.
 * - `title`: what the progress notification and the dashboard call it while it runs.
 */
export const JOB_KIND_INFO = {
  train: { tracked: true, title: 'training' },
  import: { tracked: true, title: 'importing examples' },
  evaluate: { tracked: true, title: 'evaluating' },
  comparePredictions: { tracked: false, title: 'comparing predictions' },
  retrain: { tracked: true, title: 'retraining' },
  promote: { tracked: true, title: 'promoting' },
  rollback: { tracked: true, title: 'rolling back' },
  ingest: { tracked: true, title: 'taking in the inbox' },
  watch: { tracked: false, title: 'running the loop' },
  experimentStart: { tracked: true, title: 'starting the experiment' },
  experimentStop: { tracked: true, title: 'stopping the experiment' },
  monitor: { tracked: false, title: 'monitoring' },
} as const satisfies { [K in JobKind]: { tracked: boolean; title: string } };

/** Kinds the JobTracker shows, one at a time. */
export type TrackedJobKind = { [K in JobKind]: (typeof JOB_KIND_INFO)[K]['tracked'] extends true ? K : never }[JobKind];

/** A request the JobTracker shows (the commands' jobs). */
export type JobRequest = JobRequestOf<TrackedJobKind>;

export type JobEvent =
  | TrainEvent
  | { type: 'progress'; message: string; done: number; total?: number }
  /** A retraining cycle's steps ("training a challenger on …", "v5 promoted …"). */
  | { type: 'cycle'; message: string }
  /** What the loop's watcher did (ingested, a cycle's result, a failure, a log line). */
  | { type: 'watch'; event: WatchEvent };

/** Host → worker. The job itself is passed as workerData. */
export type ToWorker = { type: 'cancel' };

/** Worker → host. */
export type FromWorker =
  | { type: 'event'; event: JobEvent }
  | { type: 'result'; result: unknown }
  | { type: 'error'; message: string; userError: boolean; cancelled: boolean; stack?: string; location?: UserError['location'] };

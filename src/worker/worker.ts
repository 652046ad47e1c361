/**
 * Worker-thread entry (bundled as dist/worker.js): runs one job from workerData, reports
 * events to the host, honours a 'cancel' message, posts the result or the error, and ends.
 */
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { concludeExperiment } from '../core/experiments/conclude';
import { startExperiment } from '../core/experiments/report';
import { comparePredictions } from '../core/jobs/compare';
import { evaluateModel } from '../core/jobs/evaluate';
import { trainProject } from '../core/jobs/train';
import { withProjectContext, type ProjectContext } from '../core/context/projectContext';
import { runCycle } from '../core/loop/cycle';
import { promoteVersion } from '../core/loop/promote';
import { watchProject } from '../core/loop/watch';
import { projectHealth } from '../core/monitor/health';
import { runMonitor, snapshotSummary } from '../core/monitor/monitor';
import { rollback } from '../core/registry/registry';
import { importFiles } from '../core/store/import';
import { CancelledError, isUserError, throwIfAborted, UserError } from '../core/util/errors';
import { userFacingError } from '../core/util/fsErrors';
import { plural } from '../core/util/plural';
import { inboxIngest } from './inboxIngest';
import type { FromWorker, JobEvent, JobKind, JobRequestOf, JobResult, MonitorJobReport, ToWorker, WorkerJobRequest } from './protocol';

interface JobIo {
  signal: AbortSignal;
  emit: (e: JobEvent) => void;
}

/** How each kind of job runs, given its project context: one entry per kind of the protocol's table (the compiler checks it). */
const JOB_RUNNERS: { [K in JobKind]: (job: JobRequestOf<K>, ctx: ProjectContext, io: JobIo) => Promise<JobResult<K>> } = {
  train: (job, ctx, { signal, emit }) => trainProject({ ctx, backend: job.backend ?? 'auto', signal, onEvent: emit }),

  evaluate: (job, ctx, { signal }) =>
    evaluateModel({ ctx, ...(job.version ? { version: job.version } : {}), ...(job.dataFile ? { dataFile: job.dataFile } : {}), backend: job.backend ?? 'auto', signal }),

  comparePredictions: (job, ctx, { signal }) =>
    comparePredictions({ ctx, baseRunId: job.baseRunId, otherRunId: job.otherRunId, ...(job.limit !== undefined ? { limit: job.limit } : {}), backend: job.backend ?? 'auto', signal }),

  import: (job, ctx, { signal, emit }) => {
    const { config, paths, store } = ctx;
    const files = job.files?.length ? job.files : config.data.sources.map((s) => path.resolve(paths.root, s.path));
    const formats = job.files?.length ? {} : Object.fromEntries(config.data.sources.map((s) => [path.resolve(paths.root, s.path), s.format]));
    return importFiles(store, config, files, {
      root: paths.root,
      formats,
      signal,
      onProgress: (p) => emit({ type: 'progress', message: `${path.basename(p.file)}: ${plural(p.rowsRead, 'row')} read`, done: p.rowsRead }),
    });
  },

  retrain: (job, ctx, { signal, emit }) =>
    runCycle({
      ctx,
      trigger: 'extension',
      by: job.by,
      ...(job.force ? { force: true } : {}),
      ...(job.incremental ? { incremental: true } : {}),
      ...(job.backend ? { backend: job.backend } : {}),
      signal,
      onEvent: emit,
    }),

  promote: (job, ctx, { signal }) => promoteVersion(ctx, job.version, { by: job.by, ...(job.force ? { force: true } : {}), signal }),

  rollback: (job, ctx) => rollback(ctx.store, { by: job.by, at: ctx.clock.now().toISOString(), ...(job.to ? { to: job.to } : {}) }),

  ingest: async (_job, ctx, { signal }) => {
    if (!inboxIngest) throw new UserError('This build of ML Loop cannot take in the inbox yet (src/core/loop/ingest.ts is missing).');
    return inboxIngest(ctx, { signal });
  },

  watch: async (job, ctx, { signal, emit }) => {
    await watchProject({
      ctx,
      signal,
      by: job.by,
      ...(job.pollMs !== undefined ? { pollMs: job.pollMs } : {}),
      ...(inboxIngest ? { ingest: (c: ProjectContext) => inboxIngest!(c, { signal }) } : {}),
      onEvent: (event) => emit({ type: 'watch', event }),
    });
    return null;
  },

  experimentStart: (job, ctx) => startExperiment(ctx, job.by),

  experimentStop: (job, ctx, { signal }) => concludeExperiment(ctx, { by: job.by, promote: job.promote !== false, signal }),
  monitor: async (job, ctx, { signal, emit }) => {
    let monitor: MonitorJobReport['monitor'] = null;
    let error: string | null = null;
    try {
      const r = await runMonitor({
        ctx,
        signal,
        startCycle: async (reason) => {
          emit({ type: 'cycle', message: `monitoring.retrain: starting a retraining cycle (${reason})` });
          const c = await runCycle({ ctx, trigger: 'alert', by: `${job.by}: monitor (${reason})`, signal, onEvent: emit });
          return { cycle: c.cycle, decision: c.decision, champion: c.champion, challenger: c.challenger, reasons: c.reasons };
        },
      });
      monitor = { model: r.model.version, snapshot: r.snapshot, summary: snapshotSummary(r), fired: r.alerts.fired, report: r.report };
    } catch (e) {
      // No model yet, or its reference rows are gone: say why, and still report health.
      if (!isUserError(e)) throw e;
      error = e.message;
    }
    throwIfAborted(signal);
    return { at: ctx.clock.now().toISOString(), monitor, error, health: await projectHealth(ctx) };
  },
};

async function runJob(job: WorkerJobRequest, signal: AbortSignal, emit: (e: JobEvent) => void): Promise<unknown> {
  // One project context per job: the worker is started for one job and ends with it.
  const log = { info: (message: string) => emit({ type: 'log', message }), warn: (message: string) => emit({ type: 'log', message: `warning: ${message}` }) };
  const runner = JOB_RUNNERS[job.kind] as (job: WorkerJobRequest, ctx: ProjectContext, io: JobIo) => Promise<unknown>;
  return withProjectContext(job.root, { purpose: `ML Loop ${job.kind} (VS Code)`, log }, (ctx) => runner(job, ctx, { signal, emit }));
}

if (parentPort) {
  const port = parentPort;
  const controller = new AbortController();
  const post = (m: FromWorker) => port.postMessage(m);
  port.on('message', (m: ToWorker) => {
    if (m.type === 'cancel') controller.abort();
  });
  runJob(workerData as WorkerJobRequest, controller.signal, (event) => post({ type: 'event', event })).then(
    (result) => {
      post({ type: 'result', result });
      port.close();
    },
    (caught: unknown) => {
      // A file-system error a user can fix (a full disk, a read-only folder) crosses as a UserError, with its place.
      const e = userFacingError(caught);
      const err = e as Error;
      const location = isUserError(e) ? e.location : undefined;
      post({
        type: 'error',
        message: err.message ?? String(e),
        userError: isUserError(e),
        cancelled: e instanceof CancelledError,
        ...(err.stack ? { stack: err.stack } : {}),
        ...(location ? { location } : {}),
      });
      port.close();
    },
  );
}

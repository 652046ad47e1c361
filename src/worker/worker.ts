/**
 * Worker-thread entry (bundled as dist/worker.js): runs one job from workerData, reports
 * events to the host, honours a 'cancel' message, posts the result or the error, and ends.
 */
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { comparePredictions } from '../core/jobs/compare';
import { evaluateModel } from '../core/jobs/evaluate';
import { trainProject } from '../core/jobs/train';
import { withProjectContext } from '../core/context/projectContext';
import { importFiles } from '../core/store/import';
import { CancelledError, isUserError } from '../core/util/errors';
import { userFacingError } from '../core/util/fsErrors';
import type { FromWorker, JobEvent, ToWorker, WorkerJobRequest } from './protocol';
import { plural } from '../core/util/plural';

async function runJob(job: WorkerJobRequest, signal: AbortSignal, emit: (e: JobEvent) => void): Promise<unknown> {
  // One project context per job: the worker is started for one job and ends with it.
  const log = { info: (message: string) => emit({ type: 'log', message }), warn: (message: string) => emit({ type: 'log', message: `warning: ${message}` }) };
  return withProjectContext(job.root, { purpose: `ML Loop ${job.kind} (VS Code)`, log }, async (ctx) => {
    switch (job.kind) {
      case 'train':
        return trainProject({ ctx, backend: job.backend ?? 'auto', signal, onEvent: emit });
      case 'evaluate':
        return evaluateModel({ ctx, ...(job.version ? { version: job.version } : {}), ...(job.dataFile ? { dataFile: job.dataFile } : {}), backend: job.backend ?? 'auto', signal });
      case 'comparePredictions':
        return comparePredictions({
          ctx,
          baseRunId: job.baseRunId,
          otherRunId: job.otherRunId,
          ...(job.limit !== undefined ? { limit: job.limit } : {}),
          backend: job.backend ?? 'auto',
          signal,
        });
      case 'import': {
        const { config, paths, store } = ctx;
        const files = job.files?.length ? job.files : config.data.sources.map((s) => path.resolve(paths.root, s.path));
        const formats = job.files?.length ? {} : Object.fromEntries(config.data.sources.map((s) => [path.resolve(paths.root, s.path), s.format]));
        return importFiles(store, config, files, {
          root: paths.root,
          formats,
          signal,
          onProgress: (p) => emit({ type: 'progress', message: `${path.basename(p.file)}: ${plural(p.rowsRead, 'row')} read`, done: p.rowsRead }),
        });
      }
    }
  });
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

/**
 * Running a command's job in the job worker with progress, cancellation and one way of
 * reporting failures: the palette commands (import, train, evaluate) and the loop's (retrain,
 * promote, roll back, ingest) all go through here.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CancelledError, isUserError } from '../core/util/errors';
import { runJobInWorker } from '../worker/client';
import type { JobEvent, JobRequest, JobResult } from '../worker/protocol';
import type { Log } from './log';
import type { JobTracker } from './state/jobs';
import type { ProjectState } from './state/projectState';

export interface JobProgressDeps {
  context: vscode.ExtensionContext;
  log: Log;
  jobs: JobTracker;
  state: ProjectState;
}

/**
 * Shows a job's failure the way a user should see it; never a stack trace in a popup.
 * Does not wait for the user to answer the message, so whoever ran the command (a button,
 * a test, another extension) gets its result at once.
 */
export function reportFailure(log: Log, what: string, e: unknown): void {
  if (e instanceof CancelledError) {
    log.info(`${what}: cancelled`);
    void vscode.window.showInformationMessage(`ML Loop: ${what} cancelled.`);
    return;
  }
  const message = e instanceof Error ? e.message : String(e);
  log.error(`${what} failed: ${message}`, e);
  const showLog = 'Show Log';
  const text = isUserError(e) ? `ML Loop: ${message}` : `ML Loop: ${what} failed unexpectedly: ${message}. The log has details.`;
  void vscode.window.showErrorMessage(text, showLog).then((choice) => {
    if (choice === showLog) log.show();
  });
}

/**
 * Runs a job in the worker with a cancellable notification, published to the JobTracker
 * (dashboard, run panel, status bar). One job at a time: a second one is refused with a
 * message. Undefined when it failed, was refused or was cancelled (already reported).
 * @param title what the notification and the dashboard call the job while it runs ("training", "promoting v3").
 */
export async function runWithProgress<R extends JobRequest>(
  deps: JobProgressDeps,
  title: string,
  job: R,
  onEvent: (e: JobEvent, progress: vscode.Progress<{ message?: string; increment?: number }>) => void,
): Promise<JobResult<R['kind']> | undefined> {
  if (deps.jobs.current) {
    void vscode.window.showWarningMessage(`ML Loop: ${deps.jobs.current.title} is still running; wait for it or cancel it first.`);
    return undefined;
  }
  const workerScript = deps.context.asAbsolutePath(path.join('dist', 'worker.js'));
  await deps.state.setRoot(job.root);
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `ML Loop: ${title}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort());
        deps.jobs.start({ kind: job.kind, root: job.root, title }, () => controller.abort());
        try {
          return await runJobInWorker(job, {
            workerScript,
            signal: controller.signal,
            onEvent: (e) => {
              if (e.type === 'started') deps.jobs.update({ runId: e.runId, backend: e.backend, totalEpochs: e.epochs });
              else if (e.type === 'epoch') deps.jobs.epoch(e.runId, e.logs);
              else if (e.type === 'progress' || e.type === 'cycle') deps.jobs.update({ message: e.message });
              onEvent(e, progress);
            },
          });
        } finally {
          sub.dispose();
          deps.jobs.finish();
          deps.state.scheduleRefresh(0);
        }
      },
    );
  } catch (e) {
    reportFailure(deps.log, title, e);
    return undefined;
  }
}

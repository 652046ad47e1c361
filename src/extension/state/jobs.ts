/**
 * The job that is running now (one at a time per window), for everything that shows it:
 * the progress notification, the dashboard (progress + cancel button), the run panel (live
 * curves), the status bar.
 */
import * as vscode from 'vscode';
import type { EpochLogs } from '../../core/engine/fit';
import type { TrackedJobKind } from '../../worker/protocol';

export interface RunningJob {
  kind: TrackedJobKind;
  root: string;
  title: string;
  startedAt: number;
  runId?: number;
  backend?: string;
  /** Epochs finished so far (training). */
  epochs: EpochLogs[];
  /** Upper bound on epochs from the config (early stopping usually ends sooner). */
  totalEpochs?: number;
  message?: string;
}

export class JobTracker implements vscode.Disposable {
  private job: RunningJob | undefined;
  private cancelFn: (() => void) | undefined;
  private readonly changed = new vscode.EventEmitter<RunningJob | undefined>();
  private readonly epochEmitter = new vscode.EventEmitter<{ runId: number; logs: EpochLogs }>();
  /** Fires when a job starts, reports progress, or ends (undefined). */
  readonly onDidChange = this.changed.event;
  /** Fires once per finished training epoch. */
  readonly onDidEpoch = this.epochEmitter.event;

  get current(): RunningJob | undefined {
    return this.job;
  }

  start(job: Omit<RunningJob, 'epochs' | 'startedAt'>, cancel: () => void): void {
    this.job = { ...job, epochs: [], startedAt: Date.now() };
    this.cancelFn = cancel;
    this.changed.fire(this.job);
  }

  update(patch: Partial<RunningJob>): void {
    if (!this.job) return;
    this.job = { ...this.job, ...patch };
    this.changed.fire(this.job);
  }

  epoch(runId: number, logs: EpochLogs): void {
    if (!this.job) return;
    this.job.epochs.push(logs);
    this.job.runId = runId;
    this.epochEmitter.fire({ runId, logs });
    this.changed.fire(this.job);
  }

  finish(): void {
    this.job = undefined;
    this.cancelFn = undefined;
    this.changed.fire(undefined);
  }

  /** Asks the running job to stop (it ends through finish()). */
  cancel(): void {
    this.cancelFn?.();
  }

  dispose(): void {
    this.changed.dispose();
    this.epochEmitter.dispose();
  }
}

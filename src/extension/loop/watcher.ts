/**
 * The loop while VS Code is open: core's watchProject (take in the inbox, run a full retrain
 * on schedule.cron and a fine-tune every schedule.incremental.every labels, each through the
 * gate) for the project the views show, in a job worker of its own — never on this thread.
 *
 * It runs when the setting `mlloop.loop.enabled` is on (the default), the workspace is
 * trusted and mlloop.yaml parses. It restarts when any of those, the project or its
 * mlloop.yaml change — but never in the middle of a cycle: a restart waits for the cycle to
 * end, since cancelling it would throw away its training (and its cron slot). A second
 * scheduler on the same store (another window, `mlloop watch` on a server) is harmless: the
 * store refuses a second cycle while one runs, and a cycle that ran anywhere resets the
 * schedule everywhere.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CycleResult } from '../../core/loop/cycle';
import { isCancelled } from '../../core/util/errors';
import { runJobInWorker } from '../../worker/client';
import type { JobEvent } from '../../worker/protocol';
import type { Log } from '../log';
import type { Prompts } from '../prompts';
import type { ProjectState } from '../state/projectState';
import type { WatcherStatus } from './loopView';
import type { CycleNotifier } from './notifier';

/** The setting that turns the loop off in this window. */
export const LOOP_ENABLED_SETTING = 'loop.enabled';

/** How often the watcher looks at the inbox and the schedule, in ms (watchProject's poll). */
const POLL_MS = 2000;
/** After the watcher's worker stopped unexpectedly, how long before starting it again. */
const RESTART_AFTER_FAILURE_MS = 60_000;

export interface LoopWatcherDeps {
  context: vscode.ExtensionContext;
  log: Log;
  state: ProjectState;
  prompts: Prompts;
  notifier: CycleNotifier;
}

interface Running {
  key: string;
  root: string;
  startedAt: number;
  controller: AbortController;
  /** A cycle is running in the watcher now. */
  busy: boolean;
  /** Settles when the worker has ended. */
  ended: Promise<void>;
}

/** What "by" the history records for this window's cycles: "extension watch (ana)". */
export function extensionWatchBy(): string {
  const user = safeUser();
  return user ? `extension watch (${user})` : 'extension watch';
}

/** Who uses this window, for the history ("extension (ana)"). */
export function extensionBy(): string {
  const user = safeUser();
  return user ? `extension (${user})` : 'extension';
}

function safeUser(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER;
  }
}

export class LoopWatcher implements vscode.Disposable {
  private running: Running | undefined;
  private current: WatcherStatus = { running: false, text: 'Starting…' };
  private lastFailure: string | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** A failed start, by key: not retried until the key changes or RESTART_AFTER_FAILURE_MS pass. */
  private failedKey: string | undefined;
  private reconciling: Promise<void> = Promise.resolve();
  private disposed = false;
  private readonly changed = new vscode.EventEmitter<WatcherStatus>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  /** Fires when the watcher starts, stops, or a cycle in it starts or ends. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly deps: LoopWatcherDeps) {
    this.disposables.push(
      deps.state.onDidChange(() => this.reconcile()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`mlloop.${LOOP_ENABLED_SETTING}`)) this.reconcile();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.reconcile()),
    );
  }

  get status(): WatcherStatus {
    return this.current;
  }

  /** Starts, stops or restarts the watcher to match the setting, trust and the project (one at a time). */
  reconcile(): void {
    this.reconciling = this.reconciling.then(() => this.apply()).catch((e) => this.deps.log.error(`loop: ${(e as Error).message}`, e));
  }

  /** Settles once every reconcile asked for so far has been applied (tests). */
  settled(): Promise<void> {
    return this.reconciling;
  }

  private wanted(): { key: string; root: string } | { off: string } {
    if (this.disposed) return { off: 'Stopped.' };
    if (!vscode.workspace.getConfiguration('mlloop').get<boolean>(LOOP_ENABLED_SETTING, true)) {
      return { off: 'Off in this window: the setting mlloop.loop.enabled is off. Cycles run with Retrain Now here, or mlloop retrain / mlloop watch elsewhere.' };
    }
    if (!vscode.workspace.isTrusted) return { off: 'Off in Restricted Mode: trust the workspace to run the schedule here.' };
    const s = this.deps.state.snapshot;
    if (!s) return { off: 'No ML Loop project in this workspace.' };
    if (!s.config) return { off: 'Off while mlloop.yaml has problems (see the Problems panel).' };
    return { key: `${s.root}\u0000${JSON.stringify(s.config)}`, root: s.root };
  }

  private async apply(): Promise<void> {
    const want = this.wanted();
    const run = this.running;
    const key = 'key' in want ? want.key : undefined;
    if (run && run.key === key) return;
    // Never cancel a cycle to pick up a change: the cycle's end reconciles again.
    if (run?.busy && !this.disposed) return;
    if (run) await this.stop(run);
    if ('off' in want) {
      this.setStatus({ running: false, text: want.off });
      return;
    }
    if (this.failedKey === want.key) return;
    this.start(want.root, want.key);
  }

  private start(root: string, key: string): void {
    const controller = new AbortController();
    const startedAt = Date.now();
    const run: Running = { key, root, startedAt, controller, busy: false, ended: Promise.resolve() };
    this.running = run;
    this.deps.log.info(`loop: watching ${root} (the inbox, and the schedule of mlloop.yaml)`);
    run.ended = runJobInWorker(
      { kind: 'watch', root, by: extensionWatchBy(), pollMs: POLL_MS },
      {
        workerScript: this.deps.context.asAbsolutePath(path.join('dist', 'worker.js')),
        signal: controller.signal,
        onEvent: (e) => this.onEvent(run, e),
      },
    ).then(
      () => this.ended(run, undefined),
      (e: unknown) => this.ended(run, e),
    );
    this.setStatus({ running: true, root, startedAt, text: 'Runs in this window while VS Code is open (mlloop.loop.enabled).' });
  }

  private onEvent(run: Running, e: JobEvent): void {
    if (e.type === 'log') {
      this.deps.log.info(`loop: ${e.message}`);
      return;
    }
    if (e.type !== 'watch') return;
    const w = e.event;
    switch (w.type) {
      case 'cycle-started':
        run.busy = true;
        this.deps.log.info(`loop: ${w.message}`);
        this.deps.state.scheduleRefresh();
        this.changed.fire(this.current);
        return;
      case 'cycle':
        this.cycleEnded(run, w.result);
        return;
      case 'cycle-failed':
        this.cycleEnded(run, undefined, w.message);
        return;
      case 'ingested': {
        const counts = Object.entries(w.counts).map(([k, v]) => `${v} ${k}`).join(', ');
        this.deps.log.info(`loop: took in ${counts}${w.rejected ? `; ${w.rejected} lines set aside` : ''}`);
        this.deps.state.scheduleRefresh();
        return;
      }
      case 'log':
        this.deps.log.info(`loop: ${w.message}`);
        return;
    }
  }

  private cycleEnded(run: Running, result: CycleResult | undefined, failure?: string): void {
    run.busy = false;
    if (result) {
      this.lastFailure = undefined;
      this.deps.notifier.cycleFinished(run.root, result);
    } else if (failure) {
      this.deps.log.error(`loop: a cycle failed; the champion keeps serving: ${failure}`);
      // The watcher tries again at its next look; say so once, not every two seconds.
      if (failure !== this.lastFailure) {
        this.lastFailure = failure;
        this.deps.prompts.notify('warning', `ML Loop: a scheduled cycle failed; the champion keeps serving. ${failure}`, ['Show Log'], () => this.deps.log.show());
      }
    }
    this.deps.state.scheduleRefresh(0);
    this.changed.fire(this.current);
    // A change that arrived during the cycle is applied now.
    this.reconcile();
  }

  private ended(run: Running, error: unknown): void {
    if (this.running !== run) return; // stopped on purpose
    this.running = undefined;
    if (error === undefined || isCancelled(error)) {
      this.setStatus({ running: false, text: 'Stopped.' });
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.deps.log.error(`loop: the watcher stopped: ${message}`, error);
    this.failedKey = run.key;
    this.setStatus({ running: false, text: `Stopped: ${message} It starts again in a minute, or when mlloop.yaml changes.` });
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.failedKey = undefined;
      this.reconcile();
    }, RESTART_AFTER_FAILURE_MS);
  }

  private async stop(run: Running): Promise<void> {
    this.running = undefined;
    run.controller.abort();
    await run.ended;
    this.deps.log.info(`loop: stopped watching ${run.root}`);
  }

  private setStatus(status: WatcherStatus): void {
    this.current = status;
    this.changed.fire(status);
  }

  dispose(): void {
    this.disposed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.running?.controller.abort();
    this.running = undefined;
    for (const d of this.disposables) d.dispose();
  }
}

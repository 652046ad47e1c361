/**
 * Monitoring while VS Code is open: every `mlloop.monitor.interval` minutes (default 5; 0 =
 * off) core's runMonitor and projectHealth run for the project the views show, in a job
 * worker of their own (never on this thread), and on demand with "ML Loop: Run Monitor Now".
 * One run at a time: a tick that comes while one runs is skipped; Run Monitor Now waits for it
 * and then runs (so it sees what changed meanwhile). Runs are cancellable (the command's
 * progress notification; a change of project or setting; closing the window).
 *
 * After a run, and whenever the project state changes (any process may write the store: the
 * CLI's `mlloop monitor` and `mlloop alerts ack`, another window), the open alerts and the
 * newest snapshots are read again through the store worker. A notification is shown for each
 * warning or critical alert that FIRED in a run of this window (core decides what fires:
 * once per onset, with the cooldown); reading the alerts again never notifies.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { alertView } from '../../core/monitor/alerts';
import type { StoredAlert } from '../../core/store/types';
import { isCancelled, UserError } from '../../core/util/errors';
import { plural } from '../../core/util/plural';
import { runJobInWorker } from '../../worker/client';
import type { MonitorJobReport } from '../../worker/protocol';
import type { HealthView, MonitoringView, MonitorRunView } from '../../../webview/drift/protocol';
import { COMMAND_IDS } from '../commandIds';
import type { Log } from '../log';
import { extensionBy } from '../loop/watcher';
import type { Prompts } from '../prompts';
import { coalesced } from '../state/coalesce';
import type { ProjectState } from '../state/projectState';
import type { AlertProvider } from './alertProvider';
import { alertsToNotify, monitoringView } from './driftModel';

/** The setting (under `mlloop.`) with the minutes between runs. */
export const MONITOR_INTERVAL_SETTING = 'monitor.interval';
/** Snapshots read for drift over time. */
const SNAPSHOTS = 30;
/** The first run after a project opens waits this long (activation and the first views come first). */
const FIRST_RUN_DELAY_MS = 20_000;

export interface MonitorServiceDeps {
  context: vscode.ExtensionContext;
  log: Log;
  state: ProjectState;
  prompts: Prompts;
  alerts: AlertProvider;
}

interface Running {
  root: string;
  controller: AbortController;
  done: Promise<MonitorJobReport | undefined>;
}

export class MonitorService implements vscode.Disposable {
  private running: Running | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerKey: string | undefined;
  private viewRoot: string | undefined;
  private view: MonitoringView | null = null;
  private healthView: HealthView | null = null;
  private last: { at: string; error: string | null } | null = null;
  /** Health and the last run per project root, so switching projects and back keeps what was checked. */
  private readonly checked = new Map<string, { health: HealthView; last: { at: string; error: string | null } }>();
  /** Alerts this window announced (root and id): never twice. */
  private readonly notified = new Set<string>();
  private readonly reloadNow = coalesced(
    () => this.load(),
    (e) => this.deps.log.error(`monitor: reading the alerts failed: ${(e as Error).message}`, e),
  );
  private disposed = false;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  /** Fires when the snapshots, health or the run status change. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly deps: MonitorServiceDeps) {
    deps.alerts.connect({
      acknowledge: async (id) => {
        await this.requireStore().acknowledgeAlert(Number(id), extensionBy());
        await this.reload();
      },
      resolve: async (id) => {
        await this.requireStore().resolveAlert(Number(id), extensionBy());
        await this.reload();
      },
    });
    this.disposables.push(
      deps.state.onDidChange(() => {
        void this.reload();
        this.reconcileTimer();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`mlloop.${MONITOR_INTERVAL_SETTING}`)) this.reconcileTimer();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.reconcileTimer()),
    );
  }

  /** The newest snapshot and drift over time (null: no snapshot stored yet). */
  get monitoring(): MonitoringView | null {
    return this.view;
  }

  /** core's health from the last run in this window (null until one ran). */
  get health(): HealthView | null {
    return this.healthView;
  }

  get status(): MonitorRunView {
    return { running: this.running !== undefined, intervalMinutes: this.intervalMinutes(), lastRun: this.last };
  }

  /** Minutes between runs from the setting; 0 when off (or not a positive number). */
  intervalMinutes(): number {
    const v = vscode.workspace.getConfiguration('mlloop').get<number>(MONITOR_INTERVAL_SETTING, 5);
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
  }

  /**
   * Runs the monitor now (after the run under way, if any, has ended).
   * @returns the run's report; undefined when there is no project or it was cancelled.
   * @throws UserError when the project cannot be monitored here (Restricted Mode, mlloop.yaml has problems).
   */
  async runNow(signal?: AbortSignal): Promise<MonitorJobReport | undefined> {
    while (this.running) await this.running.done.catch(() => undefined);
    // Cancelled while it waited for the run under way: nothing more to do.
    if (signal?.aborted) return undefined;
    const why = this.cannotRun();
    if (why) throw new UserError(why);
    const root = this.deps.state.root!;
    return this.run(root, signal);
  }

  /** Why the monitor cannot run for the views' project, or undefined when it can. */
  private cannotRun(): string | undefined {
    if (!vscode.workspace.isTrusted) return 'Monitoring runs only in a trusted workspace (it loads the model and writes the store).';
    const s = this.deps.state.snapshot;
    if (!s) return 'There is no ML Loop project in this workspace.';
    if (!s.config) return 'mlloop.yaml has problems (see the Problems panel); monitoring waits until they are fixed.';
    return undefined;
  }

  private reconcileTimer(): void {
    const minutes = this.intervalMinutes();
    const root = this.deps.state.root;
    const key = !this.disposed && minutes > 0 && root && !this.cannotRun() ? `${root}\u0000${minutes}` : undefined;
    if (root !== this.viewRoot) {
      // Another project: what was shown and a run for the old one are no longer its.
      this.viewRoot = root;
      this.view = null;
      const kept = root ? this.checked.get(root) : undefined;
      this.healthView = kept?.health ?? null;
      this.last = kept?.last ?? null;
      if (this.running && this.running.root !== root) this.running.controller.abort();
      this.changed.fire();
    }
    if (key === this.timerKey) return;
    this.timerKey = key;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (key) this.schedule(Math.min(FIRST_RUN_DELAY_MS, minutes * 60_000));
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    const key = this.timerKey;
    this.timer = setTimeout(() => void this.tick(key), delayMs);
  }

  private async tick(key: string | undefined): Promise<void> {
    if (key !== this.timerKey || !key) return;
    const minutes = this.intervalMinutes();
    if (this.running) {
      this.deps.log.info('monitor: the previous run is still under way; this tick is skipped');
    } else if (!this.cannotRun() && this.deps.state.root) {
      await this.run(this.deps.state.root).catch((e: unknown) => this.deps.log.error(`monitor: ${(e as Error).message}`, e));
    }
    if (key === this.timerKey && minutes > 0) this.schedule(minutes * 60_000);
  }

  private run(root: string, signal?: AbortSignal): Promise<MonitorJobReport | undefined> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort);
    if (signal?.aborted) controller.abort();
    const done = (async () => {
      try {
        const report = await runJobInWorker(
          { kind: 'monitor', root, by: extensionBy() },
          {
            workerScript: this.deps.context.asAbsolutePath(path.join('dist', 'worker.js')),
            signal: controller.signal,
            onEvent: (e) => {
              if (e.type === 'log' || e.type === 'cycle') this.deps.log.info(`monitor: ${e.message}`);
            },
          },
        );
        this.deps.log.info(
          report.monitor
            ? `monitor: ${report.monitor.model}: ${plural(report.monitor.fired.length, 'new alert')}; health ${report.health.status}`
            : `monitor: not run: ${report.error}; health ${report.health.status}`,
        );
        if (root !== this.deps.state.root || this.disposed) return report;
        this.last = { at: report.at, error: report.error };
        this.healthView = { ...report.health, at: report.at };
        this.checked.set(root, { health: this.healthView, last: this.last });
        await this.reload();
        this.announce(root, report.monitor?.fired ?? []);
        return report;
      } catch (e) {
        if (isCancelled(e)) {
          this.deps.log.info('monitor: cancelled');
          return undefined;
        }
        throw e;
      } finally {
        signal?.removeEventListener('abort', onAbort);
        if (this.running?.controller === controller) this.running = undefined;
        this.changed.fire();
      }
    })();
    this.running = { root, controller, done };
    this.changed.fire();
    return done;
  }

  /** One notification per new warning or critical alert, each at most once per window. */
  private announce(root: string, fired: readonly StoredAlert[]): void {
    for (const a of alertsToNotify(fired)) {
      const key = `${root}\u0000${a.id}`;
      if (this.notified.has(key)) continue;
      this.notified.add(key);
      const open = 'Open Drift Panel';
      const ack = 'Acknowledge';
      this.deps.prompts.notify(a.severity === 'critical' ? 'error' : 'warning', `ML Loop: ${a.severity} alert — ${a.title}`, [open, ack], (choice) => {
        if (choice === open) void vscode.commands.executeCommand(COMMAND_IDS.openDriftPanel, String(a.id));
        else if (choice === ack) {
          this.deps.alerts.acknowledge(String(a.id)).catch((e: unknown) => void vscode.window.showErrorMessage(`ML Loop: ${(e as Error).message}`));
        }
      });
    }
  }

  /** Reads the open alerts and the newest snapshots again (coalesced: see ../state/coalesce.ts). */
  reload(): Promise<void> {
    return this.reloadNow();
  }

  private async load(): Promise<void> {
    const root = this.deps.state.root;
    const snapshot = this.deps.state.snapshot;
    const summary = snapshot ? await this.deps.state.monitoring(SNAPSHOTS) : undefined;
    if (root !== this.deps.state.root || this.disposed) return;
    this.deps.alerts.replace((summary?.alerts ?? []).map(alertView));
    const share = snapshot?.config?.monitoring.drift.datasetShare ?? null;
    const view = summary ? monitoringView(summary.snapshots, share) : null;
    if (JSON.stringify(view) !== JSON.stringify(this.view)) {
      this.view = view;
      this.changed.fire();
    }
  }

  private requireStore(): ProjectState {
    if (!this.deps.state.root) throw new Error('There is no ML Loop project in this workspace.');
    return this.deps.state;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.running?.controller.abort();
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * The alerts the views show (Alerts tree, Drift & Alerts panel, dashboard, status bar): the
 * open alerts of the project's store (active and acknowledged; resolved ones leave the list),
 * as the monitor service last read them. Acknowledge and Resolve go to the store through a
 * backend (core's acknowledgeAlert / resolveAlert in the store worker), so they survive a
 * reload and every window and `mlloop alerts` see them; the list is then read again. Without a
 * backend (a provider a test feeds), they change the list in memory only.
 */
import * as vscode from 'vscode';
import { sortAlerts, type Alert } from '../../core/monitor/types';

/** Where acknowledgements and resolutions are recorded. */
export interface AlertBackend {
  /** @throws UserError (an unknown or resolved alert) */
  acknowledge(id: string): Promise<void>;
  resolve(id: string): Promise<void>;
}

export class AlertProvider implements vscode.Disposable {
  private list: Alert[] = [];
  private readonly changed = new vscode.EventEmitter<readonly Alert[]>();
  /** Fires with every alert (sorted) after replace(), acknowledge() or resolve() changed something. */
  readonly onDidChange = this.changed.event;

  /** @param backend records acknowledgements and resolutions (the store); none: in memory. */
  constructor(private backend?: AlertBackend) {}

  /** Records acknowledgements and resolutions through `backend` from now on. */
  connect(backend: AlertBackend): void {
    this.backend = backend;
  }

  /** Every open alert: unacknowledged first, then by severity, newest first. */
  get all(): readonly Alert[] {
    return this.list;
  }

  /** Unacknowledged alerts, most urgent first. */
  get active(): Alert[] {
    return this.list.filter((a) => !a.acknowledged);
  }

  get(id: string): Alert | undefined {
    return this.list.find((a) => a.id === id);
  }

  /**
   * Replaces the alerts with what the store (or a test) says. Without a backend an alert
   * acknowledged here stays acknowledged when the list repeats its id; with one, the store's
   * status is the truth.
   */
  replace(alerts: readonly Alert[]): void {
    const acknowledged = this.backend ? new Set<string>() : new Set(this.list.filter((a) => a.acknowledged).map((a) => a.id));
    const next = sortAlerts(alerts.map((a) => (acknowledged.has(a.id) ? { ...a, acknowledged: true } : { ...a })));
    if (JSON.stringify(next) === JSON.stringify(this.list)) return;
    this.list = next;
    this.changed.fire(this.list);
  }

  /**
   * Marks an alert as seen (it stays open). False when there is no such open alert or it was
   * already acknowledged. @throws UserError from the store (e.g. resolved meanwhile elsewhere).
   */
  async acknowledge(id: string): Promise<boolean> {
    const alert = this.get(id);
    if (!alert || alert.acknowledged) return false;
    if (this.backend) await this.backend.acknowledge(id);
    // The backend's re-read may have replaced the list already; this only marks what is still there.
    this.list = sortAlerts(this.list.map((a) => (a.id === id ? { ...a, acknowledged: true } : a)));
    this.changed.fire(this.list);
    return true;
  }

  /** Closes an alert: it leaves the list. False when there is no such open alert. */
  async resolve(id: string): Promise<boolean> {
    if (!this.get(id)) return false;
    if (this.backend) await this.backend.resolve(id);
    this.list = this.list.filter((a) => a.id !== id);
    this.changed.fire(this.list);
    return true;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * The alerts the views show (Alerts tree, Drift & Alerts panel, dashboard, status bar). It
 * holds what monitoring last reported; until monitoring is configured nothing reports, so it
 * is empty and the views show how monitoring starts.
 */
import * as vscode from 'vscode';
import { sortAlerts, type Alert } from '../../core/monitor/types';

export class AlertProvider implements vscode.Disposable {
  private list: Alert[] = [];
  private readonly changed = new vscode.EventEmitter<readonly Alert[]>();
  /** Fires with every alert (sorted) after replace() or acknowledge() changed something. */
  readonly onDidChange = this.changed.event;

  /** Every alert: unacknowledged first, then by severity, newest first. */
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
   * Replaces the alerts with a monitor's latest report. An alert the user already
   * acknowledged stays acknowledged when the report repeats its id.
   */
  replace(alerts: readonly Alert[]): void {
    const acknowledged = new Set(this.list.filter((a) => a.acknowledged).map((a) => a.id));
    this.list = sortAlerts(alerts.map((a) => (acknowledged.has(a.id) ? { ...a, acknowledged: true } : { ...a })));
    this.changed.fire(this.list);
  }

  /** Marks an alert as seen. False when there is no such alert or it was already acknowledged. */
  acknowledge(id: string): boolean {
    const alert = this.get(id);
    if (!alert || alert.acknowledged) return false;
    this.list = sortAlerts(this.list.map((a) => (a.id === id ? { ...a, acknowledged: true } : a)));
    this.changed.fire(this.list);
    return true;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * Alerts: what monitoring raises when live behaviour leaves the range the model was trained
 * and evaluated for (input drift, a falling live metric, calibration going off). Plain data,
 * shared by the monitor (which creates them), the extension (Alerts view, Drift & Alerts
 * panel, dashboard, status bar) and the CLI. No imports: pages may import these types too.
 */

/**
 * How urgent an alert is. `critical`: predictions are likely wrong now (act: roll back or
 * retrain); `warning`: something moved past its threshold (look); `info`: worth knowing.
 */
export type AlertSeverity = 'critical' | 'warning' | 'info';

/** Severities from most to least urgent (the order lists sort by). */
export const ALERT_SEVERITIES: readonly AlertSeverity[] = ['critical', 'warning', 'info'];

export interface Alert {
  /** Stable across refreshes, so acknowledging and focusing survive a reload. */
  id: string;
  severity: AlertSeverity;
  /** One line, e.g. "Input drift in petal_length". */
  title: string;
  /** What was measured on which window and what to do about it; plain text. */
  detail: string;
  /** The statistic that crossed its threshold, e.g. 'psi:petal_length', 'live_accuracy', 'ece'. */
  metric: string;
  /** Its measured value. */
  value: number;
  /** The configured threshold it crossed (above or below, as the metric's rule says). */
  threshold: number;
  /** When the alert was raised, ISO 8601. */
  createdAt: string;
  /** True once a user has seen it and said so; acknowledged alerts are not "active". */
  acknowledged: boolean;
}

/**
 * Order for lists: unacknowledged first, then by severity (critical first), then newest first.
 * Returns a new array; the input is not changed.
 */
export function sortAlerts(alerts: readonly Alert[]): Alert[] {
  const rank = (a: Alert) => ALERT_SEVERITIES.indexOf(a.severity);
  return [...alerts].sort(
    (a, b) => Number(a.acknowledged) - Number(b.acknowledged) || rank(a) - rank(b) || b.createdAt.localeCompare(a.createdAt),
  );
}

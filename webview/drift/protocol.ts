/**
 * Messages between the Drift & Alerts panel and its host (src/extension/drift/driftPanel.ts).
 * Types only; imported by both sides.
 *
 * Flow: the page posts `webview/ready`; the host answers with `drift/snapshot`; later
 * snapshots follow whenever the alerts or the project change, and `drift/focus` when the
 * user opens an alert from the Alerts view while the panel is already open.
 */
import type { Alert } from '../../src/core/monitor/types';

/** A drift decision (core's DriftLevel). `not_enough_data` is never shown as "no drift". */
export type DriftLevelView = 'none' | 'warning' | 'critical' | 'not_enough_data';

/** Reference vs current distribution of one column, as shares (each side sums to 1 when it has rows). */
export interface HistogramView {
  /** Bin or category labels: "< 1.2", "1.2 – 3.4", "≥ 9.1", "red", "(missing)". */
  labels: string[];
  reference: number[];
  current: number[];
  /** The counts behind the shares. */
  counts: { reference: number[]; current: number[] };
}

/** One column's test in one monitoring run. */
export interface ColumnView {
  name: string;
  type: string;
  /** 'ks', 'chi2', 'ks+missing', … */
  test: string;
  statistic: number | null;
  pValue: number | null;
  adjustedP: number | null;
  psi: number | null;
  /** Normalised Wasserstein (numeric) or Jensen–Shannon distance (others). */
  distance: number | null;
  /** What `distance` is: 'normalised Wasserstein' or 'Jensen–Shannon'. */
  distanceName: string;
  drift: DriftLevelView;
  n: { reference: number; current: number };
  histogram: HistogramView | null;
}

/** One feature in one earlier (or the latest) run, for drift over time. */
export interface DriftPoint {
  at: string;
  statistic: number | null;
  psi: number | null;
  distance: number | null;
  drift: DriftLevelView;
}

export interface LiveMetricView {
  name: string;
  value: number | null;
  lower: number | null;
  upper: number | null;
  n: number;
  champion: { value: number; lower: number | null; upper: number | null } | null;
  floor: number | null;
  direction: 'higher' | 'lower';
  status: 'ok' | 'warning' | 'critical' | 'not_enough_data';
  reason: string;
}

/** What the newest monitoring snapshot says, with every earlier snapshot's per-feature numbers. */
export interface MonitoringView {
  /** When the newest run happened (ISO). */
  at: string;
  model: string | null;
  /** Snapshots behind the charts (the newest last). */
  runs: number;
  reference: { n: number; kind: string | null };
  current: { n: number; from: string | null; to: string | null };
  features: ColumnView[];
  /** Per feature, its numbers in each stored run, oldest first. */
  history: Record<string, DriftPoint[]>;
  prediction: { n: number; drift: DriftLevelView; tests: ColumnView[] };
  dataset: { share: number | null; drifting: number; tested: number; drift: DriftLevelView; threshold: number | null };
  performance: {
    labelled: number;
    metrics: LiveMetricView[];
    latencyMs: { n: number; p50: number | null; p95: number | null; p99: number | null };
    fallback: { n: number; threshold: number | null; rate: number | null };
    acceptance: { judged: number; accepted: number; share: number | null };
  };
}

/** core's health report (ok / warning / critical and its checks). */
export interface HealthView {
  status: 'ok' | 'warning' | 'critical';
  checks: Array<{ name: string; status: 'ok' | 'warning' | 'critical'; detail: string }>;
  /** When it was computed (ISO). */
  at: string;
}

/** The extension's monitor: its timer and whether a run is under way. */
export interface MonitorRunView {
  running: boolean;
  /** Minutes between runs (mlloop.monitor.interval); 0 = off. */
  intervalMinutes: number;
  /** The last run's time and, when it could not monitor, why (no model yet …). */
  lastRun: { at: string; error: string | null } | null;
}

export interface DriftState {
  /** Null when the workspace has no ML Loop project. */
  project: { name: string } | null;
  /** The model monitoring compares live data with (the current model), when there is one. */
  currentModel: { version: string; createdAt: string } | null;
  /** Every alert, unacknowledged first, then most urgent, then newest. */
  alerts: Alert[];
  /** The alert to scroll to and highlight (opened from the Alerts view), if any. */
  focusAlertId: string | null;
  /** The newest monitoring snapshot and drift over time; null while none is stored. */
  monitoring: MonitoringView | null;
  health: HealthView | null;
  monitor: MonitorRunView;
}

/** What the page rendered, reported after each render (automation reads it). */
export interface DriftRendering {
  /** The visible text, whitespace collapsed. */
  text: string;
  /** Every button: its label and the control id `drift/press` takes. */
  buttons: Array<{ label: string; control: string; disabled: boolean }>;
  /** The alert shown highlighted, if any. */
  focusedAlertId: string | null;
  /** The feature whose histogram and history are drawn, if any. */
  selectedFeature: string | null;
  /** Titles of the charts drawn, each with its number of data points (0: an empty chart). */
  charts: Array<{ title: string; points: number }>;
}

export type DriftToPage =
  | { type: 'drift/snapshot'; state: DriftState }
  | { type: 'drift/focus'; alertId: string }
  /** Press the button with this control id as a user would (automation: the VS Code tests). */
  | { type: 'drift/press'; control: string }
  /** Pick the feature whose histogram and history are drawn (automation). */
  | { type: 'drift/selectFeature'; feature: string }
  /** Scroll a section into view (automation: screenshots of the lower sections). */
  | { type: 'drift/reveal'; section: DriftSection };

/** Sections of the page `drift/reveal` scrolls to. */
export type DriftSection = 'features' | 'feature' | 'predictions' | 'performance' | 'alerts';

export type DriftToHost =
  | { type: 'drift/acknowledge'; alertId: string }
  | { type: 'drift/resolve'; alertId: string }
  | { type: 'drift/runMonitor' }
  /** Sent after every render, so automation can check what a user sees. */
  | { type: 'drift/rendered'; rendering: DriftRendering };

/** What the page keeps across hide/show and window reload (webview setState; the serializer gets it back). */
export interface DriftPageState {
  schemaVersion: 1;
  showAcknowledged: boolean;
  focusAlertId: string | null;
  /** The feature picked for the histogram (kept across reloads). */
  feature?: string | null;
}

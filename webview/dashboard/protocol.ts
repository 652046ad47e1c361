/**
 * Messages between the dashboard view (the "ML Loop" sidebar's webview) and its host
 * (src/extension/sidebar/dashboardView.ts). Types only; imported by both sides.
 *
 * Flow: the page posts `webview/ready`; the host answers with `dashboard/snapshot` (the full
 * state); after that it posts a new snapshot whenever the project changes (rare: a run ends,
 * data is imported) and `dashboard/job` for the running job's progress (up to ~10 a second).
 * Buttons post the shared `webview/command` message with an `mlloop.*` command id.
 */
import type { Alert } from '../../src/core/monitor/types';
import type { TrackedJobKind } from '../../src/worker/protocol';

/** A metric as the dashboard shows it. */
export interface MetricView {
  /** scikit-learn key, e.g. 'accuracy'. */
  name: string;
  value: number;
  /** Bootstrap confidence interval on the test split, when the run computed one for this value. */
  interval?: { lower: number; upper: number; confidence: number };
  greaterIsBetter: boolean;
}

/** Calibration of the model shown, from its run's assessment on the test rows. */
export interface CalibrationView {
  /** 'none' when no calibrator is used (reason says why). */
  method: string;
  reason: string;
  /** Top-label ECE on the test rows with raw and with calibrated probabilities. */
  eceBefore: number;
  eceAfter: number;
}

export interface ModelView {
  version: string;
  /** 0 for a version imported from a bundle folder (no run trained it here). */
  runId: number;
  /** ISO 8601; the page shows it as "trained 3 minutes ago". */
  createdAt: string;
  /**
   * 'champion': the registry's champion alias names it; 'newest': nothing was promoted yet, so
   * the newest version serves (the registry's currentModel decides; the page only shows it).
   */
  role: 'champion' | 'newest';
  /** For the champion: when it became champion, how (promoted, forced, rolled back), by what, and the first reason. */
  championSince: { at: string; action: string; by: string; reason: string | null } | null;
  /** Why this model is the one shown, in a sentence (tooltips). */
  currentBecause: string;
  metrics: MetricView[];
  /** Null for regression, or when the run's assessment is gone (run deleted). */
  calibration: CalibrationView | null;
  /** Rows the model was evaluated on (test split), when known. */
  testRows: number | null;
}

export type HealthLevel = 'ok' | 'warning' | 'error' | 'running' | 'none';

/** The model's health at a glance (status bar, dashboard header). */
export interface HealthView {
  level: HealthLevel;
  /** A few words: "healthy", "run 4 failed", "ECE 0.121 is high", "training 12/300". */
  summary: string;
  /** One sentence per finding, for tooltips. */
  reasons: string[];
}

export interface RunSummaryView {
  id: number;
  status: 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';
  startedAt: string;
  durationMs: number | null;
  /** First line of the error, for failed runs. */
  error: string | null;
}

/** A retraining cycle as the dashboard shows it. */
export interface CycleView {
  id: number;
  /** What started it: 'command', 'schedule', 'labels', 'extension', 'watch'. */
  trigger: string;
  /** Its decision when it completed (promoted, rejected, skipped), else its status. */
  outcome: 'promoted' | 'rejected' | 'skipped' | 'running' | 'failed' | 'cancelled' | 'interrupted';
  /** "promoted v5", "rejected v6 (v5 stays)". */
  text: string;
  startedAt: string;
  finishedAt: string | null;
  champion: string | null;
  challenger: string | null;
  /** Every reason the gate (or the cycle) gave, in order. */
  reasons: string[];
  /** True when the cycle wrote a deployment report (mlloop.openDeploymentReport opens it). */
  hasReport: boolean;
}

/** The loop: the schedule, this window's watcher, the last cycle. */
export interface LoopView {
  /** Whether this window runs the schedule, and why not when it does not. */
  watcher: { running: boolean; text: string };
  /** Null while mlloop.yaml does not parse. */
  schedule: {
    cron: string;
    timezone: string;
    /** Next full retrain (ISO); null when schedule.cron is 'off'. */
    nextAt: string | null;
    due: boolean;
    /** schedule.incremental.every (0: off). */
    every: number;
    labelsSince: number;
  } | null;
  lastCycle: CycleView | null;
  /** A cycle running now (here or in another process). */
  running: CycleView | null;
  /** How many cycles the project has run. */
  cycles: number;
  /** Whether this build can take in the inbox (the Ingest Inbox button). */
  canIngest: boolean;
}

/** The running job, as the dashboard shows it. */
export interface JobView {
  kind: TrackedJobKind;
  /** e.g. "training". */
  title: string;
  startedAt: number;
  runId: number | null;
  backend: string | null;
  /** Epochs finished and the configured maximum (early stopping usually ends sooner). */
  epochsDone: number;
  totalEpochs: number | null;
  /** Last epoch's losses, when training. */
  loss: number | null;
  valLoss: number | null;
  /** val_loss per finished epoch (the last 300), for the sparkline. */
  valLossHistory: number[];
  /** Latest progress message of import/evaluate jobs. */
  message: string | null;
}

export interface DashboardState {
  /** False until the project state has been read once (the page shows "Loading…"). */
  loaded: boolean;
  /** Null when the workspace has no mlloop.yaml. */
  project: {
    name: string;
    /** Folder relative to the workspace, '' for the workspace root. */
    folder: string;
    task: string | null;
    /** Problems in mlloop.yaml (0 when it parses). */
    configProblems: number;
  } | null;
  model: ModelView | null;
  loop: LoopView;
  data: { examples: number; examplesSinceLastRun: number; runs: number; models: number };
  lastRun: RunSummaryView | null;
  health: HealthView;
  job: JobView | null;
  /** Unacknowledged alerts, most urgent first (at most 5), and how many there are in all. */
  alerts: { active: Alert[]; activeCount: number };
  /** The server card (`mlloop serve`: this window's, or one another process records in the store); absent in older hosts. */
  server?: ServerCardView;
  /** The experiment card (null without `experiment:` in mlloop.yaml). */
  experiment?: ExperimentCardView | null;
  /** Monitoring's health and newest run (its own card; absent in a state built without the monitor). */
  monitoring?: DashboardMonitoring;
}

/**
 * A running `mlloop serve` as the server card shows it: the one this window started when there
 * is one, else the newest the store records. Numbers are the server's own (its heartbeat every
 * 5 s): requests/s and latency over its last minute.
 */
export interface ServerCardView {
  /**
   * 'starting': this window spawned it and waits for its address; 'live': its heartbeat is
   * recent; 'stale': recorded as running but silent for 30 s (killed, or its machine is off);
   * 'stopped': this window's server ended (message says how); 'none': no server.
   */
  status: 'starting' | 'live' | 'stale' | 'stopped' | 'none';
  /** Who runs it: this window (Stop stops it), another process on this machine, or another machine. */
  origin: 'window' | 'host' | 'remote' | null;
  url: string | null;
  host: string | null;
  pid: number | null;
  model: string | null;
  requestsPerSecond: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Predictions served since it started, and the share that fell back. */
  predictions: number | null;
  fallbackRate: number | null;
  /** Served predictions not yet written to the store. */
  pendingLog: number | null;
  startedAt: string | null;
  heartbeatAt: string | null;
  experiment: { name: string; active: boolean } | null;
  shadow: string | null;
  auth: boolean | null;
  /** Other servers the store records as running (live or stale). */
  others: number;
  /** How this window's server ended, or why it could not start. */
  message: string | null;
  /** Whether Start Server makes sense (a model exists and no server of this window runs). */
  canStart: boolean;
}

/** One arm of the experiment. */
export interface ExperimentArmView {
  name: string;
  /** The version it serves, or null for the fallback arm (the app's own rule). */
  serves: string | null;
  /** Weight as a share of the total (0..1). */
  share: number;
  /** Units assigned, and units with an outcome. */
  assigned: number;
  n: number;
  mean: number | null;
  interval: { lower: number; upper: number } | null;
  /** This arm minus the control, with its interval and p-value (null for the control). */
  difference: { value: number; lower: number; upper: number; confidence: number; pValue: number; test: string; significant: boolean; better: string | null } | null;
}

/** The experiment of mlloop.yaml and its analysis (`mlloop experiment`). */
export interface ExperimentCardView {
  name: string;
  status: 'not_started' | 'running' | 'stopped';
  startedAt: string | null;
  stoppedAt: string | null;
  /** 'rate' (shown as percentages) or 'mean'. */
  outcome: string;
  goal: string;
  control: string;
  arms: ExperimentArmView[];
  /** Whether the differences are on the decision sample (false: interim numbers). */
  final: boolean;
  requiredPerArm: number | null;
  decidedOn: number | null;
  decision: 'keep_running' | 'winner' | 'no_difference';
  winner: string | null;
  /** Why, in sentences (the first says the decision). */
  reasons: string[];
  /** The sample-ratio check (null before any unit is assigned). */
  srm: { pValue: number; alpha: number; mismatch: boolean } | null;
  /** Set when the report could not be read (the card says it instead of the numbers). */
  error: string | null;
}

/** The dashboard's Monitoring card: core's health checks and what the newest monitoring run found. */
export interface DashboardMonitoring {
  /** core's projectHealth from the last run in this window (null until one ran). */
  health: { status: 'ok' | 'warning' | 'critical'; at: string; checks: Array<{ name: string; status: 'ok' | 'warning' | 'critical'; detail: string }> } | null;
  running: boolean;
  /** mlloop.monitor.interval (0: the timer is off). */
  intervalMinutes: number;
  /** Why the last run could not monitor (no model yet …), if so. */
  error: string | null;
  /** The newest stored snapshot (null: monitoring has not run on this project). */
  latest: {
    at: string;
    predictions: number;
    dataset: { share: number | null; drift: 'none' | 'warning' | 'critical' | 'not_enough_data' };
    /** Features that drift (warning or critical), worst first. */
    drifting: Array<{ name: string; drift: 'warning' | 'critical' }>;
  } | null;
}

/** What the page rendered, reported after each render (automation reads it; see DashboardToHost). */
export interface DashboardRendering {
  /** The visible text of the page, whitespace collapsed. */
  text: string;
  /** Every command button: its label, the command it runs, whether it is enabled. */
  buttons: Array<{ label: string; command: string; disabled: boolean }>;
  /** The job progress bar when one is shown. */
  progress: { value: number; max: number } | null;
}

export type DashboardToPage =
  | { type: 'dashboard/snapshot'; state: DashboardState }
  | { type: 'dashboard/job'; job: JobView | null }
  /** Press the page's button for `command` as a user would (automation: the VS Code tests). */
  | { type: 'dashboard/press'; command: string }
  /** Scroll a card into view (automation: screenshots of the lower cards). */
  | { type: 'dashboard/reveal'; section: 'model' | 'loop' | 'data' | 'alerts' | 'server' | 'experiment' };

export type DashboardToHost =
  /**
   * Sent after every render so automation (the VS Code tests) can check what a user sees
   * without reaching into the webview's DOM, which the extension host cannot do.
   */
  { type: 'dashboard/rendered'; rendering: DashboardRendering };

/** What the page keeps across hide/show and reload (webview setState). */
export interface DashboardPageState {
  /** 2 since the loop's fields (model role, loop); a state saved by version 1 is dropped. */
  schemaVersion: 2;
  /** The last snapshot, drawn at once while the host sends a fresh one. */
  state: DashboardState | null;
}

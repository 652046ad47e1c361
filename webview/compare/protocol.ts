/**
 * Messages between the compare panel (webview/compare) and its host (src/extension/compare).
 * Types only; imported by both sides.
 *
 * Order: the page posts `webview/ready`; the host answers with `compare/snapshot` (the runs,
 * their metrics with deltas against the first run, curves, confusion-matrix differences and
 * the state of the changed-predictions job); `compare/changes` follows whenever the
 * changed-predictions job for a pair starts, finishes or fails. The page asks for another
 * pair with `compare/selectOther`.
 */
import type { CurvePoints } from '../../src/core/evaluate/report';
import type { PredictionChanges } from '../../src/core/jobs/compareTypes';
import type { EpochLogs, RunTask } from '../run/protocol';

/** The webview panel type (package.json activationEvents: onWebviewPanel:mlloop.compare). */
export const COMPARE_PANEL_VIEW_TYPE = 'mlloop.compare';

export type CompareTab = 'metrics' | 'curves' | 'confusion' | 'changes';
export const COMPARE_TABS: readonly CompareTab[] = ['metrics', 'curves', 'confusion', 'changes'];

/** One run as the compare panel shows it. */
export interface ComparedRun {
  id: number;
  status: string;
  modelVersion: string | null;
  startedAt: string;
  durationMs: number | null;
  task: RunTask;
  classes: string[];
  /** Test metrics (scikit-learn names). */
  metrics: Record<string, number>;
  /** Bootstrap intervals of the metrics, when the run computed them. */
  intervals: Record<string, { lower: number; upper: number }>;
  confidence: number | null;
  /** Rows of the test split. */
  testRows: number | null;
  epochs: EpochLogs[];
  bestEpoch: number | null;
  /** ROC curves (binary: one; multiclass: one per class, one-vs-rest). */
  roc: Array<{ label: string; curve: CurvePoints }>;
  confusionMatrix: number[][] | null;
  /** "mlp [16] relu, dropout 0.1" / "logistic, l2 0.0001". */
  model: string;
  /** The calibrator and its test ECE, e.g. "temperature, ECE 0.0297 → 0.0237"; "none"; "—" when not recorded. */
  calibration: string;
}

/** One metric across the runs. */
export interface MetricComparisonRow {
  key: string;
  label: string;
  direction: 'higher' | 'lower';
  /** Value per run, in run order (null where the run lacks it). */
  values: Array<number | null>;
  /** value − first run's value (null for the first run and where either is missing). */
  deltas: Array<number | null>;
  /** +1 better than the first run, −1 worse, 0 the same, null for the first run or missing values. */
  verdicts: Array<-1 | 0 | 1 | null>;
}

/** A config setting that differs between the runs (dotted path, e.g. "model.hidden"). */
export interface ConfigDifference {
  path: string;
  /** JSON text of the value per run (undefined → "—"). */
  values: string[];
}

/** Confusion matrix of a run minus that of the first run (same classes only). */
export interface ConfusionDifference {
  baseRunId: number;
  otherRunId: number;
  labels: string[];
  base: number[][] | null;
  other: number[][] | null;
  /** other − base, or null with `reason` when they cannot be subtracted. */
  difference: number[][] | null;
  reason?: string;
}

/** The changed-predictions job for one pair (first run vs another). */
export type ChangesState =
  | { status: 'computing'; baseRunId: number; otherRunId: number }
  | { status: 'done'; baseRunId: number; otherRunId: number; result: PredictionChanges }
  | { status: 'failed'; baseRunId: number; otherRunId: number; message: string };

export interface CompareSnapshot {
  root: string;
  projectName: string;
  /** In the order given; the first is the baseline of every delta. */
  runs: ComparedRun[];
  /** Run ids that were asked for but are missing or did not complete, with why. */
  skipped: Array<{ id: number; reason: string }>;
  metricRows: MetricComparisonRow[];
  configDifferences: ConfigDifference[];
  /** One per run after the first. */
  confusion: ConfusionDifference[];
  /** The pairs computed or computing so far. */
  changes: ChangesState[];
}

export type CompareToPage =
  | { type: 'compare/snapshot'; snapshot: CompareSnapshot }
  | { type: 'compare/changes'; changes: ChangesState }
  /** Show a tab (the command was asked to open the comparison at it). */
  | { type: 'compare/showTab'; tab: CompareTab };

export type CompareToHost =
  /** Compute (or send the cached) changed predictions of the first run vs `otherRunId`. */
  | { type: 'compare/selectOther'; otherRunId: number }
  | { type: 'compare/openRun'; runId: number }
  /** What the page has drawn (the host keeps the latest; tests read it). */
  | { type: 'compare/rendered'; rendered: CompareRendered };

export interface CompareRendered {
  runIds: number[];
  tab: CompareTab;
  metricRows: number;
  /** Sections drawn: 'metrics', 'config', 'loss', 'roc', 'confusion', 'changes'. */
  sections: string[];
  otherRunId: number | null;
  changes: ChangesState['status'] | 'none';
  /** Rows in the changed-predictions table. */
  changedRows: number;
}

/** What the page keeps with setState (the serializer reads runIds/root). */
export interface ComparePageState {
  runIds: number[];
  root: string;
  tab: CompareTab;
  /** The run compared with the first in the confusion and changes tabs. */
  otherRunId: number | null;
  /** Multiclass ROC: which class's curves to overlay. */
  rocClass: string | null;
}

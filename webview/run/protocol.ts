/**
 * Messages between the run panel (webview/run) and its host (src/extension/runPanel).
 * Types only; imported by both sides.
 *
 * Order: the page posts `webview/ready`; the host answers with `run/snapshot` (everything
 * known about the run now); while the run trains, `run/epoch` per finished epoch; when
 * training ends, `run/finished` (final status, best epoch, early-stop point, the stored
 * epochs); then `run/evaluation` once the completed run's evaluation is read. A page that is
 * shown again (or restored after a reload) posts `webview/ready` again and gets a new snapshot.
 */
import type { EvaluationReport } from '../../src/core/evaluate/report';
import type { CalibrationRecord, ImportanceRecord } from '../../src/core/jobs/assess';
import type { EpochLogs } from '../../src/core/engine/epochLogs';
import type { ModelSelection } from '../../src/core/engine/selection';

export type { EpochLogs } from '../../src/core/engine/epochLogs';

/** The webview panel type (package.json activationEvents: onWebviewPanel:mlloop.run). */
export const RUN_PANEL_VIEW_TYPE = 'mlloop.run';

export type RunTab = 'training' | 'metrics' | 'curves' | 'calibration' | 'importance';
export const RUN_TABS: readonly RunTab[] = ['training', 'metrics', 'curves', 'calibration', 'importance'];

export type RunTask = 'binary' | 'multiclass' | 'regression';

/** One finished epoch, as the engine reports it (src/core/engine/epochLogs.ts). */
/** What the header and the training chart need to know about a run. */
export interface RunSummary {
  id: number;
  /** Project folder (the serializer reopens the panel on it after a reload). */
  root: string;
  projectName: string;
  status: 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  backend: string | null;
  modelVersion: string | null;
  task: RunTask;
  /** Class names in index order ([] for regression or before the evaluation exists). */
  classes: string[];
  /** Rows per split and other counts the training job recorded. */
  dataCounts: Record<string, number>;
  /** training.epochs of the run's config: the most epochs it may run. */
  configuredEpochs: number | null;
  /** Early stopping as configured (monitor resolved to 'loss' when there is no validation set). */
  earlyStopping: { enabled: boolean; monitor: string; patience: number; minDelta: number } | null;
  /** Why the run failed. */
  error: string | null;
  /** True when .mlloop/reports/run-<id>.html exists. */
  reportAvailable: boolean;
  /** Other completed runs of the project (for "Compare with…"). */
  comparableRuns: number;
}

/** What a completed run recorded about its model (RunRecord.details). */
export interface RunEvaluation {
  evaluation: EvaluationReport | null;
  calibration: CalibrationRecord | null;
  importance: ImportanceRecord | null;
  /** model: auto — the candidates and the choice; null (or absent, in older runs) for an explicit model. */
  selection?: ModelSelection | null;
}

export interface RunSnapshot {
  summary: RunSummary;
  /** Epochs so far (live while training), 1-based, in order. */
  epochs: EpochLogs[];
  /** Best epoch by the monitored value, once training ended. */
  bestEpoch: number | null;
  /** The epoch at which early stopping ended training, when it did. */
  stoppedAt: number | null;
  /** True while this window's job worker trains the run (epochs arrive live). */
  live: boolean;
  evaluation: RunEvaluation | null;
}

export type RunToPage =
  | { type: 'run/snapshot'; snapshot: RunSnapshot }
  | { type: 'run/epoch'; runId: number; logs: EpochLogs }
  | { type: 'run/finished'; summary: RunSummary; epochs: EpochLogs[]; bestEpoch: number | null; stoppedAt: number | null }
  | { type: 'run/evaluation'; runId: number; evaluation: RunEvaluation }
  /** Show a tab (e.g. the command was asked to open the run at its calibration). */
  | { type: 'run/showTab'; tab: RunTab }
  /** The run does not exist (deleted, or the store is gone). */
  | { type: 'run/missing'; runId: number; message: string };

export type RunToHost =
  | { type: 'run/openReport' }
  | { type: 'run/compareWith' }
  /**
   * What the page has drawn, after each snapshot or update is rendered: the host keeps the
   * latest (tests read it; it is the page's acknowledgement that updates arrived).
   */
  | { type: 'run/rendered'; rendered: RunRendered };

export interface RunRendered {
  runId: number;
  tab: RunTab;
  /** Points on the loss chart. */
  epochs: number;
  status: RunSummary['status'];
  /** Sections drawn from the evaluation (ids like 'metrics', 'model', 'confusion', 'roc', 'pr', 'reliability', 'importance', 'regression'). */
  sections: string[];
  bestEpoch: number | null;
  stoppedAt: number | null;
}

/** What the page keeps with setState (survives hide/show and reload; the serializer reads runId/root). */
export interface RunPageState {
  runId: number;
  root: string;
  tab: RunTab;
  /** Confusion matrix shows row-normalised shares instead of counts. */
  normalised: boolean;
}

/**
 * From stored run records to what the run panel draws (webview/run/protocol.ts). Pure: no
 * 'vscode', no file system, so the rules (early-stop point, monitored value) are unit-tested.
 */
import type { EpochLogs } from '../../core/engine/fit';
import type { EpochRecord, RunRecord } from '../../core/store/types';
import type { RunEvaluation, RunSummary, RunTask } from '../../../webview/run/protocol';

/** Reads `obj.key` of stored JSON without trusting its shape. */
function field(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
}

function finiteNumber(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Stored epochs ({epoch, logs}) as the engine's EpochLogs, sorted by epoch. */
export function epochLogsOf(records: readonly EpochRecord[]): EpochLogs[] {
  return records.map((r) => ({ ...r.logs, epoch: r.epoch }) as EpochLogs).sort((a, b) => a.epoch - b.epoch);
}

/**
 * The run's summary for the panel header and training chart.
 * @param extra facts the store does not hold: project folder and name, whether the HTML
 *   report exists, how many other completed runs there are.
 */
export function runSummary(run: RunRecord, extra: { root: string; projectName: string; reportAvailable: boolean; comparableRuns: number }): RunSummary {
  const config = run.config;
  const training = field(config, 'training');
  const early = field(training, 'earlyStopping');
  const task = field(config, 'task');
  const counts: Record<string, number> = {};
  for (const [k, v] of Object.entries(run.dataCounts ?? {})) if (typeof v === 'number' && Number.isFinite(v)) counts[k] = v;
  const evaluation = field(run.details, 'evaluation');
  const classes = field(evaluation, 'classes');
  const configuredMonitor = field(early, 'monitor');
  // The trainer watches the training loss when there is no validation set (fit.ts).
  const hasValidation = (counts.validation ?? 1) > 0;
  const monitor = typeof configuredMonitor === 'string' && (hasValidation || !configuredMonitor.startsWith('val_')) ? configuredMonitor : hasValidation ? 'val_loss' : 'loss';
  // A model: auto refit trains a fixed number of epochs (the selection run's best epoch) without early stopping.
  const refit = field(field(run.details, 'selection'), 'refit');
  const refitEpochs = field(refit, 'done') === true ? finiteNumber(field(refit, 'epochs')) : null;
  return {
    id: run.id,
    root: extra.root,
    projectName: extra.projectName,
    status: run.status,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs: run.durationMs,
    backend: run.backend,
    modelVersion: run.modelVersion,
    task: task === 'binary' || task === 'multiclass' || task === 'regression' ? (task as RunTask) : 'multiclass',
    classes: Array.isArray(classes) ? classes.map(String) : [],
    dataCounts: counts,
    configuredEpochs: refitEpochs ?? finiteNumber(field(training, 'epochs')),
    earlyStopping:
      early !== undefined
        ? {
            enabled: refitEpochs === null && field(early, 'enabled') === true,
            monitor,
            patience: finiteNumber(field(early, 'patience')) ?? 0,
            minDelta: finiteNumber(field(early, 'minDelta')) ?? 0,
          }
        : null,
    error: run.error,
    reportAvailable: extra.reportAvailable,
    comparableRuns: extra.comparableRuns,
  };
}

/**
 * The epoch at which early stopping ended training: the last epoch, when early stopping is
 * on, the run completed, and it ran fewer epochs than configured. Null otherwise (ran to the
 * end, failed, cancelled, still running, or no epochs).
 */
export function earlyStopEpoch(summary: Pick<RunSummary, 'status' | 'configuredEpochs' | 'earlyStopping'>, epochs: readonly EpochLogs[]): number | null {
  if (summary.status !== 'completed' || !summary.earlyStopping?.enabled || epochs.length === 0) return null;
  const last = epochs[epochs.length - 1].epoch;
  return summary.configuredEpochs !== null && last < summary.configuredEpochs ? last : null;
}

/** The evaluation a completed run stored in `details`, or null when it has none. */
export function runEvaluationOf(run: RunRecord): RunEvaluation | null {
  const details = run.details;
  if (!details) return null;
  const evaluation = field(details, 'evaluation');
  if (!evaluation || typeof evaluation !== 'object') return null;
  return {
    evaluation: evaluation as RunEvaluation['evaluation'],
    calibration: (field(details, 'calibration') ?? null) as RunEvaluation['calibration'],
    importance: (field(details, 'importance') ?? null) as RunEvaluation['importance'],
    selection: (field(details, 'selection') ?? null) as RunEvaluation['selection'],
  };
}

/**
 * The run id a command argument names: a number, a numeric string, or an object with a
 * numeric `runId` or `id` (tree items, other extensions). Undefined when there is none.
 */
export function runIdFromArgument(arg: unknown): number | undefined {
  const asId = (v: unknown): number | undefined => {
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
  };
  if (arg !== null && typeof arg === 'object') {
    const o = arg as Record<string, unknown>;
    return asId(o.runId) ?? asId(o.id) ?? asId(field(o.run, 'id'));
  }
  return asId(arg);
}

/**
 * Which examples two runs' models predict differently: both runs' bundles score the test
 * split of the newer run (the rows neither model trained on when the newer run's split holds
 * out at least the rows the older one did — the split is a seeded function of the examples,
 * so the newer split is what the newer model is judged on), and the rows whose prediction
 * changed are listed with both predictions and the true label.
 *
 * Node only (tfjs, the store, the file system): run it in the job worker, never on the
 * extension host thread. Never imports 'vscode'.
 */
import path from 'node:path';
import { classLabelText } from '../data/labels';
import { initBackend } from '../engine/backend';
import type { ProjectConfig } from '../project/types';
import type { ProjectContext } from '../context/projectContext';
import { ensureBundleOnDisk } from '../registry/versions';
import type { RunRecord, Store } from '../store/types';
import { throwIfAborted, UserError } from '../util/errors';
import { loadBundle } from '../registry/bundle';
import { predictRecords, type Prediction } from '../registry/predict';
import { planSplit, recordsAtPositions, selectionFilter } from './dataset';
import { modelSelection } from './evaluate';
import { runConfigOf } from './runRecord';
import type { ComparedPrediction, PredictionChangeRow, PredictionChanges } from './compareTypes';
import type { BackendPreference } from './train';

export type { ComparedPrediction, PredictionChangeRow, PredictionChanges } from './compareTypes';

export interface ComparePredictionsOptions {
  ctx: ProjectContext;
  /** The reference run ("A"); its model's predictions are `base`. */
  baseRunId: number;
  /** The run compared with it ("B"); its model's predictions are `other`. */
  otherRunId: number;
  /** Most rows returned. Default 200. */
  limit?: number;
  backend?: BackendPreference;
  signal?: AbortSignal;
}

/** Default cap on rows returned: enough to read through, small enough to post to a webview. */
export const DEFAULT_CHANGED_ROWS_LIMIT = 200;

async function completedRunWithModel(store: Store, id: number): Promise<RunRecord & { modelVersion: string }> {
  const run = await store.getRun(id);
  if (!run) throw new UserError(`There is no run ${id} in this project.`);
  if (run.status !== 'completed' || !run.modelVersion) {
    throw new UserError(`Run ${id} is ${run.status} and has no model; compare runs that completed.`);
  }
  return run as RunRecord & { modelVersion: string };
}

function comparable(p: Prediction): ComparedPrediction {
  return 'value' in p ? { value: p.value } : { label: p.label, confidence: p.confidence };
}

/**
 * Scores the newer run's test split with both runs' models and lists the rows whose
 * prediction changed (see the file doc and {@link PredictionChanges} for order and counts).
 * @throws UserError when a run is missing, did not complete, has no bundle on disk, or the
 *   two models do not predict the same kind of thing (classification vs regression);
 *   CancelledError when `signal` aborts.
 */
export async function comparePredictions(opts: ComparePredictionsOptions): Promise<PredictionChanges> {
  if (opts.baseRunId === opts.otherRunId) throw new UserError('Choose two different runs to compare.');
  const limit = Math.max(0, Math.floor(opts.limit ?? DEFAULT_CHANGED_ROWS_LIMIT));
  const { store, paths } = opts.ctx;
  const base = await completedRunWithModel(store, opts.baseRunId);
  const other = await completedRunWithModel(store, opts.otherRunId);
  const newer = base.id > other.id ? base : other;
  const baseModel = await store.getModel(base.modelVersion);
  const otherModel = await store.getModel(other.modelVersion);
  if (!baseModel || !otherModel) throw new UserError(`The model of run ${!baseModel ? base.id : other.id} is no longer in the store.`);
  await initBackend(opts.backend ?? 'auto');
  throwIfAborted(opts.signal);
  const baseBundle = await loadBundle(await ensureBundleOnDisk(store, paths, baseModel));
  const otherBundle = await loadBundle(await ensureBundleOnDisk(store, paths, otherModel));
  const regression = baseBundle.card.task === 'regression';
  if (regression !== (otherBundle.card.task === 'regression')) {
    throw new UserError(`Run ${base.id} is ${baseBundle.card.task} and run ${other.id} is ${otherBundle.card.task}: their predictions cannot be compared row by row.`);
  }

  // The newer run's split, rebuilt from the examples it saw (id ≤ its card's maxExampleId).
  const newerBundle = newer === base ? baseBundle : otherBundle;
  const newerConfig = runConfigOf(newer, opts.ctx.config);
  const plan = await planSplit(store, newerConfig, selectionFilter(modelSelection(newerBundle)), opts.signal);
  const testRows = await recordsAtPositions(store, plan, plan.split.test, opts.signal);
  const records = testRows.map((e) => e.record);
  throwIfAborted(opts.signal);
  const basePredictions = predictRecords(baseBundle, records);
  throwIfAborted(opts.signal);
  const otherPredictions = predictRecords(otherBundle, records);

  const all: Array<PredictionChangeRow & { order: number }> = [];
  let fixed = 0;
  let broke = 0;
  for (let i = 0; i < testRows.length; i++) {
    const a = basePredictions[i];
    const b = otherPredictions[i];
    const example = testRows[i];
    let kind: PredictionChangeRow['kind'];
    let order: number;
    let actual: string | number;
    if ('value' in a && 'value' in b) {
      actual = Number(example.label);
      if (Math.abs(a.value - b.value) <= 1e-6 * Math.max(1, Math.abs(a.value), Math.abs(b.value))) continue;
      const errA = Math.abs(a.value - actual);
      const errB = Math.abs(b.value - actual);
      kind = errB < errA ? 'fixed' : errB > errA ? 'broke' : 'changed';
      order = -Math.abs(a.value - b.value);
    } else if ('label' in a && 'label' in b) {
      if (a.label === b.label) continue;
      actual = classLabelText(example.label);
      kind = b.label === actual ? 'fixed' : a.label === actual ? 'broke' : 'changed';
      // broke before fixed before changed; within each, the largest confidence swing first.
      const rank = kind === 'broke' ? 0 : kind === 'fixed' ? 1 : 2;
      order = rank * 10 - Math.abs(a.confidence - b.confidence);
    } else {
      continue;
    }
    if (kind === 'fixed') fixed++;
    else if (kind === 'broke') broke++;
    all.push({
      exampleId: example.id,
      source: example.source,
      sourceLine: example.sourceLine,
      record: example.record,
      actual,
      base: comparable(a),
      other: comparable(b),
      kind,
      order,
    });
  }
  all.sort((x, y) => x.order - y.order || x.exampleId - y.exampleId);
  return {
    task: newerBundle.card.task,
    baseRunId: base.id,
    otherRunId: other.id,
    baseVersion: base.modelVersion,
    otherVersion: other.modelVersion,
    on: `test split of run ${newer.id}`,
    n: testRows.length,
    changed: all.length,
    fixed,
    broke,
    rows: all.slice(0, limit).map(({ order: _order, ...row }) => row),
    features: newerConfig.features.map((f) => f.name),
    label: newerConfig.label,
  };
}

/**
 * Shadow mode's evidence: how often a shadow model disagrees with the model that served, and —
 * on the predictions whose true label became known through feedback or outcomes — both
 * models' live metrics on the very same predictions, with a paired test: McNemar's for
 * classification (on the predictions exactly one of them got right), a paired t-test on the
 * absolute errors for regression. Real traffic, not a held-out window.
 *
 * Pure analysis (shadowAnalysis) plus the read of the store (shadowReport).
 */
import type { ProjectContext } from '../context/projectContext';
import type { Task } from '../project/types';
import { mcnemarTest, type McNemarResult } from '../registry/gateStats';
import type { Label, ShadowComparison, StoredFeedback, StoredOutcome } from '../store/types';
import { UserError } from '../util/errors';
import { studentTSurvival } from './distributions';
import { meanInterval, summarise, type Interval } from './stats';

/** The true label of a prediction, as feedback and outcomes tell it (null: not known). */
export type TruthSource = 'feedback' | 'accepted' | 'outcome';

/**
 * What the users said the right answer was, per prediction: the latest (by time) of a
 * feedback label, an accepted suggestion (its served label), an outcome's label (regression:
 * its value or label). A bare rejection says only that the served label was wrong: it is kept
 * as `notLabel` (the shadow is then right only if it said something else — unknown, so such
 * predictions are left out of the paired comparison unless the shadow said the same label).
 */
export function truths(
  task: Task,
  served: Map<string, { label?: Label; value?: number }>,
  feedback: readonly StoredFeedback[],
  outcomes: readonly StoredOutcome[],
): Map<string, { label?: Label; notLabel?: Label; time: string; source: TruthSource }> {
  const out = new Map<string, { label?: Label; notLabel?: Label; time: string; source: TruthSource }>();
  const put = (id: string, t: { label?: Label; notLabel?: Label; time: string; source: TruthSource }) => {
    const prev = out.get(id);
    if (!prev || prev.time <= t.time) out.set(id, t);
  };
  for (const f of feedback) {
    const s = served.get(f.prediction);
    if (!s) continue;
    if (f.label !== undefined) put(f.prediction, { label: f.label, time: f.time, source: 'feedback' });
    else if (f.accepted === true && task !== 'regression' && s.label !== undefined) put(f.prediction, { label: s.label, time: f.time, source: 'accepted' });
    else if (f.accepted === false && task !== 'regression' && s.label !== undefined) put(f.prediction, { notLabel: s.label, time: f.time, source: 'feedback' });
  }
  for (const o of outcomes) {
    if (!served.has(o.prediction)) continue;
    if (task === 'regression') {
      const v = o.value ?? (typeof o.label === 'number' ? o.label : undefined);
      if (v !== undefined) put(o.prediction, { label: v, time: o.time, source: 'outcome' });
    } else if (o.label !== undefined) put(o.prediction, { label: o.label, time: o.time, source: 'outcome' });
  }
  return out;
}

export interface ShadowAnalysis {
  /** The shadow version. */
  model: string;
  /** The versions that served the shadowed predictions, with counts. */
  servedBy: Record<string, number>;
  /** Shadowed predictions. */
  predictions: number;
  /** Classification: the labels differ. Regression: |served − shadow| > tolerance. */
  disagreements: number;
  disagreementRate: number | null;
  /** Regression: mean |served − shadow|. */
  meanAbsoluteDifference?: number;
  /** Predictions with a known true label (see truths), compared pairwise. */
  labelled: number;
  /** Live metric of each model on the labelled predictions: accuracy (classification) or mae (regression). */
  metric: 'accuracy' | 'mae';
  served: number | null;
  shadow: number | null;
  /** shadow − served (for mae, negative is better). */
  difference: number | null;
  /** Classification: McNemar's test (pValue one-sided: the shadow is more accurate). */
  mcnemar?: McNemarResult;
  /** Regression: paired t-test on served |error| − shadow |error| (pValue one-sided: the shadow errs less), and its 95% interval. */
  pairedT?: { meanImprovement: number; interval: Interval | null; pValue: number | null; n: number };
  /** A sentence for people. */
  summary: string;
}

/**
 * The comparison of one shadow version with what served.
 * @param tolerance regression: a difference above this is a disagreement (default 0: any).
 */
export function shadowAnalysis(task: Task, model: string, rows: readonly ShadowComparison[], truth: ReturnType<typeof truths>, tolerance = 0): ShadowAnalysis {
  const servedBy: Record<string, number> = {};
  let disagreements = 0;
  let absDiff = 0;
  const regression = task === 'regression';
  // Paired outcomes on labelled predictions.
  let bothRight = 0;
  let servedOnly = 0;
  let shadowOnly = 0;
  let neither = 0;
  const improvement: number[] = [];
  let servedErr = 0;
  let shadowErr = 0;
  for (const r of rows) {
    servedBy[r.served.model] = (servedBy[r.served.model] ?? 0) + 1;
    if (regression) {
      const d = Math.abs((r.served.output.value ?? NaN) - (r.shadow.output.value ?? NaN));
      absDiff += d;
      if (d > tolerance) disagreements++;
    } else if (r.served.output.label !== r.shadow.output.label) disagreements++;
    const t = truth.get(r.prediction);
    if (!t) continue;
    if (regression) {
      if (typeof t.label !== 'number') continue;
      const es = Math.abs((r.served.output.value ?? NaN) - t.label);
      const eh = Math.abs((r.shadow.output.value ?? NaN) - t.label);
      if (!Number.isFinite(es) || !Number.isFinite(eh)) continue;
      servedErr += es;
      shadowErr += eh;
      improvement.push(es - eh);
    } else {
      let sRight: boolean;
      let hRight: boolean;
      if (t.label !== undefined) {
        sRight = String(r.served.output.label) === String(t.label);
        hRight = String(r.shadow.output.label) === String(t.label);
      } else {
        // Only "the served label is wrong": the shadow is known wrong only when it said the same.
        if (String(r.shadow.output.label) !== String(t.notLabel)) continue;
        sRight = false;
        hRight = false;
      }
      if (sRight && hRight) bothRight++;
      else if (sRight) servedOnly++;
      else if (hRight) shadowOnly++;
      else neither++;
    }
  }
  const n = rows.length;
  const base = { model, servedBy, predictions: n, disagreements, disagreementRate: n ? disagreements / n : null };
  if (regression) {
    const m = improvement.length;
    const s = summarise(improvement);
    let pValue: number | null = null;
    if (m >= 2) {
      const se = Math.sqrt(s.variance / m);
      pValue = se === 0 ? (s.mean > 0 ? 0 : 1) : studentTSurvival(s.mean / se, m - 1);
    }
    const served = m ? servedErr / m : null;
    const shadow = m ? shadowErr / m : null;
    return {
      ...base,
      meanAbsoluteDifference: n ? absDiff / n : 0,
      labelled: m,
      metric: 'mae',
      served,
      shadow,
      difference: served !== null && shadow !== null ? shadow - served : null,
      pairedT: { meanImprovement: m ? s.mean : 0, interval: meanInterval(s, 0.95) ?? null, pValue, n: m },
      summary:
        m === 0
          ? `${model} shadowed ${n} predictions (mean |difference| ${n ? (absDiff / n).toPrecision(3) : '–'}); none has a known value yet.`
          : `On ${m} predictions with a known value: MAE ${served!.toPrecision(4)} served, ${shadow!.toPrecision(4)} for ${model}${pValue !== null ? ` (one-sided paired t-test that ${model} errs less: p = ${pValue.toPrecision(3)})` : ''}.`,
    };
  }
  const labelled = bothRight + servedOnly + shadowOnly + neither;
  const served = labelled ? (bothRight + servedOnly) / labelled : null;
  const shadow = labelled ? (bothRight + shadowOnly) / labelled : null;
  const test = labelled ? mcnemarTest(shadowOnly, servedOnly) : undefined;
  return {
    ...base,
    labelled,
    metric: 'accuracy',
    served,
    shadow,
    difference: served !== null && shadow !== null ? shadow - served : null,
    ...(test ? { mcnemar: test } : {}),
    summary:
      labelled === 0
        ? `${model} shadowed ${n} predictions and disagreed on ${disagreements}; none has a known label yet (feedback or outcomes bring them).`
        : `On ${labelled} predictions with a known label: accuracy ${(served! * 100).toFixed(1)}% served, ${(shadow! * 100).toFixed(1)}% for ${model}; ${shadowOnly} right only by ${model}, ${servedOnly} only by the served model (McNemar one-sided p = ${test!.pValue.toPrecision(3)}).`,
  };
}

/**
 * The shadow evidence in the store for the configured shadow model (or `model`), since `from`.
 * @throws UserError when there is no shadow model configured and none named.
 */
export async function shadowReport(ctx: Pick<ProjectContext, 'config' | 'store'>, opts: { model?: string; from?: string } = {}): Promise<ShadowAnalysis> {
  const model = opts.model ?? ctx.config.shadow?.model;
  if (!model) throw new UserError('No shadow model: add `shadow: {model: vN}` to mlloop.yaml and run `mlloop serve` (or name one with --model).');
  const rows = await ctx.store.listShadowComparisons({ model, ...(opts.from ? { from: opts.from } : {}) });
  const from = rows.length ? rows[0].time : undefined;
  const [feedback, outcomes] = from ? await Promise.all([ctx.store.listFeedback({ from }), ctx.store.listOutcomes({ from })]) : [[], []];
  const served = new Map(rows.map((r) => [r.prediction, r.served.output]));
  return shadowAnalysis(ctx.config.task, model, rows, truths(ctx.config.task, served, feedback, outcomes));
}

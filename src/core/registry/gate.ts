/**
 * The quality gate: may a newly trained model (the challenger) replace the champion, the model
 * the app loads? Both are scored on the same held-out rows (the caller picks them: rows neither
 * trained on) and the challenger is promoted only when every rule of `gate:` holds:
 * 1. at least `minRows` rows;
 * 2. the gate metric improves by at least `margin`, relative to the champion (for losses and
 *    errors — mae, log_loss, ece, … — improving means falling);
 * 3. a one-sided paired test says the improvement is not chance, p < `alpha`: McNemar's test for
 *    accuracy (gateStats.ts: exact binomial below 25 discordant rows, else χ² with continuity
 *    correction), a paired bootstrap of the difference for every other metric;
 * 4. every floor holds for the challenger (a minimum, or a maximum for losses and errors);
 * 5. no class's recall, and no slice's gate metric, falls by more than `maxClassDrop`
 *    (classes and slices with fewer than `minClassRows` rows are listed but not held to it).
 * The first model (no champion) needs only rules 1 and 4.
 *
 * Data a user caused — too few rows, one class only, a metric undefined on the rows, NaN or
 * out-of-range scores from a diverged model, labels out of range — never throws: the decision
 * says "not promoted" with the reason. Every number in the decision is finite or null, so it
 * can be stored as JSON.
 *
 * Pure module: no node built-ins, no tfjs.
 */
import { classificationReport } from '../evaluate/metrics';
import { DEFAULT_CALIBRATION_BINS } from '../evaluate/calibrationError';
import { metricDirection, metricLabel, TASK_METRICS } from '../evaluate/metricNames';
import type { GateConfig } from '../project/types';
import { allMetrics, metricValue } from './gateMetrics';
import { mcnemarTest, pairedBootstrap, tieSnapped } from './gateStats';

/** What the gate decides on. */
export interface GateInput {
  task: 'binary' | 'multiclass' | 'regression';
  /** Class names in index order ([] for regression). */
  classes: string[];
  /** The held-out rows' labels: class index (0..k−1), or the target value (regression). */
  y: Float32Array;
  /** The champion's calibrated scores on those rows; null when there is no champion yet (the first model). */
  champion: Float32Array | null;
  /**
   * The challenger's, same rows. Scores as registry/predict.ts scoreRecords gives them: binary
   * n×1 P(class 1), multiclass n×k probabilities row-major, regression n×1 values.
   */
  challenger: Float32Array;
  /** Rows (indices into y) of each named slice; the caller evaluates the definitions (gateSlices.ts sliceRows). */
  slices?: Array<{ name: string; rows: Int32Array }>;
  config: GateConfig;
  /** Seed of the paired bootstrap's resampling (createRng). */
  seed: number;
  /** Equal-width bins of ECE (pass the project's calibration.bins). Default 15. */
  eceBins?: number;
}

/** One rule of the gate with its numbers. */
export interface GateCheck {
  /** 'rows', 'improvement', 'significance', 'floor:<metric>', 'class:<name>', 'slice:<name>', or an input check ('labels', 'challenger scores', 'champion scores', 'metric'). */
  name: string;
  passed: boolean;
  /** A sentence with the numbers, e.g. "Accuracy 0.71 is below the floor 0.75." */
  detail: string;
}

/** Recall of one class under both models (classification with a champion). */
export interface GateClassResult {
  name: string;
  /** Held-out rows of this class. */
  rows: number;
  champion: number;
  challenger: number;
  /** champion − challenger: how far the recall fell (negative: it rose). */
  drop: number;
  /** False when the class has fewer than minClassRows rows: listed, not held to maxClassDrop. */
  checked: boolean;
}

/** The gate metric on one named slice. */
export interface GateSliceResult {
  name: string;
  rows: number;
  /** Null: no champion, or the metric is undefined on the slice's rows. */
  champion: number | null;
  challenger: number | null;
  /**
   * How much worse the challenger is on the slice (positive: worse), in the metric's units —
   * relative to the champion's value for mae, mse and rmse. Null when not computed.
   */
  drop: number | null;
  checked: boolean;
}

/** The test that backs the improvement. */
export interface GateTest {
  name: 'mcnemar' | 'paired_bootstrap' | 'none';
  /** McNemar χ²: (|b − c| − 1)²/(b + c); exact McNemar: the rows only the challenger gets right. */
  statistic?: number;
  /** One-sided p-value of "the challenger is not better"; null when no test ran. */
  pValue: number | null;
  /** Paired bootstrap: percentile interval of challenger − champion, at confidence 1 − 2·alpha. */
  interval?: { lower: number; upper: number; confidence: number };
  /** The level the p-value is compared with. */
  alpha: number;
  /** McNemar: 'exact' (binomial, fewer than 25 discordant rows) or 'chi_square' (continuity-corrected). */
  variant?: 'exact' | 'chi_square';
  /** McNemar: the classic two-sided p-value, for reading beside other tools. */
  pValueTwoSided?: number;
  /** McNemar: rows only the challenger gets right, and only the champion. */
  challengerOnly?: number;
  championOnly?: number;
  /** Paired bootstrap: resamples drawn, and those on which the metric was defined for both models. */
  resamples?: number;
  resamplesUsed?: number;
}

/** The gate's decision with every number behind it. */
export interface GateDecision {
  promote: boolean;
  /** No champion: only the floors (and minRows) apply. */
  first: boolean;
  metric: string;
  higherIsBetter: boolean;
  /** Held-out rows. */
  n: number;
  /** Every metric of the task on the held-out rows (headline metrics, and ece/mce/classwise_ece for classification); null when there is no champion, {} when its scores are unusable. */
  champion: Record<string, number> | null;
  challenger: Record<string, number>;
  /** challenger − champion on `metric`; null for the first model or when undefined. */
  difference: number | null;
  /** Improvement relative to the champion's value (positive = better, whatever the direction); null when there is no champion or its value is 0. */
  relative: number | null;
  test: GateTest;
  /** Every rule with its numbers. */
  checks: GateCheck[];
  /**
   * Why not (each failed check's detail, in check order: rows, inputs, improvement, test,
   * floors, classes, slices), or why promoted (the improvement and its test first, then the
   * floors, a one-line summary of the classes, the slices, the row count).
   */
  reasons: string[];
  /** Per-class recall under both models ([] for regression or the first model). */
  classes: GateClassResult[];
  /** The gate metric on each named slice. */
  slices: GateSliceResult[];
}

/** Slack for comparisons of computed values with configured bounds: 0.7 computed as 0.69999999999 still meets a floor of 0.7. */
const ROUNDING = 1e-12;

/** Metrics in the label's units, whose slice drop is measured relative to the champion. */
const LABEL_UNIT_METRICS = new Set(['mae', 'mse', 'rmse']);

/**
 * Decides whether the challenger replaces the champion (see the file comment for the rules).
 * Cost: one evaluation of every metric per model, plus `config.bootstrap` × 2 evaluations of
 * the gate metric for any metric but accuracy (O(n) each; O(n log n) for roc_auc/average_precision).
 * Never throws for data problems; the decision carries the reason.
 */
export function evaluateGate(input: GateInput): GateDecision {
  const { task, config } = input;
  const metric = config.metric;
  const higherIsBetter = metricDirection(metric) === 'higher';
  const n = input.y.length;
  const first = input.champion === null;
  const k = task === 'regression' ? 1 : input.classes.length;
  const width = task === 'multiclass' ? k : 1;
  const bins = input.eceBins ?? DEFAULT_CALIBRATION_BINS;
  const checks: GateCheck[] = [];
  const decision: GateDecision = {
    promote: false,
    first,
    metric,
    higherIsBetter,
    n,
    champion: first ? null : {},
    challenger: {},
    difference: null,
    relative: null,
    test: { name: 'none', pValue: null, alpha: config.alpha },
    checks,
    reasons: [],
    classes: [],
    slices: [],
  };
  const name = describeMetric(metric, task);

  checks.push({
    name: 'rows',
    passed: n >= config.minRows,
    detail:
      n >= config.minRows
        ? `${n} held-out rows (at least ${config.minRows} needed).`
        : `Only ${n} held-out row${n === 1 ? '' : 's'}: the gate needs at least ${config.minRows} (gate.minRows) to decide; label more recent examples or lower minRows.`,
  });
  if (!TASK_METRICS[task].includes(metric)) {
    checks.push({ name: 'metric', passed: false, detail: `'${metric}' is not a ${task} metric, so the gate cannot compare it; use one of ${TASK_METRICS[task].join(', ')}.` });
  }
  const labelIssue = n === 0 ? null : labelProblem(task, input.y, input.classes);
  if (labelIssue) checks.push({ name: 'labels', passed: false, detail: labelIssue });
  const challengerIssue = n === 0 || labelIssue ? null : scoreProblem('challenger', task, input.challenger, n, width);
  if (challengerIssue) checks.push({ name: 'challenger scores', passed: false, detail: challengerIssue });
  const championIssue = n === 0 || labelIssue || first ? null : scoreProblem('champion', task, input.champion!, n, width);
  if (championIssue) {
    checks.push({ name: 'champion scores', passed: false, detail: `${championIssue} The models cannot be compared; \`mlloop promote <version> --force\` promotes the challenger anyway.` });
  }
  if (n === 0 || labelIssue) return finish(decision, name);

  const y = input.y;
  const challengerScores = challengerIssue ? null : input.challenger;
  const championScores = first || championIssue ? null : input.champion!;
  const presentClasses = task === 'regression' ? [] : classesPresent(y, k);
  const singleClassNote = presentClasses.length === 1 ? ` (the held-out rows hold only class '${input.classes[presentClasses[0]]}')` : '';

  let challengerAll: ReturnType<typeof allMetrics> | null = null;
  let championAll: ReturnType<typeof allMetrics> | null = null;
  if (challengerScores) {
    challengerAll = allMetrics(task, y, challengerScores, k, bins);
    decision.challenger = challengerAll.metrics;
  }
  if (championScores) {
    championAll = allMetrics(task, y, championScores, k, bins);
    decision.champion = championAll.metrics;
  }

  const comparison: Comparison | null =
    !first && challengerAll && championAll && challengerScores && championScores
      ? { y, k, width, bins, name, singleClassNote, challengerScores, championScores, challengerAll, championAll }
      : null;
  if (comparison) compareMetric(input, decision, comparison);
  // Floors: the challenger's absolute bounds, the first model's only rule besides minRows.
  if (challengerAll) {
    for (const [floorMetric, bound] of Object.entries(config.floors)) {
      const value = challengerAll.metrics[floorMetric];
      const label = describeMetric(floorMetric, task);
      const lower = metricDirection(floorMetric) === 'lower';
      const kind = lower ? 'ceiling' : 'floor';
      if (value === undefined) {
        const why = challengerAll.omitted[floorMetric] ?? `it is not a ${task} metric`;
        checks.push({ name: `floor:${floorMetric}`, passed: false, detail: `The ${kind} on ${label} (${fmt(bound)}) cannot be checked: ${plainReason(why)}.` });
        continue;
      }
      const passed = lower ? value <= bound + ROUNDING : value >= bound - ROUNDING;
      checks.push({
        name: `floor:${floorMetric}`,
        passed,
        detail: passed
          ? `${label} ${fmt(value)} meets the ${kind} ${fmt(bound)}.`
          : `${label} ${fmt(value)} is ${lower ? 'above the ceiling' : 'below the floor'} ${fmt(bound)}${singleClassNote}.`,
      });
    }
  }

  if (comparison) compareClasses(input, decision, comparison);
  if (challengerScores) decision.slices = sliceResults(input, decision, { y, k, width, bins, challengerScores, championScores });
  return finish(decision, name);
}

interface Comparison {
  y: Float32Array;
  k: number;
  width: number;
  bins: number;
  name: string;
  singleClassNote: string;
  challengerScores: Float32Array;
  championScores: Float32Array;
  challengerAll: ReturnType<typeof allMetrics>;
  championAll: ReturnType<typeof allMetrics>;
}

/** Rules 2 and 3: the improvement and the paired test behind it. */
function compareMetric(input: GateInput, decision: GateDecision, c: Comparison): void {
  const { task, config } = input;
  const { metric, higherIsBetter, checks } = decision;
  const n = c.y.length;
  const champ = c.championAll.metrics[metric];
  const chal = c.challengerAll.metrics[metric];
  if (champ === undefined || chal === undefined) {
    const why = c.championAll.omitted[metric] ?? c.challengerAll.omitted[metric] ?? `it is not a ${task} metric`;
    checks.push({ name: 'improvement', passed: false, detail: `${c.name} cannot be compared on these ${n} rows: ${plainReason(why)}.` });
    checks.push({ name: 'significance', passed: false, detail: `No paired test: ${c.name} is undefined on these rows.` });
  } else {
    const difference = tieSnapped(chal, champ); // a tie that rounding made ±1e-16 is a tie
    const oriented = higherIsBetter ? difference : -difference;
    const relative = champ === 0 ? null : oriented / Math.abs(champ);
    decision.difference = difference;
    decision.relative = relative;
    const better = oriented > 0;
    const passed = better && (relative === null || relative >= config.margin - ROUNDING);
    const change = `${difference > 0 ? 'rose' : 'fell'} from ${fmt(champ)} to ${fmt(chal)} (${signed(difference)}${relative === null ? '' : `, ${pct(Math.abs(relative))} ${better ? 'better' : 'worse'}`})`;
    let detail: string;
    if (difference === 0) detail = `${c.name} is ${fmt(chal)} for both models: no improvement (at least ${pct(config.margin)} needed)${c.singleClassNote}.`;
    else if (passed) detail = `${c.name} ${change}; at least ${pct(config.margin)} needed.`;
    else if (!better) detail = `${c.name} ${change}: the challenger is worse than the champion${c.singleClassNote}.`;
    else detail = `${c.name} ${change}: less than the ${pct(config.margin)} improvement required (gate.margin).`;
    if (passed && relative === null) detail = `${c.name} ${change}; the champion's value is 0, so any improvement counts.`;
    checks.push({ name: 'improvement', passed, detail });
    checks.push(metric === 'accuracy' ? mcnemarCheck(input, decision, c) : bootstrapCheck(input, decision, c));
  }
}

/** The class part of rule 5: no class's recall falls by more than maxClassDrop. */
function compareClasses(input: GateInput, decision: GateDecision, c: Comparison): void {
  const { task, config } = input;
  const { checks } = decision;
  if (task === 'regression') return;
  const champReport = classificationReport(c.y, c.championScores, c.k);
  const chalReport = classificationReport(c.y, c.challengerScores, c.k);
  for (let cls = 0; cls < c.k; cls++) {
    const rows = champReport.scores.perClass[cls].support;
    if (rows === 0) continue; // absent from the held-out rows: its recall is not defined here
    const before = champReport.scores.perClass[cls].recall;
    const after = chalReport.scores.perClass[cls].recall;
    const drop = before - after;
    const checked = rows >= config.minClassRows;
    const className = input.classes[cls];
    decision.classes.push({ name: className, rows, champion: before, challenger: after, drop, checked });
    const passed = !checked || drop <= config.maxClassDrop + ROUNDING;
    const move = drop > 0 ? `fell by ${fmt(drop)}` : drop < 0 ? `rose by ${fmt(-drop)}` : 'did not change';
    checks.push({
      name: `class:${className}`,
      passed,
      detail: !checked
        ? `Recall of class '${className}' ${move} (${fmt(before)} → ${fmt(after)}); not held to maxClassDrop: ${rows} rows, fewer than minClassRows ${config.minClassRows}.`
        : passed
          ? `Recall of class '${className}' ${move} (${fmt(before)} → ${fmt(after)}, ${rows} rows); at most ${fmt(config.maxClassDrop)} may be lost.`
          : `Recall of class '${className}' fell by ${fmt(drop)} (from ${fmt(before)} to ${fmt(after)}, ${rows} rows), more than maxClassDrop ${fmt(config.maxClassDrop)}.`,
    });
  }
}

/** Rule 3 for accuracy: McNemar's test on the rows exactly one model gets right. */
function mcnemarCheck(input: GateInput, decision: GateDecision, c: Comparison): GateCheck {
  const champPredicted = classificationReport(c.y, c.championScores, c.k).predicted;
  const chalPredicted = classificationReport(c.y, c.challengerScores, c.k).predicted;
  let challengerOnly = 0;
  let championOnly = 0;
  for (let i = 0; i < c.y.length; i++) {
    const champRight = champPredicted[i] === c.y[i];
    const chalRight = chalPredicted[i] === c.y[i];
    if (chalRight && !champRight) challengerOnly++;
    else if (champRight && !chalRight) championOnly++;
  }
  const result = mcnemarTest(challengerOnly, championOnly);
  const alpha = input.config.alpha;
  decision.test = {
    name: 'mcnemar',
    ...(result.statistic !== undefined ? { statistic: result.statistic } : {}),
    pValue: result.pValue,
    alpha,
    variant: result.variant,
    pValueTwoSided: result.pValueTwoSided,
    challengerOnly,
    championOnly,
  };
  const passed = result.pValue < alpha;
  const discordant = challengerOnly + championOnly;
  const how =
    discordant === 0
      ? "McNemar's test: both models are right on exactly the same rows, so nothing tells them apart"
      : `McNemar's test (${result.variant === 'exact' ? `exact binomial on ${discordant} discordant rows` : `χ² = ${fmt(result.statistic!)} with continuity correction, ${discordant} discordant rows`}: ${challengerOnly} only the challenger gets right, ${championOnly} only the champion)`;
  return {
    name: 'significance',
    passed,
    detail: `${how}: one-sided p = ${fmtP(result.pValue)}, ${verdict(passed, decision, alpha)}.`,
  };
}

/** Rule 3 for every metric but accuracy: a paired bootstrap of challenger − champion. */
function bootstrapCheck(input: GateInput, decision: GateDecision, c: Comparison): GateCheck {
  const { task, config } = input;
  const n = c.y.length;
  const sampleY = new Float32Array(n);
  const sampleChampion = new Float32Array(n * c.width);
  const sampleChallenger = new Float32Array(n * c.width);
  const w = c.width;
  const values = (indices: Int32Array): { champion: number; challenger: number } | undefined => {
    for (let i = 0; i < n; i++) {
      const j = indices[i];
      sampleY[i] = c.y[j];
      for (let q = 0; q < w; q++) {
        sampleChampion[i * w + q] = c.championScores[j * w + q];
        sampleChallenger[i * w + q] = c.challengerScores[j * w + q];
      }
    }
    const a = metricValue(task, decision.metric, sampleY, sampleChampion, c.k, c.bins);
    const b = metricValue(task, decision.metric, sampleY, sampleChallenger, c.k, c.bins);
    return a === undefined || b === undefined ? undefined : { champion: a, challenger: b };
  };
  const confidence = 1 - 2 * config.alpha;
  const result = pairedBootstrap(n, config.bootstrap, input.seed, values, decision.higherIsBetter, confidence);
  decision.test = {
    name: 'paired_bootstrap',
    pValue: result.pValue,
    ...(result.interval ? { interval: result.interval } : {}),
    alpha: config.alpha,
    resamples: result.resamples,
    resamplesUsed: result.resamplesUsed,
  };
  if (result.pValue === null || result.interval === null) {
    return { name: 'significance', passed: false, detail: `Paired bootstrap: ${c.name} was undefined on all ${result.resamples} resamples, so nothing can be concluded.` };
  }
  const skipped = result.resamplesUsed < result.resamples ? ` (${result.resamples - result.resamplesUsed} skipped: ${c.name} undefined there)` : '';
  const how = `Paired bootstrap over ${result.resamplesUsed} resamples${skipped}: ${c.name} difference ${signed(decision.difference!)}, ${pct(confidence)} interval [${fmt(result.interval.lower)}, ${fmt(result.interval.upper)}]`;
  const p = result.pValue === 0 ? `p < ${fmt(1 / result.resamplesUsed)} (no resample favours the champion)` : `p = ${fmtP(result.pValue)}`;
  const passed = result.pValue < config.alpha;
  return { name: 'significance', passed, detail: `${how}; one-sided ${p}, ${verdict(passed, decision, config.alpha)}.` };
}

/** The slice part of rule 5 (and, for the first model, the slices' values for the record). */
function sliceResults(
  input: GateInput,
  decision: GateDecision,
  s: { y: Float32Array; k: number; width: number; bins: number; challengerScores: Float32Array; championScores: Float32Array | null },
): GateSliceResult[] {
  const { task, config } = input;
  const { metric, higherIsBetter, checks } = decision;
  const label = describeMetric(metric, task);
  const n = s.y.length;
  const out: GateSliceResult[] = [];
  for (const slice of input.slices ?? []) {
    const rows = slice.rows;
    const bad = rows.findIndex((r) => !Number.isInteger(r) || r < 0 || r >= n);
    if (bad >= 0) {
      out.push({ name: slice.name, rows: rows.length, champion: null, challenger: null, drop: null, checked: false });
      checks.push({ name: `slice:${slice.name}`, passed: false, detail: `Slice '${slice.name}' names row ${rows[bad]}, but there are ${n} held-out rows; its rows must index the gate's rows.` });
      continue;
    }
    const subset = (scores: Float32Array) => {
      const ySub = new Float32Array(rows.length);
      const sSub = new Float32Array(rows.length * s.width);
      rows.forEach((r, i) => {
        ySub[i] = s.y[r];
        for (let q = 0; q < s.width; q++) sSub[i * s.width + q] = scores[r * s.width + q];
      });
      return { ySub, sSub };
    };
    const valueOn = (scores: Float32Array | null): number | null => {
      if (scores === null || rows.length === 0) return null;
      const { ySub, sSub } = subset(scores);
      return metricValue(task, metric, ySub, sSub, s.k, s.bins) ?? null;
    };
    const after = valueOn(s.challengerScores);
    const before = valueOn(s.championScores);
    const result: GateSliceResult = { name: slice.name, rows: rows.length, champion: before, challenger: after, drop: null, checked: false };
    out.push(result);
    if (decision.first || s.championScores === null) continue; // the first model needs only the floors
    if (rows.length < config.minClassRows) {
      checks.push({ name: `slice:${slice.name}`, passed: true, detail: `Slice '${slice.name}' has ${rows.length} held-out rows, fewer than minClassRows ${config.minClassRows}: not held to maxClassDrop.` });
      continue;
    }
    if (before === null || after === null) {
      checks.push({ name: `slice:${slice.name}`, passed: true, detail: `Slice '${slice.name}' (${rows.length} rows): ${label} is undefined on its rows, so it is not held to maxClassDrop.` });
      continue;
    }
    const worse = higherIsBetter ? before - after : after - before;
    const relative = LABEL_UNIT_METRICS.has(metric);
    let drop: number | null = worse;
    if (relative) drop = before === 0 ? (worse > 0 ? null : 0) : worse / Math.abs(before);
    result.drop = drop;
    result.checked = true;
    const passed = drop !== null && drop <= config.maxClassDrop + ROUNDING;
    const amount = relative ? (drop === null ? 'from a perfect 0' : pct(Math.abs(drop))) : fmt(Math.abs(worse));
    const move = worse > 0 ? `got worse by ${amount}` : worse < 0 ? `improved by ${amount}` : 'did not change';
    checks.push({
      name: `slice:${slice.name}`,
      passed,
      detail: passed
        ? `Slice '${slice.name}' (${rows.length} rows): ${label} ${move} (${fmt(before)} → ${fmt(after)}); at most ${relative ? pct(config.maxClassDrop) : fmt(config.maxClassDrop)} may be lost.`
        : `Slice '${slice.name}' (${rows.length} rows): ${label} ${move} (from ${fmt(before)} to ${fmt(after)}), more than maxClassDrop ${relative ? pct(config.maxClassDrop) : fmt(config.maxClassDrop)}.`,
    });
  }
  return out;
}

/** The end of a significance sentence: below alpha, or why not. */
function verdict(passed: boolean, decision: GateDecision, alpha: number): string {
  if (passed) return `below alpha ${fmt(alpha)}`;
  const d = decision.difference ?? 0;
  const better = decision.higherIsBetter ? d > 0 : d < 0;
  return better ? `not below alpha ${fmt(alpha)}: the improvement may be chance` : `not below alpha ${fmt(alpha)}: no evidence that the challenger is better`;
}

/** Sets promote and the reasons from the checks. */
function finish(decision: GateDecision, name: string): GateDecision {
  const failed = decision.checks.filter((c) => !c.passed);
  decision.promote = failed.length === 0;
  if (!decision.promote) {
    decision.reasons = failed.map((c) => c.detail);
    return decision;
  }
  const reasons: string[] = [];
  if (decision.first) reasons.push(`First model: there is no champion to compare with, so only the floors and minRows apply (gate metric: ${name}).`);
  // The improvement and its test first (a report's headline), the row count last.
  const classChecks = decision.checks.filter((c) => c.name.startsWith('class:'));
  for (const check of decision.checks) if (!check.name.startsWith('class:') && check.name !== 'rows') reasons.push(check.detail);
  if (classChecks.length > 0) {
    const worst = decision.classes.filter((c) => c.checked).sort((a, b) => b.drop - a.drop)[0];
    reasons.push(
      worst === undefined
        ? `No class has enough held-out rows to be held to maxClassDrop (each has fewer than minClassRows).`
        : `No class's recall fell by more than maxClassDrop (largest fall or smallest rise: '${worst.name}', ${signed(-worst.drop)}).`,
    );
  }
  reasons.push(decision.checks.find((c) => c.name === 'rows')!.detail);
  decision.reasons = reasons;
  return decision;
}

/** The problem with the labels, or null: class indices in 0..k−1, or finite values for regression. */
function labelProblem(task: GateInput['task'], y: Float32Array, classes: string[]): string | null {
  const k = classes.length;
  if (task === 'binary' && k !== 2) return `A binary task needs 2 class names, but ${k} were given.`;
  if (task === 'multiclass' && k < 2) return `A multiclass task needs at least 2 class names, but ${k} were given.`;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (task === 'regression') {
      if (!Number.isFinite(v)) return `The label of held-out row ${i} is ${v}: regression labels must be finite numbers.`;
    } else if (!Number.isInteger(v) || v < 0 || v >= k) {
      return `The label of held-out row ${i} is ${v}: class labels must be indices 0..${k - 1} of [${classes.join(', ')}].`;
    }
  }
  return null;
}

/** The problem with a model's scores, or null: length n·width, finite, probabilities in [0, 1] for classification. */
function scoreProblem(who: 'challenger' | 'champion', task: GateInput['task'], scores: Float32Array, n: number, width: number): string | null {
  if (scores.length !== n * width) {
    return `The ${who} gave ${scores.length} scores for ${n} held-out rows, but ${n * width} were expected (${width === 1 ? 'one per row' : `${width} per row, one per class`}); was it trained on a different set of classes?`;
  }
  let bad = 0;
  let firstBad = -1;
  for (let i = 0; i < scores.length; i++) {
    const v = scores[i];
    const ok = task === 'regression' ? Number.isFinite(v) : v >= 0 && v <= 1; // NaN fails both comparisons
    if (!ok) {
      bad++;
      if (firstBad < 0) firstBad = i;
    }
  }
  if (bad === 0) return null;
  const row = Math.floor(firstBad / width);
  const what = task === 'regression' ? 'not a finite number' : 'not a probability in [0, 1]';
  return `The ${who}'s scores hold ${bad} value${bad === 1 ? '' : 's'} ${what} (first at held-out row ${row}: ${scores[firstBad]}); the model may have diverged.`;
}

function classesPresent(y: Float32Array, k: number): number[] {
  const seen = new Uint8Array(k);
  for (let i = 0; i < y.length; i++) seen[y[i]] = 1;
  const out: number[] = [];
  for (let c = 0; c < k; c++) if (seen[c]) out.push(c);
  return out;
}

/**
 * How a metric is named in a reason: its label when that spells the key people write in
 * mlloop.yaml ("Accuracy", "ROC AUC"), else the label with the key ("Mean absolute error (mae)"),
 * or the bare key where the label has parentheses of its own ("f1_macro").
 */
function describeMetric(metric: string, task: GateInput['task']): string {
  const label = metricLabel(metric, task);
  if (label.toLowerCase() === metric.replace(/_/g, ' ')) return label;
  return label.includes('(') ? metric : `${label} (${metric})`;
}

/** The omitted-metric reasons of metrics.ts speak of yTrue; the gate's reader knows held-out rows. */
function plainReason(reason: string): string {
  return reason.replace(/\byTrue\b/g, 'the held-out labels');
}

/** Four significant digits, without trailing zeros, a true minus sign: 0.8125, 1235, 0.0000123, −0.04. */
function fmt(x: number): string {
  const text = Number(Math.abs(x).toPrecision(4)).toString();
  return x < 0 ? `−${text}` : text;
}

function signed(x: number): string {
  return x > 0 ? `+${fmt(x)}` : fmt(x);
}

function pct(x: number): string {
  return `${Number((100 * x).toPrecision(3))}%`;
}

function fmtP(p: number): string {
  return p < 1e-4 ? p.toExponential(2) : Number(p.toPrecision(3)).toString();
}

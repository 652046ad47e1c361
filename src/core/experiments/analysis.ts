/**
 * The analysis of an A/B experiment: which arm each unit (entity) was in, its outcome, each
 * arm's mean with an interval, every pair of arms compared (Welch's t-test for a mean, the
 * two-proportion z-test for a rate), the sample-ratio-mismatch check, the sample each arm
 * needs, and the decision: keep running, a winner, or no difference.
 *
 * How it stays honest:
 * - The unit is the entity (what assignment randomises), not the prediction: a user with ten
 *   predictions is one observation, their FIRST outcome in the experiment (by arrival), so
 *   observations are independent and a rate stays a proportion of units. Predictions without
 *   an entity are their own unit.
 * - Fixed horizon, no peeking: the sample each arm needs is planned from minEffect, power and
 *   alpha with the spread estimated from the data (the control's rate, or the pooled standard
 *   deviation). The decision is taken ONCE, on the first n outcomes of each arm in order of
 *   arrival, for the first n at which every arm has n outcomes and n is at least the sample
 *   planned from those same n outcomes. Outcomes that arrive later never change it, so looking
 *   at `mlloop experiment` every hour does not inflate the false-positive rate the way
 *   re-testing all data at every look would.
 * - Never a winner before that sample, and never with a sample-ratio mismatch (the χ² test of
 *   the units per arm against the weights below srmAlpha): then the assignment or the logging
 *   is broken and no comparison can be trusted.
 * - With three arms every pair is tested at alpha/3 (Bonferroni); a winner must beat every
 *   other arm.
 *
 * Pure (no store access); experimentReport in ./report.ts reads the store and calls this.
 */
import type { ExperimentArm, ExperimentConfig } from '../project/types';
import type { Label, VariantAssignment } from '../store/types';
import { normalQuantile } from './distributions';
import {
  chiSquareGoodnessOfFit,
  meanInterval,
  RunningSummary,
  sampleSizeForMeansZ,
  sampleSizeForProportionsZ,
  twoProportionZTest,
  welchTTest,
  wilsonInterval,
  type DifferenceTest,
  type Interval,
  type SampleSummary,
} from './stats';

/** The fewest outcomes per arm any decision rests on, whatever the plan says (a normal approximation on fewer is not one). */
export const MIN_OUTCOMES_PER_ARM = 20;

export type ExperimentDecision = 'keep_running' | 'winner' | 'no_difference';

/** One unit's observation: its arm, its outcome as a number (a rate: 1 or 0) and when it arrived (store order). */
export interface Observation {
  arm: ExperimentArm;
  value: number;
  /** Arrival order (the outcome's id): the decision sample is the first n of each arm in this order. */
  order: number;
}

/** The units and observations of an experiment, from its logged predictions. */
export interface ExperimentData {
  /** Units (entities) per arm: what the sample-ratio check counts. */
  assigned: Partial<Record<ExperimentArm, number>>;
  /** Logged predictions per arm. */
  predictions: Partial<Record<ExperimentArm, number>>;
  /** Logged predictions per arm and model version (the champion arm's version changes with each promotion). */
  models: Partial<Record<ExperimentArm, Record<string, number>>>;
  observations: Observation[];
  /** Units seen in more than one arm (only their first arm counts): sticky assignment should make this 0. */
  crossovers: number;
  /** Predictions with a variant that is not an arm of this experiment (e.g. an earlier one's). */
  otherVariants: number;
  /** Outcomes that could not be read as the experiment's outcome (a rate's label neither a success nor a failure, a mean's without a number). */
  unreadableOutcomes: number;
}

/**
 * A rate outcome as 1 (success) or 0, or undefined when it is neither.
 * With `success` set: a label equal to it (as text) is 1, any other label 0; a value equal
 * to it (when it is a number) 1, another value 0. Without: value 1 / 0, or a label
 * true / yes / 1 (1) and false / no / 0 (0), case-insensitive.
 */
export function rateOutcome(o: { label?: Label; value?: number }, success: ExperimentConfig['success']): 0 | 1 | undefined {
  if (success !== undefined) {
    if (o.label !== undefined) return String(o.label).trim().toLowerCase() === String(success).trim().toLowerCase() ? 1 : 0;
    if (o.value !== undefined && typeof success === 'number') return o.value === success ? 1 : 0;
    if (o.value !== undefined && typeof success === 'boolean') return o.value === Number(success) ? 1 : 0;
    return undefined;
  }
  if (o.value !== undefined) return o.value === 1 ? 1 : o.value === 0 ? 0 : undefined;
  if (o.label === undefined) return undefined;
  const text = String(o.label).trim().toLowerCase();
  if (text === 'true' || text === 'yes' || text === '1') return 1;
  if (text === 'false' || text === 'no' || text === '0') return 0;
  return undefined;
}

/** A mean outcome: its value, else a label that is a number. */
export function meanOutcome(o: { label?: Label; value?: number }): number | undefined {
  if (o.value !== undefined && Number.isFinite(o.value)) return o.value;
  if (typeof o.label === 'number' && Number.isFinite(o.label)) return o.label;
  if (typeof o.label === 'string' && o.label.trim() !== '' && Number.isFinite(Number(o.label))) return Number(o.label);
  return undefined;
}

/**
 * Units, their arms and their first readable outcome, from the logged predictions of the
 * experiment's window (oldest first, as listVariantAssignments gives them).
 */
export function experimentData(assignments: readonly VariantAssignment[], config: ExperimentConfig): ExperimentData {
  const arms = new Set(Object.keys(config.variants) as ExperimentArm[]);
  const unitArm = new Map<string, ExperimentArm>();
  const crossed = new Set<string>();
  const first = new Map<string, Observation>();
  const assigned: Partial<Record<ExperimentArm, number>> = {};
  const predictions: Partial<Record<ExperimentArm, number>> = {};
  const models: Partial<Record<ExperimentArm, Record<string, number>>> = {};
  let otherVariants = 0;
  let unreadableOutcomes = 0;
  for (const a of assignments) {
    if (!arms.has(a.variant as ExperimentArm)) {
      otherVariants++;
      continue;
    }
    const arm = a.variant as ExperimentArm;
    const unit = a.entity !== undefined ? `e:${a.entity}` : `p:${a.prediction}`;
    const known = unitArm.get(unit);
    if (known === undefined) {
      unitArm.set(unit, arm);
      assigned[arm] = (assigned[arm] ?? 0) + 1;
    } else if (known !== arm) {
      crossed.add(unit);
      continue;
    }
    predictions[arm] = (predictions[arm] ?? 0) + 1;
    const versions = (models[arm] ??= {});
    versions[a.model] = (versions[a.model] ?? 0) + 1;
    for (const o of a.outcomes) {
      const value = config.outcome === 'rate' ? rateOutcome(o, config.success) : meanOutcome(o);
      if (value === undefined) {
        unreadableOutcomes++;
        continue;
      }
      const prev = first.get(unit);
      if (!prev || o.id < prev.order) first.set(unit, { arm, value, order: o.id });
    }
  }
  return { assigned, predictions, models, observations: [...first.values()].sort((x, y) => x.order - y.order), crossovers: crossed.size, otherVariants, unreadableOutcomes };
}

/** A pair of arms compared. */
export interface ArmComparison extends DifferenceTest {
  /** difference = mean(a) − mean(b). */
  a: ExperimentArm;
  b: ExperimentArm;
  /** The level this pair is tested at (alpha, split over the pairs). */
  alpha: number;
  significant: boolean;
  /** The better arm when significant (by the goal), else null. */
  better: ExperimentArm | null;
}

export interface ArmReport {
  name: ExperimentArm;
  /** The model version it serves ('champion', the challenger's vN), or null for fallback. */
  serves: string | null;
  weight: number;
  /** weight / Σ weights. */
  share: number;
  /** Units assigned (entities, or predictions without one). */
  assigned: number;
  predictions: number;
  /** Predictions per model version that made them (the fallback arm logs what the champion would have said). */
  models: Record<string, number>;
  /** Units with an outcome. */
  n: number;
  /** Mean outcome (a rate: the share of successes); null without outcomes. */
  mean: number | null;
  /** Interval of the mean at 1 − alpha (a rate: Wilson; a mean: Student's t); null when it cannot be computed. */
  interval: Interval | null;
  /** This arm against the control on the decision sample (null for the control itself). */
  difference: ArmComparison | null;
}

export interface SampleRatioCheck {
  /** Units per arm, and what the weights expect of the same total. */
  observed: Partial<Record<ExperimentArm, number>>;
  expected: Partial<Record<ExperimentArm, number>>;
  statistic: number;
  df: number;
  pValue: number;
  alpha: number;
  mismatch: boolean;
}

export interface ExperimentAnalysis {
  outcome: ExperimentConfig['outcome'];
  goal: ExperimentConfig['goal'];
  control: ExperimentArm;
  variants: ArmReport[];
  /** Every pair of arms, on the decision sample (or, before it is reached, on all outcomes so far: interim numbers). */
  comparisons: ArmComparison[];
  /** Whether `comparisons` are on the decision sample (false: interim, for information only). */
  final: boolean;
  srm: SampleRatioCheck | null;
  sample: {
    /** Outcomes each arm needs (planned from the data so far), or null while there is too little to estimate the spread. */
    requiredPerArm: number | null;
    /** The n of the decision sample, once reached. */
    decidedOn: number | null;
    minEffect: number;
    power: number;
    alpha: number;
    /** alpha per pair of arms. */
    comparisonAlpha: number;
  };
  crossovers: number;
  otherVariants: number;
  unreadableOutcomes: number;
  decision: ExperimentDecision;
  winner: ExperimentArm | null;
  /** Why, in sentences (the first says the decision). */
  reasons: string[];
}

function armsOf(config: ExperimentConfig): ExperimentArm[] {
  // A stable order: the control first, then the others by name.
  const others = (Object.keys(config.variants) as ExperimentArm[]).filter((a) => a !== config.control).sort();
  return [config.control, ...others];
}

/** The planned sample per arm from these summaries, or null when the spread cannot be estimated yet. */
function planned(config: ExperimentConfig, arms: ExperimentArm[], summaries: Map<ExperimentArm, SampleSummary>, zAlpha: number, zPower: number): number | null {
  if (config.outcome === 'rate') {
    const control = summaries.get(config.control)!;
    let p: number;
    if (control.n > 0) p = control.mean;
    else {
      let n = 0;
      let s = 0;
      for (const a of arms) {
        const x = summaries.get(a)!;
        n += x.n;
        s += x.mean * x.n;
      }
      p = n > 0 ? s / n : 0.5;
    }
    // Toward ½ from the baseline: the larger variance, so the plan is not too small.
    const p2 = p < 0.5 ? Math.min(1, p + config.minEffect) : Math.max(0, p - config.minEffect);
    return Math.max(MIN_OUTCOMES_PER_ARM, sampleSizeForProportionsZ(p, p2, zAlpha, zPower));
  }
  let variance = 0;
  let counted = 0;
  for (const a of arms) {
    const x = summaries.get(a)!;
    if (x.n >= 2) {
      variance += x.variance;
      counted++;
    }
  }
  if (counted === 0) return null;
  return Math.max(MIN_OUTCOMES_PER_ARM, sampleSizeForMeansZ(Math.sqrt(variance / counted), config.minEffect, zAlpha, zPower));
}

function compare(config: ExperimentConfig, a: ExperimentArm, b: ExperimentArm, sa: SampleSummary, sb: SampleSummary, alpha: number): ArmComparison | null {
  const test =
    config.outcome === 'rate'
      ? twoProportionZTest(Math.round(sa.mean * sa.n), sa.n, Math.round(sb.mean * sb.n), sb.n, 1 - alpha)
      : welchTTest(sa, sb, 1 - alpha);
  if (!test) return null;
  const significant = test.pValue < alpha;
  const higher = test.difference > 0 ? a : test.difference < 0 ? b : null;
  const lower = higher === a ? b : higher === b ? a : null;
  const better = significant ? (config.goal === 'maximize' ? higher : lower) : null;
  return { ...test, a, b, alpha, significant, better };
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(3) : x.toPrecision(3));
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * Analyses an experiment's data (see the module comment for the rules).
 * @param serves arm → the version it served (for the report), e.g. {champion: 'v3', challenger: 'v5', fallback: null}.
 */
export function analyzeExperiment(data: ExperimentData, config: ExperimentConfig, serves: Partial<Record<ExperimentArm, string | null>> = {}): ExperimentAnalysis {
  const arms = armsOf(config);
  const k = arms.length;
  const pairs = (k * (k - 1)) / 2;
  const comparisonAlpha = config.alpha / pairs;
  const zAlpha = normalQuantile(1 - comparisonAlpha / 2);
  const zPower = normalQuantile(config.power);
  const weights = arms.map((a) => config.variants[a] ?? 0);
  const totalWeight = weights.reduce((s, w) => s + w, 0);

  const byArm = new Map<ExperimentArm, Observation[]>(arms.map((a) => [a, []]));
  for (const o of data.observations) byArm.get(o.arm)?.push(o);
  const full = new Map<ExperimentArm, SampleSummary>(arms.map((a) => [a, summariseValues(byArm.get(a)!)]));

  // The decision sample: the first n of each arm (in arrival order) for the first n that is at
  // least the plan made from those n.
  const fewest = Math.min(...arms.map((a) => byArm.get(a)!.length));
  let decidedOn: number | null = null;
  let decisionSample: Map<ExperimentArm, SampleSummary> | null = null;
  {
    const running = new Map(arms.map((a) => [a, new RunningSummary()]));
    for (let n = 1; n <= fewest; n++) {
      for (const a of arms) running.get(a)!.add(byArm.get(a)![n - 1].value);
      if (n < MIN_OUTCOMES_PER_ARM) continue;
      const need = planned(config, arms, running as Map<ExperimentArm, SampleSummary>, zAlpha, zPower);
      if (need !== null && n >= need) {
        decidedOn = n;
        decisionSample = new Map(arms.map((a) => [a, running.get(a)!.snapshot()]));
        break;
      }
    }
  }
  const requiredPerArm = decidedOn ?? planned(config, arms, full, zAlpha, zPower);
  const basis = decisionSample ?? full;

  const comparisons: ArmComparison[] = [];
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const c = compare(config, arms[j], arms[i], basis.get(arms[j])!, basis.get(arms[i])!, comparisonAlpha);
      if (c) comparisons.push(c);
    }
  }

  const srmFit = chiSquareGoodnessOfFit(arms.map((a) => data.assigned[a] ?? 0), weights);
  const srm: SampleRatioCheck | null = srmFit
    ? {
        observed: Object.fromEntries(arms.map((a) => [a, data.assigned[a] ?? 0])),
        expected: Object.fromEntries(arms.map((a, i) => [a, srmFit.expected[i]])),
        statistic: srmFit.statistic,
        df: srmFit.df,
        pValue: srmFit.pValue,
        alpha: config.srmAlpha,
        mismatch: srmFit.pValue < config.srmAlpha,
      }
    : null;

  const variants: ArmReport[] = arms.map((a, i) => {
    const s = full.get(a)!;
    const interval = s.n === 0 ? null : config.outcome === 'rate' ? (wilsonInterval(Math.round(s.mean * s.n), s.n, 1 - config.alpha) ?? null) : (meanInterval(s, 1 - config.alpha) ?? null);
    const difference = a === config.control ? null : (comparisons.find((c) => c.a === a && c.b === config.control) ?? null);
    return {
      name: a,
      serves: a === 'fallback' ? null : (serves[a] ?? (a === 'challenger' ? (config.challenger ?? null) : a)),
      weight: weights[i],
      share: totalWeight > 0 ? weights[i] / totalWeight : 0,
      assigned: data.assigned[a] ?? 0,
      predictions: data.predictions[a] ?? 0,
      models: { ...(data.models[a] ?? {}) },
      n: s.n,
      mean: s.n > 0 ? s.mean : null,
      interval,
      difference,
    };
  });

  // ---- the decision
  const reasons: string[] = [];
  let decision: ExperimentDecision = 'keep_running';
  let winner: ExperimentArm | null = null;
  const show = (x: number) => (config.outcome === 'rate' ? pct(x) : fmt(x));
  if (srm?.mismatch) {
    const parts = arms.map((a) => `${a} ${srm.observed[a]} (expected ${Math.round(srm.expected[a]!)})`).join(', ');
    reasons.push(
      `Sample-ratio mismatch: the units per arm (${parts}) do not fit the weights (χ² = ${fmt(srm.statistic)}, p = ${srm.pValue.toExponential(2)} < ${config.srmAlpha}). ` +
        'The assignment or the logging is broken (an arm that fails more often, predictions logged for one arm only, a changed weight or name mid-experiment): no winner is declared until it is fixed.',
    );
  } else if (decisionSample === null) {
    if (requiredPerArm === null) reasons.push(`Keep running: each arm needs at least 2 outcomes before the spread of the outcome, and so the sample it needs, can be estimated.`);
    else {
      const have = arms.map((a) => `${a} ${byArm.get(a)!.length}`).join(', ');
      reasons.push(`Keep running: each arm needs about ${requiredPerArm} outcomes to detect a difference of ${show(config.minEffect)} with power ${config.power} at alpha ${fmt(comparisonAlpha)}; so far ${have}.`);
    }
  } else {
    for (const a of arms) {
      const beats = arms.filter((b) => b !== a).every((b) => comparisons.some((c) => ((c.a === a && c.b === b) || (c.a === b && c.b === a)) && c.better === a));
      if (beats) winner = a;
    }
    if (winner) {
      decision = 'winner';
      const vs = comparisons.filter((c) => c.a === winner || c.b === winner);
      const words = vs.map((c) => {
        const other = c.a === winner ? c.b : c.a;
        const d = c.a === winner ? c.difference : -c.difference;
        const lo = c.a === winner ? c.interval.lower : -c.interval.upper;
        const hi = c.a === winner ? c.interval.upper : -c.interval.lower;
        return `${show(d)} against ${other} (interval ${show(lo)} to ${show(hi)}, p = ${c.pValue.toExponential(2)})`;
      });
      reasons.push(`Winner: ${winner}, ${config.goal === 'maximize' ? 'higher' : 'lower'} by ${words.join('; ')}, on the first ${decidedOn} outcomes of each arm.`);
    } else {
      decision = 'no_difference';
      const best = Math.min(...comparisons.map((c) => c.pValue));
      reasons.push(
        `No difference: on the planned sample (the first ${decidedOn} outcomes of each arm) no arm is better than ${k > 2 ? 'every other' : 'the other'} at alpha ${fmt(comparisonAlpha)} (smallest p = ${best.toFixed(3)}); a difference of ${show(config.minEffect)} would have been found with probability ${config.power}.`,
      );
    }
  }
  if (data.crossovers > 0) reasons.push(`${data.crossovers} unit${data.crossovers === 1 ? '' : 's'} appeared in more than one arm (only the first arm counts): assignment should be sticky by entity.`);
  if (data.unreadableOutcomes > 0) {
    reasons.push(
      `${data.unreadableOutcomes} outcome${data.unreadableOutcomes === 1 ? ' was' : 's were'} not ${config.outcome === 'rate' ? `a success or a failure${config.success === undefined ? ' (value 1/0, or a label yes/no, true/false, 1/0; or set experiment.success)' : ''}` : 'a number'} and ${data.unreadableOutcomes === 1 ? 'is' : 'are'} not counted.`,
    );
  }
  return {
    outcome: config.outcome,
    goal: config.goal,
    control: config.control,
    variants,
    comparisons,
    final: decisionSample !== null,
    srm,
    sample: { requiredPerArm, decidedOn, minEffect: config.minEffect, power: config.power, alpha: config.alpha, comparisonAlpha },
    crossovers: data.crossovers,
    otherVariants: data.otherVariants,
    unreadableOutcomes: data.unreadableOutcomes,
    decision,
    winner,
    reasons,
  };
}

function summariseValues(obs: Observation[]): SampleSummary {
  const s = new RunningSummary();
  for (const o of obs) s.add(o.value);
  return s.snapshot();
}

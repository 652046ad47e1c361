/**
 * Per-prediction attributions for `mlloop explain`: how much each configured feature moved one
 * prediction away from a reference ("baseline") input.
 *
 * - {@link integratedGradients}: integrated gradients (Sundararajan, Taly & Yan, 2017) on the
 *   tfjs model. Attribution of column j = (x_j − b_j) · ∫₀¹ ∂f/∂x_j (b + α(x − b)) dα, the
 *   integral taken with the trapezoid rule over `steps` equal intervals. By the fundamental
 *   theorem of calculus the attributions add up to f(x) − f(b) ("completeness"); what they
 *   miss is the quadrature error, reported as `gap`, so a caller can see whether `steps` was
 *   enough.
 * - {@link occlusionAttribution}: needs only a scoring function (a loaded bundle, any model):
 *   attribution of a group = f(x) − f(x with that group set to the baseline). Cheap (groups + 2
 *   rows scored) and exact about what it measures, but not additive: with interactions the
 *   values need not sum to f(x) − f(b), and `gap` says by how much they do not.
 *
 * Both sum column attributions per {@link FeatureGroup} (one value per configured feature)
 * and return them in the groups' order (sort by |value| for display).
 *
 * The baseline. The default is the all-zeros row. After the pipeline's standardisation a zero
 * numeric column is the training mean, so for standardised numerics the question answered is
 * "compared with an average value". For other encodings zero means something else, and the
 * reader of an explanation should know it:
 * - one-hot categorical: all zeros is "no category at all" (not even "(other)"), a row the
 *   model never saw in training; the group's attribution is the effect of having this row's
 *   category rather than none.
 * - hashed TF-IDF text: all zeros is the empty text; the attribution is the effect of the
 *   text's words compared with no words.
 * - boolean: false. minmax numerics: the training minimum. log1p / none: the raw value 0.
 * Pass `baseline: columnMeans(trainX, n, d)` to compare with the average training row instead
 * (one-hot columns then hold category frequencies, text columns the mean TF-IDF vector).
 *
 * Which output: `outputIndex` picks one output unit — 0 for binary (P(class 1): a positive
 * attribution pushes towards class 1, whatever the predicted class) and regression (the
 * value), the class for multiclass (usually the predicted one, {@link predictedOutputIndex}).
 *
 * No node built-ins (imports tfjs); every tensor created here is released before returning.
 */
import * as tf from '@tensorflow/tfjs';
import type { Task } from '../project/types';
import { assertValidGroups, type FeatureGroup } from './groups';
import type { ScoreRows } from './permutation';

/** The attribution of one configured feature, in the units of the explained output. */
export interface FeatureAttribution {
  feature: string;
  value: number;
}

/** An explanation of one prediction. */
export interface AttributionResult {
  /** One entry per group, in the groups' order. */
  attributions: FeatureAttribution[];
  /** The explained output at the row. */
  fx: number;
  /** The explained output at the baseline. */
  fBaseline: number;
  /**
   * Σ attributions − (fx − fBaseline). Integrated gradients: the quadrature error (taken over
   * all columns, so columns outside every group do not show up as error); shrinks with more
   * steps. Occlusion: how far the per-group effects are from additive.
   */
  gap: number;
}

/** Options of {@link integratedGradients}. */
export interface IntegratedGradientsOptions {
  /** Reference row, length d. Default: all zeros (see the module doc for what that means per encoding). */
  baseline?: Float32Array;
  /** Which output unit to explain (0 for binary and regression, a class for multiclass). */
  outputIndex: number;
  /** Equal trapezoid intervals the path starts with; default 50. */
  steps?: number;
  /**
   * Refinement target: intervals are bisected until the summed quadrature error is at most
   * tolerance · |f(x) − f(baseline)| (never below float32 noise, 1e-5 · max(1, |f|)).
   * Default 1e-3.
   */
  tolerance?: number;
  /** Most intervals refinement may reach; default 1000. Set it to `steps` for the plain uniform rule. */
  maxSteps?: number;
  /** Column groups to sum attributions over (pipeline output columns grouped by feature). */
  groups: FeatureGroup[];
}

/** {@link AttributionResult} with the number of trapezoid intervals integrated gradients used. */
export interface IntegratedGradientsResult extends AttributionResult {
  steps: number;
}

/** Path points evaluated per forward + backward pass: bounds the memory of one pass. */
const GRADIENT_CHUNK_ROWS = 512;

/**
 * Integrated-gradients attribution of one row's output `outputIndex`, summed per group.
 *
 * The path b + α(x − b), α ∈ [0, 1], is first cut into `steps` equal intervals; the model's
 * output f and gradient ∂f/∂x are computed at every node in batched forward + backward passes
 * (dropout off). Attribution of column j = (x_j − b_j) · Σ over intervals of
 * h · (∂f/∂x_j(left) + ∂f/∂x_j(right)) / 2, in float64 from the model's float32 gradients.
 *
 * Why refinement: the integrand of a ReLU network jumps wherever a hidden unit switches on or
 * off along the path, and the trapezoid rule's error at a jump shrinks only like 1/steps (a
 * trained 32-16 ReLU net still missed ~1–2% of f(x) − f(b) with 50 equal steps). Each
 * interval's error is known exactly — its trapezoid estimate of the change of f minus the
 * actual f(right) − f(left) — so the intervals holding most of the error are bisected (those
 * making up 80% of it, each round) until the summed error meets `tolerance` or `maxSteps`
 * intervals are used. Smooth stretches keep their coarse intervals; the gap that remains is
 * reported, not hidden.
 *
 * @param model a model taking [batch, d] inputs (e.g. from the engine's fitModel or a bundle).
 * @param row the row to explain, length d, encoded by the feature pipeline.
 * @returns attributions per group, f(x), f(baseline), gap = Σ attributions over all columns −
 *   (f(x) − f(baseline)), and the number of intervals used.
 * @throws Error when lengths do not match the model's input width, outputIndex is out of
 *   range, steps/maxSteps are not whole numbers with 1 ≤ steps ≤ maxSteps, or the groups are
 *   invalid.
 */
export function integratedGradients(model: tf.LayersModel, row: Float32Array, opts: IntegratedGradientsOptions): IntegratedGradientsResult {
  const d = row.length;
  const inputShape = model.inputs[0].shape;
  if (inputShape.length !== 2 || (inputShape[1] !== null && inputShape[1] !== d)) {
    throw new Error(`integratedGradients: the model takes inputs of shape ${JSON.stringify(inputShape)}, the row has ${d} values`);
  }
  const outputShape = model.outputs[0].shape;
  const outputs = outputShape[outputShape.length - 1] as number;
  checkOutputIndex(opts.outputIndex, outputs);
  const steps = opts.steps ?? 50;
  const maxSteps = opts.maxSteps ?? Math.max(1000, steps);
  const tolerance = opts.tolerance ?? 1e-3;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`integratedGradients: steps must be a whole number ≥ 1, got ${steps}`);
  if (!Number.isInteger(maxSteps) || maxSteps < steps) throw new Error(`integratedGradients: maxSteps must be a whole number ≥ steps (${steps}), got ${maxSteps}`);
  if (!(tolerance >= 0)) throw new Error(`integratedGradients: tolerance must be ≥ 0, got ${tolerance}`);
  const baseline = baselineFor(opts.baseline, d);
  assertValidGroups(opts.groups, d);

  const difference = new Float64Array(d);
  for (let j = 0; j < d; j++) difference[j] = row[j] - baseline[j];
  const evaluate = (alphas: readonly number[]): PathNode[] => evaluatePath(model, opts.outputIndex, row, baseline, difference, alphas);

  let nodes = evaluate(Array.from({ length: steps + 1 }, (_, s) => s / steps));
  const fBaseline = nodes[0].f;
  const fx = nodes[nodes.length - 1].f;
  const target = Math.max(tolerance * Math.abs(fx - fBaseline), 1e-5 * Math.max(1, Math.abs(fx), Math.abs(fBaseline)));
  for (;;) {
    const intervals = nodes.length - 1;
    const errors = nodes.slice(1).map((right, s) => Math.abs(intervalError(nodes[s], right)));
    const totalError = errors.reduce((a, b) => a + b, 0);
    if (totalError <= target || intervals >= maxSteps) break;
    // Bisect the worst intervals until they cover 80% of the error (or the budget runs out).
    const order = errors.map((_, s) => s).sort((a, b) => errors[b] - errors[a]);
    const chosen: number[] = [];
    let covered = 0;
    for (const s of order) {
      if (covered >= 0.8 * totalError || intervals + chosen.length >= maxSteps) break;
      chosen.push(s);
      covered += errors[s];
    }
    const added = evaluate(chosen.map((s) => (nodes[s].alpha + nodes[s + 1].alpha) / 2));
    nodes = [...nodes, ...added].sort((a, b) => a.alpha - b.alpha);
  }

  const columnAttribution = new Float64Array(d);
  for (let s = 0; s < nodes.length; s++) {
    // Trapezoid weight of a node: half of each interval it bounds.
    const left = s > 0 ? nodes[s].alpha - nodes[s - 1].alpha : 0;
    const right = s < nodes.length - 1 ? nodes[s + 1].alpha - nodes[s].alpha : 0;
    const weight = (left + right) / 2;
    const gradient = nodes[s].gradient;
    for (let j = 0; j < d; j++) columnAttribution[j] += weight * gradient[j];
  }
  let total = 0;
  for (let j = 0; j < d; j++) {
    columnAttribution[j] *= difference[j];
    total += columnAttribution[j];
  }
  return { attributions: sumPerGroup(opts.groups, columnAttribution), fx, fBaseline, gap: total - (fx - fBaseline), steps: nodes.length - 1 };
}

/** One point of the integration path with the model's output and gradient there. */
interface PathNode {
  alpha: number;
  f: number;
  /** ∂f/∂x at the point, length d. */
  gradient: Float32Array;
  /** Σ_j (x_j − b_j) · ∂f/∂x_j: the derivative of f along the path, df/dα. */
  slope: number;
}

/** Trapezoid estimate of f(right) − f(left) minus the actual change: the interval's quadrature error. */
function intervalError(left: PathNode, right: PathNode): number {
  return ((right.alpha - left.alpha) * (left.slope + right.slope)) / 2 - (right.f - left.f);
}

/** Output and gradient of the explained output at the path points b + α(x − b). */
function evaluatePath(
  model: tf.LayersModel,
  outputIndex: number,
  row: Float32Array,
  baseline: Float32Array,
  difference: Float64Array,
  alphas: readonly number[],
): PathNode[] {
  const d = row.length;
  const nodes: PathNode[] = [];
  for (let start = 0; start < alphas.length; start += GRADIENT_CHUNK_ROWS) {
    const chunk = alphas.slice(start, start + GRADIENT_CHUNK_ROWS);
    const points = new Float32Array(chunk.length * d);
    chunk.forEach((alpha, s) => {
      if (alpha === 1) points.set(row, s * d);
      else for (let j = 0; j < d; j++) points[s * d + j] = baseline[j] + alpha * difference[j];
    });
    const [gradients, values] = tf.tidy(() => {
      const input = tf.tensor2d(points, [chunk.length, d]);
      // Each point's output depends only on its own row, so the gradient of the batch's sum
      // is, row by row, the gradient of that point's output.
      const explained = (x: tf.Tensor): tf.Tensor => (model.apply(x, { training: false }) as tf.Tensor).slice([0, outputIndex], [-1, 1]);
      return [tf.grad((x: tf.Tensor) => explained(x).sum())(input), explained(input)];
    });
    let gradientValues: Float32Array;
    let outputValues: Float32Array;
    try {
      // Copies: the nodes keep views of these, and a backend may reuse its own buffers.
      gradientValues = (gradients.dataSync() as Float32Array).slice();
      outputValues = (values.dataSync() as Float32Array).slice();
    } finally {
      gradients.dispose();
      values.dispose();
    }
    chunk.forEach((alpha, s) => {
      const gradient = gradientValues.subarray(s * d, (s + 1) * d);
      let slope = 0;
      for (let j = 0; j < d; j++) slope += difference[j] * gradient[j];
      nodes.push({ alpha, f: outputValues[s], gradient, slope });
    });
  }
  return nodes;
}

/** Options of {@link occlusionAttribution}. */
export interface OcclusionOptions {
  /** The row to explain, length d, encoded by the feature pipeline. */
  row: Float32Array;
  /** Values a group is replaced by, length d. Default all zeros (see the module doc). */
  baseline?: Float32Array;
  /** Which output unit to explain (0 for binary and regression, a class for multiclass). */
  outputIndex: number;
  groups: FeatureGroup[];
  /** Scores rows (n×d row-major) → n×outputs, e.g. `(x, n) => predictScores(model, x, n, d)`. */
  score: ScoreRows;
}

/**
 * Occlusion attribution of one row: for each group, f(x) − f(x with the group's columns set to
 * their baseline values). Scores groups + 2 rows in one call (the row, the baseline, one
 * occluded row per group). A group with no columns gets 0.
 * @throws Error when lengths do not match, the scoring function returns a shape that is not
 *   rows × outputs, or outputIndex is out of range.
 */
export async function occlusionAttribution(opts: OcclusionOptions): Promise<AttributionResult> {
  const { row, groups } = opts;
  const d = row.length;
  const baseline = baselineFor(opts.baseline, d);
  assertValidGroups(groups, d);
  const rows = groups.length + 2;
  const x = new Float32Array(rows * d);
  x.set(row, 0);
  x.set(baseline, d);
  groups.forEach((group, g) => {
    const at = (g + 2) * d;
    x.set(row, at);
    for (const c of group.columns) x[at + c] = baseline[c];
  });
  const scores = await opts.score(x, rows);
  const outputs = scores.length / rows;
  if (!Number.isInteger(outputs) || outputs < 1) throw new Error(`occlusionAttribution: the scoring function returned ${scores.length} values for ${rows} rows`);
  checkOutputIndex(opts.outputIndex, outputs);
  const at = (r: number): number => scores[r * outputs + opts.outputIndex];
  const fx = at(0);
  const fBaseline = at(1);
  let total = 0;
  const attributions = groups.map((group, g) => {
    const value = fx - at(g + 2);
    total += value;
    return { feature: group.feature, value };
  });
  return { attributions, fx, fBaseline, gap: total - (fx - fBaseline) };
}

/**
 * Mean of each column of a row-major n×d matrix (accumulated in float64): a baseline that is
 * the average training row. n = 0 gives zeros.
 */
export function columnMeans(x: Float32Array, n: number, d: number): Float32Array {
  if (x.length !== n * d) throw new Error(`columnMeans: x has ${x.length} values, expected n·d = ${n * d}`);
  const sums = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sums[j] += x[i * d + j];
  return Float32Array.from(sums, (s) => (n > 0 ? s / n : 0));
}

/**
 * The output unit an explanation should usually look at: 0 for binary (P(class 1)) and
 * regression, the arg max (ties to the lowest index) for multiclass.
 * @param outputs the row's model outputs (length 1, or k for multiclass).
 */
export function predictedOutputIndex(task: Task, outputs: ArrayLike<number>): number {
  if (task !== 'multiclass') return 0;
  let best = 0;
  for (let c = 1; c < outputs.length; c++) if (outputs[c] > outputs[best]) best = c;
  return best;
}

function checkOutputIndex(outputIndex: number, outputs: number): void {
  if (!Number.isInteger(outputIndex) || outputIndex < 0 || outputIndex >= outputs) {
    throw new Error(`outputIndex ${outputIndex} is outside the model's ${outputs} output${outputs === 1 ? '' : 's'}`);
  }
}

function baselineFor(baseline: Float32Array | undefined, d: number): Float32Array {
  if (baseline === undefined) return new Float32Array(d);
  if (baseline.length !== d) throw new Error(`The baseline has ${baseline.length} values, the row ${d}`);
  return baseline;
}

function sumPerGroup(groups: readonly FeatureGroup[], columnValues: Float64Array): FeatureAttribution[] {
  return groups.map((group) => {
    let value = 0;
    for (const c of group.columns) value += columnValues[c];
    return { feature: group.feature, value };
  });
}

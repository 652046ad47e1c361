/**
 * Linear models fitted exactly: L2-penalised logistic (binary), multinomial logistic
 * (multiclass) and ridge-penalised least squares (regression), minimised with L-BFGS in plain
 * TypeScript over a sparse copy of the rows (or a dense float64 copy when most cells are
 * non-zero, as in numeric tables).
 *
 * Why not the tfjs training loop: a linear model is a convex problem with one optimum, which
 * a quasi-Newton method reaches in tens to a few hundred passes over the data (as
 * scikit-learn's lbfgs solver does), with no learning rate, batch size or epoch count to choose, and no
 * validation rows needed to stop it. Hashed text makes the rows wide and almost empty (tens
 * of non-zeros among 10,000+ columns); the dense loop pays for every zero, this one only for
 * the non-zeros. A numeric table is the opposite case: every cell a non-zero, so it is
 * evaluated from a dense float64 copy (8 bytes a cell, besides the sparse copy's 12 a
 * non-zero). `model: auto` uses it for its linear candidates; an explicit
 * `model: { type: logistic }` still trains with the tfjs loop, as before.
 *
 * PURE: no node built-ins, no tfjs (models.ts turns the weights into a layers model).
 */
import type { Task } from '../project/types';
import { CancelledError } from '../util/errors';

/** Rows as compressed sparse rows: row r's non-zeros are columns[start[r] … start[r+1]). */
export interface SparseRows {
  n: number;
  d: number;
  start: Int32Array;
  columns: Int32Array;
  values: Float64Array;
}

/** Copies a row-major dense matrix (n × d) into {@link SparseRows}, keeping the non-zeros. */
export function sparseRows(x: Float32Array, n: number, d: number): SparseRows {
  let nnz = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) nnz++;
  const start = new Int32Array(n + 1);
  const columns = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  let at = 0;
  for (let r = 0; r < n; r++) {
    start[r] = at;
    const base = r * d;
    for (let c = 0; c < d; c++) {
      const v = x[base + c];
      if (v !== 0) {
        columns[at] = c;
        values[at++] = v;
      }
    }
  }
  start[n] = at;
  return { n, d, start, columns, values };
}

export interface LinearFitOptions {
  task: Task;
  /** Outputs: 1 for binary and regression, the number of classes for multiclass. */
  outputs: number;
  /** Penalty l2 · Σ W² (not the bias) added to the mean loss, as the logistic model's kernelL2. */
  l2: number;
  /** Per-row weight multiplying the row's loss (sample × class weight); default 1. */
  rowWeight?: Float32Array | null;
  /** Most L-BFGS iterations. Default 1000. */
  maxIterations?: number;
  /**
   * Where the search starts (default all zeros): a previous fit at a nearby l2 (a warm start
   * along the regularisation path, as glmnet does), which saves most iterations. The optimum
   * is the same either way (the problem is strictly convex for l2 > 0).
   */
  start?: { kernel: Float64Array; bias: Float64Array };
  /**
   * How the loss is evaluated: 'auto' (default) from a dense copy when at least half the
   * cells of the used columns are non-zero, else over the sparse rows. Both give the same
   * optimum; forcing one is for tests and benchmarks.
   */
  layout?: 'auto' | 'dense' | 'sparse';
  signal?: AbortSignal;
}

export interface LinearFit {
  /** Kernel, row-major d × outputs (the tfjs Dense kernel layout). */
  kernel: Float64Array;
  bias: Float64Array;
  /** Objective at the end: mean weighted loss + l2 · Σ W². */
  objective: number;
  iterations: number;
  /** True when a stopping rule (gradient or objective change) ended the run before maxIterations. */
  converged: boolean;
}

/** How long the loop may compute before letting the event loop run (cancel messages). */
const YIELD_EVERY_MS = 50;
/** L-BFGS memory (pairs kept), as scipy's default. */
const MEMORY = 10;
/** Widest dense rows (used columns + 1) preconditioned by {@link curvatureBound}. */
const MAX_PRECONDITIONED_WIDTH = 256;

/**
 * Minimises f(W, b) = (1/n) Σᵢ wᵢ ℓ(xᵢ·W + b, yᵢ) + l2 · Σ W² with L-BFGS, starting from zero
 * (or `start`).
 * - binary: ℓ = softplus(z) − y·z (cross-entropy of sigmoid(z)), y ∈ {0, 1};
 * - multiclass: ℓ = logsumexp(z) − z_y (cross-entropy of softmax(z)), y a class index;
 * - regression: ℓ = (z − y)² (y as given; callers pass scaled targets).
 * In scikit-learn's terms, l2 = 1 / (2·C·n) is LogisticRegression(C) and l2 = α / n is
 * Ridge(alpha=α) (both fit an unpenalised intercept, as here).
 *
 * Stops when max |∇f| < 1e-8, when an iteration lowers f by less than 1e-9 relative
 * (the form of scipy’s L-BFGS-B ftol rule), or after maxIterations. The line search
 * backtracks from the L-BFGS step until Armijo's condition holds; a pair with sᵀy ≤ 0 is not
 * stored. Dense rows at most 255 used columns wide (numeric tables) are preconditioned: the
 * initial inverse Hessian is a fixed curvature bound (see curvatureBound) instead of a scaled
 * identity, which cuts the iterations 3–4× on an ill-conditioned table and makes ridge one
 * Newton step; the optimum is the same. Deterministic (no randomness); arithmetic in float64.
 *
 * @param y binary 0/1, multiclass class index, regression target; length rows.n.
 * @throws CancelledError when `signal` aborts (checked between iterations).
 */
export async function fitLinear(all: SparseRows, y: Float32Array, opts: LinearFitOptions): Promise<LinearFit> {
  // Columns no row uses keep weight 0 at the optimum (their gradient is 2·l2·W = 0 from 0),
  // so the search runs over the used columns only: hashed text uses a fraction of its buckets.
  const { rows, used } = compactColumns(all);
  const { n, d } = rows;
  const k = opts.outputs;
  const size = d * k + k;
  const data = objectiveData(rows, y, opts);
  const objective = (at: Float64Array, gradient: Float64Array): number => evaluateObjective(data, opts.l2, at, gradient);
  const maxIterations = opts.maxIterations ?? 1000;

  let theta = new Float64Array(size);
  if (opts.start) {
    for (let j = 0; j < d; j++) theta.set(opts.start.kernel.subarray(used[j] * k, (used[j] + 1) * k), j * k);
    theta.set(opts.start.bias, d * k);
  }
  let grad = new Float64Array(size);
  let f = objective(theta, grad);
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rhoList: number[] = [];
  const direction = new Float64Array(size);
  const alpha = new Float64Array(MEMORY);
  let next = new Float64Array(size);
  let nextGrad = new Float64Array(size);
  let iterations = 0;
  let converged = false;
  let lastYield = performance.now();
  // Dense, narrow rows (numeric tables): precondition with a fixed bound on the Hessian.
  const pre = data.dense && d + 1 <= MAX_PRECONDITIONED_WIDTH ? curvatureBound(data, opts.l2) : null;
  const preY = new Float64Array(size);

  while (iterations < maxIterations) {
    if (maxAbs(grad) < 1e-8 || n === 0) {
      converged = true;
      break;
    }
    // Two-loop recursion: direction = −H·grad, H₀ the preconditioner (scaled by the last
    // pair's curvature) or, without one, the identity so scaled.
    direction.set(grad);
    for (let j = sList.length - 1; j >= 0; j--) {
      alpha[j] = rhoList[j] * dot(sList[j], direction);
      axpy(-alpha[j], yList[j], direction);
    }
    if (pre) {
      pre.apply(direction);
      if (sList.length > 0) {
        const last = sList.length - 1;
        preY.set(yList[last]);
        pre.apply(preY);
        scale(direction, dot(sList[last], yList[last]) / dot(yList[last], preY));
      }
    } else if (sList.length > 0) {
      const last = sList.length - 1;
      scale(direction, dot(sList[last], yList[last]) / dot(yList[last], yList[last]));
    }
    for (let j = 0; j < sList.length; j++) {
      const beta = rhoList[j] * dot(yList[j], direction);
      axpy(alpha[j] - beta, sList[j], direction);
    }
    scale(direction, -1);
    let slope = dot(grad, direction);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      sList.length = yList.length = rhoList.length = 0;
      direction.set(grad);
      scale(direction, -1);
      slope = -dot(grad, grad);
    }
    let step = sList.length === 0 && !pre ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    let nextF = Infinity;
    for (let tries = 0; tries < 40; tries++) {
      for (let i = 0; i < size; i++) next[i] = theta[i] + step * direction[i];
      nextF = objective(next, nextGrad);
      if (nextF <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    iterations++;
    if (!(nextF <= f)) {
      // The line search found no decrease: f is at its floating-point minimum.
      converged = true;
      break;
    }
    const s = new Float64Array(size);
    const yy = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      s[i] = next[i] - theta[i];
      yy[i] = nextGrad[i] - grad[i];
    }
    const sy = dot(s, yy);
    if (sy > 1e-12) {
      if (sList.length === MEMORY) {
        sList.shift();
        yList.shift();
        rhoList.shift();
      }
      sList.push(s);
      yList.push(yy);
      rhoList.push(1 / sy);
    }
    const decrease = f - nextF;
    [theta, next] = [next, theta];
    [grad, nextGrad] = [nextGrad, grad];
    f = nextF;
    if (decrease <= 1e-9 * Math.max(Math.abs(f), Math.abs(f + decrease), 1)) {
      converged = true;
      break;
    }
    if (opts.signal?.aborted) throw new CancelledError('Training cancelled');
    if (performance.now() - lastYield >= YIELD_EVERY_MS) {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      lastYield = performance.now();
      if (opts.signal?.aborted) throw new CancelledError('Training cancelled');
    }
  }
  const kernel = new Float64Array(all.d * k);
  for (let j = 0; j < d; j++) kernel.set(theta.subarray(j * k, (j + 1) * k), used[j] * k);
  return { kernel, bias: theta.slice(d * k), objective: f, iterations, converged };
}

/** The rows with their columns renumbered over the columns that hold a non-zero; used[j] is column j's original index. */
function compactColumns(rows: SparseRows): { rows: SparseRows; used: Int32Array } {
  const index = new Int32Array(rows.d).fill(-1);
  const source = rows.columns;
  let count = 0;
  for (let at = 0; at < source.length; at++) if (index[source[at]] < 0) index[source[at]] = count++;
  const used = new Int32Array(count);
  for (let c = 0; c < rows.d; c++) if (index[c] >= 0) used[index[c]] = c;
  const columns = new Int32Array(source.length);
  for (let at = 0; at < source.length; at++) columns[at] = index[source[at]];
  return { rows: { ...rows, d: count, columns }, used };
}

/**
 * Rows at least this dense (non-zeros / cells, over the used columns) are evaluated from a
 * dense float64 copy: for numeric tables every cell is a non-zero, and the sparse loop's
 * column index per value costs more than the zeros a dense loop would multiply.
 */
const DENSE_FRACTION = 0.5;

/**
 * The data of one objective, prepared once per fit so the loop over rows reads only typed
 * arrays: per-row weights already divided by n (so a row's term is weight · ℓ), class
 * indices as integers (a float index into a typed array is a slow keyed load in V8), and,
 * for dense rows, the row-major float64 copy.
 */
interface ObjectiveData {
  task: Task;
  n: number;
  d: number;
  k: number;
  /** wᵢ / n. */
  weight: Float64Array;
  /** Multiclass: class index per row. */
  classes: Int32Array;
  /** Binary / regression: the target per row. */
  target: Float64Array;
  /** Row-major n × d when the rows are dense (see DENSE_FRACTION), else null. */
  dense: Float64Array | null;
  sparse: SparseRows;
  /** Dense layout scratch: parameters and gradient transposed to k × (d + 1) (class-major, bias last). */
  wt: Float64Array;
  gt: Float64Array;
  /** Per-row logits (k), for the sparse loops. */
  z: Float64Array;
  /** All rows' logits (n × k), for the dense multiclass loop; empty otherwise. */
  logits: Float64Array;
}

function objectiveData(rows: SparseRows, y: Float32Array, opts: LinearFitOptions): ObjectiveData {
  const { n, d } = rows;
  const k = opts.outputs;
  const weight = new Float64Array(n);
  for (let r = 0; r < n; r++) weight[r] = (opts.rowWeight ? opts.rowWeight[r] : 1) / n;
  const multiclass = opts.task === 'multiclass';
  const classes = multiclass ? Int32Array.from(y) : new Int32Array(0);
  const target = multiclass ? new Float64Array(0) : Float64Array.from(y);
  const layout = opts.layout ?? 'auto';
  const useDense = layout === 'dense' || (layout === 'auto' && n * d > 0 && rows.values.length >= DENSE_FRACTION * n * d);
  let dense: Float64Array | null = null;
  if (useDense) {
    dense = new Float64Array(n * d);
    for (let r = 0; r < n; r++) for (let at = rows.start[r]; at < rows.start[r + 1]; at++) dense[r * d + rows.columns[at]] = rows.values[at];
  }
  const size = (d + 1) * k;
  return { task: opts.task, n, d, k, weight, classes, target, dense, sparse: rows, wt: new Float64Array(size),
    gt: new Float64Array(size),
    z: new Float64Array(k),
    logits: new Float64Array(dense && multiclass ? n * k : 0),
  };
}

/**
 * A fixed matrix M ≥ the objective's Hessian, used as L-BFGS's initial inverse Hessian
 * (M⁻¹ in place of a scaled identity), per class block: M = s·G + 2·l2·D, with
 * G = Σᵢ wᵢ x̃ᵢ x̃ᵢᵀ the weighted Gram matrix of the rows with a 1 appended (x̃ = [x, 1]),
 * D the identity without the bias entry, and s the loss's largest curvature: ½ for softmax
 * (Böhning 1992: diag(p) − ppᵀ ≤ ½(I − 11ᵀ/k)), ¼ for the sigmoid, 2 for squared error
 * (where M is the exact Hessian, so the first step is Newton's and lands on the optimum).
 *
 * Why: on a numeric table the weak penalties leave the problem ill-conditioned (correlated
 * columns, scales left after standardising), and plain L-BFGS crawls through a tail of
 * hundreds of iterations each costing a pass over the data; M costs one pass and a
 * (d+1)² Cholesky factorisation, and takes the correlations out of every step. The optimum
 * is unchanged (only the search path differs). Null when M is not positive definite.
 */
function curvatureBound(data: ObjectiveData, l2: number): { apply: (v: Float64Array) => void } | null {
  const { n, d, k, weight } = data;
  const x = data.dense as Float64Array;
  const m = d + 1;
  const gram = new Float64Array(m * m);
  for (let r = 0; r < n; r++) {
    const wr = weight[r];
    if (wr === 0) continue;
    const row = r * d;
    for (let i = 0; i < d; i++) {
      const xi = wr * x[row + i];
      const at = i * m;
      for (let j = 0; j <= i; j++) gram[at + j] += xi * x[row + j];
      gram[at + d] += xi;
    }
    gram[d * m + d] += wr;
  }
  const curvature = data.task === 'multiclass' ? 0.5 : data.task === 'binary' ? 0.25 : 2;
  // Lower triangle → full scaled matrix; the bias row was accumulated in column d.
  const a = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      const g = i === d ? gram[j * m + d] : gram[i * m + j];
      a[i * m + j] = a[j * m + i] = curvature * g;
    }
  }
  let largest = 0;
  for (let i = 0; i < m; i++) largest = Math.max(largest, a[i * m + i]);
  for (let i = 0; i < m; i++) a[i * m + i] += (i < d ? 2 * l2 : 0) + 1e-10 * largest;
  const lower = cholesky(a, m);
  if (!lower) return null;
  const v = new Float64Array(m);
  return {
    apply(theta: Float64Array): void {
      for (let c = 0; c < k; c++) {
        for (let j = 0; j < d; j++) v[j] = theta[j * k + c];
        v[d] = theta[d * k + c];
        solveCholesky(lower, m, v);
        for (let j = 0; j < d; j++) theta[j * k + c] = v[j];
        theta[d * k + c] = v[d];
      }
    },
  };
}

/** The lower Cholesky factor of a symmetric m × m matrix (row-major), or null if it is not positive definite. */
function cholesky(a: Float64Array, m: number): Float64Array | null {
  const l = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * m + j];
      for (let p = 0; p < j; p++) sum -= l[i * m + p] * l[j * m + p];
      if (i === j) {
        if (!(sum > 0)) return null;
        l[i * m + i] = Math.sqrt(sum);
      } else {
        l[i * m + j] = sum / l[j * m + j];
      }
    }
  }
  return l;
}

/** v ← (L Lᵀ)⁻¹ v. */
function solveCholesky(l: Float64Array, m: number, v: Float64Array): void {
  for (let i = 0; i < m; i++) {
    let sum = v[i];
    for (let p = 0; p < i; p++) sum -= l[i * m + p] * v[p];
    v[i] = sum / l[i * m + i];
  }
  for (let i = m - 1; i >= 0; i--) {
    let sum = v[i];
    for (let p = i + 1; p < m; p++) sum -= l[p * m + i] * v[p];
    v[i] = sum / l[i * m + i];
  }
}

/**
 * f(θ) and its gradient (written into `grad`), θ = [kernel d×k row-major, bias k]. The loss
 * term is evaluated by one of six loops (task × dense / sparse), each a plain function over
 * typed arrays with no branch on the task inside the loop over rows.
 */
function evaluateObjective(data: ObjectiveData, l2: number, theta: Float64Array, grad: Float64Array): number {
  const { n, d, k, dense } = data;
  let loss: number;
  if (dense) {
    // Class-major copy of θ: a logit is then a dot product over one contiguous row of
    // weights, accumulated in a register, and the gradient an axpy into one contiguous row.
    const { wt, gt } = data;
    const stride = d + 1;
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) wt[c * stride + j] = theta[j * k + c];
      wt[c * stride + d] = theta[d * k + c];
    }
    gt.fill(0);
    if (data.task === 'multiclass') loss = multiclassDense(dense, n, d, k, data.classes, data.weight, wt, gt, data.logits);
    else if (data.task === 'binary') loss = binaryDense(dense, n, d, data.target, data.weight, wt, gt);
    else loss = regressionDense(dense, n, d, data.target, data.weight, wt, gt);
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) grad[j * k + c] = gt[c * stride + j];
      grad[d * k + c] = gt[c * stride + d];
    }
  } else {
    grad.fill(0);
    const { start, columns, values } = data.sparse;
    if (data.task === 'multiclass') loss = multiclassSparse(start, columns, values, n, d, k, data.classes, data.weight, theta, grad, data.z);
    else if (data.task === 'binary') loss = binarySparse(start, columns, values, n, d, data.target, data.weight, theta, grad);
    else loss = regressionSparse(start, columns, values, n, d, data.target, data.weight, theta, grad);
  }
  let penalty = 0;
  if (l2 > 0) {
    const biasAt = d * k;
    for (let i = 0; i < biasAt; i++) {
      penalty += theta[i] * theta[i];
      grad[i] += 2 * l2 * theta[i];
    }
  }
  return loss + l2 * penalty;
}

// The six loss loops. Dense ones take W and G class-major, k × (d + 1) with the bias last;
// sparse ones take θ and the gradient in θ's layout (d × k, then the bias), so a non-zero's
// k weights are adjacent. Rows of weight 0 add nothing (and are skipped).

/**
 * Σ wᵢ (logsumexp(zᵢ) − zᵢ[yᵢ]); G += wᵢ (softmax(zᵢ) − onehot(yᵢ)) ⊗ [xᵢ, 1].
 * `z` holds n × k: the logits, then their gradient. Classes go four at a time, so each value
 * of a row is loaded once per four classes and the four sums stay in registers; the gradient
 * is a second pass over the rows in the same order (each G entry sums the rows 0 … n−1).
 */
function multiclassDense(x: Float64Array, n: number, d: number, k: number, classes: Int32Array, weight: Float64Array, w: Float64Array, g: Float64Array, z: Float64Array): number {
  const stride = d + 1;
  let loss = 0;
  for (let r = 0; r < n; r++) {
    const row = r * d;
    const zr = r * k;
    let c = 0;
    for (; c + 4 <= k; c += 4) {
      const b0 = c * stride;
      const b1 = b0 + stride;
      const b2 = b1 + stride;
      const b3 = b2 + stride;
      let s0 = w[b0 + d];
      let s1 = w[b1 + d];
      let s2 = w[b2 + d];
      let s3 = w[b3 + d];
      for (let j = 0; j < d; j++) {
        const v = x[row + j];
        s0 += v * w[b0 + j];
        s1 += v * w[b1 + j];
        s2 += v * w[b2 + j];
        s3 += v * w[b3 + j];
      }
      z[zr + c] = s0;
      z[zr + c + 1] = s1;
      z[zr + c + 2] = s2;
      z[zr + c + 3] = s3;
    }
    for (; c < k; c++) {
      const b0 = c * stride;
      let s0 = w[b0 + d];
      for (let j = 0; j < d; j++) s0 += x[row + j] * w[b0 + j];
      z[zr + c] = s0;
    }
    const wr = weight[r];
    if (wr === 0) {
      for (c = 0; c < k; c++) z[zr + c] = 0;
      continue;
    }
    let max = -Infinity;
    for (c = 0; c < k; c++) if (z[zr + c] > max) max = z[zr + c];
    let sum = 0;
    for (c = 0; c < k; c++) sum += Math.exp(z[zr + c] - max);
    // log-sum-exp once per row; the probabilities follow from it.
    const logSum = max + Math.log(sum);
    const y = classes[r];
    loss += wr * (logSum - z[zr + y]);
    for (c = 0; c < k; c++) z[zr + c] = wr * (Math.exp(z[zr + c] - logSum) - (c === y ? 1 : 0));
  }
  let c = 0;
  for (; c + 4 <= k; c += 4) {
    const b0 = c * stride;
    const b1 = b0 + stride;
    const b2 = b1 + stride;
    const b3 = b2 + stride;
    for (let r = 0; r < n; r++) {
      const row = r * d;
      const zr = r * k + c;
      const g0 = z[zr];
      const g1 = z[zr + 1];
      const g2 = z[zr + 2];
      const g3 = z[zr + 3];
      for (let j = 0; j < d; j++) {
        const v = x[row + j];
        g[b0 + j] += g0 * v;
        g[b1 + j] += g1 * v;
        g[b2 + j] += g2 * v;
        g[b3 + j] += g3 * v;
      }
      g[b0 + d] += g0;
      g[b1 + d] += g1;
      g[b2 + d] += g2;
      g[b3 + d] += g3;
    }
  }
  for (; c < k; c++) {
    const b0 = c * stride;
    for (let r = 0; r < n; r++) {
      const row = r * d;
      const g0 = z[r * k + c];
      for (let j = 0; j < d; j++) g[b0 + j] += g0 * x[row + j];
      g[b0 + d] += g0;
    }
  }
  return loss;
}

/** Σ wᵢ (softplus(zᵢ) − yᵢ zᵢ); G += wᵢ (σ(zᵢ) − yᵢ) [xᵢ, 1]. */
function binaryDense(x: Float64Array, n: number, d: number, target: Float64Array, weight: Float64Array, w: Float64Array, g: Float64Array): number {
  let loss = 0;
  for (let r = 0; r < n; r++) {
    const wr = weight[r];
    if (wr === 0) continue;
    const row = r * d;
    let z = w[d];
    for (let j = 0; j < d; j++) z += x[row + j] * w[j];
    const y = target[r];
    loss += wr * (softplus(z) - y * z);
    const dz = wr * (sigmoid(z) - y);
    for (let j = 0; j < d; j++) g[j] += dz * x[row + j];
    g[d] += dz;
  }
  return loss;
}

/** Σ wᵢ (zᵢ − yᵢ)²; G += 2 wᵢ (zᵢ − yᵢ) [xᵢ, 1]. */
function regressionDense(x: Float64Array, n: number, d: number, target: Float64Array, weight: Float64Array, w: Float64Array, g: Float64Array): number {
  let loss = 0;
  for (let r = 0; r < n; r++) {
    const wr = weight[r];
    if (wr === 0) continue;
    const row = r * d;
    let z = w[d];
    for (let j = 0; j < d; j++) z += x[row + j] * w[j];
    const e = z - target[r];
    loss += wr * e * e;
    const dz = wr * 2 * e;
    for (let j = 0; j < d; j++) g[j] += dz * x[row + j];
    g[d] += dz;
  }
  return loss;
}

function multiclassSparse(
  start: Int32Array,
  columns: Int32Array,
  values: Float64Array,
  n: number,
  d: number,
  k: number,
  classes: Int32Array,
  weight: Float64Array,
  theta: Float64Array,
  grad: Float64Array,
  z: Float64Array,
): number {
  const biasAt = d * k;
  let loss = 0;
  for (let r = 0; r < n; r++) {
    const wr = weight[r];
    if (wr === 0) continue;
    const from = start[r];
    const to = start[r + 1];
    for (let c = 0; c < k; c++) z[c] = theta[biasAt + c];
    for (let at = from; at < to; at++) {
      const v = values[at];
      const base = columns[at] * k;
      for (let c = 0; c < k; c++) z[c] += v * theta[base + c];
    }
    let max = -Infinity;
    for (let c = 0; c < k; c++) if (z[c] > max) max = z[c];
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(z[c] - max);
    const logSum = max + Math.log(sum);
    const y = classes[r];
    loss += wr * (logSum - z[y]);
    // z becomes the logits' gradient in place.
    for (let c = 0; c < k; c++) z[c] = wr * (Math.exp(z[c] - logSum) - (c === y ? 1 : 0));
    for (let c = 0; c < k; c++) grad[biasAt + c] += z[c];
    for (let at = from; at < to; at++) {
      const v = values[at];
      const base = columns[at] * k;
      for (let c = 0; c < k; c++) grad[base + c] += v * z[c];
    }
  }
  return loss;
}

function binarySparse(start: Int32Array, columns: Int32Array, values: Float64Array, n: number, d: number, target: Float64Array, weight: Float64Array, theta: Float64Array, grad: Float64Array): number {
  let loss = 0;
  for (let r = 0; r < n; r++) {
    const wr = weight[r];
    if (wr === 0) continue;
    const from = start[r];
    const to = start[r + 1];
    let z = theta[d];
    for (let at = from; at < to; at++) z += values[at] * theta[columns[at]];
    const y = target[r];
    loss += wr * (softplus(z) - y * z);
    const dz = wr * (sigmoid(z) - y);
    grad[d] += dz;
    for (let at = from; at < to; at++) grad[columns[at]] += values[at] * dz;
  }
  return loss;
}

function regressionSparse(start: Int32Array, columns: Int32Array, values: Float64Array, n: number, d: number, target: Float64Array, weight: Float64Array, theta: Float64Array, grad: Float64Array): number {
  let loss = 0;
  for (let r = 0; r < n; r++) {
    const wr = weight[r];
    if (wr === 0) continue;
    const from = start[r];
    const to = start[r + 1];
    let z = theta[d];
    for (let at = from; at < to; at++) z += values[at] * theta[columns[at]];
    const e = z - target[r];
    loss += wr * e * e;
    const dz = wr * 2 * e;
    grad[d] += dz;
    for (let at = from; at < to; at++) grad[columns[at]] += values[at] * dz;
  }
  return loss;
}

/** log(1 + eᶻ) without overflow for large |z|. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** 1 / (1 + e⁻ᶻ) without overflow. */
function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += alpha * x[i];
}

function scale(x: Float64Array, by: number): void {
  for (let i = 0; i < x.length; i++) x[i] *= by;
}

function maxAbs(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a > m) m = a;
  }
  return m;
}

/**
 * Linear models fitted exactly: L2-penalised logistic (binary), multinomial logistic
 * (multiclass) and ridge-penalised least squares (regression), minimised with L-BFGS in plain
 * TypeScript over a sparse copy of the rows.
 *
 * Why not the tfjs training loop: a linear model is a convex problem with one optimum, which
 * a quasi-Newton method reaches in a few hundred passes over the data (as scikit-learn's
 * lbfgs solver does), with no learning rate, batch size or epoch count to choose, and no
 * validation rows needed to stop it. Hashed text makes the rows wide and almost empty (tens
 * of non-zeros among 10,000+ columns); the dense loop pays for every zero, this one only for
 * the non-zeros. `model: auto` uses it for its linear candidates; an explicit
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

/**
 * Minimises f(W, b) = (1/n) Σᵢ wᵢ ℓ(xᵢ·W + b, yᵢ) + l2 · Σ W² with L-BFGS, starting from zero.
 * - binary: ℓ = softplus(z) − y·z (cross-entropy of sigmoid(z)), y ∈ {0, 1};
 * - multiclass: ℓ = logsumexp(z) − z_y (cross-entropy of softmax(z)), y a class index;
 * - regression: ℓ = (z − y)² (y as given; callers pass scaled targets).
 * In scikit-learn's terms, l2 = 1 / (2·C·n) is LogisticRegression(C) and l2 = α / n is
 * Ridge(alpha=α) (both fit an unpenalised intercept, as here).
 *
 * Stops when max |∇f| < 1e-8, when an iteration lowers f by less than 1e-9 relative
 * (the form of scipy’s L-BFGS-B ftol rule), or after maxIterations. The line search
 * backtracks from the L-BFGS step until Armijo's condition holds; a pair with sᵀy ≤ 0 is not
 * stored. Deterministic (no randomness); arithmetic in float64.
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
  const objective = makeObjective(rows, y, opts);
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

  while (iterations < maxIterations) {
    if (maxAbs(grad) < 1e-8 || n === 0) {
      converged = true;
      break;
    }
    // Two-loop recursion: direction = −H·grad.
    direction.set(grad);
    for (let j = sList.length - 1; j >= 0; j--) {
      alpha[j] = rhoList[j] * dot(sList[j], direction);
      axpy(-alpha[j], yList[j], direction);
    }
    if (sList.length > 0) {
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
    let step = sList.length === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
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
  const usedList: number[] = [];
  for (const c of rows.columns) {
    if (index[c] < 0) {
      index[c] = usedList.length;
      usedList.push(c);
    }
  }
  const columns = Int32Array.from(rows.columns, (c) => index[c]);
  return { rows: { ...rows, d: usedList.length, columns }, used: Int32Array.from(usedList) };
}

/** f(θ) and its gradient (written into `grad`), θ = [kernel d×k row-major, bias k]. */
function makeObjective(rows: SparseRows, y: Float32Array, opts: LinearFitOptions): (theta: Float64Array, grad: Float64Array) => number {
  const { n, d, start, columns, values } = rows;
  const k = opts.outputs;
  const { task, l2 } = opts;
  const w = opts.rowWeight ?? null;
  const z = new Float64Array(k);
  const dz = new Float64Array(k);
  const biasAt = d * k;
  return (theta, grad) => {
    grad.fill(0);
    let loss = 0;
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < k; c++) z[c] = theta[biasAt + c];
      for (let at = start[r]; at < start[r + 1]; at++) {
        const v = values[at];
        const base = columns[at] * k;
        for (let c = 0; c < k; c++) z[c] += v * theta[base + c];
      }
      const weight = (w ? w[r] : 1) / n;
      if (weight === 0) continue;
      const target = y[r];
      if (task === 'binary') {
        const zz = z[0];
        // softplus(z) − y·z, computed without overflow for large |z|.
        loss += weight * ((zz > 0 ? zz + Math.log1p(Math.exp(-zz)) : Math.log1p(Math.exp(zz))) - target * zz);
        const p = zz >= 0 ? 1 / (1 + Math.exp(-zz)) : Math.exp(zz) / (1 + Math.exp(zz));
        dz[0] = weight * (p - target);
      } else if (task === 'multiclass') {
        let max = -Infinity;
        for (let c = 0; c < k; c++) if (z[c] > max) max = z[c];
        let sum = 0;
        for (let c = 0; c < k; c++) sum += Math.exp(z[c] - max);
        const logSum = max + Math.log(sum);
        loss += weight * (logSum - z[target]);
        for (let c = 0; c < k; c++) dz[c] = weight * (Math.exp(z[c] - logSum) - (c === target ? 1 : 0));
      } else {
        const e = z[0] - target;
        loss += weight * e * e;
        dz[0] = weight * 2 * e;
      }
      for (let c = 0; c < k; c++) grad[biasAt + c] += dz[c];
      for (let at = start[r]; at < start[r + 1]; at++) {
        const v = values[at];
        const base = columns[at] * k;
        for (let c = 0; c < k; c++) grad[base + c] += v * dz[c];
      }
    }
    let penalty = 0;
    if (l2 > 0) {
      for (let i = 0; i < biasAt; i++) {
        penalty += theta[i] * theta[i];
        grad[i] += 2 * l2 * theta[i];
      }
    }
    return loss + l2 * penalty;
  };
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

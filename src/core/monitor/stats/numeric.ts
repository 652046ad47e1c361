/**
 * Drift of one numeric column between a reference sample (prepared once per model) and a
 * current sample (every monitoring run): the two-sample Kolmogorov–Smirnov test, the
 * 1-Wasserstein distance and the PSI over reference-quantile bins — all exact, from ONE pass
 * over the current values and without sorting them.
 *
 * Why no sort: the reference's distinct values u₀ < … < u_{K−1} cut the line into K + 1 gaps.
 * Between two reference values the reference ECDF is flat, so sup|F_r − F_c| is reached at a
 * reference value or just before the next one: the counts of current values equal to each u_k
 * and inside each gap give the KS statistic exactly (the same doubles scipy compares). The
 * Wasserstein integral over a gap is, while F_c stays on one side of the flat F_r, a linear
 * function of the gap's count and the sum of its values' offsets; only the few gaps where F_c
 * crosses F_r need their values in order, and just those are gathered and sorted in a second
 * pass. The PSI's bins are runs of gaps. A million current values cost one lookup each
 * (a uniform grid over the reference range narrows the binary search to a few steps).
 *
 * Missing values (NaN) are counted apart: the tests compare the present values; the PSI has a
 * bin for missing values when either side has some.
 *
 * Pure module: no node built-ins.
 */
import { ksTwoSamplePValue, type KsResult } from './ks';
import { populationStabilityIndex } from './distances';

/** A reference column prepared for many comparisons. */
export interface NumericReference {
  /** Distinct present values, ascending. */
  values: Float64Array;
  /** cumulative[k] = reference values ≤ values[k]. */
  cumulative: Float64Array;
  /** Present values. */
  n: number;
  /** Missing (NaN) values. */
  missing: number;
  mean: number;
  /** Population standard deviation of the present values (0 for a constant column). */
  std: number;
  /** PSI bin starts as indices into `values` (ascending, distinct); bin b is [values[starts[b]], values[starts[b+1]]), the first open below, the last open above. */
  binStarts: Int32Array;
  /** Lookup grid (see buildGrid): cellStart[c] = the first k whose value falls in cell c or later. */
  grid: { low: number; inverseWidth: number; cells: number; cellStart: Int32Array; padded: Float64Array; coarseShift: number } | null;
}

/** PSI bins: deciles of the reference by default. */
export const DEFAULT_PSI_BINS = 10;

/**
 * Prepares a reference column. Sorts a copy of the present values once.
 * @param values the column; NaN means missing.
 * @param bins PSI bins from the reference's quantiles (inverted-CDF quantiles, so every edge
 *   is a reference value; equal edges from ties collapse into one bin).
 */
export function prepareNumericReference(values: ArrayLike<number>, bins = DEFAULT_PSI_BINS): NumericReference {
  let present = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) present++;
  const sorted = new Float64Array(present);
  let w = 0;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isNaN(v)) {
      sorted[w++] = v;
      total += v;
    }
  }
  sorted.sort();
  const mean = present ? total / present : NaN;
  let squares = 0;
  for (let i = 0; i < present; i++) squares += (sorted[i] - mean) ** 2;
  const std = present ? Math.sqrt(squares / present) : NaN;
  // Distinct values and cumulative counts.
  let k = 0;
  const distinct = new Float64Array(present);
  const cumulative = new Float64Array(present);
  for (let i = 0; i < present; i++) {
    if (k === 0 || sorted[i] !== distinct[k - 1]) distinct[k++] = sorted[i];
    cumulative[k - 1] = i + 1;
  }
  const u = distinct.slice(0, k);
  const cum = cumulative.slice(0, k);
  // Inverted-CDF quantiles at b/bins: the smallest u with F(u) ≥ b/bins.
  const starts: number[] = [0];
  for (let b = 1; b < bins && k > 0; b++) {
    const need = (b / bins) * present;
    let lo = 0;
    let hi = k - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] >= need) hi = mid;
      else lo = mid + 1;
    }
    if (lo > starts[starts.length - 1]) starts.push(lo);
  }
  return { values: u, cumulative: cum, n: present, missing: values.length - present, mean, std, binStarts: Int32Array.from(starts), grid: buildGrid(u) };
}

/** Comparisons unrolled per lookup: a cell holding more reference values is searched by bisection. */
const CELL_SCAN = 8;

/**
 * The lookup grid. Cell c of x is ⌊(x − low)·inverseWidth⌋ (clamped); the reference values are
 * assigned to cells by the same expression, and since it is monotone in floating point, every
 * reference value in an earlier cell is < x and every one in a later cell is > x. So the last
 * reference value ≤ x is found among the few in x's own cell, by counting comparisons without
 * branching on them (a mispredicted branch per step cost most of the time before).
 */
function buildGrid(u: Float64Array): NumericReference['grid'] {
  const k = u.length;
  if (k < 64) return null;
  const low = u[0];
  const span = u[k - 1] - low;
  if (!(span > 0) || !Number.isFinite(span)) return null;
  let cells = 1;
  while (cells < 2 * k && cells < 1 << 16) cells <<= 1;
  const inverseWidth = cells / span;
  if (!Number.isFinite(inverseWidth)) return null;
  const cellStart = new Int32Array(cells + 1);
  let j = 0;
  for (let c = 0; c < cells; c++) {
    while (j < k && Math.min(cells - 1, Math.floor((u[j] - low) * inverseWidth)) < c) j++;
    cellStart[c] = j;
  }
  cellStart[cells] = k;
  // u padded with +∞ so the unrolled comparisons may read past the end.
  const padded = new Float64Array(k + CELL_SCAN);
  padded.set(u);
  padded.fill(Infinity, k);
  // Coarse cells for ordering the current values: at most 4,096 (a counter each stays in cache).
  let coarseShift = 0;
  while (cells >>> coarseShift > 4096) coarseShift++;
  return { low, inverseWidth, cells, cellStart, padded, coarseShift };
}

/** Working memory of {@link compareNumeric}: 14 bytes per current row. */
export interface NumericScratch {
  coarse: Uint16Array;
  order: Float64Array;
  code: Int32Array;
}

/** Working memory for comparing columns of up to `rows` values. */
export function numericScratch(rows: number): NumericScratch {
  return { coarse: new Uint16Array(rows), order: new Float64Array(rows), code: new Int32Array(rows) };
}

/** What comparing a current column with a reference gives. */
export interface NumericComparison {
  /** Present current values. */
  n: number;
  missing: number;
  ks: KsResult;
  /** ∫|F_r − F_c| in the feature's units. */
  wasserstein: number;
  /** wasserstein / the reference's standard deviation; null when the reference is constant. */
  normalizedWasserstein: number | null;
  psi: number;
  /** The PSI's bins: lower edges (the first is −∞, written null), reference and current counts; a last "missing" bin when either side has missing values. */
  bins: { lower: Array<number | null>; reference: number[]; current: number[]; missing: { reference: number; current: number } | null };
  /** Mean and standard deviation of the present current values. */
  mean: number;
  std: number;
}

/**
 * Compares a current column with a prepared reference. Needs at least one present value on
 * each side (else the tests are undefined; the caller reports not_enough_data).
 * @param current the current values; NaN means missing. Not modified.
 * @param scratch working arrays of at least current.length, reused across columns ({@link numericScratch}; 14 MB for a million rows).
 */
export function compareNumeric(ref: NumericReference, current: ArrayLike<number>, scratch?: NumericScratch): NumericComparison {
  if (ref.n === 0) throw new Error('compareNumeric: the reference has no present value');
  const u = ref.values;
  const K = u.length;
  const N = current.length;
  const work = scratch && scratch.order.length >= N ? scratch : numericScratch(N);
  // Gap g ∈ [0, K]: values strictly between u[g−1] and u[g] (g = 0 below u₀, g = K above u_{K−1}).
  const equal = new Float64Array(K);
  const gapCount = new Float64Array(K + 1);
  const gapOffset = new Float64Array(K + 1); // Σ (x − u[g−1]); gap 0: Σ (u₀ − x)
  const { coarse, order, code } = work;
  let missing = 0;
  let total = 0;
  let squares = 0;
  const grid = ref.grid;
  const first = u[0];
  const lastValue = u[K - 1];
  const OUTSIDE = 0xffff;
  // Pass 1: missing and outer values are counted at once; inner values get their coarse cell.
  // The coarse cells then order the inner values (pass 2) so that pass 3's lookups and counts
  // touch one small stretch of the reference at a time and stay in the processor's cache.
  const shift = grid ? grid.coarseShift : 0;
  const coarseCells = grid ? grid.cells >>> shift : 1;
  const bucketStart = new Int32Array(coarseCells + 1);
  let inner = 0;
  for (let i = 0; i < N; i++) {
    const x = current[i];
    if (Number.isNaN(x)) {
      missing++;
      coarse[i] = OUTSIDE;
      continue;
    }
    const centred = x - ref.mean; // centred on the reference mean: no cancellation in the variance
    total += centred;
    squares += centred * centred;
    if (x < first) {
      gapCount[0]++;
      gapOffset[0] += first - x;
      coarse[i] = OUTSIDE;
    } else if (x >= lastValue) {
      if (x === lastValue) equal[K - 1]++;
      else {
        gapCount[K]++;
        gapOffset[K] += x - lastValue;
      }
      coarse[i] = OUTSIDE;
    } else {
      let cc = 0;
      if (grid) {
        const c = Math.floor((x - grid.low) * grid.inverseWidth);
        cc = (c >= grid.cells ? grid.cells - 1 : c) >>> shift;
      }
      coarse[i] = cc;
      bucketStart[cc + 1]++;
      inner++;
    }
  }
  for (let c = 0; c < coarseCells; c++) bucketStart[c + 1] += bucketStart[c];
  for (let i = 0; i < N; i++) {
    const cc = coarse[i];
    if (cc !== OUTSIDE) order[bucketStart[cc]++] = current[i];
  }
  // Pass 3: the last reference value ≤ x, then the counts. code: 2k + 1 for x = u[k], 2g for gap g.
  for (let t = 0; t < inner; t++) {
    const x = order[t];
    let lo: number;
    if (grid) {
      let c = Math.floor((x - grid.low) * grid.inverseWidth);
      if (c >= grid.cells) c = grid.cells - 1;
      const j = grid.cellStart[c];
      const e = grid.cellStart[c + 1];
      const p = grid.padded;
      if (e - j <= CELL_SCAN) {
        lo = j - 1 + +(p[j] <= x) + +(p[j + 1] <= x) + +(p[j + 2] <= x) + +(p[j + 3] <= x) + +(p[j + 4] <= x) + +(p[j + 5] <= x) + +(p[j + 6] <= x) + +(p[j + 7] <= x);
      } else lo = bisect(u, x, j - 1, e);
    } else lo = bisect(u, x, 0, K - 1);
    const below = u[lo];
    if (below === x) {
      equal[lo]++;
      code[t] = 2 * lo + 1;
    } else {
      const g = lo + 1;
      gapCount[g]++;
      gapOffset[g] += x - below;
      code[t] = 2 * g;
    }
  }
  const n = N - missing;
  const m = ref.n;
  if (n === 0) throw new Error('compareNumeric: the current sample has no present value');
  // Current values below each reference value (lessThan[k]) and up to it (lessThan[k] + equal[k]).
  const lessThan = new Float64Array(K + 1);
  let running = 0;
  for (let k = 0; k < K; k++) {
    running += gapCount[k];
    lessThan[k] = running;
    running += equal[k];
  }
  lessThan[K] = running + gapCount[K]; // = n

  // KS: the extremes of F_r − F_c at reference values and at the last current value of each gap.
  let max = 0;
  let min = 0;
  if (gapCount[0] > 0) min = Math.min(min, 0 - gapCount[0] / n);
  for (let k = 0; k < K; k++) {
    const r = ref.cumulative[k] / m;
    const atValue = r - (lessThan[k] + equal[k]) / n;
    if (atValue > max) max = atValue;
    if (atValue < min) min = atValue;
    if (k + 1 < K && gapCount[k + 1] > 0) {
      const beforeNext = r - lessThan[k + 1] / n;
      if (beforeNext < min) min = beforeNext;
    }
  }
  const d = Math.max(max, -min);
  const ks = ksTwoSamplePValue(d, m, n);

  // Wasserstein: outer gaps, then each inner gap on its one side of F_r; crossing gaps later.
  let w = (gapOffset[0] + gapOffset[K]) / n;
  const crossing = new Uint8Array(K + 1);
  let crossingValues = 0;
  for (let k = 0; k + 1 < K; k++) {
    const r = ref.cumulative[k] / m;
    const length = u[k + 1] - u[k];
    const startLevel = (lessThan[k] + equal[k]) / n;
    const endLevel = lessThan[k + 1] / n;
    const g = k + 1;
    // ∫ F_c over [u_k, u_{k+1}) = startLevel·L + Σ (L − offset)/n over the gap's values.
    const integralF = startLevel * length + (gapCount[g] * length - gapOffset[g]) / n;
    if (r <= startLevel) w += integralF - r * length;
    else if (r >= endLevel) w += r * length - integralF;
    else {
      crossing[g] = 1;
      crossingValues += gapCount[g];
    }
  }
  if (crossingValues > 0) w += crossingIntegral(ref, order.subarray(0, inner), code, crossing, gapCount, lessThan, equal, n);

  // PSI over the reference's quantile bins (+ a missing bin when either side has missing values).
  const starts = ref.binStarts;
  const below = (k: number) => (k === 0 ? 0 : ref.cumulative[k - 1]); // reference values < u_k
  const refCounts: number[] = [];
  const curCounts: number[] = [];
  const lower: Array<number | null> = [];
  for (let b = 0; b < starts.length; b++) {
    const s = starts[b];
    const e = b + 1 < starts.length ? starts[b + 1] : K;
    lower.push(b === 0 ? null : u[s]);
    refCounts.push((e === K ? m : below(e)) - (b === 0 ? 0 : below(s)));
    curCounts.push((e === K ? n : lessThan[e]) - (b === 0 ? 0 : lessThan[s]));
  }
  const withMissing = ref.missing > 0 || missing > 0;
  const psi = withMissing ? populationStabilityIndex([...refCounts, ref.missing], [...curCounts, missing]) : populationStabilityIndex(refCounts, curCounts);
  const centredMean = n ? total / n : NaN;
  const mean = centredMean + ref.mean;
  const variance = n ? Math.max(0, squares / n - centredMean * centredMean) : NaN;
  return {
    n,
    missing,
    ks,
    wasserstein: w,
    normalizedWasserstein: ref.std > 0 ? w / ref.std : w === 0 ? 0 : null,
    psi,
    bins: { lower, reference: refCounts, current: curCounts, missing: withMissing ? { reference: ref.missing, current: missing } : null },
    mean,
    std: Math.sqrt(variance),
  };
}

/** The last k in [lo, hi) with u[k] ≤ x, given u[lo] ≤ x < u[hi] (lo may be −1 when u[0] ≤ x is known). */
function bisect(u: Float64Array, x: number, lo: number, hi: number): number {
  if (lo < 0) lo = 0;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (u[mid] <= x) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** ∫|F_r − F_c| over the gaps where F_c crosses the flat F_r: their values gathered, sorted, walked. */
function crossingIntegral(
  ref: NumericReference,
  current: Float64Array,
  code: Int32Array,
  crossing: Uint8Array,
  gapCount: Float64Array,
  lessThan: Float64Array,
  equal: Float64Array,
  n: number,
): number {
  const K = ref.values.length;
  const offset = new Int32Array(K + 2);
  for (let g = 0; g <= K; g++) offset[g + 1] = offset[g] + (crossing[g] ? gapCount[g] : 0);
  const gathered = new Float64Array(offset[K + 1]);
  const fill = offset.slice(0, K + 1);
  for (let i = 0; i < current.length; i++) {
    const c = code[i];
    if (c < 0 || c & 1) continue;
    const g = c >> 1;
    if (crossing[g]) gathered[fill[g]++] = current[i];
  }
  const u = ref.values;
  let w = 0;
  for (let g = 1; g < K; g++) {
    if (!crossing[g]) continue;
    const k = g - 1;
    const values = gathered.subarray(offset[g], offset[g + 1]).sort();
    const r = ref.cumulative[k] / ref.n;
    let level = lessThan[k] + equal[k];
    let from = u[k];
    for (let i = 0; i < values.length; i++) {
      w += Math.abs(r - level / n) * (values[i] - from);
      from = values[i];
      level++;
    }
    w += Math.abs(r - level / n) * (u[k + 1] - from);
  }
  return w;
}

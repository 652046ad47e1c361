/**
 * Distances and tests between a reference and a current distribution: the χ² test of
 * homogeneity, the Jensen–Shannon distance, the population stability index, the 1-Wasserstein
 * distance, and Holm's correction for testing many features at once. Checked against scipy and
 * numpy (scripts/reference/drift_stats.py → test/fixtures/sklearn/drift.json).
 *
 * Pure module: no node built-ins.
 */
import { chiSquareSurvival } from './special';

export interface ChiSquareResult {
  /** Σ (observed − expected)² / expected over the cells. */
  statistic: number;
  /** (rows − 1)(columns − 1) after empty columns are dropped. */
  dof: number;
  /** P(χ²_dof ≥ statistic); 1 when there is nothing to compare (dof 0). */
  pValue: number;
}

/**
 * Pearson's χ² test of homogeneity on a table of counts (one row per sample, one column per
 * category), without Yates' correction — scipy's `chi2_contingency(table, correction=False)`.
 * Columns with no count in any row are dropped first (scipy refuses them; a category absent
 * from both samples says nothing). Each row must have a positive total.
 * @param table rows × columns of non-negative counts (rows ≥ 2).
 */
export function chiSquareHomogeneity(table: ReadonlyArray<ArrayLike<number>>): ChiSquareResult {
  const rows = table.length;
  const columns = rows ? table[0].length : 0;
  const rowTotals = table.map((r) => sum(r));
  const keep: number[] = [];
  const columnTotals: number[] = [];
  for (let c = 0; c < columns; c++) {
    let t = 0;
    for (let r = 0; r < rows; r++) t += table[r][c];
    if (t > 0) {
      keep.push(c);
      columnTotals.push(t);
    }
  }
  const total = rowTotals.reduce((a, b) => a + b, 0);
  const dof = (rows - 1) * (keep.length - 1);
  if (dof <= 0 || rowTotals.some((t) => t <= 0)) return { statistic: 0, dof: Math.max(0, dof), pValue: 1 };
  let statistic = 0;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < keep.length; i++) {
      const expected = (rowTotals[r] * columnTotals[i]) / total;
      const diff = table[r][keep[i]] - expected;
      statistic += (diff * diff) / expected;
    }
  }
  return { statistic, dof, pValue: chiSquareSurvival(statistic, dof) };
}

function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}

/**
 * The Jensen–Shannon distance in bits between two distributions given as counts (or
 * weights) over the same categories — scipy's `jensenshannon(p, q, base=2)`: the square root
 * of ½KL(p‖m) + ½KL(q‖m), m = (p + q)/2, so 0 for equal distributions and 1 for disjoint
 * ones. Each vector is normalised by its own total. A category only one side has counts
 * fully (that is how a new category shows).
 * @returns 0 when either side has no mass (nothing to compare).
 */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const sp = sum(p);
  const sq = sum(q);
  if (!(sp > 0) || !(sq > 0)) return 0;
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] / sp;
    const b = q[i] / sq;
    const m = (a + b) / 2;
    if (a > 0) divergence += a * Math.log(a / m);
    if (b > 0) divergence += b * Math.log(b / m);
  }
  const bits = divergence / 2 / Math.LN2;
  return Math.sqrt(Math.max(0, bits));
}

/** Share given to an empty bin before the logarithm of the PSI: Evidently's and most scorecards' 0.0001. */
export const PSI_EMPTY_SHARE = 1e-4;

/**
 * The population stability index Σ (c − r)·ln(c / r) over bins, r and c the reference's and
 * the current sample's shares of each bin; a share of 0 is raised to {@link PSI_EMPTY_SHARE}
 * first (so a bin one side leaves empty adds a large but finite amount). 0 for identical
 * shares; 0.1 is the usual "look" and 0.25 the usual "act" level.
 * @param reference counts per bin; @param current counts per bin (same bins).
 * @returns 0 when either side has no counts.
 */
export function populationStabilityIndex(reference: ArrayLike<number>, current: ArrayLike<number>, emptyShare = PSI_EMPTY_SHARE): number {
  const sr = sum(reference);
  const sc = sum(current);
  if (!(sr > 0) || !(sc > 0)) return 0;
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i] / sr || emptyShare;
    const c = current[i] / sc || emptyShare;
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

/**
 * The 1-Wasserstein (earth mover's) distance between two samples, ∫|F₁ − F₂| dx, from both
 * sorted — scipy's `wasserstein_distance(a, b)`, in the units of the values.
 * @param a sorted ascending, no NaN, length ≥ 1; @param b likewise.
 */
export function wassersteinSorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let total = 0;
  let previous = NaN;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
    if (!Number.isNaN(previous)) total += Math.abs(i / n1 - j / n2) * (v - previous);
    while (i < n1 && a[i] <= v) i++;
    while (j < n2 && b[j] <= v) j++;
    previous = v;
  }
  return total;
}

/**
 * Holm's step-down adjustment of p-values for testing several hypotheses at once: sorted
 * ascending, p₍ᵢ₎ becomes max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎). Rejecting where the
 * adjusted value is ≤ α keeps the chance of any false rejection at most α, whatever the
 * dependence between the tests (features of one record are correlated), and rejects
 * everything Bonferroni would and more.
 * @returns adjusted p-values in the input's order (NaN stays NaN and is not counted).
 */
export function holmAdjust(pValues: ArrayLike<number>): Float64Array {
  const out = new Float64Array(pValues.length).fill(NaN);
  const order: number[] = [];
  for (let i = 0; i < pValues.length; i++) if (!Number.isNaN(pValues[i])) order.push(i);
  order.sort((x, y) => pValues[x] - pValues[y] || x - y);
  const m = order.length;
  let running = 0;
  for (let r = 0; r < m; r++) {
    const adjusted = Math.min(1, (m - r) * pValues[order[r]]);
    running = Math.max(running, adjusted);
    out[order[r]] = running;
  }
  return out;
}

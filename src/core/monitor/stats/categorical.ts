/**
 * Drift of a categorical (or boolean) column: the χ² test of homogeneity between the
 * reference's and the current sample's category counts, the Jensen–Shannon distance and the
 * PSI of the same shares. Categories the reference never had are counted, together, as
 * "(unseen)"; missing values as "(missing)". The reference's most frequent categories are
 * compared one by one and its long tail as "(other)", so a column of ids does not make a table
 * of a hundred thousand columns.
 *
 * For the test, columns whose expected count is below 5 are pooled first (Cochran's rule):
 * with smaller expected counts the χ² p-value is too small and rare categories would raise
 * false alarms on a few hundred rows. The distances use the table before pooling.
 *
 * Pure module: no node built-ins.
 */
import { chiSquareHomogeneity, jensenShannonDistance, populationStabilityIndex, type ChiSquareResult } from './distances';

/** Categories compared one by one; the reference's rarer ones form "(other)". */
export const MAX_TESTED_CATEGORIES = 50;
export const OTHER_CATEGORY = '(other)';
export const UNSEEN_CATEGORY = '(unseen)';
export const MISSING_CATEGORY = '(missing)';
/** Cochran's rule: a χ² cell should expect at least this many counts. */
const MIN_EXPECTED = 5;

export interface CategoricalReference {
  /** Present values per category. */
  counts: Map<string, number>;
  n: number;
  missing: number;
  /** The categories compared one by one (most frequent first, ties by name). */
  tested: string[];
}

/** Prepares a reference column. @param values the column; undefined means missing. */
export function prepareCategoricalReference(values: ArrayLike<string | undefined>, maxCategories = MAX_TESTED_CATEGORIES): CategoricalReference {
  const counts = new Map<string, number>();
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === undefined) missing++;
    else counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const tested = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, maxCategories)
    .map(([k]) => k);
  return { counts, n: values.length - missing, missing, tested };
}

export interface CategoricalComparison {
  n: number;
  missing: number;
  chiSquare: ChiSquareResult;
  /** Jensen–Shannon distance (bits) of the category shares, missing and unseen included. */
  distance: number;
  psi: number;
  /** The compared table: categories, then (other), (unseen), (missing) where any side has them. */
  table: { categories: string[]; reference: number[]; current: number[] };
  /** Current values of categories the reference never had. */
  unseen: { count: number; share: number; examples: Array<{ value: string; count: number }> };
}

/**
 * Compares a current column with a prepared reference.
 * @param current the current values; undefined means missing.
 */
export function compareCategorical(ref: CategoricalReference, current: ArrayLike<string | undefined>): CategoricalComparison {
  const index = new Map<string, number>();
  ref.tested.forEach((c, i) => index.set(c, i));
  const t = ref.tested.length;
  const OTHER = t;
  const UNSEEN = t + 1;
  const MISSING = t + 2;
  const refCounts = new Array<number>(t + 3).fill(0);
  const curCounts = new Array<number>(t + 3).fill(0);
  for (const [category, count] of ref.counts) refCounts[index.get(category) ?? OTHER] += count;
  refCounts[MISSING] = ref.missing;
  const unseenValues = new Map<string, number>();
  let missing = 0;
  for (let i = 0; i < current.length; i++) {
    const v = current[i];
    if (v === undefined) {
      missing++;
      curCounts[MISSING]++;
      continue;
    }
    const at = index.get(v);
    if (at !== undefined) curCounts[at]++;
    else if (ref.counts.has(v)) curCounts[OTHER]++;
    else {
      curCounts[UNSEEN]++;
      unseenValues.set(v, (unseenValues.get(v) ?? 0) + 1);
    }
  }
  const names = [...ref.tested, OTHER_CATEGORY, UNSEEN_CATEGORY, MISSING_CATEGORY];
  // Keep the named categories, and the extra columns only where a side has counts.
  const keep = names.map((_, i) => i < t || refCounts[i] > 0 || curCounts[i] > 0);
  const table = {
    categories: names.filter((_, i) => keep[i]),
    reference: refCounts.filter((_, i) => keep[i]),
    current: curCounts.filter((_, i) => keep[i]),
  };
  const unseenCount = curCounts[UNSEEN];
  const examples = [...unseenValues.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 10)
    .map(([value, count]) => ({ value, count }));
  const pooled = poolSparseColumns(table.reference, table.current);
  return {
    n: current.length - missing,
    missing,
    chiSquare: chiSquareHomogeneity([pooled.reference, pooled.current]),
    distance: jensenShannonDistance(table.reference, table.current),
    psi: populationStabilityIndex(table.reference, table.current),
    table,
    unseen: { count: unseenCount, share: current.length ? unseenCount / current.length : 0, examples },
  };
}

/**
 * Two rows of counts with the columns that expect fewer than 5 counts in either row pooled
 * into one (and that pooled column, if it still expects fewer, merged into the smallest other
 * column). Columns with no counts are dropped.
 */
export function poolSparseColumns(reference: number[], current: number[]): { reference: number[]; current: number[] } {
  const rt = reference.reduce((a, b) => a + b, 0);
  const ct = current.reduce((a, b) => a + b, 0);
  const total = rt + ct;
  const smallerRow = Math.min(rt, ct);
  const columns = reference.map((r, i) => ({ r, c: current[i] })).filter((x) => x.r + x.c > 0);
  if (total === 0) return { reference: [], current: [] };
  const expectedMin = (x: { r: number; c: number }) => (smallerRow * (x.r + x.c)) / total;
  const kept = columns.filter((x) => expectedMin(x) >= MIN_EXPECTED);
  const sparse = columns.filter((x) => expectedMin(x) < MIN_EXPECTED);
  if (sparse.length) {
    const pool = sparse.reduce((a, x) => ({ r: a.r + x.r, c: a.c + x.c }), { r: 0, c: 0 });
    if (expectedMin(pool) >= MIN_EXPECTED || kept.length === 0) kept.push(pool);
    else {
      let smallest = 0;
      for (let i = 1; i < kept.length; i++) if (kept[i].r + kept[i].c < kept[smallest].r + kept[smallest].c) smallest = i;
      kept[smallest] = { r: kept[smallest].r + pool.r, c: kept[smallest].c + pool.c };
    }
  }
  return { reference: kept.map((x) => x.r), current: kept.map((x) => x.c) };
}

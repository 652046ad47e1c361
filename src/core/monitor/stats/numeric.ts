/**
 * Drift of one numeric column between a reference sample (prepared once per model) and a
 * current sample (every monitoring run): the two-sample Kolmogorov–Smirnov test, the
 * 1-Wasserstein distance and the PSI over reference-quantile bins — all exact, without
 * sorting the current values, in one pass over them that only counts, and a second that picks
 * out the few that need a closer look.
 *
 * How. A uniform grid of cells (about two per distinct reference value, at most 2¹⁸) covers
 * the reference's range; the cell of a value is one multiplication, and the cell function is
 * monotone, so every value in an earlier cell is below every value in a later one. Pass 1
 * counts the current values per cell and sums their offsets from the cell's lower edge (a
 * histogram: no lookup in the reference). That is enough for most cells, because in a cell
 * the reference ECDF F_r lies in [R₀/m, R₁/m] and the current F_c in [C₀/n, C₁/n] (counts
 * before and after the cell):
 *  - KS: sup|F_r − F_c| is attained at a sample value; at the end of every cell the
 *    difference is known exactly (R₁/m − C₁/n), and a cell whose bounds cannot exceed the
 *    largest of those needs nothing more;
 *  - Wasserstein: where the two ranges do not overlap, F_r − F_c keeps its sign over the
 *    cell and ∫|F_r − F_c| is |∫F_r − ∫F_c|, both integrals linear in the cell's counts and
 *    offset sums.
 * The other cells — where F_c may cross F_r, where the KS supremum may lie, the cells of the
 * PSI's bin edges and the last cell — are REFINED: pass 2 gathers their values, each is
 * located among the cell's few reference values (a handful of comparisons), and the cell is
 * walked exactly as the definitions say, between reference values (only the stretches where
 * F_c crosses the flat F_r need their values in order, and only those are sorted). With
 * 1,000,000 current values a few percent are refined.
 * The KS statistic is the same double the definition gives (every candidate is a difference
 * cumulative/m − count/n at a sample value, as scipy forms it), the PSI's bin counts are exact,
 * and the Wasserstein distance agrees with sort-and-merge to rounding (about 1e-15 relative).
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
  /** The cell grid over [values[0], values[K−1]] (see buildGrid). */
  grid: NumericGrid;
}

/**
 * Cell c of x is ⌊(x − low)·inverseWidth⌋, clamped to cells − 1; it covers [low + c·width,
 * low + (c+1)·width) — the first from `low` exactly, the last to the largest reference value.
 * cellStart[c] = the first k whose value falls in cell c or later. One cell (inverseWidth 0)
 * when there are few distinct values or no finite span.
 */
export interface NumericGrid {
  low: number;
  inverseWidth: number;
  width: number;
  cells: number;
  cellStart: Int32Array;
  /** The values padded with +∞, so that the unrolled comparisons of a lookup may read past the end. */
  padded: Float64Array;
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
  sortFloat64(sorted);
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

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Sorts NaN-free doubles ascending in place, in the order of Float64Array.prototype.sort (−0
 * before +0): a least-significant-digit radix sort on the bits (4 passes of 16 bits, a pass
 * skipped when every value has the same digit there), several times faster than the built-in
 * sort on the 100,000-value columns a reference has. Short arrays use the built-in sort.
 */
export function sortFloat64(a: Float64Array): void {
  const n = a.length;
  if (n < 4096 || !LITTLE_ENDIAN) {
    a.sort();
    return;
  }
  // Keys: the bits as two 32-bit halves (low word first on a little-endian machine), flipped so that unsigned order is numeric order
  // (negative: all bits inverted; positive: the sign bit set).
  const bits = new Uint32Array(a.buffer, a.byteOffset, 2 * n);
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const h = bits[2 * i + 1];
    const negative = h >>> 31 === 1;
    hi[i] = negative ? ~h >>> 0 : (h | 0x80000000) >>> 0;
    lo[i] = negative ? ~bits[2 * i] >>> 0 : bits[2 * i];
  }
  let lo2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  const count = new Int32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    // 16 bits a pass: the low and high halves of lo, then of hi (the key moves with its other half).
    const key = pass < 2 ? lo : hi;
    const shift = pass & 1 ? 16 : 0;
    count.fill(0);
    for (let i = 0; i < n; i++) count[(key[i] >>> shift) & 0xffff]++;
    if (count[(key[0] >>> shift) & 0xffff] === n) continue; // one digit for all: nothing moves
    let total = 0;
    for (let d = 0; d < 65536; d++) {
      const c = count[d];
      count[d] = total;
      total += c;
    }
    for (let i = 0; i < n; i++) {
      const t = count[(key[i] >>> shift) & 0xffff]++;
      lo2[t] = lo[i];
      hi2[t] = hi[i];
    }
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
  }
  for (let i = 0; i < n; i++) {
    const h = hi[i];
    const positive = (h & 0x80000000) !== 0;
    bits[2 * i + 1] = (positive ? h ^ 0x80000000 : ~h) >>> 0;
    bits[2 * i] = (positive ? lo[i] : ~lo[i]) >>> 0;
  }
}

/** Comparisons unrolled per lookup: a cell holding more reference values is searched by bisection. */
const CELL_SCAN = 8;

/**
 * Most cells: 2¹⁵. The counts and offset sums (512 KB) then stay in the processor's L2 cache
 * while a million values are counted into them; 2¹⁶–2¹⁸ cells refine fewer values but measured
 * slower (bench/drift.bench.ts) on a loaded machine. Below 2¹⁶, so a cell index fits 16 bits.
 */
const MAX_CELLS = 1 << 15;

/**
 * The cell grid. The reference values are assigned to cells by the same expression as the
 * current values, and since it is monotone in floating point, every reference value in an
 * earlier cell is < x and every one in a later cell is > x: the last reference value ≤ x is
 * found among the few in x's own cell, by counting comparisons without branching on them.
 */
function buildGrid(u: Float64Array): NumericGrid {
  const k = u.length;
  const low = u[0];
  const span = u[k - 1] - low;
  const padded = new Float64Array(k + CELL_SCAN);
  padded.set(u);
  padded.fill(Infinity, k);
  let cells = 1;
  if (k >= 64 && span > 0 && Number.isFinite(span)) while (cells < 2 * k && cells < MAX_CELLS) cells <<= 1;
  const inverseWidth = cells > 1 ? cells / span : 0;
  if (!Number.isFinite(inverseWidth)) cells = 1;
  if (cells === 1) return { low, inverseWidth: 0, width: 0, cells, cellStart: Int32Array.of(0, k), padded };
  const cellStart = new Int32Array(cells + 1);
  let j = 0;
  for (let c = 0; c < cells; c++) {
    while (j < k && Math.min(cells - 1, Math.floor((u[j] - low) * inverseWidth)) < c) j++;
    cellStart[c] = j;
  }
  cellStart[cells] = k;
  return { low, inverseWidth, width: span / cells, cells, cellStart, padded };
}

/** The cell of a reference value (as buildGrid assigned it). */
function cellOf(grid: NumericGrid, x: number): number {
  return grid.cells === 1 ? 0 : Math.min(grid.cells - 1, Math.floor((x - grid.low) * grid.inverseWidth));
}

/**
 * Working memory of {@link compareNumeric}, reused across columns and grown on demand: 2 bytes
 * per current value, 16 per cell (about 1 MB), and 12 per refined current value.
 */
export interface NumericScratch {
  /** Per cell: [count, Σ offset from the cell's lower edge] of the current values. */
  cellTally: Float64Array;
  /** Per cell (and NO_CELL): where its gathered values start when it is refined, else −1. */
  slot: Int32Array;
  /** Per current value: its cell, NO_CELL for missing and outer values. */
  cellOf: Uint16Array;
  /** The refined cells, their first gathered value and C₀ (current values before them). */
  refined: Int32Array;
  refinedBefore: Float64Array;
  /** The current values of the refined cells, grouped by cell; and each one's code in its cell. */
  order: Float64Array;
  code: Int32Array;
  /** Per code of one refined cell: [count, Σ offset]. */
  local: Float64Array;
}

/** Working memory for comparing columns (the size is a hint: it grows as needed). */
export function numericScratch(rows = 0): NumericScratch {
  void rows;
  return { cellTally: new Float64Array(0), slot: new Int32Array(0), cellOf: new Uint16Array(0), refined: new Int32Array(0), refinedBefore: new Float64Array(0), order: new Float64Array(0), code: new Int32Array(0), local: new Float64Array(0) };
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

/** The cell index of missing and outer values (above every cell: MAX_CELLS < 2¹⁶ − 1). */
const NO_CELL = 0xffff;

/** Slack on the KS bound of a cell, far above the rounding of a difference of two shares. */
const KS_SLACK = 1e-12;

/**
 * Compares a current column with a prepared reference. Needs at least one present value on
 * each side (else the tests are undefined; the caller reports not_enough_data).
 * @param current the current values; NaN means missing. Not modified.
 * @param scratch working memory reused across columns ({@link numericScratch}); without it each call allocates its own.
 */
export function compareNumeric(ref: NumericReference, current: ArrayLike<number>, scratch?: NumericScratch): NumericComparison {
  if (ref.n === 0) throw new Error('compareNumeric: the reference has no present value');
  const work = scratch ?? numericScratch();
  const u = ref.values;
  const K = u.length;
  const cum = ref.cumulative;
  const m = ref.n;
  const N = current.length;
  const grid = ref.grid;
  const { cells, low, inverseWidth, width, cellStart } = grid;
  const first = u[0];
  const last = u[K - 1];
  const mean = ref.mean;
  if (work.cellTally.length < 2 * cells) work.cellTally = new Float64Array(2 * cells);
  if (work.slot.length < NO_CELL + 1) work.slot = new Int32Array(NO_CELL + 1);
  if (work.cellOf.length < N) work.cellOf = new Uint16Array(N);
  const tally = work.cellTally;
  const cellIndex = work.cellOf;
  tally.fill(0, 0, 2 * cells);

  // Pass 1: missing and outer values apart; the inner ones counted per cell with their offsets
  // from the cell's lower edge. Outer: below u₀ (offsets u₀ − x), at u_{K−1}, above (x − u_{K−1}).
  let missing = 0;
  let total = 0;
  let squares = 0;
  let below = 0;
  let belowOffset = 0;
  let atLast = 0;
  let aboveOffset = 0;
  for (let i = 0; i < N; i++) {
    const x = current[i];
    if (x !== x) {
      missing++;
      cellIndex[i] = NO_CELL;
      continue;
    }
    const centred = x - mean; // centred on the reference mean: no cancellation in the variance
    total += centred;
    squares += centred * centred;
    if (x < first) {
      below++;
      belowOffset += first - x;
      cellIndex[i] = NO_CELL;
    } else if (x >= last) {
      if (x === last) atLast++;
      else aboveOffset += x - last;
      cellIndex[i] = NO_CELL;
    } else {
      // x ≥ low: the product is ≥ 0 and truncation is the floor.
      let c = ((x - low) * inverseWidth) | 0;
      if (c >= cells) c = cells - 1;
      tally[2 * c]++;
      tally[2 * c + 1] += x - (low + c * width);
      cellIndex[i] = c;
    }
  }
  const n = N - missing;
  if (n === 0) throw new Error('compareNumeric: the current sample has no present value');
  const edge = (c: number) => (c === 0 ? low : c === cells ? last : low + c * width);

  // Scan 1: the KS difference at the end of every cell but the last (whose end is u_{K−1}
  // itself, inside it), and below u₀: a lower bound of the statistic, every term a real one.
  let max = 0;
  let min = below > 0 ? 0 - below / n : 0;
  {
    let C = below;
    for (let c = 0; c + 1 < cells; c++) {
      C += tally[2 * c];
      const e = cellStart[c + 1];
      const diff = (e > 0 ? cum[e - 1] / m : 0) - C / n;
      if (diff > max) max = diff;
      if (diff < min) min = diff;
    }
  }
  const bound = Math.max(max, -min) - KS_SLACK;

  // PSI bin starts (but the first, open below) mark their cells for refinement: their counts need the exact split.
  const starts = ref.binStarts;
  const lessAt = new Float64Array(starts.length); // current values < u[starts[b]]
  const psiCells = new Int32Array(starts.length); // ascending, as the starts; the last entry a sentinel
  for (let b = 1; b < starts.length; b++) psiCells[b - 1] = cellOf(grid, u[starts[b]]);
  psiCells[starts.length - 1] = cells;
  let psiCell = 0;

  // Scan 2: which cells to refine; the Wasserstein integral of the others.
  // The integral is a sum of up to a few hundred thousand pieces: summed with Neumaier's
  // compensation, so its rounding stays that of a few terms (naive summation lost ~1e-13).
  let w = (belowOffset + aboveOffset) / n;
  let wc = 0;
  const mn = m * n;
  // Scan 2 compares on integers and multiplies by reciprocals (a division per cell cost more than the rest).
  const boundMN = bound * mn;
  const invMN = 1 / mn;
  const invM = 1 / m;
  const invN = 1 / n;
  const slot = work.slot;
  let refinedCells = 0;
  let refinedValues = 0;
  if (work.refined.length < cells) {
    work.refined = new Int32Array(Math.min(cells, Math.max(1024, 2 * work.refined.length)));
    work.refinedBefore = new Float64Array(work.refined.length);
  }
  {
    let C0 = below;
    for (let c = 0; c < cells; c++) {
      const count = tally[2 * c];
      const C1 = C0 + count;
      const j0 = cellStart[c];
      const j1 = cellStart[c + 1];
      const R0 = j0 > 0 ? cum[j0 - 1] : 0;
      const R1 = j1 > 0 ? cum[j1 - 1] : 0;
      const refAbove = R0 * n >= C1 * m; // F_r ≥ F_c over the whole cell
      const curAbove = C0 * m >= R1 * n; // F_c ≥ F_r over the whole cell
      while (psiCells[psiCell] < c) psiCell++;
      const refine = c === cells - 1 || !(refAbove || curAbove) || R1 * n - C0 * m > boundMN || C1 * m - R0 * n > boundMN || psiCells[psiCell] === c;
      if (refine) {
        if (refinedCells === work.refined.length) {
          const grown = new Int32Array(Math.min(cells, 2 * refinedCells));
          grown.set(work.refined);
          const before = new Float64Array(grown.length);
          before.set(work.refinedBefore);
          work.refined = grown;
          work.refinedBefore = before;
        }
        work.refined[refinedCells] = c;
        work.refinedBefore[refinedCells++] = C0;
        slot[c] = refinedValues;
        refinedValues += count;
      } else {
        slot[c] = -1;
        // ∫(F_r − F_c) over the cell: the level difference at its start times its length, plus
        // each reference value's share·(end − value), less each current value's likewise.
        const a = edge(c);
        const b = edge(c + 1);
        const L = b - a;
        let refPart = 0;
        for (let j = j0; j < j1; j++) refPart += (cum[j] - (j > 0 ? cum[j - 1] : 0)) * (b - u[j]);
        // (R₀n − C₀m) is an exact integer (below 2⁵³): the level difference keeps its digits.
        const diff = (R0 * n - C0 * m) * invMN * L + refPart * invM - (count * L - tally[2 * c + 1]) * invN;
        const piece = refAbove ? diff : -diff;
        const sum = w + piece;
        wc += Math.abs(w) >= Math.abs(piece) ? w - sum + piece : piece - sum + w;
        w = sum;
      }
      C0 = C1;
    }
  }

  // Pass 2: the refined cells' values, grouped by cell (slot[c] ends as the cell's end).
  if (work.order.length < refinedValues) {
    work.order = new Float64Array(refinedValues);
    work.code = new Int32Array(refinedValues);
  }
  const order = work.order;
  if (refinedValues > 0) {
    slot[NO_CELL] = -1;
    for (let i = 0; i < N; i++) {
      const c = cellIndex[i];
      const s = slot[c];
      if (s >= 0) {
        order[s] = current[i];
        slot[c] = s + 1;
      }
    }
  }

  // The refined cells, each walked exactly between its reference values.
  const state = { max, min, w, wc };
  let psiNext = 1;
  for (let r = 0; r < refinedCells; r++) {
    const c = work.refined[r];
    const end = slot[c];
    const count = tally[2 * c];
    while (psiNext < starts.length && starts[psiNext] < cellStart[c]) psiNext++;
    psiNext = refineCell(ref, work, c, end - count, end, work.refinedBefore[r], n, atLast, state, starts, psiNext, lessAt);
  }
  max = state.max;
  min = state.min;
  w = state.w + state.wc;
  const d = Math.max(max, -min);
  const ks = ksTwoSamplePValue(d, m, n);

  // PSI over the reference's quantile bins (+ a missing bin when either side has missing values).
  const belowRef = (k: number) => (k === 0 ? 0 : cum[k - 1]); // reference values < u_k
  const refCounts: number[] = [];
  const curCounts: number[] = [];
  const lower: Array<number | null> = [];
  for (let b = 0; b < starts.length; b++) {
    const s = starts[b];
    const e = b + 1 < starts.length ? starts[b + 1] : K;
    lower.push(b === 0 ? null : u[s]);
    refCounts.push((e === K ? m : belowRef(e)) - (b === 0 ? 0 : belowRef(s)));
    curCounts.push((b + 1 < starts.length ? lessAt[b + 1] : n) - (b === 0 ? 0 : lessAt[b]));
  }
  const withMissing = ref.missing > 0 || missing > 0;
  const psi = withMissing ? populationStabilityIndex([...refCounts, ref.missing], [...curCounts, missing]) : populationStabilityIndex(refCounts, curCounts);
  const centredMean = total / n;
  const variance = Math.max(0, squares / n - centredMean * centredMean);
  return {
    n,
    missing,
    ks,
    wasserstein: w,
    normalizedWasserstein: ref.std > 0 ? w / ref.std : w === 0 ? 0 : null,
    psi,
    bins: { lower, reference: refCounts, current: curCounts, missing: withMissing ? { reference: ref.missing, current: missing } : null },
    mean: centredMean + mean,
    std: Math.sqrt(variance),
  };
}

/**
 * One refined cell, exactly: each of its current values located among the cell's reference
 * values u[j0..j1) — code 2i for the stretch after the i-th of them (i = 0: from the cell's
 * start to the first), 2i − 1 for a value equal to it — then the stretches walked in order,
 * giving the KS differences at each reference value and after each stretch's last value, the
 * Wasserstein integral, and the current counts below the PSI's bin starts in the cell.
 * @returns the next PSI start index not yet passed.
 */
function refineCell(
  ref: NumericReference,
  work: NumericScratch,
  c: number,
  from: number,
  to: number,
  before: number,
  n: number,
  atLast: number,
  state: { max: number; min: number; w: number; wc: number },
  starts: Int32Array,
  psiNext: number,
  lessAt: Float64Array,
): number {
  const { cells, low, width, cellStart, padded: p } = ref.grid;
  const u = ref.values;
  const K = u.length;
  const cum = ref.cumulative;
  const m = ref.n;
  const j0 = cellStart[c];
  const j1 = cellStart[c + 1];
  const q = j1 - j0;
  const a = c === 0 ? low : low + c * width;
  const b = c === cells - 1 ? u[K - 1] : low + (c + 1) * width;
  const codes = 2 * q + 1;
  if (work.local.length < 2 * codes) work.local = new Float64Array(Math.max(2 * codes, 2 * work.local.length));
  const local = work.local;
  local.fill(0, 0, 2 * codes);
  const order = work.order;
  const code = work.code;
  const scan = q <= CELL_SCAN;
  for (let t = from; t < to; t++) {
    const x = order[t];
    let lo: number;
    if (scan) lo = j0 - 1 + +(p[j0] <= x) + +(p[j0 + 1] <= x) + +(p[j0 + 2] <= x) + +(p[j0 + 3] <= x) + +(p[j0 + 4] <= x) + +(p[j0 + 5] <= x) + +(p[j0 + 6] <= x) + +(p[j0 + 7] <= x);
    else lo = bisect(u, x, j0 - 1, j1);
    const i = lo - j0 + 1;
    // Stretch 0 is measured from the cell's start a (which x may equal); x = u[lo] only for i ≥ 1.
    let base = a;
    let k = 0;
    if (i > 0) {
      base = u[lo];
      k = 2 * i - +(base === x);
    }
    local[2 * k]++;
    local[2 * k + 1] += x - base;
    code[t] = k;
  }
  let { max, min } = state;
  let w = 0;
  let C = before;
  let crossing: number[] | null = null;
  const mn = m * n;
  // One stretch [s, e) after code 2i: F_r flat at R/m, F_c from C/n up by the stretch's values.
  // Levels are compared, and their differences formed, on the integers R·n and C·m (exact
  // below 2⁵³), so a difference of two shares near 1 keeps its digits.
  const stretch = (i: number, R: number, s: number, e: number) => {
    const count = local[4 * i];
    const L = e - s;
    if (count > 0) {
      const diff = R / m - (C + count) / n; // just after the stretch's last value, as scipy forms it
      if (diff > max) max = diff;
      if (diff < min) min = diff;
    }
    // ∫ (F_r − F_c) over [s, e) = (R/m − C/n)·L − Σ (L − offset)/n over the stretch's values.
    const Rn = R * n;
    if (Rn <= C * m || Rn >= (C + count) * m) {
      const integral = ((Rn - C * m) / mn) * L - (count * L - local[4 * i + 1]) / n;
      w += Rn <= C * m ? -integral : integral;
    } else (crossing ??= []).push(i, C, R, s, e);
    C += count;
  };
  stretch(0, j0 > 0 ? cum[j0 - 1] : 0, a, q > 0 ? u[j0] : b);
  for (let i = 1; i <= q; i++) {
    const k = j0 + i - 1;
    if (psiNext < starts.length && starts[psiNext] === k) lessAt[psiNext++] = C;
    C += local[2 * (2 * i - 1)] + (k === K - 1 ? atLast : 0);
    const diff = cum[k] / m - C / n; // at u[k]
    if (diff > max) max = diff;
    if (diff < min) min = diff;
    stretch(i, cum[k], u[k], i < q ? u[k + 1] : b);
  }
  if (crossing) w += crossingIntegral(work, from, to, crossing, local, m, n);
  state.max = max;
  state.min = min;
  const sum = state.w + w;
  state.wc += Math.abs(state.w) >= Math.abs(w) ? state.w - sum + w : w - sum + state.w;
  state.w = sum;
  return psiNext;
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

/**
 * ∫|F_r − F_c| over the stretches of one cell where F_c crosses the flat F_r: their values
 * gathered, sorted, walked. `crossing` holds (i, C, R, s, e) per stretch: its code 2i, the
 * current values before it, the reference values before it, its start and end.
 */
function crossingIntegral(work: NumericScratch, from: number, to: number, crossing: number[], local: Float64Array, m: number, n: number): number {
  const stretches = crossing.length / 5;
  const index = new Map<number, number>();
  const offset = new Int32Array(stretches + 1);
  for (let t = 0; t < stretches; t++) {
    index.set(2 * crossing[5 * t], t);
    offset[t + 1] = offset[t] + local[4 * crossing[5 * t]];
  }
  const gathered = new Float64Array(offset[stretches]);
  const fill = offset.slice(0, stretches);
  for (let t = from; t < to; t++) {
    const k = work.code[t];
    if (k & 1) continue;
    const s = index.get(k);
    if (s !== undefined) gathered[fill[s]++] = work.order[t];
  }
  let w = 0;
  const mn = m * n;
  for (let t = 0; t < stretches; t++) {
    const values = gathered.subarray(offset[t], offset[t + 1]).sort();
    let level = crossing[5 * t + 1];
    const Rn = crossing[5 * t + 2] * n;
    let at = crossing[5 * t + 3];
    for (let i = 0; i < values.length; i++) {
      w += (Math.abs(Rn - level * m) / mn) * (values[i] - at);
      at = values[i];
      level++;
    }
    w += (Math.abs(Rn - level * m) / mn) * (crossing[5 * t + 4] - at);
  }
  return w;
}

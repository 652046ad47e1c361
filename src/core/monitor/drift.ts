/**
 * Drift decisions that know the sample size. Each feature (and the predictions) is tested
 * against the reference; a feature DRIFTS only when both hold:
 *  1. its test is significant after Holm's correction for the number of features tested
 *     (family-wise level `alpha`): thirty rows do not alert on noise, and with eighteen
 *     features the chance of any false alarm per run stays at alpha instead of 1 − (1 − α)¹⁸;
 *  2. its effect size clears a floor — PSI or the Wasserstein distance over the reference's
 *     standard deviation (numeric), the Jensen–Shannon distance (categorical, boolean, text):
 *     a million rows make every trivial difference significant, and only a difference of a
 *     size that matters alerts. The band reached (warning / critical) is the severity.
 * Fewer current values than `minRows` is `not_enough_data`, never "no drift".
 *
 * Why Holm rather than Benjamini–Hochberg: an alert wakes someone, so what must stay small is
 * the chance of ANY false alarm in a run (the family-wise error), which Holm controls under
 * any dependence between the features (they are columns of the same records); BH controls
 * the expected share of false discoveries among the features flagged, which allows more false
 * alarms when several features really drift. Holm rejects everything Bonferroni does.
 *
 * Pure module: no node built-ins.
 */
import type { DriftBand, MonitoringConfig } from '../project/types';
import { compareCategorical, type CategoricalComparison, type CategoricalReference } from './stats/categorical';
import { chiSquareHomogeneity, holmAdjust } from './stats/distances';
import { compareNumeric, type NumericComparison, type NumericReference, type NumericScratch } from './stats/numeric';
import { compareText, type TextComparison, type TextReference } from './stats/text';

export type DriftLevel = 'none' | 'warning' | 'critical' | 'not_enough_data';

/** The drift settings a decision needs (monitoring.* of mlloop.yaml). */
export type DriftSettings = Pick<MonitoringConfig, 'alpha' | 'minRows'> & { drift: MonitoringConfig['drift'] };

export type ColumnType = 'numeric' | 'boolean' | 'categorical' | 'text';

/** One column's comparison before the decision (the raw numbers of its test and effect). */
export interface ColumnTest {
  name: string;
  type: ColumnType;
  /** 'ks' (numeric, text: on similarity to the reference terms), 'chi2' (categorical, boolean), 'ks+missing' / 'missing' when missing values are tested too. */
  test: string;
  statistic: number | null;
  pValue: number | null;
  psi?: number;
  /** Normalised Wasserstein (numeric) or Jensen–Shannon distance (others). */
  distance: number | null;
  /** Which effect decided the band: 'psi', 'wasserstein' or 'jensen_shannon'. */
  effect: { level: 'none' | 'warning' | 'critical'; by: string | null };
  /** Present values compared: reference and current. */
  n: { reference: number; current: number };
  /** Too few values to test. */
  tooFew: boolean;
  /** What was compared, for reports and panels. */
  detail: NumericComparison | CategoricalComparison | TextComparison | null;
}

/** A column's decision. */
export interface ColumnDrift extends ColumnTest {
  /** Holm-adjusted p-value (null when not tested). */
  adjustedP: number | null;
  drift: DriftLevel;
}

/** The band a value reaches. */
export function bandLevel(value: number | null | undefined, band: DriftBand): 'none' | 'warning' | 'critical' {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'none';
  return value >= band.critical ? 'critical' : value >= band.warning ? 'warning' : 'none';
}

const RANK = { none: 0, warning: 1, critical: 2 } as const;
function worse(a: 'none' | 'warning' | 'critical', b: 'none' | 'warning' | 'critical'): 'none' | 'warning' | 'critical' {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * Tests a numeric column: KS on the present values, and when either side has missing values a
 * χ² test of the missing share too (the two p-values combined by Bonferroni: a feature that
 * goes missing is drift even when its present values look the same). Effect: the PSI (with a
 * missing bin) or the normalised Wasserstein distance, whichever band is higher.
 */
export function testNumericColumn(name: string, ref: NumericReference, current: ArrayLike<number>, settings: DriftSettings, scratch?: NumericScratch): ColumnTest {
  let missingCurrent = 0;
  for (let i = 0; i < current.length; i++) if (Number.isNaN(current[i])) missingCurrent++;
  const presentCurrent = current.length - missingCurrent;
  const base = { name, type: 'numeric' as const, n: { reference: ref.n, current: presentCurrent } };
  const withMissing = ref.missing > 0 || missingCurrent > 0;
  const missingP = withMissing ? chiSquareHomogeneity([[ref.n, ref.missing], [presentCurrent, missingCurrent]]).pValue : null;
  if (ref.n < settings.minRows || presentCurrent < settings.minRows) {
    // Too few present values for KS; the missing share alone can still be tested on the whole window.
    if (withMissing && ref.n + ref.missing >= settings.minRows && current.length >= settings.minRows && ref.n > 0) {
      const psi = missingOnlyPsi(ref, presentCurrent, missingCurrent);
      const level = bandLevel(psi, settings.drift.psi);
      return { ...base, test: 'missing', statistic: null, pValue: missingP, psi, distance: null, effect: { level, by: level === 'none' ? null : 'psi' }, tooFew: false, detail: null };
    }
    return { ...base, test: 'ks', statistic: null, pValue: null, distance: null, effect: { level: 'none', by: null }, tooFew: true, detail: null };
  }
  const c = compareNumeric(ref, current, scratch);
  const pValue = missingP === null ? c.ks.pValue : Math.min(1, 2 * Math.min(c.ks.pValue, missingP));
  const byPsi = bandLevel(c.psi, settings.drift.psi);
  const byW = bandLevel(c.normalizedWasserstein, settings.drift.wasserstein);
  const level = worse(byPsi, byW);
  return {
    ...base,
    test: withMissing ? 'ks+missing' : 'ks',
    statistic: c.ks.statistic,
    pValue,
    psi: c.psi,
    distance: c.normalizedWasserstein,
    effect: { level, by: level === 'none' ? null : RANK[byPsi] >= RANK[byW] ? 'psi' : 'wasserstein' },
    tooFew: false,
    detail: c,
  };
}

/** PSI over two bins, present and missing: what a column that goes missing scores. */
function missingOnlyPsi(ref: NumericReference, present: number, missing: number): number {
  const floor = 1e-4;
  const rt = ref.n + ref.missing;
  const ct = present + missing;
  let psi = 0;
  for (const [r, c] of [
    [ref.n / rt, present / ct],
    [ref.missing / rt, missing / ct],
  ]) {
    const a = r || floor;
    const b = c || floor;
    psi += (b - a) * Math.log(b / a);
  }
  return psi;
}

/** Tests a categorical or boolean column: χ² of homogeneity; effect the Jensen–Shannon distance. */
export function testCategoricalColumn(name: string, type: 'categorical' | 'boolean', ref: CategoricalReference, current: ArrayLike<string | undefined>, settings: DriftSettings): ColumnTest {
  const total = current.length;
  const base = { name, type, n: { reference: ref.n + ref.missing, current: total } };
  if (ref.n + ref.missing < settings.minRows || total < settings.minRows) {
    return { ...base, test: 'chi2', statistic: null, pValue: null, distance: null, effect: { level: 'none', by: null }, tooFew: true, detail: null };
  }
  const c = compareCategorical(ref, current);
  const level = bandLevel(c.distance, settings.drift.jensenShannon);
  return {
    ...base,
    test: 'chi2',
    statistic: c.chiSquare.statistic,
    pValue: c.chiSquare.pValue,
    psi: c.psi,
    distance: c.distance,
    effect: { level, by: level === 'none' ? null : 'jensen_shannon' },
    tooFew: false,
    detail: c,
  };
}

/** Tests a text column: KS on each text's similarity to the reference terms; effect the JS distance of the term distributions. */
export function testTextColumn(name: string, ref: TextReference, current: ArrayLike<string | undefined>, settings: DriftSettings): ColumnTest {
  let present = 0;
  for (let i = 0; i < current.length; i++) if (current[i]) present++;
  const base = { name, type: 'text' as const, n: { reference: ref.n, current: present } };
  if (ref.n < settings.minRows || present < settings.minRows) {
    return { ...base, test: 'ks', statistic: null, pValue: null, distance: null, effect: { level: 'none', by: null }, tooFew: true, detail: null };
  }
  const c = compareText(ref, current);
  if (c.n < settings.minRows) return { ...base, n: { reference: ref.n, current: c.n }, test: 'ks', statistic: null, pValue: null, distance: null, effect: { level: 'none', by: null }, tooFew: true, detail: null };
  const level = bandLevel(c.distance, settings.drift.jensenShannon);
  return {
    ...base,
    n: { reference: ref.n, current: c.n },
    test: 'ks',
    statistic: c.scores.ks.statistic,
    pValue: c.scores.ks.pValue,
    distance: c.distance,
    effect: { level, by: level === 'none' ? null : 'jensen_shannon' },
    tooFew: false,
    detail: c,
  };
}

/**
 * Decides a family of column tests together: Holm over the tested ones at `alpha`, then the
 * effect band. Untested columns are not_enough_data and do not count in the correction.
 */
export function decideDrift(tests: ColumnTest[], alpha: number): ColumnDrift[] {
  const p = tests.map((t) => (t.tooFew || t.pValue === null ? NaN : t.pValue));
  const adjusted = holmAdjust(p);
  return tests.map((t, i) => {
    if (t.tooFew || t.pValue === null) return { ...t, adjustedP: null, drift: 'not_enough_data' as const };
    const significant = adjusted[i] <= alpha;
    return { ...t, adjustedP: adjusted[i], drift: significant ? t.effect.level : 'none' };
  });
}

export interface DatasetDrift {
  /** Share of the tested features that drift (warning or critical); null when none could be tested. */
  share: number | null;
  /** Share of the tested features whose drift is critical. */
  criticalShare: number | null;
  tested: number;
  drifting: number;
  drift: DriftLevel;
}

/**
 * Dataset drift: at least `threshold` of the tested features drift (warning), or that share of
 * them drift critically (critical). Features that could not be tested are left out of both
 * counts; with none tested it is not_enough_data.
 */
export function datasetDrift(features: ColumnDrift[], threshold: number): DatasetDrift {
  const tested = features.filter((f) => f.drift !== 'not_enough_data');
  if (tested.length === 0) return { share: null, criticalShare: null, tested: 0, drifting: 0, drift: 'not_enough_data' };
  const drifting = tested.filter((f) => f.drift === 'warning' || f.drift === 'critical').length;
  const critical = tested.filter((f) => f.drift === 'critical').length;
  const share = drifting / tested.length;
  const criticalShare = critical / tested.length;
  return { share, criticalShare, tested: tested.length, drifting, drift: criticalShare >= threshold ? 'critical' : share >= threshold ? 'warning' : 'none' };
}

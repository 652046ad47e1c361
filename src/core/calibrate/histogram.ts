/**
 * Histogram binning (Zadrozny & Elkan 2001): the probability range is cut into bins and each bin
 * predicts the fraction of positives it held on the calibration data.
 *
 * Pure module: no node built-ins, no tfjs.
 */
import { UserError } from '../util/errors';
import { binIndexLeft, quantileEdges, uniformEdges, type BinStrategy } from '../evaluate/curves';
import { assertFitInputs, oneVsRestColumn } from './shared';
import type { HistogramCalibrator } from './types';

/** Options of {@link fitHistogramBinning}. */
export interface HistogramBinningOptions {
  /** Number of bins. Default 10. */
  bins?: number;
  /**
   * 'quantile' (default): edges at quantiles of the calibration probabilities, so bins hold
   * similar counts (Zadrozny & Elkan's equal-frequency bins), with the outer edges widened to
   * 0 and 1; 'uniform': equal-width bins on [0, 1].
   */
  strategy?: BinStrategy;
}

/**
 * Fits histogram binning on held-out predictions. An example with probability p falls in the
 * bin with lower < p ≤ upper (p = 0 in the first bin), as the reliability curve. An empty bin
 * predicts its midpoint, i.e. leaves probabilities roughly unchanged there.
 * Binary (k = 2): one histogram on P(class 1). Multiclass: one per class, one-vs-rest, rows
 * renormalised when applied.
 * @param scores P(class 1) (k = 2, length n) or n×k row-major probabilities.
 * @param yTrue 0/1 labels (k = 2) or class indices 0..k-1, length n ≥ 1.
 * @throws UserError on a bad bin count, empty input, NaN, bad labels or shapes.
 */
export function fitHistogramBinning(
  scores: ArrayLike<number>,
  yTrue: ArrayLike<number>,
  k: number,
  options: HistogramBinningOptions = {},
): HistogramCalibrator {
  const binary = assertFitInputs(scores, yTrue, k);
  const bins = options.bins ?? 10;
  if (!Number.isInteger(bins) || bins < 1) throw new UserError(`The number of bins is ${bins}: it must be a positive integer.`);
  const strategy = options.strategy ?? 'quantile';
  const allEdges: number[][] = [];
  const allValues: number[][] = [];
  const classes = binary ? [1] : Array.from({ length: k }, (_, c) => c);
  for (const c of classes) {
    const column = binary ? { probabilities: scores, outcomes: yTrue } : oneVsRestColumn(scores, yTrue, k, c);
    const edges = strategy === 'quantile' ? quantileEdges(column.probabilities, bins) : uniformEdges(bins);
    // Widen the outer quantile edges so that probabilities outside the calibration range still
    // land in the first or last bin rather than being compared against an arbitrary edge.
    edges[0] = 0;
    edges[bins] = 1;
    const counts = new Float64Array(bins);
    const positives = new Float64Array(bins);
    for (let i = 0; i < column.probabilities.length; i++) {
      const b = binIndexLeft(edges, column.probabilities[i]);
      counts[b]++;
      positives[b] += column.outcomes[i];
    }
    const values: number[] = [];
    for (let b = 0; b < bins; b++) values.push(counts[b] > 0 ? positives[b] / counts[b] : (edges[b] + edges[b + 1]) / 2);
    allEdges.push(edges);
    allValues.push(values);
  }
  return { method: 'histogram', params: { k, edges: allEdges, values: allValues } };
}

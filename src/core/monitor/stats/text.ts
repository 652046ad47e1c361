/**
 * Drift of a text column, on the hashed terms the model sees (the same analyzer, n-grams and
 * case folding as the feature pipeline, hashed by FNV-1a into a few hundred buckets).
 *
 * Effect size: the Jensen–Shannon distance between the reference's and the current sample's
 * term distributions. Significance cannot come from a χ² on term counts — the terms of one
 * text are not independent draws, so such a test calls every sample different — so it comes
 * from the texts as units: each text's cosine similarity to a term centroid, compared between
 * the two samples by the two-sample Kolmogorov–Smirnov test. The centroid is built from half of
 * the reference texts and the other half are the reference sample, so that reference and
 * current texts are scored by the same fixed function: a reference text scored against a
 * centroid it helped make (or one made without it, leave-one-out) is not distributed as a new
 * text is, and with a million current texts KS would see that difference.
 *
 * Pure module: no node built-ins.
 */
import type { TextTermOptions } from '../../data/pipeline';
import { forEachTermHash } from '../../data/pipeline';
import { jensenShannonDistance } from './distances';
import { compareNumeric, prepareNumericReference, type NumericComparison, type NumericReference } from './numeric';

/** Hash buckets of the term distribution: coarse enough that a few hundred texts fill them. */
export const TEXT_DRIFT_BUCKETS = 256;

export interface TextReference {
  options: TextTermOptions;
  buckets: number;
  /** Term counts per bucket over all reference texts (the effect size's reference distribution). */
  terms: Float64Array;
  /** Term counts per bucket over the half of the reference texts that score the others. */
  centroid: Float64Array;
  centroidNorm: number;
  /** The similarities of the other half, prepared as a numeric column (the test's reference sample). */
  scores: NumericReference;
  /** Reference texts in the test's sample (about half of `texts`). */
  n: number;
  /** Reference texts with at least one term. */
  texts: number;
  /** Texts missing or without a term. */
  missing: number;
}

function termCounts(text: string, options: TextTermOptions, buckets: number): Map<number, number> {
  const counts = new Map<number, number>();
  forEachTermHash(text, options, (hash) => {
    const b = hash % buckets;
    counts.set(b, (counts.get(b) ?? 0) + 1);
  });
  return counts;
}

/** Prepares a reference text column. @param texts undefined or '' means missing. */
export function prepareTextReference(texts: ArrayLike<string | undefined>, options: TextTermOptions, buckets = TEXT_DRIFT_BUCKETS): TextReference {
  const termTotals = new Float64Array(buckets);
  const centroid = new Float64Array(buckets);
  const docs: Array<Map<number, number>> = [];
  let missing = 0;
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i];
    const counts = t ? termCounts(t, options, buckets) : undefined;
    if (!counts || counts.size === 0) {
      missing++;
      continue;
    }
    // Even texts make the centroid, odd texts are the reference sample scored against it.
    const makesCentroid = docs.length % 2 === 0;
    docs.push(counts);
    for (const [b, c] of counts) {
      termTotals[b] += c;
      if (makesCentroid) centroid[b] += c;
    }
  }
  let norm2 = 0;
  for (let b = 0; b < buckets; b++) norm2 += centroid[b] * centroid[b];
  const centroidNorm = Math.sqrt(norm2);
  const scores: number[] = [];
  for (let i = 1; i < docs.length; i += 2) scores.push(similarity(docs[i], centroid, centroidNorm));
  return { options, buckets, terms: termTotals, centroid, centroidNorm, scores: prepareNumericReference(Float64Array.from(scores)), n: scores.length, texts: docs.length, missing };
}

/** Cosine similarity of a text's term counts to the centroid (0 when either is empty). */
function similarity(counts: Map<number, number>, centroid: Float64Array, centroidNorm: number): number {
  let dot = 0;
  let self = 0;
  for (const [b, c] of counts) {
    dot += c * centroid[b];
    self += c * c;
  }
  return self > 0 && centroidNorm > 0 ? dot / (Math.sqrt(self) * centroidNorm) : 0;
}

export interface TextComparison {
  n: number;
  missing: number;
  /** The similarity scores compared: KS gives the test. */
  scores: NumericComparison;
  /** Jensen–Shannon distance (bits) of the term distributions. */
  distance: number;
}

/** Compares current texts with a prepared reference. @param texts undefined or '' means missing. */
export function compareText(ref: TextReference, texts: ArrayLike<string | undefined>): TextComparison {
  const current = new Float64Array(ref.buckets);
  const scores: number[] = [];
  let missing = 0;
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i];
    const counts = t ? termCounts(t, ref.options, ref.buckets) : undefined;
    if (!counts || counts.size === 0) {
      missing++;
      continue;
    }
    for (const [b, c] of counts) current[b] += c;
    scores.push(similarity(counts, ref.centroid, ref.centroidNorm));
  }
  return {
    n: scores.length,
    missing,
    scores: compareNumeric(ref.scores, Float64Array.from(scores)),
    distance: jensenShannonDistance(ref.terms, current),
  };
}

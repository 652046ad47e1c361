/**
 * The feature pipeline: turns records (plain objects of raw values) into a dense row-major
 * Float32 matrix for the model. It is fitted on the training rows only (so no statistic leaks
 * from validation/test rows), is plain JSON once fitted (saved in the model bundle), and is
 * applied identically at training, evaluation and prediction time.
 *
 * PURE: no node built-ins — the browser runtime imports this file.
 *
 * Output columns, in config feature order:
 * - numeric: 1 column. Missing/unparseable/non-finite → the imputed value (mean, median or
 *   zero of the training values that were present), then the transform (statistics are
 *   computed so that they stay finite for any finite values, however large):
 *   standardize (x − mean) / std, population std of the imputed training column (std 0 → 1);
 *   minmax (x − min) / (max − min) (range 0 → 1; values outside the training range go
 *   outside [0, 1]); log1p sign(x)·ln(1 + |x|) (defined for negatives, odd-symmetric);
 *   none x.
 * - boolean: 1 column, 1 or 0; missing or unparseable → the configured `missing` value.
 * - categorical: one column per kept category (ascending by name), then one "other" column
 *   that is 1 for missing, unseen, rare (count < minCount) or dropped (beyond maxCategories)
 *   values. Values are compared as trimmed text (1 and '1' are the same category).
 * - text: `dimensions` columns of hashed TF-IDF (see {@link textFeatureVector}).
 *
 * Saved versions: 2 (this one) records each text feature's analyzer, sublinearTf and minDf;
 * version 1 (before those options existed) is read as word n-grams with raw counts, which is
 * what it was fitted with.
 */
import type { CategoricalFeature, FeatureSpec, NumericImpute, NumericTransform, TextAnalyzer, TextFeature } from '../project/types';
import { UserError } from '../util/errors';
import { fieldValue, isMissing, parseBoolean, parseNumber, scalarText } from './values';

export interface FittedNumericFeature {
  type: 'numeric';
  name: string;
  transform: NumericTransform;
  impute: NumericImpute;
  /** Raw value used for a missing value. */
  fill: number;
  /** Output = (t(x) − center) / scale, t = sign·log1p(|x|) for 'log1p', identity otherwise. */
  center: number;
  scale: number;
}

export interface FittedBooleanFeature {
  type: 'boolean';
  name: string;
  missing: boolean;
}

export interface FittedCategoricalFeature {
  type: 'categorical';
  name: string;
  /** Kept categories, ascending; output column i is categories[i], the last column is "other". */
  categories: string[];
}

export interface FittedTextFeature {
  type: 'text';
  name: string;
  dimensions: number;
  /** Word n-gram range ('word') or character n-gram range ('char_wb'). */
  ngrams: [number, number];
  lowercase: boolean;
  analyzer: TextAnalyzer;
  sublinearTf: boolean;
  minDf: number;
  /**
   * Per hash bucket: the smooth idf ln((1 + documents) / (1 + df)) + 1 when at least
   * max(1, minDf) training rows contain the bucket, else 0 (the bucket is ignored). Length
   * `dimensions`.
   */
  idf: number[];
  /** Number of training rows the idf was computed from. */
  documents: number;
  /** Distinct terms in the training rows (by 32-bit hash); absent in version-1 pipelines. */
  terms?: number;
}

export type FittedFeature = FittedNumericFeature | FittedBooleanFeature | FittedCategoricalFeature | FittedTextFeature;

/** The pipeline.json version this code writes; {@link pipelineFromJson} also reads 1. */
export const PIPELINE_VERSION = 2;

export interface FittedPipeline {
  /** 2 when fitted by this code; 1 for pipelines saved before the text options (read as word / raw counts). */
  version: 1 | 2;
  features: FittedFeature[];
  /** Number of output columns (sum over features). */
  width: number;
}

/** Name of the output column that collects a categorical feature's other values. */
export const otherCategoryColumn = '(other)';

/** Number of output columns a fitted feature produces. */
export function featureWidth(feature: FittedFeature): number {
  switch (feature.type) {
    case 'numeric':
    case 'boolean':
      return 1;
    case 'categorical':
      return feature.categories.length + 1;
    case 'text':
      return feature.dimensions;
  }
}

// ---------------------------------------------------------------------------------------
// fitting

/**
 * Fits the pipeline on training rows (never on validation/test rows).
 * @param features resolved feature specs (config order is output order).
 * @param rows training records; a key absent from a record counts as missing.
 * @throws UserError when `features` is empty.
 */
export function fitPipeline(features: FeatureSpec[], rows: ReadonlyArray<Record<string, unknown>>): FittedPipeline {
  if (features.length === 0) throw new UserError('No features are configured; list at least one under features in mlloop.yaml.');
  const fitted = features.map((spec): FittedFeature => {
    switch (spec.type) {
      case 'numeric':
        return fitNumeric(spec.name, spec.transform, spec.impute, rows);
      case 'boolean':
        return { type: 'boolean', name: spec.name, missing: spec.missing };
      case 'categorical':
        return fitCategorical(spec, rows);
      case 'text':
        return fitText(spec, rows);
    }
  });
  return { version: PIPELINE_VERSION, features: fitted, width: fitted.reduce((w, f) => w + featureWidth(f), 0) };
}

function numericValue(value: unknown): number | undefined {
  return typeof value === 'number' ? (Number.isFinite(value) ? value : undefined) : parseNumber(value);
}

function signedLog1p(x: number): number {
  return x < 0 ? -Math.log1p(-x) : Math.log1p(x);
}

function median(sorted: Float64Array): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The power of two at or above the largest magnitude among `values` (1 when that is below 1,
 * or there are none): dividing by it keeps every value within [−1, 1] without rounding.
 */
function powerOfTwoAbove(values: ReadonlyArray<number>): number {
  let largest = 0;
  for (const v of values) {
    const a = Math.abs(v);
    if (a > largest) largest = a;
  }
  if (!(largest > 1)) return 1;
  return 2 ** Math.min(1023, Math.ceil(Math.log2(largest)));
}

function fitNumeric(
  name: string,
  transform: NumericTransform,
  impute: NumericImpute,
  rows: ReadonlyArray<Record<string, unknown>>,
): FittedNumericFeature {
  const present: number[] = [];
  for (const row of rows) {
    const v = numericValue(fieldValue(row, name));
    if (v !== undefined) present.push(v);
  }
  return fitNumericValues(name, transform, impute, present, rows.length);
}

/**
 * A numeric feature fitted from its values: `present` the finite values read (as the pipeline
 * reads them, parseNumber), `total` the number of rows including those where it was missing.
 * The same statistics as {@link fitPipeline} on the rows (for jobs/dataset.ts, which keeps
 * each feature's values in a column rather than rows).
 */
export function fitNumericValues(name: string, transform: NumericTransform, impute: NumericImpute, present: number[], total: number): FittedNumericFeature {
  // Sums are taken over the values divided by a power of two near their largest magnitude, so
  // no sum or square overflows for any finite input (1e200 squared is Infinity) and the
  // statistics stay finite. Dividing by a power of two is exact: for ordinary values the
  // results are bit for bit those of the plain sums.
  const unit = powerOfTwoAbove(present);
  let fill = 0;
  if (present.length > 0 && impute === 'mean') {
    let sum = 0;
    for (const v of present) sum += v / unit;
    fill = (sum / present.length) * unit;
  }
  if (present.length > 0 && impute === 'median') fill = median(Float64Array.from(present).sort());

  // Scaling statistics are taken over the imputed training column, as a scikit-learn
  // Pipeline(SimpleImputer, StandardScaler/MinMaxScaler) would.
  const missingCount = total - present.length;
  let center = 0;
  let scale = 1;
  if (total > 0 && transform === 'standardize') {
    const f = fill / unit;
    let sum = f * missingCount;
    for (const v of present) sum += v / unit;
    const mean = sum / total;
    let squares = (f - mean) * (f - mean) * missingCount;
    for (const v of present) squares += (v / unit - mean) * (v / unit - mean);
    const std = Math.sqrt(squares / total) * unit;
    center = mean * unit;
    scale = std > 0 && Number.isFinite(std) ? std : 1;
  } else if (total > 0 && transform === 'minmax') {
    let min = missingCount > 0 ? fill : Infinity;
    let max = missingCount > 0 ? fill : -Infinity;
    for (const v of present) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    center = min;
    // max − min overflows only for values of opposite signs near ±1.8e308 (refused at import).
    const range = max - min;
    scale = range > 0 && Number.isFinite(range) ? range : range > 0 ? Number.MAX_VALUE : 1;
  }
  return { type: 'numeric', name, transform, impute, fill, center, scale };
}

function fitCategorical(spec: CategoricalFeature, rows: ReadonlyArray<Record<string, unknown>>): FittedCategoricalFeature {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const key = scalarText(fieldValue(row, spec.name));
    if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const kept = [...counts.entries()]
    .filter(([, count]) => count >= spec.minCount)
    .sort(([a, ca], [b, cb]) => cb - ca || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, Math.max(0, spec.maxCategories))
    .map(([category]) => category)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { type: 'categorical', name: spec.name, categories: kept };
}

function fitText(spec: TextFeature, rows: ReadonlyArray<Record<string, unknown>>): FittedTextFeature {
  const { name, dimensions, ngrams, lowercase, analyzer, sublinearTf, minDf } = spec;
  if (!Number.isInteger(dimensions) || dimensions < 1) throw new UserError(`Text feature '${name}': dimensions must be a whole number ≥ 1 (got ${dimensions}).`);
  if (!(ngrams[0] >= 1 && ngrams[1] >= ngrams[0])) throw new UserError(`Text feature '${name}': ngrams must be [min, max] with 1 ≤ min ≤ max (got [${ngrams.join(', ')}]).`);
  if (!(Number.isInteger(minDf) && minDf >= 1)) throw new UserError(`Text feature '${name}': minDf must be a whole number ≥ 1 (got ${minDf}).`);
  const options: TextTermOptions = { ngrams, lowercase, analyzer };
  const df = new Float64Array(dimensions);
  const seen = new Uint8Array(dimensions);
  const touched: number[] = [];
  const terms = new Set<number>();
  for (const row of rows) {
    const text = scalarText(fieldValue(row, name));
    if (text === undefined) continue;
    forEachTermHash(text, options, (hash) => {
      terms.add(hash);
      const bucket = hash % dimensions;
      if (seen[bucket] === 0) {
        seen[bucket] = 1;
        touched.push(bucket);
      }
    });
    for (const bucket of touched) {
      df[bucket]++;
      seen[bucket] = 0;
    }
    touched.length = 0;
  }
  const documents = rows.length;
  // A bucket no training row holds keeps weight 0: the model's weights for it never saw a
  // gradient, so at prediction time it could only add the initial weights' noise.
  const least = Math.max(1, minDf);
  const idf = Array.from(df, (d) => (d >= least ? Math.log((1 + documents) / (1 + d)) + 1 : 0));
  return { type: 'text', name, dimensions, ngrams: [ngrams[0], ngrams[1]], lowercase, analyzer, sublinearTf, minDf, idf, documents, terms: terms.size };
}

// ---------------------------------------------------------------------------------------
// text hashing

/** Words: maximal runs of Unicode letters, digits and combining marks. */
const wordPattern = /[\p{L}\p{N}\p{M}]+/gu;

/** The words of a text, lower-cased first when asked (locale-independent toLowerCase). */
export function tokenize(text: string, lowercase: boolean): string[] {
  return (lowercase ? text.toLowerCase() : text).match(wordPattern) ?? [];
}

/**
 * 32-bit FNV-1a hash of the UTF-8 bytes of `text` (offset basis 2166136261, prime 16777619),
 * as an unsigned integer. Lone surrogates are hashed as U+FFFD, as UTF-8 encoders write them.
 */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  const step = (byte: number): void => {
    hash = Math.imul(hash ^ byte, 0x01000193);
  };
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        i++;
      } else {
        cp = 0xfffd;
      }
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      cp = 0xfffd;
    }
    if (cp < 0x80) {
      step(cp);
    } else if (cp < 0x800) {
      step(0xc0 | (cp >> 6));
      step(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      step(0xe0 | (cp >> 12));
      step(0x80 | ((cp >> 6) & 0x3f));
      step(0x80 | (cp & 0x3f));
    } else {
      step(0xf0 | (cp >> 18));
      step(0x80 | ((cp >> 12) & 0x3f));
      step(0x80 | ((cp >> 6) & 0x3f));
      step(0x80 | (cp & 0x3f));
    }
  }
  return hash >>> 0;
}

/** What decides a text's terms (a text feature's settings other than its width). */
export interface TextTermOptions {
  ngrams: [number, number];
  lowercase: boolean;
  analyzer: TextAnalyzer;
}

/** White space as Python's str.split() splits on it (str.isspace), so words match scikit-learn's. */
const whitespacePattern = /[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/**
 * The character n-grams of scikit-learn's analyzer='char_wb' (lower-cased first when asked):
 * the text is split at white space; each word, padded with one space on each side, gives
 * its n-grams of code points for every n in the range, in order, repeats included; a padded
 * word shorter than n gives itself once and ends the larger n for that word (as
 * scikit-learn's _char_wb_ngrams). Punctuation stays inside words, as there.
 */
export function charWbNgrams(text: string, ngrams: [number, number], lowercase: boolean): string[] {
  const out: string[] = [];
  const [smallest, largest] = ngrams;
  for (const word of (lowercase ? text.toLowerCase() : text).split(whitespacePattern)) {
    if (word === '') continue;
    const chars = Array.from(` ${word} `);
    for (let n = smallest; n <= largest; n++) {
      let offset = 0;
      out.push(chars.slice(0, n).join(''));
      while (offset + n < chars.length) {
        offset++;
        out.push(chars.slice(offset, offset + n).join(''));
      }
      if (offset === 0) break;
    }
  }
  return out;
}

/**
 * Calls `visit` with the 32-bit FNV-1a hash of every term of `text`, in text order, repeats
 * included: word n-grams (words joined by one space) for 'word', {@link charWbNgrams} for
 * 'char_wb'. The hash bucket of a term is hash mod dimensions.
 */
export function forEachTermHash(text: string, options: TextTermOptions, visit: (hash: number) => void): void {
  if (options.analyzer === 'char_wb') {
    for (const gram of charWbNgrams(text, options.ngrams, options.lowercase)) visit(fnv1a32(gram));
    return;
  }
  const words = tokenize(text, options.lowercase);
  const [smallest, largest] = options.ngrams;
  for (let n = smallest; n <= largest; n++) {
    for (let i = 0; i + n <= words.length; i++) visit(fnv1a32(n === 1 ? words[i] : words.slice(i, i + n).join(' ')));
  }
}

/**
 * Writes the hashed TF-IDF vector of one text into out[offset … offset+dimensions): per
 * bucket, tf × idf[bucket] with tf the count of the bucket's terms (1 + ln(count) with
 * sublinearTf), then L2-normalised. All zeros when no term falls in a bucket with weight
 * (no words, or only words the training rows never had). `out` must be zero there beforehand.
 */
export function textFeatureVector(feature: FittedTextFeature, text: string, out: Float32Array, offset: number): void {
  const counts = new Map<number, number>();
  const { dimensions, idf } = feature;
  forEachTermHash(text, feature, (hash) => {
    const bucket = hash % dimensions;
    if (idf[bucket] !== 0) counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
  });
  if (counts.size === 0) return;
  let squares = 0;
  for (const [bucket, count] of counts) {
    const weight = (feature.sublinearTf ? 1 + Math.log(count) : count) * idf[bucket];
    counts.set(bucket, weight);
    squares += weight * weight;
  }
  const norm = Math.sqrt(squares);
  for (const [bucket, weight] of counts) out[offset + bucket] = weight / norm;
}

/**
 * Sentences about text features whose vocabulary crowds their hashed columns: when a
 * training vocabulary of m terms is hashed into d columns, about 1 − (1 − 1/d)^(m−1) of the
 * terms share a column with another term (their weights are then one weight). Reported when
 * that share is above 30% (m above about d/2.8; mlloop init aims for about 22%). Version-1 pipelines record no vocabulary
 * and give no note.
 */
export function textCapacityNotes(p: FittedPipeline): string[] {
  const notes: string[] = [];
  for (const f of p.features) {
    if (f.type !== 'text' || f.terms === undefined || f.terms < 2) continue;
    const shared = 1 - Math.pow(1 - 1 / f.dimensions, f.terms - 1);
    if (shared > 0.3) {
      notes.push(
        `text feature '${f.name}': ${f.terms} distinct terms in the training rows share ${f.dimensions} hashed columns, so about ${Math.round(shared * 100)}% of them collide with another term; ` +
          `raise its dimensions (mlloop init sizes them from the data) or set minDf.`,
      );
    }
  }
  return notes;
}

// ---------------------------------------------------------------------------------------
// transforming

/** A numeric feature's model input for a value read as the pipeline reads it (NaN: missing, imputed). */
export function numericInput(feature: FittedNumericFeature, value: number): number {
  let v = Number.isNaN(value) ? feature.fill : value;
  if (feature.transform === 'log1p') v = signedLog1p(v);
  return (v - feature.center) / feature.scale;
}

/**
 * Applies a fitted pipeline to records.
 * @param into write the rows in place, starting at row `offset` of `into.x` (which must be
 *   zero-filled there, as a new Float32Array is); the returned x is that part of it.
 * @returns x: row-major n×d Float32Array (row r, column c at x[r·d + c]); n = rows.length;
 *   d = p.width. Values the pipeline cannot read count as missing (validate.ts rejects them at
 *   import, so this only happens for data that bypassed validation).
 */
export function transformRows(
  p: FittedPipeline,
  rows: ReadonlyArray<Record<string, unknown>>,
  into?: { x: Float32Array; offset: number },
): { x: Float32Array; n: number; d: number } {
  const n = rows.length;
  const d = p.width;
  // jobs/dataset.ts fills one matrix in chunks: no chunk-sized copy of a wide hashed-text matrix.
  const x = into ? into.x.subarray(into.offset * d, (into.offset + n) * d) : new Float32Array(n * d);
  let column = 0;
  for (const feature of p.features) {
    const name = feature.name;
    switch (feature.type) {
      case 'numeric': {
        for (let r = 0, at = column; r < n; r++, at += d) {
          const raw = fieldValue(rows[r], name);
          const v = typeof raw === 'number' && Number.isFinite(raw) ? raw : numericValue(raw);
          x[at] = numericInput(feature, v === undefined ? NaN : v);
        }
        break;
      }
      case 'boolean': {
        const fallback = feature.missing ? 1 : 0;
        for (let r = 0, at = column; r < n; r++, at += d) {
          const raw = fieldValue(rows[r], name);
          const b = typeof raw === 'boolean' ? raw : isMissing(raw) ? undefined : parseBoolean(raw);
          x[at] = b === undefined ? fallback : b ? 1 : 0;
        }
        break;
      }
      case 'categorical': {
        const indexOf = new Map<string, number>();
        feature.categories.forEach((c, i) => indexOf.set(c, i));
        const other = feature.categories.length;
        for (let r = 0, at = column; r < n; r++, at += d) {
          const key = scalarText(fieldValue(rows[r], name));
          const index = key === undefined ? other : (indexOf.get(key) ?? other);
          x[at + index] = 1;
        }
        break;
      }
      case 'text': {
        for (let r = 0, at = column; r < n; r++, at += d) {
          const text = scalarText(fieldValue(rows[r], name));
          if (text !== undefined) textFeatureVector(feature, text, x, at);
        }
        break;
      }
    }
    column += featureWidth(feature);
  }
  return { x, n, d };
}

/**
 * One entry per output column, in column order, naming the configured feature it comes from
 * (so per-column importances can be summed back per feature) and the column itself:
 * numeric/boolean 'age'; categorical 'color=red' … 'color=(other)'; text 'title#17'
 * (hash bucket 17).
 */
export function outputColumns(p: FittedPipeline): Array<{ feature: string; column: string }> {
  const columns: Array<{ feature: string; column: string }> = [];
  for (const f of p.features) {
    switch (f.type) {
      case 'numeric':
      case 'boolean':
        columns.push({ feature: f.name, column: f.name });
        break;
      case 'categorical':
        for (const c of f.categories) columns.push({ feature: f.name, column: `${f.name}=${c}` });
        columns.push({ feature: f.name, column: `${f.name}=${otherCategoryColumn}` });
        break;
      case 'text':
        for (let i = 0; i < f.dimensions; i++) columns.push({ feature: f.name, column: `${f.name}#${i}` });
        break;
    }
  }
  return columns;
}

/**
 * Checks that a value read back from JSON (e.g. a bundle's pipeline.json) is a fitted
 * pipeline this version can apply, and returns it typed.
 * @throws Error describing the first mismatch (a damaged or foreign bundle, not a user typo).
 */
export function pipelineFromJson(value: unknown): FittedPipeline {
  const fail = (what: string): never => {
    throw new Error(`Not a fitted feature pipeline: ${what}`);
  };
  if (typeof value !== 'object' || value === null) fail('not an object');
  const p = value as Partial<FittedPipeline>;
  if (p.version !== 1 && p.version !== PIPELINE_VERSION) fail(`unsupported version ${JSON.stringify(p.version)}`);
  if (!Array.isArray(p.features)) fail('features is not an array');
  let width = 0;
  for (const f of p.features as FittedFeature[]) {
    if (typeof f?.name !== 'string') fail('a feature has no name');
    switch (f.type) {
      case 'numeric':
        if (![f.fill, f.center, f.scale].every(Number.isFinite) || f.scale === 0) fail(`feature '${f.name}' has invalid statistics`);
        break;
      case 'boolean':
        if (typeof f.missing !== 'boolean') fail(`feature '${f.name}' has no missing value`);
        break;
      case 'categorical':
        if (!Array.isArray(f.categories) || !f.categories.every((c) => typeof c === 'string')) fail(`feature '${f.name}' has invalid categories`);
        break;
      case 'text':
        if (!Array.isArray(f.idf) || f.idf.length !== f.dimensions || !Array.isArray(f.ngrams)) fail(`feature '${f.name}' has an invalid idf table`);
        if (p.version === 1) {
          // Fitted before the options existed: word n-grams, raw counts, every bucket kept.
          f.analyzer = 'word';
          f.sublinearTf = false;
          f.minDf = 1;
        } else if ((f.analyzer !== 'word' && f.analyzer !== 'char_wb') || typeof f.sublinearTf !== 'boolean' || typeof f.minDf !== 'number') {
          fail(`feature '${f.name}' has invalid text options`);
        }
        break;
      default:
        fail(`feature '${(f as FittedFeature).name}' has unknown type ${JSON.stringify((f as { type?: unknown }).type)}`);
    }
    width += featureWidth(f);
  }
  if (p.width !== width) fail(`width ${p.width} does not match the features (${width})`);
  return p as FittedPipeline;
}

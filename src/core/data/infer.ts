/**
 * Guesses a starting project (task, features and their types) from a data file, for
 * `mlloop init` and the "new project" command. The guess is written into mlloop.yaml where
 * the user can correct it; the notes say what was guessed and what was skipped.
 *
 * Node only (reads the file through readers.ts).
 */
import type { DataFormat, FeatureSpec, FeatureType, Task, TextAnalyzer, TextFeature } from '../project/types';
import { forEachTermHash, tokenize } from './pipeline';
import { DEFAULT_TEXT, DEFAULT_TEXT_NGRAMS } from '../project/parse';
import { UserError } from '../util/errors';
import { classLabelText } from './labels';
import { missingLabelColumnMessage } from './importChecks';
import { detectFormat, readRecords } from './readers';
import { parseEventTime } from './time';
import { fieldValue, isMissing, isScalar, parseBoolean, parseNumber } from './values';
import { plural } from '../util/plural';

export interface InferredProject {
  task: Task;
  /** One spec per usable column except the label, in column order, filled with defaults. */
  features: FeatureSpec[];
  /** Records examined (at most sampleRows; rows that could not be read are not counted). */
  rows: number;
  /** Classification only: the classes seen, ascending (the LabelMap order). */
  classes?: string[];
  /** Sentences for the user: skipped columns, guesses worth checking, unreadable rows. */
  notes: string[];
  /** A column that holds when each row happened (proposed as `time:`; not a feature). */
  time?: string;
  /** Per feature name: why its settings are what they are (init writes it as a YAML comment). */
  why: Record<string, string>;
}

export interface InferOptions {
  /** Records to examine from the start of the file. Default 10,000. */
  sampleRows?: number;
  /** Default: from the file extension. */
  format?: DataFormat;
  signal?: AbortSignal;
}

/** Most distinct values a column may have to be called categorical by count alone. */
const maxDistinctForCategorical = 50;
/** Above this many distinct whole-number label values, a numeric label is a regression target. */
const maxClassesForNumericLabel = 20;
/** Whether a column name announces an identifier: id, uuid, index, user_id, order-key, userId, orderID. */
function looksLikeIdName(name: string): boolean {
  if (/^(?:id|uuid|guid|key|index|idx|rownum|row_?id|row_?index)$/i.test(name)) return true;
  if (/[_\-\s.](?:id|uuid|guid|key)$/i.test(name)) return true;
  // camelCase suffix; case-sensitive so that words ending in "id" (paid, valid) do not match
  return /[a-z0-9](?:Id|ID|Uuid|UUID|Key)$/.test(name);
}

/**
 * A feature spec with the defaults documented in project/types.ts: numeric standardize/mean;
 * boolean missing false; categorical maxCategories 50, minCount 1; text as DEFAULT_TEXT in
 * project/parse.ts (word 1–2-grams hashed into 1,024 columns; init then sizes them).
 */
export function featureWithDefaults(name: string, type: FeatureType): FeatureSpec {
  switch (type) {
    case 'numeric':
      return { name, type, transform: 'standardize', impute: 'mean' };
    case 'boolean':
      return { name, type, missing: false };
    case 'categorical':
      return { name, type, maxCategories: 50, minCount: 1 };
    case 'text':
      return { name, type, ...DEFAULT_TEXT, ngrams: [...DEFAULT_TEXT_NGRAMS.word] };
  }
}

type ColumnVerdict = { type: FeatureType; note?: string } | { skip: string };

/** Names that say "when": created_at, timestamp, event_time, date, updatedAt, ts … */
const timeNamePattern = /(^|[_\s-])(time|timestamp|date|datetime|day|created|updated|ts)([_\s-]|$)|(_at|At)$/i;
/** Epoch seconds (or milliseconds) from 1990 to 2100: a number in this range under a "when" name is a time. */
const EPOCH_S_RANGE = [631152000, 4102444800] as const;

/**
 * Whether a column holds event times: every present value is ISO-8601 text, or — when the
 * name says so (created_at, timestamp …) — a Unix epoch number of a plausible date.
 */
export function looksLikeTimeColumn(name: string, values: ReadonlyArray<unknown>): boolean {
  const present = values.filter((v) => !isMissing(v));
  if (present.length === 0) return false;
  const iso = present.every((v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v.trim()) && parseEventTime(v, 'auto').ok);
  if (iso) return true;
  if (!timeNamePattern.test(name)) return false;
  return present.every((v) => {
    const n = typeof v === 'number' ? v : parseNumber(v);
    if (n === undefined) return false;
    const seconds = Math.abs(n) >= 1e11 ? n / 1000 : n;
    return seconds >= EPOCH_S_RANGE[0] && seconds <= EPOCH_S_RANGE[1];
  });
}

function isStrictlyMonotonic(values: number[]): boolean {
  let increasing = true;
  let decreasing = true;
  for (let i = 1; i < values.length && (increasing || decreasing); i++) {
    if (!(values[i] > values[i - 1])) increasing = false;
    if (!(values[i] < values[i - 1])) decreasing = false;
  }
  return increasing || decreasing;
}

/**
 * Decides a column's type from its sampled values (see {@link inferProject} for the rules).
 * Exported for tests and for callers that already hold the values.
 * @param values the column's raw values in file order, missing ones included.
 */
export function inferColumnType(name: string, values: ReadonlyArray<unknown>): ColumnVerdict {
  const present = values.filter((v) => !isMissing(v));
  if (present.length === 0) return { skip: `column '${name}' is empty in the sampled rows; skipped` };
  if (!present.every(isScalar)) return { skip: `column '${name}' holds nested objects or arrays; skipped` };
  const texts = present.map((v) => (typeof v === 'string' ? v.trim() : String(v)));
  const distinct = new Set(texts.map((t) => t.toLowerCase()));
  const allDistinct = distinct.size === present.length;
  const idByName = looksLikeIdName(name);

  if (distinct.size <= 2 && present.every((v) => parseBoolean(v) !== undefined)) return { type: 'boolean' };

  const numbers = present.map(parseNumber);
  if (numbers.every((v) => v !== undefined)) {
    const values = numbers as number[];
    if (allDistinct && present.length >= 2 && values.every(Number.isInteger) && (idByName || (present.length >= 20 && isStrictlyMonotonic(values)))) {
      return { skip: `column '${name}' looks like an identifier (every value is a different whole number); skipped` };
    }
    return { type: 'numeric' };
  }

  const maxLength = texts.reduce((m, t) => Math.max(m, t.length), 0);
  const singleTokens = texts.every((t) => !/\s/.test(t));
  if (allDistinct && present.length >= 2 && singleTokens && maxLength <= 64 && (idByName || present.length >= 20)) {
    return { skip: `column '${name}' looks like an identifier (every value is a different short code); skipped` };
  }
  if (distinct.size <= maxDistinctForCategorical && distinct.size <= 0.5 * present.length) return { type: 'categorical' };
  const meanLength = texts.reduce((s, t) => s + t.length, 0) / texts.length;
  const meanWords = texts.reduce((s, t) => s + (t.match(/\S+/g)?.length ?? 0), 0) / texts.length;
  if (meanWords >= 3 || meanLength >= 30) return { type: 'text' };
  const note =
    distinct.size > maxDistinctForCategorical
      ? `column '${name}' has ${distinct.size} distinct short values; categorical keeps the ${maxDistinctForCategorical} most frequent and puts the rest in one 'other' column`
      : undefined;
  return { type: 'categorical', note };
}

/**
 * Reads the first `sampleRows` records of a data file and proposes a task and features.
 *
 * Rules (per column except the label, over its non-missing sampled values):
 * - empty, or holding nested JSON → skipped (noted).
 * - boolean: every value is one of true/false, yes/no, 1/0, t/f, y/n (any case), ≤ 2 distinct.
 * - numeric: every value is a finite number (JSON number or decimal string).
 * - identifier → skipped (noted): every value distinct and either whole numbers in strictly
 *   increasing/decreasing file order (≥ 20 rows) or single-word codes of ≤ 64 characters
 *   (≥ 20 rows); with a name like id/uuid/user_id/userId, 2 rows suffice.
 * - categorical: ≤ 50 distinct values and distinct ≤ 50% of the rows; or short values
 *   (fewer than 3 words on average and under 30 characters).
 * - text: otherwise (long or multi-word free text).
 * Task: a numeric label with more than 20 distinct values or any non-whole value →
 * regression; otherwise the distinct labels are classes: 2 → binary, ≥ 3 → multiclass.
 * Features get the defaults of {@link featureWithDefaults}.
 * @throws UserError when the file has no readable records, the label column is absent (the
 *   message lists the columns), or the label has a single value in the sample.
 */
export async function inferProject(file: string, label: string, opts: InferOptions = {}): Promise<InferredProject> {
  const sampleRows = opts.sampleRows ?? 10_000;
  const columns = new Map<string, unknown[]>();
  const notes: string[] = [];
  let rows = 0;
  let unreadable = 0;
  let firstProblem: string | undefined;
  let truncated = false;
  for await (const item of readRecords(file, opts.format, opts.signal)) {
    if (item.kind === 'error') {
      unreadable++;
      firstProblem ??= `line ${item.line}: ${item.reason}`;
      continue;
    }
    if (rows >= sampleRows) {
      truncated = true;
      break;
    }
    for (const key of Object.keys(item.record)) {
      if (!columns.has(key)) columns.set(key, new Array<unknown>(rows).fill(undefined));
    }
    for (const [key, values] of columns) values.push(fieldValue(item.record, key));
    rows++;
  }
  if (rows === 0) {
    throw new UserError(
      `'${file}' has no readable records${firstProblem ? ` (${plural(unreadable, 'unreadable row')}; first at ${firstProblem})` : ''}.`,
      { file },
    );
  }
  const labelValues = columns.get(label);
  if (labelValues === undefined) {
    throw new UserError(missingLabelColumnMessage(file, label, [...columns.keys()], opts.format ?? detectFormat(file), 'given as the label'), { file });
  }
  if (truncated) notes.push(`Types were inferred from the first ${rows} rows.`);
  if (unreadable > 0) notes.push(`${unreadable} row${unreadable === 1 ? '' : 's'} could not be read and ${unreadable === 1 ? 'was' : 'were'} left out (first at ${firstProblem}).`);

  const { task, classes, labelNotes } = inferTask(label, labelValues, rows, file);
  notes.push(...labelNotes);

  const features: FeatureSpec[] = [];
  let time: string | undefined;
  for (const [name, values] of columns) {
    if (name === label) continue;
    if (time === undefined && looksLikeTimeColumn(name, values)) {
      time = name;
      notes.push(`column '${name}' holds dates/times: it is the event time (time: ${name}), used for data windows, not as a feature`);
      continue;
    }
    const verdict = inferColumnType(name, values);
    if ('skip' in verdict) {
      notes.push(verdict.skip);
      continue;
    }
    if (verdict.note) notes.push(verdict.note);
    features.push(featureWithDefaults(name, verdict.type));
  }
  if (features.length === 0) notes.push('No usable feature columns were found; add features to mlloop.yaml by hand.');
  const why: Record<string, string> = {};
  const textFeatures = features.filter((f): f is TextFeature => f.type === 'text');
  if (textFeatures.length > 0) {
    const sized = suggestTextFeatures(
      textFeatures.map((f) => ({ name: f.name, texts: (columns.get(f.name) ?? []).filter((v) => !isMissing(v)).map((v) => String(v)) })),
      rows,
    );
    for (const s of sized) {
      const at = features.findIndex((f) => f.name === s.feature.name);
      features[at] = s.feature;
      why[s.feature.name] = s.why;
      if (s.note) notes.push(s.note);
    }
  }
  return { task, features, rows, ...(classes ? { classes } : {}), notes, why, ...(time ? { time } : {}) };
}

/** Mean words per text below which init uses character n-grams (see {@link suggestTextFeatures}). */
const shortTextWords = 12;
/** Floats the dense feature matrix of all rows may hold for text columns: 2^27 (512 MB as float32). */
const textMatrixBudget = 2 ** 27;
/** Hashed columns per distinct term init aims for: about 1 − e^(−1/4) ≈ 22% of terms then share a column. */
const columnsPerTerm = 4;

/**
 * Text settings from the sampled texts of each text column, so short texts are not hashed
 * into a wall of collisions:
 * - analyzer: char_wb [2, 5] when the texts average fewer than 12 words (titles, subjects,
 *   names): with few words per row, character n-grams let word forms, typos and compounds
 *   share evidence; word [1, 2] otherwise, where words and word pairs carry it.
 * - sublinearTf: true (1 + ln(count)): a word repeated in a long text does not drown the
 *   others; on short texts counts are mostly 1 and it changes nothing.
 * - minDf: 2 from 5,000 sampled rows (a term seen in one row of thousands rarely generalises,
 *   and its bucket then stays out), else 1 (on small data a term seen once may be all there is).
 * - dimensions: the next power of two ≥ 4 × the distinct terms of the sample (terms in ≥ minDf
 *   rows), at least 256; all text columns together are capped so that rows × columns ≤ 2^27
 *   (the training matrix is dense float32: 512 MB), each column's share in proportion to its
 *   vocabulary, rounded down to a power of two. A cap that bites is noted.
 * @param rows the number of sampled rows (the data's size as far as init knows it).
 */
export function suggestTextFeatures(columns: Array<{ name: string; texts: string[] }>, rows: number): Array<{ feature: TextFeature; why: string; note?: string }> {
  const minDf = rows >= 5000 ? 2 : 1;
  const plans = columns.map(({ name, texts }) => {
    const words = texts.reduce((sum, t) => sum + tokenize(t, true).length, 0) / Math.max(1, texts.length);
    const analyzer: TextAnalyzer = words < shortTextWords ? 'char_wb' : 'word';
    const ngrams: [number, number] = [...DEFAULT_TEXT_NGRAMS[analyzer]];
    const df = new Map<number, number>();
    for (const text of texts) {
      const seen = new Set<number>();
      forEachTermHash(text, { analyzer, ngrams, lowercase: true }, (h) => seen.add(h));
      for (const h of seen) df.set(h, (df.get(h) ?? 0) + 1);
    }
    let terms = 0;
    for (const count of df.values()) if (count >= minDf) terms++;
    const wanted = Math.max(256, nextPowerOfTwo(columnsPerTerm * terms));
    return { name, words, analyzer, ngrams, terms, wanted };
  });
  const budget = Math.max(256 * plans.length, Math.floor(textMatrixBudget / Math.max(1, rows)));
  const wantedTotal = plans.reduce((s, p) => s + p.wanted, 0);
  return plans.map((p) => {
    let dimensions = p.wanted;
    let note: string | undefined;
    if (wantedTotal > budget) {
      dimensions = Math.max(256, previousPowerOfTwo(Math.floor((budget * p.wanted) / wantedTotal)));
      if (dimensions < p.wanted) {
        note = `text column '${p.name}': ${p.terms} distinct terms in the sample would want ${p.wanted} hashed columns; capped at ${dimensions} so the dense training matrix (${rows} rows) stays under 512 MB, so some terms share a column.`;
      }
    }
    const feature: TextFeature = { name: p.name, type: 'text', dimensions, ngrams: p.ngrams, lowercase: true, analyzer: p.analyzer, sublinearTf: true, minDf };
    const kind = p.analyzer === 'char_wb' ? `short texts (${p.words.toFixed(1)} words on average): character 2–5-grams share evidence between word forms and typos` : `longer texts (${p.words.toFixed(1)} words on average): words and word pairs`;
    const why = `${kind}; ${p.terms} distinct terms${minDf > 1 ? ` in ≥ ${minDf} rows` : ''} in the sample → ${dimensions} hashed columns${dimensions < p.wanted ? ' (capped by memory)' : ''}`;
    return note ? { feature, why, note } : { feature, why };
  });
}

function nextPowerOfTwo(x: number): number {
  let p = 1;
  while (p < x) p *= 2;
  return p;
}

function previousPowerOfTwo(x: number): number {
  let p = 1;
  while (p * 2 <= x) p *= 2;
  return p;
}

function inferTask(label: string, values: unknown[], rows: number, file: string): { task: Task; classes?: string[]; labelNotes: string[] } {
  const labelNotes: string[] = [];
  const present = values.filter((v) => !isMissing(v) && isScalar(v)) as Array<string | number | boolean>;
  if (present.length < rows) labelNotes.push(`${rows - present.length} sampled rows have no label '${label}'.`);
  if (present.length === 0) throw new UserError(`Column '${label}' is empty in the sampled rows of '${file}', so it cannot be the label.`, { file });
  const numbers = present.map((v) => (typeof v === 'boolean' ? undefined : parseNumber(v)));
  const classes = [...new Set(present.map(classLabelText))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (numbers.every((v) => v !== undefined)) {
    const wholeNumbers = (numbers as number[]).every(Number.isInteger);
    const distinctValues = new Set(numbers).size;
    if (!wholeNumbers || distinctValues > maxClassesForNumericLabel) {
      labelNotes.push(`Label '${label}' is numeric with ${distinctValues} distinct values: task regression.`);
      return { task: 'regression', labelNotes };
    }
    if (distinctValues > 2) {
      labelNotes.push(
        `Label '${label}' has ${distinctValues} distinct whole numbers, treated as classes (task multiclass); set task: regression if they are amounts.`,
      );
    }
  }
  if (classes.length < 2) {
    throw new UserError(
      `Label '${label}' has the single value '${classes[0]}' in the ${rows} sampled rows of '${file}'; a model needs at least two classes (or sample more rows).`,
      { file },
    );
  }
  const task: Task = classes.length === 2 ? 'binary' : 'multiclass';
  if (task === 'binary') labelNotes.push(`Label '${label}' has 2 classes: task binary, positive class '${classes[1]}'.`);
  else labelNotes.push(`Label '${label}' has ${classes.length} classes: task multiclass.`);
  return { task, classes, labelNotes };
}

/**
 * Guesses a starting project (task, features and their types) from a data file, for
 * `mlloop init` and the "new project" command. The guess is written into mlloop.yaml where
 * the user can correct it; the notes say what was guessed and what was skipped.
 *
 * Node only (reads the file through readers.ts).
 */
import type { DataFormat, FeatureSpec, FeatureType, Task } from '../project/types';
import { UserError } from '../util/errors';
import { classLabelText } from './labels';
import { missingLabelColumnMessage } from './importChecks';
import { detectFormat, readRecords } from './readers';
import { fieldValue, isMissing, isScalar, parseBoolean, parseNumber } from './values';

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
 * boolean missing false; categorical maxCategories 50, minCount 1; text dimensions 1024,
 * ngrams [1, 2], lowercase true.
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
      return { name, type, dimensions: 1024, ngrams: [1, 2], lowercase: true };
  }
}

type ColumnVerdict = { type: FeatureType; note?: string } | { skip: string };

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
      `'${file}' has no readable records${firstProblem ? ` (${unreadable} unreadable rows; first at ${firstProblem})` : ''}.`,
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
  for (const [name, values] of columns) {
    if (name === label) continue;
    const verdict = inferColumnType(name, values);
    if ('skip' in verdict) {
      notes.push(verdict.skip);
      continue;
    }
    if (verdict.note) notes.push(verdict.note);
    features.push(featureWithDefaults(name, verdict.type));
  }
  if (features.length === 0) notes.push('No usable feature columns were found; add features to mlloop.yaml by hand.');
  return classes ? { task, features, rows, classes, notes } : { task, features, rows, notes };
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

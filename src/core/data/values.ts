/**
 * How one raw cell value (a CSV string, or a JSON number/boolean/string/null) is read as a
 * number, a boolean or a category. Inference, validation and the feature pipeline all go
 * through these functions so that a value accepted at import is read the same way at
 * training and at prediction time.
 *
 * PURE: no node built-ins; the browser runtime uses this file (through pipeline.ts).
 */

const hasOwnProperty = Object.prototype.hasOwnProperty;

/**
 * The value of `key` in a record, only when the record itself holds that key: a record
 * without a 'constructor', 'toString' or '__proto__' key must not read Object.prototype's
 * members as its values (a feature or label of that name would then hold a function).
 * Every read of a record by a configured name goes through here.
 */
export function fieldValue(record: Readonly<Record<string, unknown>>, key: string): unknown {
  return hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/** True when the record itself holds `key` (not an inherited Object.prototype member). */
export function hasField(record: Readonly<Record<string, unknown>>, key: string): boolean {
  return hasOwnProperty.call(record, key);
}

/**
 * A value counts as missing when it is absent (undefined), null, or a string that is empty
 * after trimming whitespace. Everything else — including 0, false and 'NaN' — is present.
 */
export function isMissing(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  return false;
}

/** Plain decimal notation with optional sign, fraction and exponent: '3', '-0.5', '.5', '1e-3'. */
const decimalNumberPattern = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The finite number a value stands for, or undefined when it is not one.
 * Accepts JSON numbers and strings in plain decimal notation (surrounding whitespace is
 * ignored). Rejects hex/octal/binary literals, 'Infinity', 'NaN', booleans, '' and anything
 * else, so an id such as '0x1f' or a flag such as true never turns into a number silently.
 */
export function parseNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (!decimalNumberPattern.test(trimmed)) return undefined;
  const parsed = Number(trimmed);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/**
 * The largest finite 32-bit float (≈ 3.4e38). Models compute in 32-bit floats, so a feature
 * value, regression label or weight beyond it would become Infinity, and training or
 * prediction NaN: such values are refused at import and at prediction time.
 */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** The reason a number cannot be used by a model, or undefined when it can (|x| ≤ {@link FLOAT32_MAX}). */
export function numberRangeProblem(value: number): string | undefined {
  if (Math.abs(value) <= FLOAT32_MAX) return undefined;
  return `${value} is too large: models compute in 32-bit floats, which end at ±3.4e38 (rescale the column, e.g. store it in larger units)`;
}

const trueWords = new Set(['true', 'yes', '1', 't', 'y']);
const falseWords = new Set(['false', 'no', '0', 'f', 'n']);

/** The spellings {@link parseBoolean} accepts, for messages. */
export const booleanSpellings = 'true/false, yes/no, 1/0, t/f, y/n';

/**
 * The boolean a value stands for, or undefined when it is not one.
 * Accepts JSON booleans, the numbers 1 and 0, and (case-insensitive, trimmed) the strings
 * true/false, yes/no, 1/0, t/f, y/n.
 */
export function parseBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined;
  if (typeof value !== 'string') return undefined;
  const word = value.trim().toLowerCase();
  if (trueWords.has(word)) return true;
  if (falseWords.has(word)) return false;
  return undefined;
}

/** True for strings, numbers and booleans: the values a single cell can hold. */
export function isScalar(value: unknown): value is string | number | boolean {
  const kind = typeof value;
  return kind === 'string' || kind === 'number' || kind === 'boolean';
}

/**
 * The text of a categorical or text value: strings trimmed, numbers and booleans in their
 * JSON spelling (1 → '1', true → 'true'); undefined when missing or not a scalar.
 */
export function scalarText(value: unknown): string | undefined {
  if (isMissing(value) || !isScalar(value)) return undefined;
  return typeof value === 'string' ? value.trim() : String(value);
}

/** A value shortened for an error message: JSON spelling, at most 40 characters. */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  if (typeof value === 'string') text = `'${value}'`;
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

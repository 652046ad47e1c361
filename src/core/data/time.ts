/**
 * Reading an example's event time from its record (the project's `time:` column).
 *
 * PURE: no node built-ins.
 */
import type { TimeConfig } from '../project/types';
import { describeValue, isMissing, parseNumber } from './values';

/** Epoch numbers at or above this are milliseconds in 'auto' (1e11 s is the year 5138; 1e11 ms is 1973). */
export const EPOCH_MS_THRESHOLD = 1e11;

/** ISO-8601 date or date-time: 2026-11-30, 2026-11-30T08:00, …:00Z, …+01:00, with a space instead of T. */
const isoPattern = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * The instant a time value stands for, as ISO-8601 UTC with milliseconds, or a reason why it
 * is not one. Dates without a zone are read as UTC (an event log's times rarely say; UTC at
 * least reads the same on every machine).
 * @param unit how to read numbers: 's', 'ms', or 'auto' (≥ {@link EPOCH_MS_THRESHOLD} → ms).
 */
export function parseEventTime(value: unknown, unit: TimeConfig['unit']): { ok: true; iso: string } | { ok: false; reason: string } {
  if (isMissing(value)) return { ok: false, reason: 'is empty' };
  const n = typeof value === 'number' ? (Number.isFinite(value) ? value : undefined) : parseNumber(value);
  let ms: number;
  if (n !== undefined) {
    ms = unit === 'ms' || (unit === 'auto' && Math.abs(n) >= EPOCH_MS_THRESHOLD) ? n : n * 1000;
  } else if (typeof value === 'string' && isoPattern.test(value.trim())) {
    const t = value.trim().replace(' ', 'T');
    // Date.parse rolls 2026-02-30 over to March 2nd (V8 takes any day up to 31): check the calendar first.
    const [y, m, d] = [Number(t.slice(0, 4)), Number(t.slice(5, 7)), Number(t.slice(8, 10))];
    ms = m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate() ? Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(t.slice(10)) || t.length === 10 ? t : `${t}Z`) : NaN;
  } else {
    return { ok: false, reason: `${describeValue(value)} is not a date (ISO-8601, e.g. 2026-11-30T08:00:00Z) or a Unix epoch number` };
  }
  // Date's range is ±8.64e15 ms; outside it (or NaN from an impossible date like 2026-02-30) there is no instant.
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return { ok: false, reason: `${describeValue(value)} is not a valid point in time` };
  const iso = new Date(ms).toISOString();
  return { ok: true, iso };
}

/**
 * The event time of a record under the project's `time:` setting.
 * @returns undefined when the project has no time column (the caller uses the record's own time or the import time).
 */
export function recordEventTime(record: Record<string, unknown>, time: TimeConfig | undefined): { ok: true; iso: string } | { ok: false; reason: string } | undefined {
  if (!time) return undefined;
  const r = parseEventTime(Object.prototype.hasOwnProperty.call(record, time.column) ? record[time.column] : undefined, time.unit);
  return r.ok ? r : { ok: false, reason: `time column '${time.column}' ${r.reason}` };
}

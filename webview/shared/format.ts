/**
 * Number and metric formatting shared by the panels (and by host code that builds their
 * snapshots): what a value looks like in a table, its exact form for tooltips and CSV, a
 * metric's display name and which direction is better.
 *
 * Pure: no DOM, no node built-ins, so both the pages and the extension host import it.
 */
import { metricDirection } from '../../src/core/evaluate/metricNames';
export { metricDirection, metricLabel } from '../../src/core/evaluate/metricNames';
export { formatDuration } from '../../src/core/util/duration';

/**
 * A metric with 4 decimals ("0.9333"); magnitudes a fixed format would hide (below 5e-5 or
 * from 1e9) in exponent form; non-finite → "n/a"; never "-0.0000".
 */
export function formatMetric(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  const a = Math.abs(v);
  if (a !== 0 && (a < 5e-5 || a >= 1e9)) return v.toExponential(3);
  const s = v.toFixed(4);
  return /^-0\.0+$/.test(s) ? s.slice(1) : s;
}

/** The value exactly as stored (shortest round-trip form), "n/a" when not finite: tooltips and CSV. */
export function exact(v: number | null | undefined): string {
  return v !== null && v !== undefined && Number.isFinite(v) ? String(v) : 'n/a';
}

/**
 * A signed difference with 4 fixed decimals: "+0.0333", "−0.0120" (true minus sign);
 * "±0.0000" when it rounds to zero (tooltips carry the exact value); non-finite → "n/a".
 */
export function formatDelta(d: number): string {
  if (!Number.isFinite(d)) return 'n/a';
  const body = Math.abs(d).toFixed(4);
  if (body === '0.0000') return '±0.0000';
  return `${d > 0 ? '+' : '\u2212'}${body}`;
}

/** A share in [0, 1] as a percentage with `decimals` places ("93.3%"); non-finite → "n/a". */
export function formatPercent(v: number, decimals = 1): string {
  return Number.isFinite(v) ? `${(v * 100).toFixed(decimals)}%` : 'n/a';
}


/** An ISO 8601 time as local "YYYY-MM-DD HH:MM" (the ISO text back when it does not parse). */
export function formatTimestamp(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}


/**
 * Whether `value` is better (+1), worse (−1) or the same (0) as `reference` for metric `key`.
 * Differences within `tolerance` (default 1e-12) count as the same; non-finite values as 0.
 */
export function compareMetric(key: string, value: number, reference: number, tolerance = 1e-12): -1 | 0 | 1 {
  if (!Number.isFinite(value) || !Number.isFinite(reference)) return 0;
  const d = value - reference;
  if (Math.abs(d) <= tolerance) return 0;
  const better = metricDirection(key) === 'lower' ? d < 0 : d > 0;
  return better ? 1 : -1;
}

/**
 * Text as CSV (RFC 4180): a header row, then rows; fields with a comma, quote or line break
 * are quoted, quotes doubled; numbers in their exact form; null, undefined and non-finite
 * numbers → empty. Lines end with "\n" (spreadsheets read it, and it pastes cleanly).
 */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | boolean | null | undefined>>): string {
  const field = (v: string | number | boolean | null | undefined): string => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\n') + '\n';
}

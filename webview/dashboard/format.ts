/**
 * Formatting the dashboard, the drift panel and the sidebar add to webview/shared/format.ts:
 * counts, plurals and "3 minutes ago". Pure and DOM-free: the host's trees and status bar use
 * it too, so a value reads the same in every place it appears.
 */

/** A count with thousands separators: 12345 → "12,345". */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** "1 example" / "2 examples" / "1,204 examples". */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(n)} ${n === 1 ? singular : pluralForm}`;
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** Units from small to large with their length in seconds. */
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['minute', 60],
  ['hour', 3600],
  ['day', 86_400],
  ['month', 2_592_000],
  ['year', 31_536_000],
];

/**
 * How long ago an ISO 8601 time was, relative to `now` (ms since epoch): "just now" under
 * 45 s, then "3 minutes ago", "1 hour ago", "yesterday", "5 days ago", "3 months ago". A unit
 * is used from 3/4 of it on (45 min reads "1 hour ago"), so "0 minutes ago" never shows. A
 * time in the future (clock skew between processes) reads "just now"; an unparsable one "".
 */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const seconds = (now - t) / 1000;
  if (seconds < 45) return 'just now';
  let unit = UNITS[0];
  for (const u of UNITS) if (seconds >= u[1] * 0.75) unit = u;
  return relative.format(-Math.max(1, Math.round(seconds / unit[1])), unit[0]);
}

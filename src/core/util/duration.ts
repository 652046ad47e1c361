/** Durations for people, the same everywhere (CLI, report, panels). Pure: pages import it too. */

/** "850 ms", "12.3 s", "3 min 05 s", "2 h 04 min"; null, undefined, negative or non-finite → "—". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const totalSeconds = Math.round(s);
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes} min ${String(totalSeconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** What a duration setting may say (also the pattern in the project schema): a number and a unit. */
export const DURATION_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d|w)\s*$/;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A duration setting of mlloop.yaml in milliseconds: "7d", "36h", "90 min", "30m", "45s",
 * "2w", "1.5d" (units ms, s, m or min, h, d, w; a day is 24 h, so "7d" is 168 h whatever the
 * calendar's daylight-saving days). Undefined when it is not one.
 */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_PATTERN.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2]];
  return Number.isFinite(ms) ? ms : undefined;
}

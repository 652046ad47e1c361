/**
 * Time arithmetic of schedules: cron expressions (the `croner` package: standard 5-field
 * cron, optional seconds, time zones) and durations such as "90d". Pure given the instant
 * passed in, so schedules run on a fake clock in tests: nothing here reads the system time
 * or starts a timer.
 */
import { Cron } from 'croner';

/** Why a cron expression (in a time zone) cannot be used, or undefined when it can. */
export function cronProblem(expression: string, timezone = 'UTC'): string | undefined {
  try {
    const c = new Cron(expression, { timezone, paused: true });
    if (c.nextRun(new Date(0)) === null) return `the cron expression '${expression}' never fires.`;
    return undefined;
  } catch (e) {
    return `'${expression}' is not a cron expression (minute hour day-of-month month day-of-week, e.g. "0 2 * * 0" for Sundays at 02:00; or "off")${timezone !== 'UTC' ? ` in time zone ${timezone}` : ''}: ${(e as Error).message}.`;
  }
}

/**
 * The first time strictly after `after` that the expression fires.
 * @returns null when it never fires again (or the expression is 'off').
 */
export function nextCronRun(expression: string, timezone: string, after: Date): Date | null {
  if (expression === 'off') return null;
  return new Cron(expression, { timezone, paused: true }).nextRun(after);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A duration such as '90d', '36h', '15m', '2w', '500ms' in milliseconds.
 * @throws Error for anything else (the schema's pattern rejects such values earlier, at their line).
 */
export function parseDuration(text: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!m) throw new Error(`'${text}' is not a duration (a number and one of ms, s, m, h, d, w: e.g. 90d)`);
  return Number(m[1]) * UNIT_MS[m[2]];
}

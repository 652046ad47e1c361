/**
 * Time as the jobs see it. Everything that stamps or compares a time (the store's
 * imported_at and heartbeats, windows such as "the last 90 days", later schedules and
 * alert cooldowns) asks a Clock, so tests can run them on a fake one.
 */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

/** The system clock. */
export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that stands still until moved: for tests of windows, schedules and cooldowns.
 * @param start the initial instant (ISO string or Date).
 */
export function fakeClock(start: string | Date): Clock & { advance(ms: number): void; set(t: string | Date): void } {
  let t = new Date(start).getTime();
  if (!Number.isFinite(t)) throw new Error(`fakeClock: '${String(start)}' is not a time`);
  return {
    now: () => new Date(t),
    advance: (ms: number) => {
      t += ms;
    },
    set: (v: string | Date) => {
      t = new Date(v).getTime();
    },
  };
}

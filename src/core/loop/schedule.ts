/**
 * When the loop retrains by itself: which cycle is due at an instant, when the next full
 * retrain comes, and what that is counted from. Pure given the store's history and the clock
 * (no timers, no training): the watcher (./watch.ts) decides from it, and the extension's
 * store worker and dashboard show the same numbers without loading what trains.
 */
import type { ScheduleConfig } from '../project/types';
import type { CycleRecord, StoreOps } from '../store/types';
import { nextCronRun } from '../util/schedule';

export type DueCycle = { kind: 'full'; trigger: 'schedule'; reason: string } | { kind: 'incremental'; trigger: 'labels'; reason: string };

/**
 * When the next full retrain is due: the first cron time after the last full cycle that ran,
 * or after `since` (when watching began) when none ran yet — so a cron time missed while
 * nothing watched fires once, never as a storm of catch-ups.
 * @returns null when `schedule.cron` is 'off' (or never fires again). A time at or before now means "due".
 */
export function nextFullCycleAt(schedule: ScheduleConfig, lastFull: CycleRecord | undefined, since: Date): Date | null {
  const base = lastFull ? new Date(lastFull.startedAt) : since;
  return nextCronRun(schedule.cron, schedule.timezone, base);
}

/**
 * What cycle, if any, is due at `now`.
 * - full: {@link nextFullCycleAt} has passed;
 * - incremental: at least `incremental.every` labels arrived since the last cycle of any kind.
 * A full retrain wins when both are due.
 * @param since when watching began: a cron time before it does not fire (no catch-up storm after downtime; the next one does).
 */
export function dueCycle(s: { now: Date; since: Date; schedule: ScheduleConfig; lastFull: CycleRecord | undefined; newLabels: number }): DueCycle | null {
  const next = nextFullCycleAt(s.schedule, s.lastFull, s.since);
  if (next && next.getTime() <= s.now.getTime()) return { kind: 'full', trigger: 'schedule', reason: `the schedule '${s.schedule.cron}' (${s.schedule.timezone}) was due at ${next.toISOString()}` };
  const every = s.schedule.incremental.every;
  if (every > 0 && s.newLabels >= every) return { kind: 'incremental', trigger: 'labels', reason: `${s.newLabels} new labels (every ${every})` };
  return null;
}

/** What the schedule is counted from: the last cycle that ran, the last full one, and the labels imported since the former. */
export interface LoopCounters {
  /** The newest cycle that ran (completed, not skipped); undefined before the first. */
  lastCycle: CycleRecord | undefined;
  /** The newest such cycle that was a full retrain (any trigger but 'labels'). */
  lastFull: CycleRecord | undefined;
  /** Examples imported after the last cycle started (all of them before the first): what `incremental.every` counts. */
  newLabels: number;
}

/**
 * Reads {@link LoopCounters} from the store (the newest 50 cycles): what the watcher decides
 * from, and what the extension's dashboard shows as "labels since the last cycle".
 */
export async function loopCounters(store: StoreOps): Promise<LoopCounters> {
  const cycles = await store.listCycles({ limit: 50 });
  const lastCycle = cycles.find(ran);
  const lastFull = cycles.find((c) => ran(c) && c.trigger !== 'labels');
  const newLabels = await store.countExamples(lastCycle ? { importedAfter: lastCycle.startedAt } : {});
  return { lastCycle, lastFull, newLabels };
}

/** Cycles that count as "a cycle ran" for the schedule (skipped ones do not reset the label count). */
function ran(c: CycleRecord): boolean {
  return c.status === 'completed' && c.decision !== 'skipped';
}

/**
 * The loop, headless: `mlloop watch` (and the extension while VS Code is open) takes in the
 * inbox as lines arrive and runs retraining cycles when the schedule says so — a full retrain
 * on the cron expression, a fine-tune of the champion every so many new labels.
 *
 * The decision of what is due is a pure function of the clock and the store's history
 * ({@link dueCycle}), so schedules are tested on a fake clock; the loop around it only polls.
 */
import type { ProjectContext } from '../context/projectContext';
import type { ScheduleConfig } from '../project/types';
import type { CycleRecord } from '../store/types';
import { isCancelled, isUserError } from '../util/errors';
import { nextCronRun } from '../util/schedule';
import { runCycle, type CycleResult } from './cycle';

export type DueCycle = { kind: 'full'; trigger: 'schedule'; reason: string } | { kind: 'incremental'; trigger: 'labels'; reason: string };

/**
 * What cycle, if any, is due at `now`.
 * - full: the first cron time after the last full cycle (or after `since`, when the watcher
 *   started and none ran yet) has passed;
 * - incremental: at least `incremental.every` labels arrived since the last cycle of any kind.
 * A full retrain wins when both are due.
 * @param since when watching began: a cron time before it does not fire (no catch-up storm after downtime; the next one does).
 */
export function dueCycle(s: { now: Date; since: Date; schedule: ScheduleConfig; lastFull: CycleRecord | undefined; newLabels: number }): DueCycle | null {
  const base = s.lastFull ? new Date(s.lastFull.startedAt) : s.since;
  const next = nextCronRun(s.schedule.cron, s.schedule.timezone, base);
  if (next && next.getTime() <= s.now.getTime()) return { kind: 'full', trigger: 'schedule', reason: `the schedule '${s.schedule.cron}' (${s.schedule.timezone}) was due at ${next.toISOString()}` };
  const every = s.schedule.incremental.every;
  if (every > 0 && s.newLabels >= every) return { kind: 'incremental', trigger: 'labels', reason: `${s.newLabels} new labels (every ${every})` };
  return null;
}

export type WatchEvent =
  | { type: 'ingested'; counts: Record<string, number>; rejected: number }
  | { type: 'cycle'; result: CycleResult }
  | { type: 'cycle-failed'; message: string }
  | { type: 'log'; message: string };

export interface WatchOptions {
  ctx: ProjectContext;
  signal: AbortSignal;
  /** Take in the inbox (injected so the watcher does not depend on how). Called every poll. */
  ingest?: (ctx: ProjectContext) => Promise<{ ingested: Record<string, number>; rejected: unknown[] }>;
  /** How often to look, in ms. Default 2000. */
  pollMs?: number;
  onEvent?: (e: WatchEvent) => void;
}

/** Cycles that count as "a cycle ran" for the schedule (skipped ones do not reset the label count). */
function ran(c: CycleRecord): boolean {
  return c.status === 'completed' && c.decision !== 'skipped';
}

/**
 * Watches until `signal` aborts. A failing ingest or cycle is reported and the watcher goes
 * on (the champion keeps serving); only a cancellation ends it.
 */
export async function watchProject(opts: WatchOptions): Promise<void> {
  const { ctx, signal } = opts;
  const emit = opts.onEvent ?? (() => undefined);
  const since = ctx.clock.now();
  const pollMs = opts.pollMs ?? 2000;
  while (!signal.aborted) {
    try {
      if (opts.ingest) {
        const r = await opts.ingest(ctx);
        const total = Object.values(r.ingested).reduce((a, b) => a + b, 0);
        if (total > 0 || r.rejected.length > 0) emit({ type: 'ingested', counts: r.ingested, rejected: r.rejected.length });
      }
      const cycles = await ctx.store.listCycles({ limit: 50 });
      const lastAny = cycles.find(ran);
      const lastFull = cycles.find((c) => ran(c) && c.trigger !== 'labels');
      const newLabels = await ctx.store.countExamples(lastAny ? { importedAfter: lastAny.startedAt } : {});
      const due = dueCycle({ now: ctx.clock.now(), since, schedule: ctx.config.schedule, lastFull, newLabels });
      if (due) {
        emit({ type: 'log', message: `starting a ${due.kind} cycle: ${due.reason}` });
        const result = await runCycle({ ctx, trigger: due.trigger, by: `watch (${due.reason})`, incremental: due.kind === 'incremental', force: true, signal });
        emit({ type: 'cycle', result });
      }
    } catch (e) {
      if (isCancelled(e) || signal.aborted) return;
      emit({ type: 'cycle-failed', message: isUserError(e) ? e.message : (e as Error).message });
    }
    await sleep(pollMs, signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * The loop, headless: `mlloop watch` (and the extension while VS Code is open) takes in the
 * inbox as lines arrive and runs retraining cycles when the schedule says so — a full retrain
 * on the cron expression, a fine-tune of the champion every so many new labels.
 *
 * The decision of what is due is a pure function of the clock and the store's history
 * ({@link dueCycle}), so schedules are tested on a fake clock; the loop around it only polls.
 */
import type { ProjectContext } from '../context/projectContext';
import { isCancelled, isUserError } from '../util/errors';
import { runCycle, type CycleResult } from './cycle';
import { dueCycle, loopCounters } from './schedule';

export { dueCycle, loopCounters, nextFullCycleAt, type DueCycle, type LoopCounters } from './schedule';

export type WatchEvent =
  | { type: 'ingested'; counts: Record<string, number>; rejected: number }
  /** A cycle is starting (the message says which and why); a 'cycle' or 'cycle-failed' event follows. */
  | { type: 'cycle-started'; kind: 'full' | 'incremental'; reason: string; message: string }
  | { type: 'cycle'; result: CycleResult }
  | { type: 'cycle-failed'; message: string }
  | { type: 'log'; message: string };

export interface WatchOptions {
  ctx: ProjectContext;
  signal: AbortSignal;
  /** Take in the inbox (injected so the watcher does not depend on how). Called every poll. */
  ingest?: (ctx: ProjectContext) => Promise<{ ingested: Record<string, number>; rejected: unknown[] }>;
  /** What the history records as having run the cycles, before the reason: "watch" (default), "VS Code (ana)". */
  by?: string;
  /** How often to look, in ms. Default 2000. */
  pollMs?: number;
  onEvent?: (e: WatchEvent) => void;
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
      const { lastFull, newLabels } = await loopCounters(ctx.store);
      const due = dueCycle({ now: ctx.clock.now(), since, schedule: ctx.config.schedule, lastFull, newLabels });
      if (due) {
        emit({ type: 'cycle-started', kind: due.kind, reason: due.reason, message: `starting a ${due.kind} cycle: ${due.reason}` });
        const result = await runCycle({ ctx, trigger: due.trigger, by: `${opts.by ?? 'watch'} (${due.reason})`, incremental: due.kind === 'incremental', force: true, signal });
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

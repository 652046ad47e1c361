/**
 * Health: is the loop working? Data arriving, the champion's age, the last retraining cycle,
 * the store's size (and the room left on its disk), and the open alerts — each a check with a
 * status and a sentence, and the worst status overall. Cheap (no statistics): the extension's
 * status bar and `mlloop health` call it often; the monitor's alert rules about the same facts
 * (no_data, champion_age, cycles) use the same verdicts, so they never disagree.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ProjectContext } from '../context/projectContext';
import { CHAMPION } from '../registry/registry';
import type { CycleRecord, ModelRecord, StoredAlert } from '../store/types';
import { parseDuration } from '../util/schedule';
import { openAlerts } from './alerts';

export type HealthStatus = 'ok' | 'warning' | 'critical';

export interface HealthCheck {
  name: 'data_arriving' | 'champion_age' | 'last_cycle' | 'store_size' | 'active_alerts';
  status: HealthStatus;
  detail: string;
}

export interface HealthReport {
  status: HealthStatus;
  checks: HealthCheck[];
}

/** Facts about the loop that health and the alert rules both judge. */
export interface LoopFacts {
  now: Date;
  /** The newest logged prediction's time (null: none logged, or none kept). */
  lastPrediction: string | null;
  predictions: number;
  examples: number;
  lastImport: string | null;
  champion: { model: ModelRecord; since: string } | null;
  /** The newest model (what serves while nothing has been promoted). */
  newest: ModelRecord | null;
  /** Newest first. */
  cycles: CycleRecord[];
  open: StoredAlert[];
  store: { engine: 'sqlite' | 'postgres'; bytes: number | null; freeBytes: number | null; location: string };
}

/** Reads the facts (a handful of small queries). */
export async function loopFacts(ctx: ProjectContext): Promise<LoopFacts> {
  const { store } = ctx;
  let lastPrediction: string | null = null;
  for await (const batch of store.streamPredictions({ last: 1 })) for (const p of batch) lastPrediction = p.time;
  const alias = await store.getAlias(CHAMPION);
  const model = alias ? await store.getModel(alias.version) : undefined;
  const stats = await store.exampleStats();
  let bytes: number | null = null;
  let freeBytes: number | null = null;
  if (store.engine === 'sqlite') {
    const file = ctx.paths.storeFile;
    try {
      bytes = fs.statSync(file).size;
      const fsStats = fs.statfsSync(path.dirname(file));
      freeBytes = fsStats.bavail * fsStats.bsize;
    } catch {
      // a store outside the project folder (sqlite: URL) or a platform without statfs: sizes unknown
    }
  }
  return {
    now: ctx.clock.now(),
    lastPrediction,
    predictions: await store.countPredictions(),
    examples: stats.count,
    lastImport: stats.lastImportedAt,
    champion: model && alias ? { model, since: alias.since } : null,
    newest: (await store.listModels())[0] ?? null,
    cycles: await store.listCycles({ limit: 10 }),
    open: await openAlerts(store),
    store: { engine: store.engine, bytes, freeBytes, location: store.location },
  };
}

function durationMs(text: string): number | null {
  return text === 'off' ? null : parseDuration(text);
}

/** "3 h", "2.5 d": an age for sentences. */
export function formatAge(ms: number): string {
  const h = ms / 3_600_000;
  if (h < 1) return `${Math.max(0, Math.round(ms / 60_000))} min`;
  if (h < 48) return `${Math.round(h * 10) / 10} h`;
  return `${Math.round((h / 24) * 10) / 10} d`;
}

/** Free space below which the store's disk is a warning (writes would soon fail). */
const LOW_DISK_BYTES = 1 << 30;

/** The checks, judged from the facts and monitoring.alerts of mlloop.yaml. */
export function judgeHealth(facts: LoopFacts, alerts: ProjectContext['config']['monitoring']['alerts']): HealthReport {
  const checks: HealthCheck[] = [];
  const now = facts.now.getTime();
  // Data arriving.
  const noDataMs = durationMs(alerts.noDataFor);
  if (facts.lastPrediction === null) {
    checks.push({ name: 'data_arriving', status: 'ok', detail: `No predictions logged yet (${facts.examples} examples in the store). Apps log them to .mlloop/inbox/*.jsonl.` });
  } else {
    const age = now - Date.parse(facts.lastPrediction);
    const stale = noDataMs !== null && age > noDataMs;
    checks.push({
      name: 'data_arriving',
      status: stale ? 'warning' : 'ok',
      detail: `The newest prediction was logged ${formatAge(age)} ago (${facts.lastPrediction}); ${facts.predictions} kept.${stale ? ` No data for longer than ${alerts.noDataFor} (monitoring.alerts.noDataFor): is the app logging?` : ''}`,
    });
  }
  // Champion age.
  const maxAge = durationMs(alerts.championMaxAge);
  if (!facts.champion) {
    checks.push(
      facts.newest
        ? { name: 'champion_age', status: 'ok', detail: `Nothing has been promoted yet: the newest model, ${facts.newest.version} (${facts.newest.createdAt}), serves. \`mlloop promote ${facts.newest.version}\` or \`mlloop retrain\` makes a champion.` }
        : { name: 'champion_age', status: 'warning', detail: 'There is no model yet: train one (`mlloop train`, or `mlloop retrain` for the first champion).' },
    );
  } else {
    const age = now - Date.parse(facts.champion.since);
    const old = maxAge !== null && age > maxAge;
    checks.push({
      name: 'champion_age',
      status: old ? 'warning' : 'ok',
      detail: `${facts.champion.model.version} has been the champion for ${formatAge(age)} (since ${facts.champion.since}).${old ? ` That is longer than ${alerts.championMaxAge} (monitoring.alerts.championMaxAge): retraining is not running or not passing the gate.` : ''}`,
    });
  }
  // Last cycle.
  checks.push(cycleCheck(facts.cycles));
  // Store size.
  const sizes = `${facts.examples} examples, ${facts.predictions} logged predictions${facts.store.bytes !== null ? `, ${(facts.store.bytes / 1e6).toFixed(1)} MB` : ''}`;
  if (facts.store.freeBytes !== null && facts.store.freeBytes < LOW_DISK_BYTES) {
    checks.push({ name: 'store_size', status: 'warning', detail: `${sizes}; only ${(facts.store.freeBytes / 1e6).toFixed(0)} MB free on the store's disk: free space or lower monitoring.retention.predictions.` });
  } else checks.push({ name: 'store_size', status: 'ok', detail: `${sizes} (${facts.store.engine}).` });
  // Open alerts.
  const critical = facts.open.filter((a) => a.severity === 'critical').length;
  const warning = facts.open.filter((a) => a.severity === 'warning').length;
  const info = facts.open.length - critical - warning;
  const status: HealthStatus = critical ? 'critical' : warning ? 'warning' : 'ok';
  const newest = facts.open[0];
  checks.push({
    name: 'active_alerts',
    status,
    detail:
      facts.open.length === 0
        ? 'No open alerts.'
        : `${critical} critical, ${warning} warning, ${info} info open${newest ? `; most urgent: ${newest.title} (alert ${newest.id})` : ''}. \`mlloop alerts\` lists them.`,
  });
  const rank = { ok: 0, warning: 1, critical: 2 } as const;
  const worst = checks.reduce<HealthStatus>((w, c) => (rank[c.status] > rank[w] ? c.status : w), 'ok');
  return { status: worst, checks };
}

/** The last cycle: failed is a warning, three failures in a row critical; skipped, rejected and promoted are fine. */
export function cycleCheck(cycles: CycleRecord[]): HealthCheck {
  const finished = cycles.filter((c) => c.status !== 'running');
  const last = finished[0];
  if (!last) return { name: 'last_cycle', status: 'ok', detail: 'No retraining cycle has run yet.' };
  const failures = consecutiveFailures(finished);
  if (failures >= 3) return { name: 'last_cycle', status: 'critical', detail: `The last ${failures} cycles failed (latest: cycle ${last.id}, ${last.finishedAt ?? last.startedAt}: ${last.error ?? last.status}). The champion keeps serving; fix what fails.` };
  if (failures > 0) return { name: 'last_cycle', status: 'warning', detail: `Cycle ${last.id} ${last.status} at ${last.finishedAt ?? last.startedAt}: ${last.error ?? last.reasons[0] ?? ''}` };
  return { name: 'last_cycle', status: 'ok', detail: `Cycle ${last.id} (${last.trigger}) ${last.decision ?? last.status} at ${last.finishedAt ?? last.startedAt}${last.reasons[0] ? `: ${last.reasons[0]}` : ''}` };
}

/** Failed, interrupted or cancelled cycles since the last one that completed. */
export function consecutiveFailures(finishedNewestFirst: CycleRecord[]): number {
  let n = 0;
  for (const c of finishedNewestFirst) {
    if (c.status === 'completed') break;
    if (c.status === 'failed' || c.status === 'interrupted') n++;
  }
  return n;
}

/** `mlloop health`: the facts, judged. */
export async function projectHealth(ctx: ProjectContext): Promise<HealthReport> {
  return judgeHealth(await loopFacts(ctx), ctx.config.monitoring.alerts);
}

/**
 * What the views say about the loop: the champion and since when, what each version is in the
 * registry (champion, archived former champion, rejected, never gated), the history's events
 * in words, each cycle's outcome, and the schedule's next cycle. Pure (no 'vscode', no I/O):
 * the Models and Runs trees, the dashboard, the status bar and the commands all derive the
 * same words from the same facts — and the facts themselves (which model is the champion,
 * what the rollback goes back to, when the next cycle is due) come from core's registry and
 * schedule functions, never from a rule of the extension's own.
 */
import { nextFullCycleAt } from '../../core/loop/schedule';
import type { ProjectConfig } from '../../core/project/types';
import { previousChampion } from '../../core/registry/registry';
import type { CycleRecord, RegistryAction, RegistryEvent } from '../../core/store/types';
import type { RegistrySummary } from '../../worker/storeProtocol';

/** An action of the history as the views write it. */
export const ACTION_LABELS: Record<RegistryAction, string> = {
  promoted: 'promoted',
  forced: 'forced',
  rolled_back: 'rolled back',
  rejected: 'rejected',
  imported: 'imported',
  archived: 'archived',
};

/** Actions that make a version the champion. */
const CHAMPION_ACTIONS: ReadonlySet<RegistryAction> = new Set(['promoted', 'forced', 'rolled_back']);

/** The champion with the event that made it champion (when the history has it). */
export interface ChampionInfo {
  version: string;
  /** When the alias moved to it (ISO). */
  since: string;
  /** The event that made it champion; null for an alias set without one (not done by ML Loop). */
  event: RegistryEvent | null;
}

/** The champion of `registry`, or null when nothing was ever promoted. */
export function championInfo(registry: RegistrySummary): ChampionInfo | null {
  const c = registry.champion;
  if (!c) return null;
  let event: RegistryEvent | null = null;
  for (const e of registry.history) if (e.version === c.version && CHAMPION_ACTIONS.has(e.action)) event = e;
  return { version: c.version, since: event?.at ?? c.since, event };
}

/**
 * Where a rollback goes: the champion before the current one (core's previousChampion over
 * the history). Undefined when there is no champion or nothing before it.
 */
export function rollbackTarget(registry: RegistrySummary): string | undefined {
  return registry.champion ? previousChampion(registry.history, registry.champion.version) : undefined;
}

/**
 * What a version is in the registry:
 * - 'champion': the alias names it;
 * - 'newest': nothing was ever promoted and it is the newest, so it serves (currentModel);
 * - 'former': it was champion once and is archived now (a rollback can bring it back);
 * - 'rejected': its last gate decision said no;
 * - 'candidate': never promoted nor rejected (trained by hand, imported).
 */
export type VersionRole = 'champion' | 'newest' | 'former' | 'rejected' | 'candidate';

export interface VersionStatus {
  role: VersionRole;
  /** The newest history event of this version. */
  lastEvent: RegistryEvent | null;
  /** For 'former': when it stopped being the champion (ISO). */
  until: string | null;
}

/** Each version's status, from the registry. `current` is the version that serves (ProjectSnapshot.current). */
export function versionStatus(version: string, registry: RegistrySummary, current: string | undefined): VersionStatus {
  let lastEvent: RegistryEvent | null = null;
  let wasChampion = false;
  let until: string | null = null;
  for (const e of registry.history) {
    if (e.version === version) {
      lastEvent = e;
      if (CHAMPION_ACTIONS.has(e.action)) {
        wasChampion = true;
        until = null;
      }
    } else if (CHAMPION_ACTIONS.has(e.action) && e.previous === version) until = e.at;
  }
  if (registry.champion?.version === version) return { role: 'champion', lastEvent, until: null };
  if (!registry.champion && current === version) return { role: 'newest', lastEvent, until: null };
  if (wasChampion) return { role: 'former', lastEvent, until };
  if (lastEvent?.action === 'rejected') return { role: 'rejected', lastEvent, until: null };
  return { role: 'candidate', lastEvent, until: null };
}

/** The history newest first (the views list the latest on top). */
export function historyNewestFirst(registry: RegistrySummary): RegistryEvent[] {
  return [...registry.history].reverse();
}

/** "v5 promoted", "v3 rolled back (from v5)". */
export function eventTitle(e: RegistryEvent): string {
  const from = e.action === 'rolled_back' && e.previous ? ` (from ${e.previous})` : e.action === 'forced' && e.previous ? ` (over ${e.previous})` : '';
  return `${e.version} ${ACTION_LABELS[e.action]}${from}`;
}

/** A cycle's outcome in one word: its decision when it completed, else its status (running, failed, cancelled, interrupted). */
export function cycleOutcome(c: CycleRecord): 'promoted' | 'rejected' | 'skipped' | 'running' | 'failed' | 'cancelled' | 'interrupted' {
  if (c.status === 'completed' && c.decision) return c.decision;
  if (c.status === 'completed') return 'skipped';
  return c.status;
}

/** "promoted v5", "rejected v6 (v5 stays)", "skipped", "failed". */
export function cycleOutcomeText(c: CycleRecord): string {
  const outcome = cycleOutcome(c);
  if (outcome === 'promoted') return `promoted ${c.challenger ?? ''}`.trim();
  if (outcome === 'rejected') return `rejected ${c.challenger ?? ''}${c.champion ? ` (${c.champion} stays)` : ''}`.replace(/\s+/g, ' ').trim();
  return outcome;
}

/** A cycle's trigger in words: "command", "schedule", "new labels", "VS Code". */
export function triggerLabel(trigger: string): string {
  return trigger === 'labels' ? 'new labels' : trigger === 'extension' ? 'VS Code' : trigger;
}

/** The loop's schedule as the dashboard states it. */
export interface ScheduleView {
  /** schedule.cron as written ('off' when full retrains are off). */
  cron: string;
  timezone: string;
  /** The next full retrain (ISO), or null when the cron is off. */
  nextAt: string | null;
  /** The next full retrain's time has passed: the watcher starts it at its next look. */
  due: boolean;
  /** schedule.incremental.every (0: no fine-tunes on label counts). */
  every: number;
  /** Labels imported since the last cycle that ran. */
  labelsSince: number;
}

/**
 * When the next full retrain comes and how far the label count is: the same rule the watcher
 * decides by (core's nextFullCycleAt over the last full cycle, else from `since`).
 * @param since when this window's watcher began (now when it does not run here).
 */
export function scheduleView(config: ProjectConfig, loop: { lastFull: CycleRecord | undefined; newLabels: number }, since: Date, now: Date): ScheduleView {
  const s = config.schedule;
  const next = nextFullCycleAt(s, loop.lastFull, since);
  return {
    cron: s.cron,
    timezone: s.timezone,
    nextAt: next ? next.toISOString() : null,
    due: next !== null && next.getTime() <= now.getTime(),
    every: s.incremental.every,
    labelsSince: loop.newLabels,
  };
}

/** Whether this window runs the project's schedule (the LoopWatcher's state), and why not. */
export interface WatcherStatus {
  running: boolean;
  /** The project it watches, while running. */
  root?: string;
  /** When it started (ms since epoch), while running: cron times before it do not fire. */
  startedAt?: number;
  /** "Runs in this window", "Off in this window: the setting mlloop.loop.enabled is off", … */
  text: string;
}

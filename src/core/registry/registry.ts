/**
 * The model registry: every trained model is a version with its card; one alias, the
 * champion, names what the app should load; and every change of the champion (promoted,
 * forced, rolled back) and every rejection is an event with when, by what and why — so
 * anyone can tell which model served on any date (as MLflow's registry with its aliases).
 *
 * "The model" everywhere (predict, evaluate, the dashboard, the status bar, the server) is
 * {@link currentModel}: the champion; before anything was ever promoted, the newest model
 * (the only meaning a project from before the registry had). Versions are never deleted:
 * a version that stops being the champion stays in the registry, archived by fact.
 */
import type { ModelRecord, RegistryAction, RegistryEvent, Store, StoreOps } from '../store/types';
import { UserError } from '../util/errors';

export const CHAMPION = 'champion';

export interface CurrentModel {
  model: ModelRecord;
  /** 'champion' when an alias names it; 'newest' before any promotion. */
  why: 'champion' | 'newest';
}

/**
 * The model that serves: the champion, else (nothing ever promoted) the newest.
 * @returns undefined when there is no model at all.
 */
export async function currentModel(store: StoreOps): Promise<CurrentModel | undefined> {
  const alias = await store.getAlias(CHAMPION);
  if (alias) {
    const model = await store.getModel(alias.version);
    if (model) return { model, why: 'champion' };
  }
  const [newest] = await store.listModels();
  return newest ? { model: newest, why: 'newest' } : undefined;
}

/**
 * The model a command means: `version` when given, else {@link currentModel}.
 * @throws UserError when there is no such model (listing the known ones), or none at all.
 */
export async function resolveModel(store: StoreOps, version?: string): Promise<ModelRecord> {
  if (version) {
    const m = await store.getModel(version);
    if (!m) {
      const known = (await store.listModels()).map((x) => x.version);
      throw new UserError(`There is no model ${version}.${known.length ? ` Known models: ${known.join(', ')}.` : ' Train one with `mlloop train`.'}`);
    }
    return m;
  }
  const current = await currentModel(store);
  if (!current) throw new UserError('There is no trained model yet. Train one with `mlloop train` (or run a cycle with `mlloop retrain`).');
  return current.model;
}

export interface ChampionChange {
  /** What is recorded: promoted (passed the gate, or the first model), forced, rolled_back. */
  action: Extract<RegistryAction, 'promoted' | 'forced' | 'rolled_back'>;
  /** What did it: 'command', 'extension', 'schedule', 'labels', 'experiment' …, and who when known ("command (ana)"). */
  by: string;
  reasons: string[];
  gate?: Record<string, unknown> | null;
  cycle?: number | null;
  /** Time of the event (ISO); the store's clock when omitted. */
  at: string;
}

/**
 * Makes `version` the champion and records the event, in the caller's unit of work (so a
 * cycle's model, its decision and the alias commit together).
 * @returns the event recorded, or undefined when `version` already is the champion.
 * @throws UserError when the version does not exist.
 */
export async function setChampion(tx: StoreOps, version: string, change: ChampionChange): Promise<RegistryEvent | undefined> {
  const model = await tx.getModel(version);
  if (!model) throw new UserError(`There is no model ${version}.`);
  const previous = (await tx.getAlias(CHAMPION))?.version ?? null;
  if (previous === version) return undefined;
  await tx.setAlias(CHAMPION, version);
  const event: Omit<RegistryEvent, 'id'> = {
    version,
    action: change.action,
    at: change.at,
    by: change.by,
    reasons: change.reasons,
    gate: change.gate ?? null,
    previous,
    cycle: change.cycle ?? null,
  };
  const id = await tx.addRegistryEvent(event);
  return { id, ...event };
}

/** Records an event that does not change the champion: a version imported from a bundle folder. */
export async function recordImport(tx: StoreOps, version: string, r: { by: string; reasons: string[]; at: string }): Promise<RegistryEvent> {
  const previous = (await tx.getAlias(CHAMPION))?.version ?? null;
  const event: Omit<RegistryEvent, 'id'> = { version, action: 'imported', at: r.at, by: r.by, reasons: r.reasons, gate: null, previous, cycle: null };
  const id = await tx.addRegistryEvent(event);
  return { id, ...event };
}

/** Records that `version` was not promoted (the gate said no), with the gate's numbers. */
export async function recordRejection(tx: StoreOps, version: string, r: { by: string; reasons: string[]; gate: Record<string, unknown> | null; cycle?: number | null; at: string }): Promise<RegistryEvent> {
  const previous = (await tx.getAlias(CHAMPION))?.version ?? null;
  const event: Omit<RegistryEvent, 'id'> = { version, action: 'rejected', at: r.at, by: r.by, reasons: r.reasons, gate: r.gate, previous, cycle: r.cycle ?? null };
  const id = await tx.addRegistryEvent(event);
  return { id, ...event };
}

/**
 * The version a rollback goes back to: the champion before the current one became champion
 * (following rollbacks too, so rolling back twice goes two steps back, as `git revert` of
 * each change would not — the usual expectation of "previous").
 * @returns undefined when there is nothing before the current champion.
 */
export function previousChampion(events: RegistryEvent[], current: string | null): string | undefined {
  // Replay the champion changes as a stack: a promotion pushes; a rollback to X pops back to X.
  const stack: string[] = [];
  for (const e of events) {
    if (e.action === 'promoted' || e.action === 'forced') {
      if (stack[stack.length - 1] !== e.version) stack.push(e.version);
    } else if (e.action === 'rolled_back') {
      const at = stack.lastIndexOf(e.version);
      if (at >= 0) stack.length = at + 1;
      else stack.push(e.version);
    }
  }
  if (current === null || stack[stack.length - 1] !== current) return undefined;
  return stack.length >= 2 ? stack[stack.length - 2] : undefined;
}

/**
 * Puts back the previous champion (or `to`), recorded as rolled_back.
 * @throws UserError when there is no champion, nothing to go back to, or `to` does not exist.
 */
export async function rollback(store: Store, opts: { to?: string; by: string; at: string; reason?: string }): Promise<RegistryEvent> {
  return store.unitOfWork(async (tx) => {
    const current = (await tx.getAlias(CHAMPION))?.version ?? null;
    if (current === null) throw new UserError('There is no champion to roll back: nothing has been promoted yet.');
    const target = opts.to ?? previousChampion(await tx.listRegistryEvents(), current);
    if (!target) throw new UserError(`${current} is the only champion there has been; there is nothing to roll back to. Name a version with --to V.`);
    if (target === current) throw new UserError(`${target} already is the champion.`);
    const event = await setChampion(tx, target, {
      action: 'rolled_back',
      by: opts.by,
      reasons: [opts.reason ?? `rolled back from ${current} to ${target}`],
      at: opts.at,
    });
    return event!;
  });
}

/** What `mlloop models --json` prints: every version (newest first), the champion, the history (oldest first). */
export async function registryReport(store: StoreOps): Promise<{ models: ModelRecord[]; champion: string | null; history: RegistryEvent[] }> {
  return {
    models: await store.listModels(),
    champion: (await store.getAlias(CHAMPION))?.version ?? null,
    history: await store.listRegistryEvents(),
  };
}

/**
 * Which version was the champion at an instant (for "which model served on any date").
 * @returns null when none was at that time.
 */
export function championAt(events: RegistryEvent[], at: string): string | null {
  const t = Date.parse(at);
  let champion: string | null = null;
  for (const e of events) {
    if (Date.parse(e.at) > t) break;
    if (e.action === 'promoted' || e.action === 'forced' || e.action === 'rolled_back') champion = e.version;
  }
  return champion;
}

/**
 * Promoting a version by hand (`mlloop promote V [--force]`, the extension's Promote): the
 * gate decides exactly as in a cycle (V against the champion on the rows neither trained on);
 * `force` skips the gate and is recorded as forced, with the gate's numbers when it could
 * run, so the history shows what was overridden.
 */
import type { ProjectContext } from '../context/projectContext';
import type { GateDecision } from '../registry/gate';
import { CHAMPION, recordRejection, setChampion } from '../registry/registry';
import type { RegistryEvent } from '../store/types';
import { UserError } from '../util/errors';
import { gateChallenger } from './cycle';

export interface PromoteResult {
  version: string;
  decision: 'promoted' | 'forced' | 'rejected' | 'unchanged';
  champion: string | null;
  previous: string | null;
  reasons: string[];
  gate: GateDecision | null;
  event: RegistryEvent | null;
}

/**
 * @throws UserError when the version does not exist.
 */
export async function promoteVersion(ctx: ProjectContext, version: string, opts: { force?: boolean; by: string; signal?: AbortSignal }): Promise<PromoteResult> {
  const { store, clock } = ctx;
  const model = await store.getModel(version);
  if (!model) {
    const known = (await store.listModels()).map((m) => m.version);
    throw new UserError(`There is no model ${version}.${known.length ? ` Known models: ${known.join(', ')}.` : ''}`);
  }
  const previous = (await store.getAlias(CHAMPION))?.version ?? null;
  if (previous === version) return { version, decision: 'unchanged', champion: version, previous, reasons: [`${version} already is the champion.`], gate: null, event: null };
  const champion = previous ? await store.getModel(previous) : undefined;
  let gate: GateDecision | null = null;
  let gateError: string | null = null;
  try {
    gate = (await gateChallenger(ctx, { modelVersion: version, runId: model.runId }, champion, opts.signal)).decision;
  } catch (e) {
    // With --force the gate's numbers are informative only: a model the gate cannot score
    // (another task, other classes) may still be forced.
    if (!opts.force) throw e;
    gateError = (e as Error).message;
  }
  const at = clock.now().toISOString();
  const gateNumbers = gate ? (JSON.parse(JSON.stringify(gate)) as Record<string, unknown>) : null;
  if (opts.force) {
    const reasons = [`forced by ${opts.by}${gate && !gate.promote ? `, overriding the gate: ${gate.reasons[0] ?? ''}` : gate ? ' (the gate would have promoted it too)' : gateError ? ` (the gate could not run: ${gateError})` : ''}`];
    const event = await store.unitOfWork((tx) => setChampion(tx, version, { action: 'forced', by: opts.by, reasons, gate: gateNumbers, at }));
    return { version, decision: 'forced', champion: version, previous, reasons, gate, event: event ?? null };
  }
  if (!gate!.promote) {
    const event = await store.unitOfWork((tx) => recordRejection(tx, version, { by: opts.by, reasons: gate!.reasons, gate: gateNumbers, at }));
    return { version, decision: 'rejected', champion: previous, previous, reasons: gate!.reasons, gate, event };
  }
  const event = await store.unitOfWork((tx) => setChampion(tx, version, { action: 'promoted', by: opts.by, reasons: gate!.reasons, gate: gateNumbers, at }));
  return { version, decision: 'promoted', champion: version, previous, reasons: gate!.reasons, gate, event: event ?? null };
}

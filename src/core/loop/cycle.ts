/**
 * One retraining cycle: the loop's heartbeat. Train a challenger on the data window, score
 * it and the champion on the same held-out rows, let the quality gate decide, and promote
 * or reject — recorded with every reason and number, with a deployment report.
 *
 *   start (refused while another cycle runs) → enough new labels? enough data in the window?
 *   → train the challenger (full, or fine-tuned from the champion) → held-out rows = the
 *   challenger's test rows that the champion did not train or validate on → gate → promote
 *   (champion alias + history) or reject (history) → report.
 *
 * A cycle that fails, diverges or is cancelled records that and changes nothing: the champion
 * keeps serving. The challenger it trained (if any) stays in the registry as a version.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ProjectContext } from '../context/projectContext';
import { evaluateGate, type GateDecision } from '../registry/gate';
import { sliceRows } from '../registry/gateSlices';
import { CHAMPION, currentModel, recordRejection, setChampion } from '../registry/registry';
import { ensureBundleOnDisk } from '../registry/versions';
import { loadBundle } from '../registry/bundle';
import { scoreRecords, predictRecords, type Prediction } from '../registry/predict';
import type { LoadedBundle } from '../registry/types';
import type { CycleRecord, ModelRecord, StoredExample } from '../store/types';
import { isCancelled, isUserError, UserError } from '../util/errors';
import { parseDuration } from '../util/schedule';
import { planSplit, recordsAtPositions, selectionFilter } from '../jobs/dataset';
import { modelSelection } from '../jobs/evaluate';
import { runConfigOf } from '../jobs/runRecord';
import { trainProject, type BackendPreference, type TrainEvent, type TrainResult } from '../jobs/train';
import { renderDeploymentReport, type DeploymentReportInput } from '../report/deployment';
import { writeFileAtomic } from '../store/fileio';
import { MLLOOP_VERSION } from '../version';

export type CycleTrigger = 'command' | 'schedule' | 'labels' | 'extension' | 'watch' | 'alert';

export interface CycleOptions {
  ctx: ProjectContext;
  trigger: CycleTrigger;
  /** Who or what started it, for the history ("command", "schedule 0 2 * * 0", "extension (ana)"). Default: the trigger. */
  by?: string;
  /** Run even when too few new labels arrived. */
  force?: boolean;
  /** Fine-tune the champion (its weights and pipeline) instead of training from scratch. */
  incremental?: boolean;
  backend?: BackendPreference;
  signal?: AbortSignal;
  onEvent?: (e: TrainEvent | { type: 'cycle'; message: string }) => void;
}

/** What `mlloop retrain --json` prints. */
export interface CycleResult {
  cycle: number;
  trigger: string;
  decision: 'promoted' | 'rejected' | 'skipped';
  /** The champion after the cycle (null: there is none). */
  champion: string | null;
  challenger: string | null;
  reasons: string[];
  gate: GateDecision | null;
  report: string | null;
}

/** How often a running cycle says it is alive, in ms. */
const CYCLE_HEARTBEAT_MS = 15_000;

/**
 * Runs one cycle now.
 * @throws UserError when another cycle is running (naming it), or training fails with a
 *   user error (too little data, a bad config); CancelledError when cancelled. In every
 *   failure the champion is unchanged and the cycle is recorded as failed or cancelled.
 */
export async function runCycle(opts: CycleOptions): Promise<CycleResult> {
  const { ctx } = opts;
  const { store, config, clock } = ctx;
  const say = (message: string) => {
    ctx.log.info(message);
    opts.onEvent?.({ type: 'cycle', message });
  };
  const by = opts.by ?? opts.trigger;
  const previousCycles = await store.listCycles({ limit: 20 });
  const id = await store.startCycle(opts.trigger);
  const beat = setInterval(() => void store.cycleHeartbeat(id).catch(() => undefined), CYCLE_HEARTBEAT_MS);
  beat.unref?.();
  try {
    const now = clock.now();
    const alias = await store.getAlias(CHAMPION);
    const champion = alias ? await store.getModel(alias.version) : undefined;

    // Enough new labels since the last cycle that ran?
    const last = previousCycles.find((c) => c.status === 'completed' && c.decision !== 'skipped');
    const since = last?.startedAt;
    const newLabels = await store.countExamples(since ? { importedAfter: since } : {});
    const needed = config.schedule.minNewLabels;
    if (champion && !opts.force && newLabels < needed) {
      return await finish(ctx, id, 'skipped', champion.version, null, [
        `${newLabels} new label${newLabels === 1 ? '' : 's'} since ${since ? `cycle ${last!.id} (${since})` : 'the start'}; a cycle needs ${needed} (schedule.minNewLabels). Nothing was trained; --force runs anyway.`,
      ]);
    }

    // Enough data in the window?
    const windowMs = parseDuration(config.schedule.window);
    const from = new Date(now.getTime() - windowMs).toISOString();
    const inWindow = await store.countExamples({ from });
    if (inWindow < config.schedule.minExamples) {
      return await finish(ctx, id, 'skipped', champion?.version ?? null, null, [
        `${inWindow} example${inWindow === 1 ? '' : 's'} with an event time in the last ${config.schedule.window} (since ${from}); a cycle trains on at least ${config.schedule.minExamples} (schedule.minExamples).`,
      ]);
    }

    say(`cycle ${id}: training a challenger on the ${inWindow} examples of the last ${config.schedule.window}${opts.incremental && champion ? `, fine-tuned from ${champion.version}` : ''}`);
    const trained = await trainProject({
      ctx,
      filter: { from },
      ...(opts.backend ? { backend: opts.backend } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.incremental && champion ? { fineTune: { from: champion } } : {}),
      onEvent: (e) => opts.onEvent?.(e),
    });
    await store.updateCycle(id, { runId: trained.runId, challenger: trained.modelVersion });

    const gated = await gateChallenger(ctx, trained, champion, opts.signal);
    const at = clock.now().toISOString();
    const decision: 'promoted' | 'rejected' = gated.decision.promote ? 'promoted' : 'rejected';
    const reasons = gated.decision.reasons;
    await store.unitOfWork(async (tx) => {
      if (decision === 'promoted') {
        await setChampion(tx, trained.modelVersion, { action: 'promoted', by, reasons, gate: gateRecord(gated.decision), cycle: id, at });
      } else {
        await recordRejection(tx, trained.modelVersion, { by, reasons, gate: gateRecord(gated.decision), cycle: id, at });
      }
    });
    say(`cycle ${id}: ${trained.modelVersion} ${decision}${champion ? ` (champion was ${champion.version})` : ''}: ${reasons[0] ?? ''}`);
    const report = writeDeploymentReport(ctx, {
      cycle: id,
      trigger: opts.trigger,
      by,
      decision,
      gate: gated.decision,
      champion: gated.championCard,
      challenger: gated.challengerCard,
      window: { from, to: now.toISOString(), examples: inWindow, newLabels },
      flips: gated.flips,
      heldOut: gated.heldOut,
      at,
    });
    return await finish(ctx, id, decision, decision === 'promoted' ? trained.modelVersion : (champion?.version ?? null), trained.modelVersion, reasons, gated.decision, report);
  } catch (e) {
    const cancelled = isCancelled(e);
    await store
      .updateCycle(id, {
        status: cancelled ? 'cancelled' : 'failed',
        finishedAt: clock.now().toISOString(),
        error: cancelled ? 'cancelled' : (e as Error).message ?? String(e),
        reasons: [cancelled ? 'The cycle was cancelled; the champion is unchanged.' : `The cycle failed; the champion is unchanged: ${isUserError(e) ? e.message : (e as Error).message}`],
      })
      .catch(() => undefined);
    throw e;
  } finally {
    clearInterval(beat);
  }
}

async function finish(
  ctx: ProjectContext,
  id: number,
  decision: CycleResult['decision'],
  champion: string | null,
  challenger: string | null,
  reasons: string[],
  gate: GateDecision | null = null,
  report: string | null = null,
): Promise<CycleResult> {
  const cycle = (await ctx.store.getCycle(id)) as CycleRecord;
  await ctx.store.updateCycle(id, {
    status: 'completed',
    decision,
    finishedAt: ctx.clock.now().toISOString(),
    champion,
    challenger,
    reasons,
    gate: gate ? gateRecord(gate) : null,
    report,
  });
  return { cycle: id, trigger: cycle.trigger, decision, champion, challenger, reasons, gate, report };
}

/** The gate's numbers as stored in the history (JSON). */
function gateRecord(g: GateDecision): Record<string, unknown> {
  return JSON.parse(JSON.stringify(g)) as Record<string, unknown>;
}

interface GatedChallenger {
  decision: GateDecision;
  championCard: DeploymentReportInput['champion'];
  challengerCard: DeploymentReportInput['challenger'];
  heldOut: { n: number; description: string };
  flips: DeploymentReportInput['flips'];
}

/**
 * Scores the challenger and the champion on the same held-out rows — the challenger's test
 * rows that the champion neither trained nor validated on — and runs the gate.
 */
export async function gateChallenger(ctx: ProjectContext, trained: Pick<TrainResult, 'modelVersion' | 'runId'>, champion: ModelRecord | undefined, signal?: AbortSignal): Promise<GatedChallenger> {
  const { store, paths, config } = ctx;
  const challengerRecord = await store.getModel(trained.modelVersion);
  if (!challengerRecord) throw new Error(`model ${trained.modelVersion} is not in the store`);
  const challenger = await loadBundle(await ensureBundleOnDisk(store, paths, challengerRecord));
  const challengerRun = await store.getRun(challengerRecord.runId);
  const challengerConfig = runConfigOf(challengerRun, config);
  const plan = await planSplit(store, challengerConfig, selectionFilter(modelSelection(challenger)), signal);
  let positions = plan.split.test;
  let championBundle: LoadedBundle | null = null;
  let description = `the ${positions.length} test rows of ${challengerRecord.version}`;
  if (champion) {
    championBundle = await loadBundle(await ensureBundleOnDisk(store, paths, champion));
    const championRun = await store.getRun(champion.runId);
    const championPlan = await planSplit(store, runConfigOf(championRun, config), selectionFilter(modelSelection(championBundle)), signal);
    const seen = new Set<number>();
    for (const p of championPlan.split.train) seen.add(championPlan.ids[p]);
    for (const p of championPlan.split.validation) seen.add(championPlan.ids[p]);
    positions = Int32Array.from(Array.from(positions).filter((p) => !seen.has(plan.ids[p])));
    description = `the ${positions.length} test rows of ${challengerRecord.version} that ${champion.version} neither trained nor validated on`;
  }
  const rows = await recordsAtPositions(store, plan, positions, signal);
  const records = rows.map((r) => r.record);
  const y = Float32Array.from(positions, (p) => plan.y[p]);
  const classes = plan.labels.classes;
  const challengerScores = scoreRecords(challenger, records).scores;
  let championScores: Float32Array | null = null;
  if (championBundle) {
    if (championBundle.card.task !== challenger.card.task || (classes.length && championBundle.labels.classes.join('\u0000') !== classes.join('\u0000'))) {
      throw new UserError(
        `The champion ${champion!.version} (${championBundle.card.task}, classes ${championBundle.labels.classes.join(', ') || '—'}) and the challenger ${challengerRecord.version} (${challenger.card.task}, classes ${classes.join(', ') || '—'}) do not predict the same things, so the gate cannot compare them. Promote one by hand with \`mlloop promote ${challengerRecord.version} --force\` if that is intended.`,
      );
    }
    championScores = scoreRecords(championBundle, records).scores;
  }
  const slices = sliceRows(config.gate.slices, records);
  const decision = evaluateGate({
    task: challenger.card.task,
    classes,
    y,
    champion: championScores,
    challenger: challengerScores,
    ...(slices.length ? { slices } : {}),
    config: config.gate,
    seed: config.training.seed,
    eceBins: config.calibration.bins,
  });
  const flips: DeploymentReportInput['flips'] = [];
  if (championBundle) {
    const a = predictRecords(championBundle, records);
    const b = predictRecords(challenger, records);
    for (let i = 0; i < rows.length && flips.length < 200; i++) {
      const pa = a[i];
      const pb = b[i];
      if ('label' in pa && 'label' in pb && pa.label !== pb.label) flips.push(flipRow(rows[i], pa, pb));
      else if ('value' in pa && 'value' in pb && Math.abs(pa.value - pb.value) > 1e-9 * Math.max(1, Math.abs(pa.value))) flips.push(flipRow(rows[i], pa, pb));
    }
  }
  return {
    decision,
    championCard: championBundle ? { version: champion!.version, card: championBundle.card } : null,
    challengerCard: { version: challengerRecord.version, card: challenger.card },
    heldOut: { n: positions.length, description },
    flips,
  };
}

function flipRow(row: StoredExample, a: Prediction, b: Prediction): DeploymentReportInput['flips'][number] {
  return { exampleId: row.id, label: row.label, champion: a, challenger: b, record: row.record };
}

/** Writes the cycle's deployment report beside the run reports. @returns its path. */
function writeDeploymentReport(ctx: ProjectContext, input: Omit<DeploymentReportInput, 'project' | 'mlloopVersion'>): string {
  const file = path.join(ctx.paths.reportsDir, `cycle-${input.cycle}.html`);
  fs.mkdirSync(ctx.paths.reportsDir, { recursive: true });
  writeFileAtomic(file, Buffer.from(renderDeploymentReport({ ...input, project: ctx.config.name, mlloopVersion: MLLOOP_VERSION }), 'utf8'));
  return file;
}

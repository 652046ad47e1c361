/**
 * The experiment of mlloop.yaml against the store: when it started and stopped, its arms and
 * their versions, and the analysis of its logged predictions and outcomes (./analysis.ts).
 * What `mlloop experiment --json` prints and what the dashboard shows.
 */
import type { ProjectContext } from '../context/projectContext';
import type { ExperimentArm, ExperimentConfig } from '../project/types';
import { CHAMPION } from '../registry/registry';
import type { ExperimentRecord, StoreOps } from '../store/types';
import { UserError } from '../util/errors';
import { analyzeExperiment, experimentData, type ExperimentAnalysis } from './analysis';

export interface ExperimentReport extends ExperimentAnalysis {
  experiment: string;
  /** not_started: neither `mlloop serve` nor `mlloop experiment start` has run it (and no start is written). */
  status: 'not_started' | 'running' | 'stopped';
  /** The window counted: predictions at or after `startedAt` and (stopped) before `stoppedAt`. */
  startedAt: string | null;
  stoppedAt: string | null;
  stoppedBy: string | null;
}

/** The experiment in mlloop.yaml. @throws UserError when there is none. */
export function configuredExperiment(ctx: Pick<ProjectContext, 'config'>): ExperimentConfig {
  const e = ctx.config.experiment;
  if (!e) {
    throw new UserError(
      'There is no experiment in mlloop.yaml. Add one, e.g.\n  experiment:\n    name: model-vs-rules\n    variants: {champion: 50, fallback: 50}\nthen run `mlloop serve` (or `mlloop experiment start` when your app assigns arms itself with the runtime).',
    );
  }
  return e;
}

/** When the experiment's window starts: `experiment.start` when written, else its record's start. */
export function experimentStart(config: ExperimentConfig, record: ExperimentRecord | undefined): string | null {
  return config.start ? new Date(config.start).toISOString() : (record?.startedAt ?? null);
}

/**
 * The analysis of the configured experiment on the store's predictions and outcomes.
 * Before it was started the window is open at the start (everything logged with its arms counts).
 * @throws UserError when mlloop.yaml has no experiment.
 */
export async function experimentReport(ctx: Pick<ProjectContext, 'config' | 'store'>): Promise<ExperimentReport> {
  const config = configuredExperiment(ctx);
  const record = await ctx.store.getExperiment(config.name);
  return reportFor(ctx.store, config, record);
}

async function reportFor(store: StoreOps, config: ExperimentConfig, record: ExperimentRecord | undefined): Promise<ExperimentReport> {
  const startedAt = experimentStart(config, record);
  const stoppedAt = record?.stoppedAt ?? null;
  const assignments = await store.listVariantAssignments({ ...(startedAt ? { from: startedAt } : {}), ...(stoppedAt ? { to: stoppedAt } : {}) });
  const champion = (await store.getAlias(CHAMPION))?.version ?? null;
  const serves: Partial<Record<ExperimentArm, string | null>> = { champion, challenger: config.challenger ?? null, fallback: null };
  const analysis = analyzeExperiment(experimentData(assignments, config), config, serves);
  return {
    experiment: config.name,
    status: stoppedAt ? 'stopped' : record || config.start ? 'running' : 'not_started',
    startedAt,
    stoppedAt,
    stoppedBy: record?.stoppedBy ?? null,
    ...analysis,
  };
}

/**
 * Records that the configured experiment runs from now (once; a second start changes nothing).
 * @returns the record (its startedAt is when it first started).
 */
export async function startExperiment(ctx: Pick<ProjectContext, 'config' | 'store' | 'clock'>, by: string): Promise<ExperimentRecord> {
  const config = configuredExperiment(ctx);
  const record = await ctx.store.getExperiment(config.name);
  if (record?.stoppedAt) {
    throw new UserError(`Experiment '${config.name}' was stopped at ${record.stoppedAt} (by ${record.stoppedBy}). Its assignment would be the same again: to run another, give it a new name in mlloop.yaml.`);
  }
  return ctx.store.startExperiment(config.name, ctx.clock.now().toISOString(), by);
}

/**
 * Stops the configured experiment: its final analysis is recorded and the window closes now
 * (`mlloop serve` then sends everyone to the champion within its poll interval).
 * @returns the report at the stop.
 * @throws UserError when there is no experiment, or it is already stopped.
 */
export async function stopExperiment(ctx: Pick<ProjectContext, 'config' | 'store' | 'clock'>, by: string): Promise<ExperimentReport> {
  const config = configuredExperiment(ctx);
  const at = ctx.clock.now().toISOString();
  return ctx.store.unitOfWork(async (tx) => {
    let record = await tx.getExperiment(config.name);
    if (record?.stoppedAt) throw new UserError(`Experiment '${config.name}' is already stopped (at ${record.stoppedAt}, by ${record.stoppedBy}).`);
    record ??= await tx.startExperiment(config.name, config.start ?? at, by);
    const stoppedRecord: ExperimentRecord = { ...record, stoppedAt: at, stoppedBy: by };
    const report = await reportFor(tx, config, stoppedRecord);
    await tx.stopExperiment(config.name, { at, by, result: JSON.parse(JSON.stringify(report)) as Record<string, unknown> });
    return report;
  });
}

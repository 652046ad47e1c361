/**
 * Writing a run's self-contained HTML report to .mlloop/reports/run-<id>.html from what the
 * store holds about the run (so it can be rewritten later, e.g. after `mlloop calibrate`).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { EpochLogs } from '../engine/fit';
import type { ProjectPaths } from '../project/workspace';
import type { ProjectConfig } from '../project/types';
import { renderRunReport } from '../report/html';
import type { Store } from '../store/types';
import { writeFileAtomic } from '../store/fileio';
import { MLLOOP_VERSION } from '../version';
import { runConfigOf, runDetailsOf } from './runRecord';

/** Path of a run's report. */
export function runReportPath(paths: ProjectPaths, runId: number): string {
  return path.join(paths.reportsDir, `run-${runId}.html`);
}

/**
 * Renders and writes the report of run `runId`.
 * @returns the file written.
 */
export async function writeRunReport(store: Store, paths: ProjectPaths, runId: number, projectName: string): Promise<string> {
  const run = await store.getRun(runId);
  if (!run) throw new Error(`run ${runId} not found`);
  const epochs = await store.listEpochs(runId);
  const details = runDetailsOf(run);
  const config = runConfigOf(run, fallbackConfig(run));
  const html = renderRunReport({
    project: projectName,
    runId,
    modelVersion: run.modelVersion,
    status: run.status,
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    backend: run.backend,
    task: config.task,
    classes: details?.evaluation?.classes ?? [],
    dataCounts: run.dataCounts,
    config,
    history: epochs.map((e) => ({ epoch: e.epoch, ...e.logs }) as EpochLogs),
    bestEpoch: run.bestEpoch,
    evaluation: details?.evaluation ?? null,
    calibration: details?.calibration ?? null,
    importance: details?.importance ?? null,
    selection: details?.selection ?? null,
    error: run.error,
    generatedAt: new Date().toISOString(),
    mlloopVersion: MLLOOP_VERSION,
  });
  fs.mkdirSync(paths.reportsDir, { recursive: true });
  const file = runReportPath(paths, runId);
  writeFileAtomic(file, Buffer.from(html, 'utf8'));
  return file;
}

/** For a run whose stored config is unreadable: enough to render what is known. */
function fallbackConfig(run: { config: unknown }): ProjectConfig {
  const c = (run.config ?? {}) as Partial<ProjectConfig>;
  return { task: c.task ?? 'multiclass', label: c.label ?? '', features: [], name: c.name ?? 'project' } as unknown as ProjectConfig;
}

/**
 * Writing a run's self-contained HTML report to .mlloop/reports/run-<id>.html from what the
 * store holds about the run (so it can be rewritten later, e.g. after `mlloop calibrate`).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { EpochLogs } from '../engine/fit';
import type { ProjectPaths } from '../project/workspace';
import type { ProjectConfig } from '../project/types';
import { renderRunReport, reportRunIdentity } from '../report/html';
import { escapeHtml } from '../report/svg';
import { maxRunIdInBundles } from '../registry/versions';
import { UserError } from '../util/errors';
import type { Store } from '../store/types';
import { writeFileAtomic } from '../store/fileio';
import { MLLOOP_VERSION } from '../version';
import { runConfigOf, runDetailsOf } from './runRecord';

/** Path of a run's report. */
export function runReportPath(paths: ProjectPaths, runId: number): string {
  return path.join(paths.reportsDir, `run-${runId}.html`);
}

/**
 * The highest run id the project's files name (0 when none): reports in .mlloop/reports
 * (including a temp file left by a killed writer) and the cards of bundles in .mlloop/models.
 * A new run's id is kept above it (NewRun.idAbove), so a store moved aside or reset never
 * reuses an id whose report or bundle is still on disk.
 */
export function highestRunIdOnDisk(paths: ProjectPaths): number {
  let max = maxRunIdInBundles(paths.modelsDir);
  let names: string[] = [];
  try {
    names = fs.readdirSync(paths.reportsDir);
  } catch {
    return max;
  }
  for (const name of names) {
    const m = /^run-(\d+)\.html(?:\.tmp-.*)?$/.exec(name);
    if (m && Number.isSafeInteger(Number(m[1]))) max = Math.max(max, Number(m[1]));
  }
  return max;
}

/**
 * Whether the report file `html` belongs to this run: its mlloop-run meta names the run, or
 * (a report written before the meta existed) it shows the run's exact start time.
 */
function isReportOf(html: string, runId: number, startedAt: string): boolean {
  const meta = /<meta name="mlloop-run" content="([^"]*)"/.exec(html);
  if (meta) return meta[1] === escapeHtml(reportRunIdentity(runId, startedAt));
  return html.includes(`<time datetime="${escapeHtml(startedAt)}">`);
}

/**
 * Renders and writes the report of run `runId`. A report is rewritten only over its own run's
 * report: a run-<id>.html of another run (one recorded in a store that was moved aside, whose
 * id a restored or swapped store has again) may be the only record left of that run, so it is
 * refused rather than replaced. Writing it under another name instead was not chosen: the
 * run panel and users look for run-<id>.html, which would then show the other run.
 * @returns the file written.
 * @throws UserError when run-<id>.html holds another run's report.
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
  let existing: string | null = null;
  try {
    existing = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (existing !== null && !isReportOf(existing, runId, run.startedAt)) {
    throw new UserError(
      `${file} holds the report of another run ${runId} (from an earlier store: it started at another time), so this run's report was not written: ` +
        `ML Loop never overwrites another run's report. Move that file aside (e.g. into a folder of old reports) to let ML Loop write run ${runId}'s report there next time.`,
      { file },
    );
  }
  writeFileAtomic(file, Buffer.from(html, 'utf8'));
  return file;
}

/** For a run whose stored config is unreadable: enough to render what is known. */
function fallbackConfig(run: { config: unknown }): ProjectConfig {
  const c = (run.config ?? {}) as Partial<ProjectConfig>;
  return { task: c.task ?? 'multiclass', label: c.label ?? '', features: [], name: c.name ?? 'project' } as unknown as ProjectConfig;
}

/**
 * What the sidebar, the status bar and the drift panel show, computed from the project
 * state, the running job and the alerts. Pure (no 'vscode' import, no I/O) so every view
 * derives the same numbers the same way.
 */
import type { CalibrationRecord } from '../../core/jobs/assess';
import type { EvaluationReport } from '../../core/evaluate/report';
import type { Alert } from '../../core/monitor/types';
import type { CycleRecord, ModelRecord, RunRecord } from '../../core/store/types';
import { ACTION_LABELS, championInfo, cycleOutcome, cycleOutcomeText, scheduleView, type WatcherStatus } from '../loop/loopView';
import type { RunningJob } from '../state/jobs';
import type { ProjectSnapshot } from '../state/projectState';
import type { CalibrationView, CycleView, DashboardState, HealthView, JobView, LoopView, MetricView, ModelView, RunSummaryView } from '../../../webview/dashboard/protocol';
import { formatMetric, metricDirection } from '../../../webview/shared/format';
import { plural } from '../../../webview/dashboard/format';

/** The metrics a glance shows, in this order, when the model has them. */
const HEADLINE_CLASSIFICATION = ['accuracy', 'f1_macro', 'roc_auc', 'log_loss'];
const HEADLINE_REGRESSION = ['r2', 'mae'];

/**
 * Top-label ECE at or above which health says "poorly calibrated". Why 0.1: stated
 * probabilities then differ from observed accuracy by 10 points on average, enough to
 * make "act only when confident" thresholds (use cases 1, 3 and 5 in DESIGN.md) misfire.
 */
export const ECE_WARNING_THRESHOLD = 0.1;

/** How many val_loss values the sparkline keeps (the latest). */
const SPARKLINE_POINTS = 300;

/** Headline metrics of a task (regression: r2, mae; classification: accuracy, f1_macro, roc_auc, log_loss). */
export function headlineMetricNames(task: string | undefined): string[] {
  return task === 'regression' ? HEADLINE_REGRESSION : HEADLINE_CLASSIFICATION;
}

/** The one metric a list row shows: accuracy for classification, r2 for regression; undefined when neither is there. */
export function primaryMetric(metrics: Record<string, number> | null | undefined): { name: string; value: number } | undefined {
  if (!metrics) return undefined;
  for (const name of ['accuracy', 'r2']) if (typeof metrics[name] === 'number') return { name, value: metrics[name] };
  return undefined;
}

/** "accuracy 0.9737" (metric key and value, as the CLI's lists print it), or undefined. */
export function primaryMetricText(metrics: Record<string, number> | null | undefined): string | undefined {
  const m = primaryMetric(metrics);
  return m ? `${m.name} ${formatMetric(m.value)}` : undefined;
}

/** The task a run or model was trained for, from the run's resolved config; undefined when unknown. */
export function runTask(run: RunRecord | undefined): string | undefined {
  const task = (run?.config as { task?: unknown } | null | undefined)?.task;
  return typeof task === 'string' ? task : undefined;
}

/** The run's evaluation report (stored in details by the assessment), when present. */
export function runEvaluation(run: RunRecord | undefined): EvaluationReport | undefined {
  const e = run?.details?.evaluation as EvaluationReport | undefined;
  return e && typeof e === 'object' && e.metrics ? e : undefined;
}

/** The run's calibration record, when present. */
export function runCalibration(run: RunRecord | undefined): CalibrationRecord | undefined {
  const c = run?.details?.calibration as CalibrationRecord | undefined;
  return c && typeof c === 'object' && typeof c.method === 'string' ? c : undefined;
}

/**
 * Calibration as the views show it: method and test-split ECE before → after. Null when the
 * run has no test-split calibration scores (regression, or the run's details are gone).
 */
export function calibrationView(run: RunRecord | undefined): CalibrationView | null {
  const c = runCalibration(run);
  if (!c?.test) return null;
  return { method: c.method, reason: c.reason, eceBefore: c.test.before.ece, eceAfter: c.test.after.ece };
}

/**
 * The headline metrics of a model with their bootstrap intervals. An interval is attached only
 * when the run's evaluation estimated the same value (after a recalibration the model's metrics
 * are newer than the run's intervals, and a stale interval would mislead).
 */
export function metricViews(metrics: Record<string, number>, task: string | undefined, run: RunRecord | undefined): MetricView[] {
  const evaluation = runEvaluation(run);
  const out: MetricView[] = [];
  for (const name of headlineMetricNames(task ?? (typeof metrics.r2 === 'number' ? 'regression' : undefined))) {
    const value = metrics[name];
    if (typeof value !== 'number') continue;
    const view: MetricView = { name, value, greaterIsBetter: metricDirection(name) === 'higher' };
    const iv = evaluation?.intervals?.byMetric?.[name];
    if (iv && Math.abs(iv.estimate - value) <= 1e-9 * Math.max(1, Math.abs(value))) {
      view.interval = { lower: iv.lower, upper: iv.upper, confidence: evaluation!.intervals.confidence };
    }
    out.push(view);
  }
  return out;
}

/**
 * The dashboard's card for the model that serves (`snapshot.current`, which the registry
 * chose), reading calibration and intervals from the run that trained it.
 */
export function modelView(model: ModelRecord, snapshot: Pick<ProjectSnapshot, 'runs' | 'registry' | 'currentWhy'>): ModelView {
  const run = snapshot.runs.find((r) => r.id === model.runId);
  const evaluation = runEvaluation(run);
  const champion = championInfo(snapshot.registry);
  const isChampion = snapshot.currentWhy === 'champion' && champion?.version === model.version;
  const event = isChampion ? champion.event : null;
  return {
    version: model.version,
    runId: model.runId,
    createdAt: model.createdAt,
    role: isChampion ? 'champion' : 'newest',
    championSince: isChampion ? { at: champion.since, action: event ? ACTION_LABELS[event.action] : 'set', by: event?.by ?? 'unknown', reason: event?.reasons[0] ?? null } : null,
    currentBecause: isChampion
      ? `the champion${event ? `, ${ACTION_LABELS[event.action]} by ${event.by}` : ''}: predictions, evaluations and apps use it`
      : 'the newest model: nothing has been promoted yet, so predictions use the newest version (promote one, or run a retraining cycle, to choose a champion)',
    metrics: metricViews(model.metrics, model.task, run),
    calibration: calibrationView(run),
    testRows: evaluation ? evaluation.n : null,
  };
}

/** A cycle as the dashboard shows it. */
export function cycleView(c: CycleRecord): CycleView {
  return {
    id: c.id,
    trigger: c.trigger,
    outcome: cycleOutcome(c),
    text: cycleOutcomeText(c),
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
    champion: c.champion,
    challenger: c.challenger,
    reasons: c.reasons.length ? c.reasons : c.error ? [c.error.split('\n')[0]] : [],
    hasReport: c.report !== null,
  };
}

/**
 * The loop's card: this window's watcher, the schedule's next full retrain and the label count
 * towards the next fine-tune, the last cycle that finished and one running now.
 * @param now the clock (tests pass a fixed one).
 */
export function loopView(snapshot: ProjectSnapshot | undefined, watcher: WatcherStatus, canIngest: boolean, now: Date = new Date()): LoopView {
  const cycles = snapshot?.cycles ?? [];
  const finished = cycles.find((c) => c.status !== 'running');
  const running = cycles.find((c) => c.status === 'running');
  const since = watcher.running && watcher.startedAt !== undefined && watcher.root === snapshot?.root ? new Date(watcher.startedAt) : now;
  return {
    watcher: { running: watcher.running, text: watcher.text },
    schedule: snapshot?.config ? scheduleView(snapshot.config, snapshot.loop, since, now) : null,
    lastCycle: finished ? cycleView(finished) : null,
    running: running ? cycleView(running) : null,
    cycles: cycles.length,
    canIngest,
  };
}

/** The running job as the dashboard shows it (null when none). */
export function jobView(job: RunningJob | undefined): JobView | null {
  if (!job) return null;
  const last = job.epochs[job.epochs.length - 1];
  const valLossHistory: number[] = [];
  for (const e of job.epochs.slice(-SPARKLINE_POINTS)) if (typeof e.val_loss === 'number' && Number.isFinite(e.val_loss)) valLossHistory.push(e.val_loss);
  return {
    kind: job.kind,
    title: job.title,
    startedAt: job.startedAt,
    runId: job.runId ?? null,
    backend: job.backend ?? null,
    epochsDone: last?.epoch ?? 0,
    totalEpochs: job.totalEpochs ?? null,
    loss: last?.loss ?? null,
    valLoss: last?.val_loss ?? null,
    valLossHistory,
    message: job.message ?? null,
  };
}

function runSummary(run: RunRecord | undefined): RunSummaryView | null {
  if (!run) return null;
  return { id: run.id, status: run.status, startedAt: run.startedAt, durationMs: run.durationMs, error: run.error ? run.error.split('\n')[0] : null };
}

/**
 * Health of the project's current model, from the newest run's status, the current model's
 * test-split ECE (after calibration) and active alerts; a running job wins while it runs.
 * Levels: 'none' (no project or no model yet), 'running', 'error' (the newest run failed),
 * 'warning' (interrupted run, ECE ≥ ECE_WARNING_THRESHOLD, warning alerts), 'ok'.
 */
export function projectHealth(snapshot: ProjectSnapshot | undefined, job: RunningJob | undefined, activeAlerts: readonly Alert[]): HealthView {
  if (!snapshot) return { level: 'none', summary: 'no project', reasons: ['No mlloop.yaml in this workspace.'] };
  if (job) {
    const last = job.epochs[job.epochs.length - 1];
    const progress = last ? ` ${last.epoch}/${job.totalEpochs ?? '?'}` : '';
    return { level: 'running', summary: `${job.title}${progress}`, reasons: [`ML Loop is ${job.title}${job.runId ? ` (run ${job.runId})` : ''}.`] };
  }
  const reasons: string[] = [];
  const findings: Array<{ level: 'warning' | 'error'; short: string }> = [];
  const find = (level: 'warning' | 'error', short: string, text: string) => {
    findings.push({ level, short });
    reasons.push(text);
  };
  if (snapshot.configProblems > 0) {
    find('warning', 'mlloop.yaml has problems', `mlloop.yaml has ${plural(snapshot.configProblems, 'problem')} (see the Problems panel); the next training cannot start until they are fixed.`);
  }
  const newest = snapshot.runs[0];
  if (newest?.status === 'failed') {
    const why = newest.error ? `: ${newest.error.split('\n')[0].replace(/[.\s]+$/, '')}` : '';
    find('error', `run ${newest.id} failed`, `The newest run (run ${newest.id}) failed${why}.`);
  }
  else if (newest?.status === 'interrupted') find('warning', `run ${newest.id} interrupted`, `The newest run (run ${newest.id}) was interrupted before it finished.`);
  else if (newest?.status === 'running') reasons.push(`Run ${newest.id} is training in another process (e.g. the CLI).`);
  else if (newest) reasons.push(`The newest run (run ${newest.id}) ${newest.status === 'cancelled' ? 'was cancelled' : 'completed'}.`);
  if (snapshot.current) {
    const cal = calibrationView(snapshot.runs.find((r) => r.id === snapshot.current!.runId));
    if (cal && cal.eceAfter >= ECE_WARNING_THRESHOLD) {
      find('warning', `ECE ${formatMetric(cal.eceAfter)} is high`, `Test-split ECE ${formatMetric(cal.eceAfter)} is at or above ${ECE_WARNING_THRESHOLD}: stated confidences are off by that much on average.`);
    } else if (cal) reasons.push(`Test-split ECE ${formatMetric(cal.eceAfter)} (${cal.method === 'none' ? 'uncalibrated' : `${cal.method} calibration`}).`);
  } else reasons.push('No model has been trained yet.');
  const critical = activeAlerts.filter((a) => a.severity === 'critical').length;
  const warnings = activeAlerts.filter((a) => a.severity === 'warning').length;
  if (critical > 0) find('error', `${plural(critical, 'critical alert')}`, `${plural(critical, 'critical alert')} from monitoring.`);
  // Reported beside critical ones too: a tooltip that says "1 critical alert" must not hide 3 warnings.
  if (warnings > 0) find('warning', plural(warnings, 'alert'), `${plural(warnings, 'warning alert')} from monitoring.`);
  const worst = findings.find((f) => f.level === 'error') ?? findings[0];
  const level: HealthView['level'] = worst ? worst.level : snapshot.current ? 'ok' : 'none';
  const summary = worst ? worst.short : snapshot.current ? 'healthy' : 'no model yet';
  return { level, summary, reasons };
}

/** Everything the dashboard shows. `folder` is the project folder relative to the workspace ('' at the root). */
export function dashboardState(input: {
  loaded: boolean;
  snapshot: ProjectSnapshot | undefined;
  folder: string;
  job: RunningJob | undefined;
  alerts: readonly Alert[];
  /** This window's watcher (the loop while VS Code is open). */
  watcher: WatcherStatus;
  /** Whether the Ingest Inbox command exists in this build. */
  canIngest: boolean;
  now?: Date;
}): DashboardState {
  const { snapshot, job } = input;
  const active = input.alerts.filter((a) => !a.acknowledged);
  return {
    loaded: input.loaded,
    project: snapshot
      ? { name: snapshot.name, folder: input.folder, task: snapshot.config?.task ?? null, configProblems: snapshot.configProblems }
      : null,
    model: snapshot?.current ? modelView(snapshot.current, snapshot) : null,
    loop: loopView(snapshot, input.watcher, input.canIngest, input.now),
    data: {
      examples: snapshot?.examples ?? 0,
      examplesSinceLastRun: snapshot?.examplesSinceLastRun ?? 0,
      runs: snapshot?.runs.length ?? 0,
      models: snapshot?.models.length ?? 0,
    },
    lastRun: runSummary(snapshot?.runs[0]),
    health: projectHealth(snapshot, job, active),
    job: jobView(job),
    alerts: { active: active.slice(0, 5), activeCount: active.length },
  };
}

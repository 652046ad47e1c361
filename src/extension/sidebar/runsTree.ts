/**
 * The Runs view: a "Cycles" group of the project's retraining cycles with their decisions
 * (when it has any), then one item per training run, newest first. Elements are run ids
 * (numbers), so context-menu commands receive `(runId, selectedRunIds)`; the group is
 * {@link CYCLES_ELEMENT} and a cycle `cycle:<id>`.
 */
import * as vscode from 'vscode';
import { COMMAND_IDS } from '../commandIds';
import type { CycleRecord, RunRecord, RunStatus } from '../../core/store/types';
import { cycleOutcome, cycleOutcomeText, triggerLabel } from '../loop/loopView';
import type { JobTracker } from '../state/jobs';
import type { ProjectState } from '../state/projectState';
import { escapeMarkdown, labelledLines } from './markdown';
import { primaryMetricText, runCalibration } from './summary';
import { formatDuration, formatMetric, formatTimestamp, metricLabel } from '../../../webview/shared/format';
import { formatCount, relativeTime } from '../../../webview/dashboard/format';

/** How often a running run's row may repaint while epochs stream in. */
const LIVE_REPAINT_MS = 250;

export const CYCLES_ELEMENT = 'cycles';
const CYCLE_PREFIX = 'cycle:';

export type RunsTreeElement = number | string;

const CYCLE_ICONS: Record<ReturnType<typeof cycleOutcome>, vscode.ThemeIcon> = {
  promoted: new vscode.ThemeIcon('arrow-up', new vscode.ThemeColor('testing.iconPassed')),
  rejected: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('testing.iconFailed')),
  skipped: new vscode.ThemeIcon('debug-step-over', new vscode.ThemeColor('disabledForeground')),
  running: new vscode.ThemeIcon('loading~spin'),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  cancelled: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground')),
  interrupted: new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('list.warningForeground')),
};

/** contextValue of a cycle item: `mlloop.cycle.<outcome>`, with `.report` when it wrote a deployment report. */
export function cycleContextValue(c: CycleRecord): string {
  return `mlloop.cycle.${cycleOutcome(c)}${c.report ? '.report' : ''}`;
}

const STATUS_ICONS: Record<RunStatus, vscode.ThemeIcon> = {
  completed: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  running: new vscode.ThemeIcon('loading~spin'),
  cancelled: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground')),
  interrupted: new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('list.warningForeground')),
};

/** contextValue of a run item: `mlloop.run.<status>` (package.json menus match on it). */
export function runContextValue(run: RunRecord): string {
  return `mlloop.run.${run.status}`;
}

export class RunsTreeProvider implements vscode.TreeDataProvider<RunsTreeElement>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsTreeElement | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private repaintTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly state: ProjectState,
    private readonly jobs: JobTracker,
  ) {
    this.disposables.push(
      state.onDidChange(() => this.changed.fire(undefined)),
      jobs.onDidChange(() => this.repaintRunningRun()),
    );
  }

  /** The run behind an element, from the latest project snapshot. */
  run(id: number): RunRecord | undefined {
    return this.state.snapshot?.runs.find((r) => r.id === id);
  }

  /** The cycle behind a `cycle:<id>` element. */
  cycle(element: RunsTreeElement): CycleRecord | undefined {
    if (typeof element !== 'string' || !element.startsWith(CYCLE_PREFIX)) return undefined;
    const id = Number(element.slice(CYCLE_PREFIX.length));
    return this.state.snapshot?.cycles.find((c) => c.id === id);
  }

  getChildren(element?: RunsTreeElement): RunsTreeElement[] {
    const snapshot = this.state.snapshot;
    if (element === CYCLES_ELEMENT) return (snapshot?.cycles ?? []).map((c) => `${CYCLE_PREFIX}${c.id}`);
    if (element !== undefined) return [];
    const runs: RunsTreeElement[] = snapshot?.runs.map((r) => r.id) ?? [];
    return snapshot?.cycles.length ? [CYCLES_ELEMENT, ...runs] : runs;
  }

  getParent(element: RunsTreeElement): RunsTreeElement | undefined {
    return typeof element === 'string' && element.startsWith(CYCLE_PREFIX) ? CYCLES_ELEMENT : undefined;
  }

  getTreeItem(element: RunsTreeElement): vscode.TreeItem {
    if (element === CYCLES_ELEMENT) return this.cyclesItem();
    if (typeof element === 'string') return this.cycleItem(element);
    return this.runItem(element);
  }

  private cyclesItem(): vscode.TreeItem {
    const cycles = this.state.snapshot?.cycles ?? [];
    const item = new vscode.TreeItem('Cycles', vscode.TreeItemCollapsibleState.Expanded);
    item.id = 'runs-cycles';
    item.iconPath = new vscode.ThemeIcon('sync');
    const last = cycles.find((c) => c.status !== 'running');
    item.description = `${cycles.length}${last ? ` · last: ${cycleOutcomeText(last)}` : ''}`;
    item.tooltip = 'Retraining cycles (newest first, the last 50): each trained a challenger, scored it and the champion on the same held-out rows, and let the quality gate decide.';
    item.contextValue = 'mlloop.cycles';
    return item;
  }

  private cycleItem(element: string): vscode.TreeItem {
    const c = this.cycle(element);
    const item = new vscode.TreeItem(c ? `Cycle ${c.id}` : element, vscode.TreeItemCollapsibleState.None);
    item.id = `runs-${element}`;
    if (!c) return item;
    const parts = [cycleOutcomeText(c), triggerLabel(c.trigger), relativeTime(c.startedAt)];
    item.description = parts.join(' · ');
    item.iconPath = CYCLE_ICONS[cycleOutcome(c)];
    item.contextValue = cycleContextValue(c);
    item.accessibilityInformation = { label: `Cycle ${c.id}, ${parts.join(', ')}` };
    item.tooltip = cycleTooltip(c);
    const root = this.state.snapshot?.root;
    if (c.report) item.command = { command: COMMAND_IDS.openDeploymentReport, title: 'Open Deployment Report', arguments: [{ root, cycle: c.id }] };
    else if (c.runId !== null) item.command = { command: COMMAND_IDS.openRun, title: 'Open Run', arguments: [c.runId] };
    return item;
  }

  private runItem(id: number): vscode.TreeItem {
    const run = this.run(id);
    const item = new vscode.TreeItem(`Run ${id}`, vscode.TreeItemCollapsibleState.None);
    item.id = `run-${id}`;
    if (!run) return item; // removed between getChildren and now; the next refresh drops it
    const parts = this.descriptionParts(run);
    item.description = parts.join(' · ');
    item.iconPath = STATUS_ICONS[run.status];
    item.contextValue = runContextValue(run);
    item.tooltip = runTooltip(run);
    item.accessibilityInformation = { label: `Run ${id}, ${parts.join(', ')}` };
    item.command = { command: COMMAND_IDS.openRun, title: 'Open Run', arguments: [id] };
    return item;
  }

  /** Status, then the live epoch (running here) or the headline metric, then the duration. */
  private descriptionParts(run: RunRecord): string[] {
    const parts: string[] = [run.status];
    const job = this.jobs.current;
    if (run.status === 'running' && job?.runId === run.id) {
      const last = job.epochs[job.epochs.length - 1];
      if (last) parts.push(`epoch ${last.epoch}/${job.totalEpochs ?? '?'}`);
      parts.push(formatDuration(Date.now() - job.startedAt));
      return parts;
    }
    const metric = primaryMetricText(run.metrics);
    if (metric) parts.push(metric);
    if (run.durationMs !== null) parts.push(formatDuration(run.durationMs));
    return parts;
  }

  /** Epoch progress repaints only the running run's row, at most every LIVE_REPAINT_MS. */
  private repaintRunningRun(): void {
    if (this.repaintTimer) return;
    this.repaintTimer = setTimeout(() => {
      this.repaintTimer = undefined;
      const id = this.jobs.current?.runId;
      if (id !== undefined && this.run(id)) this.changed.fire(id);
      // A cycle's challenger trains as a run too: its row is under the group, repainted with it.
    }, LIVE_REPAINT_MS);
  }

  dispose(): void {
    if (this.repaintTimer) clearTimeout(this.repaintTimer);
    for (const d of this.disposables) d.dispose();
  }
}

/** Markdown tooltip of a cycle: trigger, times, champion and challenger, every reason. */
export function cycleTooltip(c: CycleRecord): vscode.MarkdownString {
  const md = new vscode.MarkdownString('', true);
  md.appendMarkdown(`**Cycle ${c.id}** — ${escapeMarkdown(cycleOutcomeText(c))}\n\n`);
  const rows: Array<[string, string]> = [
    ['Trigger', triggerLabel(c.trigger)],
    ['Started', formatTimestamp(c.startedAt)],
  ];
  if (c.finishedAt) rows.push(['Finished', formatTimestamp(c.finishedAt)]);
  if (c.challenger) rows.push(['Challenger', c.challenger]);
  rows.push(['Champion after', c.champion ?? 'none']);
  if (c.runId !== null) rows.push(['Run', String(c.runId)]);
  if (c.report) rows.push(['Report', c.report]);
  md.appendMarkdown(labelledLines(rows));
  const reasons = c.reasons.length ? c.reasons : c.error ? [c.error.split('\n')[0]] : [];
  if (reasons.length) {
    md.appendMarkdown('\n\n**Reasons**\n\n');
    for (const r of reasons) md.appendMarkdown(`- ${escapeMarkdown(r)}\n`);
  }
  return md;
}

/** Markdown tooltip: when, how long, on what, with which result. */
export function runTooltip(run: RunRecord): vscode.MarkdownString {
  const md = new vscode.MarkdownString('', true);
  md.appendMarkdown(`**Run ${run.id}** — ${run.status}\n\n`);
  const rows: Array<[string, string]> = [['Started', formatTimestamp(run.startedAt)]];
  if (run.finishedAt) rows.push(['Finished', formatTimestamp(run.finishedAt)]);
  rows.push(['Duration', formatDuration(run.durationMs)]);
  if (run.backend) rows.push(['Backend', run.backend]);
  if (run.modelVersion) rows.push(['Model', run.modelVersion]);
  if (run.bestEpoch !== null) rows.push(['Best epoch', String(run.bestEpoch)]);
  const counts = run.dataCounts as Record<string, unknown> | null;
  if (counts && ['train', 'validation', 'test'].every((k) => typeof counts[k] === 'number')) {
    rows.push(['Rows', `${formatCount(counts.train as number)} train / ${formatCount(counts.validation as number)} validation / ${formatCount(counts.test as number)} test`]);
  }
  const cal = runCalibration(run);
  if (cal?.test) rows.push(['Calibration', `${cal.method}, test ECE ${formatMetric(cal.test.before.ece)} → ${formatMetric(cal.test.after.ece)}`]);
  md.appendMarkdown(labelledLines(rows));
  if (run.metrics && Object.keys(run.metrics).length > 0) {
    md.appendMarkdown('\n\n**Test metrics**\n\n');
    md.appendMarkdown(labelledLines(Object.entries(run.metrics).map(([k, v]) => [metricLabel(k), formatMetric(v)])));
  }
  if (run.error) {
    md.appendMarkdown('\n\n**Error**\n\n');
    md.appendCodeblock(run.error.split('\n').slice(0, 6).join('\n'), 'text');
  }
  return md;
}

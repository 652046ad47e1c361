/**
 * The Runs view: one item per training run of the project, newest first. Elements are run
 * ids, so context-menu commands receive `(runId, selectedRunIds)`.
 */
import * as vscode from 'vscode';
import type { RunRecord, RunStatus } from '../../core/store/types';
import type { JobTracker } from '../state/jobs';
import type { ProjectState } from '../state/projectState';
import { labelledLines } from './markdown';
import { primaryMetricText, runCalibration } from './summary';
import { formatDuration, formatMetric, formatTimestamp, metricLabel } from '../../../webview/shared/format';
import { formatCount } from '../../../webview/dashboard/format';

/** How often a running run's row may repaint while epochs stream in. */
const LIVE_REPAINT_MS = 250;

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

export class RunsTreeProvider implements vscode.TreeDataProvider<number>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<number | undefined>();
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

  getChildren(element?: number): number[] {
    if (element !== undefined) return [];
    return this.state.snapshot?.runs.map((r) => r.id) ?? [];
  }

  getParent(): undefined {
    return undefined;
  }

  getTreeItem(id: number): vscode.TreeItem {
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
    item.command = { command: 'mlloop.openRun', title: 'Open Run', arguments: [id] };
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
    }, LIVE_REPAINT_MS);
  }

  dispose(): void {
    if (this.repaintTimer) clearTimeout(this.repaintTimer);
    for (const d of this.disposables) d.dispose();
  }
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

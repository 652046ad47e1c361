/**
 * The Models view: one item per saved model version, newest first, the current model marked.
 * Until the registry adds a champion alias, "current" means the newest model (the one
 * predictions use); the tooltip says so. Elements are version strings.
 */
import * as vscode from 'vscode';
import type { ModelRecord } from '../../core/store/types';
import type { ProjectState } from '../state/projectState';
import { labelledLines } from './markdown';
import { calibrationView, headlineMetricNames } from './summary';
import { formatMetric, formatTimestamp, metricLabel } from '../../../webview/shared/format';
import { relativeTime } from '../../../webview/dashboard/format';

/** contextValue of a model item: `mlloop.model.current` or `mlloop.model`. */
export function modelContextValue(isCurrent: boolean): string {
  return isCurrent ? 'mlloop.model.current' : 'mlloop.model';
}

export class ModelsTreeProvider implements vscode.TreeDataProvider<string>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly state: ProjectState) {
    this.disposables.push(state.onDidChange(() => this.changed.fire(undefined)));
  }

  model(version: string): ModelRecord | undefined {
    return this.state.snapshot?.models.find((m) => m.version === version);
  }

  getChildren(element?: string): string[] {
    if (element !== undefined) return [];
    return this.state.snapshot?.models.map((m) => m.version) ?? [];
  }

  getParent(): undefined {
    return undefined;
  }

  getTreeItem(version: string): vscode.TreeItem {
    const item = new vscode.TreeItem(version, vscode.TreeItemCollapsibleState.None);
    item.id = `model-${version}`;
    const model = this.model(version);
    const snapshot = this.state.snapshot;
    if (!model || !snapshot) return item;
    const isCurrent = snapshot.current?.version === version;
    const metrics = headlineMetricNames(model.task)
      .filter((k) => typeof model.metrics[k] === 'number')
      .slice(0, 2)
      .map((k) => `${metricLabel(k)} ${formatMetric(model.metrics[k])}`);
    const parts = [...(isCurrent ? ['current'] : []), ...metrics];
    item.description = parts.join(' · ');
    item.iconPath = isCurrent ? new vscode.ThemeIcon('star-full', new vscode.ThemeColor('charts.yellow')) : new vscode.ThemeIcon('package');
    item.contextValue = modelContextValue(isCurrent);
    item.accessibilityInformation = { label: `Model ${version}${isCurrent ? ', current model' : ''}, ${metrics.join(', ')}` };
    const md = new vscode.MarkdownString('', true);
    md.appendMarkdown(`**Model ${version}**${isCurrent ? ' — $(star-full) current' : ''}\n\n`);
    if (isCurrent) md.appendMarkdown('The current model is the newest one for now: predictions use it. The model registry will add a champion you choose.\n\n');
    const rows: Array<[string, string]> = [
      ['Trained', `${formatTimestamp(model.createdAt)} (${relativeTime(model.createdAt)})`],
      ['Run', String(model.runId)],
      ['Task', model.task],
      ['Files', model.path],
    ];
    const cal = calibrationView(snapshot.runs.find((r) => r.id === model.runId));
    if (cal) rows.push(['Calibration', `${cal.method}, test ECE ${formatMetric(cal.eceBefore)} → ${formatMetric(cal.eceAfter)}`]);
    md.appendMarkdown(labelledLines(rows));
    md.appendMarkdown('\n\n**Test metrics**\n\n');
    md.appendMarkdown(labelledLines(Object.entries(model.metrics).map(([k, v]) => [metricLabel(k), formatMetric(v)])));
    item.tooltip = md;
    // Selecting a model shows the run that trained it (curves, evaluation).
    item.command = { command: 'mlloop.openRun', title: 'Open Run', arguments: [model.runId] };
    return item;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * The Alerts view: the project's open alerts grouped by severity (Critical, Warning, Info; a
 * group only when it has alerts), in each group unacknowledged first, then newest. Empty until
 * monitoring raised something; the view's welcome text (package.json viewsWelcome) then says
 * how monitoring starts. Elements are alert ids and `severity:<level>` for the groups;
 * selecting an alert opens it in the Drift & Alerts panel; Acknowledge and Resolve are inline
 * and in the context menu.
 */
import * as vscode from 'vscode';
import { COMMAND_IDS } from '../commandIds';
import { ALERT_SEVERITIES, type Alert, type AlertSeverity } from '../../core/monitor/types';
import type { AlertProvider } from '../drift/alertProvider';
import { escapeMarkdown, labelledLines } from './markdown';
import { formatMetric, formatTimestamp } from '../../../webview/shared/format';
import { relativeTime } from '../../../webview/dashboard/format';

const SEVERITY_ICONS: Record<AlertSeverity, vscode.ThemeIcon> = {
  critical: new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground')),
  warning: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')),
  info: new vscode.ThemeIcon('info'),
};

/** contextValue of an alert item: `mlloop.alert.active` or `mlloop.alert.acknowledged`. */
export function alertContextValue(alert: Alert): string {
  return alert.acknowledged ? 'mlloop.alert.acknowledged' : 'mlloop.alert.active';
}

/** "psi:petal_length 0.312 (threshold 0.200)". */
export function alertMeasurement(alert: Alert): string {
  return `${alert.metric} ${formatMetric(alert.value)} (threshold ${formatMetric(alert.threshold)})`;
}

export class AlertsTreeProvider implements vscode.TreeDataProvider<string>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly alerts: AlertProvider) {
    this.disposables.push(alerts.onDidChange(() => this.changed.fire(undefined)));
  }

  getChildren(element?: string): string[] {
    if (element === undefined) return ALERT_SEVERITIES.filter((s) => this.alerts.all.some((a) => a.severity === s)).map((s) => `${GROUP}${s}`);
    if (element.startsWith(GROUP)) return this.alerts.all.filter((a) => a.severity === element.slice(GROUP.length)).map((a) => a.id);
    return [];
  }

  getParent(id: string): string | undefined {
    const alert = this.alerts.get(id);
    return alert ? `${GROUP}${alert.severity}` : undefined;
  }

  getTreeItem(id: string): vscode.TreeItem {
    if (id.startsWith(GROUP)) return this.groupItem(id.slice(GROUP.length) as AlertSeverity);
    const alert = this.alerts.get(id);
    const item = new vscode.TreeItem(alert?.title ?? id, vscode.TreeItemCollapsibleState.None);
    item.id = `alert-${id}`;
    if (!alert) return item;
    const when = relativeTime(alert.createdAt);
    item.description = [...(alert.acknowledged ? ['acknowledged'] : []), alertMeasurement(alert), when].join(' · ');
    item.iconPath = alert.acknowledged ? new vscode.ThemeIcon('check', new vscode.ThemeColor('disabledForeground')) : SEVERITY_ICONS[alert.severity];
    item.contextValue = alertContextValue(alert);
    item.accessibilityInformation = { label: `${alert.severity} alert${alert.acknowledged ? ', acknowledged' : ''}: ${alert.title}, ${alertMeasurement(alert)}, ${when}` };
    const md = new vscode.MarkdownString('', true);
    md.appendMarkdown(`**${escapeMarkdown(alert.title)}** — ${alert.severity}${alert.acknowledged ? ', acknowledged' : ''}\n\n`);
    md.appendMarkdown(`${escapeMarkdown(alert.detail)}\n\n`);
    md.appendMarkdown(labelledLines([
      ['Measured', alertMeasurement(alert)],
      ['Raised', `${formatTimestamp(alert.createdAt)} (${when})`],
    ]));
    item.tooltip = md;
    item.command = { command: COMMAND_IDS.openDriftPanel, title: 'Open in Drift & Alerts', arguments: [id] };
    return item;
  }

  private groupItem(severity: AlertSeverity): vscode.TreeItem {
    const inGroup = this.alerts.all.filter((a) => a.severity === severity);
    const open = inGroup.filter((a) => !a.acknowledged).length;
    const item = new vscode.TreeItem(GROUP_LABELS[severity], vscode.TreeItemCollapsibleState.Expanded);
    item.id = `alerts-${severity}`;
    item.description = open === inGroup.length ? String(inGroup.length) : `${open} of ${inGroup.length} unacknowledged`;
    item.iconPath = SEVERITY_ICONS[severity];
    item.contextValue = 'mlloop.alertGroup';
    item.accessibilityInformation = { label: `${GROUP_LABELS[severity]} alerts: ${inGroup.length}, ${open} unacknowledged` };
    return item;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** Element id prefix of a severity group. */
const GROUP = 'severity:';
const GROUP_LABELS: Record<AlertSeverity, string> = { critical: 'Critical', warning: 'Warning', info: 'Info' };

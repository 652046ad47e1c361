/**
 * The Models view: every version the registry holds, newest first — the champion marked (or,
 * before anything was promoted, the newest, which serves), archived former champions,
 * rejected ones — then a History node with every promotion, rejection, forced promotion and
 * rollback, newest first. What serves and what a rollback goes back to come from the registry
 * (the project state's `current`, core's previousChampion), never from a rule of this view.
 *
 * Elements: a version string ("v3") for a model, {@link HISTORY_ELEMENT} for the History node
 * and `event:<id>` for its entries, so menu commands receive a version for models.
 */
import * as vscode from 'vscode';
import type { ModelRecord, RegistryAction, RegistryEvent } from '../../core/store/types';
import { COMMAND_IDS } from '../commandIds';
import { ACTION_LABELS, championInfo, eventTitle, historyNewestFirst, rollbackTarget, versionStatus, type VersionRole } from '../loop/loopView';
import type { ProjectState } from '../state/projectState';
import { escapeMarkdown, labelledLines } from './markdown';
import { calibrationView, headlineMetricNames } from './summary';
import { formatMetric, formatTimestamp, metricLabel } from '../../../webview/shared/format';
import { relativeTime } from '../../../webview/dashboard/format';

export const HISTORY_ELEMENT = '#history';
const EVENT_PREFIX = 'event:';
/** History entries listed (newest first); older ones are in `mlloop models` and Show History. */
const HISTORY_LIMIT = 200;

/**
 * contextValue of a model item (package.json menus match on it):
 * `mlloop.model.champion` (`.champion.canRollBack` when there is a champion before it),
 * `mlloop.model.newest` (serves because nothing was promoted), `mlloop.model.former`
 * (archived former champion), `mlloop.model.rejected`, `mlloop.model` (never gated).
 */
export function modelContextValue(role: VersionRole, canRollBack = false): string {
  if (role === 'champion') return canRollBack ? 'mlloop.model.champion.canRollBack' : 'mlloop.model.champion';
  if (role === 'candidate') return 'mlloop.model';
  return `mlloop.model.${role}`;
}

const ROLE_ICONS: Record<VersionRole, vscode.ThemeIcon> = {
  champion: new vscode.ThemeIcon('star-full', new vscode.ThemeColor('charts.yellow')),
  newest: new vscode.ThemeIcon('star-empty'),
  former: new vscode.ThemeIcon('archive'),
  rejected: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('testing.iconFailed')),
  candidate: new vscode.ThemeIcon('package'),
};

const ACTION_ICONS: Record<RegistryAction, vscode.ThemeIcon> = {
  promoted: new vscode.ThemeIcon('arrow-up', new vscode.ThemeColor('testing.iconPassed')),
  forced: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')),
  rolled_back: new vscode.ThemeIcon('discard'),
  rejected: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('testing.iconFailed')),
  imported: new vscode.ThemeIcon('cloud-download'),
  archived: new vscode.ThemeIcon('archive'),
};

/** The words of a role in an item's description. */
function roleWords(role: VersionRole, until: string | null): string | undefined {
  if (role === 'champion') return 'champion';
  if (role === 'newest') return 'current (newest, not promoted)';
  if (role === 'former') return until ? `archived · champion until ${formatTimestamp(until)}` : 'archived';
  if (role === 'rejected') return 'rejected';
  return undefined;
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

  /** The history entry behind an `event:<id>` element. */
  event(element: string): RegistryEvent | undefined {
    if (!element.startsWith(EVENT_PREFIX)) return undefined;
    const id = Number(element.slice(EVENT_PREFIX.length));
    return this.state.snapshot?.registry.history.find((e) => e.id === id);
  }

  getChildren(element?: string): string[] {
    const snapshot = this.state.snapshot;
    if (!snapshot) return [];
    if (element === HISTORY_ELEMENT) return historyNewestFirst(snapshot.registry).slice(0, HISTORY_LIMIT).map((e) => `${EVENT_PREFIX}${e.id}`);
    if (element !== undefined) return [];
    const versions = snapshot.models.map((m) => m.version);
    return snapshot.registry.history.length > 0 ? [...versions, HISTORY_ELEMENT] : versions;
  }

  getParent(element: string): string | undefined {
    return element.startsWith(EVENT_PREFIX) ? HISTORY_ELEMENT : undefined;
  }

  getTreeItem(element: string): vscode.TreeItem {
    if (element === HISTORY_ELEMENT) return this.historyItem();
    if (element.startsWith(EVENT_PREFIX)) return this.eventItem(element);
    return this.modelItem(element);
  }

  private historyItem(): vscode.TreeItem {
    const n = this.state.snapshot?.registry.history.length ?? 0;
    const item = new vscode.TreeItem('History', vscode.TreeItemCollapsibleState.Expanded);
    item.id = 'models-history';
    item.iconPath = new vscode.ThemeIcon('history');
    item.description = `${n} event${n === 1 ? '' : 's'}`;
    item.tooltip = 'What was promoted, rejected, forced or rolled back: when, by what and why (newest first).';
    item.contextValue = 'mlloop.history';
    return item;
  }

  private eventItem(element: string): vscode.TreeItem {
    const e = this.event(element);
    const item = new vscode.TreeItem(e ? eventTitle(e) : element, vscode.TreeItemCollapsibleState.None);
    item.id = `models-${element}`;
    if (!e) return item;
    const snapshot = this.state.snapshot;
    const cycle = e.cycle !== null ? snapshot?.cycles.find((c) => c.id === e.cycle) : undefined;
    const parts = [relativeTime(e.at), `by ${e.by}`, ...(e.reasons[0] ? [e.reasons[0]] : [])];
    item.description = parts.join(' · ');
    item.iconPath = ACTION_ICONS[e.action];
    item.contextValue = cycle?.report ? 'mlloop.registryEvent.report' : 'mlloop.registryEvent';
    item.accessibilityInformation = { label: `${eventTitle(e)}, ${parts.join(', ')}` };
    const md = new vscode.MarkdownString('', true);
    md.appendMarkdown(`**${escapeMarkdown(eventTitle(e))}**\n\n`);
    const rows: Array<[string, string]> = [
      ['When', `${formatTimestamp(e.at)} (${relativeTime(e.at)})`],
      ['By', e.by],
    ];
    if (e.previous && e.action !== 'rolled_back') rows.push(['Champion before', e.previous]);
    if (e.cycle !== null) rows.push(['Cycle', String(e.cycle)]);
    md.appendMarkdown(labelledLines(rows));
    if (e.reasons.length) {
      md.appendMarkdown('\n\n**Reasons**\n\n');
      for (const r of e.reasons) md.appendMarkdown(`- ${escapeMarkdown(r)}\n`);
    }
    item.tooltip = md;
    if (cycle?.report) item.command = { command: COMMAND_IDS.openDeploymentReport, title: 'Open Deployment Report', arguments: [{ root: snapshot!.root, cycle: cycle.id }] };
    return item;
  }

  private modelItem(version: string): vscode.TreeItem {
    const item = new vscode.TreeItem(version, vscode.TreeItemCollapsibleState.None);
    item.id = `model-${version}`;
    const model = this.model(version);
    const snapshot = this.state.snapshot;
    if (!model || !snapshot) return item;
    const status = versionStatus(version, snapshot.registry, snapshot.current?.version);
    const canRollBack = status.role === 'champion' && rollbackTarget(snapshot.registry) !== undefined;
    const metrics = headlineMetricNames(model.task)
      .filter((k) => typeof model.metrics[k] === 'number')
      .slice(0, 2)
      .map((k) => `${metricLabel(k)} ${formatMetric(model.metrics[k])}`);
    const role = roleWords(status.role, status.until);
    const parts = [...(role ? [role] : []), ...metrics];
    item.description = parts.join(' · ');
    item.iconPath = ROLE_ICONS[status.role];
    item.contextValue = modelContextValue(status.role, canRollBack);
    item.accessibilityInformation = { label: `Model ${version}${role ? `, ${role}` : ''}, ${metrics.join(', ')}` };

    const md = new vscode.MarkdownString('', true);
    md.appendMarkdown(`**Model ${version}**${status.role === 'champion' ? ' — $(star-full) champion' : role ? ` — ${escapeMarkdown(role)}` : ''}\n\n`);
    const champion = championInfo(snapshot.registry);
    if (status.role === 'champion' && champion) {
      const how = champion.event ? `${ACTION_LABELS[champion.event.action]} by ${champion.event.by}` : 'set outside ML Loop';
      md.appendMarkdown(`${escapeMarkdown(`Champion since ${formatTimestamp(champion.since)} (${relativeTime(champion.since)}), ${how}.`)}`);
      if (champion.event?.reasons[0]) md.appendMarkdown(` ${escapeMarkdown(champion.event.reasons[0])}`);
      md.appendMarkdown(' Predictions, evaluations and apps that load the champion use it.\n\n');
      const back = rollbackTarget(snapshot.registry);
      if (back) md.appendMarkdown(`${escapeMarkdown(`Roll Back makes ${back} the champion again.`)}\n\n`);
    } else if (status.role === 'newest') {
      md.appendMarkdown('Nothing has been promoted yet, so the newest model serves: predictions use it. Promote one (or run Retrain Now) to choose a champion.\n\n');
    } else if (status.role === 'former') {
      md.appendMarkdown(`${escapeMarkdown(`A former champion${status.until ? `, until ${formatTimestamp(status.until)}` : ''}; archived, never deleted. Roll Back to it, or Promote it through the gate.`)}\n\n`);
    } else if (status.role === 'rejected' && status.lastEvent) {
      md.appendMarkdown(`${escapeMarkdown(`The quality gate rejected it ${relativeTime(status.lastEvent.at)}: ${status.lastEvent.reasons[0] ?? ''}`)}\n\n`);
    }
    const rows: Array<[string, string]> = [
      ['Trained', `${formatTimestamp(model.createdAt)} (${relativeTime(model.createdAt)})`],
      ['Run', model.runId ? String(model.runId) : 'none (imported)'],
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
    if (model.runId) item.command = { command: COMMAND_IDS.openRun, title: 'Open Run', arguments: [model.runId] };
    return item;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

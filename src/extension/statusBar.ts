/**
 * The status-bar item: the champion and its health ("ML Loop: champion v3 · ECE 0.026 · health
 * ok"; before anything was promoted, the newest model, which serves: "ML Loop v3 (not
 * promoted)"), a spinner with the epoch while training. Once monitoring ran in this window,
 * core's health (ok / warning / critical: data arriving, champion age, last cycle, store size,
 * open alerts) is part of it, and the worse of it and the views' own findings sets the icon.
 * Clicking it opens the dashboard. Hidden while the workspace has no ML Loop project.
 */
import * as vscode from 'vscode';
import { COMMAND_IDS } from './commandIds';
import type { AlertProvider } from './drift/alertProvider';
import type { HealthView } from '../../webview/drift/protocol';
import { ACTION_LABELS, championInfo } from './loop/loopView';
import { escapeMarkdown } from './sidebar/markdown';
import { calibrationView, projectHealth } from './sidebar/summary';
import type { JobTracker } from './state/jobs';
import type { ProjectState } from './state/projectState';
import type { HealthLevel } from '../../webview/dashboard/protocol';
import { formatMetric } from '../../webview/shared/format';
import { relativeTime } from '../../webview/dashboard/format';

/** At most one repaint per this many ms while a job reports epochs. */
const REPAINT_MS = 250;

/** Where core's health comes from (the monitor service). */
export interface MonitorHealthSource {
  readonly health: HealthView | null;
  readonly onDidChange: vscode.Event<void>;
}

const LEVEL_RANK: Record<HealthLevel, number> = { none: 0, ok: 1, warning: 2, error: 3, running: 4 };
const CHECK_ICONS: Record<HealthView['status'], string> = { ok: '$(pass)', warning: '$(warning)', critical: '$(error)' };

const HEALTH_ICONS: Record<HealthLevel, string> = {
  ok: '$(pass)',
  warning: '$(warning)',
  error: '$(error)',
  running: '$(sync~spin)',
  none: '$(circle-large-outline)',
};

export class ModelStatusBar implements vscode.Disposable {
  /** The item itself (tests read its text, tooltip and command). */
  readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private repaintTimer: NodeJS.Timeout | undefined;
  private shown = false;

  /** @param id status-bar item id; a second instance (tests) needs its own. */
  constructor(
    private readonly state: ProjectState,
    private readonly jobs: JobTracker,
    private readonly alerts: AlertProvider,
    id = 'mlloop.model',
    private readonly monitor?: MonitorHealthSource,
  ) {
    // Left, after the workspace items (branch, problems): it describes the workspace's project.
    this.item = vscode.window.createStatusBarItem(id, vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'ML Loop model';
    this.item.command = { command: COMMAND_IDS.openDashboard, title: 'Open ML Loop Dashboard' };
    this.disposables.push(
      this.item,
      state.onDidChange(() => this.update()),
      alerts.onDidChange(() => this.update()),
      ...(monitor ? [monitor.onDidChange(() => this.update())] : []),
      jobs.onDidChange((job) => (job && job.epochs.length > 0 ? this.scheduleUpdate() : this.update())),
    );
    this.update();
  }

  /** Repaints from the current state (shown only when there is a project). */
  update(): void {
    const snapshot = this.state.snapshot;
    if (!snapshot) {
      this.item.hide();
      this.shown = false;
      return;
    }
    const job = this.jobs.current;
    let health = projectHealth(snapshot, job, this.alerts.active);
    const checked = this.monitor?.health ?? null;
    if (checked && health.level !== 'running' && snapshot.current) {
      const level: HealthLevel = checked.status === 'critical' ? 'error' : checked.status === 'warning' ? 'warning' : 'ok';
      if (LEVEL_RANK[level] > LEVEL_RANK[health.level]) health = { ...health, level, summary: `health ${checked.status}` };
    }
    const model = snapshot.current;
    const isChampion = snapshot.currentWhy === 'champion';
    const name = model ? (isChampion ? `ML Loop: champion ${model.version}` : `ML Loop ${model.version} (not promoted)`) : '';
    let text: string;
    if (health.level === 'running') text = `${HEALTH_ICONS.running} ML Loop: ${health.summary}`;
    else if (!model) text = `${HEALTH_ICONS[health.level]} ML Loop: no model`;
    else {
      const cal = calibrationView(snapshot.runs.find((r) => r.id === model.runId));
      const detail = health.level === 'ok' ? [cal ? `ECE ${formatMetric(cal.eceAfter)}` : '', checked ? 'health ok' : ''].filter(Boolean).join(' · ') : health.summary;
      text = `${HEALTH_ICONS[health.level]} ${name}${detail ? ` · ${detail}` : ''}`;
    }
    this.item.text = text;
    this.item.backgroundColor = health.level === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    const md = new vscode.MarkdownString('', true);
    md.appendMarkdown(`**ML Loop — ${escapeMarkdown(snapshot.name)}**\n\n`);
    const champion = championInfo(snapshot.registry);
    if (model && isChampion && champion) {
      const how = champion.event ? `, ${ACTION_LABELS[champion.event.action]} by ${champion.event.by}` : '';
      md.appendMarkdown(`Champion **${model.version}** since ${escapeMarkdown(relativeTime(champion.since))}${escapeMarkdown(how)}; trained ${relativeTime(model.createdAt)}${model.runId ? ` (run ${model.runId})` : ''}.\n\n`);
    } else if (model) {
      md.appendMarkdown(`Current model **${model.version}**, trained ${relativeTime(model.createdAt)} (run ${model.runId}). Nothing has been promoted yet, so the newest model serves.\n\n`);
    }
    md.appendMarkdown(`Health: **${health.summary}**\n\n`);
    for (const reason of health.reasons) md.appendMarkdown(`- ${escapeMarkdown(reason)}\n`);
    if (checked) {
      md.appendMarkdown(`\nMonitoring health: **${checked.status}** (checked ${escapeMarkdown(relativeTime(checked.at))})\n\n`);
      for (const c of checked.checks) md.appendMarkdown(`- ${CHECK_ICONS[c.status]} ${escapeMarkdown(c.name.replace(/_/g, ' '))}: ${escapeMarkdown(c.detail)}\n`);
    }
    md.appendMarkdown('\nClick to open the ML Loop dashboard.');
    this.item.tooltip = md;
    this.item.accessibilityInformation = {
      label: `ML Loop: ${model ? `${isChampion ? 'champion' : 'model'} ${model.version}${isChampion ? '' : ', not promoted'}, ` : ''}${health.summary}${checked && health.summary !== `health ${checked.status}` ? `, monitoring health ${checked.status}` : ''}. Opens the dashboard.`,
      role: 'button',
    };
    this.item.show();
    this.shown = true;
  }

  /** Whether the item is in the status bar (StatusBarItem itself does not say). */
  get visible(): boolean {
    return this.shown;
  }

  private scheduleUpdate(): void {
    if (this.repaintTimer) return;
    this.repaintTimer = setTimeout(() => {
      this.repaintTimer = undefined;
      this.update();
    }, REPAINT_MS);
  }

  dispose(): void {
    if (this.repaintTimer) clearTimeout(this.repaintTimer);
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * The Drift & Alerts panel (one per window): what the newest monitoring run measured (per
 * feature drift with its level, drift over time, reference vs current histograms of a chosen
 * feature, the prediction and confidence distributions, the dataset-drift share, live metrics
 * against the champion's test interval), health, and the open alerts with Acknowledge and
 * Resolve — and, until monitoring has run, an empty state that says how monitoring starts.
 * Opened from the Alerts view, the dashboard, a notification and the command palette;
 * restored after a window reload by its serializer.
 */
import * as vscode from 'vscode';
import type { DriftPageState, DriftRendering, DriftSection, DriftState, DriftToHost, DriftToPage } from '../../../webview/drift/protocol';
import type { ProjectState } from '../state/projectState';
import { WebviewChannel } from '../webview/channel';
import { webviewHtml, webviewOptions } from '../webview/html';
import { COMMAND_IDS } from '../commandIds';
import type { AlertProvider } from './alertProvider';
import type { MonitorService } from './monitorService';

/** What the panel reads monitoring from (the monitor service; tests may pass their own). */
export type MonitorSource = Pick<MonitorService, 'monitoring' | 'health' | 'status' | 'onDidChange'>;

export interface DriftPanelDeps {
  extensionUri: vscode.Uri;
  alerts: AlertProvider;
  state: ProjectState;
  /** Snapshots and health; without it the panel shows alerts only. */
  monitor?: MonitorSource;
}

export class DriftPanel implements vscode.Disposable {
  static readonly viewType = 'mlloop.drift';
  private static open: DriftPanel | undefined;
  private readonly channel: WebviewChannel<DriftToPage, DriftToHost>;
  private readonly disposables: vscode.Disposable[] = [];
  private lastRendering: DriftRendering | undefined;

  /** The open panel of this window, if any. */
  static get current(): DriftPanel | undefined {
    return DriftPanel.open;
  }

  /**
   * Shows the panel (creating it in the active editor column when none is open) and, with
   * `focusAlertId`, scrolls to that alert and highlights it.
   */
  static show(deps: DriftPanelDeps, focusAlertId?: string): DriftPanel {
    const existing = DriftPanel.open;
    if (existing) {
      existing.panel.reveal();
      if (focusAlertId) existing.focus(focusAlertId);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(DriftPanel.viewType, 'Drift & Alerts', vscode.ViewColumn.Active, webviewOptions(deps.extensionUri));
    return new DriftPanel(panel, deps, focusAlertId ?? null);
  }

  /** Restores a panel VS Code kept across a window reload (the page's saved state brings the focus back). */
  static registerSerializer(deps: DriftPanelDeps): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(DriftPanel.viewType, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, saved: DriftPageState | undefined) => {
        panel.webview.options = webviewOptions(deps.extensionUri);
        DriftPanel.open?.panel.dispose();
        new DriftPanel(panel, deps, saved?.schemaVersion === 1 ? saved.focusAlertId : null);
      },
    });
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: DriftPanelDeps,
    private focusAlertId: string | null,
  ) {
    DriftPanel.open = this;
    panel.webview.html = webviewHtml(panel.webview, deps.extensionUri, 'drift', 'ML Loop: Drift & Alerts');
    this.channel = new WebviewChannel<DriftToPage, DriftToHost>(panel.webview, {
      onReady: () => this.postSnapshot(),
      onMessage: (m) => this.receive(m),
    });
    this.disposables.push(
      this.channel,
      deps.alerts.onDidChange(() => this.postSnapshot()),
      deps.state.onDidChange(() => this.postSnapshot()),
      ...(deps.monitor ? [deps.monitor.onDidChange(() => this.postSnapshot())] : []),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** What the page last reported it shows (undefined until it has rendered once). */
  get rendering(): DriftRendering | undefined {
    return this.lastRendering;
  }

  /** Scrolls to an alert and highlights it. */
  focus(alertId: string): void {
    this.focusAlertId = alertId;
    this.channel.post({ type: 'drift/focus', alertId });
  }

  /** Presses a button of the page by its control id (automation; see DriftRendering.buttons). */
  press(control: string): void {
    this.channel.post({ type: 'drift/press', control });
  }

  /** Shows this feature's histogram and history (automation; the page's picker does the same). */
  selectFeature(feature: string): void {
    this.channel.post({ type: 'drift/selectFeature', feature });
  }

  /** Scrolls the page to a section (automation: screenshots). */
  reveal(section: DriftSection): void {
    this.channel.post({ type: 'drift/reveal', section });
  }

  /** The state the page draws. */
  snapshotState(): DriftState {
    const snapshot = this.deps.state.snapshot;
    return {
      project: snapshot ? { name: snapshot.name } : null,
      currentModel: snapshot?.current ? { version: snapshot.current.version, createdAt: snapshot.current.createdAt } : null,
      alerts: [...this.deps.alerts.all],
      focusAlertId: this.focusAlertId,
      monitoring: this.deps.monitor?.monitoring ?? null,
      health: this.deps.monitor?.health ?? null,
      monitor: this.deps.monitor?.status ?? { running: false, intervalMinutes: 0, lastRun: null },
    };
  }

  private postSnapshot(): void {
    this.channel.post({ type: 'drift/snapshot', state: this.snapshotState() });
  }

  private receive(m: DriftToHost): void {
    const failed = (e: unknown) => void vscode.window.showErrorMessage(`ML Loop: ${(e as Error).message}`);
    if (m.type === 'drift/acknowledge') this.deps.alerts.acknowledge(m.alertId).catch(failed);
    else if (m.type === 'drift/resolve') this.deps.alerts.resolve(m.alertId).catch(failed);
    else if (m.type === 'drift/runMonitor') void vscode.commands.executeCommand(COMMAND_IDS.runMonitor);
    else if (m.type === 'drift/rendered') this.lastRendering = m.rendering;
  }

  /** Closes the panel (also called when the user closes it). */
  dispose(): void {
    if (DriftPanel.open === this) DriftPanel.open = undefined;
    const owned = this.disposables.splice(0);
    for (const d of owned) d.dispose();
    this.panel.dispose();
  }
}

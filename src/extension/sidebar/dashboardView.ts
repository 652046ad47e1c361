/**
 * Host of the dashboard: the webview view at the top of the "ML Loop" sidebar. It posts a
 * full DashboardState when the page is ready and whenever the project, the alerts or the loop's
 * watcher change,
 * and the running job's progress as `dashboard/job` (throttled) in between.
 */
import * as vscode from 'vscode';
import type { DashboardRendering, DashboardToHost, DashboardToPage, ExperimentCardView, ServerCardView } from '../../../webview/dashboard/protocol';
import type { AlertProvider } from '../drift/alertProvider';
import type { MonitorService } from '../drift/monitorService';
import { dashboardMonitoring } from '../drift/driftModel';
import type { LoopWatcher } from '../loop/watcher';
import type { JobTracker } from '../state/jobs';
import type { ProjectState } from '../state/projectState';
import { WebviewChannel } from '../webview/channel';
import { webviewHtml, webviewOptions } from '../webview/html';
import { dashboardState, jobView } from './summary';

/** At most one job update per this many ms reaches the page (epochs can finish every few ms). */
const JOB_UPDATE_MS = 100;

export interface DashboardDeps {
  extensionUri: vscode.Uri;
  state: ProjectState;
  jobs: JobTracker;
  alerts: AlertProvider;
  /** Monitoring's health and newest run (the Monitoring card); absent: no card. */
  monitor?: Pick<MonitorService, 'monitoring' | 'health' | 'status' | 'onDidChange'>;
  /** The loop's watcher (whether this window runs the schedule). */
  watcher: Pick<LoopWatcher, 'status' | 'onDidChange'>;
  /** Whether the Ingest Inbox command exists in this build. */
  canIngest: boolean;
  /** False until the project state has been read once (the page says "Loading…" meanwhile). */
  isLoaded: () => boolean;
  /** The server and experiment cards (src/extension/serve/servingState.ts); without it the page has neither. */
  serving?: { cards(): { server: ServerCardView; experiment: ExperimentCardView | null }; onDidChange: vscode.Event<void> };
}

export class DashboardViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewType = 'mlloop.dashboard';
  private view: vscode.WebviewView | undefined;
  private channel: WebviewChannel<DashboardToPage, DashboardToHost> | undefined;
  private lastRendering: DashboardRendering | undefined;
  private jobTimer: NodeJS.Timeout | undefined;
  /** startedAt of the job the page was last told about (tells a new job from progress). */
  private jobStartedAt: number | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private viewDisposables: vscode.Disposable[] = [];

  constructor(private readonly deps: DashboardDeps) {
    this.disposables.push(
      deps.state.onDidChange(() => this.postSnapshot()),
      deps.alerts.onDidChange(() => this.postSnapshot()),
      deps.watcher.onDidChange(() => this.postSnapshot()),
      ...(deps.serving ? [deps.serving.onDidChange(() => this.postSnapshot())] : []),
      ...(deps.monitor ? [deps.monitor.onDidChange(() => this.postSnapshot())] : []),
      deps.jobs.onDidChange((job) => {
        // A job starting or ending changes health and buttons: a full snapshot, at once.
        // Progress in between goes as small throttled job updates.
        const startedAt = job?.startedAt;
        if (startedAt !== this.jobStartedAt) {
          this.jobStartedAt = startedAt;
          this.postSnapshot();
        } else this.scheduleJobUpdate();
      }),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    for (const d of this.viewDisposables) d.dispose();
    view.webview.options = webviewOptions(this.deps.extensionUri);
    view.webview.html = webviewHtml(view.webview, this.deps.extensionUri, 'dashboard', 'ML Loop dashboard');
    const channel = new WebviewChannel<DashboardToPage, DashboardToHost>(view.webview, {
      onReady: () => this.postSnapshot(),
      onMessage: (m) => {
        if (m.type === 'dashboard/rendered') this.lastRendering = m.rendering;
      },
    });
    this.view = view;
    this.channel = channel;
    this.viewDisposables = [
      channel,
      view.onDidDispose(() => {
        if (this.view === view) this.view = undefined;
        if (this.channel === channel) this.channel = undefined;
        this.lastRendering = undefined;
        channel.dispose();
      }),
    ];
  }

  /** What the page last reported it shows; undefined while the view is not visible or has not rendered. */
  get rendering(): DashboardRendering | undefined {
    return this.view?.visible ? this.lastRendering : undefined;
  }

  /** Presses the page's button for `command` the way a click does (automation). False when the view is not showing. */
  press(command: string): boolean {
    if (!this.channel?.isReady) return false;
    this.channel.post({ type: 'dashboard/press', command });
    return true;
  }

  /** Scrolls the page to one of its cards (automation). False when the view is not showing. */
  reveal(section: Extract<DashboardToPage, { type: 'dashboard/reveal' }>['section']): boolean {
    if (!this.channel?.isReady) return false;
    this.channel.post({ type: 'dashboard/reveal', section });
    return true;
  }

  private postSnapshot(): void {
    if (!this.channel) return;
    const snapshot = this.deps.state.snapshot;
    const folder = snapshot ? vscode.workspace.asRelativePath(snapshot.root, false) : '';
    const monitor = this.deps.monitor;
    this.channel.post({
      type: 'dashboard/snapshot',
      state: {
        ...dashboardState({
          loaded: this.deps.isLoaded(),
          snapshot,
          // asRelativePath gives the path unchanged for a workspace folder itself.
          folder: snapshot && folder !== snapshot.root ? folder : '',
          job: this.deps.jobs.current,
          alerts: this.deps.alerts.all,
          watcher: this.deps.watcher.status,
          canIngest: this.deps.canIngest,
        }),
        // The server and experiment cards, from their own state (src/extension/serve).
        ...this.deps.serving?.cards(),
        ...(monitor && snapshot ? { monitoring: dashboardMonitoring(monitor.monitoring, monitor.health, monitor.status) } : {}),
      },
    });
  }

  private scheduleJobUpdate(): void {
    if (this.jobTimer) return;
    this.jobTimer = setTimeout(() => {
      this.jobTimer = undefined;
      this.channel?.post({ type: 'dashboard/job', job: jobView(this.deps.jobs.current) });
    }, JOB_UPDATE_MS);
  }

  dispose(): void {
    if (this.jobTimer) clearTimeout(this.jobTimer);
    for (const d of [...this.disposables, ...this.viewDisposables]) d.dispose();
  }
}

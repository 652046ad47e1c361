/**
 * The run panel's host side: one webview panel per run ("Run N"). It posts the run's
 * snapshot when the page says it is ready, forwards the run's epochs live while this
 * window's job worker trains it, and posts the final status and the evaluation when the
 * training job ends (or, for runs trained elsewhere, when the project state shows the run
 * ended). Panels restore after a window reload through the serializer in ./register.ts;
 * hidden panels keep no context (the page asks again when shown).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMAND_IDS } from '../commandIds';
import { runReportPath } from '../../core/jobs/report';
import { projectPaths } from '../../core/project/workspace';
import type { RunRecord } from '../../core/store/types';
import type { CommandDeps } from '../commands';
import { WebviewChannel } from '../webview/channel';
import { webviewHtml, webviewOptions } from '../webview/html';
import type { RunRendered, RunSnapshot, RunTab, RunToHost, RunToPage } from '../../../webview/run/protocol';
import type { StoreHandle } from '../state/storeClients';
import { earlyStopEpoch, epochLogsOf, runEvaluationOf, runSummary } from './snapshot';

/** What {@link RunPanel} needs from the extension. */
export type RunPanelDeps = Pick<CommandDeps, 'context' | 'jobs' | 'state' | 'log'>;

export class RunPanel implements vscode.Disposable {
  private readonly channel: WebviewChannel<RunToPage, RunToHost>;
  private readonly disposables: vscode.Disposable[] = [];
  /** The status last posted to the page; a change means the run ended. */
  private postedStatus: RunRecord['status'] | undefined;
  /** True while this window's job worker trains the run. */
  private trainingHere = false;
  private renderedState: RunRendered | undefined;
  private readonly renderedEmitter = new vscode.EventEmitter<RunRendered>();
  private readonly disposedEmitter = new vscode.EventEmitter<void>();
  private pendingTab: RunTab | undefined;
  private isDisposed = false;

  /** Fires whenever the page reports what it has drawn. */
  readonly onDidRender = this.renderedEmitter.event;
  /** Fires once when the panel closes. */
  readonly onDidDispose = this.disposedEmitter.event;

  /**
   * @param store the project's store (released when the panel closes)
   * @param tab the tab to show first (else the saved one, or Training/Metrics by status)
   */
  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly runId: number,
    private readonly store: StoreHandle,
    private readonly deps: RunPanelDeps,
    tab?: RunTab,
  ) {
    this.pendingTab = tab;
    const { extensionUri } = deps.context;
    panel.title = `Run ${runId}`;
    panel.webview.options = webviewOptions(extensionUri);
    this.channel = new WebviewChannel<RunToPage, RunToHost>(panel.webview, {
      onReady: () => this.postSnapshot(),
      onMessage: (m) => this.receive(m),
    });
    panel.webview.html = webviewHtml(panel.webview, extensionUri, 'run', `Run ${runId}`);
    this.trainingHere = this.isTrainingHere();
    this.disposables.push(
      this.channel,
      this.renderedEmitter,
      this.disposedEmitter,
      deps.jobs.onDidEpoch((e) => {
        if (e.runId === this.runId && this.isTrainingHere()) this.channel.post({ type: 'run/epoch', runId: this.runId, logs: e.logs });
      }),
      // The training job ends after the run's final status is stored: read it then.
      deps.jobs.onDidChange(() => {
        const now = this.isTrainingHere();
        if (this.trainingHere && !now) void this.postEnd();
        this.trainingHere = now;
      }),
      // Runs trained elsewhere (the CLI, another window) end when the store says so.
      deps.state.onDidChange((snapshot) => {
        if (!snapshot || snapshot.root !== this.root) return;
        const run = snapshot.runs.find((r) => r.id === this.runId);
        if (run && this.postedStatus !== undefined && run.status !== this.postedStatus) void this.postEnd();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Project folder of the run. */
  get root(): string {
    return this.store.root;
  }

  /** What the page last reported it has drawn (undefined until it has rendered once). */
  get rendered(): RunRendered | undefined {
    return this.renderedState;
  }

  /** Brings the panel to the front, optionally at a tab. */
  reveal(tab?: RunTab): void {
    this.panel.reveal(undefined, false);
    if (tab) {
      if (this.channel.isReady && this.panel.visible) this.channel.post({ type: 'run/showTab', tab });
      else this.pendingTab = tab;
    }
  }

  private isTrainingHere(): boolean {
    const job = this.deps.jobs.current;
    return (job?.kind === 'train' || job?.kind === 'retrain') && job.runId === this.runId && path.resolve(job.root) === path.resolve(this.root);
  }

  private async postSnapshot(): Promise<void> {
    let snapshot: RunSnapshot | undefined;
    try {
      snapshot = await this.buildSnapshot();
    } catch (e) {
      this.deps.log.error(`run panel ${this.runId}: reading the run failed: ${(e as Error).message}`, e);
      this.channel.post({ type: 'run/missing', runId: this.runId, message: `Could not read run ${this.runId}: ${(e as Error).message}` });
      return;
    }
    if (this.isDisposed) return;
    if (!snapshot) {
      this.channel.post({ type: 'run/missing', runId: this.runId, message: `Run ${this.runId} is not in the store of ${this.root} (it may have been deleted).` });
      return;
    }
    this.postedStatus = snapshot.summary.status;
    this.channel.post({ type: 'run/snapshot', snapshot });
    if (this.pendingTab) {
      this.channel.post({ type: 'run/showTab', tab: this.pendingTab });
      this.pendingTab = undefined;
    }
    // The job may have ended between reading the run and posting it: catch up at once.
    if (snapshot.summary.status === 'running' && !this.isTrainingHere()) await this.postEnd();
  }

  private async buildSnapshot(): Promise<RunSnapshot | undefined> {
    const found = await this.store.runWithEpochs(this.runId);
    if (!found) return undefined;
    const { run } = found;
    const summary = runSummary(run, await this.summaryExtras(run));
    // Epochs are stored when training ends; until then the running job holds them. Read them
    // after the last await: epochs that arrive later are posted after this snapshot (the page
    // skips repeats), and none can slip in between.
    const live = run.status === 'running' && this.isTrainingHere();
    const epochs = live ? [...(this.deps.jobs.current?.epochs ?? [])] : epochLogsOf(found.epochs);
    return {
      summary,
      epochs,
      bestEpoch: run.status === 'running' ? null : run.bestEpoch,
      stoppedAt: earlyStopEpoch(summary, epochs),
      live,
      evaluation: run.status === 'completed' ? runEvaluationOf(run) : null,
    };
  }

  private async summaryExtras(run: RunRecord) {
    const summary = await this.store.summary().catch(() => undefined);
    const snapshot = this.deps.state.snapshot;
    return {
      root: this.root,
      projectName: snapshot?.root === this.root ? snapshot.name : path.basename(this.root),
      reportAvailable: fs.existsSync(runReportPath(projectPaths(this.root), run.id)),
      comparableRuns: (summary?.runs ?? []).filter((r) => r.id !== run.id && r.status === 'completed' && r.modelVersion).length,
    };
  }

  /** The run left the status the page shows: post the final status, epochs and evaluation. */
  private async postEnd(): Promise<void> {
    const found = await this.store.runWithEpochs(this.runId).catch((e: Error) => {
      this.deps.log.error(`run panel ${this.runId}: reading the finished run failed: ${e.message}`, e);
      return undefined;
    });
    if (!found || this.isDisposed) return;
    const { run } = found;
    if (run.status === 'running' || run.status === this.postedStatus) return;
    const summary = runSummary(run, await this.summaryExtras(run));
    const epochs = epochLogsOf(found.epochs);
    this.postedStatus = run.status;
    this.channel.post({ type: 'run/finished', summary, epochs, bestEpoch: run.bestEpoch, stoppedAt: earlyStopEpoch(summary, epochs) });
    const evaluation = run.status === 'completed' ? runEvaluationOf(run) : null;
    if (evaluation) this.channel.post({ type: 'run/evaluation', runId: this.runId, evaluation });
  }

  private async receive(m: RunToHost): Promise<void> {
    switch (m.type) {
      case 'run/rendered':
        this.renderedState = m.rendered;
        this.renderedEmitter.fire(m.rendered);
        return;
      case 'run/openReport':
        await this.openReport();
        return;
      case 'run/compareWith':
        await this.compareWith();
        return;
    }
  }

  /**
   * Opens .mlloop/reports/run-<id>.html: in the system browser when VS Code runs locally,
   * else (remote: the browser cannot read the server's files) as a text document.
   */
  private async openReport(): Promise<void> {
    const file = runReportPath(projectPaths(this.root), this.runId);
    if (!fs.existsSync(file)) {
      void vscode.window.showWarningMessage(`ML Loop: run ${this.runId} has no HTML report (${file}). Reports are written when a run completes.`);
      return;
    }
    const uri = vscode.Uri.file(file);
    if (!vscode.env.remoteName && (await vscode.env.openExternal(uri))) return;
    await vscode.window.showTextDocument(uri, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  /** Asks which other completed run to compare with, then opens the compare panel. */
  private async compareWith(): Promise<void> {
    const summary = await this.store.summary().catch(() => undefined);
    const runs = (summary?.runs ?? []).filter((r) => r.id !== this.runId && r.status === 'completed' && r.modelVersion);
    if (runs.length === 0) {
      void vscode.window.showInformationMessage('ML Loop: there is no other completed run to compare with. Train again (e.g. after changing mlloop.yaml) and compare the two.');
      return;
    }
    const picked = await vscode.window.showQuickPick(
      runs.map((r) => ({ label: `Run ${r.id}`, description: [r.modelVersion, r.finishedAt ?? r.startedAt].filter(Boolean).join(' · '), detail: headline(r.metrics), run: r })),
      { placeHolder: `Compare run ${this.runId} with…` },
    );
    if (!picked) return;
    // The older run is the baseline: deltas read as "what the newer run changed".
    const ids = [this.runId, picked.run.id].sort((a, b) => a - b);
    await vscode.commands.executeCommand(COMMAND_IDS.compareRuns, ids, this.root);
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.disposedEmitter.fire();
    for (const d of this.disposables) d.dispose();
    this.store.release();
    this.panel.dispose();
  }
}

function headline(metrics: Record<string, number> | null): string {
  if (!metrics) return '';
  return ['accuracy', 'f1_macro', 'roc_auc', 'log_loss', 'r2', 'mae']
    .filter((k) => typeof metrics[k] === 'number')
    .map((k) => `${k} ${metrics[k].toFixed(4)}`)
    .join(' · ');
}

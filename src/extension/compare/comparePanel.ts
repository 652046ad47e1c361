/**
 * The compare panel's host side: two or more runs side by side. The snapshot (metrics with
 * deltas, curves, confusion differences, config differences) is read from the store; the
 * examples whose prediction changed are computed in the job worker (both models score the
 * newer run's test split; tfjs never loads on this thread), one pair at a time, cached.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMAND_IDS } from '../commandIds';
import type { RunRecord } from '../../core/store/types';
import { CancelledError } from '../../core/util/errors';
import { runJobInWorker } from '../../worker/client';
import type { CommandDeps } from '../commands';
import type { StoreHandle } from '../state/storeClients';
import { WebviewChannel } from '../webview/channel';
import { webviewHtml, webviewOptions } from '../webview/html';
import type { ChangesState, CompareRendered, CompareSnapshot, CompareTab, CompareToHost, CompareToPage } from '../../../webview/compare/protocol';
import { comparedRun, configDifferences, confusionDifference, metricComparison } from './model';

export type ComparePanelDeps = Pick<CommandDeps, 'context' | 'jobs' | 'state' | 'log'>;

export class ComparePanel implements vscode.Disposable {
  private readonly channel: WebviewChannel<CompareToPage, CompareToHost>;
  private readonly disposables: vscode.Disposable[] = [];
  /** Changed-predictions results per other run id (first run is always the base). */
  private readonly changes = new Map<number, ChangesState>();
  private readonly abort = new AbortController();
  private renderedState: CompareRendered | undefined;
  private readonly renderedEmitter = new vscode.EventEmitter<CompareRendered>();
  private readonly disposedEmitter = new vscode.EventEmitter<void>();
  /** Completed run ids in snapshot order (set when the snapshot is built). */
  private comparedIds: number[] = [];
  private isDisposed = false;
  private pendingTab: CompareTab | undefined;

  readonly onDidRender = this.renderedEmitter.event;
  readonly onDidDispose = this.disposedEmitter.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly runIds: readonly number[],
    private readonly store: StoreHandle,
    private readonly deps: ComparePanelDeps,
    tab?: CompareTab,
  ) {
    this.pendingTab = tab;
    const { extensionUri } = deps.context;
    panel.title = `Compare runs ${runIds.join(', ')}`;
    panel.webview.options = webviewOptions(extensionUri);
    this.channel = new WebviewChannel<CompareToPage, CompareToHost>(panel.webview, {
      onReady: () => this.postSnapshot(),
      onMessage: (m) => this.receive(m),
    });
    panel.webview.html = webviewHtml(panel.webview, extensionUri, 'compare', panel.title);
    this.disposables.push(
      this.channel,
      this.renderedEmitter,
      this.disposedEmitter,
      // A compared run deleted or recomputed elsewhere: show the new truth.
      deps.state.onDidChange((snapshot) => {
        if (!snapshot || snapshot.root !== this.root || !this.channel.isReady) return;
        const changed = this.runIds.some((id) => {
          const run = snapshot.runs.find((r) => r.id === id);
          return (run?.status === 'completed') !== this.comparedIds.includes(id);
        });
        if (changed) void this.postSnapshot();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Project folder of the runs. */
  get root(): string {
    return this.store.root;
  }

  /** What the page last reported it has drawn. */
  get rendered(): CompareRendered | undefined {
    return this.renderedState;
  }

  /** Brings the panel to the front, optionally at a tab. */
  reveal(tab?: CompareTab): void {
    this.panel.reveal(undefined, false);
    if (tab) {
      if (this.channel.isReady) this.channel.post({ type: 'compare/showTab', tab });
      else this.pendingTab = tab;
    }
  }

  private async postSnapshot(): Promise<void> {
    let snapshot: CompareSnapshot;
    try {
      snapshot = await this.buildSnapshot();
    } catch (e) {
      this.deps.log.error(`compare panel: reading runs ${this.runIds.join(', ')} failed: ${(e as Error).message}`, e);
      snapshot = { root: this.root, projectName: path.basename(this.root), runs: [], skipped: this.runIds.map((id) => ({ id, reason: `could not be read: ${(e as Error).message}` })), metricRows: [], configDifferences: [], confusion: [], changes: [] };
    }
    if (this.isDisposed) return;
    this.channel.post({ type: 'compare/snapshot', snapshot });
    if (this.pendingTab) {
      this.channel.post({ type: 'compare/showTab', tab: this.pendingTab });
      this.pendingTab = undefined;
    }
    // Start on the first pair at once: it is what the changes tab shows first.
    const [, second] = snapshot.runs;
    if (second && !this.changes.has(second.id)) void this.computeChanges(second.id);
  }

  private async buildSnapshot(): Promise<CompareSnapshot> {
    const found: Array<{ run: RunRecord; epochs: Parameters<typeof comparedRun>[1] }> = [];
    const skipped: CompareSnapshot['skipped'] = [];
    for (const id of this.runIds) {
      const r = await this.store.runWithEpochs(id);
      if (!r) skipped.push({ id, reason: 'not in the store (deleted?)' });
      else if (r.run.status !== 'completed') skipped.push({ id, reason: `${r.run.status}, not completed` });
      else found.push(r);
    }
    const runs = found.map((f) => comparedRun(f.run, f.epochs));
    this.comparedIds = runs.map((r) => r.id);
    const snapshot = this.deps.state.snapshot;
    return {
      root: this.root,
      projectName: snapshot?.root === this.root ? snapshot.name : path.basename(this.root),
      runs,
      skipped,
      metricRows: metricComparison(runs),
      configDifferences: configDifferences(found.map((f) => f.run.config)),
      confusion: runs.slice(1).map((r) => confusionDifference(runs[0], r)),
      changes: [...this.changes.values()].filter((c) => this.comparedIds.includes(c.otherRunId) && c.baseRunId === runs[0]?.id),
    };
  }

  /** Runs the comparePredictions job for (first run, otherRunId), posting its states. */
  private async computeChanges(otherRunId: number): Promise<void> {
    const baseRunId = this.comparedIds[0];
    if (baseRunId === undefined || baseRunId === otherRunId || !this.comparedIds.includes(otherRunId)) return;
    const existing = this.changes.get(otherRunId);
    if (existing && existing.status !== 'failed') {
      this.channel.post({ type: 'compare/changes', changes: existing });
      return;
    }
    const set = (c: ChangesState) => {
      this.changes.set(otherRunId, c);
      if (!this.isDisposed) this.channel.post({ type: 'compare/changes', changes: c });
    };
    set({ status: 'computing', baseRunId, otherRunId });
    try {
      const result = await runJobInWorker(
        { kind: 'comparePredictions', root: this.root, baseRunId, otherRunId, backend: vscode.workspace.getConfiguration('mlloop').get('backend', 'auto') },
        { workerScript: this.deps.context.asAbsolutePath(path.join('dist', 'worker.js')), signal: this.abort.signal },
      );
      set({ status: 'done', baseRunId, otherRunId, result });
    } catch (e) {
      if (e instanceof CancelledError || this.isDisposed) {
        this.changes.delete(otherRunId);
        return;
      }
      const message = e instanceof Error ? e.message : String(e);
      this.deps.log.error(`compare runs ${baseRunId} and ${otherRunId}: ${message}`, e);
      set({ status: 'failed', baseRunId, otherRunId, message });
    }
  }

  private async receive(m: CompareToHost): Promise<void> {
    switch (m.type) {
      case 'compare/selectOther':
        await this.computeChanges(m.otherRunId);
        return;
      case 'compare/openRun':
        await vscode.commands.executeCommand(COMMAND_IDS.openRun, m.runId, this.root);
        return;
      case 'compare/rendered':
        this.renderedState = m.rendered;
        this.renderedEmitter.fire(m.rendered);
        return;
    }
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.abort.abort();
    this.disposedEmitter.fire();
    for (const d of this.disposables) d.dispose();
    this.store.release();
    this.panel.dispose();
  }
}

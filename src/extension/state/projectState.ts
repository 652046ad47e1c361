/**
 * What the views show about the workspace's ML Loop project: config status, data counts,
 * runs and models. Refreshed when the store file or mlloop.yaml changes on disk (any
 * process may write them: the job worker, the CLI, another window).
 *
 * The store is read in a worker thread (src/worker/storeWorker.ts) that keeps it open: a
 * large store must never be read and deserialised on the extension host's thread. The
 * worker opens the store only when its file exists, so looking never creates one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseProject } from '../../core/project/parse';
import type { ProjectConfig } from '../../core/project/types';
import { projectPaths } from '../../core/project/workspace';
import type { EpochRecord, ModelRecord, RunRecord } from '../../core/store/types';
import { StoreClient } from '../../worker/storeClient';
import { findProjectRoots } from '../project';

export interface ProjectSnapshot {
  root: string;
  name: string;
  /** Parsed config, or undefined with the number of problems when mlloop.yaml is invalid. */
  config: ProjectConfig | undefined;
  configProblems: number;
  examples: number;
  /** Examples imported after the newest completed run started (what retraining would add). */
  examplesSinceLastRun: number;
  /** Newest first. */
  runs: RunRecord[];
  /** Newest first. */
  models: ModelRecord[];
  /** The model predictions use now: the newest (the registry's champion alias comes later). */
  current: ModelRecord | undefined;
}

export class ProjectState implements vscode.Disposable {
  private rootPath: string | undefined;
  /** The store worker of `root`; replaced when the root changes. */
  private store: { root: string; client: StoreClient } | undefined;
  private latest: ProjectSnapshot | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<ProjectSnapshot | undefined>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> = Promise.resolve();
  /** Fires after every refresh with the new snapshot (undefined: no project). */
  readonly onDidChange = this.changed.event;

  /** @param storeWorkerScript absolute path of dist/storeWorker.js */
  constructor(private readonly storeWorkerScript: string) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/{mlloop.yaml,.mlloop/store.sqlite}');
    const later = () => this.scheduleRefresh();
    this.disposables.push(watcher, watcher.onDidChange(later), watcher.onDidCreate(later), watcher.onDidDelete(later), this.changed);
  }

  get root(): string | undefined {
    return this.rootPath;
  }

  get snapshot(): ProjectSnapshot | undefined {
    return this.latest;
  }

  /** Makes `root` the project the views show (commands call this for the project they act on). */
  async setRoot(root: string): Promise<void> {
    if (root === this.rootPath) return this.refresh();
    // The root changes first, so a refresh that starts while the old worker shuts down
    // already reads the new project.
    this.rootPath = root;
    await this.closeStore();
    return this.refresh();
  }

  /** Picks the first project of the workspace when none is set, then refreshes. */
  async initialize(): Promise<void> {
    // A root set while the search ran (a command picked a project) wins over the first one found.
    const first = (await findProjectRoots())[0];
    this.rootPath ??= first;
    return this.refresh();
  }

  scheduleRefresh(delayMs = 250): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh(), delayMs);
  }

  /** Re-reads config and store; concurrent calls run one after another. */
  refresh(): Promise<void> {
    this.refreshing = this.refreshing.then(() => this.load()).catch(() => undefined);
    return this.refreshing;
  }

  /** A run with its epochs (for the run panel). */
  async runWithEpochs(id: number): Promise<{ run: RunRecord; epochs: EpochRecord[] } | undefined> {
    return (await this.client()?.request({ method: 'runWithEpochs', runId: id })) ?? undefined;
  }

  /** Deletes a run (its model bundle stays; models are removed with the registry's commands). */
  async deleteRun(id: number): Promise<void> {
    await this.client()?.request({ method: 'deleteRun', runId: id });
    await this.refresh();
  }

  /** The store worker of the current root (never another project's). */
  private client(): StoreClient | undefined {
    const root = this.rootPath;
    if (!root) return undefined;
    if (this.store?.root !== root) {
      void this.store?.client.dispose();
      this.store = { root, client: new StoreClient(this.storeWorkerScript, projectPaths(root).storeFile) };
    }
    return this.store.client;
  }

  private async closeStore(): Promise<void> {
    const s = this.store;
    this.store = undefined;
    await s?.client.dispose();
  }

  private async load(): Promise<void> {
    const root = this.rootPath;
    if (!root || !fs.existsSync(path.join(root, 'mlloop.yaml'))) {
      this.latest = undefined;
      this.changed.fire(undefined);
      return;
    }
    const parsed = parseProject(fs.readFileSync(path.join(root, 'mlloop.yaml'), 'utf8'), path.basename(root));
    const snapshot: ProjectSnapshot = {
      root,
      name: parsed.ok ? parsed.config.name : path.basename(root),
      config: parsed.ok ? parsed.config : undefined,
      configProblems: parsed.ok ? 0 : parsed.problems.length,
      examples: 0,
      examplesSinceLastRun: 0,
      runs: [],
      models: [],
      current: undefined,
    };
    const summary = await this.client()
      ?.request({ method: 'summary' })
      .catch(() => null);
    // The root changed while we read: that project's refresh publishes instead.
    if (this.rootPath !== root) return;
    if (summary) {
      snapshot.examples = summary.examples;
      snapshot.examplesSinceLastRun = summary.examplesSinceLastRun;
      snapshot.runs = summary.runs;
      snapshot.models = summary.models;
      snapshot.current = summary.models[0];
    }
    this.latest = snapshot;
    this.changed.fire(snapshot);
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    void this.closeStore();
    for (const d of this.disposables) d.dispose();
  }
}

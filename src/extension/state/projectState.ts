/**
 * What the views show about the workspace's ML Loop project: config status, data counts,
 * runs and models. Refreshed when the store file or mlloop.yaml changes on disk (any
 * process may write them: the job worker, the CLI, another window).
 *
 * Reads go straight to the sql.js store on this thread: they are short (a few queries on a
 * database already in memory). The store is opened only when its file exists, so looking
 * never creates one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseProject } from '../../core/project/parse';
import type { ProjectConfig } from '../../core/project/types';
import { projectPaths } from '../../core/project/workspace';
import type { EpochRecord, ModelRecord, RunRecord, Store } from '../../core/store/types';
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
  private store: Store | undefined;
  private latest: ProjectSnapshot | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<ProjectSnapshot | undefined>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> = Promise.resolve();
  /** Fires after every refresh with the new snapshot (undefined: no project). */
  readonly onDidChange = this.changed.event;

  constructor() {
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
    await this.closeStore();
    this.rootPath = root;
    return this.refresh();
  }

  /** Picks the first project of the workspace when none is set, then refreshes. */
  async initialize(): Promise<void> {
    if (!this.rootPath) this.rootPath = (await findProjectRoots())[0];
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
    const store = await this.openStore();
    if (!store) return undefined;
    const run = await store.getRun(id);
    return run ? { run, epochs: await store.listEpochs(id) } : undefined;
  }

  /** Deletes a run (its model bundle stays; models are removed with the registry's commands). */
  async deleteRun(id: number): Promise<void> {
    const store = await this.openStore();
    await store?.deleteRun(id);
    await this.refresh();
  }

  private async openStore(): Promise<Store | undefined> {
    if (this.store) return this.store;
    if (!this.rootPath) return undefined;
    const file = projectPaths(this.rootPath).storeFile;
    if (!fs.existsSync(file)) return undefined;
    // Loaded on first use, not at activation: sql.js brings a WebAssembly module.
    const { SqliteStore } = await import('../../core/store/sqlite');
    this.store = await SqliteStore.open(file, { purpose: 'ML Loop (VS Code views)' });
    return this.store;
  }

  private async closeStore(): Promise<void> {
    const s = this.store;
    this.store = undefined;
    await s?.close();
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
    const store = await this.openStore().catch(() => undefined);
    if (store) {
      snapshot.examples = await store.countExamples();
      snapshot.runs = await store.listRuns({ limit: 200 });
      snapshot.models = await store.listModels();
      snapshot.current = snapshot.models[0];
      const lastCompleted = snapshot.runs.find((r) => r.status === 'completed');
      snapshot.examplesSinceLastRun = lastCompleted ? await store.countExamples({ importedAfter: lastCompleted.startedAt }) : snapshot.examples;
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

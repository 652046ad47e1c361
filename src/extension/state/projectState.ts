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
import type { LoopCounters } from '../../core/loop/schedule';
import type { CycleRecord, EpochRecord, ModelRecord, RunRecord } from '../../core/store/types';
import type { MonitoringSummary, RegistrySummary, ServingSummary } from '../../worker/storeProtocol';
import type { StoredAlert } from '../../core/store/types';
import { coalesced } from './coalesce';
import { StoreClients, type StoreHandle } from './storeClients';
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
  /** Newest first: every version, the champion and the archived ones. */
  models: ModelRecord[];
  /**
   * "The model" — what predict, evaluate and apps use — as the registry decides it (core's
   * currentModel): the champion, else (nothing promoted yet) the newest. Never decided here.
   */
  current: ModelRecord | undefined;
  /** Why `current` is the model: 'champion' (the alias names it) or 'newest' (nothing promoted yet). */
  currentWhy: 'champion' | 'newest' | undefined;
  /** The champion alias, the history of promotions, rejections and rollbacks (oldest first). */
  registry: RegistrySummary;
  /** Retraining cycles, newest first (at most 50). */
  cycles: CycleRecord[];
  /** What the schedule counts from: the last cycle that ran, the last full one, labels since. */
  loop: LoopCounters;
}

const EMPTY_REGISTRY: RegistrySummary = { champion: null, current: null, history: [] };

export class ProjectState implements vscode.Disposable {
  private rootPath: string | undefined;
  /** This state's hold on the current root's store worker; released when the root changes. */
  private store: StoreHandle | undefined;
  /** The store workers of every project, shared with the panels. */
  readonly stores: StoreClients;
  private latest: ProjectSnapshot | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<ProjectSnapshot | undefined>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly reload = coalesced(() => this.load());
  /** Fires after every refresh with the new snapshot (undefined: no project). */
  readonly onDidChange = this.changed.event;

  /** @param storeWorkerScript absolute path of dist/storeWorker.js */
  constructor(storeWorkerScript: string) {
    this.stores = new StoreClients(storeWorkerScript);
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
    this.closeStore();
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

  /**
   * Re-reads config and store, coalesced (see ./coalesce.ts): the file watcher asks after every
   * commit to the store, and while a training writes each load took longer than the 250 ms
   * debounce.
   */
  refresh(): Promise<void> {
    return this.reload();
  }

  /** A run with its epochs (for the run panel). */
  async runWithEpochs(id: number): Promise<{ run: RunRecord; epochs: EpochRecord[] } | undefined> {
    return this.client()?.runWithEpochs(id);
  }

  /** The registry read fresh from the store (undefined: no store yet). */
  async registry(): Promise<RegistrySummary | undefined> {
    return this.client()?.registry();
  }

  /**
   * The servers the store records and the report of mlloop.yaml's experiment, read fresh
   * (undefined: no project or no store yet).
   */
  async serving(): Promise<ServingSummary | undefined> {
    const snapshot = this.latest;
    if (!snapshot || snapshot.root !== this.rootPath) return undefined;
    return this.client()?.serving(snapshot.config?.experiment ?? null);
  }

  /** Open alerts and the newest `limit` monitoring snapshots of the current project (undefined: no project or no store yet). */
  async monitoring(limit: number): Promise<MonitoringSummary | undefined> {
    return this.client()?.monitoring(limit);
  }

  /** core's acknowledgeAlert on the current project's store (in its store worker). */
  async acknowledgeAlert(alertId: number, by: string): Promise<StoredAlert | undefined> {
    return this.client()?.acknowledgeAlert(alertId, by);
  }

  /** core's resolveAlert on the current project's store (in its store worker). */
  async resolveAlert(alertId: number, by: string): Promise<StoredAlert | undefined> {
    return this.client()?.resolveAlert(alertId, by);
  }

  /** Deletes a run (its model bundle stays; models are removed with the registry's commands). */
  async deleteRun(id: number): Promise<void> {
    await this.client()?.deleteRun(id);
    await this.refresh();
  }

  /** The store of the current root (never another project's). */
  private client(): StoreHandle | undefined {
    const root = this.rootPath;
    if (!root) return undefined;
    if (this.store?.root !== root) {
      this.store?.release();
      this.store = this.stores.acquire(root);
    }
    return this.store;
  }

  private closeStore(): void {
    this.store?.release();
    this.store = undefined;
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
      currentWhy: undefined,
      registry: EMPTY_REGISTRY,
      cycles: [],
      loop: { lastCycle: undefined, lastFull: undefined, newLabels: 0 },
    };
    const summary = await this.client()
      ?.summary()
      .catch(() => undefined);
    // The root changed while we read: that project's refresh publishes instead.
    if (this.rootPath !== root) return;
    if (summary) {
      snapshot.examples = summary.examples;
      snapshot.examplesSinceLastRun = summary.examplesSinceLastRun;
      snapshot.runs = summary.runs;
      snapshot.models = summary.models;
      snapshot.registry = summary.registry;
      snapshot.current = summary.registry.current ? summary.models.find((m) => m.version === summary.registry.current!.version) : undefined;
      snapshot.currentWhy = snapshot.current ? summary.registry.current!.why : undefined;
      snapshot.cycles = summary.cycles;
      snapshot.loop = summary.loop;
    }
    this.latest = snapshot;
    this.changed.fire(snapshot);
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.closeStore();
    this.stores.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

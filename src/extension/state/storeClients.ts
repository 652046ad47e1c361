/**
 * The extension's store workers: one StoreClient per project root, shared by everything that
 * reads that project (the views' ProjectState, every run and compare panel) and stopped when
 * the last of them lets go. One worker per project matters: each holds the whole store in
 * memory. Holders are counted, so the views switching project never cuts off a panel's reads.
 */
import * as vscode from 'vscode';
import type { EpochRecord, RunRecord, StoredAlert } from '../../core/store/types';
import { StoreClient } from '../../worker/storeClient';
import type { ExperimentConfig } from '../../core/project/types';
import type { MonitoringSummary, RegistrySummary, ServingSummary, StoreSummary } from '../../worker/storeProtocol';

/** A project's store as a holder reads it; call release() when done with it. */
export interface StoreHandle {
  readonly root: string;
  /** The run and its epochs; undefined when the run or the store does not exist. */
  runWithEpochs(runId: number): Promise<{ run: RunRecord; epochs: EpochRecord[] } | undefined>;
  /** Runs (newest first, at most 200), models, the registry, cycles; undefined when there is no store yet. */
  summary(): Promise<StoreSummary | undefined>;
  /** The registry alone, read fresh; undefined when there is no store yet. */
  registry(): Promise<RegistrySummary | undefined>;
  deleteRun(runId: number): Promise<void>;
  /** The servers recorded in the store and the report of `experiment` (mlloop.yaml's); undefined when there is no store yet. */
  serving(experiment: ExperimentConfig | null): Promise<ServingSummary | undefined>;
  /** Open alerts and the newest `limit` monitoring snapshots; undefined when there is no store yet. */
  monitoring(limit: number): Promise<MonitoringSummary | undefined>;
  /** core's acknowledgeAlert / resolveAlert in the store worker. @throws UserError for an unknown or (ack) resolved alert. */
  acknowledgeAlert(alertId: number, by: string): Promise<StoredAlert | undefined>;
  resolveAlert(alertId: number, by: string): Promise<StoredAlert | undefined>;
  release(): void;
}

export class StoreClients implements vscode.Disposable {
  private readonly clients = new Map<string, { client: StoreClient; users: number }>();

  /** @param workerScript absolute path of dist/storeWorker.js */
  constructor(private readonly workerScript: string) {}

  /** A handle on `root`'s store; the worker starts on the first read. */
  acquire(root: string): StoreHandle {
    let entry = this.clients.get(root);
    if (!entry) {
      entry = { client: new StoreClient(this.workerScript, root), users: 0 };
      this.clients.set(root, entry);
    }
    entry.users++;
    const { client } = entry;
    let released = false;
    return {
      root,
      runWithEpochs: async (runId) => (await client.request({ method: 'runWithEpochs', runId })) ?? undefined,
      summary: async () => (await client.request({ method: 'summary' })) ?? undefined,
      registry: async () => (await client.request({ method: 'registry' })) ?? undefined,
      deleteRun: async (runId) => {
        await client.request({ method: 'deleteRun', runId });
      },
      serving: async (experiment) => (await client.request({ method: 'serving', experiment })) ?? undefined,
      monitoring: async (limit) => (await client.request({ method: 'monitoring', limit })) ?? undefined,
      acknowledgeAlert: async (alertId, by) => (await client.request({ method: 'acknowledgeAlert', alertId, by })) ?? undefined,
      resolveAlert: async (alertId, by) => (await client.request({ method: 'resolveAlert', alertId, by })) ?? undefined,
      release: () => {
        if (released) return;
        released = true;
        const current = this.clients.get(root);
        if (current?.client !== client) return;
        current.users--;
        if (current.users <= 0) {
          this.clients.delete(root);
          void client.dispose();
        }
      },
    };
  }

  /** Reads once and lets go (quick picks of a project's runs). */
  async withStore<T>(root: string, fn: (store: StoreHandle) => Promise<T>): Promise<T> {
    const store = this.acquire(root);
    try {
      return await fn(store);
    } finally {
      store.release();
    }
  }

  dispose(): void {
    for (const { client } of this.clients.values()) void client.dispose();
    this.clients.clear();
  }
}

/**
 * Messages between the extension host and the store worker (dist/storeWorker.js), which
 * keeps the project's store open off the host thread: a store of a million examples
 * is hundreds of MB that would otherwise be read and deserialised on the thread that draws
 * the editor, every time a job writes to it.
 */
import type { LoopCounters } from '../core/loop/schedule';
import type { CurrentModel } from '../core/registry/registry';
import type { ExperimentReport } from '../core/experiments/report';
import type { ExperimentConfig } from '../core/project/types';
import type { CycleRecord, EpochRecord, ModelRecord, MonitorSnapshot, RegistryEvent, RunRecord, ServerRecord, StoredAlert } from '../core/store/types';

/** The registry as the views read it. */
export interface RegistrySummary {
  /** The champion alias: which version, since when (null: nothing promoted yet). */
  champion: { version: string; since: string } | null;
  /** "The model" (core's currentModel): the champion, else the newest; null when there is no model. */
  current: { version: string; why: CurrentModel['why'] } | null;
  /** Every promotion, rejection, forced promotion, rollback and import, oldest first. */
  history: RegistryEvent[];
}

export interface StoreSummary {
  examples: number;
  examplesSinceLastRun: number;
  /** Newest first, at most 200. */
  runs: RunRecord[];
  /** Newest first, every version (the registry never deletes one). */
  models: ModelRecord[];
  registry: RegistrySummary;
  /** Retraining cycles, newest first, at most 50. */
  cycles: CycleRecord[];
  /** What the schedule counts from (labels since the last cycle, the last full retrain). */
  loop: LoopCounters;
}

/** The serving side as the dashboard's server and experiment cards read it. */
export interface ServingSummary {
  /** Servers that have not said they stopped, newest first; `live` false once the heartbeat is older than 30 s. */
  servers: Array<ServerRecord & { live: boolean }>;
  /** The configured experiment's report (null without `experiment:` in mlloop.yaml). */
  experiment: ExperimentReport | null;
  /** Why the report could not be made (e.g. the store is older than the experiments' tables), when it could not. */
  experimentError: string | null;
}

/** What the Drift & Alerts panel, the Alerts view and the notifications read of monitoring. */
export interface MonitoringSummary {
  /** Open alerts (active and acknowledged), most urgent first, then newest. */
  alerts: StoredAlert[];
  /** The newest monitoring snapshots (at most `limit`), oldest first: drift over time. */
  snapshots: MonitorSnapshot[];
}

export type StoreRequest =
  | { method: 'summary' }
  | { method: 'runWithEpochs'; runId: number }
  | { method: 'deleteRun'; runId: number }
  /** The registry alone, read fresh (a rollback's confirmation names what it will do). */
  | { method: 'registry' }
  /** Servers and the experiment; `experiment` is mlloop.yaml's (the worker does not parse the project file). */
  | { method: 'serving'; experiment: ExperimentConfig | null }
  /** Open alerts and the newest `limit` monitoring snapshots. */
  | { method: 'monitoring'; limit: number }
  /** core's acknowledgeAlert / resolveAlert (the store's own units of work; `by` is recorded). */
  | { method: 'acknowledgeAlert'; alertId: number; by: string }
  | { method: 'resolveAlert'; alertId: number; by: string }
  /** Closes the store (and with it ML Loop's lock); the host sends it last, before it ends the thread. */
  | { method: 'close' };

export type StoreResponseOf<R extends StoreRequest> = R extends { method: 'summary' }
  ? StoreSummary | null
  : R extends { method: 'runWithEpochs' }
    ? { run: RunRecord; epochs: EpochRecord[] } | null
    : R extends { method: 'registry' }
      ? RegistrySummary | null
      : R extends { method: 'serving' }
        ? ServingSummary | null
        : R extends { method: 'monitoring' }
          ? MonitoringSummary | null
          : R extends { method: 'acknowledgeAlert' | 'resolveAlert' }
            ? StoredAlert | null
            : null;

/** Host → worker: a request with an id; the worker's reply carries the same id. */
export type ToStoreWorker = { id: number; request: StoreRequest };

/** Worker → host. `null` results mean "there is no store file yet". */
export type FromStoreWorker =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; message: string; userError: boolean; location?: { file?: string; line?: number; column?: number } };

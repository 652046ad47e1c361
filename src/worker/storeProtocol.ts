/**
 * Messages between the extension host and the store worker (dist/storeWorker.js), which
 * keeps the project's sql.js store open off the host thread: a store of a million examples
 * is hundreds of MB that would otherwise be read and deserialised on the thread that draws
 * the editor, every time a job writes to it.
 */
import type { EpochRecord, ModelRecord, RunRecord } from '../core/store/types';

export interface StoreSummary {
  examples: number;
  examplesSinceLastRun: number;
  /** Newest first, at most 200. */
  runs: RunRecord[];
  /** Newest first. */
  models: ModelRecord[];
}

export type StoreRequest =
  | { method: 'summary' }
  | { method: 'runWithEpochs'; runId: number }
  | { method: 'deleteRun'; runId: number };

export type StoreResponseOf<R extends StoreRequest> = R extends { method: 'summary' }
  ? StoreSummary | null
  : R extends { method: 'runWithEpochs' }
    ? { run: RunRecord; epochs: EpochRecord[] } | null
    : null;

/** Host → worker: a request with an id; the worker's reply carries the same id. */
export type ToStoreWorker = { id: number; request: StoreRequest };

/** Worker → host. `null` results mean "there is no store file yet". */
export type FromStoreWorker =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; message: string; userError: boolean; location?: { file?: string; line?: number; column?: number } };

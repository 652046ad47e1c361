/**
 * The Store: everything ML Loop remembers about a project (examples, runs, per-epoch
 * metrics, models and their bundles). One interface, two engines:
 *  - the embedded SQLite file `.mlloop/store.sqlite` (node-sqlite3-wasm: SQLite compiled to
 *    WebAssembly over Node's fs; page writes with a rollback journal), see ./sqlite.ts;
 *  - PostgreSQL for a team (several editors, CI and a scheduled job on one store), ./postgres.ts.
 * Both are the same SQL behind {@link SqlStore} (./sql/sqlStore.ts); only the connection,
 * the locking and the DDL differ.
 *
 * Async throughout; reads of many rows are streamed in batches so no job ever holds every
 * stored example as objects at once.
 */

/** A label as stored: classification labels are strings, regression labels numbers. */
export type Label = string | number;

export interface ExampleInput {
  /** Where the example came from: a file path relative to the project, 'feedback', 'cli', … */
  source: string;
  /** 1-based line in `source` where the record starts, when it came from a file. */
  sourceLine?: number;
  label: Label;
  weight?: number;
  /** The raw record exactly as read (CSV values are strings). */
  record: Record<string, unknown>;
  /** Content hash that makes importing the same file twice add nothing. */
  hash: string;
  /**
   * When the example happened (ISO-8601 UTC, e.g. '2026-11-30T08:00:00.000Z'): the project's
   * `time:` column, else the time of the record that brought it (a feedback line's time),
   * else — when omitted — the import time.
   */
  eventTime?: string;
}

export interface StoredExample {
  id: number;
  source: string;
  sourceLine: number | null;
  importedAt: string;
  /** ISO-8601 UTC; never null (examples stored before event times existed got their import time). */
  eventTime: string;
  label: Label;
  weight: number | null;
  record: Record<string, unknown>;
}

/** An example without its record: what a split needs (cheap to read for a million rows). */
export type ExampleMeta = Omit<StoredExample, 'record'>;

/**
 * Which examples a read means. Every bound is optional; all given bounds hold together.
 * Times are ISO-8601 strings compared as instants.
 */
export interface ExampleFilter {
  /** Smallest id, inclusive. */
  minId?: number;
  /** Largest id, inclusive (a run's `maxExampleId` reproduces what it saw). */
  maxId?: number;
  /** Event time at or after this instant. */
  from?: string;
  /** Event time strictly before this instant. */
  to?: string;
  /** Only these sources (exact match). */
  sources?: string[];
  /** Imported strictly after this instant (import time, not event time). */
  importedAfter?: string;
}

export interface StreamOptions {
  /** Rows per batch. Default 5000. */
  batchSize?: number;
  signal?: AbortSignal;
}

/** Counts and bounds of the stored examples, read without loading any row. */
export interface ExampleStats {
  count: number;
  /** null when there are no examples. */
  minId: number | null;
  maxId: number | null;
  firstEventTime: string | null;
  lastEventTime: string | null;
  lastImportedAt: string | null;
}

export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export interface RunRecord {
  id: number;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  /** The resolved project config the run used, decoded with today's defaults for sections it predates. */
  config: unknown;
  configHash: string;
  backend: string | null;
  /** Rows per split, classes, feature width … */
  dataCounts: Record<string, unknown> | null;
  /** Final metrics on the test split (scikit-learn names). */
  metrics: Record<string, number> | null;
  error: string | null;
  modelVersion: string | null;
  bestEpoch: number | null;
  /** Anything else computed after training (curves, intervals, importance) by later stages. */
  details: Record<string, unknown> | null;
  /** Who ran it: host and pid (the pid only means something on that host). */
  host: string | null;
  pid: number | null;
  /** Last sign of life of a running run (ISO); a running run whose heartbeat is stale is 'interrupted'. */
  heartbeatAt: string | null;
}

export interface NewRun {
  config: unknown;
  configHash: string;
  dataCounts?: Record<string, unknown>;
  /**
   * The new run's id is above this (and so is every later run's): the highest run id found
   * outside the store, in the project's reports and bundle cards on disk, so that a store
   * moved aside or reset never hands out an id whose report or bundle already exists.
   */
  idAbove?: number;
}

export type RunPatch = Partial<Pick<RunRecord, 'status' | 'finishedAt' | 'durationMs' | 'backend' | 'dataCounts' | 'metrics' | 'error' | 'modelVersion' | 'bestEpoch' | 'details'>>;

export interface EpochRecord {
  epoch: number;
  /** loss, val_loss, accuracy, … as emitted by the engine. */
  logs: Record<string, number>;
}

export interface ModelRecord {
  version: string;
  runId: number;
  createdAt: string;
  task: string;
  metrics: Record<string, number>;
  /** Folder of the bundle on disk, relative to the project folder (a copy of what the store holds). */
  path: string;
  /** sha256 over the bundle's files (see bundleDigest), or null for models stored before bundles lived in the store. */
  digest: string | null;
}

/** One file of a model bundle, kept in the store so that a version names one model on every machine. */
export interface BundleFile {
  name: string;
  bytes: Uint8Array;
}

export interface ImportBatchResult {
  inserted: number;
  duplicates: number;
}

/**
 * The reads and writes of the store. A {@link Store} runs each call as its own unit of work;
 * inside {@link Store.unitOfWork} the same calls join one transaction.
 */
export interface StoreOps {
  countExamples(filter?: ExampleFilter): Promise<number>;
  exampleStats(filter?: ExampleFilter): Promise<ExampleStats>;

  createRun(run: NewRun): Promise<number>;
  updateRun(id: number, patch: RunPatch): Promise<void>;
  /** Marks a running run as alive now (see RunRecord.heartbeatAt). */
  heartbeat(id: number): Promise<void>;
  addEpochs(runId: number, epochs: EpochRecord[]): Promise<void>;
  getRun(id: number): Promise<RunRecord | undefined>;
  /** Newest first. */
  listRuns(opts?: { limit?: number }): Promise<RunRecord[]>;
  listEpochs(runId: number): Promise<EpochRecord[]>;
  deleteRun(id: number): Promise<void>;

  /**
   * Records a model version with its bundle's files. A version is written once: adding a
   * version that exists throws (a version names one model forever).
   */
  addModel(model: ModelRecord, files?: BundleFile[]): Promise<void>;
  getModel(version: string): Promise<ModelRecord | undefined>;
  /** The bundle files stored for a version ([] for models from before bundles lived in the store). */
  getModelFiles(version: string): Promise<BundleFile[]>;
  /** Replaces a model's metrics and (after recalibration) its bundle files and digest. */
  updateModel(version: string, patch: { metrics?: Record<string, number>; files?: BundleFile[]; digest?: string }): Promise<void>;
  /** Newest first. */
  listModels(): Promise<ModelRecord[]>;
  /**
   * The highest N of any version 'vN' ever recorded (0 when none): new versions go above it.
   * Inside a unit of work it also holds version numbering until the unit ends, so two
   * processes adding models at once get different numbers.
   */
  maxModelNumber(): Promise<number>;
}

export interface Store extends StoreOps {
  /** 'sqlite' or 'postgres'. */
  readonly engine: 'sqlite' | 'postgres';
  /** The file, or the database URL without its password: for messages. */
  readonly location: string;

  /** Current schema version of the open database. */
  schemaVersion(): Promise<number>;

  /**
   * Runs `fn` as one transaction: every write made through `tx` commits together, or — if
   * `fn` throws — none does. Reads through `tx` see the transaction's own writes. Other
   * processes wait while it runs (SQLite) or do not see it until it commits (PostgreSQL).
   * Keep it short: do the slow work (training, reading files) before.
   */
  unitOfWork<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T>;

  /**
   * Inserts examples as one unit: all of them or — cancelled, failed, killed — none. Rows
   * whose hash is already stored are skipped and counted as duplicates. `batches` is
   * consumed lazily; on SQLite the rows are staged in a temporary file first and the store's
   * lock is held only while they are copied in, so a slow reader never blocks other writers.
   */
  addExamples(batches: AsyncIterable<ExampleInput[]> | Iterable<ExampleInput[]>, signal?: AbortSignal): Promise<ImportBatchResult>;

  /**
   * Examples matching `filter`, in id order, `batchSize` at a time. The upper id bound is
   * fixed when the stream starts (rows added meanwhile are not included), so the stream is
   * one consistent snapshot of an append-only table. Each batch is a short read of its own.
   */
  streamExamples(filter?: ExampleFilter, opts?: StreamOptions): AsyncIterable<StoredExample[]>;
  /** As streamExamples, without the records. */
  streamExampleMeta(filter?: ExampleFilter, opts?: StreamOptions): AsyncIterable<ExampleMeta[]>;
  /** Examples by id (any order in, id order out); for picking the rows of a split. */
  getExamples(ids: ArrayLike<number>): Promise<StoredExample[]>;

  /** Closes connections; safe to call twice. */
  close(): Promise<void>;
}

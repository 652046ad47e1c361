/**
 * The Store: everything ML Loop remembers about a project (examples, runs, per-epoch
 * metrics, models). Async from day one so that a PostgreSQL implementation can sit behind
 * the same interface; the sql.js one is in ./sqlite.ts.
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
}

export interface StoredExample {
  id: number;
  source: string;
  sourceLine: number | null;
  importedAt: string;
  label: Label;
  weight: number | null;
  record: Record<string, unknown>;
}

export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export interface RunRecord {
  id: number;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  /** The resolved project config the run used. */
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
}

export interface NewRun {
  config: unknown;
  configHash: string;
  dataCounts?: Record<string, unknown>;
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
  /** Folder of the bundle, relative to the project folder. */
  path: string;
}

export interface ImportBatchResult {
  inserted: number;
  duplicates: number;
}

export interface Store {
  /** Current schema version of the open database. */
  schemaVersion(): Promise<number>;

  /**
   * Inserts examples in one transaction; rows whose hash is already stored are skipped and
   * counted as duplicates. Nothing is written if the callback throws.
   * `batches` is consumed lazily so that huge imports stream.
   */
  addExamples(batches: AsyncIterable<ExampleInput[]> | Iterable<ExampleInput[]>, signal?: AbortSignal): Promise<ImportBatchResult>;
  countExamples(opts?: { importedAfter?: string }): Promise<number>;
  /** All examples in insertion order (id ascending). */
  listExamples(opts?: { limit?: number }): Promise<StoredExample[]>;

  createRun(run: NewRun): Promise<number>;
  updateRun(id: number, patch: RunPatch): Promise<void>;
  addEpochs(runId: number, epochs: EpochRecord[]): Promise<void>;
  getRun(id: number): Promise<RunRecord | undefined>;
  /** Newest first. */
  listRuns(opts?: { limit?: number }): Promise<RunRecord[]>;
  listEpochs(runId: number): Promise<EpochRecord[]>;
  deleteRun(id: number): Promise<void>;

  addModel(model: ModelRecord): Promise<void>;
  getModel(version: string): Promise<ModelRecord | undefined>;
  /** Replaces a model's metrics (after recalibration changes its probabilities). */
  updateModelMetrics(version: string, metrics: Record<string, number>): Promise<void>;
  /** Newest first. */
  listModels(): Promise<ModelRecord[]>;

  close(): Promise<void>;
}

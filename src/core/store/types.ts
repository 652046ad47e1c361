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
  /**
   * `JSON.stringify(record)` when the caller has built it already (the importer does, with
   * the hash); stored as the record's text. Left out, the store encodes `record`.
   */
  recordJson?: string;
  /** Content hash that makes importing the same file twice add nothing. */
  hash: string;
  /**
   * When the example happened (ISO-8601 UTC, e.g. '2026-11-30T08:00:00.000Z'): the project's
   * `time:` column, else the time of the record that brought it (a feedback line's time),
   * else — when omitted — the import time.
   */
  eventTime?: string;
}

/** An example's id and record (see Store.streamRecords). */
export interface ExampleRecord {
  id: number;
  record: Record<string, unknown>;
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
  /** The run that trained it; 0 when none did (a bundle imported with `mlloop import-model`, or its run deleted). */
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
  // ---- the loop (schema 3) ----

  /** Logs predictions; an id already logged is skipped (counted as a duplicate). */
  addPredictions(rows: PredictionInput[]): Promise<{ inserted: number; duplicates: number }>;
  /** The logged predictions with these ids (missing ids are absent from the map). */
  getPredictions(ids: string[]): Promise<Map<string, StoredPrediction>>;
  countPredictions(filter?: PredictionFilter): Promise<number>;
  /**
   * Records feedback (each `hash` once; repeats are counted as duplicates). A row with an
   * `example` also inserts that training example and links it (`exampleId`).
   */
  addFeedback(rows: Array<FeedbackInput & { example?: ExampleInput }>): Promise<{ inserted: number; duplicates: number; examples: number }>;
  addOutcomes(rows: Array<OutcomeInput & { example?: ExampleInput }>): Promise<{ inserted: number; duplicates: number; examples: number }>;
  /** Feedback and outcomes on these predictions, oldest first. */
  listFeedback(opts?: { prediction?: string; from?: string; to?: string; limit?: number }): Promise<StoredFeedback[]>;
  listOutcomes(opts?: { prediction?: string; from?: string; to?: string; limit?: number }): Promise<StoredOutcome[]>;
  /**
   * Deletes logged predictions older than `before` (with their feedback, outcome and shadow rows;
   * the training examples those became stay). @returns how many predictions were deleted.
   */
  prunePredictions(before: string): Promise<number>;

  getInboxFiles(): Promise<InboxFileState[]>;
  /**
   * Records how far an inbox file was read. Without `expected` it overwrites. With
   * `expected` it is a compare-and-set: `null` writes only when the file has no state yet,
   * a state writes only when the stored one still has that identity and offset — so two
   * ingesters reading the same file cannot both take the same lines (the loser's unit of
   * work rolls back). @returns whether it wrote.
   */
  setInboxFile(state: InboxFileState, expected?: Pick<InboxFileState, 'identity' | 'offset'> | null): Promise<boolean>;
  addRejectedLines(lines: RejectedLine[]): Promise<void>;
  /** Newest first. */
  listRejectedLines(opts?: { limit?: number }): Promise<Array<RejectedLine & { id: number }>>;
  /**
   * Set-aside lines that still wait for their prediction (`waitingFor` set), oldest first.
   * With `resolvable`, only those whose prediction is logged now.
   */
  listWaitingLines(opts?: { resolvable?: boolean; limit?: number }): Promise<Array<RejectedLine & { id: number; waitingFor: string }>>;
  /** Removes set-aside lines (a waiting line that was taken after all). @returns how many were removed. */
  deleteRejectedLines(ids: number[]): Promise<number>;
  /**
   * Waiting lines set aside before `before` stop waiting: `note` is appended to their reason
   * and their text is cut as any rejected line's. @returns how many stopped waiting.
   */
  expireWaitingLines(before: string, note: string): Promise<number>;
  /**
   * Inserts a few examples inside the caller's unit of work (an inbox batch); rows whose hash
   * is stored are duplicates. Bulk imports use {@link Store.addExamples} instead.
   */
  addExampleRows(rows: ExampleInput[]): Promise<ImportBatchResult>;

  /** The version an alias (e.g. 'champion') points to, and since when. */
  getAlias(alias: string): Promise<{ version: string; since: string } | undefined>;
  /** Points an alias at a version (null removes it). */
  setAlias(alias: string, version: string | null): Promise<void>;
  addRegistryEvent(event: Omit<RegistryEvent, 'id'>): Promise<number>;
  /** Oldest first. */
  listRegistryEvents(opts?: { version?: string; limit?: number }): Promise<RegistryEvent[]>;

  /**
   * Starts a retraining cycle, unless one is running (a live one: a cycle whose process died
   * or whose heartbeat is stale is marked interrupted first).
   * @throws UserError naming the running cycle and who runs it.
   */
  startCycle(trigger: string): Promise<number>;
  updateCycle(id: number, patch: CyclePatch): Promise<void>;
  cycleHeartbeat(id: number): Promise<void>;
  getCycle(id: number): Promise<CycleRecord | undefined>;
  /** Newest first. */
  listCycles(opts?: { limit?: number }): Promise<CycleRecord[]>;

  // ---- monitoring (schema 4) ----

  /** Records an alert (status active). @returns its id. */
  addAlert(alert: NewAlert): Promise<number>;
  getAlert(id: number): Promise<StoredAlert | undefined>;
  /** Changes an alert (acknowledge, resolve, a newer value). @throws UserError when there is no such alert. */
  updateAlert(id: number, patch: AlertPatch): Promise<void>;
  /** Newest first; `status` keeps only those statuses. */
  listAlerts(opts?: { status?: AlertStatus[]; limit?: number }): Promise<StoredAlert[]>;
  /** The state of every alert condition the monitor has seen, by key. */
  listAlertConditions(): Promise<AlertCondition[]>;
  /**
   * Saves a condition's state as a compare-and-set: with `expectedRevision` null it inserts
   * only when the key has no state yet; with a number it writes only when the stored revision
   * is still that one (the saved revision is then expectedRevision + 1, or 1 for an insert).
   * @returns whether it wrote (false: another process changed the state meanwhile).
   */
  saveAlertCondition(condition: Omit<AlertCondition, 'revision'>, expectedRevision: number | null): Promise<boolean>;
  /** Records a monitoring run's summary. @returns its id. */
  addMonitorSnapshot(snapshot: Omit<MonitorSnapshot, 'id'>): Promise<number>;
  /** Snapshots oldest first; with `limit`, the newest that many (still oldest first). */
  listMonitorSnapshots(opts?: { from?: string; limit?: number }): Promise<MonitorSnapshot[]>;
  /** Deletes snapshots taken before `before`. @returns how many. */
  pruneMonitorSnapshots(before: string): Promise<number>;

  // ---- serving (schema 5): shadow predictions, experiments, servers ----

  /** Records shadow models' answers; a (prediction, version) pair already recorded is a duplicate. */
  addShadowPredictions(rows: ShadowPredictionInput[]): Promise<{ inserted: number; duplicates: number }>;
  /**
   * Shadow answers with the served prediction they shadow (oldest first): only those whose
   * served prediction is still logged. Filters: the shadow version, the prediction's time.
   */
  listShadowComparisons(opts?: { model?: string; from?: string; to?: string }): Promise<ShadowComparison[]>;
  /**
   * Logged predictions that carry a variant (an experiment's arm), with their outcomes, in
   * log order; `from`/`to` bound the prediction's time.
   */
  listVariantAssignments(opts?: { from?: string; to?: string }): Promise<VariantAssignment[]>;
  getExperiment(name: string): Promise<ExperimentRecord | undefined>;
  /** Records that an experiment started (when it is not recorded yet) and returns its record. */
  startExperiment(name: string, at: string, by: string): Promise<ExperimentRecord>;
  /** Marks a running experiment stopped with its final analysis. @returns the record, or undefined when there is no such experiment. */
  stopExperiment(name: string, r: { at: string; by: string; result: Record<string, unknown> }): Promise<ExperimentRecord | undefined>;
  /** Newest first. */
  listExperiments(): Promise<ExperimentRecord[]>;
  /** Records a server's heartbeat and numbers (inserting it the first time). */
  upsertServer(server: ServerRecord): Promise<void>;
  /**
   * Servers that have not said they stopped, newest first. One whose heartbeat is older than
   * `staleMs` (default 30 s) is listed with `live: false` (killed, or its machine is off).
   */
  listServers(opts?: { staleMs?: number }): Promise<Array<ServerRecord & { live: boolean }>>;

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
  /** As streamExamples, the id and record alone: what reading feature values needs (less to build and parse). */
  streamRecords(filter?: ExampleFilter, opts?: StreamOptions): AsyncIterable<ExampleRecord[]>;
  /** Logged predictions matching `filter`, oldest first (by log order), in batches; a snapshot as streamExamples. */
  streamPredictions(filter?: PredictionFilter, opts?: StreamOptions): AsyncIterable<StoredPrediction[]>;
  /** Examples by id (any order in, id order out); for picking the rows of a split. */
  getExamples(ids: ArrayLike<number>): Promise<StoredExample[]>;

  /** Closes connections; safe to call twice. */
  close(): Promise<void>;
}

// ---- the loop: predictions, feedback, outcomes, the inbox, the registry, cycles ----------

/** A prediction an app made, as logged (inbox line, `mlloop serve`, or imported history). */
export interface PredictionInput {
  /** The app's id for it; feedback and outcomes refer to it. */
  id: string;
  /** The model version that made it. */
  model: string;
  /** ISO-8601 UTC. */
  time: string;
  /** The record the model saw. */
  input: Record<string, unknown>;
  /** The output: a label (classification) or a value (regression), and the confidence. */
  output: { label?: Label; value?: number; confidence?: number; probabilities?: Record<string, number> };
  entity?: string;
  variant?: string;
  latencyMs?: number;
  /** Where it came from: 'inbox/app.jsonl', 'serve', a file. */
  source: string;
}

export interface StoredPrediction extends PredictionInput {
  ingestedAt: string;
}

/** Feedback on a prediction: accepted, rejected, or a corrected label. */
export interface FeedbackInput {
  prediction: string;
  time: string;
  label?: Label;
  accepted?: boolean;
  by?: string;
  durationMs?: number;
  source: string;
  /** Exactly-once key (the inbox line's content hash, or a caller's id). */
  hash: string;
}

/** An outcome that arrived later: a label or a value. */
export interface OutcomeInput {
  prediction: string;
  time: string;
  label?: Label;
  value?: number;
  source: string;
  hash: string;
}

export interface StoredFeedback extends FeedbackInput {
  id: number;
  ingestedAt: string;
  /** The training example it became (when it carried a label, or accepted a classification). */
  exampleId: number | null;
}

export interface StoredOutcome extends OutcomeInput {
  id: number;
  ingestedAt: string;
  exampleId: number | null;
}

/** How far the inbox reader has consumed a file. */
export interface InboxFileState {
  /**
   * The file's key: its path relative to the inbox folder ('app.jsonl'); on a shared
   * (PostgreSQL) store prefixed by the host whose inbox folder it is ('web1/app.jsonl').
   */
  name: string;
  /** Identifies the file's content independently of its name (device, inode, hash of its first bytes). */
  identity: string;
  /** Bytes consumed: everything before this offset ends with a newline and was taken. */
  offset: number;
  /** Lines consumed (for line numbers in messages). */
  lines: number;
  updatedAt: string;
}

/** A line the inbox (or an import of history) could not take, kept with the reason. */
export interface RejectedLine {
  source: string;
  line: number;
  reason: string;
  /** The line's text, cut at 2,000 characters (kept whole while the line waits, see waitingFor). */
  text: string;
  at: string;
  /**
   * Feedback or an outcome whose prediction is not logged (yet): the prediction id it waits
   * for. Later ingests take the line once that prediction arrives (see src/core/loop/ingest.ts).
   */
  waitingFor?: string;
}

export type RegistryAction = 'promoted' | 'rejected' | 'rolled_back' | 'forced' | 'imported' | 'archived';

export interface RegistryEvent {
  id: number;
  version: string;
  action: RegistryAction;
  at: string;
  /** What did it: 'schedule', 'labels', 'command', 'extension', 'experiment', … and who. */
  by: string;
  reasons: string[];
  /** The gate's numbers, when a gate decided. */
  gate: Record<string, unknown> | null;
  /** The champion before this event (for history and rollback). */
  previous: string | null;
  cycle: number | null;
}

export type CycleStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export interface CycleRecord {
  id: number;
  trigger: string;
  status: CycleStatus;
  decision: 'promoted' | 'rejected' | 'skipped' | null;
  startedAt: string;
  finishedAt: string | null;
  champion: string | null;
  challenger: string | null;
  runId: number | null;
  reasons: string[];
  gate: Record<string, unknown> | null;
  report: string | null;
  error: string | null;
  host: string | null;
  pid: number | null;
  heartbeatAt: string | null;
}

export type CyclePatch = Partial<Pick<CycleRecord, 'status' | 'decision' | 'finishedAt' | 'champion' | 'challenger' | 'runId' | 'reasons' | 'gate' | 'report' | 'error'>>;

export interface PredictionFilter {
  from?: string;
  to?: string;
  model?: string;
  /** Only the newest this many (still returned oldest first). */
  last?: number;
}

// ---- monitoring: alerts, alert conditions, snapshots ----------------------------------

export type AlertStatus = 'active' | 'acknowledged' | 'resolved';

/** An alert as stored (the monitor's rules create them; see src/core/monitor/alerts.ts). */
export interface StoredAlert {
  id: number;
  /** The rule that raised it: feature_drift, prediction_drift, dataset_drift, metric_floor, metric_interval, calibration, latency, no_data, champion_age, cycles. */
  rule: string;
  /** Rule and subject ('feature_drift:age'): one condition. */
  key: string;
  severity: 'critical' | 'warning' | 'info';
  title: string;
  detail: string;
  /** The measured statistic, e.g. 'psi:age', 'live_accuracy', 'latency_p95_ms'. */
  metric: string;
  value: number | null;
  threshold: number | null;
  /** The model serving when it fired. */
  model: string | null;
  createdAt: string;
  /** The last time the monitor saw the condition still holding. */
  updatedAt: string;
  status: AlertStatus;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  /** Who resolved it: a person, or 'monitor' when its condition cleared. */
  resolvedBy: string | null;
}

export type NewAlert = Omit<StoredAlert, 'id' | 'status' | 'acknowledgedAt' | 'acknowledgedBy' | 'resolvedAt' | 'resolvedBy'>;

export type AlertPatch = Partial<Pick<StoredAlert, 'status' | 'acknowledgedAt' | 'acknowledgedBy' | 'resolvedAt' | 'resolvedBy' | 'updatedAt' | 'value' | 'detail'>>;

/** What the monitor remembers of one alert condition between runs. */
export interface AlertCondition {
  key: string;
  rule: string;
  /** Whether the condition held at the last check. */
  active: boolean;
  /** Its severity while active. */
  severity: 'critical' | 'warning' | 'info' | null;
  /** When the current (or last) episode started. */
  since: string | null;
  clearedAt: string | null;
  /** When an alert of this condition last fired (the cooldown counts from it). */
  lastFiredAt: string | null;
  /** The severity this episode has fired at (null: not fired yet — held back by the cooldown). */
  firedSeverity: 'critical' | 'warning' | 'info' | null;
  /** The alert this episode raised. */
  alertId: number | null;
  checkedAt: string;
  revision: number;
}

/** One monitoring run, summarised for drift over time. */
export interface MonitorSnapshot {
  id: number;
  at: string;
  model: string | null;
  windowFrom: string | null;
  windowTo: string | null;
  /** Predictions in the current window. */
  n: number;
  summary: Record<string, unknown>;
}

// ---- serving: shadow predictions and experiments (schema 5) -------------------------------

/** A shadow model's answer to a served prediction (the app never sees it). */
export interface ShadowPredictionInput {
  /** The served prediction's id. */
  prediction: string;
  /** The shadow model's version. */
  model: string;
  /** ISO-8601 UTC. */
  time: string;
  output: PredictionInput['output'];
  latencyMs?: number;
}

/** A shadow answer beside the served one. */
export interface ShadowComparison {
  prediction: string;
  time: string;
  served: { model: string; output: PredictionInput['output']; variant?: string };
  shadow: { model: string; output: PredictionInput['output']; latencyMs?: number };
}

/** A logged prediction in an experiment's arm, with the outcomes that arrived for it (oldest recorded first). */
export interface VariantAssignment {
  prediction: string;
  time: string;
  variant: string;
  entity?: string;
  model: string;
  /** Its outcomes; `id` is the store's order of arrival. */
  outcomes: Array<{ id: number; time: string; label?: Label; value?: number }>;
}

export interface ExperimentRecord {
  name: string;
  startedAt: string;
  /** What started it: 'serve', 'command (ana)'. */
  startedBy: string;
  stoppedAt: string | null;
  stoppedBy: string | null;
  /** The analysis when it stopped (see src/core/experiments/analysis.ts), null while it runs. */
  result: Record<string, unknown> | null;
}

/** A running `mlloop serve` as it reports itself (every few seconds). */
export interface ServerRecord {
  /** Random per process. */
  id: string;
  host: string;
  pid: number;
  /** Where it listens, e.g. http://127.0.0.1:8765 (on `host`). */
  url: string;
  startedAt: string;
  heartbeatAt: string;
  /** Set when it shut down cleanly. */
  stoppedAt: string | null;
  stats: ServerStats;
}

/** A server's recent numbers (see src/server/server.ts). */
export interface ServerStats {
  /** The champion version it serves. */
  model: string;
  /** Requests per second over the last minute (all routes). */
  requestsPerSecond: number;
  /** Latency of POST /predict over the last minute, milliseconds (null without requests). */
  p50Ms: number | null;
  p99Ms: number | null;
  /** Predictions served since the start, and the share that fell back (below the threshold, or the fallback arm). */
  predictions: number;
  fallbackRate: number | null;
  /** Served predictions not yet written to the store. */
  pendingLog: number;
  experiment: { name: string; active: boolean } | null;
  shadow: string | null;
  auth: boolean;
}

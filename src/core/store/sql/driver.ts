/**
 * What {@link SqlStore} needs from a database engine. The store's queries are written once,
 * in the SQL that SQLite (≥ 3.35) and PostgreSQL share: `?` placeholders (the PostgreSQL
 * driver numbers them), `ON CONFLICT … DO NOTHING / DO UPDATE`, `RETURNING`, TEXT for JSON
 * and ISO-8601 times, INTEGER 0/1 for booleans. Only connections, locking and DDL differ.
 */

/** A bound value: numbers, text, bytes, null. */
export type SqlParam = number | string | Uint8Array | null;
export type SqlRow = Record<string, unknown>;

/** One connection inside a read or a write (a transaction on PostgreSQL). */
export interface SqlConn {
  all(sql: string, params?: readonly SqlParam[]): Promise<SqlRow[]>;
  get(sql: string, params?: readonly SqlParam[]): Promise<SqlRow | undefined>;
  /** @returns the number of rows changed. */
  run(sql: string, params?: readonly SqlParam[]): Promise<number>;
  /**
   * Runs one statement for many parameter rows (a bulk insert), returning per row whether it
   * changed a row. Engines prepare it once (SQLite) or send multi-row statements (PostgreSQL).
   */
  runMany(sql: string, rows: ReadonlyArray<readonly SqlParam[]>): Promise<boolean[]>;
  /**
   * `run` for a statement run many times in this unit of work: the engine may prepare it once
   * and keep it until the unit of work ends (SQLite does; a bulk insert runs one statement
   * thousands of times). @returns the number of rows changed.
   */
  runPrepared?(sql: string, params: readonly SqlParam[]): Promise<number>;
  /**
   * Makes other writers of examples wait until this transaction ends, so that ids are handed
   * out in commit order (an id bound then names a fixed set of rows). PostgreSQL defines it
   * (an advisory lock; without it two concurrent imports commit interleaved id ranges);
   * SQLite does not need it: its write transactions are serial already.
   */
  lockAppends?(): Promise<void>;
  /**
   * Told after a bulk insert added `rows` examples in this transaction, so the engine can
   * refresh its query planner's statistics. PostgreSQL does when the table grew by more than
   * a fifth: a freshly imported table read with the plan for an empty one sorts the whole
   * remaining id range for every batch of a streamed read (measured: 100k rows, 3× slower).
   */
  examplesAdded?(rows: number): Promise<void>;
  /**
   * Serialises model-version numbering until the transaction ends (PostgreSQL: an advisory
   * lock; SQLite's write transactions are exclusive already).
   */
  lockModels?(): Promise<void>;
  /** Serialises starting retraining cycles (as lockModels). */
  lockCycles?(): Promise<void>;
  /**
   * Moves the id sequence of runs up so that the next run gets an id above `above` (never
   * down), serialised with other callers until the transaction ends. PostgreSQL defines it
   * (its identity sequence; an explicit id would not advance it). SQLite does not: its runs
   * table has no AUTOINCREMENT, so a row inserted with an explicit id above the floor is
   * enough (later rows take max(id) + 1).
   */
  raiseRunIds?(above: number): Promise<void>;
}

export interface SqlDriver {
  readonly dialect: 'sqlite' | 'postgres';
  /** The file, or the URL without its password. */
  readonly location: string;
  /**
   * Whether a long bulk write should be staged outside the store first: true where a write
   * transaction blocks every other process (SQLite), false where it does not (PostgreSQL).
   */
  readonly stagesBulkWrites: boolean;
  /** Folder for staging files (SQLite: beside the database). */
  readonly stagingDir?: string;
  /** A consistent read of one or more statements. */
  read<T>(fn: (c: SqlConn) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** A write transaction: commits when `fn` resolves, rolls back when it throws. */
  write<T>(fn: (c: SqlConn) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** The schema version the database is at now. */
  schemaVersion(): Promise<number>;
  close(): Promise<void>;
}

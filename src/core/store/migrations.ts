/**
 * Store schema migrations of the embedded SQLite store. SQLITE_MIGRATIONS[i] takes a
 * database from user_version i to i + 1; the schema version of a store is PRAGMA
 * user_version. Append, never edit a shipped entry: stores in the wild were built by the old
 * text (entry 1 built the sql.js stores of ML Loop 0.1, which open and migrate in place).
 *
 * PostgreSQL has its own list (postgres.ts) for the same tables; the queries in
 * sql/sqlStore.ts must work on both.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  // 1: examples, runs, per-epoch metrics, models.
  `
  CREATE TABLE examples (
    id INTEGER PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,        -- content hash: re-importing a file adds nothing
    source TEXT NOT NULL,             -- file path relative to the project, 'feedback', 'cli', ...
    source_line INTEGER,              -- 1-based line in source where the record starts
    imported_at TEXT NOT NULL,        -- ISO 8601 UTC
    label,                            -- TEXT for classification, REAL for regression
    weight REAL,
    record TEXT NOT NULL              -- the raw record, JSON
  );
  CREATE INDEX examples_imported_at ON examples (imported_at);

  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    status TEXT NOT NULL,             -- running | completed | failed | cancelled
    started_at TEXT NOT NULL,
    finished_at TEXT,
    duration_ms INTEGER,
    config TEXT NOT NULL,             -- resolved project config, JSON
    config_hash TEXT NOT NULL,
    backend TEXT,
    data_counts TEXT,
    metrics TEXT,
    error TEXT,
    model_version TEXT,
    best_epoch INTEGER,
    details TEXT,
    pid INTEGER                       -- the process that ran it (to tell an interrupted run)
  );

  CREATE TABLE run_epochs (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    logs TEXT NOT NULL,
    PRIMARY KEY (run_id, epoch)
  );

  CREATE TABLE models (
    version TEXT PRIMARY KEY,
    run_id INTEGER REFERENCES runs (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    task TEXT NOT NULL,
    metrics TEXT NOT NULL,
    path TEXT NOT NULL
  );
  `,
  // 2: event time on every example (old rows: their import time), indexes for windows and
  // sources; who runs a run and its heartbeat (liveness without a local pid); model bundles
  // kept in the store (a version names the same files on every machine); a key/value table.
  `
  ALTER TABLE examples ADD COLUMN event_time TEXT;
  UPDATE examples SET event_time = imported_at;
  CREATE INDEX examples_event_time ON examples (event_time);
  CREATE INDEX examples_source ON examples (source);

  ALTER TABLE runs ADD COLUMN host TEXT;
  ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;

  ALTER TABLE models ADD COLUMN digest TEXT;
  CREATE TABLE model_files (
    version TEXT NOT NULL REFERENCES models (version) ON DELETE CASCADE,
    name TEXT NOT NULL,               -- file name inside the bundle folder
    bytes BLOB NOT NULL,
    PRIMARY KEY (version, name)
  );

  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
];

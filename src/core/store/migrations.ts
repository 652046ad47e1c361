/**
 * Store schema migrations. MIGRATIONS[i] takes a database from user_version i to i + 1;
 * the schema version of a store is PRAGMA user_version. Append, never edit a shipped entry:
 * stores in the wild were built by the old text.
 */
export const MIGRATIONS: readonly string[] = [
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
];

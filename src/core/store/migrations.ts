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
  // 3: the loop. Predictions apps made (seq orders them for streamed reads; id is the app's),
  // feedback and outcomes on them (hash: each inbox line taken once; example_id: the
  // training example a labelled one became), how far each inbox file was read, lines set
  // aside with their reason, the registry (aliases such as champion, and every event), and
  // retraining cycles.
  `
  CREATE TABLE predictions (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    model_version TEXT NOT NULL,
    time TEXT NOT NULL,
    input TEXT NOT NULL,               -- JSON record
    output TEXT NOT NULL,              -- JSON {label|value, confidence, probabilities}
    label,                             -- the predicted label (typed, as examples.label) or NULL
    value REAL,                        -- the predicted value (regression) or NULL
    confidence REAL,
    entity TEXT,
    variant TEXT,
    latency_ms REAL,
    source TEXT NOT NULL,
    ingested_at TEXT NOT NULL
  );
  CREATE INDEX predictions_time ON predictions (time);
  CREATE INDEX predictions_model ON predictions (model_version, time);

  CREATE TABLE feedback (
    id INTEGER PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    prediction_id TEXT NOT NULL REFERENCES predictions (id) ON DELETE CASCADE,
    time TEXT NOT NULL,
    label,
    accepted INTEGER,                  -- 1 accepted, 0 rejected, NULL not said
    by TEXT,
    duration_ms REAL,
    source TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    example_id INTEGER
  );
  CREATE INDEX feedback_prediction ON feedback (prediction_id);
  CREATE INDEX feedback_time ON feedback (time);

  CREATE TABLE outcomes (
    id INTEGER PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    prediction_id TEXT NOT NULL REFERENCES predictions (id) ON DELETE CASCADE,
    time TEXT NOT NULL,
    label,
    value REAL,
    source TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    example_id INTEGER
  );
  CREATE INDEX outcomes_prediction ON outcomes (prediction_id);
  CREATE INDEX outcomes_time ON outcomes (time);

  CREATE TABLE inbox_files (
    name TEXT PRIMARY KEY,
    identity TEXT NOT NULL,
    consumed INTEGER NOT NULL,         -- bytes taken (each ends with a newline)
    lines INTEGER NOT NULL,
    updated_at TEXT NOT NULL
  );

  CREATE TABLE rejected_lines (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    line INTEGER NOT NULL,
    reason TEXT NOT NULL,
    text TEXT NOT NULL,
    at TEXT NOT NULL,
    waiting_for TEXT                   -- feedback/outcome waiting for this prediction id (NULL: set aside for good)
  );
  CREATE INDEX rejected_lines_waiting ON rejected_lines (waiting_for);

  CREATE TABLE registry_aliases (
    alias TEXT PRIMARY KEY,
    version TEXT NOT NULL REFERENCES models (version),
    since TEXT NOT NULL
  );

  CREATE TABLE registry_events (
    id INTEGER PRIMARY KEY,
    version TEXT NOT NULL,
    action TEXT NOT NULL,              -- promoted | rejected | rolled_back | forced | imported | archived
    at TEXT NOT NULL,
    by TEXT NOT NULL,
    reasons TEXT NOT NULL,             -- JSON array of sentences
    gate TEXT,                         -- JSON: the gate's numbers
    previous TEXT,                     -- the champion before
    cycle INTEGER
  );
  CREATE INDEX registry_events_at ON registry_events (at);

  CREATE TABLE cycles (
    id INTEGER PRIMARY KEY,
    trigger TEXT NOT NULL,
    status TEXT NOT NULL,
    decision TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    champion TEXT,
    challenger TEXT,
    run_id INTEGER,
    reasons TEXT NOT NULL,
    gate TEXT,
    report TEXT,
    error TEXT,
    host TEXT,
    pid INTEGER,
    heartbeat_at TEXT
  );
  `,
  // 4: monitoring. Alerts with their history (acknowledged, resolved: who and when); the
  // state of each alert condition between runs (whether it holds, since when, when it last
  // fired, for once-per-onset and the cooldown; revision makes each update a
  // compare-and-set, so two monitors at once cannot both fire one onset); and a snapshot of
  // each monitoring run (drift over time).
  `
  CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    rule TEXT NOT NULL,                -- feature_drift | prediction_drift | dataset_drift | metric_floor | ...
    key TEXT NOT NULL,                 -- rule and subject, e.g. 'feature_drift:age'
    severity TEXT NOT NULL,            -- critical | warning | info
    title TEXT NOT NULL,
    detail TEXT NOT NULL,
    metric TEXT NOT NULL,
    value REAL,
    threshold REAL,
    model_version TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,          -- last time the monitor saw the condition
    status TEXT NOT NULL,              -- active | acknowledged | resolved
    acknowledged_at TEXT,
    acknowledged_by TEXT,
    resolved_at TEXT,
    resolved_by TEXT
  );
  CREATE INDEX alerts_status ON alerts (status, id);
  CREATE INDEX alerts_key ON alerts (key, id);

  CREATE TABLE alert_conditions (
    key TEXT PRIMARY KEY,
    rule TEXT NOT NULL,
    active INTEGER NOT NULL,           -- 1 while the condition holds
    severity TEXT,
    since TEXT,                        -- start of the current (or last) episode
    cleared_at TEXT,
    last_fired_at TEXT,                -- for the cooldown
    fired_severity TEXT,               -- what this episode fired (NULL: not yet, e.g. held back by the cooldown)
    alert_id INTEGER,
    checked_at TEXT NOT NULL,
    revision INTEGER NOT NULL
  );

  CREATE TABLE monitor_snapshots (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    model_version TEXT,
    window_from TEXT,
    window_to TEXT,
    n INTEGER NOT NULL,
    summary TEXT NOT NULL              -- JSON: per-feature statistics and effect sizes, prediction, dataset, performance
  );
  CREATE INDEX monitor_snapshots_at ON monitor_snapshots (at);
  `,
  // 5: serving. A shadow model's answer to a served prediction (never shown to the app; one
  // per prediction and version); experiments: when each started and stopped, and its
  // analysis when it stopped (which arms it had, the decision and its numbers); and running
  // servers with a heartbeat and their recent numbers (what the dashboard shows).
  `
  CREATE TABLE shadow_predictions (
    prediction_id TEXT NOT NULL,       -- the served prediction (predictions.id)
    model_version TEXT NOT NULL,
    time TEXT NOT NULL,
    output TEXT NOT NULL,              -- JSON {label|value, confidence, probabilities}
    label,                             -- typed, as predictions.label
    value REAL,
    confidence REAL,
    latency_ms REAL,
    PRIMARY KEY (prediction_id, model_version)
  );
  CREATE INDEX shadow_predictions_model ON shadow_predictions (model_version, time);

  CREATE TABLE experiments (
    name TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    started_by TEXT NOT NULL,
    stopped_at TEXT,
    stopped_by TEXT,
    result TEXT                        -- JSON: the analysis at the stop
  );

  CREATE TABLE servers (
    id TEXT PRIMARY KEY,               -- random, one per server process
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    url TEXT NOT NULL,
    started_at TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL,
    stopped_at TEXT,
    stats TEXT NOT NULL                -- JSON: requests/s, latency percentiles, model, experiment
  );
  `,
];

/**
 * The Store on sql.js: SQLite compiled to WebAssembly, holding the database in memory and
 * saving the whole file atomically after each write transaction.
 *
 * Several processes may open the same file (two windows, the CLI beside the extension).
 * sql.js has no shared file locking, so every write goes:
 *   take the lock file → reload from disk if another process saved since we read →
 *   apply the change in a transaction → save atomically → release the lock.
 * Reads reload first when the file changed on disk. Writes are therefore serialised and
 * never lost; a writer that cannot get the lock in time gets a UserError naming the holder.
 */
import fs from 'node:fs';
import path from 'node:path';
import initSqlJs, { type Database, type SqlJsStatic, type SqlValue } from 'sql.js';
import { throwIfAborted, UserError } from '../util/errors';
import { acquireLock, processAlive, removeStaleTempFiles, writeFileAtomic } from './fileio';
import { MIGRATIONS } from './migrations';
import type {
  EpochRecord,
  ExampleInput,
  ImportBatchResult,
  ModelRecord,
  NewRun,
  RunPatch,
  RunRecord,
  Store,
  StoredExample,
} from './types';

let sqlPromise: Promise<SqlJsStatic> | undefined;

function locateSqlWasm(): string {
  const beside = path.join(__dirname, 'sql-wasm.wasm');
  if (fs.existsSync(beside)) return beside; // bundles in dist/ ship the wasm next to them
  // Built from parts so esbuild leaves it to run time (it only matters outside dist/).
  return require.resolve(['sql.js', 'dist', 'sql-wasm.wasm'].join('/'));
}

/** Loads sql.js once per process. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  sqlPromise ??= (async () => {
    const wasmBinary = fs.readFileSync(locateSqlWasm());
    return initSqlJs({ wasmBinary: wasmBinary.buffer.slice(wasmBinary.byteOffset, wasmBinary.byteOffset + wasmBinary.byteLength) as ArrayBuffer });
  })();
  return sqlPromise;
}

export interface SqliteStoreOptions {
  /** Wait this long for another process's write lock, in ms. Default 15000. */
  lockTimeoutMs?: number;
  /** Shown to other processes that find the lock held, e.g. "mlloop import". */
  purpose?: string;
}

interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

function stamp(file: string): FileStamp | undefined {
  try {
    const s = fs.statSync(file);
    return { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs };
  } catch {
    return undefined;
  }
}

function sameStamp(a?: FileStamp, b?: FileStamp): boolean {
  return !!a && !!b && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

const nowIso = () => new Date().toISOString();
const parseJson = <T>(s: SqlValue): T | null => (typeof s === 'string' ? (JSON.parse(s) as T) : null);

export class SqliteStore implements Store {
  private db: Database;
  private loadedStamp: FileStamp | undefined;
  private closed = false;

  private constructor(
    private readonly SQL: SqlJsStatic,
    readonly file: string,
    db: Database,
    private readonly opts: SqliteStoreOptions,
  ) {
    this.db = db;
    this.loadedStamp = stamp(file);
  }

  /**
   * Opens (creating when missing) the store at `file`, migrating it to the current schema.
   * @throws UserError when the file is not a SQLite database, or was written by a newer ML Loop.
   */
  static async open(file: string, opts: SqliteStoreOptions = {}): Promise<SqliteStore> {
    const SQL = await loadSqlJs();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    removeStaleTempFiles(file);
    const store = new SqliteStore(SQL, file, SqliteStore.readDb(SQL, file), opts);
    if (store.userVersion() < MIGRATIONS.length) {
      await store.write(() => undefined); // write() migrates under the lock
    }
    return store;
  }

  private static readDb(SQL: SqlJsStatic, file: string): Database {
    let bytes: Uint8Array | undefined;
    try {
      bytes = fs.readFileSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    let db: Database;
    try {
      db = bytes && bytes.length > 0 ? new SQL.Database(bytes) : new SQL.Database();
      db.exec('PRAGMA foreign_keys = ON');
      db.exec('SELECT count(*) FROM sqlite_master');
    } catch (e) {
      throw new UserError(`${file} is not an ML Loop store (SQLite says: ${(e as Error).message}). Move it aside and import again.`, { file });
    }
    const version = Number(db.exec('PRAGMA user_version')[0].values[0][0]);
    if (version > MIGRATIONS.length) {
      db.close();
      throw new UserError(`${file} was written by a newer ML Loop (store schema ${version}; this version knows up to ${MIGRATIONS.length}). Update ML Loop.`, { file });
    }
    return db;
  }

  private userVersion(): number {
    return Number(this.db.exec('PRAGMA user_version')[0].values[0][0]);
  }

  private migrate(): void {
    for (let v = this.userVersion(); v < MIGRATIONS.length; v++) {
      this.db.exec(MIGRATIONS[v]);
      this.db.exec(`PRAGMA user_version = ${v + 1}`);
    }
  }

  /** Reloads from disk when another process saved since we last read or wrote. */
  private refresh(): void {
    if (this.closed) throw new Error('store is closed');
    const now = stamp(this.file);
    if (now && !sameStamp(now, this.loadedStamp)) {
      const fresh = SqliteStore.readDb(this.SQL, this.file);
      this.db.close();
      this.db = fresh;
      this.loadedStamp = now;
    }
  }

  /**
   * Runs `fn` as one transaction under the inter-process lock, then saves atomically.
   * If `fn` throws, the transaction is rolled back and nothing is saved.
   */
  private async write<T>(fn: (db: Database) => T | Promise<T>): Promise<T> {
    const release = await acquireLock(`${this.file}.lock`, { timeoutMs: this.opts.lockTimeoutMs, purpose: this.opts.purpose });
    try {
      this.refresh();
      this.db.exec('BEGIN');
      let result: T;
      try {
        this.migrate();
        result = await fn(this.db);
        this.db.exec('COMMIT');
      } catch (e) {
        this.db.exec('ROLLBACK');
        throw e;
      }
      writeFileAtomic(this.file, this.db.export());
      // export() reopens the connection, which resets pragmas.
      this.db.exec('PRAGMA foreign_keys = ON');
      this.loadedStamp = stamp(this.file);
      return result;
    } finally {
      release();
    }
  }

  private read<T>(fn: (db: Database) => T): Promise<T> {
    this.refresh();
    return Promise.resolve(fn(this.db));
  }

  private all(db: Database, sql: string, params: SqlValue[] = []): Array<Record<string, SqlValue>> {
    const stmt = db.prepare(sql);
    try {
      stmt.bind(params);
      const rows: Array<Record<string, SqlValue>> = [];
      while (stmt.step()) rows.push(stmt.getAsObject());
      return rows;
    } finally {
      stmt.free();
    }
  }

  async schemaVersion(): Promise<number> {
    return this.read(() => this.userVersion());
  }

  async addExamples(batches: AsyncIterable<ExampleInput[]> | Iterable<ExampleInput[]>, signal?: AbortSignal): Promise<ImportBatchResult> {
    return this.write(async (db) => {
      const importedAt = nowIso();
      const stmt = db.prepare(
        'INSERT OR IGNORE INTO examples (hash, source, source_line, imported_at, label, weight, record) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      let inserted = 0;
      let duplicates = 0;
      try {
        for await (const batch of batches) {
          throwIfAborted(signal);
          for (const ex of batch) {
            stmt.run([ex.hash, ex.source, ex.sourceLine ?? null, importedAt, ex.label, ex.weight ?? null, JSON.stringify(ex.record)]);
            if (db.getRowsModified() === 1) inserted++;
            else duplicates++;
          }
        }
      } finally {
        stmt.free();
      }
      return { inserted, duplicates };
    });
  }

  async countExamples(opts: { importedAfter?: string } = {}): Promise<number> {
    return this.read((db) => {
      const rows = opts.importedAfter
        ? this.all(db, 'SELECT count(*) AS n FROM examples WHERE imported_at > ?', [opts.importedAfter])
        : this.all(db, 'SELECT count(*) AS n FROM examples');
      return Number(rows[0].n);
    });
  }

  async listExamples(opts: { limit?: number } = {}): Promise<StoredExample[]> {
    return this.read((db) => {
      const out: StoredExample[] = [];
      const stmt = db.prepare(
        `SELECT id, source, source_line, imported_at, label, weight, record FROM examples ORDER BY id${opts.limit ? ' LIMIT ?' : ''}`,
      );
      try {
        if (opts.limit) stmt.bind([opts.limit]);
        while (stmt.step()) {
          const r = stmt.get();
          out.push({
            id: Number(r[0]),
            source: String(r[1]),
            sourceLine: r[2] === null ? null : Number(r[2]),
            importedAt: String(r[3]),
            label: r[4] as string | number,
            weight: r[5] === null ? null : Number(r[5]),
            record: JSON.parse(String(r[6])) as Record<string, unknown>,
          });
        }
      } finally {
        stmt.free();
      }
      return out;
    });
  }

  async createRun(run: NewRun): Promise<number> {
    return this.write((db) => {
      db.run('INSERT INTO runs (status, started_at, config, config_hash, data_counts, pid) VALUES (?, ?, ?, ?, ?, ?)', [
        'running',
        nowIso(),
        JSON.stringify(run.config),
        run.configHash,
        run.dataCounts ? JSON.stringify(run.dataCounts) : null,
        process.pid,
      ]);
      return Number(db.exec('SELECT last_insert_rowid()')[0].values[0][0]);
    });
  }

  async updateRun(id: number, patch: RunPatch): Promise<void> {
    const columns: Record<keyof RunPatch, string> = {
      status: 'status',
      finishedAt: 'finished_at',
      durationMs: 'duration_ms',
      backend: 'backend',
      dataCounts: 'data_counts',
      metrics: 'metrics',
      error: 'error',
      modelVersion: 'model_version',
      bestEpoch: 'best_epoch',
      details: 'details',
    };
    const json = new Set(['dataCounts', 'metrics', 'details']);
    const sets: string[] = [];
    const values: SqlValue[] = [];
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      sets.push(`${columns[key as keyof RunPatch]} = ?`);
      values.push(json.has(key) && value !== null ? JSON.stringify(value) : (value as SqlValue));
    }
    if (sets.length === 0) return;
    await this.write((db) => {
      db.run(`UPDATE runs SET ${sets.join(', ')} WHERE id = ?`, [...values, id]);
      if (db.getRowsModified() === 0) throw new UserError(`There is no run ${id}.`);
    });
  }

  async addEpochs(runId: number, epochs: EpochRecord[]): Promise<void> {
    if (epochs.length === 0) return;
    await this.write((db) => {
      const stmt = db.prepare('INSERT OR REPLACE INTO run_epochs (run_id, epoch, logs) VALUES (?, ?, ?)');
      try {
        for (const e of epochs) stmt.run([runId, e.epoch, JSON.stringify(e.logs)]);
      } finally {
        stmt.free();
      }
    });
  }

  private toRun(r: Record<string, SqlValue>): RunRecord {
    let status = String(r.status) as RunRecord['status'];
    // A run left 'running' by a process that no longer exists was interrupted (killed, crashed).
    if (status === 'running' && typeof r.pid === 'number' && !processAlive(r.pid)) status = 'interrupted';
    return {
      id: Number(r.id),
      status,
      startedAt: String(r.started_at),
      finishedAt: r.finished_at === null ? null : String(r.finished_at),
      durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
      config: parseJson(r.config),
      configHash: String(r.config_hash),
      backend: r.backend === null ? null : String(r.backend),
      dataCounts: parseJson(r.data_counts),
      metrics: parseJson(r.metrics),
      error: r.error === null ? null : String(r.error),
      modelVersion: r.model_version === null ? null : String(r.model_version),
      bestEpoch: r.best_epoch === null ? null : Number(r.best_epoch),
      details: parseJson(r.details),
    };
  }

  async getRun(id: number): Promise<RunRecord | undefined> {
    return this.read((db) => {
      const rows = this.all(db, 'SELECT * FROM runs WHERE id = ?', [id]);
      return rows.length ? this.toRun(rows[0]) : undefined;
    });
  }

  async listRuns(opts: { limit?: number } = {}): Promise<RunRecord[]> {
    return this.read((db) =>
      this.all(db, `SELECT * FROM runs ORDER BY id DESC${opts.limit ? ' LIMIT ?' : ''}`, opts.limit ? [opts.limit] : []).map((r) => this.toRun(r)),
    );
  }

  async listEpochs(runId: number): Promise<EpochRecord[]> {
    return this.read((db) =>
      this.all(db, 'SELECT epoch, logs FROM run_epochs WHERE run_id = ? ORDER BY epoch', [runId]).map((r) => ({
        epoch: Number(r.epoch),
        logs: JSON.parse(String(r.logs)) as Record<string, number>,
      })),
    );
  }

  async deleteRun(id: number): Promise<void> {
    await this.write((db) => {
      db.run('DELETE FROM run_epochs WHERE run_id = ?', [id]);
      db.run('DELETE FROM runs WHERE id = ?', [id]);
    });
  }

  async addModel(model: ModelRecord): Promise<void> {
    await this.write((db) => {
      db.run('INSERT INTO models (version, run_id, created_at, task, metrics, path) VALUES (?, ?, ?, ?, ?, ?)', [
        model.version,
        model.runId,
        model.createdAt,
        model.task,
        JSON.stringify(model.metrics),
        model.path,
      ]);
    });
  }

  async updateModelMetrics(version: string, metrics: Record<string, number>): Promise<void> {
    await this.write((db) => {
      db.run('UPDATE models SET metrics = ? WHERE version = ?', [JSON.stringify(metrics), version]);
      if (db.getRowsModified() === 0) throw new UserError(`There is no model ${version}.`);
    });
  }

  private toModel(r: Record<string, SqlValue>): ModelRecord {
    return {
      version: String(r.version),
      runId: Number(r.run_id),
      createdAt: String(r.created_at),
      task: String(r.task),
      metrics: parseJson<Record<string, number>>(r.metrics) ?? {},
      path: String(r.path),
    };
  }

  async getModel(version: string): Promise<ModelRecord | undefined> {
    return this.read((db) => {
      const rows = this.all(db, 'SELECT * FROM models WHERE version = ?', [version]);
      return rows.length ? this.toModel(rows[0]) : undefined;
    });
  }

  async listModels(): Promise<ModelRecord[]> {
    return this.read((db) => this.all(db, 'SELECT * FROM models ORDER BY created_at DESC, version DESC').map((r) => this.toModel(r)));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

/**
 * The embedded store: `.mlloop/store.sqlite`, an ordinary SQLite database file written page
 * by page through node-sqlite3-wasm (SQLite compiled to WebAssembly with a VFS over Node's
 * fs; no native module, so it loads in VS Code's extension host, the CLI and workers alike).
 * Commits are SQLite's own: a rollback journal (`store.sqlite-journal`) and fsync, so a
 * process killed at any moment leaves the last committed state, which the next transaction
 * (of any process) restores from the journal (see below).
 *
 * Locking, and why it is layered (see also lock.ts):
 *  - node-sqlite3-wasm's VFS locks by creating the directory `store.sqlite.lock` for the
 *    whole of every read or write transaction; a second process gets SQLITE_BUSY. A process
 *    killed while holding it leaves it behind for ever.
 *  - every ML Loop process takes ML Loop's own lock `store.sqlite.mlloop-lock` (pid-stamped)
 *    before it lets SQLite touch the file, and releases it only after SQLite has released its
 *    directory. So when we hold our lock and SQLite still says "locked", the directory's
 *    maker is dead: we remove the directory.
 *  - likewise a `store.sqlite-journal` found while we hold our lock was left by a process
 *    that died inside a transaction. SQLite would roll such a hot journal back, but not
 *    through node-sqlite3-wasm's VFS (it mistakes its own lock directory for the dead
 *    writer's: see sqliteJournal.ts), so we roll it back ourselves before every transaction
 *    that finds one; otherwise the next reader would see the dead process's half-written
 *    pages (part of a transaction, or a malformed database).
 *  - the file is opened by its real path, so a symlinked store keeps its link, and every
 *    process (whatever path it was given) uses the same journal and lock.
 * Reads are short transactions too (a streamed read is a series of them), so a reader never
 * blocks a writer for longer than one batch.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Database, Statement } from 'node-sqlite3-wasm';
import { sqliteWasm } from './sqliteWasm';
import { CancelledError, UserError } from '../util/errors';
import { acquireLock, describeHolder, processAlive, readLockHolder } from './lock';
import { SQLITE_MIGRATIONS } from './migrations';
import { rollBackHotJournal } from './sqliteJournal';
import type { SqlConn, SqlDriver, SqlParam, SqlRow } from './sql/driver';
import { SqlStore, type SqlStoreOptions } from './sql/sqlStore';

export interface SqliteStoreOptions extends SqlStoreOptions {
  /** Wait this long for another process's lock, in ms. Default 15000. */
  lockTimeoutMs?: number;
  /** Shown to other processes that find the lock held, e.g. "mlloop import". */
  purpose?: string;
  /** Told once when we start waiting for another process, with who it is. */
  onWait?: (message: string) => void;
  /** Create the file when it does not exist. Default true. */
  create?: boolean;
}

/**
 * SQLite's page cache per connection, in KiB (negative cache_size = KiB). Large enough that
 * a million-row import's index pages stay cached; it is set once, because changing it
 * discards the cache (10 ms a write, measured).
 */
const CACHE_KIB = 32 * 1024;

/** The lock file ML Loop takes before SQLite touches `file`. */
export function mlloopLockFile(file: string): string {
  return `${file}.mlloop-lock`;
}

/** SQLite error text (node-sqlite3-wasm gives only the message) → what the user should be told. */
function classify(e: unknown): 'busy' | 'corrupt' | 'notadb' | 'ioerr' | 'full' | 'readonly' | 'cantopen' | undefined {
  const m = e instanceof Error ? e.message : String(e);
  if (/database is locked|database table is locked/i.test(m)) return 'busy';
  if (/malformed/i.test(m)) return 'corrupt';
  if (/file is not a database|file is encrypted/i.test(m)) return 'notadb';
  if (/database or disk is full/i.test(m)) return 'full';
  if (/disk I\/O error/i.test(m)) return 'ioerr';
  if (/readonly database|read-only/i.test(m)) return 'readonly';
  if (/unable to open|could not open/i.test(m)) return 'cantopen';
  return undefined;
}

function freeBytes(dir: string): number | undefined {
  try {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/**
 * Checks the first 100 bytes and the size of a database file before SQLite sees it.
 * @throws UserError naming the file when it is not SQLite, is empty, or is shorter than its header says.
 */
/**
 * What moving a store aside keeps and what it does not, said wherever ML Loop advises it: the
 * new store starts empty, and the old history is only in the moved file.
 */
export function afterMovingAside(file: string): string {
  return (
    `The new store starts without that store's examples, run history and model list: they stay in the moved file (keep it). ` +
    `The model folders in ${path.join(path.dirname(file), 'models')} and the reports are kept, and no model version or run id is ever reused.`
  );
}

function checkDatabaseFile(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') throw new UserError(`Cannot read the store ${file}: permission denied. Check its owner and permissions.`, { file });
    if (code === 'EISDIR') throw new UserError(`The store ${file} is a folder, not a file. Move it aside (or name a file); ML Loop creates a new store there.`, { file });
    throw e;
  }
  try {
    const stat = fs.fstatSync(fd);
    // Linux opens a folder for reading without complaint; only the read fails (EISDIR, no path).
    if (stat.isDirectory()) throw new UserError(`The store ${file} is a folder, not a file. Move it aside (or name a file); ML Loop creates a new store there.`, { file });
    const size = stat.size;
    if (size === 0) {
      throw new UserError(
        `The store ${file} is empty (0 bytes): it is not an ML Loop store, or it was truncated. ML Loop will not overwrite it. ` +
          `If you have a backup, restore it; otherwise move the file aside (e.g. \`mv ${path.basename(file)} ${path.basename(file)}.damaged\`) and run \`mlloop import\` again. ${afterMovingAside(file)}`,
        { file },
      );
    }
    const head = Buffer.alloc(100);
    const n = fs.readSync(fd, head, 0, 100, 0);
    if (n < 100 || head.toString('latin1', 0, 16) !== 'SQLite format 3\u0000') {
      throw new UserError(
        `${file} is not an SQLite database (it does not start with SQLite's header), so it is not an ML Loop store. ML Loop will not overwrite it. ` +
          `Point ML Loop at the right file, or move this one aside and run \`mlloop import\` again. ${afterMovingAside(file)}`,
        { file },
      );
    }
    const rawPageSize = head.readUInt16BE(16);
    const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
    const pages = head.readUInt32BE(28);
    const valid = head.readUInt32BE(24) === head.readUInt32BE(92); // the in-header size is valid only then
    if (valid && pages > 0 && size < pages * pageSize && !fs.existsSync(`${file}-journal`)) {
      throw new UserError(
        `The store ${file} is truncated: it is ${size} bytes but its header says ${pages * pageSize}. ML Loop will not write to it. ` +
          `Restore it from a backup, or move it aside (e.g. \`mv ${path.basename(file)} ${path.basename(file)}.damaged\`) and run \`mlloop import\` again. ${afterMovingAside(file)}`,
        { file },
      );
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Removes staging files of imports whose process is gone. */
function removeStaleStaging(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^import-(\d+)-[a-z0-9]+\.staging$/.exec(name);
    if (m && !processAlive(Number(m[1]))) fs.rmSync(path.join(dir, name), { force: true });
  }
}

class SqliteConn implements SqlConn {
  /** Statements of runPrepared, finalized by {@link SqliteConn.finish} before the transaction ends. */
  private readonly prepared = new Map<string, Statement>();
  constructor(private readonly db: Database) {}
  runPrepared(sql: string, params: readonly SqlParam[]): Promise<number> {
    let stmt = this.prepared.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.prepared.set(sql, stmt);
    }
    return Promise.resolve(stmt.run(params as SqlParam[]).changes);
  }
  /** Finalizes the prepared statements (an open statement would keep SQLite's lock directory). */
  finish(): void {
    for (const stmt of this.prepared.values()) {
      try {
        stmt.finalize();
      } catch {
        /* finalize reports the statement's last error again; it is finalized all the same */
      }
    }
    this.prepared.clear();
  }
  all(sql: string, params: readonly SqlParam[] = []): Promise<SqlRow[]> {
    return Promise.resolve(this.db.all(sql, params as SqlParam[]) as SqlRow[]);
  }
  get(sql: string, params: readonly SqlParam[] = []): Promise<SqlRow | undefined> {
    return Promise.resolve((this.db.get(sql, params as SqlParam[]) as SqlRow | null) ?? undefined);
  }
  run(sql: string, params: readonly SqlParam[] = []): Promise<number> {
    return Promise.resolve(this.db.run(sql, params as SqlParam[]).changes);
  }
  runMany(sql: string, rows: ReadonlyArray<readonly SqlParam[]>): Promise<boolean[]> {
    const stmt = this.db.prepare(sql);
    try {
      return Promise.resolve(rows.map((r) => stmt.run(r as SqlParam[]).changes > 0));
    } finally {
      stmt.finalize();
    }
  }
}

export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  readonly stagesBulkWrites = true;
  readonly stagingDir: string;
  readonly location: string;
  private db: Database | undefined;
  /** One operation at a time per driver: SQLite calls are synchronous but our units of work are not. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly lockFile: string;
  private readonly sqliteLockDir: string;
  private readonly journalFile: string;

  private constructor(
    readonly file: string,
    private readonly opts: SqliteStoreOptions,
  ) {
    this.location = file;
    this.lockFile = mlloopLockFile(file);
    this.sqliteLockDir = `${file}.lock`;
    this.journalFile = `${file}-journal`;
    this.stagingDir = path.join(path.dirname(file), 'tmp');
  }

  /**
   * Opens (creating when missing) the database at `file` and migrates it to the current schema.
   * @throws UserError when the file is not an SQLite database, is truncated or corrupt, was
   *   written by a newer ML Loop, or cannot be created (with the path and what to do).
   */
  static async open(file: string, opts: SqliteStoreOptions = {}): Promise<SqliteDriver> {
    let real = path.resolve(file);
    try {
      real = fs.realpathSync(real);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new UserError(`The store path ${file} is a symbolic link that points to itself (a loop).`, { file });
      if (code !== 'ENOENT') throw e;
      if (opts.create === false) throw new UserError(`There is no store at ${file}.`, { file });
      try {
        // A dangling symlink: create the file it points to, not a file in place of the link.
        real = path.resolve(path.dirname(real), fs.readlinkSync(real));
      } catch {
        /* not a link */
      }
    }
    const dir = path.dirname(real);
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOTDIR') throw new UserError(`Cannot create the folder ${dir} for the store: a file is in the way. Move it aside.`, { file: dir });
      throw e;
    }
    const driver = new SqliteDriver(real, opts);
    removeStaleStaging(driver.stagingDir);
    if (!fs.existsSync(real)) await driver.createNew();
    else checkDatabaseFile(real);
    await driver.migrate();
    return driver;
  }

  /**
   * Builds a new database beside `file` and links it into place, so that no process ever
   * sees a half-created store (an empty file at `file` is therefore always an error).
   */
  private async createNew(): Promise<void> {
    const tmp = `${this.file}.new-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    try {
      const db = new (sqliteWasm().Database)(tmp);
      try {
        db.exec('PRAGMA journal_mode = DELETE');
        db.exec('BEGIN');
        for (let v = 0; v < SQLITE_MIGRATIONS.length; v++) db.exec(SQLITE_MIGRATIONS[v]);
        db.exec(`PRAGMA user_version = ${SQLITE_MIGRATIONS.length}`);
        db.exec('COMMIT');
      } finally {
        db.close();
      }
      try {
        fs.linkSync(tmp, this.file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // another process made it first: use theirs
      }
    } catch (e) {
      throw this.translate(e, 'create');
    } finally {
      fs.rmSync(tmp, { force: true });
      fs.rmSync(`${tmp}-journal`, { force: true });
      fs.rmSync(`${tmp}.lock`, { recursive: true, force: true });
    }
  }

  private async migrate(): Promise<void> {
    const version = await this.schemaVersion();
    if (version > SQLITE_MIGRATIONS.length) {
      throw new UserError(
        `${this.file} was written by a newer ML Loop (store schema ${version}; this version knows up to ${SQLITE_MIGRATIONS.length}). Update ML Loop.`,
        { file: this.file },
      );
    }
    if (version === SQLITE_MIGRATIONS.length) return;
    await this.write(async (c) => {
      const now = Number((await c.get('PRAGMA user_version'))?.user_version ?? 0);
      for (let v = now; v < SQLITE_MIGRATIONS.length; v++) {
        this.db!.exec(SQLITE_MIGRATIONS[v]);
        this.db!.exec(`PRAGMA user_version = ${v + 1}`);
      }
    });
  }

  schemaVersion(): Promise<number> {
    return this.read(async (c) => Number((await c.get('PRAGMA user_version'))?.user_version ?? 0));
  }

  read<T>(fn: (c: SqlConn) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.serial(() => this.locked('read', fn, signal));
  }

  write<T>(fn: (c: SqlConn) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.serial(() => this.locked('write', fn, signal));
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private connection(): Database {
    if (!this.db) {
      let db: Database;
      try {
        db = new (sqliteWasm().Database)(this.file, { fileMustExist: true });
      } catch (e) {
        throw this.translate(e, 'open');
      }
      try {
        db.exec('PRAGMA busy_timeout = 0'); // we wait (asynchronously) on our own lock instead
        db.exec(`PRAGMA cache_size = -${CACHE_KIB}`);
        db.exec('PRAGMA foreign_keys = ON');
      } catch (e) {
        db.close();
        throw e;
      }
      this.db = db;
    }
    return this.db;
  }

  private async locked<T>(mode: 'read' | 'write', fn: (c: SqlConn) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await acquireLock(this.lockFile, {
      timeoutMs: this.opts.lockTimeoutMs,
      purpose: this.opts.purpose,
      signal,
      onWait: (h) => this.opts.onWait?.(`Waiting for ${describeHolder(h)}, which is using the store…`),
    });
    try {
      this.recoverJournal();
      const db = await this.begin(mode, signal);
      let result: T;
      const conn = new SqliteConn(db);
      try {
        result = await fn(conn);
        conn.finish();
        db.exec('COMMIT');
      } catch (e) {
        conn.finish();
        if (db.inTransaction) {
          try {
            db.exec('ROLLBACK');
          } catch {
            // A failed commit may already have rolled back; closing the connection below
            // leaves the hot journal for the next unit of work to roll back.
            this.dropConnection();
          }
        }
        throw e instanceof UserError || e instanceof CancelledError ? e : this.translate(e, mode);
      }
      return result;
    } finally {
      // SQLite must have let go of its lock directory before we let go of ours; a statement
      // left open would keep it (and another process would then take it for stale).
      if (fs.existsSync(this.sqliteLockDir)) this.dropConnection();
      release();
    }
  }

  /**
   * Opens the connection when needed and BEGINs, recovering from a lock directory left by a
   * dead process (see the file doc).
   * @returns the connection, inside a transaction.
   */
  private async begin(mode: 'read' | 'write', signal?: AbortSignal): Promise<Database> {
    const deadline = Date.now() + (this.opts.lockTimeoutMs ?? 15000);
    for (let attempt = 0; ; attempt++) {
      let db: Database | undefined;
      try {
        db = this.connection();
        db.exec(mode === 'write' ? 'BEGIN IMMEDIATE' : 'BEGIN');
        // A deferred BEGIN takes no lock until the first read: make it take it now.
        if (mode === 'read') db.get('SELECT count(*) AS n FROM sqlite_master');
        return db;
      } catch (e) {
        if (db?.isOpen && db.inTransaction) db.exec('ROLLBACK');
        if (classify(e) !== 'busy') throw e instanceof UserError ? e : this.translate(e, 'open');
        // We hold ML Loop's lock, so no live ML Loop process holds SQLite's: what is there was
        // left by a process that died. An old ML Loop (sql.js, 0.1) used a lock *file* of that
        // name while writing; that one we honour while its process lives.
        const old = this.oldLockHolder();
        if (old && processAlive(old.pid)) {
          if (Date.now() > deadline) throw new UserError(`The store is busy: an older ML Loop (process ${old.pid}, ${old.command}) is writing it. Let it finish, then close it.`, { file: this.file });
          if (signal?.aborted) throw new CancelledError();
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        if (attempt >= 3) throw this.translate(e, 'open');
        this.removeStaleSqliteLock();
      }
    }
  }

  /** Rolls back the journal of a transaction whose process died (see the file doc); we hold ML Loop's lock. */
  private recoverJournal(): void {
    if (!fs.existsSync(this.journalFile)) return;
    this.dropConnection(); // its page cache may hold what the dead process wrote
    try {
      rollBackHotJournal(this.file);
    } catch (e) {
      throw this.translate(e, 'recover');
    }
  }

  private oldLockHolder(): { pid: number; command: string } | undefined {
    try {
      if (!fs.statSync(this.sqliteLockDir).isFile()) return undefined;
    } catch {
      return undefined;
    }
    const h = readLockHolder(this.sqliteLockDir) as unknown as { pid?: number; command?: string } | undefined;
    if (h && typeof h.pid === 'number') return { pid: h.pid, command: h.command ?? 'ML Loop' };
    try {
      const parsed = JSON.parse(fs.readFileSync(this.sqliteLockDir, 'utf8')) as { pid?: number; command?: string };
      return typeof parsed.pid === 'number' ? { pid: parsed.pid, command: parsed.command ?? 'ML Loop' } : undefined;
    } catch {
      return undefined;
    }
  }

  private removeStaleSqliteLock(): void {
    this.dropConnection();
    try {
      const st = fs.statSync(this.sqliteLockDir);
      if (st.isDirectory()) fs.rmdirSync(this.sqliteLockDir);
      else fs.rmSync(this.sqliteLockDir, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }

  private dropConnection(): void {
    if (!this.db) return;
    try {
      this.db.close();
    } catch {
      /* closing is best effort: its lock directory is checked again by the next open */
    }
    this.db = undefined;
  }

  /** A SQLite or file-system failure → the UserError that says what happened to which file. */
  private translate(e: unknown, doing: string): Error {
    if (e instanceof UserError || e instanceof CancelledError) return e;
    const kind = classify(e);
    const msg = e instanceof Error ? e.message : String(e);
    const code = (e as NodeJS.ErrnoException)?.code;
    const file = this.file;
    if (kind === 'corrupt' || kind === 'notadb') {
      return new UserError(
        `The store ${file} is damaged (SQLite: ${msg}). Nothing was written. Restore it from a backup if you have one; ` +
          `otherwise move it aside (e.g. \`mv ${path.basename(file)} ${path.basename(file)}.damaged\`) and run \`mlloop import\` again. ${afterMovingAside(file)}`,
        { file },
      );
    }
    if (kind === 'full' || code === 'ENOSPC' || (kind === 'ioerr' && (freeBytes(path.dirname(file)) ?? Infinity) < 8 * 1024 * 1024)) {
      return new UserError(`The disk that holds the store ${file} is full. Nothing was written; the store is as it was before. Free some space and try again.`, { file });
    }
    if (kind === 'readonly' || code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
      return new UserError(`Cannot write the store ${file}: it (or its folder) is read-only or not yours. Check its permissions${code === 'EROFS' ? ' (the file system is mounted read-only)' : ''}.`, { file });
    }
    if (kind === 'ioerr') return new UserError(`Reading or writing the store ${file} failed (SQLite: ${msg}). The last committed state is kept. Check the disk and try again.`, { file });
    if (kind === 'cantopen') return new UserError(`Cannot ${doing} the store ${file} (SQLite: ${msg}). Check that the folder exists and is writable.`, { file });
    if (kind === 'busy') return new UserError(`The store ${file} is locked and the lock could not be recovered. Close other programs using it and try again.`, { file });
    return e instanceof Error ? e : new Error(msg);
  }

  async close(): Promise<void> {
    await this.queue;
    this.dropConnection();
  }
}

/**
 * Opens the embedded store at `file` (see the file doc).
 * @throws UserError (see SqliteDriver.open).
 */
export async function openSqliteStore(file: string, opts: SqliteStoreOptions = {}): Promise<SqlStore> {
  return new SqlStore(await SqliteDriver.open(file, opts), opts);
}

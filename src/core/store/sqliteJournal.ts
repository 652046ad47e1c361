/**
 * Rolling back the hot journal a killed process left beside an SQLite store — which
 * node-sqlite3-wasm's VFS keeps SQLite from doing by itself.
 *
 * Why: SQLite looks for a hot journal after it has taken its SHARED lock, and calls a journal
 * hot only when no connection holds a RESERVED lock, asking the VFS (xCheckReservedLock).
 * node-sqlite3-wasm answers that by checking whether the directory `<db>.lock` exists — the
 * very directory it has just created for this connection's SHARED lock. So the answer is
 * always "reserved", a journal is never hot, and a connection opened after a process died
 * in the middle of a commit reads whatever pages that process had written: part of a
 * transaction (an inbox offset moved on without the rows it covers) or a malformed b-tree.
 * (Measured: a `-journal` is left by about two in three kills of a busy ingester; SQLite
 * itself rolls such a pair back, node-sqlite3-wasm reads it as it is.)
 *
 * How: the caller holds ML Loop's lock on the store (see sqlite.ts), so no live process holds
 * any SQLite lock on the file and a journal there belongs to a transaction that never
 * committed (in journal_mode DELETE the commit point is the journal's deletion). For one
 * synchronous open-and-read, the VFS's probe of `<db>.lock` (an fs.accessSync of exactly that
 * path) is answered "absent", and SQLite's own playback runs: pager.c's checksums, multiple
 * journal headers, unsynced record counts and sector sizes, the file cut back to its size
 * before the transaction, synced, and only then the journal deleted — a process killed while
 * recovering leaves the journal for the next one. Being synchronous, nothing else in this
 * process (the extension host's other code included) runs while the probe is answered so.
 * (An earlier version replayed the journal format in TypeScript; SQLite's playback is the one
 * that is tested against every kind of crash, so it is the one used.)
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'node-sqlite3-wasm';
import { sqliteWasm } from './sqliteWasm';

export type JournalRecovery = 'none' | 'rolled back' | 'removed';

/**
 * The node:fs module object itself (not an ES-module namespace copy of it): node-sqlite3-wasm
 * calls `fs.accessSync` on it, so that is where the probe is answered.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeFs: typeof import('node:fs') = require('node:fs');

/**
 * Rolls back `<dbFile>-journal` into `dbFile` and deletes it; call only while holding the
 * store's ML Loop lock, with no SQLite connection open on the file in this process.
 * A `<dbFile>.lock` directory left by the dead process is removed first (under ML Loop's lock
 * no live process holds it).
 * @returns 'none' without a journal; 'rolled back' when SQLite restored the database as it was
 *   before the transaction; 'removed' when the journal held nothing to restore (its header
 *   was never synced, so the transaction had not written to the database yet) and was deleted.
 * @throws the SQLite or file-system error when the database or the journal cannot be read or written.
 */
export function rollBackHotJournal(dbFile: string): JournalRecovery {
  const journalFile = `${dbFile}-journal`;
  if (!fs.existsSync(journalFile)) return 'none';
  const lockDir = `${path.resolve(dbFile)}.lock`; // the VFS probes the path SQLite resolved
  try {
    if (fs.statSync(lockDir).isDirectory()) fs.rmSync(lockDir, { recursive: true, force: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const before = fs.statSync(dbFile);
  const realAccessSync = nodeFs.accessSync;
  const probe: typeof fs.accessSync = (p, mode) => {
    if (typeof p === 'string' && path.resolve(p) === lockDir) throw Object.assign(new Error(`ENOENT: no such file or directory, access '${lockDir}'`), { code: 'ENOENT' });
    return realAccessSync.call(nodeFs, p, mode);
  };
  let db: Database | undefined;
  nodeFs.accessSync = probe;
  try {
    db = new (sqliteWasm().Database)(dbFile, { fileMustExist: true });
    db.get('SELECT count(*) AS n FROM sqlite_master'); // the SHARED lock: SQLite plays the journal back here
  } finally {
    nodeFs.accessSync = realAccessSync;
    db?.close();
  }
  if (fs.existsSync(journalFile)) {
    // SQLite found it not hot (a zero header: never synced, so nothing was written to the
    // database before it) and left it for its next write transaction; it holds nothing to keep.
    fs.rmSync(journalFile, { force: true });
    return 'removed';
  }
  const after = fs.statSync(dbFile);
  return after.size !== before.size || after.mtimeMs !== before.mtimeMs ? 'rolled back' : 'removed';
}

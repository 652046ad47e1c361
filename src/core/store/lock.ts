/**
 * ML Loop's own inter-process lock: a small file stamped with its holder (host, pid, the
 * process's start time, a random token), created atomically with link(2) so it is never seen
 * half-written.
 *
 * Why we need it beside SQLite's: node-sqlite3-wasm locks a database by creating a
 * `<db>.lock` directory — for reads too — and a process killed while holding it leaves the
 * directory behind, after which every open says "database is locked" forever. The directory
 * says nothing about who made it, so it cannot be judged stale by itself. Every ML Loop
 * process therefore takes this lock before it touches the database, and holds it until
 * SQLite has released its own. Whoever holds this lock and still finds SQLite's directory
 * knows its maker is gone, and may remove it (see sqlite.ts). This lock in turn is judged
 * stale only by facts: same host and the holder's pid no longer running (or running with
 * another start time, i.e. a reused pid).
 *
 * Breaking a stale lock is itself done under a second, short-lived "breaker" lock, so two
 * processes that find the same stale lock cannot both remove it and one of them remove the
 * fresh lock the other just took.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CancelledError, UserError } from '../util/errors';

export interface LockHolder {
  pid: number;
  host: string;
  /** Process start time as the OS reports it (Linux: /proc/<pid>/stat field 22), or null. */
  start: string | null;
  token: string;
  /** What the holder is doing, e.g. "mlloop import". */
  command: string;
  /** ISO time the lock was taken. */
  since: string;
}

export interface LockOptions {
  /** How long to wait for a live holder before giving up, in ms. Default 15000. */
  timeoutMs?: number;
  /** What this process is doing, shown to whoever finds the lock held. */
  purpose?: string;
  /** Called once when the lock is found held by a live process and we start to wait. */
  onWait?: (holder: LockHolder) => void;
  signal?: AbortSignal;
}

/** Start time of a process, when the OS tells it (Linux), else null. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) is in parentheses and may contain spaces; fields after the last ')' are fixed.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null; // field 22 overall = index 19 after pid, comm
  } catch {
    return null;
  }
}

/** True when a process with this pid exists on this machine (EPERM: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const thisHost = os.hostname();
const thisStart = processStartTime(process.pid);

/**
 * Whether the holder is certainly gone: same host, and its pid is not running or now belongs
 * to a process that started at another time. A holder on another host is never judged dead
 * (we cannot see its processes): the caller waits and then names it.
 */
export function holderIsDead(h: LockHolder): boolean {
  if (h.host !== thisHost) return false;
  if (h.pid === process.pid) return false; // another thread or store of this process: alive
  if (!processAlive(h.pid)) return true;
  if (h.start !== null) {
    const now = processStartTime(h.pid);
    if (now !== null && now !== h.start) return true;
  }
  return false;
}

export function readLockHolder(file: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
    return typeof parsed.pid === 'number' && typeof parsed.token === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Creates `file` holding `content` atomically: fails with EEXIST when it exists. */
function createExclusive(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o644 });
  try {
    fs.linkSync(tmp, file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw e;
    // File systems without hard links: fall back to O_EXCL (a reader may then briefly see
    // an empty file, which readers treat as "held by someone unknown").
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') {
      const fd = fs.openSync(file, 'wx', 0o644);
      try {
        fs.writeSync(fd, content);
      } finally {
        fs.closeSync(fd);
      }
    } else throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function fileAgeMs(file: string): number | undefined {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** A breaker lock is held for microseconds; one older than this was left by a killed breaker. */
const BREAKER_STALE_MS = 10_000;
/** A lock file nobody can read (no content) for this long was left by a writer killed mid-create. */
const UNREADABLE_STALE_MS = 10_000;

/**
 * Removes `file` if it still holds the stale holder `stale` (same token), under the breaker
 * lock so that no other breaker can remove a lock taken after ours was judged stale.
 * @returns true when the stale lock is gone (removed by us or someone else).
 */
function breakStaleLock(file: string, stale: LockHolder | undefined): boolean {
  const breaker = `${file}.break`;
  try {
    createExclusive(breaker, JSON.stringify({ pid: process.pid, host: thisHost, since: new Date().toISOString() }));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const age = fileAgeMs(breaker);
    if (age !== undefined && age > BREAKER_STALE_MS) fs.rmSync(breaker, { force: true });
    return false; // someone else is breaking it; look again
  }
  try {
    const now = readLockHolder(file);
    if (stale === undefined ? now === undefined : now?.token === stale.token) fs.rmSync(file, { force: true });
    return true;
  } finally {
    fs.rmSync(breaker, { force: true });
  }
}

/**
 * Takes the lock `file`, waiting up to `timeoutMs` for a live holder; a lock whose holder
 * is gone (see {@link holderIsDead}) is broken and taken.
 * @returns a release function (idempotent); call it in a finally.
 * @throws UserError naming the holder when the wait times out; CancelledError when `signal` aborts.
 */
export async function acquireLock(file: string, opts: LockOptions = {}): Promise<() => void> {
  const timeoutMs = opts.timeoutMs ?? 15000;
  const me: LockHolder = {
    pid: process.pid,
    host: thisHost,
    start: thisStart,
    token: crypto.randomBytes(8).toString('hex'),
    command: opts.purpose ?? (process.argv.slice(1, 3).map((a) => path.basename(a)).join(' ') || 'ML Loop'),
    since: new Date().toISOString(),
  };
  const content = JSON.stringify(me);
  const deadline = Date.now() + timeoutMs;
  let delay = 1;
  let told = false;
  for (;;) {
    try {
      createExclusive(file, content);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        // Remove only our own lock: if it was (wrongly) broken and retaken, the file is not ours.
        if (readLockHolder(file)?.token === me.token) fs.rmSync(file, { force: true });
      };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT') {
        throw new UserError(`The disk that holds ${path.dirname(file)} is full: not even a lock file fits. Nothing was written. Free some space and try again.`, { file: path.dirname(file) });
      }
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
        throw new UserError(`Cannot write in ${path.dirname(file)} (${code === 'EROFS' ? 'read-only file system' : 'permission denied'}): ML Loop needs to create its lock file ${path.basename(file)} there, even to read the store.`, { file: path.dirname(file) });
      }
      if (code !== 'EEXIST') throw e;
    }
    const holder = readLockHolder(file);
    if (holder && holderIsDead(holder)) {
      breakStaleLock(file, holder);
      continue;
    }
    if (!holder && (fileAgeMs(file) ?? 0) > UNREADABLE_STALE_MS) {
      breakStaleLock(file, undefined);
      continue;
    }
    if (holder && !told) {
      told = true;
      opts.onWait?.(holder);
    }
    if (opts.signal?.aborted) throw new CancelledError();
    if (Date.now() >= deadline) {
      const who = holder ? describeHolder(holder) : 'another process';
      throw new UserError(
        `The store is busy: ${who} has been using it for longer than ${Math.round(timeoutMs / 1000)} s. ` +
          `Wait for it to finish and try again.${holder && holder.host !== thisHost ? ` If that process is no longer running, delete ${file}.` : ''}`,
        { file },
      );
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 50);
  }
}

/** "process 123 (mlloop import) since 2026-…" (+ " on host" when not this one). */
export function describeHolder(h: LockHolder): string {
  return `process ${h.pid} (${h.command})${h.host !== thisHost ? ` on ${h.host}` : ''} since ${h.since}`;
}

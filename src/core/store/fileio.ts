/**
 * The two on-disk guarantees of the store:
 *  - atomic replacement: a file is written beside the target, fsynced, then renamed over
 *    it, and the folder is fsynced, so a process killed at any moment leaves either the old
 *    or the new file, never a half-written one;
 *  - an exclusive write lock between processes (two VS Code windows, or the CLI beside the
 *    extension), held only while a write transaction runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../util/errors';

const TMP_MARK = '.tmp-';

/** Writes `data` to `file` atomically (write temp + fsync + rename + fsync dir). */
export function writeFileAtomic(file: string, data: Uint8Array): void {
  const dir = path.dirname(file);
  const tmp = `${file}${TMP_MARK}${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    let off = 0;
    while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
  try {
    const dfd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    // Some filesystems (and Windows) cannot fsync a directory; the rename is still atomic.
  }
}

/** Removes temp files left by writers that died mid-save (their pid is gone). */
export function removeStaleTempFiles(file: string): void {
  const dir = path.dirname(file);
  const base = path.basename(file) + TMP_MARK;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(base)) continue;
    const pid = Number(name.slice(base.length).split('-')[0]);
    if (!Number.isInteger(pid) || !processAlive(pid)) fs.rmSync(path.join(dir, name), { force: true });
  }
}

/** True when a process with this pid exists on this machine. */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface LockInfo {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export interface LockOptions {
  /** How long to wait for another process's lock before giving up, in ms. Default 15000. */
  timeoutMs?: number;
  /** What this process is doing, shown to whoever finds the lock held. */
  purpose?: string;
}

/**
 * Takes an exclusive lock file (`O_CREAT|O_EXCL`), waiting up to `timeoutMs` for the holder
 * to release it. A lock left by a dead process on this host is removed and taken.
 * @returns a release function; call it in a finally.
 * @throws UserError naming the holder when the wait times out.
 */
export async function acquireLock(lockFile: string, opts: LockOptions = {}): Promise<() => void> {
  const timeoutMs = opts.timeoutMs ?? 15000;
  const info: LockInfo = {
    pid: process.pid,
    host: os.hostname(),
    command: opts.purpose ?? process.argv.slice(1, 3).map((a) => path.basename(a)).join(' '),
    since: new Date().toISOString(),
  };
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    try {
      const fd = fs.openSync(lockFile, 'wx');
      fs.writeSync(fd, JSON.stringify(info));
      fs.closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        fs.rmSync(lockFile, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = readLock(lockFile);
    if (holder && holder.host === info.host && !processAlive(holder.pid)) {
      // The holder died without releasing. Remove only if it is still the same lock file.
      const again = readLock(lockFile);
      if (again && again.pid === holder.pid && again.since === holder.since) fs.rmSync(lockFile, { force: true });
      continue;
    }
    if (holder === undefined && fileAgeMs(lockFile) > 5000) {
      // Unreadable for a while: a writer died between create and write.
      fs.rmSync(lockFile, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      const who = holder ? `process ${holder.pid} (${holder.command}) on ${holder.host} since ${holder.since}` : 'another process';
      throw new UserError(
        `The store is busy: ${who} is writing to it. Wait for it to finish and try again. ` +
          `If that process is no longer running, delete ${lockFile}.`,
        { file: lockFile },
      );
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 100);
  }
}

function readLock(lockFile: string): LockInfo | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as LockInfo;
    return typeof parsed.pid === 'number' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function fileAgeMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

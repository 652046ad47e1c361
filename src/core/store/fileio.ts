/**
 * Atomic replacement of small files (reports, mlloop.yaml): a file is written beside the target, fsynced,
 * then renamed over it, and the folder is fsynced, so a process killed at any moment leaves
 * either the old or the new file, never a half-written one. (The store itself writes pages
 * with SQLite's journal; see sqlite.ts.)
 */
import fs from 'node:fs';
import path from 'node:path';

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
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
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

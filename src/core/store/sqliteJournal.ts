/**
 * Rolling back the hot journal a killed process left beside an SQLite store — which
 * node-sqlite3-wasm's VFS never does by itself.
 *
 * Why: SQLite looks for a hot journal after it has taken its SHARED lock, and calls a journal
 * hot only when no connection holds a RESERVED lock, asking the VFS (xCheckReservedLock).
 * node-sqlite3-wasm answers that by checking whether the directory `<db>.lock` exists — the
 * very directory it has just created for this connection's SHARED lock. So the answer is
 * always "reserved", a journal is never hot, and a connection opened after a process died
 * in the middle of a commit reads whatever pages that process had written: part of a
 * transaction (an inbox offset moved on without the rows it covers, rows without their
 * index entries) or a malformed b-tree. (Measured: a `-journal` is left by about two in
 * three kills of a busy ingester; SQLite itself rolls such a pair back, node-sqlite3-wasm
 * reads it as it is.)
 *
 * The caller must hold ML Loop's lock on the store (see sqlite.ts): then no live process is
 * inside a transaction, and a journal there belongs to a transaction that never committed
 * (in journal_mode DELETE the commit point is the journal's deletion).
 *
 * The playback follows SQLite's pager (pager.c, pager_playback, and the format in
 * https://www.sqlite.org/fileformat.html#the_rollback_journal): segments of a header (magic,
 * record count, checksum nonce, the database's page count before the transaction, sector
 * size, page size; one sector long) followed by records (page number, the page as it was,
 * checksum). Records are written back up to the first one that is incomplete or fails its
 * checksum, the file is cut back to its original size, synced, and only then is the journal
 * deleted — a process killed while recovering leaves the journal for the next one.
 */
import fs from 'node:fs';
import path from 'node:path';

const MAGIC = Buffer.from([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]);
/** SQLite's PENDING_BYTE: the page that holds it is never used (nor journaled). */
const PENDING_BYTE = 0x40000000;
/** A record count that means "as many as the file holds" (a journal written without sync). */
const ALL_RECORDS = 0xffffffff;

export type JournalRecovery = 'none' | 'rolled back' | 'removed';

const isPowerOfTwo = (n: number, min: number, max: number) => n >= min && n <= max && (n & (n - 1)) === 0;

/**
 * Rolls back `<dbFile>-journal` into `dbFile` and deletes it; call only while holding the
 * store's ML Loop lock, with no SQLite connection in a transaction on the file.
 * @returns 'none' without a journal, 'rolled back' when the database was put back as it was
 *   before the transaction, 'removed' when the journal held nothing to restore (the
 *   transaction had not written to the database yet).
 * @throws the file-system error when the database or the journal cannot be read or written.
 */
export function rollBackHotJournal(dbFile: string): JournalRecovery {
  const journalFile = `${dbFile}-journal`;
  let jfd: number;
  try {
    jfd = fs.openSync(journalFile, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw e;
  }
  let restored = 0;
  let changed = false;
  try {
    const jsize = fs.fstatSync(jfd).size;
    const read = (at: number, n: number): Buffer | undefined => {
      if (at + n > jsize) return undefined;
      const b = Buffer.alloc(n);
      return fs.readSync(jfd, b, 0, n, at) === n ? b : undefined;
    };
    const dfd = fs.openSync(dbFile, 'r+');
    try {
      const dbHead = Buffer.alloc(18);
      const dbHeadBytes = fs.readSync(dfd, dbHead, 0, 18, 0);
      const first = read(0, 28);
      if (first && first.subarray(0, 8).equals(MAGIC) && dbHeadBytes > 0) {
        let pageSize = first.readUInt32BE(24);
        const sectorSize = first.readUInt32BE(20);
        if (pageSize === 0 && dbHeadBytes === 18) pageSize = dbHead.readUInt16BE(16) === 1 ? 65536 : dbHead.readUInt16BE(16);
        const origPages = first.readUInt32BE(16);
        // As SQLite: a first header that is whole and sane means the file goes back to its original size.
        if (isPowerOfTwo(pageSize, 512, 65536) && isPowerOfTwo(sectorSize, 32, 65536) && sectorSize <= jsize) {
          const lockPage = Math.floor(PENDING_BYTE / pageSize) + 1;
          const recordSize = 4 + pageSize + 4;
          let hdr = 0;
          playback: for (;;) {
            const h = read(hdr, 28);
            // A later header must continue this transaction: same magic and the same original size.
            if (!h || !h.subarray(0, 8).equals(MAGIC) || h.readUInt32BE(16) !== origPages || hdr + sectorSize > jsize) break;
            let records = h.readUInt32BE(8);
            const nonce = h.readUInt32BE(12);
            let at = hdr + sectorSize;
            if (records === ALL_RECORDS) records = Math.floor((jsize - at) / recordSize);
            for (let k = 0; k < records; k++, at += recordSize) {
              const rec = read(at, recordSize);
              if (!rec) break playback; // cut short: the rest was never synced
              const pgno = rec.readUInt32BE(0);
              if (pgno === 0 || pgno === lockPage) break playback;
              const page = rec.subarray(4, 4 + pageSize);
              let sum = nonce;
              for (let i = pageSize - 200; i > 0; i -= 200) sum = (sum + page[i]) >>> 0;
              if (sum !== rec.readUInt32BE(4 + pageSize)) break playback; // as SQLite: the journal ends here
              if (pgno > origPages) continue; // a page the transaction added: cut off below
              fs.writeSync(dfd, page, 0, pageSize, (pgno - 1) * pageSize);
              restored++;
              changed = true;
            }
            // The next header starts at the next sector boundary.
            const next = Math.ceil(at / sectorSize) * sectorSize;
            if (next <= hdr) break;
            hdr = next;
          }
          if (origPages > 0 && (restored > 0 || fs.fstatSync(dfd).size !== origPages * pageSize)) {
            fs.ftruncateSync(dfd, origPages * pageSize);
            fs.fsyncSync(dfd);
            changed = true;
          }
        }
      }
    } finally {
      fs.closeSync(dfd);
    }
  } finally {
    fs.closeSync(jfd);
  }
  fs.rmSync(journalFile, { force: true });
  syncDir(path.dirname(dbFile));
  return changed ? 'rolled back' : 'removed';
}

function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    /* not every file system syncs directories */
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * The inbox: `.mlloop/inbox/*.jsonl`, JSON lines that apps append (see
 * schemas/inbox-line.schema.json and src/runtime/inboxLogger.ts), taken into the store
 * exactly once.
 *
 * How "exactly once" holds:
 * - The store remembers, per file, how many bytes were taken (`offset`, always just after a
 *   newline), how many lines, and the file's identity. A batch of lines and the file's new
 *   offset are written in ONE unit of work, so an ingester killed at any moment has taken a
 *   batch wholly or not at all; the next run starts at the stored offset.
 * - The offset is moved with a compare-and-set against the offset the batch started from:
 *   of two ingesters on the same file (`mlloop watch` and a manual `mlloop ingest`), one
 *   takes the batch and the other's unit of work rolls back.
 * - A line without its newline yet (an app mid-write) is not taken; it is taken once its
 *   newline arrives. A file whose writer died mid-line keeps that partial line unread.
 * - Identity = `<device>:<inode>:<n>:<sha1 of the first n bytes>:<sha1 of the n bytes before
 *   the offset>`, n = min(4096, offset): the start and the end of what was already taken. A
 *   file whose device or inode changed (replaced, e.g. written to a temp file and renamed),
 *   that is shorter than its offset (truncated), or whose first or last taken bytes differ
 *   (rewritten in place) is read again from 0 — and nothing is taken twice, because
 *   every row also has a content key: a prediction its id, feedback and outcomes the hash of
 *   their fields, an example line the hash of its content.
 * - With a shared PostgreSQL store, each machine has its own inbox folder: files are tracked
 *   as `<host>/<name>` there.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProjectContext } from '../context/projectContext';
import type { InboxFileState } from '../store/types';
import { parseDuration } from '../util/schedule';
import { throwIfAborted } from '../util/errors';
import { parseInboxLine } from './inboxLine';
import { addCounts, emptyCounts, recordItems, type RecordCounts, type SourcedItem } from './record';

/** Longest line taken, in bytes without its newline: 1 MiB. Longer lines are set aside unread. */
export const MAX_LINE_BYTES = 1 << 20;
/** Identity covers at most this many bytes of a file's start. */
const IDENTITY_PREFIX_BYTES = 4096;
/** Bytes read per call. */
const CHUNK_BYTES = 1 << 20;
/** A batch (one unit of work) holds at most this many bytes of lines. */
const BATCH_BYTES = 4 << 20;
/** Characters of a too-long line kept with its rejection. */
const KEPT_TEXT_CHARS = 2000;

export interface IngestOptions {
  signal?: AbortSignal;
  /** Lines per unit of work. Default 1000. */
  batchLines?: number;
  /** Longest line taken, in bytes. Default {@link MAX_LINE_BYTES}. */
  maxLineBytes?: number;
  /** Rejected lines listed in the result (all are counted, and stored in the store's rejected_lines). Default 1000. */
  maxRejected?: number;
  /** After each unit of work. */
  onProgress?: (p: { file: string; lines: number }) => void;
}

export interface IngestResult {
  /** Rows new to the store (lines already taken, e.g. of a file read again, are not counted). */
  ingested: RecordCounts;
  /**
   * Lines set aside, in the order met: `file` relative to the project folder, 1-based
   * `line`, and the reason (the field and what was wrong). At most `maxRejected`.
   */
  rejected: Array<{ file: string; line: number; reason: string }>;
  /** All rejected lines of this run (may exceed rejected.length). */
  rejectedTotal: number;
  /** Logged predictions deleted by monitoring.retention. */
  pruned: number;
  /** Inbox files looked at. */
  files: number;
}

class OffsetMoved extends Error {}

/**
 * Takes in what is new in the project's inbox folder (`ctx.paths.inboxDir`, created when
 * missing): every `*.jsonl` file (not dot-files), in name order, each complete line once.
 *
 * Per line: a prediction is logged (its id once); feedback and outcomes are recorded on their
 * prediction and, when they carry a label (or accept a classification), become a training
 * example linked to it (see recordItems in ./record.ts for the rules); an example line
 * becomes an example. Blank lines are skipped.
 *
 * Set aside with the reason (and kept in the store's rejected_lines, with the first 2,000
 * characters of the line): lines that are not JSON, not UTF-8, nested deeper than 32 levels,
 * longer than `maxLineBytes`, or that do not fit the schema or the project. Feedback and
 * outcomes whose prediction is not logged are set aside as *waiting* (their whole line kept):
 * every later ingest takes them once the prediction arrives (an app's prediction and its
 * feedback often land in different files, in either order), until monitoring.retention after
 * they were set aside, when they stay rejected for good. Each such line is in `rejected` of
 * the run that set it aside (unless the same run took it after all) and counted in `ingested`
 * of the run that takes it.
 *
 * Afterwards, predictions older than monitoring.retention.predictions (by ctx.clock; their
 * time as logged) are deleted with their feedback and outcomes; the examples stay.
 *
 * Cancelling (signal) keeps the batches already taken; the rest is taken next time.
 *
 * The CLI prints `{"ingested": {"predictions", "feedback", "outcomes", "examples"}, "rejected": [{"file", "line", "reason"}]}`.
 */
export async function ingestInbox(ctx: ProjectContext, opts: IngestOptions = {}): Promise<IngestResult> {
  const dir = ctx.paths.inboxDir;
  fs.mkdirSync(dir, { recursive: true });
  const result: IngestResult = { ingested: emptyCounts(), rejected: [], rejectedTotal: 0, pruned: 0, files: 0 };
  const maxRejected = opts.maxRejected ?? 1000;
  const fileOf = (source: string) => path.relative(ctx.root, path.join(dir, source.replace(/^inbox\//, ''))).split(path.sep).join('/');
  /** Lines set aside as waiting in this run, by source and line: taken later in the same run, they are not rejected after all. */
  const waitingNow = new Set<string>();
  const listRejected = (rows: Array<{ source: string; line: number; reason: string; waitingFor?: string }>) => {
    for (const r of rows) {
      result.rejectedTotal++;
      if (r.waitingFor !== undefined) waitingNow.add(`${r.source}\0${r.line}`);
      if (result.rejected.length < maxRejected) result.rejected.push({ file: fileOf(r.source), line: r.line, reason: r.reason });
    }
  };

  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.name.endsWith('.jsonl') && !e.name.startsWith('.') && (e.isFile() || e.isSymbolicLink()))
    .map((e) => e.name)
    .sort();
  const keyPrefix = ctx.store.engine === 'postgres' ? `${os.hostname()}/` : '';
  const states = new Map((await ctx.store.getInboxFiles()).map((s) => [s.name, s]));
  for (const name of names) {
    throwIfAborted(opts.signal);
    const took = await ingestFile(ctx, path.join(dir, name), keyPrefix + name, `inbox/${name}`, states.get(keyPrefix + name), opts, listRejected);
    if (took === undefined) continue;
    result.files++;
    addCounts(result.ingested, took);
  }

  // Waiting lines whose prediction arrived (in a later file of this run, or since).
  for (;;) {
    throwIfAborted(opts.signal);
    const now = ctx.clock.now().toISOString();
    const taken = await ctx.store.unitOfWork(async (tx) => {
      const ready = await tx.listWaitingLines({ resolvable: true, limit: 500 });
      const items: SourcedItem[] = [];
      const unreadable: typeof ready = [];
      for (const w of ready) {
        // One at a time: of two ingesters retrying the same line, the one that removes it takes it.
        if ((await tx.deleteRejectedLines([w.id])) === 0) continue;
        const parsed = parseInboxLine(w.text, ctx.config);
        if (parsed.ok) items.push({ source: w.source, line: w.line, text: w.text, item: parsed.item });
        else unreadable.push({ ...w, reason: parsed.reason });
      }
      // A waiting line the project no longer accepts (its task changed meanwhile) stays rejected, with the new reason.
      if (unreadable.length) await tx.addRejectedLines(unreadable.map(({ id: _id, waitingFor: _w, ...r }) => ({ ...r, at: now })));
      const r = await recordItems(tx, items, ctx.config, { waitForPredictions: true, keepRejected: true, now });
      return { ready: ready.length, retried: [...items, ...unreadable], rejected: [...unreadable, ...r.rejected], counts: r.counts };
    });
    if (taken.ready === 0) break;
    addCounts(result.ingested, taken.counts);
    // Set aside earlier in this run and taken now: not rejected after all (unless it is listed again below, e.g. taken without its example).
    for (const it of taken.retried) {
      const key = `${it.source}\0${it.line}`;
      if (!waitingNow.delete(key)) continue;
      result.rejectedTotal--;
      const file = fileOf(it.source);
      const at = result.rejected.findIndex((x) => x.file === file && x.line === it.line);
      if (at >= 0) result.rejected.splice(at, 1);
    }
    listRejected(taken.rejected);
    if (taken.ready < 500) break;
  }

  const retention = ctx.config.monitoring.retention.predictions;
  const keepMs = retention === 'forever' ? undefined : parseDuration(retention);
  if (keepMs !== undefined) {
    const before = new Date(ctx.clock.now().getTime() - keepMs).toISOString();
    result.pruned = await ctx.store.prunePredictions(before);
    await ctx.store.expireWaitingLines(before, ` — no such prediction was logged within ${retention} (monitoring.retention.predictions); set aside for good`);
  }
  return result;
}

/** A line read from a file, with the file position just after its newline. */
interface ReadLine {
  line: number;
  end: number;
  /** undefined for a blank line. */
  item?: SourcedItem;
  rejected?: string;
  text?: string;
}

/**
 * Takes the new complete lines of one file, a batch per unit of work.
 * @returns what it took, or undefined when the file is not a readable regular file.
 */
async function ingestFile(
  ctx: ProjectContext,
  file: string,
  key: string,
  source: string,
  prev: InboxFileState | undefined,
  opts: IngestOptions,
  listRejected: (rows: Array<{ source: string; line: number; reason: string; waitingFor?: string }>) => void,
): Promise<RecordCounts | undefined> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, 'r');
  } catch {
    return undefined; // removed since the listing, or unreadable: nothing to take now
  }
  const took = emptyCounts();
  try {
    const st = await fh.stat();
    if (!st.isFile()) return undefined;
    const head = Buffer.alloc(Math.min(IDENTITY_PREFIX_BYTES, st.size));
    if (head.length) await fh.read(head, 0, head.length, 0);
    const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');
    const identityAt = async (offset: number) => {
      const n = Math.min(offset, head.length);
      const tail = Buffer.alloc(Math.min(offset, IDENTITY_PREFIX_BYTES));
      if (tail.length) await fh.read(tail, 0, tail.length, offset - tail.length);
      return `${st.dev}:${st.ino}:${n}:${sha1(head.subarray(0, n))}:${sha1(tail)}`;
    };
    let expected: { identity: string; offset: number } | null = prev ? { identity: prev.identity, offset: prev.offset } : null;
    let start = 0;
    let lines = 0;
    if (prev && prev.offset <= st.size && prev.identity === (await identityAt(prev.offset))) {
      start = prev.offset;
      lines = prev.lines;
    }
    if (st.size <= start) return took;

    const maxLine = opts.maxLineBytes ?? MAX_LINE_BYTES;
    const batchLines = Math.max(1, opts.batchLines ?? 1000);
    let batch: ReadLine[] = [];
    let batchBytes = 0;
    const commit = async (): Promise<boolean> => {
      if (batch.length === 0) return true;
      const end = batch[batch.length - 1].end;
      const endLines = batch[batch.length - 1].line;
      const now = ctx.clock.now().toISOString();
      const state: InboxFileState = { name: key, identity: await identityAt(end), offset: end, lines: endLines, updatedAt: now };
      const items = batch.filter((b) => b.item).map((b) => b.item!);
      const unreadable = batch.filter((b) => b.rejected !== undefined);
      let r: Awaited<ReturnType<typeof recordItems>>;
      try {
        r = await ctx.store.unitOfWork(async (tx) => {
          if (!(await tx.setInboxFile(state, expected))) throw new OffsetMoved();
          const rec = await recordItems(tx, items, ctx.config, { waitForPredictions: true, keepRejected: true, now });
          if (unreadable.length) await tx.addRejectedLines(unreadable.map((u) => ({ source, line: u.line, reason: u.rejected!, text: u.text ?? '', at: now })));
          return rec;
        });
      } catch (e) {
        if (e instanceof OffsetMoved) return false; // another ingester took these lines
        throw e;
      }
      expected = { identity: state.identity, offset: end };
      addCounts(took, r.counts);
      // In line order: the unreadable lines and those recordItems set aside.
      const all = [...unreadable.map((u) => ({ source, line: u.line, reason: u.rejected! })), ...r.rejected].sort((a, b) => a.line - b.line);
      listRejected(all);
      opts.onProgress?.({ file: source, lines: endLines });
      batch = [];
      batchBytes = 0;
      return true;
    };

    const push = async (l: ReadLine, bytes: number): Promise<boolean> => {
      batch.push(l);
      batchBytes += bytes;
      if (batch.length >= batchLines || batchBytes >= BATCH_BYTES) {
        throwIfAborted(opts.signal);
        return commit();
      }
      return true;
    };

    // The current line's bytes so far (it has no newline yet), or — past maxLine — only its start.
    let parts: Buffer[] = [];
    let partBytes = 0;
    let tooLong = false;
    const buf = Buffer.alloc(CHUNK_BYTES);
    let pos = start;
    // Up to the size seen at open: a file appended to faster than it is read still ends.
    while (pos < st.size) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK_BYTES, st.size - pos), pos);
      if (bytesRead === 0) break; // shrank meanwhile: the next run sees the truncation
      const chunk = buf.subarray(0, bytesRead);
      let i = 0;
      while (i < bytesRead) {
        const nl = chunk.indexOf(0x0a, i);
        const stop = nl === -1 ? bytesRead : nl;
        if (!tooLong) {
          parts.push(Buffer.from(chunk.subarray(i, stop)));
          partBytes += stop - i;
          if (partBytes > maxLine) {
            // Keep only what the rejection shows of it.
            tooLong = true;
            parts = [Buffer.concat(parts).subarray(0, KEPT_TEXT_CHARS)];
          }
        } else partBytes += stop - i;
        if (nl === -1) break;
        const lineNo = ++lines;
        const end = pos + nl + 1;
        const bytes = Buffer.concat(parts);
        parts = [];
        const length = partBytes;
        partBytes = 0;
        let l: ReadLine;
        if (tooLong) {
          tooLong = false;
          l = { line: lineNo, end, rejected: `longer than ${maxLine} bytes (${length} bytes): set aside unread`, text: bytes.subarray(0, KEPT_TEXT_CHARS).toString('utf8') };
        } else l = readLine(bytes, lineNo, end, source, ctx);
        if (!(await push(l, length))) return took;
        i = nl + 1;
      }
      pos += bytesRead;
    }
    await commit();
    return took;
  } finally {
    await fh.close();
  }
}

/** One complete line's bytes (without the newline) → a blank, an item or a rejection. */
function readLine(bytes: Buffer, line: number, end: number, source: string, ctx: ProjectContext): ReadLine {
  if (!isUtf8(bytes)) return { line, end, rejected: 'not UTF-8 text', text: bytes.subarray(0, KEPT_TEXT_CHARS).toString('latin1') };
  let text = bytes.toString('utf8');
  if (text.endsWith('\r')) text = text.slice(0, -1);
  if (text.trim() === '') return { line, end };
  const parsed = parseInboxLine(text, ctx.config);
  if (!parsed.ok) return { line, end, rejected: parsed.reason, text };
  return { line, end, item: { source, line, text, item: parsed.item } };
}

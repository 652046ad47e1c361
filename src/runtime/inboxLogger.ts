/**
 * The Node side of the app logger: inbox lines appended to a file of this process's own in an
 * inbox folder (the project's `.mlloop/inbox`, or a folder `mlloop ingest` is pointed at).
 *
 *   const { createInboxLogger } = require('mlloop/dist/runtime');
 *   const log = createInboxLogger({ dir: '/srv/app/.mlloop/inbox' });
 *   const id = log.prediction({ model: bundle.card.version, input: record, output: predictRecords(bundle, [record])[0] });
 *   log.feedback({ prediction: id, accepted: true, by: 'ana' });
 *   process.on('SIGTERM', () => log.close().then(() => process.exit(0)));
 *
 * One file per process — `<host>-<pid>-<start time>.jsonl`, a new one (`…-2.jsonl`) after
 * `maxFileBytes` — so processes never interleave partial lines and a restarted process (even
 * one given the same pid) never appends to a dead one's unfinished line. Writes are async
 * appends of whole batches; see bufferedInboxLogger for buffering, dropping and errors.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bufferedInboxLogger, type BufferOptions, type InboxLogger, type LineSink } from './inboxLines';

export type { InboxLogger, LoggerStats, PredictionLog, FeedbackLog, OutcomeLog } from './inboxLines';

export interface InboxLoggerOptions extends BufferOptions {
  /** The inbox folder (created when missing). */
  dir: string;
  /** Start a new file once this one holds this many bytes. Default 64 MiB. */
  maxFileBytes?: number;
}

export interface FileInboxLogger extends InboxLogger {
  /** The file lines go to now. */
  file(): string;
}

/**
 * A logger appending to `<dir>/<host>-<pid>-<start>.jsonl`. Never throws into the app: a
 * folder that cannot be created or a disk that fails loses the lines of that write (counted
 * in stats().dropped, told to onError), and the next write tries again, on a fresh file
 * handle. A write cut short by a failure leaves a partial line; the next write then starts
 * with a newline, so that partial line is set aside by the ingester on its own and the lines
 * after it are whole.
 */
export function createInboxLogger(opts: InboxLoggerOptions): FileInboxLogger {
  const sink = new FileSink(opts.dir, opts.maxFileBytes ?? 64 * 1024 * 1024);
  const logger = bufferedInboxLogger(sink, opts);
  return { ...logger, file: () => sink.current() };
}

class FileSink implements LineSink {
  private readonly base: string;
  private part = 1;
  private handle: fs.promises.FileHandle | null = null;
  private size = 0;
  /** The last write stopped inside a line. */
  private cut = false;

  constructor(
    private readonly dir: string,
    private readonly maxFileBytes: number,
  ) {
    const host = os.hostname().replace(/[^A-Za-z0-9._-]/g, '_') || 'host';
    const start = new Date().toISOString().replace(/[-:]/g, '').replace('.', '');
    this.base = `${host}-${process.pid}-${start}`;
  }

  current(): string {
    return path.join(this.dir, this.part === 1 ? `${this.base}.jsonl` : `${this.base}-${this.part}.jsonl`);
  }

  async write(text: string): Promise<void> {
    const data = Buffer.from(this.cut ? `\n${text}` : text, 'utf8');
    if (this.handle && this.size > 0 && this.size + data.length > this.maxFileBytes) {
      await this.closeHandle();
      this.part++;
    }
    if (!this.handle) {
      await fs.promises.mkdir(this.dir, { recursive: true });
      this.handle = await fs.promises.open(this.current(), 'a');
      this.size = (await this.handle.stat()).size;
    }
    let off = 0;
    try {
      while (off < data.length) {
        const { bytesWritten } = await this.handle.write(data, off, data.length - off);
        off += bytesWritten;
      }
      this.cut = false;
      this.size += data.length;
    } catch (e) {
      if (off > 0) this.cut = true;
      this.size += off;
      // A fresh handle next time (the file may have been removed, the disk remounted).
      await this.closeHandle();
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.closeHandle();
  }

  private async closeHandle(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    if (h) await h.close().catch(() => undefined);
  }
}

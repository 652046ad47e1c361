/**
 * The server's prediction log: served predictions (and shadow answers) wait in memory and are
 * written to the store in batches — every flushInterval, or at once when 500 are waiting — in
 * one unit of work per batch through the intake (src/core/loop/intake.ts: the path the inbox
 * takes). A response never waits for a write.
 *
 * Nothing logged is lost:
 * - A batch that fails to write (store busy, database down) stays queued and is retried with
 *   back-off; /health reports it.
 * - When the queue is full (maxPending) the server stops taking predictions (503 with
 *   Retry-After) rather than drop any: `accept` says so before a request is predicted.
 * - close() (graceful shutdown) writes everything; if the store cannot be written even then,
 *   the rest goes to an inbox file (.mlloop/inbox/serve-<time>-<pid>.jsonl) as prediction
 *   lines, which `mlloop ingest` / `mlloop watch` take in later. Shadow answers have no inbox
 *   form and are dropped in that case only (they are evidence, not served predictions).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/context/logger';
import { takeIn } from '../core/loop/intake';
import type { ProjectConfig } from '../core/project/types';
import type { PredictionInput, ShadowPredictionInput, Store } from '../core/store/types';

export interface PredictionLogOptions {
  /** Longest a row waits before its batch is written, ms. */
  flushMs: number;
  /** A batch is written at once when this many rows wait. Default 500. */
  batchRows?: number;
  /** Most predictions waiting before the server refuses new ones. Default 100,000. */
  maxPending?: number;
  /** Where close() puts what it could not write. */
  inboxDir: string;
  log: Logger;
  /** The predictions' source in the store. Default 'serve'. */
  source?: string;
  /** How long close() keeps retrying the store before it spills to the inbox, ms. Default 15,000. */
  closeRetryMs?: number;
}

type Row = Omit<PredictionInput, 'source'>;

export class PredictionLog {
  private predictions: Row[] = [];
  private shadows: ShadowPredictionInput[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private closed = false;
  private failures = 0;
  /** Rows written since the start. */
  written = 0;
  shadowsWritten = 0;
  /** Failed batch writes since the start, and the last error (for /health and /metrics). */
  writeErrors = 0;
  lastError: string | null = null;
  private readonly batchRows: number;
  private readonly maxPending: number;
  private readonly source: string;

  constructor(
    private readonly store: Store,
    private readonly config: ProjectConfig,
    private readonly opts: PredictionLogOptions,
  ) {
    this.batchRows = opts.batchRows ?? 500;
    this.maxPending = opts.maxPending ?? 100_000;
    this.source = opts.source ?? 'serve';
  }

  /** Predictions waiting to be written. */
  get pending(): number {
    return this.predictions.length;
  }

  /** Whether `n` more predictions fit in the queue (false: answer 503 and log nothing). */
  accept(n: number): boolean {
    return !this.closed && this.predictions.length + n <= this.maxPending;
  }

  /** Queues served predictions (the caller checked `accept`). */
  add(rows: Row[]): void {
    if (this.closed) throw new Error('the prediction log is closed');
    for (const r of rows) this.predictions.push(r);
    this.schedule();
  }

  /** Queues shadow answers (after their predictions). */
  addShadows(rows: ShadowPredictionInput[]): void {
    if (this.closed || rows.length === 0) return;
    for (const r of rows) this.shadows.push(r);
    this.schedule();
  }

  private schedule(): void {
    if (this.predictions.length + this.shadows.length >= this.batchRows) {
      void this.flush().catch(() => undefined);
      return;
    }
    if (this.timer === null && !this.writing) this.timer = setTimeout(() => void this.flush().catch(() => undefined), this.opts.flushMs);
  }

  /**
   * Writes everything queued now (and what arrives while it writes), one unit of work per
   * batch. Concurrent calls share the writer. Rejects when a batch fails (it stays queued and
   * a retry is scheduled).
   */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.writing) await this.writing.catch(() => undefined);
    if (this.predictions.length === 0 && this.shadows.length === 0) return;
    this.writing = this.writeAll();
    try {
      await this.writing;
    } finally {
      this.writing = null;
    }
  }

  private async writeAll(): Promise<void> {
    while (this.predictions.length || this.shadows.length) {
      const batch = this.predictions.slice(0, 5000);
      const shadowBatch = this.shadows.slice(0, 5000);
      try {
        await this.store.unitOfWork(async (tx) => {
          if (batch.length) await takeIn(tx, { predictions: batch }, this.config, this.source);
          if (shadowBatch.length) await tx.addShadowPredictions(shadowBatch);
        });
      } catch (e) {
        this.writeErrors++;
        this.failures++;
        this.lastError = (e as Error).message;
        if (!this.closed) {
          // Back off (0.2 s, 0.4 s … up to 5 s) and try again; the rows stay queued.
          const wait = Math.min(5000, 200 * 2 ** Math.min(5, this.failures - 1));
          this.opts.log.warn(`could not write ${batch.length} served predictions to the store (retrying in ${wait} ms): ${this.lastError}`);
          if (this.timer === null) this.timer = setTimeout(() => void this.flush().catch(() => undefined), wait);
        }
        throw e;
      }
      this.predictions.splice(0, batch.length);
      this.shadows.splice(0, shadowBatch.length);
      this.written += batch.length;
      this.shadowsWritten += shadowBatch.length;
      this.failures = 0;
      this.lastError = null;
    }
  }

  /**
   * Stops taking rows and writes all queued ones, retrying for closeRetryMs; what still
   * cannot be written is appended to a new inbox file.
   * @returns how many predictions were spilled to the inbox (and its file), 0 normally.
   */
  async close(): Promise<{ spilled: number; file: string | null; shadowsDropped: number }> {
    this.closed = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const deadline = Date.now() + (this.opts.closeRetryMs ?? 15_000);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.flush();
        return { spilled: 0, file: null, shadowsDropped: 0 };
      } catch {
        if (Date.now() >= deadline) break;
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
      }
    }
    const file = path.join(this.opts.inboxDir, `serve-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.jsonl`);
    fs.mkdirSync(this.opts.inboxDir, { recursive: true });
    const lines = this.predictions.map((p) =>
      JSON.stringify({
        kind: 'prediction',
        id: p.id,
        model: p.model,
        time: p.time,
        input: p.input,
        output: p.output,
        ...(p.entity !== undefined ? { entity: p.entity } : {}),
        ...(p.variant !== undefined ? { variant: p.variant } : {}),
        ...(p.latencyMs !== undefined ? { latency_ms: p.latencyMs } : {}),
      }),
    );
    const fd = fs.openSync(file, 'a', 0o644);
    try {
      fs.writeSync(fd, lines.join('\n') + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    const spilled = this.predictions.length;
    const shadowsDropped = this.shadows.length;
    this.predictions = [];
    this.shadows = [];
    this.opts.log.warn(`the store could not be written (${this.lastError}); ${spilled} served predictions were saved to ${file} for \`mlloop ingest\` instead.`);
    return { spilled, file, shadowsDropped };
  }
}

/**
 * What an app logs for ML Loop — predictions it made, feedback on them, outcomes that came
 * later — as inbox lines (schemas/inbox-line.schema.json), and a buffer that hands them to a
 * sink in batches without ever blocking or throwing into the app.
 *
 * No Node built-ins: a browser or edge app can use it with a sink of its own (e.g. one that
 * POSTs to a server). The Node file logger is ./inboxLogger.ts.
 */

/** A time: a Date, an ISO-8601 string or epoch milliseconds. Default: now. */
export type LogTime = Date | string | number;

export interface PredictionLog {
  /** The app's id for the prediction; feedback and outcomes refer to it. Generated (a UUID) when omitted. */
  id?: string;
  /** The model version that made it (a bundle's card.version, e.g. 'v3'). */
  model: string;
  /** The record the model saw. */
  input: Record<string, unknown>;
  /** What it predicted: a result of predictRecords fits (other keys are left out). */
  output: { label?: string | number | boolean; value?: number; confidence?: number; probabilities?: Record<string, number> };
  time?: LogTime;
  entity?: string | number;
  variant?: string;
  latencyMs?: number;
}

export interface FeedbackLog {
  prediction: string;
  /** The right label, as the person says. */
  label?: string | number | boolean;
  /** Whether the person accepted the prediction. */
  accepted?: boolean;
  by?: string;
  /** How long the person took, in ms. */
  durationMs?: number;
  time?: LogTime;
}

export interface OutcomeLog {
  prediction: string;
  label?: string | number | boolean;
  value?: number;
  time?: LogTime;
}

/** Where buffered lines go. */
export interface LineSink {
  /** Writes `text` (whole lines, each ending with a newline). Rejects when it could not. */
  write(text: string): Promise<void>;
  close?(): Promise<void>;
}

export interface LoggerStats {
  /** Lines written. */
  written: number;
  /** Lines lost: the sink failed, the buffer was full, a record could not be serialised, or the logger was closed. */
  dropped: number;
  /** Lines waiting to be written. */
  pending: number;
  /** The last failure, or null. */
  lastError: string | null;
}

export interface BufferOptions {
  /** Lines wait at most this long before they are written, in ms. Default 500. */
  flushMs?: number;
  /** Write as soon as this many bytes wait. Default 64 KiB. */
  flushBytes?: number;
  /** At most this many bytes wait (a slow or failing disk): lines beyond it are dropped and counted. Default 8 MiB. */
  maxPendingBytes?: number;
  /**
   * Told about each failure with how many lines it lost (once per failure, not per line).
   * Default: nothing (read stats()); never throw from here.
   */
  onError?: (error: unknown, droppedLines: number) => void;
  /** The clock for default times (tests). */
  now?: () => Date;
}

export interface InboxLogger {
  /** Logs a prediction and returns its id (the one given, or a new UUID). */
  prediction(p: PredictionLog): string;
  feedback(f: FeedbackLog): void;
  outcome(o: OutcomeLog): void;
  /** Resolves when every line logged so far is written (or dropped). Never rejects. */
  flush(): Promise<void>;
  /** Flushes, then closes the sink; later lines are dropped. Never rejects. */
  close(): Promise<void>;
  stats(): LoggerStats;
}

/** The inbox line of a prediction (a plain object; JSON.stringify it). */
export function predictionLine(p: PredictionLog & { id: string }, now: () => Date = () => new Date()): Record<string, unknown> {
  const out = p.output ?? {};
  return {
    kind: 'prediction',
    id: p.id,
    model: p.model,
    time: timeText(p.time, now),
    input: p.input,
    output: {
      ...(out.label !== undefined ? { label: out.label } : {}),
      ...(out.value !== undefined ? { value: out.value } : {}),
      ...(out.confidence !== undefined ? { confidence: out.confidence } : {}),
      ...(out.probabilities !== undefined ? { probabilities: out.probabilities } : {}),
    },
    ...(p.entity !== undefined ? { entity: p.entity } : {}),
    ...(p.variant !== undefined ? { variant: p.variant } : {}),
    ...(p.latencyMs !== undefined ? { latency_ms: p.latencyMs } : {}),
  };
}

export function feedbackLine(f: FeedbackLog, now: () => Date = () => new Date()): Record<string, unknown> {
  return {
    kind: 'feedback',
    prediction: f.prediction,
    time: timeText(f.time, now),
    ...(f.label !== undefined ? { label: f.label } : {}),
    ...(f.accepted !== undefined ? { accepted: f.accepted } : {}),
    ...(f.by !== undefined ? { by: f.by } : {}),
    ...(f.durationMs !== undefined ? { duration_ms: f.durationMs } : {}),
  };
}

export function outcomeLine(o: OutcomeLog, now: () => Date = () => new Date()): Record<string, unknown> {
  return {
    kind: 'outcome',
    prediction: o.prediction,
    time: timeText(o.time, now),
    ...(o.label !== undefined ? { label: o.label } : {}),
    ...(o.value !== undefined ? { value: o.value } : {}),
  };
}

/** ISO-8601 UTC; a time that is not one is passed on as written (the ingester says what is wrong with it). */
function timeText(t: LogTime | undefined, now: () => Date): unknown {
  if (t === undefined) return now().toISOString();
  const d = t instanceof Date ? t : typeof t === 'number' ? new Date(t) : undefined;
  if (d) return Number.isFinite(d.getTime()) ? d.toISOString() : String(t);
  return t;
}

/** A random UUID where the platform has one (Node ≥ 19, browsers), else 128 random bits in hex. */
function newId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  let s = '';
  for (let i = 0; i < 32; i++) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}

/**
 * An {@link InboxLogger} over any sink: calls only serialise and queue (microseconds); lines
 * go to the sink `flushMs` later or once `flushBytes` wait, one write at a time, in the order
 * logged. A failed write loses its lines (counted in stats().dropped, told to onError) and
 * the logger carries on; nothing is retried without bound, so a dead disk costs the app a
 * bounded amount of memory.
 */
export function bufferedInboxLogger(sink: LineSink, opts: BufferOptions = {}): InboxLogger {
  const flushMs = Math.max(0, opts.flushMs ?? 500);
  const flushBytes = Math.max(1, opts.flushBytes ?? 64 * 1024);
  const maxPending = Math.max(1, opts.maxPendingBytes ?? 8 * 1024 * 1024);
  const now = opts.now ?? (() => new Date());
  let queue: string[] = [];
  let queuedBytes = 0;
  let writingBytes = 0;
  let writingLines = 0;
  let writing: Promise<void> | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  let closing: Promise<void> | null = null;
  const stats: LoggerStats = { written: 0, dropped: 0, pending: 0, lastError: null };

  const fail = (error: unknown, lines: number) => {
    stats.dropped += lines;
    stats.lastError = error instanceof Error ? error.message : String(error);
    try {
      opts.onError?.(error, lines);
    } catch {
      // an onError that throws must not reach the app either
    }
  };

  const drain = (): Promise<void> => {
    if (writing) return writing;
    writing = (async () => {
      while (queue.length) {
        const lines = queue;
        const bytes = queuedBytes;
        queue = [];
        queuedBytes = 0;
        writingBytes = bytes;
        writingLines = lines.length;
        try {
          await sink.write(lines.join(''));
          stats.written += lines.length;
        } catch (e) {
          fail(e, lines.length);
        } finally {
          writingBytes = 0;
          writingLines = 0;
        }
      }
      writing = null;
    })();
    return writing;
  };

  const schedule = () => {
    if (queuedBytes >= flushBytes) {
      if (timer) clearTimeout(timer);
      timer = null;
      void drain();
    } else if (!timer) {
      timer = setTimeout(() => {
        timer = null;
        void drain();
      }, flushMs);
    }
  };

  const add = (build: () => Record<string, unknown>): void => {
    try {
      if (closed) {
        fail(new Error('the inbox logger is closed'), 1);
        return;
      }
      const text = JSON.stringify(build()) + '\n';
      // UTF-16 length: a lower bound of the UTF-8 bytes, close enough for a memory bound.
      if (queuedBytes + writingBytes + text.length > maxPending) {
        fail(new Error(`more than ${maxPending} bytes of lines wait to be written; the sink is too slow or failing`), 1);
        return;
      }
      queue.push(text);
      queuedBytes += text.length;
      schedule();
    } catch (e) {
      fail(e, 1); // e.g. a record with a cycle or a BigInt
    }
  };

  const flush = async (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    // Lines logged while a write runs are written by the same drain loop.
    while (queue.length || writing) await drain();
  };

  return {
    prediction(p) {
      let id = '';
      try {
        id = p?.id ?? newId();
      } catch {
        id = String(Date.now());
      }
      add(() => predictionLine({ ...p, id }, now));
      return id;
    },
    feedback(f) {
      add(() => feedbackLine(f, now));
    },
    outcome(o) {
      add(() => outcomeLine(o, now));
    },
    flush: () => flush().catch(() => undefined),
    close() {
      closing ??= (async () => {
        await flush();
        closed = true;
        try {
          await sink.close?.();
        } catch (e) {
          stats.lastError = e instanceof Error ? e.message : String(e);
        }
      })().catch(() => undefined);
      return closing;
    },
    stats: () => ({ ...stats, pending: queue.length + writingLines }),
  };
}

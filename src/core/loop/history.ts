/**
 * Importing history: files of past predictions, feedback or outcomes (`mlloop import --kind
 * predictions|feedback|outcomes FILE…`), checked exactly as inbox lines are and with the same
 * exactly-once keys, so importing a file twice — or a file the inbox already took — adds
 * nothing.
 *
 * Formats (readRecords): JSONL and JSON hold objects shaped as inbox lines, with `kind`
 * optional. CSV has one column per field; nested fields are dotted columns (`input.title`,
 * `output.label`, `output.confidence`, `output.probabilities.spam`), or an `input` / `output`
 * column holding a JSON object. Empty cells are absent fields (an empty `input.x` cell is an
 * empty value, as in a CSV of examples); numeric and boolean fields are read from their text.
 */
import path from 'node:path';
import { readRecords } from '../data/readers';
import { parseBoolean, parseNumber } from '../data/values';
import type { ProjectContext } from '../context/projectContext';
import type { RejectedRow } from '../store/import';
import { throwIfAborted, UserError } from '../util/errors';
import fs from 'node:fs';
import { checkInboxObject, MAX_JSON_DEPTH, type InboxKind } from './inboxLine';
import { addCounts, emptyCounts, recordItems, type RecordCounts, type SourcedItem } from './record';

export type HistoryKind = 'predictions' | 'feedback' | 'outcomes';

export const HISTORY_KINDS: readonly HistoryKind[] = ['predictions', 'feedback', 'outcomes'];

const LINE_KIND: Record<HistoryKind, InboxKind> = { predictions: 'prediction', feedback: 'feedback', outcomes: 'outcome' };

export interface HistoryReport {
  kind: HistoryKind;
  /** Rows new to the store (predictions, feedback or outcomes). */
  imported: number;
  /** Rows already stored (the same prediction id with the same content, the same feedback …). */
  duplicates: number;
  /** Training examples that labelled feedback or outcomes became. */
  examples: number;
  /** The first `maxRejected` rejected rows, in file order (a row taken without its example is listed too, with why). */
  rejected: RejectedRow[];
  rejectedTotal: number;
  rowsRead: number;
}

export interface HistoryOptions {
  signal?: AbortSignal;
  /** Rows per unit of work. Default 2000. */
  batchSize?: number;
  /** Default 1000. */
  maxRejected?: number;
  onProgress?: (p: { file: string; rowsRead: number }) => void;
}

/**
 * Imports `files` (absolute paths) of one kind. Rows are committed in batches of
 * `batchSize`, each with its own unit of work: an import killed or cancelled midway keeps the
 * batches it committed, and running it again adds the rest and nothing twice (the rows'
 * keys). Feedback and outcomes need their prediction logged (imported earlier, or taken from
 * the inbox); those without are rejected, not kept waiting. Rejected rows are reported, not
 * stored.
 * @throws UserError for a missing file or an unknown format.
 */
export async function importHistory(ctx: ProjectContext, kind: HistoryKind, files: string[], opts: HistoryOptions = {}): Promise<HistoryReport> {
  if (!HISTORY_KINDS.includes(kind)) throw new UserError(`--kind must be one of ${HISTORY_KINDS.join(', ')} (or examples), not '${kind}'.`);
  for (const f of files) {
    if (!fs.existsSync(f)) throw new UserError(`No such file: ${f}`, { file: f });
    if (fs.statSync(f).isDirectory()) throw new UserError(`${f} is a folder; name the files to import.`, { file: f });
  }
  const lineKind = LINE_KIND[kind];
  const batchSize = Math.max(1, opts.batchSize ?? 2000);
  const maxRejected = opts.maxRejected ?? 1000;
  const report: HistoryReport = { kind, imported: 0, duplicates: 0, examples: 0, rejected: [], rejectedTotal: 0, rowsRead: 0 };
  const counts: RecordCounts = emptyCounts();
  const reject = (file: string, line: number, reason: string) => {
    report.rejectedTotal++;
    if (report.rejected.length < maxRejected) report.rejected.push({ file, line, reason });
  };

  const sources = files.map((file) => path.relative(ctx.root, path.resolve(file)).split(path.sep).join('/') || path.basename(file));
  for (const [f, file] of files.entries()) {
    const source = sources[f];
    const csv = /\.csv$/i.test(file);
    let batch: SourcedItem[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      throwIfAborted(opts.signal);
      const items = batch;
      batch = [];
      const now = ctx.clock.now().toISOString();
      const r = await ctx.store.unitOfWork((tx) => recordItems(tx, items, ctx.config, { waitForPredictions: false, keepRejected: false, now }));
      addCounts(counts, r.counts);
      report.duplicates += r.duplicates;
      for (const x of r.rejected) reject(x.source, x.line, x.reason);
      opts.onProgress?.({ file, rowsRead: report.rowsRead });
    };
    for await (const row of readRecords(file, undefined, opts.signal)) {
      report.rowsRead++;
      if (row.kind === 'error') {
        reject(source, row.line, row.reason);
        continue;
      }
      const obj: Record<string, unknown> = csv ? fromCsvRow(row.record) : { ...row.record };
      if (obj.kind !== undefined && obj.kind !== lineKind) {
        reject(source, row.line, `'kind' is ${JSON.stringify(obj.kind)}, but this import is of ${kind} (kind '${lineKind}')`);
        continue;
      }
      obj.kind = lineKind;
      if (depthExceeds(obj, MAX_JSON_DEPTH)) {
        reject(source, row.line, `nested deeper than ${MAX_JSON_DEPTH} levels`);
        continue;
      }
      const checked = checkInboxObject(obj, ctx.config);
      if (!checked.ok) {
        reject(source, row.line, checked.reason);
        continue;
      }
      batch.push({ source, line: row.line, text: JSON.stringify(obj), item: checked.item });
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  }
  // Rejections come per batch (the feedback of a later batch may be rejected before …): list them in file order.
  report.rejected.sort((a, b) => sources.indexOf(a.file) - sources.indexOf(b.file) || a.line - b.line);
  report.imported = kind === 'predictions' ? counts.predictions : kind === 'feedback' ? counts.feedback : counts.outcomes;
  report.examples = counts.examples;
  return report;
}

/** Fields read as numbers / booleans from a CSV cell's text (dotted paths; `*` any key). */
const NUMBER_FIELDS = ['output.value', 'output.confidence', 'output.probabilities.*', 'latency_ms', 'duration_ms', 'value'];
const BOOLEAN_FIELDS = ['accepted'];

/**
 * A CSV row (every value a string) as the object an inbox line would be: dotted columns
 * nested, `input` / `output` cells holding JSON objects parsed, empty cells dropped (except
 * inside `input`, where an empty cell is an empty value), numbers and booleans read.
 */
export function fromCsvRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, raw] of Object.entries(row)) {
    const keys = column.split('.');
    const inInput = keys[0] === 'input' && keys.length > 1;
    if (raw === '' && !inInput) continue;
    let value: unknown = raw;
    if (keys.length === 1 && (column === 'input' || column === 'output') && typeof raw === 'string' && raw.trim().startsWith('{')) {
      try {
        value = JSON.parse(raw);
      } catch {
        value = raw; // the schema then says it is not an object
      }
    } else if (typeof raw === 'string' && matches(column, NUMBER_FIELDS)) value = parseNumber(raw) ?? raw;
    else if (typeof raw === 'string' && matches(column, BOOLEAN_FIELDS)) value = parseBoolean(raw) ?? raw;
    let target = out;
    for (let i = 0; i < keys.length - 1; i++) {
      const next = target[keys[i]];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) target[keys[i]] = {};
      target = target[keys[i]] as Record<string, unknown>;
    }
    const last = keys[keys.length - 1];
    const existing = target[last];
    // `output` as JSON and `output.label` beside it: the dotted column adds to the object.
    if (typeof existing === 'object' && existing !== null && typeof value === 'object' && value !== null) Object.assign(existing, value);
    else target[last] = value;
  }
  return out;
}

function matches(column: string, patterns: string[]): boolean {
  return patterns.some((p) => (p.endsWith('.*') ? column.startsWith(p.slice(0, -1)) && column.length > p.length - 1 : column === p));
}

function depthExceeds(value: unknown, max: number, depth = 0): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (depth + 1 > max) return true;
  for (const v of Array.isArray(value) ? value : Object.values(value)) if (depthExceeds(v, max, depth + 1)) return true;
  return false;
}

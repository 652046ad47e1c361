/**
 * Reading example files (CSV, JSON, JSONL) as a stream of records, each with the 1-based
 * line on which it starts, and with broken rows reported as error items instead of ending
 * the read. Node only (fs streams); the browser runtime never reads files.
 *
 * Values are not typed here: CSV cells stay strings, JSON values keep their JSON types.
 * Validation (validate.ts) and the feature pipeline decide what a value means.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { parse as createCsvParser, type CsvError, type Options as CsvParseOptions, type Parser as CsvParser } from 'csv-parse';
import type { DataFormat } from '../project/types';
import { UserError, throwIfAborted } from '../util/errors';
import { findJsonSyntaxError, jsonElementOffsets, TextLineCounter, type JsonRecordsLocation } from './json-text';

/** One item of a read: a record, or a row that could not be read and why. `line` is 1-based. */
export type ReadItem =
  | { kind: 'record'; line: number; record: Record<string, unknown> }
  | { kind: 'error'; line: number; reason: string };

const formatByExtension: Record<string, DataFormat> = {
  '.csv': 'csv',
  '.json': 'json',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

/**
 * The format of a data file from its extension (case-insensitive): .csv → 'csv',
 * .json → 'json', .jsonl and .ndjson → 'jsonl'.
 * @throws UserError naming the file and the supported extensions for anything else.
 */
export function detectFormat(file: string): DataFormat {
  const format = formatByExtension[path.extname(file).toLowerCase()];
  if (format === undefined) {
    throw new UserError(
      `Cannot tell the format of '${file}' from its extension: use .csv, .json, .jsonl or .ndjson, or set the source's format in mlloop.yaml.`,
      { file },
    );
  }
  return format;
}

/**
 * Reads a data file as a stream of records and per-row errors, in file order.
 *
 * - CSV: the first row is the header (names trimmed; an empty name becomes `column_<n>`,
 *   1-based; a repeated name is a UserError). Quoted fields, embedded newlines, CRLF and a
 *   UTF-8 BOM are handled by csv-parse. Values stay strings ('' for an empty cell). Empty and
 *   whitespace-only lines are skipped. A row with the wrong number of fields gives an error
 *   item ("expected 5 fields, found 4"); a quoting error (unterminated quote, a quote inside
 *   an unquoted field, text after a closing quote) gives an error item and reading resumes at
 *   the line after the one where the broken row starts, so no later row is swallowed into it.
 *   A row that spans several lines and has the wrong field count is treated the same way.
 * - JSONL: one JSON object per line; blank lines skipped; a line that is not valid JSON, or
 *   not an object, gives an error item; reading continues.
 * - JSON: an array of objects, or an object whose "samples" key holds one. The file is read
 *   whole. Each element's line is where it starts. A non-object element gives an error item.
 *   Text that is not valid JSON gives a single error item at the line of the syntax error.
 *   Valid JSON of another shape is a UserError.
 *
 * CSV and JSONL are streamed (memory stays flat for files of any length).
 * @param format defaults to {@link detectFormat}(file).
 * @param signal cancels the read: the generator throws CancelledError.
 * @throws UserError when the file cannot be opened, the format is unknown, or (CSV) the
 *   header cannot be read.
 */
export async function* readRecords(file: string, format?: DataFormat, signal?: AbortSignal): AsyncGenerator<ReadItem> {
  const resolvedFormat = format ?? detectFormat(file);
  await assertReadableFile(file);
  switch (resolvedFormat) {
    case 'csv':
      yield* readCsv(file, signal);
      return;
    case 'jsonl':
      yield* readJsonLines(file, signal);
      return;
    case 'json':
      yield* readJsonDocument(file, signal);
      return;
  }
}

async function assertReadableFile(file: string): Promise<void> {
  let stats;
  try {
    stats = await fsp.stat(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`Data file '${file}' does not exist.`, { file });
    if (code === 'EACCES' || code === 'EPERM') throw new UserError(`Data file '${file}' cannot be read (permission denied).`, { file });
    throw e;
  }
  if (!stats.isFile()) throw new UserError(`Data source '${file}' is not a file.`, { file });
}

// ---------------------------------------------------------------------------------------
// CSV
//
// Line numbers are counted from the parsed rows rather than taken from csv-parse (whose
// counter counts a CRLF inside a quoted field twice): empty lines are parsed as one-field
// rows, so every row consumes exactly 1 + (line breaks inside its fields) lines.
//
// After a broken row, csv-parse's position is not trusted (a stray quote may have swallowed
// the lines after it), so a fresh parser starts at the line after the one where the broken
// row starts. Finding that line's byte offset needs the bytes since the last row start,
// which ByteLineTracker keeps.

type CsvEvent = { kind: 'fields'; fields: string[] } | { kind: 'broken'; reason: string };

/** One csv-parse parser over the file from some line on. Parses synchronously on write. */
class CsvParseSession {
  private readonly parser: CsvParser;
  /** Rows handed out by next(). */
  private taken = 0;
  /** Broken rows in the order csv-parse met them, with the count of good rows before each. */
  private readonly broken: Array<{ afterRows: number; reason: string }> = [];
  ended = false;

  constructor(atFileStart: boolean) {
    const options: CsvParseOptions = {
      bom: atFileStart,
      relax_column_count: true,
      skip_empty_lines: false,
      skip_records_with_error: true,
      on_skip: (err) => {
        this.broken.push({ afterRows: parser.info.records, reason: describeCsvError(err) });
        return undefined;
      },
    };
    // csv-parse hands its options on to the Transform stream: hold every row of a slice
    // without back-pressure, since rows are taken right after each write.
    const parser = createCsvParser(Object.assign(options, { readableHighWaterMark: 1 << 30 }));
    // Errors also reach end()'s promise, which is where they are handled.
    parser.on('error', () => undefined);
    this.parser = parser;
  }

  write(bytes: Buffer): void {
    this.parser.write(bytes);
  }

  end(): Promise<void> {
    this.ended = true;
    return new Promise((resolve, reject) => {
      this.parser.once('error', reject);
      this.parser.end(() => resolve());
    });
  }

  /** The next row or broken row parsed so far, in file order; undefined when none is ready. */
  next(): CsvEvent | undefined {
    const broken = this.broken[0];
    if (broken !== undefined && broken.afterRows === this.taken) {
      this.broken.shift();
      return { kind: 'broken', reason: broken.reason };
    }
    const fields = this.parser.read() as string[] | null;
    if (fields === null) return undefined;
    this.taken++;
    return { kind: 'fields', fields };
  }

  destroy(): void {
    this.parser.destroy();
  }
}

function describeCsvError(err: CsvError | undefined): string {
  switch (err?.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'unterminated quote: a quoted field is never closed';
    case 'INVALID_OPENING_QUOTE':
      return 'a quote inside an unquoted field (quote the whole field and double the inner quote: "5\'10""")';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'text after a closing quote (a quoted field must end at a comma or the end of the line)';
    default:
      return err?.message ?? 'unreadable row';
  }
}

/** Line breaks inside a parsed row: LF, CRLF and lone CR each count once. */
function lineBreaksIn(fields: string[]): number {
  let breaks = 0;
  for (const field of fields) {
    if (field.length === 0 || (field.indexOf('\n') < 0 && field.indexOf('\r') < 0)) continue;
    for (let i = 0; i < field.length; i++) {
      const c = field.charCodeAt(i);
      if (c === 0x0a || (c === 0x0d && field.charCodeAt(i + 1) !== 0x0a)) breaks++;
    }
  }
  return breaks;
}

/**
 * The bytes of the file from the start of some line on, so that the byte offset of a later
 * line can be found. Lines are only ever asked for in increasing order; bytes before the
 * last line found are dropped. Line breaks: LF, CRLF, lone CR.
 */
class ByteLineTracker {
  private chunks: Buffer[] = [];
  /** Absolute offset of chunks[0][0]. */
  private chunksStart = 0;
  private fedEnd = 0;
  /** The start of line `cursorLine` is at byte `cursor`. */
  private cursor = 0;
  private cursorLine = 1;

  feed(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.fedEnd += chunk.length;
  }

  get end(): number {
    return this.fedEnd;
  }

  /** Byte at an absolute offset ≥ chunksStart, or -1 past the bytes fed so far. */
  private byteAt(offset: number): number {
    let start = this.chunksStart;
    for (const chunk of this.chunks) {
      if (offset < start + chunk.length) return chunk[offset - start];
      start += chunk.length;
    }
    return -1;
  }

  /**
   * Byte offset where 1-based `line` (≥ the last line asked for) starts, or undefined when
   * its line break has not been fed yet. `complete`: the whole file has been fed (a CR as
   * the last byte is then a line break rather than maybe the first half of a CRLF).
   */
  lineStart(line: number, complete: boolean): number | undefined {
    let at = this.cursor;
    let current = this.cursorLine;
    let chunkIndex = 0;
    let chunkStart = this.chunksStart;
    while (current < line) {
      while (chunkIndex < this.chunks.length && at >= chunkStart + this.chunks[chunkIndex].length) {
        chunkStart += this.chunks[chunkIndex].length;
        chunkIndex++;
      }
      if (chunkIndex >= this.chunks.length) return undefined;
      const chunk = this.chunks[chunkIndex];
      const i = at - chunkStart;
      const lf = chunk.indexOf(0x0a, i);
      const cr = chunk.indexOf(0x0d, i);
      if (lf < 0 && cr < 0) {
        at = chunkStart + chunk.length;
        continue;
      }
      if (cr >= 0 && (lf < 0 || cr < lf)) {
        const following = this.byteAt(chunkStart + cr + 1);
        if (following === -1 && !complete) return undefined;
        at = chunkStart + cr + (following === 0x0a ? 2 : 1);
      } else {
        at = chunkStart + lf + 1;
      }
      current++;
    }
    this.cursor = at;
    this.cursorLine = current;
    while (this.chunks.length > 0 && this.chunksStart + this.chunks[0].length <= this.cursor) {
      this.chunksStart += this.chunks[0].length;
      this.chunks.shift();
    }
    return at;
  }

  /** The fed bytes in [from, to) (from ≥ the last line start found); a view when in one chunk. */
  bytesBetween(from: number, to: number): Buffer {
    const parts: Buffer[] = [];
    let start = this.chunksStart;
    for (const chunk of this.chunks) {
      const chunkEnd = start + chunk.length;
      if (chunkEnd > from && start < to) parts.push(chunk.subarray(Math.max(from, start) - start, Math.min(to, chunkEnd) - start));
      start = chunkEnd;
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }
}

function csvHeaderNames(fields: string[], file: string, line: number): string[] {
  const names = fields.map((f, i) => f.trim() || `column_${i + 1}`);
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) {
      throw new UserError(`Column '${name}' appears twice in the header of '${file}'; give each column its own name.`, { file, line });
    }
    seen.add(name);
  }
  return names;
}

/** Largest slice of bytes written to csv-parse at once. */
const csvMaxSliceBytes = 64 * 1024;
/** Slice size right after a restart, so that a file with many broken rows re-parses little. */
const csvMinSliceBytes = 1024;

async function* readCsv(file: string, signal?: AbortSignal): AsyncGenerator<ReadItem> {
  const tracker = new ByteLineTracker();
  const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
  const chunks = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let fileDone = false;
  let header: string[] | undefined;
  let session: CsvParseSession | undefined = new CsvParseSession(true);
  /** Offset up to which bytes have been written to the session. */
  let fedTo = 0;
  /** Line on which the session's next row starts (or, without a session, where the next one starts). */
  let line = 1;
  let sliceBytes = csvMaxSliceBytes;
  try {
    for (;;) {
      throwIfAborted(signal);
      if (session === undefined) {
        const offset = tracker.lineStart(line, fileDone);
        if (offset === undefined) {
          if (fileDone) return;
          const next = await chunks.next();
          if (next.done) fileDone = true;
          else tracker.feed(next.value);
          continue;
        }
        session = new CsvParseSession(false);
        fedTo = offset;
        sliceBytes = csvMinSliceBytes;
      }
      if (fedTo < tracker.end) {
        const to = Math.min(tracker.end, fedTo + sliceBytes);
        session.write(tracker.bytesBetween(fedTo, to));
        fedTo = to;
        sliceBytes = Math.min(csvMaxSliceBytes, sliceBytes * 2);
      } else if (!fileDone) {
        const next = await chunks.next();
        if (next.done) fileDone = true;
        else tracker.feed(next.value);
        continue;
      } else if (!session.ended) {
        await session.end();
      } else {
        return;
      }

      for (let event = session.next(); event !== undefined; event = session.next()) {
        const rowLine = line;
        if (event.kind === 'broken') {
          if (header === undefined) throw new UserError(`Cannot read the header row of '${file}': ${event.reason}.`, { file, line: rowLine });
          yield { kind: 'error', line: rowLine, reason: event.reason };
          session.destroy();
          session = undefined;
          line = rowLine + 1;
          break;
        }
        const fields = event.fields;
        const breaks = lineBreaksIn(fields);
        line += 1 + breaks;
        if (header === undefined) {
          header = csvHeaderNames(fields, file, rowLine);
          continue;
        }
        // Empty lines, and whitespace-only lines where a row needs more than one field.
        if (fields.length === 1 && breaks === 0 && (fields[0] === '' || (header.length > 1 && fields[0].trim() === ''))) continue;
        if (fields.length !== header.length) {
          yield { kind: 'error', line: rowLine, reason: `expected ${header.length} fields, found ${fields.length}` };
          if (breaks > 0) {
            // A multi-line row of the wrong shape is almost always a stray quote that swallowed
            // the rows after it: read them again from the next line.
            session.destroy();
            session = undefined;
            line = rowLine + 1;
            break;
          }
          continue;
        }
        const record: Record<string, unknown> = {};
        for (let i = 0; i < fields.length; i++) record[header[i]] = fields[i];
        yield { kind: 'record', line: rowLine, record };
      }
      // Bytes before the next row's line are not needed again.
      if (session !== undefined) tracker.lineStart(line, fileDone);
    }
  } finally {
    stream.destroy();
    session?.destroy();
  }
}

// ---------------------------------------------------------------------------------------
// JSONL

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses one JSONL line; the reason says what is wrong and at which column. */
export function parseJsonLine(text: string): { ok: true; record: Record<string, unknown> } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const problem = findJsonSyntaxError(text);
    const reason = problem
      ? `invalid JSON: ${problem.message} at column ${problem.offset + 1}`
      : `invalid JSON: ${(e as Error).message}`;
    return { ok: false, reason };
  }
  if (!isJsonObject(value)) return { ok: false, reason: `expected a JSON object, found ${jsonKind(value)}` };
  return { ok: true, record: value };
}

async function* readJsonLines(file: string, signal?: AbortSignal): AsyncGenerator<ReadItem> {
  const input = createReadStream(file, { encoding: 'utf8', highWaterMark: 64 * 1024 });
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const rawLine of lines) {
      lineNumber++;
      if ((lineNumber & 1023) === 0) throwIfAborted(signal);
      const text = lineNumber === 1 ? stripBom(rawLine) : rawLine;
      if (text.trim() === '') continue;
      const parsed = parseJsonLine(text);
      yield parsed.ok
        ? { kind: 'record', line: lineNumber, record: parsed.record }
        : { kind: 'error', line: lineNumber, reason: parsed.reason };
    }
    throwIfAborted(signal);
  } finally {
    lines.close();
    input.destroy();
  }
}

// ---------------------------------------------------------------------------------------
// JSON

async function* readJsonDocument(file: string, signal?: AbortSignal): AsyncGenerator<ReadItem> {
  const text = stripBom(await fsp.readFile(file, 'utf8'));
  throwIfAborted(signal);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (e) {
    const problem = findJsonSyntaxError(text);
    if (problem === undefined) {
      yield { kind: 'error', line: 1, reason: `invalid JSON: ${(e as Error).message}` };
      return;
    }
    const lines = new TextLineCounter(text);
    const line = lines.lineAt(problem.offset);
    const column = lines.columnAt(problem.offset);
    yield { kind: 'error', line, reason: `invalid JSON: ${problem.message} at line ${line}, column ${column}` };
    return;
  }
  let elements: unknown[];
  let location: JsonRecordsLocation;
  if (Array.isArray(document)) {
    elements = document;
    location = 'root';
  } else if (isJsonObject(document) && Array.isArray(document.samples)) {
    elements = document.samples;
    location = 'samples';
  } else {
    throw new UserError(
      `'${file}' holds ${jsonKind(document)}${isJsonObject(document) ? ' without a "samples" array' : ''}; ` +
        'a JSON data file must be an array of objects, or an object with a "samples" array of objects.',
      { file, line: 1 },
    );
  }
  const offsets = jsonElementOffsets(text, location);
  if (offsets.length !== elements.length) {
    throw new Error(`JSON element scanner found ${offsets.length} elements where JSON.parse found ${elements.length} in ${file}`);
  }
  const lines = new TextLineCounter(text);
  for (let i = 0; i < elements.length; i++) {
    if ((i & 1023) === 1023) throwIfAborted(signal);
    const line = lines.lineAt(offsets[i]);
    const element = elements[i];
    yield isJsonObject(element)
      ? { kind: 'record', line, record: element }
      : { kind: 'error', line, reason: `element ${i + 1} is ${jsonKind(element)}, expected a JSON object` };
  }
}

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
import { parse as createCsvParser, type CsvError, type Options as CsvParseOptions, type Parser as CsvParser } from 'csv-parse';
import type { DataFormat } from '../project/types';
import { UserError, throwIfAborted } from '../util/errors';
import { fileSystemUserError } from '../util/fsErrors';
import { describeByteProblem, firstByteProblem, guessNonUtf8Kind, scanByteProblems, StreamByteChecker, type ByteProblem } from './bytes';
import { findJsonSyntaxError, jsonElementSpans, jsonNestingDepth, maxRecordNesting, TextLineCounter, type JsonRecordsLocation } from './json-text';

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
 * Every format: the file must be UTF-8. A row holding bytes that are not UTF-8 (a Latin-1
 * 'é', binary data) or a NUL byte gives an error item naming the byte and its column, instead
 * of being decoded into U+FFFD; a header that is not UTF-8 is a UserError. A JSON record
 * nested more than {@link maxRecordNesting} levels deep gives an error item (nothing recurses
 * over it); the rows around it are read as usual.
 *
 * CSV and JSONL are streamed (memory stays flat for files of any length).
 * @param format defaults to {@link detectFormat}(file).
 * @param signal cancels the read: the generator throws CancelledError.
 * @throws UserError when the file cannot be opened, the format is unknown, or (CSV) the
 *   header cannot be read.
 */
export async function* readRecords(file: string, format?: DataFormat, signal?: AbortSignal): AsyncGenerator<ReadItem> {
  const resolvedFormat = format ?? detectFormat(file);
  await assertDataFile(file);
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

/**
 * Checks that `file` is a data file that can be read, before anything is imported from it.
 * @throws UserError naming the file: "No such file: …" (also for a link to a missing file),
 *   a folder, a symbolic-link loop, permission denied, and the other file-system errors of
 *   {@link fileSystemUserError}.
 */
export async function assertDataFile(file: string): Promise<void> {
  let stats;
  try {
    stats = await fsp.stat(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      const dangling = await fsp.lstat(file).then((s) => s.isSymbolicLink(), () => false);
      throw new UserError(`No such file: ${file}${dangling ? ' (it is a symbolic link to a file that does not exist)' : ''}.`, { file });
    }
    throw fileSystemUserError(e) ?? e;
  }
  if (stats.isDirectory()) throw new UserError(`${file} is a folder; name the data files in it instead.`, { file });
  if (!stats.isFile()) throw new UserError(`Data source '${file}' is not a regular file.`, { file });
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

/**
 * Thrown from csv-parse's on_skip to stop a session at its first broken row: the reader
 * restarts after it anyway, and csv-parse's cost per error grows with the field so far
 * (its message quotes the whole field), so a line of 100,000 stray quotes would otherwise
 * take minutes (quadratic) for nothing.
 */
class StopAtBrokenRow extends Error {}

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
      // Every line break ends a row, as editors (and the line numbers here) count lines. Left to
      // itself csv-parse takes the first one it meets as the only delimiter, so in a file with
      // mixed endings a CR stayed in a value and the line numbers after it were off by one.
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      skip_empty_lines: false,
      skip_records_with_error: true,
      on_skip: (err) => {
        this.broken.push({ afterRows: parser.info.records, reason: describeCsvError(err) });
        throw new StopAtBrokenRow();
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
      this.parser.once('error', (e) => (e instanceof StopAtBrokenRow ? resolve() : reject(e)));
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
    const found = this.findLineStart(line, complete);
    if (found === undefined) return undefined;
    this.cursor = found.at;
    this.cursorLine = line;
    while (this.chunks.length > 0 && this.chunksStart + this.chunks[0].length <= this.cursor) {
      this.chunksStart += this.chunks[0].length;
      this.chunks.shift();
    }
    return found.at;
  }

  /** As {@link lineStart}, without moving on: the bytes before `line` stay available. */
  peekLineStart(line: number, complete: boolean): number | undefined {
    return this.findLineStart(line, complete)?.at;
  }

  private findLineStart(line: number, complete: boolean): { at: number } | undefined {
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
    return { at };
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

/**
 * Where a byte problem inside a row is: the 1-based line (the row may span several) and the
 * reason. `rowStart` is the offset of the row's first byte, on line `rowLine`.
 */
function locateByteProblem(tracker: ByteLineTracker, problem: ByteProblem, rowStart: number, rowLine: number): { line: number; reason: string } {
  const before = tracker.bytesBetween(rowStart, problem.offset);
  let line = rowLine;
  let lineStart = rowStart;
  for (let i = 0; i < before.length; i++) {
    const b = before[i];
    if (b === 0x0a || (b === 0x0d && before[i + 1] !== 0x0a)) {
      line++;
      lineStart = rowStart + i + 1;
    }
  }
  const reason = describeByteProblem(problem, lineStart);
  return { line, reason: line === rowLine ? reason : `on line ${line}: ${reason}` };
}

async function* readCsv(file: string, signal?: AbortSignal): AsyncGenerator<ReadItem> {
  const tracker = new ByteLineTracker();
  const bytesCheck = new StreamByteChecker();
  let head: Buffer | undefined;
  const feed = (chunk: Buffer): void => {
    head ??= chunk;
    tracker.feed(chunk);
    bytesCheck.feed(chunk);
  };
  const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
  const chunks = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let fileDone = false;
  let header: string[] | undefined;
  /** Index of a column named '__proto__', or -1. */
  let protoColumn = -1;
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
          if (next.done) {
            fileDone = true;
            bytesCheck.end();
          } else feed(next.value);
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
        if (next.done) {
          fileDone = true;
          bytesCheck.end();
        } else feed(next.value);
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
        if (bytesCheck.hasPending) {
          // Only while a problem is pending: finding a row's bytes costs a scan of its line breaks.
          const rowStart = tracker.lineStart(rowLine, fileDone) as number;
          const problem = bytesCheck.take(rowStart, tracker.peekLineStart(line, fileDone) ?? tracker.end);
          if (problem !== undefined) {
            const found = locateByteProblem(tracker, problem, rowStart, rowLine);
            if (header === undefined) {
              const kind = guessNonUtf8Kind(head ?? Buffer.alloc(0));
              throw new UserError(
                `The header row of '${file}' is not UTF-8 text${kind ? `: this looks like ${kind}` : ''} (${found.reason}).`,
                { file, line: found.line },
              );
            }
            yield { kind: 'error', line: rowLine, reason: found.reason };
            continue;
          }
        }
        if (header === undefined) {
          header = csvHeaderNames(fields, file, rowLine);
          protoColumn = header.indexOf('__proto__');
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
        if (protoColumn < 0) {
          for (let i = 0; i < fields.length; i++) record[header[i]] = fields[i];
        } else {
          // Assigning to '__proto__' would set the prototype instead of keeping the column.
          for (let i = 0; i < fields.length; i++) Object.defineProperty(record, header[i], { value: fields[i], enumerable: true, writable: true, configurable: true });
        }
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
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const tooDeepReason = `nested more than ${maxRecordNesting} levels deep; a record holds single values (or JSON nested at most ${maxRecordNesting - 1} levels)`;

/**
 * Parses one JSONL line; the reason says what is wrong and at which column. A line nested
 * more than {@link maxRecordNesting} levels deep is refused before it is parsed.
 */
export function parseJsonLine(text: string): { ok: true; record: Record<string, unknown> } | { ok: false; reason: string } {
  if (jsonNestingDepth(text, maxRecordNesting) > maxRecordNesting) return { ok: false, reason: tooDeepReason };
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

/** One JSONL line (its bytes, without the line break) as a read item, or undefined for a blank line. */
function jsonLineItem(bytes: Uint8Array, line: number): ReadItem | undefined {
  const problem = firstByteProblem(bytes);
  if (problem !== undefined) return { kind: 'error', line, reason: describeByteProblem(problem, 0) };
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (line === 1) text = stripBom(text);
  if (text.trim() === '') return undefined;
  const parsed = parseJsonLine(text);
  return parsed.ok ? { kind: 'record', line, record: parsed.record } : { kind: 'error', line, reason: parsed.reason };
}

/**
 * The lines of a byte stream, without their line breaks, with 1-based numbers. Line breaks:
 * LF, CRLF and a lone CR (as editors count them, and as the CSV reader does).
 */
async function* byteLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<{ line: number; bytes: Buffer }> {
  let line = 1;
  let partial: Buffer[] = [];
  /** The previous chunk ended with CR: an LF at the start of the next one belongs to it. */
  let pendingCr = false;
  for await (const chunk of chunks) {
    let start = 0;
    if (pendingCr && chunk.length > 0 && chunk[0] === 0x0a) start = 1;
    pendingCr = false;
    for (;;) {
      const lf = chunk.indexOf(0x0a, start);
      const cr = chunk.indexOf(0x0d, start);
      if (lf < 0 && cr < 0) break;
      let next: number;
      let end: number;
      if (cr >= 0 && (lf < 0 || cr < lf)) {
        end = cr;
        if (cr + 1 < chunk.length) {
          next = chunk[cr + 1] === 0x0a ? cr + 2 : cr + 1;
        } else {
          next = chunk.length;
          pendingCr = true;
        }
      } else {
        end = lf;
        next = lf + 1;
      }
      partial.push(chunk.subarray(start, end));
      yield { line, bytes: partial.length === 1 ? partial[0] : Buffer.concat(partial) };
      partial = [];
      line++;
      start = next;
    }
    if (start < chunk.length) partial.push(chunk.subarray(start));
  }
  if (partial.length > 0) yield { line, bytes: partial.length === 1 ? partial[0] : Buffer.concat(partial) };
}

async function* readJsonLines(file: string, signal?: AbortSignal): AsyncGenerator<ReadItem> {
  const input = createReadStream(file, { highWaterMark: 64 * 1024 });
  try {
    for await (const { line, bytes } of byteLines(input as AsyncIterable<Buffer>)) {
      if ((line & 1023) === 0) throwIfAborted(signal);
      const item = jsonLineItem(bytes, line);
      if (item !== undefined) yield item;
    }
    throwIfAborted(signal);
  } finally {
    input.destroy();
  }
}

// ---------------------------------------------------------------------------------------
// JSON

/**
 * The lines (1-based) holding a byte problem, with the first problem's reason, for a
 * whole document held in memory. Empty for valid UTF-8 (the usual case: one native check).
 */
function byteProblemLines(bytes: Uint8Array): Map<number, string> {
  const lines = new Map<number, string>();
  if (firstByteProblem(bytes) === undefined) return lines;
  const problems = scanByteProblems(bytes);
  let line = 1;
  let lineStart = 0;
  let p = 0;
  for (let i = 0; i < bytes.length && p < problems.length; i++) {
    while (p < problems.length && problems[p].offset === i) {
      if (!lines.has(line)) lines.set(line, describeByteProblem(problems[p], lineStart));
      p++;
    }
    const b = bytes[i];
    if (b === 0x0a || (b === 0x0d && bytes[i + 1] !== 0x0a)) {
      line++;
      lineStart = i + 1;
    }
  }
  return lines;
}

/**
 * The records of a JSON document held in memory (a file read whole, or stdin), as read items.
 * See {@link readRecords} for the shapes; `singleObject` also accepts one top-level object as
 * one record (stdin). `name` is the file name (or 'stdin') for messages.
 * @returns undefined when the text is not valid JSON (the caller decides what that means),
 *   else the items.
 * @throws UserError for valid JSON of another shape.
 */
function jsonDocumentItems(text: string, name: string, badLines: Map<number, string>, singleObject: boolean): ReadItem[] | undefined {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return undefined;
  }
  let location: JsonRecordsLocation;
  let elements: unknown[];
  if (Array.isArray(document)) {
    elements = document;
    location = 'root';
  } else if (isJsonObject(document) && Array.isArray(document.samples) && !singleObject) {
    elements = document.samples;
    location = 'samples';
  } else if (isJsonObject(document) && singleObject) {
    const start = text.search(/\S/);
    const lines = new TextLineCounter(text);
    const line = lines.lineAt(start);
    const depth = jsonNestingDepth(text, maxRecordNesting);
    const bad = [...badLines.keys()][0];
    if (bad !== undefined) return [{ kind: 'error', line: bad, reason: badLines.get(bad) as string }];
    return [depth > maxRecordNesting ? { kind: 'error', line, reason: tooDeepReason } : { kind: 'record', line, record: document }];
  } else {
    const shape = singleObject ? 'a JSON object, an array of objects, or JSON lines' : 'an array of objects, or an object with a "samples" array of objects';
    throw new UserError(
      `'${name}' holds ${jsonKind(document)}${isJsonObject(document) && !singleObject ? ' without a "samples" array' : ''}; ` +
        `${singleObject ? 'records on stdin must be' : 'a JSON data file must be'} ${shape}.`,
      { file: name, line: 1 },
    );
  }
  const spans = jsonElementSpans(text, location);
  if (spans.length !== elements.length) {
    throw new Error(`JSON element scanner found ${spans.length} elements where JSON.parse found ${elements.length} in ${name}`);
  }
  const lines = new TextLineCounter(text);
  const items: ReadItem[] = [];
  // Lines with a byte problem, in order, consumed as the elements pass them.
  const bad = [...badLines.keys()].sort((a, b) => a - b);
  let nextBad = 0;
  for (let i = 0; i < elements.length; i++) {
    const line = lines.lineAt(spans[i].start);
    const lastLine = lines.lineAt(Math.max(spans[i].start, spans[i].end - 1));
    while (nextBad < bad.length && bad[nextBad] < line) nextBad++;
    const element = elements[i];
    if (nextBad < bad.length && bad[nextBad] <= lastLine) {
      const reason = badLines.get(bad[nextBad]) as string;
      items.push({ kind: 'error', line, reason: bad[nextBad] === line ? reason : `on line ${bad[nextBad]}: ${reason}` });
    } else if (spans[i].depth > maxRecordNesting) {
      items.push({ kind: 'error', line, reason: `element ${i + 1} is ${tooDeepReason}` });
    } else if (isJsonObject(element)) {
      items.push({ kind: 'record', line, record: element });
    } else {
      items.push({ kind: 'error', line, reason: `element ${i + 1} is ${jsonKind(element)}, expected a JSON object` });
    }
  }
  return items;
}

/** Line and column of the first syntax error of invalid JSON text, with its description. */
function jsonSyntaxErrorAt(text: string): { line: number; column: number; message: string } {
  const problem = findJsonSyntaxError(text);
  if (problem === undefined) return { line: 1, column: 1, message: 'not valid JSON' };
  const lines = new TextLineCounter(text);
  const line = lines.lineAt(problem.offset);
  return { line, column: lines.columnAt(problem.offset), message: problem.message };
}

async function* readJsonDocument(file: string, signal?: AbortSignal): AsyncGenerator<ReadItem> {
  const bytes = await fsp.readFile(file);
  throwIfAborted(signal);
  const text = stripBom(bytes.toString('utf8'));
  const items = jsonDocumentItems(text, file, byteProblemLines(bytes), false);
  if (items === undefined) {
    const at = jsonSyntaxErrorAt(text);
    yield { kind: 'error', line: at.line, reason: `invalid JSON: ${at.message} at line ${at.line}, column ${at.column}` };
    return;
  }
  for (let i = 0; i < items.length; i++) {
    if ((i & 1023) === 1023) throwIfAborted(signal);
    yield items[i];
  }
}

// ---------------------------------------------------------------------------------------
// Records held in memory (predict's stdin)

/**
 * Whether invalid JSON text is meant as JSON lines: it has several non-blank lines and the
 * first one is a complete JSON value by itself. Pretty-printed JSON (first line '{' or '[')
 * is not, so its syntax error is reported at its real line instead of "line 1".
 */
function looksLikeJsonLines(text: string): boolean {
  const lines = text.split(/\r\n|\n|\r/).filter((l) => l.trim() !== '');
  if (lines.length < 2) return false;
  try {
    JSON.parse(lines[0]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Records from bytes held in memory (predict's stdin): one JSON object, an array of objects
 * (each with the line it starts on), or JSON lines (one item per line: a bad line gives an
 * error item and the others are read). Same rules as {@link readRecords} for UTF-8, NUL bytes
 * and nesting depth.
 * @param name what to call the input in messages ('stdin').
 * @throws UserError when there is no record at all, for JSON of another shape, and for text
 *   that is neither valid JSON nor JSON lines (naming the line and column of the error).
 */
export function readRecordsFromBytes(bytes: Uint8Array, name: string): ReadItem[] {
  const badLines = byteProblemLines(bytes);
  const text = stripBom(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  if (text.trim() === '') {
    throw new UserError(`No records on ${name}: give a JSON object, an array of objects, or JSON lines (or use --data FILE).`, { file: name });
  }
  const items = jsonDocumentItems(text, name, badLines, true);
  if (items !== undefined) return items;
  if (!looksLikeJsonLines(text)) {
    const at = jsonSyntaxErrorAt(text);
    throw new UserError(`${name}:${at.line}:${at.column}: invalid JSON: ${at.message}.`, { file: name, line: at.line, column: at.column });
  }
  const out: ReadItem[] = [];
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    if (lines[i].trim() === '') continue;
    const bad = badLines.get(line);
    if (bad !== undefined) {
      out.push({ kind: 'error', line, reason: bad });
      continue;
    }
    const parsed = parseJsonLine(lines[i]);
    out.push(parsed.ok ? { kind: 'record', line, record: parsed.record } : { kind: 'error', line, reason: parsed.reason });
  }
  return out;
}

/**
 * Checks on the raw bytes of a data file, before they are decoded: data files are UTF-8,
 * and a byte sequence that is not UTF-8 (a Latin-1 'é', a binary file, UTF-16 text) or a NUL
 * byte must be reported at its line rather than decoded into U+FFFD or stored as it is —
 * which would change the data without saying so.
 *
 * Node only (Buffer and node:buffer's native isUtf8).
 */
import { isUtf8 } from 'node:buffer';

/** A byte that makes a line unusable: not part of valid UTF-8, or a NUL. */
export interface ByteProblem {
  /** Absolute byte offset in the file (or in the checked bytes). */
  offset: number;
  kind: 'not-utf8' | 'nul';
  /** The offending byte (the first byte of an invalid sequence). */
  byte: number;
}

/** Length of the UTF-8 sequence a lead byte starts, or 0 when it cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Allowed range of the second byte after a lead byte (RFC 3629: no overlongs, surrogates or > U+10FFFF). */
function secondByteOk(lead: number, second: number): boolean {
  if (lead === 0xe0) return second >= 0xa0 && second <= 0xbf;
  if (lead === 0xed) return second >= 0x80 && second <= 0x9f;
  if (lead === 0xf0) return second >= 0x90 && second <= 0xbf;
  if (lead === 0xf4) return second >= 0x80 && second <= 0x8f;
  return second >= 0x80 && second <= 0xbf;
}

/**
 * Every problem in bytes[from, to) (in order), with offsets shifted by `base`. A sequence cut
 * off at `to` counts as invalid unless `partialTailOk`, in which case it is left alone (the
 * caller checks it again with the bytes that follow). Slow (a loop in JavaScript): callers run
 * it only where the native check has already failed.
 */
export function scanByteProblems(bytes: Uint8Array, from = 0, to = bytes.length, base = 0, partialTailOk = false): ByteProblem[] {
  const problems: ByteProblem[] = [];
  let i = from;
  while (i < to) {
    const b = bytes[i];
    if (b < 0x80) {
      if (b === 0) problems.push({ offset: base + i, kind: 'nul', byte: 0 });
      i++;
      continue;
    }
    const length = sequenceLength(b);
    let valid = length > 0;
    let cut = false;
    for (let k = 1; valid && k < length; k++) {
      if (i + k >= to) {
        cut = true;
        break;
      }
      const c = bytes[i + k];
      valid = k === 1 ? secondByteOk(b, c) : c >= 0x80 && c <= 0xbf;
    }
    if (cut && partialTailOk) break;
    if (valid && !cut) {
      i += length;
    } else {
      problems.push({ offset: base + i, kind: 'not-utf8', byte: b });
      i++;
    }
  }
  return problems;
}

/**
 * The first problem in `bytes` (a line, a row), or undefined when it is valid UTF-8 without
 * NUL bytes. Fast for the usual case: native checks first.
 */
export function firstByteProblem(bytes: Uint8Array): ByteProblem | undefined {
  if (isUtf8(bytes) && bytes.indexOf(0) < 0) return undefined;
  return scanByteProblems(bytes)[0];
}

/** Offset where an incomplete UTF-8 sequence at the end of `bytes` starts (bytes.length when none). */
function incompleteTailStart(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const b = bytes[n - back];
    if (b < 0x80) return n;
    if (b >= 0xc0) return sequenceLength(b) > back ? n - back : n;
  }
  return n;
}

/**
 * Finds the byte problems of a stream fed chunk by chunk, keeping the absolute offsets of
 * the ones not yet taken. Clean chunks cost one native UTF-8 check and one NUL search.
 */
export class StreamByteChecker {
  private carry: Buffer = Buffer.alloc(0);
  /** Absolute offset of carry[0]. */
  private carryStart = 0;
  private readonly pending: ByteProblem[] = [];

  /** Checks the next chunk of the stream. */
  feed(chunk: Buffer): void {
    const bytes = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const base = this.carryStart;
    const cut = incompleteTailStart(bytes);
    const body = bytes.subarray(0, cut);
    if (!(isUtf8(body) && body.indexOf(0) < 0)) this.pending.push(...scanByteProblems(body, 0, body.length, base));
    this.carry = Buffer.from(bytes.subarray(cut));
    this.carryStart = base + cut;
  }

  /** The stream has ended: an incomplete sequence left at its end is a problem. */
  end(): void {
    if (this.carry.length > 0) this.pending.push(...scanByteProblems(this.carry, 0, this.carry.length, this.carryStart));
    this.carry = Buffer.alloc(0);
  }

  /** True when some problem has not been taken yet. */
  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** The first problem in [from, to), dropping every problem before `to`; undefined when none. */
  take(from: number, to: number): ByteProblem | undefined {
    let found: ByteProblem | undefined;
    while (this.pending.length > 0 && this.pending[0].offset < to) {
      const p = this.pending.shift() as ByteProblem;
      if (found === undefined && p.offset >= from) found = p;
    }
    return found;
  }
}

/** What a file starting with these bytes probably is, when it is not UTF-8 text. */
export function guessNonUtf8Kind(head: Uint8Array): string | undefined {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return 'UTF-16 text (it starts with a UTF-16 byte-order mark)';
  let nul = 0;
  const n = Math.min(head.length, 4096);
  for (let i = 0; i < n; i++) if (head[i] === 0) nul++;
  if (n > 0 && nul * 8 > n) return 'a binary file or UTF-16 text (many NUL bytes)';
  return undefined;
}

function hex(byte: number): string {
  return `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

/**
 * A row's rejection reason for a byte problem, with the 1-based byte column within its
 * line (`lineStart` is the offset where the line begins).
 */
export function describeByteProblem(problem: ByteProblem, lineStart: number): string {
  const column = problem.offset - lineStart + 1;
  if (problem.kind === 'nul') {
    return `a NUL byte (0x00) at byte ${column} of the line: text data never holds one (is this a binary file, or UTF-16 text? save it as UTF-8)`;
  }
  return (
    `byte ${hex(problem.byte)} at byte ${column} of the line is not UTF-8 text; data files must be UTF-8 ` +
    `(if this file is Latin-1 or Windows-1252, convert it, e.g. iconv -f windows-1252 -t utf-8 FILE > FILE.utf8)`
  );
}

/**
 * Small helpers over JSON *text* (not values) that JSON.parse does not offer: where each
 * element of the records array starts, where a syntax error is, and which line an offset
 * is on. The readers use them to report line numbers a user can jump to.
 *
 * PURE: no node built-ins.
 */

/** Which array in a JSON document holds the records. */
export type JsonRecordsLocation = 'root' | 'samples';

/**
 * How deeply a record may nest: the record object is level 1, so its values may hold arrays
 * and objects 63 levels deep. Records are rows of single values; anything near this is an
 * attack or a broken export, and deeper values would overflow the call stack of
 * JSON.stringify and structured cloning later (the store, the hash, the worker boundary).
 */
export const maxRecordNesting = 64;

/** One element of the records array: where it starts and ends, and how deeply it nests. */
export interface JsonElementSpan {
  /** Offset of its first character. */
  start: number;
  /** Offset just past its last character. */
  end: number;
  /** Nesting depth: 0 for a scalar, 1 for a flat object or array, 2 for an array of objects, … */
  depth: number;
}

/**
 * Where each element of the records array is in `text` and how deeply it nests: the
 * top-level array ('root'), or the array under the top-level object's "samples" key
 * ('samples'; when the key repeats, the last one counts, as with JSON.parse).
 * `text` must be valid JSON (check with JSON.parse first). Returns [] when there is no such
 * array. Iterative: any depth of nesting is fine.
 */
export function jsonElementSpans(text: string, location: JsonRecordsLocation): JsonElementSpan[] {
  type Frame = { kind: 'array'; isRecords: boolean } | { kind: 'object'; key: string | undefined; expectingKey: boolean };
  const stack: Frame[] = [];
  let found: JsonElementSpan[] = [];
  let current: JsonElementSpan[] = [];
  /** Stack length of the records array while inside it (its elements are one deeper), else -1. */
  let recordsLevel = -1;
  /** The element being read, when it is a container. */
  let open: JsonElementSpan | undefined;
  const inRecords = (): boolean => {
    const top = stack[stack.length - 1];
    return top !== undefined && top.kind === 'array' && top.isRecords;
  };
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      i++;
    } else if (c === 0x22 /* " */) {
      const end = skipJsonString(text, i);
      const top = stack[stack.length - 1];
      if (top !== undefined && top.kind === 'object' && top.expectingKey) {
        top.key = JSON.parse(text.slice(i, end)) as string;
        top.expectingKey = false;
      } else if (inRecords()) {
        current.push({ start: i, end, depth: 0 });
      }
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (inRecords()) {
        open = { start: i, end: i, depth: 0 };
        current.push(open);
      }
      if (c === 0x7b) {
        stack.push({ kind: 'object', key: undefined, expectingKey: true });
      } else {
        const parent = stack[0];
        const isRecords =
          location === 'root' ? stack.length === 0 : stack.length === 1 && parent.kind === 'object' && parent.key === 'samples';
        if (isRecords) {
          current = [];
          recordsLevel = stack.length + 1;
        }
        stack.push({ kind: 'array', isRecords });
      }
      if (open !== undefined && stack.length - recordsLevel > open.depth) open.depth = stack.length - recordsLevel;
      i++;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      const frame = stack.pop();
      if (frame !== undefined && frame.kind === 'array' && frame.isRecords) {
        found = current;
        recordsLevel = -1;
      }
      i++;
      if (open !== undefined && stack.length === recordsLevel) {
        open.end = i;
        open = undefined;
      }
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top !== undefined && top.kind === 'object') top.expectingKey = true;
      i++;
    } else if (c === 0x3a /* : */) {
      i++;
    } else {
      // number, true, false or null: runs until a delimiter
      const start = i;
      while (i < n && !isJsonDelimiter(text.charCodeAt(i))) i++;
      if (inRecords()) current.push({ start, end: i, depth: 0 });
    }
  }
  return found;
}

/** Offsets where each element of the records array starts (see {@link jsonElementSpans}). */
export function jsonElementOffsets(text: string, location: JsonRecordsLocation): number[] {
  return jsonElementSpans(text, location).map((s) => s.start);
}

/**
 * The deepest nesting of arrays and objects in JSON text (0 for a scalar, 1 for a flat
 * object), counting brackets outside strings. Stops counting once `limit` is passed (the
 * answer is then limit + 1). Works on any text; meant to run before JSON.parse so a record
 * nested 100,000 levels deep is refused before anything recurses over it.
 */
export function jsonNestingDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let deepest = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = skipJsonString(text, i) - 1;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return deepest;
}

function isJsonDelimiter(c: number): boolean {
  return c === 0x2c || c === 0x5d || c === 0x7d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Offset just past the closing quote of the string starting at `start` (text[start] is '"'). */
function skipJsonString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i += 2;
    else if (c === 0x22) return i + 1;
    else i++;
  }
  return text.length;
}

/** Where JSON text stops being valid: character offset and a short description. */
export interface JsonSyntaxProblem {
  offset: number;
  message: string;
}

class JsonSyntaxFailure extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

const jsonNumberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * The first syntax error in `text` (RFC 8259 JSON), or undefined when it is valid.
 * JSON.parse's messages do not always carry a position; this gives one so a user can be
 * sent to the right line. Only run it after JSON.parse has failed: it is a checker, not a
 * parser, and it is slower.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | undefined {
  const n = text.length;
  let i = 0;
  const fail = (message: string): never => {
    throw new JsonSyntaxFailure(i, message);
  };
  const skipWhitespace = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const describeHere = (): string => (i >= n ? 'the end of the text' : `'${String.fromCodePoint(text.codePointAt(i) ?? 0)}'`);
  const string = (): void => {
    i++;
    for (;;) {
      if (i >= n) fail('a string is not closed');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c === 0x5c) {
        const escaped = text[i + 1];
        if (escaped === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('a \\u escape needs four hex digits');
          i += 6;
        } else if (escaped !== undefined && '"\\/bfnrt'.includes(escaped)) {
          i += 2;
        } else {
          fail('invalid escape in a string');
        }
      } else if (c < 0x20) {
        fail('a control character (such as a line break) inside a string');
      } else {
        i++;
      }
    }
  };
  const OBJECT = 0x7b;
  const ARRAY = 0x5b;
  /** Open containers, innermost last (an explicit stack, so nesting depth cannot overflow the call stack). */
  const open: number[] = [];
  const key = (): void => {
    skipWhitespace();
    if (text[i] !== '"') fail(`expected a double-quoted property name, found ${describeHere()}`);
    string();
    skipWhitespace();
    if (text[i] !== ':') fail(`expected ':' after a property name, found ${describeHere()}`);
    i++;
  };
  const scalar = (): void => {
    const c = text[i];
    if (c === '"') {
      string();
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      jsonNumberPattern.lastIndex = i;
      if (!jsonNumberPattern.test(text)) fail('invalid number');
      i = jsonNumberPattern.lastIndex;
    } else {
      for (const word of ['true', 'false', 'null']) {
        if (text.startsWith(word, i)) {
          i += word.length;
          return;
        }
      }
      fail(`unexpected ${describeHere()}`);
    }
  };
  const value = (): void => {
    for (;;) {
      // A value starts here.
      skipWhitespace();
      if (i >= n) fail('unexpected end of the text, a value is missing');
      const c = text[i];
      if (c === '{' || c === '[') {
        i++;
        skipWhitespace();
        if (text[i] === (c === '{' ? '}' : ']')) {
          i++;
        } else {
          open.push(c === '{' ? OBJECT : ARRAY);
          if (c === '{') key();
          continue;
        }
      } else {
        scalar();
      }
      // A value ended: close containers until one continues with ','.
      for (;;) {
        if (open.length === 0) return;
        skipWhitespace();
        const top = open[open.length - 1];
        if (text[i] === ',') {
          i++;
          if (top === OBJECT) key();
          break;
        }
        if (text[i] === (top === OBJECT ? '}' : ']')) {
          i++;
          open.pop();
          continue;
        }
        fail(top === OBJECT ? `expected ',' or '}' after a property value, found ${describeHere()}` : `expected ',' or ']' after an array element, found ${describeHere()}`);
      }
    }
  };
  try {
    value();
    skipWhitespace();
    if (i < n) fail(`unexpected ${describeHere()} after the end of the JSON value`);
    return undefined;
  } catch (e) {
    if (e instanceof JsonSyntaxFailure) return { offset: e.offset, message: e.message };
    throw e;
  }
}

/**
 * Maps increasing character offsets in a text to 1-based line and column numbers, scanning
 * each character once. Line breaks are '\n', '\r\n' and a lone '\r' (as editors count them).
 * Offsets must be asked for in non-decreasing order.
 */
export class TextLineCounter {
  private position = 0;
  private line = 1;
  private lineStart = 0;

  constructor(private readonly text: string) {}

  /** 1-based line of `offset`. */
  lineAt(offset: number): number {
    this.advanceTo(offset);
    return this.line;
  }

  /** 1-based column (in UTF-16 code units) of `offset`; call after or instead of lineAt. */
  columnAt(offset: number): number {
    this.advanceTo(offset);
    return offset - this.lineStart + 1;
  }

  private advanceTo(offset: number): void {
    const text = this.text;
    const end = Math.min(offset, text.length);
    for (let i = this.position; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
        this.line++;
        this.lineStart = i + 1;
      }
    }
    if (end > this.position) this.position = end;
  }
}

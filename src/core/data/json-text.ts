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
 * Character offsets (into `text`) where each element of the records array starts: the
 * top-level array ('root'), or the array under the top-level object's "samples" key
 * ('samples'; when the key repeats, the last one counts, as with JSON.parse).
 * `text` must be valid JSON (check with JSON.parse first). Returns [] when there is no such
 * array.
 */
export function jsonElementOffsets(text: string, location: JsonRecordsLocation): number[] {
  type Frame = { kind: 'array'; isRecords: boolean } | { kind: 'object'; key: string | undefined; expectingKey: boolean };
  const stack: Frame[] = [];
  let found: number[] = [];
  let current: number[] = [];
  const onValueStart = (offset: number): void => {
    const top = stack[stack.length - 1];
    if (top !== undefined && top.kind === 'array' && top.isRecords) current.push(offset);
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
      } else {
        onValueStart(i);
      }
      i = end;
    } else if (c === 0x7b /* { */) {
      onValueStart(i);
      stack.push({ kind: 'object', key: undefined, expectingKey: true });
      i++;
    } else if (c === 0x5b /* [ */) {
      onValueStart(i);
      const parent = stack[0];
      const isRecords =
        location === 'root'
          ? stack.length === 0
          : stack.length === 1 && parent.kind === 'object' && parent.key === 'samples';
      if (isRecords) current = [];
      stack.push({ kind: 'array', isRecords });
      i++;
    } else if (c === 0x5d /* ] */) {
      const frame = stack.pop();
      if (frame !== undefined && frame.kind === 'array' && frame.isRecords) found = current;
      i++;
    } else if (c === 0x7d /* } */) {
      stack.pop();
      i++;
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top !== undefined && top.kind === 'object') top.expectingKey = true;
      i++;
    } else if (c === 0x3a /* : */) {
      i++;
    } else {
      // number, true, false or null: runs until a delimiter
      onValueStart(i);
      while (i < n && !isJsonDelimiter(text.charCodeAt(i))) i++;
    }
  }
  return found;
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
  const value = (): void => {
    skipWhitespace();
    if (i >= n) fail('unexpected end of the text, a value is missing');
    const c = text[i];
    if (c === '{') {
      i++;
      skipWhitespace();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skipWhitespace();
        if (text[i] !== '"') fail(`expected a double-quoted property name, found ${describeHere()}`);
        string();
        skipWhitespace();
        if (text[i] !== ':') fail(`expected ':' after a property name, found ${describeHere()}`);
        i++;
        value();
        skipWhitespace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail(`expected ',' or '}' after a property value, found ${describeHere()}`);
      }
    } else if (c === '[') {
      i++;
      skipWhitespace();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        skipWhitespace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail(`expected ',' or ']' after an array element, found ${describeHere()}`);
      }
    } else if (c === '"') {
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

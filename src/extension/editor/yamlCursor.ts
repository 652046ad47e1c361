/**
 * Where a cursor is in a YAML document, in terms of the document's data: the path of the
 * object whose key is being typed, or of the key whose value is being typed, or of the key
 * or value under the mouse. Works on text that is being edited and so often incomplete
 * (a key without a colon, an empty new line, a half-written flow map).
 *
 * How: the word at the cursor (possibly empty) is replaced by a sentinel (followed by a
 * colon when it stands alone on a block line, so it parses as a key), the patched text is
 * parsed with the `yaml` package, which keeps going past most errors, and the sentinel is
 * looked for in the tree. Its place there (a map key, a map value, a sequence item) and the
 * keys and indices above it give the path. Block and flow style are handled alike, since
 * both parse to the same tree.
 *
 * Pure: no 'vscode', no node built-ins. Offsets are UTF-16 code-unit offsets into the text,
 * as editors count them.
 */
import { isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { DiscriminatorReader, PathSegment } from './schemaModel';

/** Replaces the word being typed; no user writes this, and it is a valid plain scalar. */
const SENTINEL = '__mlloop_cursor__';

/** Characters of a key or scalar value as typed in mlloop.yaml (keys, enum values, numbers). */
const WORD_CHAR = /[A-Za-z0-9_.]/;

export type CompletionContext =
  | {
      kind: 'key';
      /** Path of the object (map) the new key goes into; [] for the top level. */
      objectPath: PathSegment[];
      /** Keys the object already has (without the one being typed). */
      existingKeys: string[];
      /** True when the object is written in flow style (`{ a: 1, b: 2 }`). */
      flow: boolean;
      /** True when a ':' already follows the word (only the key name is to be inserted). */
      colonFollows: boolean;
      /** [start, end) offsets of the word being replaced. */
      replace: [number, number];
      readDiscriminator: DiscriminatorReader;
    }
  | {
      kind: 'value';
      /** Path of the value being typed (the key's path, or an array item's). */
      valuePath: PathSegment[];
      /** True when the text right before the word is a ':' with no space (insert one). */
      needsSpace: boolean;
      replace: [number, number];
      readDiscriminator: DiscriminatorReader;
    };

/** What is under a position, for hover. */
export interface NodeAtPosition {
  /** Path of the key, or of the value's key (for a value of a map pair or an array item). */
  path: PathSegment[];
  /** 'key' when the position is on a map key; 'value' when on a scalar value. */
  role: 'key' | 'value';
  /** The scalar's value (the key's name, or the value). */
  value: unknown;
  /** [start, end) offsets of the scalar. */
  range: [number, number];
  readDiscriminator: DiscriminatorReader;
}

/** The [start, end) of the word around `offset` (empty when none touches it). */
export function wordRangeAt(text: string, offset: number): [number, number] {
  let start = offset;
  let end = offset;
  while (start > 0 && WORD_CHAR.test(text[start - 1])) start--;
  while (end < text.length && WORD_CHAR.test(text[end])) end++;
  return [start, end];
}

/** True when `offset` is inside a comment of its line (a '#' at line start or after a space, outside quotes). */
function inComment(lineBefore: string): boolean {
  let quote: string | undefined;
  for (let i = 0; i < lineBefore.length; i++) {
    const c = lineBefore[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(lineBefore[i - 1]))) return true;
  }
  return false;
}

function discriminatorReader(doc: Document): DiscriminatorReader {
  return (objectPath, propertyName) => {
    const v = doc.getIn([...objectPath, propertyName]) as unknown;
    return typeof v === 'string' && v !== SENTINEL ? v : undefined;
  };
}

type Found =
  | { role: 'key'; objectPath: PathSegment[]; map: YamlNode }
  | { role: 'value'; valuePath: PathSegment[] };

/** Depth-first search for the sentinel scalar; the first (only) occurrence wins. */
function findSentinel(node: unknown, path: PathSegment[]): Found | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isScalar(pair.key) && pair.key.value === SENTINEL) return { role: 'key', objectPath: path, map: node };
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined) continue;
      if (isScalar(pair.value) && pair.value.value === SENTINEL) return { role: 'value', valuePath: [...path, key] };
      const inner = findSentinel(pair.value, [...path, key]);
      if (inner) return inner;
    }
  } else if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      const item = node.items[i];
      if (isScalar(item) && item.value === SENTINEL) return { role: 'value', valuePath: [...path, i] };
      // `- key` inside a flow sequence parses as a single-pair map: same as a key in a new item.
      if (isPair(item) && isScalar(item.key) && item.key.value === SENTINEL) return { role: 'key', objectPath: [...path, i], map: node };
      const inner = findSentinel(item, [...path, i]);
      if (inner) return inner;
    }
  }
  return undefined;
}

/**
 * What is being typed at `offset`: a key (and into which object) or a value (and of which
 * key). Undefined inside a comment, or when the text around the cursor cannot be placed in
 * the tree (e.g. an indentation that belongs to no block).
 */
export function completionContextAt(text: string, offset: number): CompletionContext | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineEndRaw = text.indexOf('\n', offset);
  const lineEnd = lineEndRaw < 0 ? text.length : lineEndRaw;
  if (inComment(text.slice(lineStart, offset))) return undefined;
  const [start, end] = wordRangeAt(text, offset);
  const before = text.slice(lineStart, start);
  const after = text.slice(end, lineEnd);
  // A word alone on a block line ("  batc", "  - ", or nothing at all) is a key being typed:
  // give it a colon so it parses as one, not as a continuation of the previous value.
  const aloneOnLine = /^\s*(?:-\s+)*$/.test(before) && /^\s*(?:#.*)?\r?$/.test(after);
  // "task:|" (no space yet) would read as one plain scalar "task:…": separate the value.
  const needsSpace = before.endsWith(':');
  const patch = aloneOnLine ? `${SENTINEL}:` : needsSpace ? ` ${SENTINEL}` : SENTINEL;
  const patched = text.slice(0, start) + patch + text.slice(end);
  const doc = parseDocument(patched, { uniqueKeys: false });
  const found = findSentinel(doc.contents, []);
  if (!found) return undefined;
  const readDiscriminator = discriminatorReader(doc);
  if (found.role === 'key') {
    const existingKeys: string[] = [];
    const map = found.map;
    if (isMap(map)) {
      for (const pair of map.items) if (isScalar(pair.key) && pair.key.value !== SENTINEL) existingKeys.push(String(pair.key.value));
    }
    return {
      kind: 'key',
      objectPath: found.objectPath,
      existingKeys,
      flow: Boolean((map as { flow?: boolean }).flow),
      colonFollows: /^\s*:/.test(after),
      replace: [start, end],
      readDiscriminator,
    };
  }
  return { kind: 'value', valuePath: found.valuePath, needsSpace, replace: [start, end], readDiscriminator };
}

function scalarRange(node: unknown): [number, number] | undefined {
  if (!isScalar(node) || !node.range) return undefined;
  return [node.range[0], node.range[1]];
}

function findAt(node: unknown, path: PathSegment[], offset: number): Omit<NodeAtPosition, 'readDiscriminator'> | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const kr = scalarRange(pair.key);
      if (kr && offset >= kr[0] && offset <= kr[1]) return { path: [...path, key], role: 'key', value: key, range: kr };
      const vr = scalarRange(pair.value);
      if (vr && offset >= vr[0] && offset <= vr[1]) return { path: [...path, key], role: 'value', value: (pair.value as { value: unknown }).value, range: vr };
      const inner = findAt(pair.value, [...path, key], offset);
      if (inner) return inner;
    }
  } else if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      const item = node.items[i];
      const r = scalarRange(item);
      if (r && offset >= r[0] && offset <= r[1]) return { path: [...path, i], role: 'value', value: (item as { value: unknown }).value, range: r };
      const inner = findAt(item, [...path, i], offset);
      if (inner) return inner;
    }
  }
  return undefined;
}

/**
 * The key or scalar value at `offset` (inclusive of the scalar's end, so a cursor right
 * after a word still counts), with its path; undefined elsewhere (whitespace, comments,
 * punctuation).
 */
export function nodeAt(text: string, offset: number): NodeAtPosition | undefined {
  const doc = parseDocument(text, { uniqueKeys: false });
  const hit = findAt(doc.contents, [], offset);
  return hit ? { ...hit, readDiscriminator: discriminatorReader(doc) } : undefined;
}

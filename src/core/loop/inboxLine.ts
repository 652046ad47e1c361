/**
 * One inbox line (or one row of a history file) → what the store records, or the reason it
 * cannot be taken. The shape is schemas/inbox-line.schema.json (checked with ajv); this module
 * adds what a schema cannot say: the project's task (a classification prediction needs a
 * label, a regression one a value), times that name a real instant, a bounded nesting depth,
 * and the exactly-once keys.
 *
 * No file or store access here: ingest.ts and history.ts read, this decides.
 */
import { createHash } from 'node:crypto';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import schema from '../../../schemas/inbox-line.schema.json';
import { classLabelText } from '../data/labels';
import { parseEventTime } from '../data/time';
import { describeValue, parseNumber } from '../data/values';
import type { ProjectConfig } from '../project/types';
import type { FeedbackInput, Label, OutcomeInput, PredictionInput } from '../store/types';
import { jsonNestingDepth } from '../data/json-text';

/** The four kinds of line (the schema's `kind`). */
export type InboxKind = 'prediction' | 'feedback' | 'outcome' | 'example';

/** Objects and arrays nested deeper than this are refused (a record is a flat row; this bounds the parser's stack). */
export const MAX_JSON_DEPTH = 32;

/** A line as the store takes it (without `source`, which the reader knows). */
export type InboxItem =
  | { kind: 'prediction'; prediction: Omit<PredictionInput, 'source'> }
  | { kind: 'feedback'; feedback: Omit<FeedbackInput, 'source'> }
  | { kind: 'outcome'; outcome: Omit<OutcomeInput, 'source'> }
  | {
      kind: 'example';
      /** ISO-8601 UTC, when the line gave one. */
      time?: string;
      record: Record<string, unknown>;
      /** Exactly-once key: the kind and the line's content (the same line twice is one example). */
      hash: string;
    };

export type InboxCheck = { ok: true; item: InboxItem } | { ok: false; reason: string };

let validate: ValidateFunction | undefined;
function validator(): ValidateFunction {
  // allErrors, to report the most telling problem (ajv checks "label or accepted" before a
  // missing `prediction`); a line is at most 1 MiB, so collecting them all stays cheap.
  validate ??= new Ajv({ discriminator: true, strict: false, allErrors: true }).compile(schema);
  return validate;
}

/** The JSON Schema of inbox lines (for editors, documentation and tests). */
export function inboxLineSchema(): unknown {
  return schema;
}

/**
 * Parses the text of one line (without its newline) and checks it.
 * @param text JSON text; whitespace around it is allowed.
 * @returns the item, or the reason: "not JSON: …", "nested deeper than 32 levels", or the
 *   field and what was wrong ("'output.confidence' must be ≤ 1 (got 1.5)").
 */
export function parseInboxLine(text: string, config: Pick<ProjectConfig, 'task'>): InboxCheck {
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) return { ok: false, reason: `nested deeper than ${MAX_JSON_DEPTH} levels` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not JSON: ${(e as Error).message}` };
  }
  return checkInboxObject(value, config);
}

/**
 * Checks a parsed line (or a history row, with `kind` filled in) against the schema and the
 * project, and normalises it: times to ISO-8601 UTC with milliseconds, classification labels
 * to their text (true → 'true', 1 → '1', trimmed), regression labels to numbers, `entity` to
 * text. The feedback and outcome hashes are over these normalised fields, so the same event
 * written twice (also with its time in another zone) is taken once.
 */
export function checkInboxObject(value: unknown, config: Pick<ProjectConfig, 'task'>): InboxCheck {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: `a line must be a JSON object, not ${describeValue(value)}` };
  const v = validator();
  if (!v(value)) return { ok: false, reason: describeSchemaErrors(v.errors ?? [], value) };
  const line = value as Record<string, unknown>;
  const time = line.time === undefined ? undefined : parseEventTime(line.time, 'auto');
  if (time && !time.ok) return { ok: false, reason: `'time': ${time.reason}` };
  const iso = time?.iso;
  const regression = config.task === 'regression';
  switch (line.kind as InboxKind) {
    case 'prediction': {
      const out = line.output as { label?: unknown; value?: number; confidence?: number; probabilities?: Record<string, number> };
      if (!regression && out.label === undefined) return { ok: false, reason: `'output' needs 'label': the project's task is ${config.task}` };
      if (regression && out.value === undefined) return { ok: false, reason: "'output' needs 'value': the project's task is regression" };
      const output: PredictionInput['output'] = {};
      if (out.label !== undefined) {
        const label = normaliseLabel(out.label, config.task, 'output.label');
        if (!label.ok) return label;
        output.label = label.label;
      }
      if (out.value !== undefined) output.value = out.value;
      if (out.confidence !== undefined) output.confidence = out.confidence;
      if (out.probabilities !== undefined) output.probabilities = out.probabilities;
      return {
        ok: true,
        item: {
          kind: 'prediction',
          prediction: {
            id: line.id as string,
            model: line.model as string,
            time: iso!,
            input: line.input as Record<string, unknown>,
            output,
            ...(line.entity !== undefined ? { entity: String(line.entity) } : {}),
            ...(line.variant !== undefined ? { variant: line.variant as string } : {}),
            ...(line.latency_ms !== undefined ? { latencyMs: line.latency_ms as number } : {}),
          },
        },
      };
    }
    case 'feedback': {
      const l = line.label === undefined ? { ok: true as const, label: undefined } : normaliseLabel(line.label, config.task, 'label');
      if (!l.ok) return l;
      const label: Label | undefined = l.label;
      const fields = {
        prediction: line.prediction as string,
        time: iso!,
        ...(label !== undefined ? { label } : {}),
        ...(line.accepted !== undefined ? { accepted: line.accepted as boolean } : {}),
        ...(line.by !== undefined ? { by: line.by as string } : {}),
        ...(line.duration_ms !== undefined ? { durationMs: line.duration_ms as number } : {}),
      };
      return { ok: true, item: { kind: 'feedback', feedback: { ...fields, hash: contentHash('feedback', fields) } } };
    }
    case 'outcome': {
      const l = line.label === undefined ? { ok: true as const, label: undefined } : normaliseLabel(line.label, config.task, 'label');
      if (!l.ok) return l;
      const label: Label | undefined = l.label;
      const fields = {
        prediction: line.prediction as string,
        time: iso!,
        ...(label !== undefined ? { label } : {}),
        ...(line.value !== undefined ? { value: line.value as number } : {}),
      };
      return { ok: true, item: { kind: 'outcome', outcome: { ...fields, hash: contentHash('outcome', fields) } } };
    }
    case 'example': {
      const record = line.record as Record<string, unknown>;
      return { ok: true, item: { kind: 'example', ...(iso ? { time: iso } : {}), record, hash: contentHash('example', { ...(iso ? { time: iso } : {}), record }) } };
    }
  }
}

/**
 * The exactly-once key of an event: sha1 over its kind and its fields as canonical JSON
 * (object keys sorted at every depth). Never change the text hashed: stored hashes would stop
 * matching and a re-read file would count as new.
 */
export function contentHash(kind: string, fields: unknown): string {
  return createHash('sha1').update(`mlloop-${kind}\0`).update(canonicalJson(fields)).digest('hex');
}

/** JSON with object keys sorted at every depth: equal content gives equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** A label of a line in the project's terms: text for classification, a number for regression. */
function normaliseLabel(raw: unknown, task: ProjectConfig['task'], field: string): { ok: true; label: Label } | { ok: false; reason: string } {
  if (task === 'regression') {
    const n = parseNumber(raw);
    return n === undefined ? { ok: false, reason: `'${field}': ${describeValue(raw)} is not a number (the project's task is regression)` } : { ok: true, label: n };
  }
  const text = classLabelText(raw as string | number | boolean);
  return text === '' ? { ok: false, reason: `'${field}' is empty` } : { ok: true, label: text };
}

/**
 * Whether JSON text nests objects/arrays deeper than `max` (strings skipped), before JSON.parse
 * would recurse into it: the readers' own count (data/json-text.ts), stopped just past `max`.
 */
export function jsonDepthExceeds(text: string, max: number): boolean {
  return jsonNestingDepth(text, max) > max;
}

/**
 * The most telling schema problem as "the field and what was wrong": a missing field first,
 * then the first other problem, and "needs 'label' or 'accepted'" (an anyOf of `required`s)
 * only when nothing else is wrong.
 */
function describeSchemaErrors(errors: ErrorObject[], value: unknown): string {
  const inAnyOf = (e: ErrorObject) => e.schemaPath.includes('/anyOf/');
  const e = errors.find((x) => x.keyword === 'required' && !inAnyOf(x)) ?? errors.find((x) => x.keyword !== 'anyOf' && !inAnyOf(x));
  const anyOf = errors.find((x) => x.keyword === 'anyOf');
  if (!e && anyOf) {
    // "needs label or accepted": the anyOf's branches are one `required` each.
    const missing = errors.filter((x) => x.keyword === 'required' && x.instancePath === anyOf.instancePath && inAnyOf(x)).map((x) => `'${String((x.params as { missingProperty: string }).missingProperty)}'`);
    const kind = String((value as { kind?: unknown }).kind);
    const where = anyOf.instancePath ? `'${field(anyOf.instancePath)}'` : `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} line`;
    return `${where} needs ${missing.join(' or ')}`;
  }
  if (!e) return 'does not match the inbox line schema';
  const p = e.params as Record<string, unknown>;
  const name = field(e.instancePath);
  const got = describeValue(at(value, e.instancePath));
  switch (e.keyword) {
    case 'required':
      return `missing ${name ? `'${name}.${String(p.missingProperty)}'` : `'${String(p.missingProperty)}'`}`;
    case 'additionalProperties':
      return `unknown field '${name ? `${name}.` : ''}${String(p.additionalProperty)}'`;
    case 'discriminator':
      return p.error === 'mapping' ? `'kind' must be prediction, feedback, outcome or example (got ${describeValue(p.tagValue)})` : `'kind' must be a string (got ${describeValue(p.tagValue)})`;
    case 'type': {
      const types = ([] as string[]).concat(p.type as string | string[]);
      return `'${name}' must be ${types.map((t) => (t === 'integer' ? 'a whole number' : t === 'object' ? 'an object' : `a ${t}`)).join(' or ')} (got ${got})`;
    }
    case 'minimum':
      return `'${name}' must be ≥ ${String(p.limit)} (got ${got})`;
    case 'maximum':
      return `'${name}' must be ≤ ${String(p.limit)} (got ${got})`;
    case 'minLength':
      return `'${name}' is empty`;
    case 'maxLength':
      return `'${name}' is longer than ${String(p.limit)} characters`;
    case 'pattern':
      return name === 'time' ? `'time': ${got} is not an ISO-8601 time (e.g. 2026-12-01T08:00:00Z)` : `'${name}' ${e.message ?? 'is invalid'} (got ${got})`;
    case 'const':
      return `'${name}' must be ${JSON.stringify(p.allowedValue)} (got ${got})`;
    default:
      return `'${name || 'line'}' ${e.message ?? 'is invalid'}`;
  }
}

/** "/output/confidence" → "output.confidence". */
function field(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function at(value: unknown, pointer: string): unknown {
  let v = value;
  for (const seg of pointer.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}

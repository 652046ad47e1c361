/**
 * "Take in these records": the one path by which predictions, feedback and outcomes enter
 * the store from outside a training job — `mlloop serve` (its prediction log, POST /feedback,
 * POST /outcome) and, on merge, the inbox reader (`mlloop ingest`) and `mlloop feedback`.
 *
 * RECONCILE ON MERGE: the inbox helper's src/core/loop/inboxLine.ts (checkInboxObject: the
 * line schema, schemas/inbox-line.schema.json) and record.ts (recordItems: the same rules for
 * recording and for the training examples) do this job for the inbox. This module keeps their
 * rules and their exactly-once keys (contentHash below is the same function over the same
 * normalised fields), so a feedback line written to the inbox and the same feedback POSTed to
 * the server are one row. When those land, checkIntakeEvent becomes a call of
 * checkInboxObject with `kind` filled in, and takeIn a call of recordItems; the server calls
 * only these two names.
 *
 * The rules (as the inbox's):
 * - A prediction id is logged once (a repeat is a duplicate).
 * - Feedback or an outcome refers to a logged prediction.
 * - Labelled feedback, an outcome with a label (classification) or a value (regression), and
 *   an `accepted: true` on a classification become a training example: the input the model
 *   saw with the label in the project's label column, event time the feedback's (outcome's)
 *   time, source 'feedback' ('outcome'), checked as an imported row. When that example does
 *   not pass the project's checks, the feedback is still recorded and the reason returned.
 */
import { createHash } from 'node:crypto';
import { classLabelText } from '../data/labels';
import { parseEventTime } from '../data/time';
import { validateRecord } from '../data/validate';
import { describeValue, parseNumber } from '../data/values';
import type { ProjectConfig } from '../project/types';
import type { ExampleInput, FeedbackInput, Label, OutcomeInput, PredictionInput, StoredPrediction, StoreOps } from '../store/types';

/** A checked feedback or outcome, without `source` (the caller knows it). */
export type IntakeEvent = { kind: 'feedback'; feedback: Omit<FeedbackInput, 'source'> } | { kind: 'outcome'; outcome: Omit<OutcomeInput, 'source'> };

export type IntakeCheck = { ok: true; event: IntakeEvent } | { ok: false; field: string; reason: string };

const FEEDBACK_FIELDS = new Set(['kind', 'prediction', 'time', 'label', 'accepted', 'by', 'duration_ms']);
const OUTCOME_FIELDS = new Set(['kind', 'prediction', 'time', 'label', 'value']);
/** Longest prediction id and `by` accepted (as the inbox schema's). */
const MAX_ID = 200;

/**
 * Checks one feedback or outcome in the inbox line's shape —
 * `{"prediction", "time"?, "label"?, "accepted"?, "by"?, "duration_ms"?}` (feedback: a label or
 * accepted) and `{"prediction", "time"?, "label"?, "value"?}` (outcome: a label or a value) —
 * with `kind` optional (when present it must say the same kind) and `time` defaulting to `now`.
 * Normalises as the inbox does: times to ISO-8601 UTC, classification labels to their text,
 * regression labels to numbers.
 * @returns the event with its exactly-once hash, or the field and what is wrong with it.
 */
export function checkIntakeEvent(value: unknown, kind: 'feedback' | 'outcome', config: Pick<ProjectConfig, 'task'>, now: string): IntakeCheck {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, field: '', reason: `a ${kind} must be a JSON object, not ${describeValue(value)}` };
  const line = value as Record<string, unknown>;
  const allowed = kind === 'feedback' ? FEEDBACK_FIELDS : OUTCOME_FIELDS;
  for (const key of Object.keys(line)) if (!allowed.has(key)) return { ok: false, field: key, reason: `unknown field '${key}' (a ${kind} has ${[...allowed].join(', ')})` };
  if (line.kind !== undefined && line.kind !== kind) return { ok: false, field: 'kind', reason: `'kind' must be '${kind}' here (got ${describeValue(line.kind)})` };
  if (typeof line.prediction !== 'string' || line.prediction === '') return { ok: false, field: 'prediction', reason: `'prediction' must be the id of a logged prediction, a non-empty string (got ${describeValue(line.prediction)})` };
  if (line.prediction.length > MAX_ID) return { ok: false, field: 'prediction', reason: `'prediction' is longer than ${MAX_ID} characters` };
  let time = now;
  if (line.time !== undefined) {
    if (typeof line.time !== 'string' && typeof line.time !== 'number') return { ok: false, field: 'time', reason: `'time' must be an ISO-8601 time (got ${describeValue(line.time)})` };
    const t = parseEventTime(line.time, 'auto');
    if (!t.ok) return { ok: false, field: 'time', reason: `'time': ${t.reason}` };
    time = t.iso;
  }
  let label: Label | undefined;
  if (line.label !== undefined) {
    const l = normaliseLabel(line.label, config.task);
    if (!l.ok) return { ok: false, field: 'label', reason: l.reason };
    label = l.label;
  }
  if (kind === 'feedback') {
    if (line.accepted !== undefined && typeof line.accepted !== 'boolean') return { ok: false, field: 'accepted', reason: `'accepted' must be true or false (got ${describeValue(line.accepted)})` };
    if (label === undefined && line.accepted === undefined) return { ok: false, field: 'label', reason: "feedback needs 'label' (the right answer) or 'accepted' (true or false)" };
    if (line.by !== undefined && (typeof line.by !== 'string' || line.by.length > MAX_ID)) return { ok: false, field: 'by', reason: `'by' must be a string of at most ${MAX_ID} characters (got ${describeValue(line.by)})` };
    if (line.duration_ms !== undefined && !(typeof line.duration_ms === 'number' && Number.isFinite(line.duration_ms) && line.duration_ms >= 0)) {
      return { ok: false, field: 'duration_ms', reason: `'duration_ms' must be a number ≥ 0 (got ${describeValue(line.duration_ms)})` };
    }
    const fields = {
      prediction: line.prediction,
      time,
      ...(label !== undefined ? { label } : {}),
      ...(line.accepted !== undefined ? { accepted: line.accepted as boolean } : {}),
      ...(line.by !== undefined ? { by: line.by as string } : {}),
      ...(line.duration_ms !== undefined ? { durationMs: line.duration_ms as number } : {}),
    };
    return { ok: true, event: { kind: 'feedback', feedback: { ...fields, hash: contentHash('feedback', fields) } } };
  }
  if (line.value !== undefined && !(typeof line.value === 'number' && Number.isFinite(line.value))) return { ok: false, field: 'value', reason: `'value' must be a number (got ${describeValue(line.value)})` };
  if (label === undefined && line.value === undefined) return { ok: false, field: 'label', reason: "an outcome needs 'label' or 'value'" };
  const fields = { prediction: line.prediction, time, ...(label !== undefined ? { label } : {}), ...(line.value !== undefined ? { value: line.value as number } : {}) };
  return { ok: true, event: { kind: 'outcome', outcome: { ...fields, hash: contentHash('outcome', fields) } } };
}

export interface IntakeResult {
  predictions: { inserted: number; duplicates: number };
  feedback: { inserted: number; duplicates: number };
  outcomes: { inserted: number; duplicates: number };
  /** Training examples made from labelled feedback and outcomes. */
  examples: number;
  /** Feedback and outcomes about predictions that are not logged (nothing of them is recorded). */
  unknownPredictions: string[];
  /** Events recorded without the training example they would have made, and why. */
  notExamples: Array<{ prediction: string; reason: string }>;
}

/**
 * Records predictions, then feedback and outcomes, through `tx` (the caller's unit of work):
 * predictions first, so an event in the same call finds its prediction.
 * @param source where they came from: 'serve', 'inbox/app.jsonl' …
 * @param opts.requireKnown when an event's prediction is not logged: true records none of
 *   the events (the caller answers with unknownPredictions, as the server's 404 does).
 */
export async function takeIn(
  tx: StoreOps,
  items: { predictions?: Array<Omit<PredictionInput, 'source'>>; events?: IntakeEvent[] },
  config: ProjectConfig,
  source: string,
  opts: { requireKnown?: boolean } = {},
): Promise<IntakeResult> {
  const result: IntakeResult = {
    predictions: { inserted: 0, duplicates: 0 },
    feedback: { inserted: 0, duplicates: 0 },
    outcomes: { inserted: 0, duplicates: 0 },
    examples: 0,
    unknownPredictions: [],
    notExamples: [],
  };
  if (items.predictions?.length) result.predictions = await tx.addPredictions(items.predictions.map((p) => ({ ...p, source })));
  const events = items.events ?? [];
  if (events.length === 0) return result;
  const refs = events.map((e) => (e.kind === 'feedback' ? e.feedback.prediction : e.outcome.prediction));
  const known = await tx.getPredictions(refs);
  result.unknownPredictions = [...new Set(refs.filter((r) => !known.has(r)))];
  if (result.unknownPredictions.length && opts.requireKnown) return result;
  const feedback: Array<FeedbackInput & { example?: ExampleInput }> = [];
  const outcomes: Array<OutcomeInput & { example?: ExampleInput }> = [];
  events.forEach((e, i) => {
    const prediction = known.get(refs[i]);
    if (!prediction) return;
    if (e.kind === 'feedback') {
      const f = { ...e.feedback, source };
      const label = f.label ?? (f.accepted === true && config.task !== 'regression' ? prediction.output.label : undefined);
      const example = label === undefined ? undefined : exampleFrom(prediction, label, f.time, 'feedback', f.hash, config);
      if (example && !example.ok) result.notExamples.push({ prediction: f.prediction, reason: example.reason });
      feedback.push({ ...f, ...(example?.ok ? { example: example.example } : {}) });
    } else {
      const o = { ...e.outcome, source };
      const label = config.task === 'regression' ? (o.value ?? o.label) : o.label;
      const example = label === undefined ? undefined : exampleFrom(prediction, label, o.time, 'outcome', o.hash, config);
      if (example && !example.ok) result.notExamples.push({ prediction: o.prediction, reason: example.reason });
      outcomes.push({ ...o, ...(example?.ok ? { example: example.example } : {}) });
    }
  });
  if (feedback.length) {
    const r = await tx.addFeedback(feedback);
    result.feedback = { inserted: r.inserted, duplicates: r.duplicates };
    result.examples += r.examples;
  }
  if (outcomes.length) {
    const r = await tx.addOutcomes(outcomes);
    result.outcomes = { inserted: r.inserted, duplicates: r.duplicates };
    result.examples += r.examples;
  }
  return result;
}

/** The training example a labelled feedback or outcome becomes (as record.ts exampleFrom). */
function exampleFrom(prediction: Pick<StoredPrediction, 'input'>, label: Label, time: string, source: 'feedback' | 'outcome', eventHash: string, config: ProjectConfig): { ok: true; example: ExampleInput } | { ok: false; reason: string } {
  const record = { ...prediction.input, [config.label]: label };
  const checked = validateRecord(record, config);
  if (!checked.ok) return checked;
  return { ok: true, example: { source, label: checked.label, ...(checked.weight !== undefined ? { weight: checked.weight } : {}), record, hash: contentHash(`${source}-example`, eventHash), eventTime: time } };
}

function normaliseLabel(raw: unknown, task: ProjectConfig['task']): { ok: true; label: Label } | { ok: false; reason: string } {
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') return { ok: false, reason: `'label' must be a single value (got ${describeValue(raw)})` };
  if (task === 'regression') {
    const n = parseNumber(raw);
    return n === undefined ? { ok: false, reason: `'label': ${describeValue(raw)} is not a number (the project's task is regression)` } : { ok: true, label: n };
  }
  const text = classLabelText(raw);
  return text === '' ? { ok: false, reason: "'label' is empty" } : { ok: true, label: text };
}

/**
 * The exactly-once key of an event: sha1 over 'mlloop-<kind>\0' and its fields as canonical
 * JSON (keys sorted at every depth) — the inbox's key (inboxLine.ts contentHash), so the same
 * event from either path is one row. Never change the text hashed.
 */
export function contentHash(kind: string, fields: unknown): string {
  return createHash('sha1').update(`mlloop-${kind}\0`).update(canonicalJson(fields)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

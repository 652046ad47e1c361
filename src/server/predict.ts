/**
 * POST /predict: the body checked, each record assigned to its arm, predicted by its arm's
 * model exactly as `mlloop predict` predicts (the same input checks, predictRecords, the same
 * "not a number" refusal), answered in `mlloop predict --json`'s shape plus, per prediction,
 * its id, model version, whether it cleared the threshold, whether the app should use its
 * fallback, and the variant; and the rows to log.
 */
import crypto from 'node:crypto';
import { assignmentPoint, assignVariant } from '../core/experiments/assign';
import { featureProblem, predictionInputProblem } from '../core/data/validate';
import { describeValue } from '../core/data/values';
import type { ExperimentArm, ProjectConfig } from '../core/project/types';
import { predictRecords, type Prediction } from '../core/registry/predict';
import { unusablePrediction } from '../core/registry/usable';
import type { PredictionInput, ShadowPredictionInput } from '../core/store/types';
import type { ModelSnapshot, ServingModel } from './models';

/** An error answer: the HTTP status and the JSON error object. */
export interface RequestProblem {
  status: 400 | 404 | 413 | 415 | 503;
  error: { message: string; field?: string; reason?: string; errors?: Array<{ field: string; reason: string }> };
}

export interface PredictBody {
  records: Array<Record<string, unknown>>;
  /** Per record: its entity id (text), or undefined. */
  entities: Array<string | undefined>;
  /** `records` (true) or `record` (false) was sent. */
  batch: boolean;
}

const BODY_KEYS = new Set(['record', 'records', 'entity', 'entities']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function entityText(v: unknown, field: string): { ok: true; entity: string | undefined } | { ok: false; problem: RequestProblem } {
  if (v === undefined || v === null) return { ok: true, entity: undefined };
  if ((typeof v === 'string' && v !== '' && v.length <= 200) || (typeof v === 'number' && Number.isFinite(v))) return { ok: true, entity: String(v) };
  return { ok: false, problem: bad(field, `must be a non-empty string (at most 200 characters) or a number: the id of the user or account, for sticky experiment arms (got ${describeValue(v)})`) };
}

function bad(field: string, reason: string): RequestProblem {
  return { status: 400, error: { message: `${field ? `'${field}' ` : ''}${reason}`, field, reason } };
}

/**
 * Checks the shape of a /predict body: `{"record": {…}}` or `{"records": [{…}, …]}`, with an
 * optional `entity` (for every record) or `entities` (one per record, `records` only).
 * @returns the records, or the 400 / 413 problem naming the field.
 */
export function checkPredictBody(body: unknown, maxRecords: number): { ok: true; body: PredictBody } | { ok: false; problem: RequestProblem } {
  if (!isPlainObject(body)) return { ok: false, problem: bad('', `the body must be a JSON object with 'record' (one record) or 'records' (a list), not ${describeValue(body)}`) };
  for (const key of Object.keys(body)) if (!BODY_KEYS.has(key)) return { ok: false, problem: bad(key, `is not a field of a /predict body (use record or records, and entity or entities)`) };
  const hasOne = body.record !== undefined;
  const hasMany = body.records !== undefined;
  if (hasOne === hasMany) return { ok: false, problem: bad(hasOne ? 'records' : 'record', hasOne ? "cannot come with 'record': send one or the other" : "is missing: send {\"record\": {…}} or {\"records\": [{…}, …]}") };
  let records: Array<Record<string, unknown>>;
  if (hasOne) {
    if (!isPlainObject(body.record)) return { ok: false, problem: bad('record', `must be an object of feature values (got ${describeValue(body.record)})`) };
    records = [body.record];
  } else {
    if (!Array.isArray(body.records)) return { ok: false, problem: bad('records', `must be a list of records (got ${describeValue(body.records)})`) };
    if (body.records.length === 0) return { ok: false, problem: bad('records', 'is empty: send at least one record') };
    if (body.records.length > maxRecords) return { ok: false, problem: { status: 413, error: { message: `'records' holds ${body.records.length} records; at most ${maxRecords} per request (serve.maxRecords)`, field: 'records', reason: `more than ${maxRecords} records` } } };
    const at = body.records.findIndex((r) => !isPlainObject(r));
    if (at >= 0) return { ok: false, problem: bad(`records[${at}]`, `must be an object of feature values (got ${describeValue(body.records[at])})`) };
    records = body.records as Array<Record<string, unknown>>;
  }
  let entities: Array<string | undefined>;
  if (body.entities !== undefined) {
    if (!hasMany) return { ok: false, problem: bad('entities', "goes with 'records'; with 'record' send 'entity'") };
    if (body.entity !== undefined) return { ok: false, problem: bad('entities', "cannot come with 'entity': send one or the other") };
    if (!Array.isArray(body.entities) || body.entities.length !== records.length) return { ok: false, problem: bad('entities', `must be a list with one entity id per record (${records.length})`) };
    entities = [];
    for (let i = 0; i < records.length; i++) {
      const e = entityText(body.entities[i], `entities[${i}]`);
      if (!e.ok) return e;
      entities.push(e.entity);
    }
  } else {
    const e = entityText(body.entity, 'entity');
    if (!e.ok) return e;
    entities = records.map(() => e.entity);
  }
  return { ok: true, body: { records, entities, batch: hasMany } };
}

/** One answer of POST /predict. */
export type ServedPrediction = Prediction & {
  id: string;
  model: string;
  /** The confidence reached runtime.threshold (regression: always true). */
  cleared: boolean;
  /** The app should use its own rule: the fallback arm, or not cleared. */
  fallback: boolean;
  /** The experiment arm, or null without a running experiment (or without an entity). */
  variant: ExperimentArm | null;
};

export interface PredictOutcome {
  response: { model: string; predictions: ServedPrediction[]; rejected: 0 };
  /** Rows for the prediction log (in the order of the records). */
  rows: Array<Omit<PredictionInput, 'source'>>;
  /** Records the shadow model predicts after the response (by their prediction ids). */
  shadowJobs: Array<{ id: string; record: Record<string, unknown> }>;
}

/**
 * A record's problem as field and reason: 'records[2].petal_length' and "'abc' is not a
 * number" when a feature's value is the problem, else 'records[2]' and the whole reason.
 */
function recordProblem(prefix: string, record: Record<string, unknown>, features: ReadonlyArray<{ name: string; type: string }>, reason: string): { field: string; reason: string } {
  for (const f of features) {
    const p = featureProblem(record, [f]);
    if (p !== undefined) return { field: `${prefix}.${f.name}`, reason: p.replace(`feature '${f.name}': `, '') };
  }
  return { field: prefix, reason };
}

/**
 * Predicts the records of a checked body with the models of `models`.
 * - Arm: with a running experiment and an entity, assignVariant(entity, experiment); the
 *   challenger arm is answered by the challenger; the champion and fallback arms by the
 *   champion (the fallback arm's answer is logged, and returned with fallback: true, so that
 *   the app's rule can be compared with what the model would have said).
 * - A record the model cannot read (a feature value of the wrong type, none of its features)
 *   or whose output is not a number makes the whole request a 400 listing every such record
 *   with its field: nothing is predicted or logged for a request with a bad record.
 * @param elapsedMs the request's time so far (logged as each prediction's latency).
 */
export function predictBody(
  body: PredictBody,
  models: ModelSnapshot,
  config: Pick<ProjectConfig, 'experiment' | 'runtime' | 'shadow'>,
  now: Date,
  elapsedMs: () => number,
): { ok: true; outcome: PredictOutcome } | { ok: false; problem: RequestProblem } {
  const e = models.experimentActive ? config.experiment : undefined;
  const variants = body.records.map((_, i): ExperimentArm | null => (e && body.entities[i] !== undefined ? (assignVariant(body.entities[i]!, e) as ExperimentArm) : null));
  const modelOf = (i: number): ServingModel => (variants[i] === 'challenger' && models.challenger ? models.challenger : models.champion);

  const problems: Array<{ field: string; reason: string }> = [];
  const prefix = (i: number) => (body.batch ? `records[${i}]` : 'record');
  const groups = new Map<ServingModel, number[]>();
  body.records.forEach((record, i) => {
    const model = modelOf(i);
    const problem = predictionInputProblem(record, model.bundle.pipeline.features);
    if (problem !== undefined) problems.push(recordProblem(prefix(i), record, model.bundle.pipeline.features, problem));
    else {
      const list = groups.get(model) ?? [];
      list.push(i);
      groups.set(model, list);
    }
  });
  const predictions: Prediction[] = new Array(body.records.length);
  if (problems.length === 0) {
    for (const [model, indices] of groups) {
      const out = predictRecords(model.bundle, indices.map((i) => body.records[i]));
      indices.forEach((i, k) => {
        const unusable = unusablePrediction(out[k]);
        if (unusable !== undefined) problems.push({ field: prefix(i), reason: unusable });
        predictions[i] = out[k];
      });
    }
  }
  if (problems.length) {
    problems.sort((a, b) => a.field.localeCompare(b.field, 'en', { numeric: true }));
    const first = problems[0];
    return {
      ok: false,
      problem: {
        status: 400,
        error: {
          message: `${first.field}: ${first.reason}${problems.length > 1 ? ` (and ${problems.length - 1} more record${problems.length > 2 ? 's' : ''})` : ''}`,
          field: first.field,
          reason: first.reason,
          ...(problems.length > 1 ? { errors: problems.slice(0, 100) } : {}),
        },
      },
    };
  }

  const time = now.toISOString();
  const latency = elapsedMs();
  const threshold = config.runtime.threshold;
  const served: ServedPrediction[] = [];
  const rows: PredictOutcome['rows'] = [];
  const shadowJobs: PredictOutcome['shadowJobs'] = [];
  body.records.forEach((record, i) => {
    const p = predictions[i];
    const id = crypto.randomUUID();
    const model = modelOf(i).version;
    const cleared = 'value' in p ? true : p.confidence >= threshold;
    const variant = variants[i];
    served.push({ ...p, id, model, cleared, fallback: variant === 'fallback' || !cleared, variant });
    rows.push({
      id,
      model,
      time,
      input: record,
      output: 'value' in p ? { value: p.value } : { label: p.label, confidence: p.confidence, probabilities: p.probabilities },
      ...(body.entities[i] !== undefined ? { entity: body.entities[i] } : {}),
      ...(variant !== null ? { variant } : {}),
      latencyMs: latency,
    });
    if (models.shadow && config.shadow && assignmentPoint('shadow', id) < config.shadow.sample) shadowJobs.push({ id, record });
  });
  return { ok: true, outcome: { response: { model: models.champion.version, predictions: served, rejected: 0 }, rows, shadowJobs } };
}

/**
 * The shadow model's answers for records already served (after the response): the same
 * checks; records it cannot read are skipped (the shadow's problem, not the request's).
 */
export function shadowPredictions(shadow: ServingModel, jobs: PredictOutcome['shadowJobs'], now: Date): ShadowPredictionInput[] {
  const usable = jobs.filter((j) => predictionInputProblem(j.record, shadow.bundle.pipeline.features) === undefined);
  if (usable.length === 0) return [];
  const started = performance.now();
  const out = predictRecords(shadow.bundle, usable.map((j) => j.record));
  const latencyMs = (performance.now() - started) / usable.length;
  const time = now.toISOString();
  const rows: ShadowPredictionInput[] = [];
  usable.forEach((j, k) => {
    const p = out[k];
    if (unusablePrediction(p) !== undefined) return;
    rows.push({ prediction: j.id, model: shadow.version, time, output: 'value' in p ? { value: p.value } : { label: p.label, confidence: p.confidence, probabilities: p.probabilities }, latencyMs });
  });
  return rows;
}

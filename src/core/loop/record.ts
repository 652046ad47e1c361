/**
 * Recording checked inbox items (see inboxLine.ts) inside one unit of work: predictions,
 * feedback and outcomes with the training examples they become, example lines, and the lines
 * that could not be taken. Shared by the inbox reader (ingest.ts), the import of history
 * (history.ts) and `mlloop feedback`.
 */
import { validateRecord } from '../data/validate';
import { recordEventTime } from '../data/time';
import type { ProjectConfig } from '../project/types';
import type { ExampleInput, FeedbackInput, Label, OutcomeInput, PredictionInput, RejectedLine, StoredPrediction, StoreOps } from '../store/types';
import { canonicalJson, contentHash, type InboxItem } from './inboxLine';

/** One checked line with where it came from. */
export interface SourcedItem {
  /** 'inbox/app.jsonl' or a file path relative to the project. */
  source: string;
  line: number;
  /** The line's text (kept with a rejection; a waiting line is taken again from it). */
  text: string;
  item: InboxItem;
}

/** New rows by kind (a type, not an interface, so it is also a Record<string, number>). */
export type RecordCounts = {
  predictions: number;
  feedback: number;
  outcomes: number;
  examples: number;
};

export interface RecordResult {
  counts: RecordCounts;
  /** Lines not taken (or taken only in part), in input order; also written to rejected_lines when `keepRejected`. */
  rejected: Array<{ source: string; line: number; reason: string; waitingFor?: string }>;
  /** Lines already recorded (the same prediction id with the same content, the same feedback …). */
  duplicates: number;
}

export interface RecordOptions {
  /**
   * Feedback or an outcome on a prediction that is not logged: true (the inbox) sets it aside
   * as a waiting line that later ingests take once the prediction arrives; false (history
   * files) rejects it for good.
   */
  waitForPredictions: boolean;
  /** Write the rejected lines to the store's rejected_lines (the inbox does; history imports only report them). */
  keepRejected: boolean;
  /** ISO time for rejected lines and for examples that have no other time. */
  now: string;
}

export function emptyCounts(): RecordCounts {
  return { predictions: 0, feedback: 0, outcomes: 0, examples: 0 };
}

/** Adds b's counts to a's (in place) and returns a. */
export function addCounts(a: RecordCounts, b: RecordCounts): RecordCounts {
  a.predictions += b.predictions;
  a.feedback += b.feedback;
  a.outcomes += b.outcomes;
  a.examples += b.examples;
  return a;
}

/**
 * Records `items` through `tx` (the caller's unit of work): predictions first, so feedback in
 * the same batch finds the prediction it is about whatever the order of the lines.
 *
 * - A prediction id already logged with the same content is a duplicate; with other content
 *   it is rejected ("… is already logged with other content"): ids must be unique.
 * - Feedback or an outcome whose prediction is not logged: set aside (see
 *   {@link RecordOptions.waitForPredictions}).
 * - Labelled feedback, an outcome with a label (classification) or a value (regression),
 *   and an `accepted: true` on a classification prediction become a training example: the
 *   prediction's input plus the label, event time = the feedback's (outcome's) time, source
 *   'feedback' ('outcome'), checked like an imported row. An accepted suggestion is a person
 *   confirming the predicted label — the most common feedback there is, and how the seed
 *   systems used it; a bare rejection only says what the label is not, so it makes none.
 *   When the example does not pass the project's checks, the feedback is still recorded and
 *   the line is listed with why it made no example.
 * - An example line is checked like an imported row; its event time is its `time`, else the
 *   project's time column, else `now`.
 */
export async function recordItems(tx: StoreOps, items: SourcedItem[], config: ProjectConfig, opts: RecordOptions): Promise<RecordResult> {
  const counts = emptyCounts();
  const rejected: RecordResult['rejected'] = [];
  const stored: RejectedLine[] = [];
  let duplicates = 0;
  const reject = (it: SourcedItem, reason: string, waitingFor?: string) => {
    rejected.push({ source: it.source, line: it.line, reason, ...(waitingFor !== undefined ? { waitingFor } : {}) });
    stored.push({ source: it.source, line: it.line, reason, text: it.text, at: opts.now, ...(waitingFor !== undefined ? { waitingFor } : {}) });
  };

  // ---- predictions
  const predictions = items.filter((it): it is SourcedItem & { item: { kind: 'prediction' } } => it.item.kind === 'prediction');
  if (predictions.length) {
    const existing = await tx.getPredictions(predictions.map((p) => p.item.prediction.id));
    const fresh = new Map<string, { key: string; row: PredictionInput }>();
    for (const it of predictions) {
      const p = it.item.prediction;
      const key = predictionKey(p);
      const known = existing.get(p.id);
      const earlier = known ? predictionKey(known) : fresh.get(p.id)?.key;
      if (earlier === undefined) fresh.set(p.id, { key, row: { ...p, source: it.source } });
      else if (earlier === key) duplicates++;
      else reject(it, `prediction id '${p.id}' is already logged with other content${known ? ` (from ${known.source})` : ' (earlier in this batch)'}; each prediction needs its own id`);
    }
    if (fresh.size) {
      const r = await tx.addPredictions([...fresh.values()].map((f) => f.row));
      counts.predictions += r.inserted;
      duplicates += r.duplicates;
    }
  }

  // ---- feedback and outcomes
  const events = items.filter((it) => it.item.kind === 'feedback' || it.item.kind === 'outcome');
  if (events.length) {
    const refs = events.map((it) => (it.item.kind === 'feedback' ? it.item.feedback.prediction : it.item.kind === 'outcome' ? it.item.outcome.prediction : ''));
    const known = await tx.getPredictions(refs);
    const feedback: Array<FeedbackInput & { example?: ExampleInput }> = [];
    const outcomes: Array<OutcomeInput & { example?: ExampleInput }> = [];
    events.forEach((it, k) => {
      const prediction = known.get(refs[k]);
      if (!prediction) {
        if (opts.waitForPredictions) reject(it, `unknown prediction '${refs[k]}': set aside until it is logged`, refs[k]);
        else reject(it, `unknown prediction '${refs[k]}': import the predictions before their ${it.item.kind === 'feedback' ? 'feedback' : 'outcomes'}`);
        return;
      }
      if (it.item.kind === 'feedback') {
        const f = { ...it.item.feedback, source: it.source };
        const label = f.label ?? (f.accepted === true && config.task !== 'regression' ? prediction.output.label : undefined);
        const example = label === undefined ? undefined : exampleFrom(prediction, label, f.time, 'feedback', f.hash, config);
        if (example && !example.ok) reject(it, `taken as feedback, but not as a training example: ${example.reason}`);
        feedback.push({ ...f, ...(example?.ok ? { example: example.example } : {}) });
      } else if (it.item.kind === 'outcome') {
        const o = { ...it.item.outcome, source: it.source };
        const label = config.task === 'regression' ? (o.value ?? o.label) : o.label;
        const example = label === undefined ? undefined : exampleFrom(prediction, label, o.time, 'outcome', o.hash, config);
        if (example && !example.ok) reject(it, `taken as an outcome, but not as a training example: ${example.reason}`);
        outcomes.push({ ...o, ...(example?.ok ? { example: example.example } : {}) });
      }
    });
    if (feedback.length) {
      const r = await tx.addFeedback(feedback);
      counts.feedback += r.inserted;
      counts.examples += r.examples;
      duplicates += r.duplicates;
    }
    if (outcomes.length) {
      const r = await tx.addOutcomes(outcomes);
      counts.outcomes += r.inserted;
      counts.examples += r.examples;
      duplicates += r.duplicates;
    }
  }

  // ---- example lines
  const examples: ExampleInput[] = [];
  for (const it of items) {
    if (it.item.kind !== 'example') continue;
    const { record, time, hash } = it.item;
    const checked = validateRecord(record, config);
    if (!checked.ok) {
      reject(it, checked.reason);
      continue;
    }
    let eventTime = time;
    if (eventTime === undefined) {
      const t = recordEventTime(record, config.time);
      if (t && !t.ok) {
        reject(it, t.reason);
        continue;
      }
      eventTime = t?.iso ?? opts.now;
    }
    examples.push({ source: it.source, sourceLine: it.line, label: checked.label, ...(checked.weight !== undefined ? { weight: checked.weight } : {}), record, hash, eventTime });
  }
  if (examples.length) {
    const r = await tx.addExampleRows(examples);
    counts.examples += r.inserted;
    duplicates += r.duplicates;
  }

  if (opts.keepRejected && stored.length) await tx.addRejectedLines(stored);
  return { counts, rejected, duplicates };
}

/**
 * The training example a labelled feedback or outcome becomes: the record the model saw
 * with the label put in the project's label column, checked as an imported row.
 */
export function exampleFrom(
  prediction: Pick<StoredPrediction, 'input'>,
  label: Label,
  time: string,
  source: 'feedback' | 'outcome',
  eventHash: string,
  config: ProjectConfig,
): { ok: true; example: ExampleInput } | { ok: false; reason: string } {
  const record = { ...prediction.input, [config.label]: label };
  const checked = validateRecord(record, config);
  if (!checked.ok) return checked;
  return {
    ok: true,
    example: {
      source,
      label: checked.label,
      ...(checked.weight !== undefined ? { weight: checked.weight } : {}),
      record,
      hash: contentHash(`${source}-example`, eventHash),
      eventTime: time,
    },
  };
}

/** What makes two logged predictions the same: everything but where and when it was ingested. */
function predictionKey(p: Omit<PredictionInput, 'source'>): string {
  return canonicalJson({ id: p.id, model: p.model, time: p.time, input: p.input, output: p.output, entity: p.entity, variant: p.variant, latencyMs: p.latencyMs });
}

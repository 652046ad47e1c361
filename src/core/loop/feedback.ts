/**
 * Feedback given by hand (`mlloop feedback --prediction ID …`): one line's worth, checked more
 * strictly than the inbox because a person typed it — an unknown prediction or a label that
 * is not one of the model's classes is an error to fix, not a line to set aside.
 */
import type { ProjectContext } from '../context/projectContext';
import { UserError } from '../util/errors';
import { parseNumber } from '../data/values';
import { checkInboxObject } from './inboxLine';
import { recordItems } from './record';
import { BUNDLE_FILES } from '../registry/bundle';

export interface ManualFeedback {
  prediction: string;
  /** A corrected (or confirming) label. */
  label?: string;
  /** true: --accept, false: --reject. */
  accepted?: boolean;
  by?: string;
}

export interface ManualFeedbackResult {
  prediction: string;
  /** ISO-8601 UTC: now, by ctx.clock. */
  time: string;
  /** The label recorded (classification: text; regression: a number), or null. */
  label: string | number | null;
  accepted: boolean | null;
  by: string | null;
  /** The training example it became, or null. */
  example: number | null;
  /** Why it made no example (null when it made one, or when it carries no label). */
  reason: string | null;
}

/**
 * Records one feedback on a logged prediction, at ctx.clock's now; with a label (or an
 * accepted classification) it becomes a training example as inbox feedback does (see
 * recordItems in ./record.ts).
 * @throws UserError when not exactly one of label / accepted is given, the prediction is not
 *   logged, the label is not one of the classes of the model that made the prediction (when
 *   that model is in the store), or (regression) the label is not a number.
 */
export async function recordManualFeedback(ctx: ProjectContext, f: ManualFeedback): Promise<ManualFeedbackResult> {
  if ((f.label !== undefined ? 1 : 0) + (f.accepted !== undefined ? 1 : 0) !== 1) {
    throw new UserError('Give exactly one of --label LABEL, --accept or --reject.');
  }
  const prediction = (await ctx.store.getPredictions([f.prediction])).get(f.prediction);
  if (!prediction) {
    throw new UserError(
      `There is no prediction '${f.prediction}' in the store. Predictions arrive through the inbox (run \`mlloop ingest\` if the app logged it just now) or \`mlloop import --kind predictions FILE\`.`,
    );
  }
  let label: string | number | undefined;
  if (f.label !== undefined) {
    if (ctx.config.task === 'regression') {
      label = parseNumber(f.label);
      if (label === undefined) throw new UserError(`--label '${f.label}' is not a number (the project's task is regression).`);
    } else {
      label = f.label.trim();
      if (label === '') throw new UserError('--label is empty.');
      const classes = await modelClasses(ctx, prediction.model);
      if (classes && !classes.includes(label)) {
        throw new UserError(
          `'${label}' is not one of the classes of model ${prediction.model}, which made prediction '${f.prediction}': ${classes.map((c) => `'${c}'`).join(', ')}. (A new class? Teach it with examples: mlloop import, or example lines in the inbox.)`,
        );
      }
    }
  }
  const time = ctx.clock.now().toISOString();
  const line = { kind: 'feedback', prediction: f.prediction, time, ...(label !== undefined ? { label } : {}), ...(f.accepted !== undefined ? { accepted: f.accepted } : {}), ...(f.by ? { by: f.by } : {}) };
  const checked = checkInboxObject(line, ctx.config);
  if (!checked.ok) throw new UserError(`The feedback is not valid: ${checked.reason}.`);
  if (checked.item.kind !== 'feedback') throw new Error('feedback line checked as another kind');
  const hash = checked.item.feedback.hash;
  const r = await ctx.store.unitOfWork((tx) => recordItems(tx, [{ source: 'cli', line: 0, text: JSON.stringify(line), item: checked.item }], ctx.config, { waitForPredictions: false, keepRejected: false, now: time }));
  const stored = (await ctx.store.listFeedback({ prediction: f.prediction })).find((x) => x.hash === hash);
  return {
    prediction: f.prediction,
    time,
    label: label ?? null,
    accepted: f.accepted ?? null,
    by: f.by ?? null,
    example: stored?.exampleId ?? null,
    reason: r.rejected[0]?.reason.replace(/^taken as feedback, but not as a training example: /, '') ?? null,
  };
}

/** The classes of a stored model (its bundle's labels.json), or undefined when the store does not hold it. */
async function modelClasses(ctx: ProjectContext, version: string): Promise<string[] | undefined> {
  const files = await ctx.store.getModelFiles(version);
  const labels = files.find((x) => x.name === BUNDLE_FILES.labels);
  if (!labels) return undefined;
  try {
    const map = JSON.parse(Buffer.from(labels.bytes).toString('utf8')) as { classes?: unknown };
    return Array.isArray(map.classes) ? map.classes.map(String) : undefined;
  } catch {
    return undefined;
  }
}

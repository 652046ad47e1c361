/**
 * `mlloop explain`: which features a model relies on (permutation importance, on the test
 * split or a labelled file) and why it predicted what it did for one record (integrated
 * gradients, summed per feature the user named).
 */
import path from 'node:path';
import { readRecords } from '../data/readers';
import { validateRecord } from '../data/validate';
import { outputColumns, transformRows } from '../data/pipeline';
import { predictScores } from '../engine/fit';
import { loadModel } from '../engine/serialize';
import { integratedGradients, predictedOutputIndex } from '../explain/attribution';
import { groupColumns } from '../explain/groups';
import { permutationImportance } from '../explain/permutation';
import { applyCalibrator } from '../calibrate/apply';
import type { ProjectContext } from '../context/projectContext';
import { UserError } from '../util/errors';
import { modelOutputs, outputK, predictionsFromScores, type Prediction } from '../registry/predict';
import type { ImportanceRecord, RunDetails } from './assess';
import { heldOutRows, withModel } from './evaluate';
import { runConfigOf } from './runRecord';
import type { BackendPreference } from './train';
import { plural } from '../util/plural';

export interface ExplainOptions {
  ctx: ProjectContext;
  version?: string;
  /** A file of records: labelled for importance, any for --row attributions. */
  dataFile?: string;
  /** 1-based record number in dataFile, or in the test split when no file is given. */
  row?: number;
  backend?: BackendPreference;
  signal?: AbortSignal;
}

export interface RowExplanation {
  row: number;
  /** 'test split' or the file. */
  source: string;
  record: Record<string, unknown>;
  prediction: Prediction;
  /** What the attributions explain, e.g. "P(malignant)" or "P(setosa)" or "the predicted value". */
  explains: string;
  /** Per feature, largest |value| first; positive pushes the explained output up. */
  attributions: Array<{ feature: string; value: number }>;
  /** Model output at the record and at the baseline (the all-zeros encoded row: training means, empty text, no category). */
  output: number;
  baselineOutput: number;
  /** Σ attributions − (output − baselineOutput), signed: how far the attributions are from adding up exactly. */
  gap: number;
}

export interface ExplainResult {
  model: string;
  /** Permutation importance (from the run when it was computed at training, else computed now). */
  importance: (ImportanceRecord & { on: string }) | null;
  explanation: RowExplanation | null;
}

async function loadFileRecords(file: string, signal?: AbortSignal): Promise<Array<{ line: number; record: Record<string, unknown> }>> {
  const out: Array<{ line: number; record: Record<string, unknown> }> = [];
  for await (const item of readRecords(file, undefined, signal)) {
    if (item.kind === 'error') throw new UserError(`${file}:${item.line}: ${item.reason}`, { file, line: item.line });
    out.push({ line: item.line, record: item.record });
  }
  return out;
}

export async function explainModel(opts: ExplainOptions): Promise<ExplainResult> {
  if (opts.row !== undefined && !(Number.isInteger(opts.row) && opts.row >= 1)) throw new UserError(`--row takes a record number from 1 (got ${opts.row}).`);
  return withModel(opts.ctx, opts.version, opts.backend, async ({ config, store, record, bundle, root }) => {
    const task = bundle.card.task;
    const k = outputK(bundle);
    const classes = bundle.labels.classes;
    const width = bundle.pipeline.width;
    const groups = groupColumns(outputColumns(bundle.pipeline));
    const score = (x: Float32Array, n: number) => {
      const s = modelOutputs(bundle.model, bundle.labels, x, n, width);
      return bundle.calibrator && bundle.calibrator.method !== 'none' ? Float32Array.from(applyCalibrator(bundle.calibrator, s, k)) : s;
    };
    const run = await store.getRun(record.runId);

    let records: Array<Record<string, unknown>>;
    let y: Float32Array | null = null;
    let source: string;
    if (opts.dataFile) {
      source = path.relative(root, path.resolve(opts.dataFile)) || opts.dataFile;
      const loaded = await loadFileRecords(opts.dataFile, opts.signal);
      records = loaded.map((r) => r.record);
      if (opts.row === undefined) {
        // Importance needs labels: every row must carry a known one.
        const classIndex = new Map(classes.map((c, i) => [c, i]));
        y = new Float32Array(records.length);
        loaded.forEach((r, i) => {
          const checked = validateRecord(r.record, { ...config, task, label: bundle.card.label });
          if (!checked.ok) throw new UserError(`${source}:${r.line}: ${checked.reason} (importance on a file needs labelled rows)`, { file: opts.dataFile, line: r.line });
          const c = task === 'regression' ? Number(checked.label) : classIndex.get(String(checked.label));
          if (c === undefined) throw new UserError(`${source}:${r.line}: label '${String(checked.label)}' is not one the model knows (${classes.join(', ')}).`);
          y![i] = c;
        });
      }
    } else {
      source = 'test split';
      const test = await heldOutRows(store, runConfigOf(run, config), bundle, 'test', opts.signal);
      records = test.records;
      y = test.y;
    }

    let importance: ExplainResult['importance'] = null;
    const stored = (run?.details as Partial<RunDetails> | null)?.importance;
    if (!opts.dataFile && stored) importance = { ...stored, on: 'test split (computed at training)' };
    else if (y && opts.row === undefined) {
      const { x, n, d } = transformRows(bundle.pipeline, records);
      const r = await permutationImportance({
        x,
        n,
        d,
        yTrue: y,
        task,
        k,
        groups,
        score,
        repeats: Math.max(1, config.evaluation.importanceRepeats),
        seed: config.training.seed,
        ...(config.evaluation.importanceMetric ? { metric: config.evaluation.importanceMetric } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      importance = { ...r, repeats: Math.max(1, config.evaluation.importanceRepeats), seed: config.training.seed, rows: n, on: source };
    }

    let explanation: RowExplanation | null = null;
    if (opts.row !== undefined) {
      if (opts.row > records.length) throw new UserError(`--row ${opts.row}: the ${source} has ${plural(records.length, 'record')}.`);
      const rec = records[opts.row - 1];
      const { x } = transformRows(bundle.pipeline, [rec]);
      // Integrated gradients need the model's gradient: the tfjs model of the same files.
      const layers = await loadModel(path.resolve(root, record.path));
      let ig: ReturnType<typeof integratedGradients>;
      let outputIndex: number;
      try {
        outputIndex = predictedOutputIndex(task, predictScores(layers, x, 1, width));
        ig = integratedGradients(layers, x, { outputIndex, groups });
      } finally {
        layers.dispose();
      }
      // A regression model outputs the scaled target; the explained value is scale · output + center,
      // so attributions (differences) scale by `scale` and outputs map back fully.
      const t = task === 'regression' ? bundle.labels.target : undefined;
      const s = t?.scale ?? 1;
      const c = t?.center ?? 0;
      const [prediction] = predictionsFromScores(task, classes, score(x, 1), 1);
      explanation = {
        row: opts.row,
        source,
        record: rec,
        prediction,
        explains: task === 'regression' ? 'the predicted value' : task === 'binary' ? `P(${classes[1]}) before calibration` : `P(${classes[outputIndex]}) before calibration`,
        attributions: ig.attributions.map((a) => ({ feature: a.feature, value: a.value * s })).sort((a, b) => Math.abs(b.value) - Math.abs(a.value)),
        output: ig.fx * s + c,
        baselineOutput: ig.fBaseline * s + c,
        gap: ig.gap * s,
      };
    }
    return { model: record.version, importance, explanation };
  });
}

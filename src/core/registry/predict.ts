/**
 * Turning a loaded bundle into predictions. Pure (no node built-ins, no tfjs): used by the
 * CLI, the extension's worker, the training job, an app in Node (src/runtime) and a browser
 * app alike, so that every one of them gives the same outputs for the same records.
 */
import { denseNetworkFromArtifacts, evaluateDenseNetwork, type DenseNetwork } from '../engine/dense-network';
import { unscaleTargets, type LabelMap } from '../data/labels';
import { pipelineFromJson, transformRows } from '../data/pipeline';
import { applyCalibrator, parseCalibrator } from '../calibrate/apply';
import type { LoadedBundle, ModelCard } from './types';

export type { LoadedBundle, ModelCard } from './types';

export type Prediction =
  | { label: string; confidence: number; probabilities: Record<string, number> }
  | { value: number };

/** The k the calibrators and metrics expect: 2 for binary (P(class 1) vector), classes for multiclass, 1 for regression. */
export function outputK(bundle: Pick<LoadedBundle, 'card' | 'labels'>): number {
  return bundle.card.task === 'multiclass' ? bundle.labels.classes.length : bundle.card.task === 'binary' ? 2 : 1;
}

/**
 * The model's outputs for encoded rows x (n × d), in label units: n × outputs (binary
 * P(class 1), multiclass probabilities, regression values with the target scaling undone).
 * Not calibrated. Every caller that runs a model goes through here, so no one forgets the
 * regression target's scale.
 * @throws Error when d is not the network's input width.
 */
export function modelOutputs(model: DenseNetwork, labels: Pick<LabelMap, 'target'>, x: Float32Array, n: number, d: number): Float32Array {
  if (d !== model.inputDim) throw new Error(`modelOutputs: rows have ${d} columns, the network takes ${model.inputDim}`);
  return unscaleTargets(labels, evaluateDenseNetwork(model, x, n));
}

/** A bundle's files as an app has them in memory (fetched, read from a package, …). */
export interface BundleFiles {
  /** Parsed card.json, pipeline.json, labels.json and model.json. */
  card: unknown;
  pipeline: unknown;
  labels: unknown;
  modelJson: unknown;
  /** The bytes of weights.bin. */
  weights: ArrayBuffer;
  /** Parsed calibrator.json, or null/undefined when the bundle has none. */
  calibrator?: unknown;
}

/**
 * A bundle from its files' contents, without touching a file system: what a browser, an
 * edge function or a worker uses after fetching the files; loadBundle (Node) reads them
 * from a folder and calls this.
 * @throws UserError when model.json and the weights do not form a dense network, or the
 *   pipeline or calibrator is malformed.
 */
export function bundleFromFiles(files: BundleFiles): LoadedBundle {
  return {
    card: files.card as ModelCard,
    pipeline: pipelineFromJson(files.pipeline),
    labels: files.labels as LabelMap,
    model: denseNetworkFromArtifacts(files.modelJson, files.weights),
    calibrator: files.calibrator == null ? null : parseCalibrator(files.calibrator),
  };
}

/**
 * Scores for records: n × outputs row-major (binary: P(positive) per row; multiclass:
 * class probabilities; regression: the value), calibrated when the bundle has a calibrator
 * (pass `calibrated: false` for the model's raw outputs). Records are plain objects keyed
 * by feature name; missing features are imputed as in training.
 */
export function scoreRecords(
  bundle: LoadedBundle,
  records: ReadonlyArray<Record<string, unknown>>,
  opts: { calibrated?: boolean } = {},
): { scores: Float32Array; n: number; outputs: number } {
  const { x, n, d } = transformRows(bundle.pipeline, records);
  let scores = n === 0 ? new Float32Array(0) : modelOutputs(bundle.model, bundle.labels, x, n, d);
  if (n > 0 && bundle.calibrator && bundle.calibrator.method !== 'none' && opts.calibrated !== false) {
    scores = Float32Array.from(applyCalibrator(bundle.calibrator, scores, outputK(bundle)));
  }
  return { scores, n, outputs: n === 0 ? 0 : scores.length / n };
}

/**
 * Predictions for records, in the CLI's JSON shape.
 * Binary: probabilities of both classes; the label is the positive class when
 * P(positive) ≥ 0.5. Multiclass: the arg-max class. Confidence is the probability of the
 * predicted label. Regression: { value }.
 */
export function predictRecords(bundle: LoadedBundle, records: ReadonlyArray<Record<string, unknown>>): Prediction[] {
  const { scores, n } = scoreRecords(bundle, records);
  return predictionsFromScores(bundle.card.task, bundle.labels.classes, scores, n);
}

/** Formats raw scores (see {@link scoreRecords}) as predictions. */
export function predictionsFromScores(task: ModelCard['task'], classes: string[], scores: ArrayLike<number>, n: number): Prediction[] {
  const out: Prediction[] = [];
  for (let i = 0; i < n; i++) {
    if (task === 'regression') {
      out.push({ value: scores[i] });
    } else if (task === 'binary') {
      const p = scores[i];
      // Computed keys define own properties, so a class named '__proto__' stays a key.
      const probabilities = { [classes[0]]: 1 - p, [classes[1]]: p };
      const positive = p >= 0.5;
      out.push({ label: positive ? classes[1] : classes[0], confidence: positive ? p : 1 - p, probabilities });
    } else {
      const k = classes.length;
      let best = 0;
      const entries: Array<[string, number]> = [];
      for (let c = 0; c < k; c++) {
        const p = scores[i * k + c];
        entries.push([classes[c], p]);
        if (p > scores[i * k + best]) best = c;
      }
      // fromEntries defines own properties: a class named '__proto__' (or 'constructor')
      // is kept as a key, where `probabilities[name] = p` would set the prototype instead.
      out.push({ label: classes[best], confidence: scores[i * k + best], probabilities: Object.fromEntries(entries) });
    }
  }
  return out;
}

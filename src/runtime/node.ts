/**
 * Loading a bundle folder from disk in Node (an app's server, the CLI, the worker).
 * A bundle is self-contained: model.json + weights.bin (tfjs layers model), pipeline.json,
 * labels.json, card.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadModelFromArtifacts } from '../core/engine/serialize';
import { parseCalibrator } from '../core/calibrate/apply';
import { pipelineFromJson } from '../core/data/pipeline';
import { UserError } from '../core/util/errors';
import type { LoadedBundle, ModelCard } from './predictor';

export const BUNDLE_FILES = {
  modelJson: 'model.json',
  weights: 'weights.bin',
  pipeline: 'pipeline.json',
  labels: 'labels.json',
  card: 'card.json',
  /** Optional: absent when the model's probabilities are used as they are. */
  calibrator: 'calibrator.json',
} as const;

function readJson<T>(file: string): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new UserError(`Cannot read ${file}: ${(e as Error).message}. The bundle is incomplete; train again or export it again.`, { file });
  }
}

/**
 * Loads the bundle in `dir`. Initialise a tfjs backend first (the CLI and worker call
 * initBackend; a plain app gets tfjs's default).
 * @throws UserError when a file is missing or unreadable.
 */
export async function loadBundle(dir: string): Promise<LoadedBundle> {
  const card = readJson<ModelCard>(path.join(dir, BUNDLE_FILES.card));
  const pipeline = pipelineFromJson(readJson<unknown>(path.join(dir, BUNDLE_FILES.pipeline)));
  const labels = readJson<LoadedBundle['labels']>(path.join(dir, BUNDLE_FILES.labels));
  const modelJson = readJson<unknown>(path.join(dir, BUNDLE_FILES.modelJson));
  let weights: Buffer;
  try {
    weights = fs.readFileSync(path.join(dir, BUNDLE_FILES.weights));
  } catch (e) {
    throw new UserError(`Cannot read ${path.join(dir, BUNDLE_FILES.weights)}: ${(e as Error).message}.`);
  }
  const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  const calibratorFile = path.join(dir, BUNDLE_FILES.calibrator);
  const calibrator = fs.existsSync(calibratorFile) ? parseCalibrator(readJson<unknown>(calibratorFile)) : null;
  const model = await loadModelFromArtifacts(modelJson, buffer);
  return { card, pipeline, labels, model, calibrator };
}

/**
 * Bundle folders on disk (Node): writing one after training and loading one to predict.
 * A bundle is self-contained: model.json + weights.bin (tfjs layers model), pipeline.json,
 * labels.json, card.json, and calibrator.json when the probabilities are calibrated.
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { loadModelFromArtifacts } from '../engine/artifacts';
import { saveModel } from '../engine/serialize';
import { parseCalibrator } from '../calibrate/apply';
import type { Calibrator } from '../calibrate/types';
import { pipelineFromJson } from '../data/pipeline';
import { UserError } from '../util/errors';
import type { LoadedBundle, ModelCard } from './types';

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

/**
 * Writes a bundle folder atomically: the files go to a temp folder beside it, which is then
 * renamed into place, so a crash never leaves a half-written bundle under the version's name.
 */
export async function writeBundle(
  dir: string,
  b: { model: tf.LayersModel; pipeline: unknown; labels: unknown; card: ModelCard; calibrator: Calibrator | null },
): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  await saveModel(b.model, tmp);
  fs.writeFileSync(path.join(tmp, BUNDLE_FILES.pipeline), JSON.stringify(b.pipeline));
  fs.writeFileSync(path.join(tmp, BUNDLE_FILES.labels), JSON.stringify(b.labels, null, 2));
  fs.writeFileSync(path.join(tmp, BUNDLE_FILES.card), JSON.stringify(b.card, null, 2));
  if (b.calibrator) fs.writeFileSync(path.join(tmp, BUNDLE_FILES.calibrator), JSON.stringify(b.calibrator));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
}

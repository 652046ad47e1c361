/**
 * Loading a bundle folder from disk (Node). A bundle is self-contained: model.json +
 * weights.bin (a tfjs layers model), pipeline.json, labels.json, card.json, and
 * calibrator.json when the probabilities are calibrated. Loading needs no TensorFlow.js: the
 * network is evaluated in plain TypeScript (../engine/dense-network.ts). Writing one (from the
 * store's copy, which training renders) is ./versions.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../util/errors';
import { bundleFromFiles } from './predict';
import type { LoadedBundle } from './types';

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
 * Loads the bundle in `dir` (see {@link bundleFromFiles} for the same from memory).
 * @throws UserError when a file is missing or unreadable, or the files do not fit together.
 */
export async function loadBundle(dir: string): Promise<LoadedBundle> {
  const card = readJson<unknown>(path.join(dir, BUNDLE_FILES.card));
  const pipeline = readJson<unknown>(path.join(dir, BUNDLE_FILES.pipeline));
  const labels = readJson<unknown>(path.join(dir, BUNDLE_FILES.labels));
  const modelJson = readJson<unknown>(path.join(dir, BUNDLE_FILES.modelJson));
  let weights: Buffer;
  try {
    weights = fs.readFileSync(path.join(dir, BUNDLE_FILES.weights));
  } catch (e) {
    throw new UserError(`Cannot read ${path.join(dir, BUNDLE_FILES.weights)}: ${(e as Error).message}.`);
  }
  const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  const calibratorFile = path.join(dir, BUNDLE_FILES.calibrator);
  const calibrator = fs.existsSync(calibratorFile) ? readJson<unknown>(calibratorFile) : null;
  try {
    return bundleFromFiles({ card, pipeline, labels, modelJson, weights: buffer, calibrator });
  } catch (e) {
    if (e instanceof UserError) throw new UserError(`The bundle in ${dir} cannot be loaded: ${e.message}`, { file: path.join(dir, BUNDLE_FILES.modelJson) });
    throw e;
  }
}

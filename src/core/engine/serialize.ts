/**
 * Saving and loading a model as a folder holding `model.json` + `weights.bin` — the layout
 * tfjs' own file handlers use, so `tf.loadLayersModel('file://…/model.json')` (tfjs-node) and
 * `tf.loadLayersModel(url)` (browser) read it too. tfjs only has a file:// handler in
 * tfjs-node, so the files are written here with fs. Node only; the pure conversion is in
 * ./artifacts.ts (re-exported for convenience).
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as tf from '@tensorflow/tfjs';
import { UserError } from '../util/errors';
import { loadModelFromArtifacts, modelToArtifacts, WEIGHTS_FILE_NAME } from './artifacts';

export { loadModelFromArtifacts, modelToArtifacts, WEIGHTS_FILE_NAME } from './artifacts';

/** Name of the topology + manifest file in a saved model folder. */
export const MODEL_JSON_FILE_NAME = 'model.json';

/**
 * Writes `model` to `dir` (created when missing) as model.json + weights.bin, replacing
 * earlier files of those names. Each file is written to a temporary name and renamed, so a
 * crash never leaves a half-written file under the final name; weights.bin goes first, so a
 * model.json present means its weights are too.
 */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  const { modelJson, weights } = await modelToArtifacts(model);
  await fs.promises.mkdir(dir, { recursive: true });
  await writeAtomically(path.join(dir, WEIGHTS_FILE_NAME), Buffer.from(weights));
  await writeAtomically(path.join(dir, MODEL_JSON_FILE_NAME), JSON.stringify(modelJson));
}

/**
 * Loads a model saved by {@link saveModel} (or any single-weights-file tfjs layers model) from
 * `dir`. Initialise a backend first.
 * @throws UserError when a file is missing, unreadable or the two do not match.
 */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const jsonFile = path.join(dir, MODEL_JSON_FILE_NAME);
  let modelJson: unknown;
  try {
    modelJson = JSON.parse(await fs.promises.readFile(jsonFile, 'utf8'));
  } catch (e) {
    throw new UserError(`Cannot read the model file ${jsonFile}: ${(e as Error).message}.`, { file: jsonFile });
  }
  const paths = weightPaths(modelJson);
  const buffers: Buffer[] = [];
  for (const relative of paths) {
    const file = path.join(dir, relative);
    try {
      buffers.push(await fs.promises.readFile(file));
    } catch (e) {
      throw new UserError(`Cannot read the model weights ${file}: ${(e as Error).message}.`, { file });
    }
  }
  const joined = Buffer.concat(buffers);
  const weights = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength) as ArrayBuffer;
  return loadModelFromArtifacts(modelJson, weights);
}

/** The weight file paths a model.json lists, in order (empty when it lists none). */
function weightPaths(modelJson: unknown): string[] {
  const manifest = (modelJson as { weightsManifest?: Array<{ paths?: unknown }> } | null)?.weightsManifest;
  if (!Array.isArray(manifest)) return [];
  return manifest.flatMap((group) => (Array.isArray(group.paths) ? group.paths.filter((p): p is string => typeof p === 'string') : []));
}

async function writeAtomically(file: string, data: string | Buffer): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.promises.writeFile(temporary, data);
  await fs.promises.rename(temporary, file);
}

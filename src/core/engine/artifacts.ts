/**
 * Converting between a tfjs LayersModel and its two stored parts — the `model.json` object
 * (topology + weights manifest) and the `weights.bin` bytes — without touching any file
 * system. Pure: no Node built-ins, so a browser app that uses tfjs can use it (./serialize.ts
 * adds the files on top). ML Loop's own runtime reads the same two parts without tfjs
 * (./dense-network.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../util/errors';

/** Name of the weights file a saved model.json refers to. */
export const WEIGHTS_FILE_NAME = 'weights.bin';

/** A model as the two things stored on disk or shipped to a browser. */
export interface ModelArtifactsPair {
  /** The standard tfjs `model.json` content (format 'layers-model'). */
  modelJson: tf.io.ModelJSON;
  /** All weights, concatenated in the manifest's order (little-endian float32). */
  weights: ArrayBuffer;
}

/**
 * Serialises a model to a model.json object and one weights buffer, as tfjs' own file
 * handlers would (a single weights group whose path is {@link WEIGHTS_FILE_NAME}).
 */
export async function modelToArtifacts(model: tf.LayersModel): Promise<ModelArtifactsPair> {
  let captured: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  const artifacts = captured as tf.io.ModelArtifacts | null;
  if (!artifacts || artifacts.modelTopology == null || !artifacts.weightSpecs || artifacts.weightData == null) {
    throw new Error('modelToArtifacts: tfjs produced no topology or weights');
  }
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [WEIGHTS_FILE_NAME], weights: artifacts.weightSpecs }],
  };
  if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
  return { modelJson, weights: tf.io.CompositeArrayBuffer.join(artifacts.weightData) };
}

/**
 * Rebuilds a LayersModel from a parsed `model.json` and the bytes of its weights file(s)
 * concatenated in manifest order (for the usual single-file manifest: weights.bin as is).
 * Pure — works in Node and in a browser.
 * @throws UserError when `modelJson` is not a tfjs layers model or the byte count does not
 *   match the manifest.
 */
export async function loadModelFromArtifacts(modelJson: unknown, weights: ArrayBuffer): Promise<tf.LayersModel> {
  const json = modelJson as Partial<tf.io.ModelJSON> | null;
  if (json === null || typeof json !== 'object' || json.modelTopology == null || !Array.isArray(json.weightsManifest)) {
    throw new UserError('The model.json is not a TensorFlow.js layers model (no modelTopology or weightsManifest): export the model again.');
  }
  const weightSpecs = tf.io.getWeightSpecs(json.weightsManifest);
  const expectedBytes = weightSpecs.reduce((sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1) * bytesPerValue(spec.dtype), 0);
  if (expectedBytes !== weights.byteLength) {
    throw new UserError(
      `The model weights have ${weights.byteLength} bytes but model.json describes ${expectedBytes}: the two files do not belong together; export the model again.`,
    );
  }
  const artifacts = tf.io.getModelArtifactsForJSONSync(json as tf.io.ModelJSON, weightSpecs, weights);
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

function bytesPerValue(dtype: string): number {
  if (dtype === 'float32' || dtype === 'int32') return 4;
  if (dtype === 'bool' || dtype === 'uint8') return 1;
  if (dtype === 'float16' || dtype === 'uint16') return 2;
  throw new UserError(`The model.json uses weights of type ${dtype}, which ML Loop does not load.`);
}

/**
 * Rendering a trained model's bundle into files in memory (for the store, then the disk):
 * the one place that needs TensorFlow.js to write a bundle, kept apart so that reading and
 * copying bundles (./versions.ts) loads no tfjs.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Calibrator } from '../calibrate/types';
import { modelToArtifacts, WEIGHTS_FILE_NAME } from '../engine/artifacts';
import type { BundleFile } from '../store/types';
import { BUNDLE_FILES } from './bundle';
import type { ModelCard } from './types';

/** The files of a bundle, in memory (what writeBundle used to write). */
export async function renderBundleFiles(b: {
  model: tf.LayersModel;
  pipeline: unknown;
  labels: unknown;
  card: ModelCard;
  calibrator: Calibrator | null;
}): Promise<BundleFile[]> {
  const { modelJson, weights } = await modelToArtifacts(b.model);
  const text = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
  const files: BundleFile[] = [
    { name: WEIGHTS_FILE_NAME, bytes: new Uint8Array(weights) },
    { name: BUNDLE_FILES.modelJson, bytes: text(JSON.stringify(modelJson)) },
    { name: BUNDLE_FILES.pipeline, bytes: text(JSON.stringify(b.pipeline)) },
    { name: BUNDLE_FILES.labels, bytes: text(JSON.stringify(b.labels, null, 2)) },
    { name: BUNDLE_FILES.card, bytes: text(JSON.stringify(b.card, null, 2)) },
  ];
  if (b.calibrator) files.push({ name: BUNDLE_FILES.calibrator, bytes: text(JSON.stringify(b.calibrator)) });
  return files.sort((x, y) => (x.name < y.name ? -1 : 1));
}


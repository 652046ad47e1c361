/**
 * Writing a bundle folder after training (Node, tfjs: the model is saved in tfjs' own
 * model.json + weights.bin layout, so tfjs can load it too). Loading is ./bundle.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { saveModel } from '../engine/serialize';
import type { Calibrator } from '../calibrate/types';
import { BUNDLE_FILES } from './bundle';
import type { ModelCard } from './types';

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

/**
 * Small seeded data sets for the engine tests (not a spec file: no `.test` in the name).
 */
import type { EarlyStoppingConfig, TrainableModel, Task, TrainingConfig } from '../../../src/core/project/types';
import type { Dataset } from '../../../src/core/engine/fit';
import { createRng } from '../../../src/core/util/random';

/**
 * n rows of d uniform(−1, 1) features labelled by a random linear teacher: binary (sign of
 * the first score), multiclass (arg max of k scores) or regression (first score + noise).
 */
export function teacherDataset(task: Task, n: number, d: number, k: number, seed: number): Dataset {
  const rng = createRng(seed);
  const outputs = task === 'multiclass' ? k : 1;
  const teacher = Array.from({ length: d * outputs }, () => rng() * 2 - 1);
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const scores = new Array<number>(outputs).fill(0);
    for (let j = 0; j < d; j++) {
      const v = rng() * 2 - 1;
      x[i * d + j] = v;
      for (let c = 0; c < outputs; c++) scores[c] += v * teacher[j * outputs + c];
    }
    if (task === 'binary') y[i] = scores[0] > 0 ? 1 : 0;
    else if (task === 'multiclass') y[i] = scores.indexOf(Math.max(...scores));
    else y[i] = scores[0] + 0.05 * (rng() - 0.5);
  }
  return { x, n, d, y };
}

export const MLP: TrainableModel = { type: 'mlp', hidden: [16, 8], dropout: 0.1, activation: 'relu' };

export function trainingConfig(overrides: Partial<TrainingConfig> = {}, earlyStopping: Partial<EarlyStoppingConfig> = {}): TrainingConfig {
  return {
    batchSize: 32,
    learningRate: 0.01,
    epochs: 5,
    validationSplit: 0.15,
    testSplit: 0.2,
    classWeight: 'none',
    seed: 7,
    ...overrides,
    earlyStopping: { enabled: false, monitor: 'val_loss', minDelta: 1e-4, patience: 10, restoreBest: true, ...earlyStopping },
  };
}

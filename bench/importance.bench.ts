/**
 * Permutation importance on 20,000 rows × 18 features, 5 repeats (91 scorings of 20,000 rows),
 * with the decision-policy shape of MLP (18 → 64 → 32 → 16 → 5, relu, softmax; untrained seeded
 * weights, which cost the same to run as trained ones) on the wasm backend. Prints the wall
 * time, rows scored per second and how the time splits between the model and the rest
 * (metric, permuting). Also times one integrated-gradients explanation of the same model.
 *
 * Run: `npx tsx bench/importance.bench.ts`.
 */
import { initBackend } from '../src/core/engine/backend';
import { predictScores } from '../src/core/engine/fit';
import { buildModel } from '../src/core/engine/models';
import { integratedGradients, predictedOutputIndex } from '../src/core/explain/attribution';
import { singleColumnGroups } from '../src/core/explain/groups';
import { permutationImportance } from '../src/core/explain/permutation';
import { createRng } from '../src/core/util/random';

const N = 20000;
const D = 18;
const K = 5;
const REPEATS = 5;

async function main(): Promise<void> {
  const backend = await initBackend('wasm');
  const model = buildModel('multiclass', D, K, { type: 'mlp', hidden: [64, 32, 16], dropout: 0, activation: 'relu' }, 1);
  const rng = createRng(42);
  const x = new Float32Array(N * D);
  for (let i = 0; i < x.length; i++) x[i] = rng() * 2 - 1;
  const yTrue = Array.from({ length: N }, () => Math.floor(rng() * K));
  const groups = singleColumnGroups(D);

  let scoringMs = 0;
  let scorings = 0;
  const score = (rows: Float32Array, n: number): Float32Array => {
    const t = performance.now();
    const out = predictScores(model, rows, n, D);
    scoringMs += performance.now() - t;
    scorings++;
    return out;
  };
  score(x, N); // warm-up: compiles the wasm kernels' first calls
  scoringMs = 0;
  scorings = 0;

  const started = performance.now();
  const result = await permutationImportance({ x, n: N, d: D, yTrue, task: 'multiclass', k: K, groups, score, repeats: REPEATS, seed: 1 });
  const seconds = (performance.now() - started) / 1000;
  const rowsScored = scorings * N;
  console.log(`backend ${backend}; ${N.toLocaleString('en')} rows × ${D} features, ${REPEATS} repeats, MLP ${D}→64→32→16→${K}, metric ${result.metric}`);
  console.log(
    `permutation importance: ${seconds.toFixed(2)} s for ${scorings} scorings (${rowsScored.toLocaleString('en')} rows), ` +
      `${Math.round(rowsScored / seconds).toLocaleString('en')} rows scored/s`,
  );
  console.log(
    `  model ${(scoringMs / 1000).toFixed(2)} s (${((100 * scoringMs) / 1000 / seconds).toFixed(0)}%), ` +
      `metric + permuting ${(seconds - scoringMs / 1000).toFixed(2)} s`,
  );

  const row = x.subarray(0, D);
  const outputIndex = predictedOutputIndex('multiclass', predictScores(model, row, 1, D));
  integratedGradients(model, row, { outputIndex, groups }); // warm-up
  const explanations = 50;
  let steps = 0;
  let worstGap = 0;
  let changeAtWorst = 0;
  const t0 = performance.now();
  for (let i = 0; i < explanations; i++) {
    const r = integratedGradients(model, x.subarray(i * D, (i + 1) * D), { outputIndex, groups });
    steps += r.steps;
    if (Math.abs(r.gap) >= worstGap) {
      worstGap = Math.abs(r.gap);
      changeAtWorst = Math.abs(r.fx - r.fBaseline);
    }
  }
  const perRowMs = (performance.now() - t0) / explanations;
  console.log(
    `integrated gradients: ${perRowMs.toFixed(1)} ms per row (mean ${(steps / explanations).toFixed(0)} intervals, ` +
      `worst |gap| ${worstGap.toExponential(1)} where |f(x) − f(b)| = ${changeAtWorst.toExponential(1)}, ${explanations} rows)`,
  );
  model.dispose();
}

void main();

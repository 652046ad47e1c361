/**
 * Speed of the numeric core: ROC AUC, log loss and ECE on 1,000,000 binary predictions, the
 * full headline metrics, a ROC curve, multiclass metrics on 200,000 × 5, isotonic and Platt fits
 * on 100,000 points, calibrator selection on 20,000 and bootstrap intervals on 10,000 binary and
 * 4,000 × 5 multiclass predictions.
 * Each figure is the median of several runs after a warm-up. When Debian's scikit-learn is
 * installed (/usr/bin/python3 with sklearn), scripts/reference/sklearn_bench.py times the same
 * operations on the same sizes for orientation.
 * Prints figures; never fails on time. Run: `npx tsx bench/metrics.bench.ts`.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fitIsotonic } from '../src/core/calibrate/isotonic';
import { fitPlatt } from '../src/core/calibrate/platt';
import { selectCalibrator } from '../src/core/calibrate/select';
import { bootstrapIntervals } from '../src/core/evaluate/bootstrap';
import { expectedCalibrationError } from '../src/core/evaluate/calibrationError';
import { rocCurve } from '../src/core/evaluate/curves';
import { headlineMetrics, logLoss } from '../src/core/evaluate/metrics';
import { rocAuc } from '../src/core/evaluate/ranking';
import { createRng } from '../src/core/util/random';

function binaryData(n: number, seed: number): { y: Uint8Array; p: Float64Array } {
  const rng = createRng(seed);
  const y = new Uint8Array(n);
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const truth = rng();
    y[i] = rng() < truth ? 1 : 0;
    // Over-confident and rounded to 1e-4, so there are ties as with float32 model outputs.
    p[i] = Math.round(10000 / (1 + Math.exp(-2 * Math.log(truth / (1 - truth))))) / 10000;
  }
  return { y, p };
}

function multiclassData(n: number, k: number, seed: number): { y: Int32Array; p: Float64Array } {
  const rng = createRng(seed);
  const y = new Int32Array(n);
  const p = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (let c = 0; c < k; c++) total += p[i * k + c] = Math.exp(3 * rng());
    for (let c = 0; c < k; c++) p[i * k + c] /= total;
    y[i] = Math.floor(rng() * k);
  }
  return { y, p };
}

function time(label: string, runs: number, fn: () => unknown): void {
  fn(); // warm-up: JIT and typed-array allocation
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)];
  console.log(`${label.padEnd(52)} ${median.toFixed(1).padStart(9)} ms  (median of ${runs}, min ${ms[0].toFixed(1)})`);
}

console.log('ML Loop numeric core (TypeScript, Node ' + process.version + ')');
const million = binaryData(1_000_000, 1);
time('ROC AUC, 1,000,000 binary predictions', 7, () => rocAuc(million.y, million.p));
time('log loss, 1,000,000 binary predictions', 7, () => logLoss(million.y, million.p, 2));
time('ECE (15 bins), 1,000,000 binary predictions', 7, () => expectedCalibrationError(million.y, million.p, 2));
time('all binary headline metrics, 1,000,000', 5, () => headlineMetrics('binary', million.y, million.p, 2));
time('ROC curve, 1,000,000', 5, () => rocCurve(million.y, million.p));
const multi = multiclassData(200_000, 5, 2);
time('multiclass headline metrics, 200,000 × 5', 5, () => headlineMetrics('multiclass', multi.y, multi.p, 5));
const hundredK = binaryData(100_000, 3);
time('isotonic fit, 100,000 points', 9, () => fitIsotonic(hundredK.p, hundredK.y, 2));
time('Platt fit (logit input), 100,000 points', 9, () => fitPlatt(hundredK.p, hundredK.y, 2));
const twentyK = binaryData(20_000, 4);
time('selectCalibrator auto, 20,000 binary, 5 folds', 3, () => selectCalibrator(twentyK.p, twentyK.y, 2));
const tenK = binaryData(10_000, 5);
time('bootstrap 1,000 resamples, 10,000 binary', 3, () => bootstrapIntervals('binary', tenK.y, tenK.p, 2));
// The test split of the 20,000-row decision-policy set that train evaluates: 4,000 rows × 5 classes.
const fourK = multiclassData(4_000, 5, 6);
time('bootstrap 1,000 resamples, 4,000 × 5 multiclass', 3, () => bootstrapIntervals('multiclass', fourK.y, fourK.p, 5));

const script = path.join(__dirname, '..', 'scripts', 'reference', 'sklearn_bench.py');
const probe = spawnSync('/usr/bin/python3', ['-c', 'import sklearn'], { encoding: 'utf8' });
if (probe.status === 0) {
  console.log('\nscikit-learn on the same sizes (for orientation):');
  const run = spawnSync('/usr/bin/python3', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(run.stdout ?? '');
} else {
  console.log('\n(scikit-learn not installed: apt-get install -y python3-sklearn to print its figures too)');
}

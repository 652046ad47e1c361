import * as assert from 'node:assert/strict';
import { MIN_ISOTONIC_SAMPLES, selectCalibrator, stratifiedFolds } from '../../../src/core/calibrate/select';
import { applyCalibrator } from '../../../src/core/calibrate/apply';
import { expectedCalibrationError } from '../../../src/core/evaluate/calibrationError';
import { createRng } from '../../../src/core/util/random';
import { CancelledError, isUserError } from '../../../src/core/util/errors';

/** Binary data whose true P(y = 1) is p, reported as sigmoid(sharpness · logit p). */
function binaryData(n: number, sharpness: number, seed: number): { scores: Float64Array; y: Uint8Array } {
  const rng = createRng(seed);
  const scores = new Float64Array(n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = 0.02 + 0.96 * rng();
    y[i] = rng() < p ? 1 : 0;
    scores[i] = 1 / (1 + Math.exp(-sharpness * Math.log(p / (1 - p))));
  }
  return { scores, y };
}

/** Four-class data: true softmax(logits), reported softmax(sharpness · logits). */
function multiclassData(n: number, sharpness: number, seed: number): { scores: Float64Array; y: Int32Array } {
  const rng = createRng(seed);
  const k = 4;
  const scores = new Float64Array(n * k);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const logits = Array.from({ length: k }, () => (rng() - 0.5) * 6);
    const softmax = (s: number) => {
      const e = logits.map((z) => Math.exp(s * z));
      const total = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / total);
    };
    const truth = softmax(1);
    let u = rng();
    let label = k - 1;
    for (let c = 0; c < k; c++) {
      if (u < truth[c]) {
        label = c;
        break;
      }
      u -= truth[c];
    }
    y[i] = label;
    softmax(sharpness).forEach((v, c) => (scores[i * k + c] = v));
  }
  return { scores, y };
}

describe('selectCalibrator', () => {
  it('calibrates over-confident binary scores and lowers the cross-validated ECE', () => {
    const { scores, y } = binaryData(3000, 3, 1);
    const selection = selectCalibrator(scores, y, 2, { seed: 1 });
    assert.notEqual(selection.method, 'none');
    assert.deepEqual(selection.candidates.map((c) => c.method), ['platt', 'isotonic', 'temperature']);
    assert.ok(selection.after.ece < 0.95 * selection.before.ece, `${selection.before.ece} → ${selection.after.ece}`);
    assert.ok(selection.after.brier <= selection.before.brier);
    const chosen = selection.candidates.find((c) => c.method === selection.method)!;
    assert.equal(chosen.status, 'accepted');
    // The refitted calibrator also improves the in-sample ECE.
    const calibrated = applyCalibrator(selection.calibrator, scores, 2);
    assert.ok(expectedCalibrationError(y, calibrated, 2) < expectedCalibrationError(y, scores, 2));
    assert.match(selection.reason, new RegExp(`^${selection.method}: ECE`));
  });

  it('keeps the raw probabilities when they are already calibrated', () => {
    const { scores, y } = binaryData(3000, 1, 2);
    const selection = selectCalibrator(scores, y, 2, { seed: 2 });
    assert.equal(selection.method, 'none');
    assert.equal(selection.calibrator.method, 'none');
    assert.match(selection.reason, /No calibrator helps/);
    assert.ok(selection.candidates.every((c) => c.status === 'rejected'));
  });

  it('does not consider isotonic regression under 1,000 examples', () => {
    const { scores, y } = binaryData(MIN_ISOTONIC_SAMPLES - 1, 3, 3);
    const selection = selectCalibrator(scores, y, 2);
    const isotonic = selection.candidates.find((c) => c.method === 'isotonic')!;
    assert.equal(isotonic.status, 'skipped');
    assert.equal(isotonic.after, undefined);
    assert.match(isotonic.reason, /999 calibration examples/);
  });

  it('warns when isotonic is requested explicitly on a small set', () => {
    const { scores, y } = binaryData(300, 3, 4);
    const selection = selectCalibrator(scores, y, 2, { method: 'isotonic' });
    assert.deepEqual(selection.candidates.map((c) => c.method), ['isotonic']);
    assert.match(selection.warnings[0], /overfit/);
  });

  it('an explicit method is still refused when it does not beat the margin', () => {
    const { scores, y } = binaryData(2000, 1, 5);
    const selection = selectCalibrator(scores, y, 2, { method: 'platt', margin: 0.5 });
    assert.equal(selection.method, 'none');
    assert.equal(selection.candidates[0].status, 'rejected');
  });

  it('fixes under-confident multiclass scores with a softmax-based method', () => {
    const { scores, y } = multiclassData(2000, 0.4, 6);
    const selection = selectCalibrator(scores, y, 4, { seed: 3 });
    assert.deepEqual(selection.candidates.map((c) => c.method), ['temperature', 'vector', 'platt', 'isotonic']);
    assert.notEqual(selection.method, 'none');
    assert.ok(selection.after.ece < selection.before.ece / 2, `${selection.before.ece} → ${selection.after.ece}`);
    assert.ok(selection.after.logLoss < selection.before.logLoss);
  });

  it('is deterministic for a seed and reports every figure', () => {
    const { scores, y } = binaryData(1500, 2, 7);
    const a = selectCalibrator(scores, y, 2, { seed: 11 });
    const b = selectCalibrator(scores, y, 2, { seed: 11 });
    assert.deepEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
    for (const c of a.candidates) {
      assert.deepEqual(c.before, a.before);
      for (const key of ['ece', 'brier', 'logLoss'] as const) assert.ok(Number.isFinite(c.after![key]));
    }
  });

  it('method none measures the raw scores and returns the identity', () => {
    const { scores, y } = binaryData(100, 3, 8);
    const selection = selectCalibrator(scores, y, 2, { method: 'none' });
    assert.equal(selection.calibrator.method, 'none');
    assert.deepEqual(selection.after, selection.before);
  });

  it('refuses a single class, too few examples and bad options with a UserError', () => {
    assert.throws(() => selectCalibrator([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95], new Array(10).fill(1), 2), (e: unknown) => isUserError(e) && /one class/.test((e as Error).message));
    assert.throws(() => selectCalibrator([0.1, 0.9, 0.2], [0, 1, 0], 2), (e: unknown) => isUserError(e) && /at least 10/.test((e as Error).message));
    const { scores, y } = binaryData(100, 3, 9);
    assert.throws(() => selectCalibrator(scores, y, 2, { folds: 1 }), isUserError);
    assert.throws(() => selectCalibrator(scores, y, 2, { method: 'vector' }), isUserError);
  });

  it('stops with CancelledError when the signal is aborted', () => {
    const { scores, y } = binaryData(500, 3, 10);
    const controller = new AbortController();
    controller.abort();
    assert.throws(() => selectCalibrator(scores, y, 2, { signal: controller.signal }), (e: unknown) => e instanceof CancelledError);
  });
});

describe('stratifiedFolds', () => {
  it('spreads every class evenly over the folds', () => {
    const y = [...new Array(50).fill(0), ...new Array(13).fill(1), ...new Array(7).fill(2)];
    const folds = stratifiedFolds(y, 3, 5, 0);
    for (let f = 0; f < 5; f++) {
      const size = folds.filter((v) => v === f).length;
      assert.equal(size, 14);
      for (const [cls, total] of [[0, 50], [1, 13], [2, 7]]) {
        const inFold = y.filter((label, i) => label === cls && folds[i] === f).length;
        assert.ok(Math.abs(inFold - total / 5) < 1, `class ${cls} fold ${f}: ${inFold}`);
      }
    }
  });
});

/**
 * The quality gate's decisions (src/core/registry/gate.ts): who is promoted, who is not, and
 * whether the reasons say why with the numbers.
 */
import * as assert from 'node:assert/strict';
import { parseProject } from '../../../src/core/project/parse';
import type { GateConfig } from '../../../src/core/project/types';
import { evaluateGate, type GateDecision, type GateInput } from '../../../src/core/registry/gate';
import { createRng } from '../../../src/core/util/random';

/** The resolved gate config of a project file with this task (the defaults), with overrides. */
function gateConfig(task: 'binary' | 'multiclass' | 'regression', overrides: Partial<GateConfig> = {}): GateConfig {
  const r = parseProject(`version: 1\ntask: ${task}\nlabel: y\nfeatures: [{name: a, type: numeric}]\n`);
  assert.ok(r.ok);
  return { ...r.config.gate, ...overrides };
}

/** Binary labels, half positive, and P(class 1) that is right (on the right side of 0.5) on the rows `right` says. */
function binaryScores(y: Float32Array, right: (i: number) => boolean, rng = createRng(99)): Float32Array {
  return Float32Array.from(y, (label, i) => {
    const confidence = 0.6 + 0.35 * rng(); // 0.6–0.95: well calibrated enough to meet the ECE ceiling
    const towardLabel = right(i) ? label : 1 - label;
    return towardLabel === 1 ? confidence : 1 - confidence;
  });
}

function binaryLabels(n: number, seed = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => (rng() < 0.5 ? 1 : 0));
}

/** Which rows a model with this accuracy gets right, drawn independently per row. */
function rightRows(n: number, accuracy: number, seed: number): boolean[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng() < accuracy);
}

function binaryInput(y: Float32Array, champion: Float32Array | null, challenger: Float32Array, config = gateConfig('binary')): GateInput {
  return { task: 'binary', classes: ['no', 'yes'], y, champion, challenger, config, seed: 7 };
}

function failed(d: GateDecision): string[] {
  return d.checks.filter((c) => !c.passed).map((c) => c.name);
}

/** k-class probabilities: 0.8 on the predicted class, the rest shared. */
function multiclassScores(predicted: number[], k: number): Float32Array {
  const s = new Float32Array(predicted.length * k);
  predicted.forEach((p, i) => {
    for (let c = 0; c < k; c++) s[i * k + c] = c === p ? 0.8 : 0.2 / (k - 1);
  });
  return s;
}

describe('quality gate: promotion decisions', () => {
  it('promotes a clearly better challenger, naming the metric, the test and its p-value', () => {
    const n = 400;
    const y = binaryLabels(n);
    const champRight = rightRows(n, 0.78, 2);
    const chalRight = rightRows(n, 0.92, 3);
    const d = evaluateGate(binaryInput(y, binaryScores(y, (i) => champRight[i]), binaryScores(y, (i) => chalRight[i])));
    assert.equal(d.promote, true, d.reasons.join('\n'));
    assert.equal(d.first, false);
    assert.equal(d.metric, 'accuracy');
    assert.equal(d.test.name, 'mcnemar');
    assert.ok(d.test.pValue! < 0.05);
    assert.ok(d.relative! >= 0.05);
    assert.ok(Math.abs(d.difference! - (d.challenger.accuracy - d.champion!.accuracy)) < 1e-15);
    assert.ok(d.reasons.some((r) => /^Accuracy rose from 0\.\d+ to 0\.\d+/.test(r)), d.reasons.join('\n'));
    assert.ok(d.reasons.some((r) => /McNemar/.test(r) && /p = /.test(r)));
  });

  it('rejects a clearly worse challenger with the metric and both values in the reason', () => {
    const n = 400;
    const y = binaryLabels(n);
    const champRight = rightRows(n, 0.92, 3);
    const chalRight = rightRows(n, 0.8, 2);
    const d = evaluateGate(binaryInput(y, binaryScores(y, (i) => champRight[i]), binaryScores(y, (i) => chalRight[i])));
    assert.equal(d.promote, false);
    assert.ok(failed(d).includes('improvement'));
    assert.ok(failed(d).includes('significance'));
    const champ = Number(d.champion!.accuracy.toPrecision(4)).toString();
    const chal = Number(d.challenger.accuracy.toPrecision(4)).toString();
    assert.ok(d.reasons.some((r) => r.includes('Accuracy') && r.includes(`from ${champ} to ${chal}`) && /worse/.test(r)), d.reasons.join('\n'));
    assert.ok(d.test.pValue! > 0.5);
  });

  it('does not promote identical predictions: no improvement, and p = 1 for both tests', () => {
    const n = 200;
    const y = binaryLabels(n);
    const right = rightRows(n, 0.85, 4);
    const scores = binaryScores(y, (i) => right[i]);
    for (const metric of ['accuracy', 'f1']) {
      const d = evaluateGate(binaryInput(y, scores, Float32Array.from(scores), gateConfig('binary', { metric })));
      assert.equal(d.promote, false, metric);
      assert.equal(d.difference, 0);
      assert.equal(d.test.pValue, 1, `${metric}: p-value`);
      assert.deepEqual(failed(d), ['improvement', 'significance'], metric);
      assert.match(d.reasons[0], /for both models: no improvement/);
    }
  });

  it("rejects a challenger that is better overall but loses 0.3 of one class's recall, naming the class", () => {
    // 3 classes × 100 rows. Champion: 70%, 70%, 80% recall; challenger: 100%, 100%, 50%.
    const k = 3;
    const y: number[] = [];
    const champPred: number[] = [];
    const chalPred: number[] = [];
    for (let c = 0; c < k; c++) {
      for (let i = 0; i < 100; i++) {
        y.push(c);
        const wrong = (c + 1 + (i % 2)) % k;
        champPred.push(i < (c === 2 ? 80 : 70) ? c : wrong);
        chalPred.push(c === 2 ? (i < 50 ? c : wrong) : c);
      }
    }
    const d = evaluateGate({
      task: 'multiclass',
      classes: ['alpha', 'beta', 'gamma'],
      y: Float32Array.from(y),
      champion: multiclassScores(champPred, k),
      challenger: multiclassScores(chalPred, k),
      config: gateConfig('multiclass'),
      seed: 1,
    });
    assert.equal(d.promote, false);
    assert.deepEqual(failed(d), ['class:gamma'], d.reasons.join('\n'));
    assert.ok(d.relative! > 0.05, 'better overall');
    assert.match(d.reasons[0], /Recall of class 'gamma' fell by 0\.3 \(from 0\.8 to 0\.5, 100 rows\), more than maxClassDrop 0\.1/);
    const gamma = d.classes.find((c) => c.name === 'gamma')!;
    assert.ok(Math.abs(gamma.drop - 0.3) < 1e-12);
  });

  it('rejects a first model that misses a floor, naming the floor and the value', () => {
    const n = 200;
    const y = binaryLabels(n);
    const right = rightRows(n, 0.7, 5);
    const d = evaluateGate(binaryInput(y, null, binaryScores(y, (i) => right[i])));
    assert.equal(d.first, true);
    assert.equal(d.promote, false);
    assert.equal(d.champion, null);
    assert.equal(d.test.name, 'none');
    assert.ok(failed(d).includes('floor:accuracy'));
    assert.ok(d.reasons.some((r) => /^Accuracy 0\.\d+ is below the floor 0\.75\.$/.test(r)), d.reasons.join('\n'));
  });

  it('promotes a first model that meets the floors, with no comparison', () => {
    const n = 200;
    const y = binaryLabels(n);
    const right = rightRows(n, 0.9, 6);
    const d = evaluateGate(binaryInput(y, null, binaryScores(y, (i) => right[i])));
    assert.equal(d.promote, true, d.reasons.join('\n'));
    assert.equal(d.difference, null);
    assert.equal(d.relative, null);
    assert.deepEqual(d.checks.map((c) => c.name), ['rows', 'floor:accuracy', 'floor:f1', 'floor:ece']);
    assert.match(d.reasons[0], /^First model/);
  });

  it('refuses to decide below minRows, even for a perfect challenger', () => {
    const y = binaryLabels(20);
    const perfect = binaryScores(y, () => true);
    for (const champion of [null, binaryScores(y, () => false)]) {
      const d = evaluateGate(binaryInput(y, champion, perfect));
      assert.equal(d.promote, false);
      assert.ok(failed(d).includes('rows'));
      assert.match(d.reasons[0], /Only 20 held-out rows: the gate needs at least 30 \(gate\.minRows\)/);
    }
  });

  it('rejects an empty held-out set without throwing', () => {
    const d = evaluateGate(binaryInput(new Float32Array(0), null, new Float32Array(0)));
    assert.equal(d.promote, false);
    assert.equal(d.n, 0);
    assert.deepEqual(failed(d), ['rows']);
  });

  it('decides regression by MAE: a smaller error is promoted, a larger one rejected (paired bootstrap)', () => {
    const rng = createRng(11);
    const n = 300;
    const y = Float32Array.from({ length: n }, () => 50 + 20 * rng());
    const noisy = (spread: number) => Float32Array.from(y, (v) => v + spread * (rng() - 0.5));
    const good = noisy(2);
    const poor = noisy(4);
    const config = gateConfig('regression');
    assert.equal(config.metric, 'mae');
    assert.deepEqual(config.floors, {});
    const better = evaluateGate({ task: 'regression', classes: [], y, champion: poor, challenger: good, config, seed: 3 });
    assert.equal(better.promote, true, better.reasons.join('\n'));
    assert.equal(better.higherIsBetter, false);
    assert.equal(better.test.name, 'paired_bootstrap');
    assert.ok(better.difference! < 0 && better.relative! > 0.4, `difference ${better.difference}, relative ${better.relative}`);
    assert.ok(better.test.interval!.upper < 0, 'the whole interval says the error fell');
    assert.equal(better.test.interval!.confidence, 0.9);
    assert.match(better.reasons.join('\n'), /Mean absolute error \(mae\) fell from/);
    const worse = evaluateGate({ task: 'regression', classes: [], y, champion: good, challenger: poor, config, seed: 3 });
    assert.equal(worse.promote, false);
    assert.match(worse.reasons[0], /Mean absolute error \(mae\) rose from .* worse/);
  });

  it('counts an improvement of exactly the margin (up to rounding) as enough', () => {
    // 100 rows: champion right on 80, challenger on 84 (every row the champion gets right, plus 4):
    // 0.84/0.8 − 1 is 0.05 in exact arithmetic but not in floating point.
    const n = 100;
    const y = binaryLabels(n, 3);
    const d = evaluateGate(binaryInput(y, binaryScores(y, (i) => i < 80), binaryScores(y, (i) => i < 84), gateConfig('binary', { alpha: 0.5 })));
    assert.equal(d.checks.find((c) => c.name === 'improvement')!.passed, true, d.reasons.join('\n'));
  });

  it('rejects a challenger whose named slice gets worse by more than maxClassDrop, naming the slice', () => {
    const n = 400;
    const y = binaryLabels(n);
    const champRight = rightRows(n, 0.78, 8);
    // Right everywhere but on rows 0..99 (the "mobile" slice), where it is right only half the time.
    const chalRight = Array.from({ length: n }, (_, i) => (i < 100 ? i % 2 === 0 : true));
    const slices = [
      { name: 'mobile', rows: Int32Array.from({ length: 100 }, (_, i) => i) },
      { name: 'tiny', rows: Int32Array.from([300, 301, 302]) },
    ];
    const d = evaluateGate({ ...binaryInput(y, binaryScores(y, (i) => champRight[i]), binaryScores(y, (i) => chalRight[i])), slices });
    assert.equal(d.promote, false);
    assert.deepEqual(failed(d), ['slice:mobile'], d.reasons.join('\n'));
    assert.match(d.reasons[0], /^Slice 'mobile' \(100 rows\): Accuracy got worse by 0\.\d+ .*more than maxClassDrop 0\.1\.$/);
    const tiny = d.checks.find((c) => c.name === 'slice:tiny')!;
    assert.equal(tiny.passed, true);
    assert.match(tiny.detail, /fewer than minClassRows 20/);
    assert.equal(d.slices.find((s) => s.name === 'tiny')!.checked, false);
  });

  it('measures a regression slice relative to the champion (mae in label units)', () => {
    const rng = createRng(12);
    const n = 200;
    const y = Float32Array.from({ length: n }, () => 1000 + 100 * rng());
    const champion = Float32Array.from(y, (v) => v + 20 * (rng() - 0.5));
    // Twice the error on the slice (rows 0..49), much smaller elsewhere.
    const challenger = Float32Array.from(y, (v, i) => v + (i < 50 ? 40 : 4) * (rng() - 0.5));
    const slices = [{ name: 'first fifty', rows: Int32Array.from({ length: 50 }, (_, i) => i) }];
    const d = evaluateGate({ task: 'regression', classes: [], y, champion, challenger, slices, config: gateConfig('regression'), seed: 1 });
    const slice = d.slices[0];
    assert.ok(slice.drop! > 0.5 && slice.drop! < 1.5, `relative drop ${slice.drop}`);
    assert.deepEqual(failed(d), ['slice:first fifty'], d.reasons.join('\n'));
    assert.match(d.reasons[0], /got worse by \d+(\.\d+)?%/);
  });
});

describe('quality gate: data a user caused is a reason, never an exception', () => {
  it('rejects a challenger whose scores hold NaN (a diverged model), saying where', () => {
    const y = binaryLabels(100);
    const champion = binaryScores(y, () => true);
    const challenger = Float32Array.from(champion);
    challenger[17] = NaN;
    challenger[40] = NaN;
    for (const champ of [champion, null]) {
      const d = evaluateGate(binaryInput(y, champ, challenger));
      assert.equal(d.promote, false);
      assert.ok(failed(d).includes('challenger scores'));
      assert.match(d.reasons.join('\n'), /2 values not a probability in \[0, 1\] \(first at held-out row 17: NaN\); the model may have diverged/);
    }
  });

  it('rejects when the champion cannot be scored on these rows (NaN, or another number of classes), pointing to --force', () => {
    const y = binaryLabels(100);
    const good = binaryScores(y, () => true);
    const bad = Float32Array.from(good);
    bad[0] = NaN;
    const d = evaluateGate(binaryInput(y, bad, good, gateConfig('binary', { floors: {} })));
    assert.equal(d.promote, false);
    assert.deepEqual(failed(d), ['champion scores']);
    assert.match(d.reasons[0], /--force/);
    const m = evaluateGate({ task: 'multiclass', classes: ['a', 'b', 'c', 'd'], y: Float32Array.from([0, 1, 2, 3]), champion: new Float32Array(12).fill(1 / 3), challenger: new Float32Array(16).fill(0.25), config: gateConfig('multiclass', { minRows: 1 }), seed: 1 });
    assert.equal(m.promote, false);
    assert.match(m.reasons.join('\n'), /The champion gave 12 scores for 4 held-out rows, but 16 were expected/);
  });

  it('explains a gate metric undefined on the rows (ROC AUC with a single class) instead of throwing', () => {
    const n = 50;
    const y = new Float32Array(n); // only class 'no'
    const scores = binaryScores(y, (i) => i % 5 !== 0);
    const d = evaluateGate(binaryInput(y, scores, binaryScores(y, () => true), gateConfig('binary', { metric: 'roc_auc' })));
    assert.equal(d.promote, false);
    assert.match(d.reasons.join('\n'), /ROC AUC cannot be compared on these 50 rows: only class 0 is present in the held-out labels/);
    assert.equal(d.test.pValue, null);
  });

  it('says the held-out rows hold a single class when a floor fails for it', () => {
    const n = 60;
    const y = new Float32Array(n).fill(1);
    const d = evaluateGate(binaryInput(y, null, binaryScores(y, (i) => i % 2 === 0)));
    assert.equal(d.promote, false);
    assert.match(d.reasons.join('\n'), /is below the floor 0\.75 \(the held-out rows hold only class 'yes'\)/);
  });

  it('rejects labels outside the classes', () => {
    const d = evaluateGate(binaryInput(Float32Array.from([0, 1, 2]), null, Float32Array.from([0.1, 0.9, 0.5]), gateConfig('binary', { minRows: 1 })));
    assert.equal(d.promote, false);
    assert.match(d.reasons.join('\n'), /The label of held-out row 2 is 2: class labels must be indices 0\.\.1 of \[no, yes\]/);
  });

  it('gives a decision that survives JSON unchanged (no NaN, Infinity or undefined)', () => {
    const n = 120;
    const y = binaryLabels(n);
    const a = rightRows(n, 0.8, 1);
    const b = rightRows(n, 0.9, 2);
    for (const metric of ['accuracy', 'roc_auc', 'ece']) {
      const d = evaluateGate({ ...binaryInput(y, binaryScores(y, (i) => a[i]), binaryScores(y, (i) => b[i]), gateConfig('binary', { metric })), slices: [{ name: 's', rows: Int32Array.from([1, 2, 3]) }] });
      assert.deepEqual(JSON.parse(JSON.stringify(d)), d, metric);
    }
  });
});

describe('quality gate: false positives', () => {
  /**
   * Over `repetitions` seeded pairs of equally accurate models (each right on a row with
   * probability `accuracy`, independently): the fraction the gate promotes with margin 0, and
   * the fraction that would also clear the default 5% margin.
   */
  function promotionRates(repetitions: number, config: GateConfig, n: number, accuracy: number): { noMargin: number; withMargin: number } {
    let promoted = 0;
    let clearsMargin = 0;
    for (let r = 0; r < repetitions; r++) {
      const y = binaryLabels(n, 1000 + r);
      const champRight = rightRows(n, accuracy, 2000 + r);
      const chalRight = rightRows(n, accuracy, 3000 + r);
      const input = binaryInput(y, binaryScores(y, (i) => champRight[i], createRng(r)), binaryScores(y, (i) => chalRight[i], createRng(r + 1)), { ...config, margin: 0 });
      const d = evaluateGate({ ...input, seed: r });
      if (d.promote) {
        promoted++;
        if (d.relative! >= 0.05) clearsMargin++;
      }
    }
    return { noMargin: promoted / repetitions, withMargin: clearsMargin / repetitions };
  }

  it('McNemar: two models with the same true accuracy are promoted in at most about alpha of 400 repetitions, fewer with the margin', () => {
    // 1500 rows: enough that a chance difference can be significant yet under 5% (with few rows
    // the test alone already demands more than the margin).
    const { noMargin, withMargin } = promotionRates(400, gateConfig('binary', { floors: {} }), 1500, 0.8);
    // One-sided test at 0.05: the expected rate is at most 0.05 (a binomial count's sd over 400 runs is 0.011).
    assert.ok(noMargin <= 0.08, `promoted ${noMargin} without a margin`);
    assert.ok(noMargin > 0, 'the test is not so conservative that nothing ever passes');
    assert.ok(withMargin < noMargin, `margin ${withMargin} vs none ${noMargin}`);
  });

  it('paired bootstrap (F1): the same over 200 repetitions', function () {
    this.timeout(120_000); // 200 × 300 resamples × 2 models: seconds, longer on a loaded machine
    const { noMargin, withMargin } = promotionRates(200, gateConfig('binary', { metric: 'f1', floors: {}, bootstrap: 300 }), 200, 0.8);
    assert.ok(noMargin <= 0.09, `promoted ${noMargin} without a margin`);
    assert.ok(withMargin <= noMargin, `margin ${withMargin} vs none ${noMargin}`);
  });
});

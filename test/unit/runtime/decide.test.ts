import assert from 'node:assert/strict';
import { blend, decide, DEFAULT_THRESHOLD } from '../../../src/runtime/portable';

describe('runtime: threshold and blend (issue 8, item 6)', () => {
  const sure = { label: 'yes', confidence: 0.9, probabilities: { no: 0.1, yes: 0.9 } };
  const unsure = { label: 'yes', confidence: 0.55, probabilities: { no: 0.45, yes: 0.55 } };

  it('clears a classification at or above the threshold and falls back below it', () => {
    assert.equal(DEFAULT_THRESHOLD, 0.5);
    assert.deepEqual(decide(sure, 0.8), { ...sure, cleared: true, fallback: false, threshold: 0.8 });
    const d = decide(unsure, 0.6);
    assert.equal(d.cleared, false);
    assert.equal(d.fallback, true);
    assert.equal(decide(unsure, 0.55).cleared, true, 'equal to the threshold clears');
    assert.equal(decide(unsure).cleared, true, 'default 0.5');
    assert.equal(decide({ label: 'a', confidence: 0.34, probabilities: { a: 0.34, b: 0.33, c: 0.33 } }, 0).cleared, true, 'threshold 0 clears all');
  });

  it('always clears a regression value, with no confidence', () => {
    assert.deepEqual(decide({ value: 3.5 }, 0.99), { value: 3.5, confidence: null, cleared: true, fallback: false, threshold: 0.99 });
  });

  it('refuses a threshold outside [0, 1] or not a number', () => {
    for (const t of [-0.1, 1.5, Number.NaN, '0.5' as unknown as number]) assert.throws(() => decide(sure, t), /threshold must be a number from 0 to 1/);
  });

  it('weights the model by its confidence against the rule: a sure model decides, an unsure one leans on the rule', () => {
    const b = blend(sure, { no: 1 });
    assert.ok('label' in b);
    assert.equal(b.weight, 0.9);
    assert.equal(b.label, 'yes');
    assert.ok(Math.abs(b.probabilities.yes - 0.81) < 1e-12);
    assert.ok(Math.abs(b.probabilities.no - (0.09 + 0.1)) < 1e-12);
    const u = blend(unsure, { no: 1, yes: 0 });
    assert.ok('label' in u);
    assert.equal(u.label, 'no', `0.55·0.45 + 0.45·1 = ${u.probabilities.no} beats 0.55·0.55 = ${u.probabilities.yes}`);
    assert.ok(Math.abs(u.score - (0.55 * 0.45 + 0.45)) < 1e-12);
  });

  it('takes a fixed weight, keeps a label only the rule knows, and keeps the model label on a tie', () => {
    const b = blend(sure, { maybe: 1 }, { weight: 0.5 });
    assert.ok('label' in b);
    assert.equal(b.label, 'maybe');
    assert.equal(b.probabilities.maybe, 0.5);
    const tie = blend({ label: 'no', confidence: 0.5, probabilities: { no: 0.5, yes: 0.5 } }, {}, { weight: 1 });
    assert.ok('label' in tie);
    assert.equal(tie.label, 'no');
  });

  it('blends a regression value with a given weight and asks for one otherwise', () => {
    const b = blend({ value: 10 }, 20, { weight: 0.25 });
    assert.deepEqual(b, { value: 17.5, weight: 0.25 });
    assert.throws(() => blend({ value: 10 }, 20), /no confidence; pass opts.weight/);
    assert.throws(() => blend({ value: 10 }, { a: 1 }, { weight: 0.5 }), /must be a finite number/);
  });

  it('refuses rule scores and weights that would give NaN', () => {
    assert.throws(() => blend(sure, { no: 2 }), /rule's score for 'no' must be a number from 0 to 1/);
    assert.throws(() => blend(sure, { no: Number.NaN }), /from 0 to 1/);
    assert.throws(() => blend(sure, { no: 1 }, { weight: 1.2 }), /weight must be a number from 0 to 1/);
    assert.throws(() => blend(sure, 0.3), /must be an object of scores per label/);
  });
});

import { strict as assert } from 'node:assert';
import { decodeClass, encodeLabels, fitLabelMap, fitTargetScale } from '../../../src/core/data/labels';
import { UserError } from '../../../src/core/util/errors';

describe('fitLabelMap', () => {
  it('sorts classes ascending as strings, like LabelEncoder on string labels', () => {
    assert.deepEqual(fitLabelMap('multiclass', ['virginica', 'setosa', 'versicolor', 'setosa']).classes, ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual(fitLabelMap('multiclass', [10, 2, 9, '2']).classes, ['10', '2', '9']);
  });

  it('puts the positive class of a binary task at index 1', () => {
    const map = fitLabelMap('binary', ['malignant', 'benign', 'malignant']);
    assert.deepEqual(map, { task: 'binary', classes: ['benign', 'malignant'] });
    assert.deepEqual(fitLabelMap('binary', [1, 0, 1]).classes, ['0', '1']);
  });

  it('has no classes for regression', () => {
    assert.deepEqual(fitLabelMap('regression', [1.5, 2]), { task: 'regression', classes: [] });
  });

  it('suggests multiclass when a binary task sees three classes, and binary when a multiclass task sees two', () => {
    assert.throws(() => fitLabelMap('binary', ['a', 'b', 'c']), (e: unknown) => e instanceof UserError && /task: multiclass/.test(e.message));
    assert.throws(() => fitLabelMap('multiclass', ['a', 'b', 'a']), (e: unknown) => e instanceof UserError && /task: binary/.test(e.message));
  });

  it('rejects a single class and no labels at all', () => {
    assert.throws(() => fitLabelMap('binary', ['a', 'a']), (e: unknown) => e instanceof UserError && /single class/.test(e.message));
    assert.throws(() => fitLabelMap('multiclass', []), UserError);
  });
});

describe('encodeLabels', () => {
  it('encodes classes as their index and regression labels as values', () => {
    const map = fitLabelMap('multiclass', ['b', 'a', 'c']);
    assert.deepEqual(Array.from(encodeLabels(map, ['c', 'a', 'b', 'a'])), [2, 0, 1, 0]);
    assert.deepEqual(Array.from(encodeLabels(fitLabelMap('binary', [0, 1]), [1, '0'])), [1, 0]);
    assert.deepEqual(Array.from(encodeLabels(fitLabelMap('regression', []), [1.5, '-2'])), [1.5, -2]);
  });

  it('names a class the map has not seen', () => {
    const map = fitLabelMap('binary', ['yes', 'no']);
    assert.throws(() => encodeLabels(map, ['yes', 'maybe']), (e: unknown) => e instanceof UserError && /'maybe'/.test(e.message));
  });

  it('decodes an index back to its class', () => {
    const map = fitLabelMap('multiclass', ['b', 'a', 'c']);
    assert.equal(decodeClass(map, 2), 'c');
    assert.throws(() => decodeClass(map, 3), RangeError);
  });
});

describe('a continuous numeric label with a classification task (issue 12, item 17)', () => {
  it('suggests task: regression instead of "class 4.3 has only 1 example"', () => {
    const lengths = Array.from({ length: 40 }, (_, i) => (4 + i * 0.1).toFixed(1));
    assert.throws(
      () => fitLabelMap('multiclass', lengths),
      (e: unknown) =>
        e instanceof UserError &&
        e.message === "task is 'multiclass' but the label looks like a continuous number: 40 distinct values (such as 4.0, 4.1, 4.2), 40 of them seen only once; set task: regression in mlloop.yaml to predict the number (multiclass needs a few classes with several examples each).",
    );
    assert.throws(() => fitLabelMap('binary', lengths), /task is 'binary' but the label looks like a continuous number.*set task: regression/);
  });

  it('keeps numeric class codes that train as classes: a few whole numbers, or decimals with several examples each', () => {
    assert.deepEqual(fitLabelMap('multiclass', [1, 2, 3, 1]).classes, ['1', '2', '3']);
    assert.deepEqual(fitLabelMap('multiclass', ['0.5', '1.5', '2.5', '0.5', '1.5', '2.5']).classes, ['0.5', '1.5', '2.5']);
  });
});

describe('regression labels beyond the 32-bit float range (issue 12, item 5)', () => {
  it('refuses a label of 1e308 with its value instead of "row 1 is -Infinity"', () => {
    assert.throws(() => encodeLabels({ task: 'regression', classes: [] }, [1, 1e308]), (e: unknown) => e instanceof UserError && /^Label 1e\+308 is too large: models compute in 32-bit floats/.test(e.message));
  });

  it('computes a finite centre and scale for any finite labels', () => {
    const t = fitTargetScale([1e200, 2e200, 3e200]);
    assert.ok(Number.isFinite(t.center) && Number.isFinite(t.scale), JSON.stringify(t));
    assert.ok(Math.abs(t.center / 2e200 - 1) < 1e-12);
    assert.ok(Math.abs(t.scale / (Math.sqrt(2 / 3) * 1e200) - 1) < 1e-12);
    assert.deepEqual(fitTargetScale([1, 2, 3, 4]), { center: 2.5, scale: Math.sqrt(1.25) });
  });
});

import { strict as assert } from 'node:assert';
import { decodeClass, encodeLabels, fitLabelMap } from '../../../src/core/data/labels';
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

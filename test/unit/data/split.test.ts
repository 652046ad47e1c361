import { strict as assert } from 'node:assert';
import { kFoldIndices, splitIndices } from '../../../src/core/data/split';
import { UserError } from '../../../src/core/util/errors';

function labelsOf(counts: Record<string, number>): string[] {
  return Object.entries(counts).flatMap(([name, n]) => Array.from({ length: n }, () => name));
}

function countBy(labels: string[], idx: Int32Array): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const i of idx) counts[labels[i]] = (counts[labels[i]] ?? 0) + 1;
  return counts;
}

function assertPartition(n: number, parts: Int32Array[]): void {
  const seen = new Uint8Array(n);
  for (const part of parts) {
    for (let j = 0; j < part.length; j++) {
      if (j > 0) assert.ok(part[j] > part[j - 1], 'indices sorted ascending within a part');
      assert.equal(seen[part[j]], 0, `index ${part[j]} appears twice`);
      seen[part[j]] = 1;
    }
  }
  assert.ok(seen.every((s) => s === 1), 'every index is in some part');
}

const options = { testFraction: 0.2, validationFraction: 0.15, seed: 42, stratify: true };

describe('splitIndices', () => {
  it('splits every class in proportion and covers each row exactly once', () => {
    const labels = labelsOf({ setosa: 50, versicolor: 50, virginica: 50 });
    const split = splitIndices(labels, options);
    assertPartition(150, [split.train, split.validation, split.test]);
    assert.equal(split.test.length, 30);
    assert.equal(split.validation.length, 23);
    assert.deepEqual(countBy(labels, split.test), { setosa: 10, versicolor: 10, virginica: 10 });
    for (const count of Object.values(countBy(labels, split.validation))) assert.ok(count === 7 || count === 8);
  });

  it('keeps a rare class represented in train, test and validation', () => {
    const labels = labelsOf({ common: 90, rare: 3, pair: 2 });
    const split = splitIndices(labels, options);
    assertPartition(95, [split.train, split.validation, split.test]);
    assert.equal(countBy(labels, split.train).rare, 1);
    assert.equal(countBy(labels, split.test).rare, 1);
    assert.equal(countBy(labels, split.validation).rare, 1);
    assert.equal(countBy(labels, split.train).pair, 1);
    assert.equal(countBy(labels, split.test).pair, 1);
  });

  it('keeps the class balance of an unbalanced label in the test part', () => {
    const labels = labelsOf({ no: 90, yes: 10 });
    const split = splitIndices(labels, { ...options, validationFraction: 0 });
    assert.deepEqual(countBy(labels, split.test), { no: 18, yes: 2 });
    assert.equal(split.validation.length, 0);
  });

  it('gives the same split for the same seed and a different one for another seed', () => {
    const labels = labelsOf({ a: 40, b: 30, c: 30 });
    const first = splitIndices(labels, options);
    const again = splitIndices(labels, options);
    const other = splitIndices(labels, { ...options, seed: 43 });
    assert.deepEqual(first, again);
    assert.notDeepEqual(Array.from(first.test), Array.from(other.test));
  });

  it('splits without stratifying into parts of ceil(n·fraction) rows', () => {
    const values = Array.from({ length: 101 }, (_, i) => i * 0.5);
    const split = splitIndices(values, { ...options, stratify: false });
    assertPartition(101, [split.train, split.validation, split.test]);
    assert.deepEqual([split.train.length, split.validation.length, split.test.length], [64, 16, 21]);
  });

  it('says what is needed when there are too few rows or a class has a single row', () => {
    assert.throws(() => splitIndices(labelsOf({ a: 5, b: 4 }), options), (e: unknown) => e instanceof UserError && /at least 10/.test(e.message));
    assert.throws(
      () => splitIndices(labelsOf({ a: 20, b: 20, lonely: 1 }), options),
      (e: unknown) => e instanceof UserError && /'lonely'.*only 1 example/.test(e.message),
    );
    assert.throws(() => splitIndices(labelsOf({ a: 20, b: 20 }), { ...options, testFraction: 0.6, validationFraction: 0.4 }), UserError);
  });
});

describe('kFoldIndices', () => {
  it('stratifies: every class spread over folds as evenly as possible, test folds partition the rows', () => {
    const labels = labelsOf({ a: 23, b: 11, c: 7 });
    const folds = kFoldIndices(labels, 5, 0, true);
    assert.equal(folds.length, 5);
    assertPartition(41, folds.map((f) => f.test));
    const sizes = folds.map((f) => f.test.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `fold sizes ${sizes}`);
    for (const name of ['a', 'b', 'c']) {
      const perFold = folds.map((f) => countBy(labels, f.test)[name] ?? 0);
      assert.ok(Math.max(...perFold) - Math.min(...perFold) <= 1, `class ${name} per fold ${perFold}`);
    }
    for (const fold of folds) {
      assertPartition(41, [fold.train, fold.test]);
    }
  });

  it('is deterministic for a seed and shuffles differently for another', () => {
    const labels = labelsOf({ a: 30, b: 30 });
    assert.deepEqual(kFoldIndices(labels, 3, 7, true), kFoldIndices(labels, 3, 7, true));
    assert.notDeepEqual(Array.from(kFoldIndices(labels, 3, 7, true)[0].test), Array.from(kFoldIndices(labels, 3, 8, true)[0].test));
  });

  it('without stratifying gives the first n mod k folds one extra row', () => {
    const folds = kFoldIndices(Array.from({ length: 17 }, (_, i) => i), 5, 1, false);
    assert.deepEqual(folds.map((f) => f.test.length), [4, 4, 3, 3, 3]);
    assertPartition(17, folds.map((f) => f.test));
  });

  it('rejects k < 2, more folds than rows, and a single-row class when stratifying', () => {
    assert.throws(() => kFoldIndices(['a', 'b'], 1, 0, false), UserError);
    assert.throws(() => kFoldIndices(['a', 'b', 'a'], 5, 0, false), (e: unknown) => e instanceof UserError && /at least 5/.test(e.message));
    assert.throws(() => kFoldIndices(labelsOf({ a: 10, b: 1 }), 3, 0, true), (e: unknown) => e instanceof UserError && /'b'/.test(e.message));
  });
});

import assert from 'node:assert/strict';
import { CountTable } from '../../../src/core/util/countTable';
import { createRng } from '../../../src/core/util/random';

describe('CountTable (counts per integer key in typed arrays)', () => {
  it('returns the count before each increment, exactly as a Map would, across growth', () => {
    const rng = createRng(5);
    const table = new CountTable(4);
    const reference = new Map<number, number>();
    for (let i = 0; i < 50000; i++) {
      // Many repeats, keys up to 2^52, including 0.
      const key = i % 10 === 0 ? 0 : Math.floor(rng() * (i % 3 === 0 ? 500 : 2 ** 52));
      const before = reference.get(key) ?? 0;
      reference.set(key, before + 1);
      assert.equal(table.increment(key), before, `key ${key}`);
    }
    assert.equal(table.size, reference.size);
  });

  it('refuses keys it cannot store exactly', () => {
    const t = new CountTable();
    assert.throws(() => t.increment(-1), RangeError);
    assert.throws(() => t.increment(2 ** 53), RangeError);
    assert.throws(() => t.increment(1.5), RangeError);
  });
});

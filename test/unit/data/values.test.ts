import { strict as assert } from 'node:assert';
import { isMissing, parseBoolean, parseNumber, scalarText } from '../../../src/core/data/values';

describe('cell values', () => {
  it('counts undefined, null and blank strings as missing, but not 0, false or "NaN"', () => {
    for (const v of [undefined, null, '', '   ']) assert.equal(isMissing(v), true, String(v));
    for (const v of [0, false, 'NaN', 'x']) assert.equal(isMissing(v), false, String(v));
  });

  it('reads plain decimal numbers only', () => {
    assert.deepEqual(['3', ' -0.5 ', '.5', '1e-3', '+2', '7.'].map(parseNumber), [3, -0.5, 0.5, 0.001, 2, 7]);
    for (const v of ['', '0x10', 'Infinity', 'NaN', '1,5', '1e', true, null, Number.NaN, Infinity]) {
      assert.equal(parseNumber(v), undefined, String(v));
    }
  });

  it('reads booleans from JSON, 1/0 and the usual words in any case', () => {
    assert.deepEqual([true, 1, 'YES', ' t ', 'y', '1'].map(parseBoolean), [true, true, true, true, true, true]);
    assert.deepEqual([false, 0, 'No', 'F', 'n', '0'].map(parseBoolean), [false, false, false, false, false, false]);
    for (const v of [2, 'maybe', '', null]) assert.equal(parseBoolean(v), undefined, String(v));
  });

  it('gives categories as trimmed text', () => {
    assert.deepEqual([' red ', 1, true, '', { a: 1 }].map(scalarText), ['red', '1', 'true', undefined, undefined]);
  });
});

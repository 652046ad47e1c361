/**
 * Which held-out rows are in a gate slice (src/core/registry/gateSlices.ts): values are read as
 * the feature pipeline reads them, so a slice written in mlloop.yaml matches CSV text and JSON
 * values alike.
 */
import * as assert from 'node:assert/strict';
import { sliceRows } from '../../../src/core/registry/gateSlices';

const records = [
  { device: 'phone', age: '17', member: 'yes' },
  { device: ' phone ', age: 18, member: true },
  { device: 'desktop', age: '64.5', member: 'no' },
  { device: 'tablet', age: 65, member: 0 },
  { device: '', age: '', member: null },
  { age: 'unknown' },
];

describe('gate slices', () => {
  it('equals compares text trimmed, numbers as numbers ("18" is 18) and booleans by their spellings', () => {
    const [phone, eighteen, members] = sliceRows(
      [
        { name: 'phone', feature: 'device', equals: 'phone' },
        { name: 'eighteen', feature: 'age', equals: 18 },
        { name: 'members', feature: 'member', equals: true },
      ],
      records,
    );
    assert.deepEqual(Array.from(phone.rows), [0, 1]);
    assert.deepEqual(Array.from(eighteen.rows), [1]);
    assert.deepEqual(Array.from(members.rows), [0, 1]);
  });

  it('in matches any of its values', () => {
    const [r] = sliceRows([{ name: 'mobile', feature: 'device', in: ['phone', 'tablet'] }], records);
    assert.deepEqual(Array.from(r.rows), [0, 1, 3]);
  });

  it('a range is min ≤ value < max, either end optional; non-numbers are in no range', () => {
    const [adults, minors, working] = sliceRows(
      [
        { name: 'adults', feature: 'age', min: 18 },
        { name: 'minors', feature: 'age', max: 18 },
        { name: 'working', feature: 'age', min: 18, max: 65 },
      ],
      records,
    );
    assert.deepEqual(Array.from(adults.rows), [1, 2, 3]);
    assert.deepEqual(Array.from(minors.rows), [0]);
    assert.deepEqual(Array.from(working.rows), [1, 2]);
  });

  it('puts missing values in no slice, and gives an empty slice for a column no row has', () => {
    const [notMember, none] = sliceRows(
      [
        { name: 'not member', feature: 'member', equals: false },
        { name: 'none', feature: 'colour', equals: 'red' },
      ],
      records,
    );
    assert.deepEqual(Array.from(notMember.rows), [2, 3]);
    assert.equal(none.rows.length, 0);
  });
});

import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from '../../../src/core/util/duration';

describe('durations', () => {
  it('reads the duration settings of mlloop.yaml in milliseconds', () => {
    assert.equal(parseDuration('7d'), 7 * 86_400_000);
    assert.equal(parseDuration('36h'), 36 * 3_600_000);
    assert.equal(parseDuration('90 min'), 90 * 60_000);
    assert.equal(parseDuration('30m'), 30 * 60_000);
    assert.equal(parseDuration(' 45s '), 45_000);
    assert.equal(parseDuration('2w'), 14 * 86_400_000);
    assert.equal(parseDuration('1.5d'), 1.5 * 86_400_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('0d'), 0);
  });

  it('refuses what is not a number with a unit', () => {
    for (const bad of ['7', 'd', '7 days', '-1d', '1e3d', '7D', '', '1.d', 'forever']) assert.equal(parseDuration(bad), undefined, bad);
  });

  it('formats durations for people', () => {
    assert.equal(formatDuration(850), '850 ms');
    assert.equal(formatDuration(125_000), '2 min 05 s');
    assert.equal(formatDuration(-1), '—');
  });
});

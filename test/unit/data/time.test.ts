import assert from 'node:assert/strict';
import { parseEventTime } from '../../../src/core/data/time';

describe('event times', () => {
  it('refuses calendar dates that do not exist instead of rolling them over (2026-02-30 is not March 2nd)', () => {
    for (const bad of ['2026-02-29', '2026-02-30T00:00:00Z', '2026-04-31', '2026-00-10', '2026-13-01 08:00']) {
      const r = parseEventTime(bad, 'auto');
      assert.equal(r.ok, false, bad);
      assert.match((r as { reason: string }).reason, /is not a valid point in time/);
    }
    assert.deepEqual(parseEventTime('2024-02-29T23:59:59+02:00', 'auto'), { ok: true, iso: '2024-02-29T21:59:59.000Z' });
    assert.deepEqual(parseEventTime('2026-12-31 08:00', 'auto'), { ok: true, iso: '2026-12-31T08:00:00.000Z' });
    assert.deepEqual(parseEventTime('2026-01-31', 'auto'), { ok: true, iso: '2026-01-31T00:00:00.000Z' });
  });
});

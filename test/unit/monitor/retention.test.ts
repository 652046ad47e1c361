/** monitoring.retention read as the schema allows it (src/core/monitor/retention.ts). */
import * as assert from 'node:assert/strict';
import { retentionMs } from '../../../src/core/monitor/retention';
import { parseProject } from '../../../src/core/project/parse';

describe('monitoring.retention', () => {
  it("reads a duration in any of the schema's units, and 'forever' as no limit", () => {
    assert.equal(retentionMs('7d'), 7 * 86_400_000);
    assert.equal(retentionMs(' 36h '), 36 * 3_600_000);
    assert.equal(retentionMs('90m'), 90 * 60_000);
    assert.equal(retentionMs('forever'), null);
  });

  it('defaults to 7 days of predictions and 30 days of monitoring history; each is configurable; a bad value is a problem at its line', () => {
    const base = 'version: 1\ntask: binary\nlabel: y\nfeatures:\n  - {name: a, type: numeric}\n';
    const d = parseProject(base);
    assert.ok(d.ok);
    assert.deepEqual(d.config.monitoring.retention, { predictions: '7d', history: '30d' });
    const set = parseProject(base + 'monitoring:\n  retention: {history: forever}\n');
    assert.ok(set.ok, JSON.stringify(!set.ok && set.problems));
    assert.deepEqual(set.config.monitoring.retention, { predictions: '7d', history: 'forever' });
    const bad = parseProject(base + 'monitoring:\n  retention:\n    history: a month\n');
    assert.equal(bad.ok, false);
    assert.equal(bad.problems[0].line, 8, JSON.stringify(bad.problems));
  });
});

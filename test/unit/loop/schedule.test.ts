import assert from 'node:assert/strict';
import { fakeClock } from '../../../src/core/context/clock';
import { dueCycle } from '../../../src/core/loop/watch';
import { DEFAULT_SCHEDULE } from '../../../src/core/project/parse';
import { CHAMPION, championAt, previousChampion } from '../../../src/core/registry/registry';
import type { CycleRecord, RegistryEvent } from '../../../src/core/store/types';
import { cronProblem, nextCronRun, parseDuration } from '../../../src/core/util/schedule';

function cycle(startedAt: string, trigger = 'schedule'): CycleRecord {
  return { id: 1, trigger, status: 'completed', decision: 'promoted', startedAt, finishedAt: startedAt, champion: 'v1', challenger: 'v1', runId: 1, reasons: [], gate: null, report: null, error: null, host: null, pid: null, heartbeatAt: null };
}

describe('schedules on a fake clock (core/loop/watch dueCycle, util/schedule)', () => {
  const weekly = { ...DEFAULT_SCHEDULE }; // Sundays 02:00 UTC, fine-tune every 100 labels

  it('the default schedule is a valid cron expression (parseProject skips checking it)', () => {
    assert.equal(cronProblem(DEFAULT_SCHEDULE.cron, DEFAULT_SCHEDULE.timezone), undefined);
  });

  it('fires the weekly full retrain once its time has come, not before, and not again until the next week', () => {
    const clock = fakeClock('2026-11-28T12:00:00Z'); // a Saturday
    const since = clock.now();
    assert.equal(dueCycle({ now: clock.now(), since, schedule: weekly, lastFull: undefined, newLabels: 0 }), null);
    clock.set('2026-11-29T01:59:59Z');
    assert.equal(dueCycle({ now: clock.now(), since, schedule: weekly, lastFull: undefined, newLabels: 0 }), null);
    clock.set('2026-11-29T02:00:00Z');
    const due = dueCycle({ now: clock.now(), since, schedule: weekly, lastFull: undefined, newLabels: 0 });
    assert.equal(due?.kind, 'full');
    assert.match(due!.reason, /was due at 2026-11-29T02:00:00.000Z/);
    // Ran at 02:00:05: nothing due until next Sunday.
    const last = cycle('2026-11-29T02:00:05Z');
    clock.set('2026-12-05T23:00:00Z');
    assert.equal(dueCycle({ now: clock.now(), since, schedule: weekly, lastFull: last, newLabels: 0 }), null);
    clock.set('2026-12-06T02:00:00Z');
    assert.equal(dueCycle({ now: clock.now(), since, schedule: weekly, lastFull: last, newLabels: 0 })?.kind, 'full');
  });

  it('does not catch up on cron times missed before watching began', () => {
    const since = new Date('2026-12-01T10:00:00Z'); // Tuesday; last Sunday's run was missed
    assert.equal(dueCycle({ now: since, since, schedule: weekly, lastFull: undefined, newLabels: 0 }), null);
  });

  it('starts a fine-tune at `incremental.every` new labels, not one label before; a due full retrain wins', () => {
    const now = new Date('2026-12-01T10:00:00Z');
    const since = new Date('2026-12-01T09:00:00Z');
    assert.equal(dueCycle({ now, since, schedule: weekly, lastFull: undefined, newLabels: 99 }), null);
    assert.equal(dueCycle({ now, since, schedule: weekly, lastFull: undefined, newLabels: 100 })?.kind, 'incremental');
    assert.equal(dueCycle({ now, since, schedule: { ...weekly, incremental: { ...weekly.incremental, every: 0 } }, lastFull: undefined, newLabels: 1e6 }), null, 'every: 0 turns it off');
    assert.equal(dueCycle({ now: new Date('2026-12-06T03:00:00Z'), since, schedule: weekly, lastFull: undefined, newLabels: 500 })?.kind, 'full');
  });

  it('honours the time zone and "off"', () => {
    assert.equal(nextCronRun('0 2 * * *', 'Europe/Berlin', new Date('2026-12-01T00:00:00Z'))?.toISOString(), '2026-12-01T01:00:00.000Z');
    assert.equal(nextCronRun('off', 'UTC', new Date()), null);
    assert.equal(dueCycle({ now: new Date('2030-01-01T00:00:00Z'), since: new Date('2026-01-01T00:00:00Z'), schedule: { ...weekly, cron: 'off' }, lastFull: undefined, newLabels: 0 }), null);
  });

  it('explains a bad cron expression and parses durations', () => {
    assert.match(cronProblem('every sunday') ?? '', /is not a cron expression/);
    assert.equal(cronProblem('0 2 * * 0'), undefined);
    assert.equal(parseDuration('90d'), 90 * 86_400_000);
    assert.equal(parseDuration('36h'), 36 * 3_600_000);
    assert.equal(parseDuration('1.5w'), 1.5 * 604_800_000);
    assert.throws(() => parseDuration('90 days'), /not a duration/);
  });
});

describe('registry history (core/registry/registry)', () => {
  let id = 0;
  const ev = (version: string, action: RegistryEvent['action'], at: string, previous: string | null = null): RegistryEvent => ({ id: ++id, version, action, at, by: 'test', reasons: ['r'], gate: null, previous, cycle: null });
  const history = [
    ev('v1', 'promoted', '2026-11-01T00:00:00Z'),
    ev('v2', 'rejected', '2026-11-02T00:00:00Z', 'v1'),
    ev('v3', 'promoted', '2026-11-03T00:00:00Z', 'v1'),
    ev('v4', 'forced', '2026-11-04T00:00:00Z', 'v3'),
    ev('v5', 'imported', '2026-11-05T00:00:00Z', 'v4'),
  ];

  it('rolls back one step at a time: v4 → v3 → v1, then nothing', () => {
    assert.equal(previousChampion(history, 'v4'), 'v3');
    const once = [...history, ev('v3', 'rolled_back', '2026-11-06T00:00:00Z', 'v4')];
    assert.equal(previousChampion(once, 'v3'), 'v1');
    const twice = [...once, ev('v1', 'rolled_back', '2026-11-07T00:00:00Z', 'v3')];
    assert.equal(previousChampion(twice, 'v1'), undefined);
    assert.equal(previousChampion(history, 'v2'), undefined, 'a version that is not the current champion has no "previous"');
  });

  it('tells which model served at any instant (rejections and imports change nothing)', () => {
    assert.equal(championAt(history, '2026-10-31T00:00:00Z'), null);
    assert.equal(championAt(history, '2026-11-02T12:00:00Z'), 'v1');
    assert.equal(championAt(history, '2026-11-03T00:00:00Z'), 'v3');
    assert.equal(championAt(history, '2026-11-10T00:00:00Z'), 'v4');
    assert.equal(CHAMPION, 'champion');
  });
});

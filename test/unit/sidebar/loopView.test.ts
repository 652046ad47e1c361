/**
 * What the views say about the loop (src/extension/loop/loopView.ts and the dashboard's loop
 * card and model card in summary.ts): each version's role in the registry, the champion and
 * the event that made it, the rollback target, cycles in words, the schedule's next full
 * retrain. Pure functions over real RegistryEvent / CycleRecord values and a parsed config.
 */
import assert from 'node:assert/strict';
import { parseProject } from '../../../src/core/project/parse';
import type { ProjectConfig } from '../../../src/core/project/types';
import { dueCycle, nextFullCycleAt } from '../../../src/core/loop/schedule';
import type { CycleRecord, ModelRecord, RegistryAction, RegistryEvent } from '../../../src/core/store/types';
import { championInfo, cycleOutcome, cycleOutcomeText, eventTitle, historyNewestFirst, rollbackTarget, scheduleView, versionStatus } from '../../../src/extension/loop/loopView';
import type { ProjectSnapshot } from '../../../src/extension/state/projectState';
import { cycleView, loopView, modelView } from '../../../src/extension/sidebar/summary';
import type { RegistrySummary } from '../../../src/worker/storeProtocol';

function config(schedule = ''): ProjectConfig {
  const r = parseProject(`version: 1\ntask: binary\nlabel: y\nfeatures:\n  - { name: x, type: numeric }\n${schedule}`, 'demo');
  if (!r.ok) throw new Error(`fixture config does not parse: ${JSON.stringify(r.problems)}`);
  return r.config;
}

let nextId = 1;
function event(version: string, action: RegistryAction, at: string, previous: string | null, extra: Partial<RegistryEvent> = {}): RegistryEvent {
  return { id: nextId++, version, action, at, by: 'command (ana)', reasons: [`${action} ${version}`], gate: null, previous, cycle: null, ...extra };
}

function cycle(id: number, patch: Partial<CycleRecord> = {}): CycleRecord {
  return {
    id,
    trigger: 'schedule',
    status: 'completed',
    decision: 'promoted',
    startedAt: `2026-11-0${id}T02:00:00.000Z`,
    finishedAt: `2026-11-0${id}T02:01:00.000Z`,
    champion: `v${id}`,
    challenger: `v${id}`,
    runId: id,
    reasons: [`reason of cycle ${id}`],
    gate: null,
    report: `/p/.mlloop/reports/cycle-${id}.html`,
    error: null,
    host: null,
    pid: null,
    heartbeatAt: null,
    ...patch,
  };
}

function model(version: string): ModelRecord {
  return { version, runId: Number(version.slice(1)), createdAt: '2026-11-01T00:00:00.000Z', task: 'binary', metrics: { accuracy: 0.9 }, path: `.mlloop/models/${version}`, digest: null };
}

/** v1 promoted, v2 rejected, v3 forced over v1, then rolled back to v1; v4 never gated. */
function storyRegistry(): RegistrySummary {
  const history = [
    event('v1', 'promoted', '2026-11-01T00:00:00.000Z', null),
    event('v2', 'rejected', '2026-11-02T00:00:00.000Z', 'v1', { reasons: ['Accuracy is 0.9000 for both models: no improvement (at least 5% needed).', 'second'] }),
    event('v3', 'forced', '2026-11-03T00:00:00.000Z', 'v1'),
    event('v1', 'rolled_back', '2026-11-04T00:00:00.000Z', 'v3', { by: 'extension (ana)', reasons: ['rolled back from v3 to v1'] }),
  ];
  return { champion: { version: 'v1', since: '2026-11-04T00:00:00.000Z' }, current: { version: 'v1', why: 'champion' }, history };
}

describe('loop views', () => {
  describe('the registry as the Models view shows it', () => {
    it('gives each version its role: champion, archived former champion, rejected, never gated', () => {
      const reg = storyRegistry();
      assert.equal(versionStatus('v1', reg, 'v1').role, 'champion');
      const v3 = versionStatus('v3', reg, 'v1');
      assert.equal(v3.role, 'former');
      assert.equal(v3.until, '2026-11-04T00:00:00.000Z', 'v3 stopped being champion when v1 came back');
      assert.equal(versionStatus('v2', reg, 'v1').role, 'rejected');
      assert.equal(versionStatus('v4', reg, 'v1').role, 'candidate');
    });

    it('marks the newest as serving only while nothing was promoted', () => {
      const none: RegistrySummary = { champion: null, current: { version: 'v2', why: 'newest' }, history: [event('v2', 'rejected', '2026-11-02T00:00:00.000Z', null)] };
      assert.equal(versionStatus('v2', none, 'v2').role, 'newest');
      assert.equal(versionStatus('v1', none, 'v2').role, 'candidate');
      assert.equal(versionStatus('v2', storyRegistry(), 'v1').role, 'rejected', 'with a champion, the newest is not "current"');
    });

    it('names the event that made the champion (the rollback, not the first promotion) and when', () => {
      const info = championInfo(storyRegistry());
      assert.equal(info?.version, 'v1');
      assert.equal(info?.event?.action, 'rolled_back');
      assert.equal(info?.since, '2026-11-04T00:00:00.000Z');
      assert.equal(championInfo({ champion: null, current: null, history: [] }), null);
    });

    it('rolls back to the champion before the current one, as core replays the history', () => {
      const reg = storyRegistry();
      // v1 is champion again after v1 → v3 → back to v1: nothing before v1.
      assert.equal(rollbackTarget(reg), undefined);
      const promotedTwice: RegistrySummary = {
        champion: { version: 'v3', since: '2026-11-03T00:00:00.000Z' },
        current: { version: 'v3', why: 'champion' },
        history: [event('v1', 'promoted', '2026-11-01T00:00:00.000Z', null), event('v3', 'promoted', '2026-11-03T00:00:00.000Z', 'v1')],
      };
      assert.equal(rollbackTarget(promotedTwice), 'v1');
      assert.equal(rollbackTarget({ champion: null, current: null, history: [] }), undefined);
    });

    it('writes history entries newest first, saying where a rollback came from and what a forced one overrode', () => {
      const titles = historyNewestFirst(storyRegistry()).map(eventTitle);
      assert.deepEqual(titles, ['v1 rolled back (from v3)', 'v3 forced (over v1)', 'v2 rejected', 'v1 promoted']);
    });
  });

  describe('cycles in words', () => {
    it('says the decision of a completed cycle and the status of any other', () => {
      assert.equal(cycleOutcomeText(cycle(1)), 'promoted v1');
      assert.equal(cycleOutcomeText(cycle(2, { decision: 'rejected', champion: 'v1', challenger: 'v2' })), 'rejected v2 (v1 stays)');
      assert.equal(cycleOutcomeText(cycle(3, { decision: 'skipped', challenger: null })), 'skipped');
      assert.equal(cycleOutcome(cycle(4, { status: 'failed', decision: null })), 'failed');
      assert.equal(cycleOutcome(cycle(5, { status: 'running', decision: null, finishedAt: null })), 'running');
    });

    it('shows a failed cycle with its error as the reason when it recorded none', () => {
      const v = cycleView(cycle(6, { status: 'failed', decision: null, reasons: [], error: 'Out of memory\nstack', report: null }));
      assert.deepEqual(v.reasons, ['Out of memory']);
      assert.equal(v.hasReport, false);
      assert.equal(v.outcome, 'failed');
    });
  });

  describe('the schedule', () => {
    const weekly = config(); // default: 0 2 * * 0 (Sundays 02:00 UTC), a fine-tune every 100 labels
    const thursday = new Date('2026-12-03T12:00:00.000Z');

    it('comes after the last full cycle, or after the watcher started, and is due once that time has passed', () => {
      const lastFull = cycle(1, { startedAt: '2026-11-29T02:00:00.000Z' });
      assert.equal(nextFullCycleAt(weekly.schedule, lastFull, thursday)?.toISOString(), '2026-12-06T02:00:00.000Z');
      assert.equal(nextFullCycleAt(weekly.schedule, undefined, thursday)?.toISOString(), '2026-12-06T02:00:00.000Z');
      const view = scheduleView(weekly, { lastFull, newLabels: 37 }, thursday, thursday);
      assert.deepEqual(view, { cron: '0 2 * * 0', timezone: 'UTC', nextAt: '2026-12-06T02:00:00.000Z', due: false, every: 100, labelsSince: 37 });
      // The last full cycle was two weeks ago: the next cron time after it has passed, so it is due (once).
      const old = cycle(1, { startedAt: '2026-11-15T02:00:00.000Z' });
      assert.equal(scheduleView(weekly, { lastFull: old, newLabels: 0 }, thursday, thursday).due, true);
      assert.equal(dueCycle({ now: thursday, since: thursday, schedule: weekly.schedule, lastFull: old, newLabels: 0 })?.kind, 'full');
    });

    it('is off with schedule.cron: off, and a fine-tune is due at incremental.every labels', () => {
      const off = config('schedule:\n  cron: "off"\n  incremental:\n    every: 50\n');
      const view = scheduleView(off, { lastFull: undefined, newLabels: 49 }, thursday, thursday);
      assert.equal(view.nextAt, null);
      assert.equal(view.due, false);
      assert.equal(view.every, 50);
      assert.equal(dueCycle({ now: thursday, since: thursday, schedule: off.schedule, lastFull: undefined, newLabels: 49 }), null);
      assert.equal(dueCycle({ now: thursday, since: thursday, schedule: off.schedule, lastFull: undefined, newLabels: 50 })?.kind, 'incremental');
    });
  });

  describe('the dashboard', () => {
    function snapshotWith(registry: RegistrySummary, cycles: CycleRecord[], models: ModelRecord[]): ProjectSnapshot {
      const current = registry.current ? models.find((m) => m.version === registry.current!.version) : undefined;
      return {
        root: '/p',
        name: 'demo',
        config: config(),
        configProblems: 0,
        examples: 200,
        examplesSinceLastRun: 0,
        runs: [],
        models,
        current,
        currentWhy: registry.current?.why,
        registry,
        cycles,
        loop: { lastCycle: cycles.find((c) => c.status === 'completed'), lastFull: cycles.find((c) => c.status === 'completed'), newLabels: 12 },
      };
    }

    it('shows the champion with since when, how and by whom, and the newest only as "not promoted"', () => {
      const s = snapshotWith(storyRegistry(), [], ['v4', 'v3', 'v2', 'v1'].map(model));
      const champion = modelView(s.current!, s);
      assert.equal(champion.role, 'champion');
      assert.deepEqual(champion.championSince, { at: '2026-11-04T00:00:00.000Z', action: 'rolled back', by: 'extension (ana)', reason: 'rolled back from v3 to v1' });
      assert.match(champion.currentBecause, /^the champion, rolled back by extension \(ana\)/);

      const fresh = snapshotWith({ champion: null, current: { version: 'v2', why: 'newest' }, history: [] }, [], ['v2', 'v1'].map(model));
      const newest = modelView(fresh.current!, fresh);
      assert.equal(newest.role, 'newest');
      assert.equal(newest.championSince, null);
      assert.match(newest.currentBecause, /nothing has been promoted yet/);
    });

    it('shows the last finished cycle with its reasons, a running one beside it, and the watcher', () => {
      const cycles = [cycle(3, { status: 'running', decision: null, finishedAt: null, report: null, reasons: [] }), cycle(2, { decision: 'rejected', champion: 'v1', challenger: 'v2' }), cycle(1)];
      const s = snapshotWith(storyRegistry(), cycles, ['v3', 'v2', 'v1'].map(model));
      const now = new Date('2026-11-03T12:00:00.000Z');
      const v = loopView(s, { running: true, root: '/p', startedAt: now.getTime(), text: 'Runs in this window' }, false, now);
      assert.equal(v.lastCycle?.id, 2);
      assert.equal(v.lastCycle?.text, 'rejected v2 (v1 stays)');
      assert.deepEqual(v.lastCycle?.reasons, ['reason of cycle 2']);
      assert.equal(v.lastCycle?.hasReport, true);
      assert.equal(v.running?.id, 3);
      assert.equal(v.cycles, 3);
      assert.deepEqual(v.watcher, { running: true, text: 'Runs in this window' });
      assert.equal(v.schedule?.labelsSince, 12);
      // The last full cycle ran 2026-11-02 02:00 (a Monday): the next Sunday 02:00 comes after it.
      assert.equal(v.schedule?.nextAt, '2026-11-08T02:00:00.000Z');
      assert.equal(v.canIngest, false);
    });

    it('has no schedule while mlloop.yaml does not parse, and no cycles before the first', () => {
      const s = { ...snapshotWith({ champion: null, current: null, history: [] }, [], []), config: undefined, configProblems: 1 };
      const v = loopView(s, { running: false, text: 'Off while mlloop.yaml has problems.' }, true);
      assert.equal(v.schedule, null);
      assert.equal(v.lastCycle, null);
      assert.equal(v.running, null);
      assert.equal(v.watcher.running, false);
    });
  });
});

/**
 * When alerts fire (src/core/monitor/alerts.ts planAlerts), on a fake clock: once per onset,
 * again only after the condition cleared and came back, not within the cooldown (but when it
 * ends, if the condition still holds), at once on escalation, never for a condition the run
 * could not evaluate; and the rules that feed it (src/core/monitor/rules.ts).
 */
import * as assert from 'node:assert/strict';
import { fakeClock } from '../../../src/core/context/clock';
import { planAlerts, type AlertCheck } from '../../../src/core/monitor/alerts';
import { judgeHealth, type LoopFacts } from '../../../src/core/monitor/health';
import { loopChecks } from '../../../src/core/monitor/rules';
import { DEFAULT_MONITORING } from '../../../src/core/project/parse';
import type { AlertCondition, CycleRecord } from '../../../src/core/store/types';

const MINUTE = 60_000;
const COOLDOWN = 60 * MINUTE;

function check(holds: boolean, severity: AlertCheck['severity'] = 'warning', key = 'feature_drift:age'): AlertCheck {
  return { rule: key.split(':')[0], key, holds, severity, title: `t ${key}`, detail: 'd', metric: 'psi:age', value: 0.3, threshold: 0.1 };
}

/** Runs plans in sequence the way applyAlertChecks stores them (alert ids numbered 1, 2, …). */
function simulator() {
  const conditions = new Map<string, AlertCondition>();
  const fired: Array<{ at: string; key: string; severity: string; id: number }> = [];
  const resolved: number[] = [];
  let nextId = 1;
  return {
    fired,
    resolved,
    conditions,
    run(checks: AlertCheck[], now: Date, cooldown = COOLDOWN) {
      const plan = planAlerts(conditions, checks, now, cooldown);
      const ids = new Map<string, number>();
      for (const c of plan.fire) {
        const id = nextId++;
        ids.set(c.key, id);
        fired.push({ at: now.toISOString(), key: c.key, severity: c.severity, id });
      }
      resolved.push(...plan.resolve.map((r) => r.alertId));
      for (const s of plan.states) {
        const prev = conditions.get(s.state.key);
        assert.equal(prev ? prev.revision : null, s.expectedRevision, 'plans against the stored revision');
        conditions.set(s.state.key, { ...s.state, alertId: s.fires ? ids.get(s.state.key)! : s.state.alertId, revision: (prev?.revision ?? 0) + 1 });
      }
      return plan;
    },
  };
}

describe('alerts: once per onset, cooldown, escalation (fake clock)', () => {
  it('fires when a condition starts and not again while it keeps holding', () => {
    const clock = fakeClock('2026-05-01T00:00:00Z');
    const sim = simulator();
    for (let i = 0; i < 12; i++) {
      sim.run([check(true)], clock.now());
      clock.advance(5 * MINUTE);
    }
    assert.equal(sim.fired.length, 1);
    assert.equal(sim.fired[0].at, '2026-05-01T00:00:00.000Z');
  });

  it('fires again after the condition cleared and came back once the cooldown has passed; the cleared alert is resolved', () => {
    const clock = fakeClock('2026-05-01T00:00:00Z');
    const sim = simulator();
    sim.run([check(true)], clock.now());
    clock.advance(70 * MINUTE);
    sim.run([check(false)], clock.now());
    assert.deepEqual(sim.resolved, [1]);
    clock.advance(5 * MINUTE);
    sim.run([check(true)], clock.now());
    assert.equal(sim.fired.length, 2);
    assert.equal(sim.fired[1].at, '2026-05-01T01:15:00.000Z');
  });

  it('holds back an onset within the cooldown of the last alert, and fires it when the cooldown ends if the condition still holds', () => {
    const clock = fakeClock('2026-05-01T00:00:00Z');
    const sim = simulator();
    sim.run([check(true)], clock.now()); // fires at 00:00
    clock.advance(10 * MINUTE);
    sim.run([check(false)], clock.now()); // clears at 00:10
    clock.advance(10 * MINUTE);
    const held = sim.run([check(true)], clock.now()); // back at 00:20: within 60 min of 00:00
    assert.equal(sim.fired.length, 1);
    assert.deepEqual(held.heldBack, [{ key: 'feature_drift:age', until: '2026-05-01T01:00:00.000Z' }]);
    for (let t = 25; t < 60; t += 5) {
      clock.set(new Date(Date.parse('2026-05-01T00:00:00Z') + t * MINUTE));
      sim.run([check(true)], clock.now());
    }
    assert.equal(sim.fired.length, 1, 'nothing within the cooldown');
    clock.set('2026-05-01T01:00:00Z');
    sim.run([check(true)], clock.now());
    assert.equal(sim.fired.length, 2);
    assert.equal(sim.fired[1].at, '2026-05-01T01:00:00.000Z');
    clock.advance(5 * MINUTE);
    sim.run([check(true)], clock.now());
    assert.equal(sim.fired.length, 2, 'and then not again while it holds');
  });

  it('a condition that flaps every 5 minutes for a day fires once per cooldown at most', () => {
    const clock = fakeClock('2026-05-01T00:00:00Z');
    const sim = simulator();
    for (let i = 0; i < 288; i++) {
      sim.run([check(i % 2 === 0)], clock.now());
      clock.advance(5 * MINUTE);
    }
    assert.ok(sim.fired.length <= 24, `${sim.fired.length} alerts in 24 h`);
    for (let i = 1; i < sim.fired.length; i++) assert.ok(Date.parse(sim.fired[i].at) - Date.parse(sim.fired[i - 1].at) >= COOLDOWN);
  });

  it('fires at once when a warning becomes critical (escalation ignores the cooldown) and resolves the warning it supersedes; not again when it drops back', () => {
    const clock = fakeClock('2026-05-01T00:00:00Z');
    const sim = simulator();
    sim.run([check(true, 'warning')], clock.now());
    clock.advance(5 * MINUTE);
    const up = sim.run([check(true, 'critical')], clock.now());
    assert.deepEqual(sim.fired.map((f) => f.severity), ['warning', 'critical']);
    assert.deepEqual(up.resolve, [{ alertId: 1, reason: 'superseded' }]);
    clock.advance(5 * MINUTE);
    sim.run([check(true, 'warning')], clock.now());
    clock.advance(5 * MINUTE);
    sim.run([check(true, 'critical')], clock.now());
    assert.equal(sim.fired.length, 2);
  });

  it('leaves a condition the run could not evaluate as it was: no alert, no clearing', () => {
    const clock = fakeClock('2026-05-01T00:00:00Z');
    const sim = simulator();
    sim.run([check(true), check(true, 'warning', 'latency')], clock.now());
    clock.advance(5 * MINUTE);
    sim.run([check(true, 'warning', 'latency')], clock.now()); // feature not evaluated (too little data)
    assert.equal(sim.conditions.get('feature_drift:age')!.active, true);
    assert.deepEqual(sim.resolved, []);
    clock.advance(5 * MINUTE);
    sim.run([check(true), check(true, 'warning', 'latency')], clock.now());
    assert.equal(sim.fired.length, 2, 'the feature is still the same episode');
  });

  it('with cooldown 0 fires every onset', () => {
    const clock = fakeClock('2026-05-01T00:00:00Z');
    const sim = simulator();
    for (let i = 0; i < 6; i++) {
      sim.run([check(i % 2 === 0)], clock.now(), 0);
      clock.advance(MINUTE);
    }
    assert.equal(sim.fired.length, 3);
  });
});

function facts(over: Partial<LoopFacts>): LoopFacts {
  return {
    now: new Date('2026-05-10T00:00:00Z'),
    lastPrediction: null,
    predictions: 0,
    examples: 100,
    lastImport: null,
    champion: null,
    newest: null,
    cycles: [],
    open: [],
    store: { engine: 'sqlite', bytes: 1e6, freeBytes: 1e11, location: 'x' },
    ...over,
  };
}

function cycle(id: number, status: CycleRecord['status'], decision: CycleRecord['decision'] = null): CycleRecord {
  return { id, trigger: 'schedule', status, decision, startedAt: '2026-05-09T00:00:00Z', finishedAt: '2026-05-09T00:10:00Z', champion: 'v1', challenger: 'v2', runId: null, reasons: ['r'], gate: null, report: null, error: status === 'failed' ? 'boom' : null, host: null, pid: null, heartbeatAt: null };
}

describe('alert rules about the loop, and health judged from the same facts', () => {
  const m = DEFAULT_MONITORING;
  const model = { version: 'v3', runId: 1, createdAt: '2026-03-01T00:00:00Z', task: 'binary', metrics: {}, path: 'p', digest: null };

  it('no_data holds once the newest prediction is older than noDataFor; health warns the same', () => {
    const stale = facts({ lastPrediction: '2026-05-07T00:00:00Z', predictions: 10 });
    assert.equal(loopChecks(stale, m).find((c) => c.key === 'no_data')!.holds, true);
    assert.equal(judgeHealth(stale, m.alerts).checks.find((c) => c.name === 'data_arriving')!.status, 'warning');
    const fresh = facts({ lastPrediction: '2026-05-09T12:00:00Z', predictions: 10 });
    assert.equal(loopChecks(fresh, m).find((c) => c.key === 'no_data')!.holds, false);
    assert.equal(loopChecks(facts({}), m).find((c) => c.key === 'no_data'), undefined, 'nothing logged yet: not evaluated');
  });

  it('champion_age holds after championMaxAge; failed cycles warn, three in a row are critical; a rejection is info', () => {
    const old = facts({ champion: { model, since: '2026-04-01T00:00:00Z' } });
    assert.equal(loopChecks(old, m).find((c) => c.key === 'champion_age')!.holds, true);
    assert.equal(judgeHealth(old, m.alerts).checks.find((c) => c.name === 'champion_age')!.status, 'warning');
    const oneFailed = facts({ cycles: [cycle(3, 'failed'), cycle(2, 'completed', 'promoted')] });
    const failed = loopChecks(oneFailed, m).find((c) => c.key === 'cycles:failed')!;
    assert.deepEqual([failed.holds, failed.severity], [true, 'warning']);
    const three = facts({ cycles: [cycle(5, 'failed'), cycle(4, 'interrupted'), cycle(3, 'failed'), cycle(2, 'completed', 'rejected')] });
    assert.equal(loopChecks(three, m).find((c) => c.key === 'cycles:failed')!.severity, 'critical');
    assert.equal(judgeHealth(three, m.alerts).status, 'critical');
    const rejected = loopChecks(three, m).find((c) => c.key === 'cycles:rejected')!;
    assert.deepEqual([rejected.holds, rejected.severity], [true, 'info']);
  });

  it('health is the worst of its checks; open critical alerts make it critical', () => {
    const h = judgeHealth(facts({ open: [{ id: 4, severity: 'critical', title: 'Input drift in age' } as never] }), m.alerts);
    assert.equal(h.status, 'critical');
    assert.match(h.checks.find((c) => c.name === 'active_alerts')!.detail, /1 critical.*alert 4/);
    assert.deepEqual(h.checks.map((c) => c.name), ['data_arriving', 'champion_age', 'last_cycle', 'store_size', 'active_alerts']);
  });
});

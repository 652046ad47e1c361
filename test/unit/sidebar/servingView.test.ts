/**
 * The dashboard's server and experiment cards (src/extension/serve/servingView.ts): which
 * server the card shows (this window's, matched to its store record by host and pid, else a
 * live one, else a stale one), who runs it, when Start is offered; the experiment card from a
 * real analysis of synthetic assignments; and the sentence Stop Experiment's confirmation uses.
 */
import assert from 'node:assert/strict';
import { analyzeExperiment, experimentData } from '../../../src/core/experiments/analysis';
import type { ExperimentReport } from '../../../src/core/experiments/report';
import { parseProject } from '../../../src/core/project/parse';
import type { ExperimentConfig } from '../../../src/core/project/types';
import type { ServerRecord, VariantAssignment } from '../../../src/core/store/types';
import { experimentCardView, serverCardView, stopConsequence } from '../../../src/extension/serve/servingView';

function record(patch: Partial<ServerRecord> & { live?: boolean } = {}): ServerRecord & { live: boolean } {
  return {
    id: 'a1',
    host: 'box',
    pid: 4242,
    url: 'http://127.0.0.1:8765',
    startedAt: '2026-12-02T04:00:00.000Z',
    heartbeatAt: '2026-12-02T04:10:00.000Z',
    stoppedAt: null,
    live: true,
    ...patch,
    stats: {
      model: 'v3',
      requestsPerSecond: 12.5,
      p50Ms: 1.2,
      p99Ms: 8.4,
      predictions: 900,
      fallbackRate: 0.1,
      pendingLog: 0,
      experiment: null,
      shadow: null,
      auth: true,
      ...patch.stats,
    },
  };
}

describe('the server card', () => {
  it("shows this window's server with the numbers of its own store record (matched by host and pid)", () => {
    const other = record({ id: 'b2', pid: 1111 });
    const mine = record({ id: 'c3', pid: 5000, url: 'http://127.0.0.1:40001' });
    const v = serverCardView({ state: 'running', pid: 5000, url: 'http://127.0.0.1:40001', model: 'v3', startedAt: null }, [other, mine], 'box', true);
    assert.equal(v.status, 'live');
    assert.equal(v.origin, 'window');
    assert.equal(v.url, 'http://127.0.0.1:40001');
    assert.equal(v.requestsPerSecond, 12.5);
    assert.equal(v.p99Ms, 8.4);
    assert.equal(v.others, 1);
    assert.equal(v.canStart, false, 'one server per window');
  });

  it("shows this window's server before its first heartbeat from what the process printed, without numbers", () => {
    const v = serverCardView({ state: 'running', pid: 5000, url: 'http://127.0.0.1:40001', model: 'v3', startedAt: '2026-12-02T04:00:00.000Z' }, [], 'box', true);
    assert.equal(v.status, 'live');
    assert.equal(v.url, 'http://127.0.0.1:40001');
    assert.equal(v.requestsPerSecond, null);
    assert.equal(serverCardView({ state: 'starting', pid: 5000 }, [], 'box', true).status, 'starting');
  });

  it('a record of the same pid on another machine is not this window\'s server', () => {
    const v = serverCardView({ state: 'running', pid: 4242, url: 'http://127.0.0.1:40001', model: 'v3', startedAt: null }, [record({ host: 'elsewhere' })], 'box', true);
    assert.equal(v.url, 'http://127.0.0.1:40001');
    assert.equal(v.requestsPerSecond, null, 'the other machine\'s numbers are not this server\'s');
    assert.equal(v.others, 1);
  });

  it('shows a server started elsewhere: a live one before a stale one, and says where it runs', () => {
    const stale = record({ id: 's', live: false, pid: 1 });
    const live = record({ id: 'l', host: 'other-box', pid: 2 });
    const v = serverCardView(undefined, [stale, live], 'box', true);
    assert.equal(v.status, 'live');
    assert.equal(v.origin, 'remote');
    assert.equal(v.pid, 2);
    assert.equal(v.canStart, true);
    const onlyStale = serverCardView(undefined, [stale], 'box', true);
    assert.equal(onlyStale.status, 'stale');
    assert.equal(onlyStale.origin, 'host');
  });

  it("says this window's server stopped, and how, once no server is recorded", () => {
    const v = serverCardView({ state: 'stopped', message: '281 served predictions written to the store.', at: '2026-12-02T04:11:00.000Z' }, [], 'box', true);
    assert.equal(v.status, 'stopped');
    assert.equal(v.message, '281 served predictions written to the store.');
    assert.equal(v.url, null);
    assert.equal(v.canStart, true);
  });

  it('offers Start only when there is a model to serve', () => {
    const v = serverCardView(undefined, [], 'box', false);
    assert.equal(v.status, 'none');
    assert.equal(v.canStart, false);
  });
});

function experimentConfig(yaml: string): ExperimentConfig {
  const r = parseProject(`version: 1\ntask: binary\nlabel: y\nfeatures:\n  - { name: x, type: numeric }\n${yaml}`, 'demo');
  if (!r.ok) throw new Error(`fixture config does not parse: ${JSON.stringify(r.problems)}`);
  return r.config.experiment!;
}

/** `n` units per arm, `successes[arm]` of them with outcome 1 spread over the arrival order (37 is prime to 100 and 10), the rest 0. */
function assignments(n: number, successes: Record<string, number>): VariantAssignment[] {
  const out: VariantAssignment[] = [];
  let id = 1;
  for (let i = 0; i < n; i++) {
    for (const arm of Object.keys(successes)) {
      out.push({ prediction: `${arm}-${i}`, time: '2026-12-02T04:00:00.000Z', variant: arm, entity: `${arm}-user-${i}`, model: 'v3', outcomes: [{ id: id++, time: '2026-12-02T04:01:00.000Z', value: (i * 37) % n < successes[arm] ? 1 : 0 }] });
    }
  }
  return out;
}

function report(config: ExperimentConfig, data: VariantAssignment[]): ExperimentReport {
  const analysis = analyzeExperiment(experimentData(data, config), config, { champion: 'v3', fallback: null });
  return { experiment: config.name, status: 'running', startedAt: '2026-12-02T04:00:00.000Z', stoppedAt: null, stoppedBy: null, ...analysis };
}

describe('the experiment card', () => {
  const config = experimentConfig('experiment:\n  name: model-vs-rules\n  variants: {champion: 50, fallback: 50}\n  outcome: rate\n  minEffect: 0.3\n');

  it('lists the control first, each arm with n, its rate and interval, and the difference with its interval and p-value', () => {
    const r = report(config, assignments(100, { champion: 85, fallback: 35 }));
    const v = experimentCardView(r, null, config)!;
    assert.deepEqual(v.arms.map((a) => a.name), ['fallback', 'champion']);
    const [control, champion] = v.arms;
    assert.equal(control.difference, null);
    assert.equal(control.serves, null);
    assert.equal(champion.n, 100);
    assert.ok(Math.abs(champion.mean! - 0.85) < 1e-12);
    assert.ok(champion.interval && champion.interval.lower < 0.85 && champion.interval.upper > 0.85);
    const d = champion.difference!;
    // On the decision sample (the first planned-n outcomes of each arm), so near, not at, 0.5.
    assert.ok(d.value > 0.3 && d.value < 0.7, String(d.value));
    assert.ok(d.lower < d.value && d.upper > d.value);
    assert.equal(d.value, r.variants[1].difference!.difference);
    assert.ok(d.pValue < 1e-4, String(d.pValue));
    assert.equal(d.better, 'champion');
    assert.equal(v.decision, 'winner');
    assert.equal(v.winner, 'champion');
    assert.deepEqual(v.reasons, r.reasons);
    assert.equal(v.srm?.mismatch, false);
  });

  it('says why when the report could not be read, and is absent without an experiment', () => {
    const v = experimentCardView(null, 'the store has no experiments table', config)!;
    assert.equal(v.error, 'the store has no experiments table');
    assert.deepEqual(v.arms, []);
    assert.equal(experimentCardView(null, null, null), null);
  });

  it("Stop's confirmation names what is promoted: a winning challenger through the gate, nothing otherwise", () => {
    const r = report(config, assignments(100, { champion: 85, fallback: 35 }));
    assert.equal(stopConsequence(r, undefined, 'v3'), 'The champion arm won: nothing is promoted; v3 stays the champion.');
    assert.equal(stopConsequence({ ...r, winner: 'challenger' }, 'v7', 'v3'), 'The challenger v7 won: it will be promoted through the quality gate (replacing v3, if the gate passes it).');
    assert.equal(stopConsequence({ ...r, winner: 'fallback' }, 'v7', 'v3'), "The app's own rule (fallback) won: nothing is promoted; v3 stays the champion.");
    const early = report(config, assignments(10, { champion: 9, fallback: 3 }));
    assert.equal(early.decision, 'keep_running');
    assert.equal(stopConsequence(early, 'v7', 'v3'), 'No winner yet (still running: the planned sample is not reached): nothing is promoted; v3 stays the champion.');
  });
});

/**
 * The experiment decision on synthetic outcomes, over seeded repetitions: with no effect a
 * winner is declared in at most about alpha of them (the false-positive check); with a known
 * effect the right arm wins at the planned sample with about the planned power, the wrong one
 * practically never; a skewed split is a sample-ratio mismatch and never a winner. Each
 * repetition is a whole experiment: units assigned 50/50, one outcome each, in arrival order.
 */
import * as assert from 'node:assert/strict';
import { analyzeExperiment, type ExperimentAnalysis, type Observation } from '../../../src/core/experiments/analysis';
import { normalQuantile } from '../../../src/core/experiments/distributions';
import { sampleSizeForProportions } from '../../../src/core/experiments/stats';
import { resolveExperiment } from '../../../src/core/project/serving';
import type { ExperimentConfig } from '../../../src/core/project/types';
import { createRng } from '../../../src/core/util/random';

function normal(rng: () => number): number {
  let u = 0;
  while (u === 0) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

const RATE = resolveExperiment({ name: 'e', variants: { champion: 1, fallback: 1 }, outcome: 'rate', minEffect: 0.1 });
const MEAN = resolveExperiment({ name: 'e', variants: { champion: 1, fallback: 1 }, outcome: 'mean', minEffect: 0.2 });

/** One experiment of `units` units; the champion arm's outcome is shifted by `effect`. `championShare` skews the split. */
function experiment(config: ExperimentConfig, effect: number, units: number, seed: number, championShare = 0.5): ExperimentAnalysis {
  const rng = createRng(seed);
  const observations: Observation[] = [];
  const assigned = { champion: 0, fallback: 0 };
  for (let i = 0; i < units; i++) {
    const arm = rng() < championShare ? 'champion' : 'fallback';
    assigned[arm]++;
    const shift = arm === 'champion' ? effect : 0;
    const value = config.outcome === 'rate' ? (rng() < 0.3 + shift ? 1 : 0) : 10 + normal(rng) + shift;
    observations.push({ arm, value, order: i });
  }
  return analyzeExperiment({ assigned, predictions: assigned, models: {}, observations, crossovers: 0, otherVariants: 0, unreadableOutcomes: 0 }, config);
}

function repeat(reps: number, seed0: number, run: (seed: number) => ExperimentAnalysis) {
  const out = { winner: 0, champion: 0, fallback: 0, none: 0, keep: 0, decidedOn: [] as number[] };
  for (let r = 0; r < reps; r++) {
    const a = run(seed0 + r);
    if (a.decision === 'winner') {
      out.winner++;
      out[a.winner as 'champion' | 'fallback']++;
    } else if (a.decision === 'no_difference') out.none++;
    else out.keep++;
    if (a.sample.decidedOn !== null) out.decidedOn.push(a.sample.decidedOn);
  }
  return out;
}

/** The largest share of winners that is still consistent (one-sided, 1%) with a true rate of `alpha` over `reps`. */
const allowed = (alpha: number, reps: number) => alpha + normalQuantile(0.99) * Math.sqrt((alpha * (1 - alpha)) / reps);

describe('experiment decisions on synthetic outcomes (seeded repetitions)', function () {
  this.timeout(60_000);
  const REPS = 1000;

  for (const [config, units] of [
    [RATE, 1400],
    [MEAN, 1400],
  ] as const) {
    // At alpha 0.05 the expected share of false winners is 5% exactly (8,000 repetitions of
    // each, seeds 200,000 and 700,000, gave 4.9–5.1%), so "no winner in at least 95%" is checked
    // as: the share of winners is not significantly above alpha (one-sided, 1%).
    it(`no effect (${config.outcome}): no winner in about 95% of ${REPS} experiments or more (not significantly fewer), each decided on its planned sample`, () => {
      const r = repeat(REPS, config.outcome === 'rate' ? 100_000 : 200_000, (seed) => experiment(config, 0, units, seed));
      assert.equal(r.keep, 0, 'every repetition reached its planned sample');
      assert.ok(r.winner / REPS <= allowed(config.alpha, REPS), `winners in ${r.winner} of ${REPS}: more than alpha ${config.alpha} allows (${(allowed(config.alpha, REPS) * REPS).toFixed(0)})`);
      // Either arm wins a false positive about equally often (two-sided).
      assert.ok(r.champion > 0 && r.fallback > 0, JSON.stringify(r));
    });
  }

  it('a known effect (rate 30% → 40%, the configured minEffect): the right winner at the planned sample with about the planned power, the wrong one practically never', () => {
    const planned = sampleSizeForProportions(0.3, 0.4, RATE.alpha, RATE.power);
    const reps = 400;
    const r = repeat(reps, 300_000, (seed) => experiment(RATE, 0.1, 1200, seed));
    assert.equal(r.keep, 0);
    assert.ok(r.champion / reps >= RATE.power - 0.07, `champion won ${r.champion} of ${reps} (power ${RATE.power})`);
    assert.ok(r.fallback <= 1, `the worse arm won ${r.fallback} times`);
    const mean = r.decidedOn.reduce((s, n) => s + n, 0) / r.decidedOn.length;
    assert.ok(Math.abs(mean - planned) / planned < 0.1, `decided on ${mean.toFixed(0)} per arm on average, planned ${planned.toFixed(0)} from the true rates`);
  });

  it('a large effect (mean +0.5 sd, minEffect 0.2): the right winner every time', () => {
    const r = repeat(200, 400_000, (seed) => experiment(MEAN, 0.5, 1400, seed));
    assert.equal(r.champion, 200, JSON.stringify(r));
  });

  it('below the planned sample: keep running, even with a large effect', () => {
    const a = experiment(RATE, 0.3, 120, 5);
    assert.equal(a.decision, 'keep_running');
    assert.equal(a.winner, null);
    assert.equal(a.final, false);
    assert.ok(a.sample.requiredPerArm! > 60);
  });

  it('a skewed split (55/45 of 4000 units) is a sample-ratio mismatch: no winner, whatever the outcomes say', () => {
    const a = experiment(RATE, 0.2, 4000, 6, 0.55);
    assert.equal(a.srm!.mismatch, true);
    assert.ok(a.srm!.pValue < RATE.srmAlpha);
    assert.equal(a.decision, 'keep_running');
    assert.equal(a.winner, null);
    assert.match(a.reasons[0], /^Sample-ratio mismatch/);
    // The same outcomes with the split the weights expect: the effect is found.
    assert.equal(experiment(RATE, 0.2, 4000, 6).winner, 'champion');
  });
});

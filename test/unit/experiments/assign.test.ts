/**
 * Sticky assignment: the same entity in the same arm everywhere (another process gives the
 * same answers), arms filled in proportion to their weights, independent of key order, and a
 * new experiment name reshuffling.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { assignmentPoint, assignVariant } from '../../../src/core/experiments/assign';
import { chiSquareGoodnessOfFit } from '../../../src/core/experiments/stats';

const REPO = path.resolve(__dirname, '..', '..', '..');

describe('sticky assignment of entities to arms', () => {
  const experiment = { name: 'ml-vs-rules', variants: { champion: 50, fallback: 50 } };

  it('gives every entity the same arm in another process (no state, only the hash)', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    const here = ids.map((id) => assignVariant(id, experiment));
    const script = `const { assignVariant } = require(${JSON.stringify(path.join(REPO, 'src/core/experiments/assign.ts'))});
      process.stdout.write(JSON.stringify(${JSON.stringify(ids)}.map((id) => assignVariant(id, ${JSON.stringify(experiment)}))));`;
    const there = JSON.parse(execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: REPO, encoding: 'utf8' })) as string[];
    assert.deepEqual(there, here);
  });

  it('is pinned: these entities land where they always have (a change of the hash would move live users between arms)', () => {
    // Any edit to the hash that changes these breaks every running experiment's stickiness.
    const pinned = ['user-1', 'user-2', 'user-3', 42, 'Zoë'].map((id) => assignmentPoint('ml-vs-rules', id).toFixed(9));
    assert.deepEqual(pinned, PINNED_POINTS);
  });

  it('fills the arms in proportion to the weights (χ² test over 100,000 entities does not reject)', () => {
    for (const variants of [{ champion: 50, fallback: 50 }, { champion: 9, fallback: 1 }, { champion: 1, challenger: 1, fallback: 2 }]) {
      const names = Object.keys(variants).sort();
      const counts = new Map(names.map((n) => [n, 0]));
      for (let i = 0; i < 100_000; i++) {
        const arm = assignVariant(`entity-${i}`, { name: 'balance', variants });
        counts.set(arm, counts.get(arm)! + 1);
      }
      const w = names.map((n) => (variants as Record<string, number>)[n]);
      const fit = chiSquareGoodnessOfFit(names.map((n) => counts.get(n)!), w);
      assert.ok(fit!.pValue > 0.001, `${JSON.stringify(variants)}: ${JSON.stringify([...counts])} p=${fit!.pValue}`);
    }
  });

  it('does not depend on the order of the arms in the file', () => {
    for (let i = 0; i < 500; i++) {
      assert.equal(assignVariant(i, { name: 'x', variants: { fallback: 1, champion: 3 } }), assignVariant(i, { name: 'x', variants: { champion: 3, fallback: 1 } }));
    }
  });

  it('reshuffles under a new experiment name, and numbers equal their text', () => {
    let moved = 0;
    for (let i = 0; i < 2000; i++) if (assignVariant(`u${i}`, { ...experiment, name: 'second' }) !== assignVariant(`u${i}`, experiment)) moved++;
    assert.ok(moved > 800 && moved < 1200, `about half move: ${moved}`);
    assert.equal(assignVariant(42, experiment), assignVariant('42', experiment));
  });

  it('skips arms of weight 0 and refuses an experiment with no weight at all', () => {
    for (let i = 0; i < 200; i++) assert.equal(assignVariant(i, { name: 'x', variants: { champion: 1, fallback: 0 } }), 'champion');
    assert.throws(() => assignVariant(1, { name: 'x', variants: { champion: 0 } }), /no arm with a positive weight/);
  });
});

/** FNV-1a + fmix32 of 'ml-vs-rules\0<id>' over 2³², computed independently (in Python, from the algorithm's definition). */
const PINNED_POINTS = ['0.395776526', '0.743888313', '0.566594799', '0.905009747', '0.018929738'];

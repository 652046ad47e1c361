import assert from 'node:assert/strict';
import { EarlyStoppingTracker } from '../../../src/core/engine/early-stopping';

/** Feeds values for epochs 1, 2, … and returns the epoch that stopped (0 = never). */
function run(tracker: EarlyStoppingTracker, values: number[]): number {
  for (let i = 0; i < values.length; i++) if (tracker.update(i + 1, values[i]).stop) return i + 1;
  return 0;
}

describe('engine/early-stopping', () => {
  it('stops after `patience` epochs without improvement and remembers the best epoch (min mode)', () => {
    const tracker = new EarlyStoppingTracker('min', 0, 2);
    assert.equal(run(tracker, [1.0, 0.8, 0.9, 0.85, 0.7]), 4);
    assert.equal(tracker.bestEpoch, 2);
    assert.equal(tracker.bestValue, 0.8);
  });

  it('resets the wait counter on every improvement', () => {
    const tracker = new EarlyStoppingTracker('min', 0, 2);
    assert.equal(run(tracker, [1.0, 1.1, 0.9, 1.0, 0.8, 0.85, 0.86]), 7);
    assert.equal(tracker.bestEpoch, 5);
  });

  it('does not count changes smaller than minDelta as improvements', () => {
    const tracker = new EarlyStoppingTracker('min', 0.05, 2);
    assert.equal(run(tracker, [1.0, 0.97, 0.96, 0.9]), 3);
    assert.equal(tracker.bestEpoch, 1);
  });

  it('uses the absolute value of minDelta, as Keras does', () => {
    const tracker = new EarlyStoppingTracker('min', -0.05, 2);
    assert.equal(run(tracker, [1.0, 0.97, 0.96]), 3);
  });

  it('looks for higher values in max mode (accuracy)', () => {
    const tracker = new EarlyStoppingTracker('max', 0.01, 1);
    assert.equal(run(tracker, [0.5, 0.7, 0.705]), 3);
    assert.equal(tracker.bestEpoch, 2);
  });

  it('never stops with infinite patience but still tracks the best epoch', () => {
    const tracker = new EarlyStoppingTracker('min', 0, Infinity);
    assert.equal(run(tracker, [3, 2, 5, 5, 5, 5, 5, 5]), 0);
    assert.equal(tracker.bestEpoch, 2);
  });

  it('never treats NaN as an improvement', () => {
    const tracker = new EarlyStoppingTracker('min', 0, 3);
    tracker.update(1, NaN);
    assert.equal(tracker.bestEpoch, 0);
    assert.equal(tracker.update(2, 1).improved, true);
  });
});

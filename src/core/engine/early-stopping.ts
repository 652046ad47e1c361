/**
 * Early-stopping bookkeeping with Keras' EarlyStopping semantics, as a pure state machine
 * (no tensors), so the rules can be tested on plain sequences of numbers.
 *
 * After each epoch the monitored value either improves on the best so far by more than
 * `minDelta` (lower for losses, higher for accuracies) — then it becomes the best and the
 * wait counter resets — or the counter goes up by one; when it reaches `patience` training
 * stops. With patience 10, a best at epoch 5 and no improvement after, training stops at the
 * end of epoch 15. The first epoch always counts as an improvement unless its value is NaN.
 */

/** 'min' for losses, 'max' for accuracies. */
export type MonitorMode = 'min' | 'max';

export interface EpochVerdict {
  /** This epoch's value is the new best. */
  improved: boolean;
  /** Patience is used up: stop after this epoch. Never true when patience is Infinity. */
  stop: boolean;
}

export class EarlyStoppingTracker {
  /** 1-based epoch of the best value so far; 0 before any epoch improved. */
  bestEpoch = 0;
  /** Best value so far; ±Infinity before any epoch improved. */
  bestValue: number;
  private wait = 0;

  /**
   * @param mode 'min' (loss) or 'max' (accuracy).
   * @param minDelta smallest change counted as an improvement (its absolute value is used).
   * @param patience epochs without improvement before stopping; Infinity only tracks the best.
   */
  constructor(
    readonly mode: MonitorMode,
    readonly minDelta: number,
    readonly patience: number,
  ) {
    this.bestValue = mode === 'min' ? Infinity : -Infinity;
  }

  /** Records the monitored value of a (1-based) epoch and says whether to stop. */
  update(epoch: number, value: number): EpochVerdict {
    const delta = Math.abs(this.minDelta);
    this.wait += 1;
    const improved = this.mode === 'min' ? value + delta < this.bestValue : value - delta > this.bestValue;
    if (improved) {
      this.bestValue = value;
      this.bestEpoch = epoch;
      this.wait = 0;
      return { improved: true, stop: false };
    }
    return { improved: false, stop: this.wait >= this.patience };
  }
}

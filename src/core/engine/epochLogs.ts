/** Pure type module (no imports), so webview pages can share it with the engine. */

/**
 * What one epoch achieved. `epoch` is 1-based. `loss` is the mean training loss over the
 * epoch's batches as they were trained (dropout on, weights moving), like Keras; `val_loss`
 * is the validation loss of the end-of-epoch weights. accuracy/val_accuracy for classification,
 * mae/val_mae for regression; val_* only with a validation set. `durationMs` is the epoch's
 * wall time including validation.
 */
export interface EpochLogs {
  epoch: number;
  loss: number;
  val_loss?: number;
  accuracy?: number;
  val_accuracy?: number;
  mae?: number;
  val_mae?: number;
  durationMs: number;
}

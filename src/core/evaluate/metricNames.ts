/**
 * How metrics are named for people and which way they improve — one table for the CLI,
 * the HTML report, the panels and permutation importance. Pure (no imports): webview pages
 * import it too.
 */

const METRIC_LABELS: Readonly<Record<string, string>> = {
  accuracy: 'Accuracy',
  precision: 'Precision',
  recall: 'Recall',
  f1: 'F1',
  precision_macro: 'Precision (macro)',
  recall_macro: 'Recall (macro)',
  f1_macro: 'F1 (macro)',
  precision_weighted: 'Precision (weighted)',
  recall_weighted: 'Recall (weighted)',
  f1_weighted: 'F1 (weighted)',
  f1_micro: 'F1 (micro)',
  roc_auc: 'ROC AUC',
  roc_auc_weighted: 'ROC AUC (weighted)',
  average_precision: 'Average precision',
  log_loss: 'Log loss',
  brier: 'Brier score',
  mcc: 'Matthews correlation',
  mse: 'Mean squared error',
  rmse: 'Root mean squared error',
  mae: 'Mean absolute error',
  r2: 'R²',
  explained_variance: 'Explained variance',
  ece: 'Expected calibration error',
  mce: 'Maximum calibration error',
  classwise_ece: 'Classwise ECE',
  loss: 'Training loss',
  val_loss: 'Validation loss',
  val_accuracy: 'Validation accuracy',
  val_mae: 'Validation MAE',
};

/** Losses and errors: a smaller value is the better model. Every other metric is higher-is-better. */
const LOWER_IS_BETTER: ReadonlySet<string> = new Set(['log_loss', 'brier', 'mse', 'rmse', 'mae', 'loss', 'val_loss', 'val_mae', 'ece', 'mce', 'classwise_ece']);

/** A metric's display name ("F1 (macro)"); unknown keys come back as they are. Multiclass roc_auc says how it averages. */
export function metricLabel(key: string, task?: 'binary' | 'multiclass' | 'regression'): string {
  if (key === 'roc_auc' && task === 'multiclass') return 'ROC AUC (macro, one-vs-rest)';
  return METRIC_LABELS[key] ?? key;
}

/** Which way a metric improves: 'lower' for losses and errors (log_loss, brier, mse, rmse, mae, ece, …), else 'higher'. */
export function metricDirection(key: string): 'higher' | 'lower' {
  return LOWER_IS_BETTER.has(key) ? 'lower' : 'higher';
}

/**
 * The metric keys each task defines: its headline metrics (metrics.ts computeHeadlineMetrics)
 * plus, for classification, the calibration errors (calibrationError.ts). What the quality
 * gate's `metric` and `floors` may name; the project file is checked against it.
 */
export const TASK_METRICS: Readonly<Record<'binary' | 'multiclass' | 'regression', readonly string[]>> = {
  binary: ['accuracy', 'precision', 'recall', 'f1', 'precision_macro', 'recall_macro', 'f1_macro', 'roc_auc', 'average_precision', 'log_loss', 'brier', 'mcc', 'ece', 'mce', 'classwise_ece'],
  multiclass: ['accuracy', 'precision_macro', 'recall_macro', 'f1_macro', 'precision_weighted', 'recall_weighted', 'f1_weighted', 'f1_micro', 'roc_auc', 'roc_auc_weighted', 'log_loss', 'brier', 'mcc', 'ece', 'mce', 'classwise_ece'],
  regression: ['mse', 'rmse', 'mae', 'r2', 'explained_variance'],
};

/**
 * Metrics whose values lie in [0, 1] whatever the data (rates, areas, calibration gaps, the
 * binary Brier score): a bound outside [0, 1] on one of these is a mistake (often a percentage).
 */
export const UNIT_INTERVAL_METRICS: ReadonlySet<string> = new Set([
  'accuracy', 'precision', 'recall', 'f1', 'precision_macro', 'recall_macro', 'f1_macro', 'precision_weighted', 'recall_weighted', 'f1_weighted', 'f1_micro',
  'roc_auc', 'roc_auc_weighted', 'average_precision', 'ece', 'mce', 'classwise_ece',
]);

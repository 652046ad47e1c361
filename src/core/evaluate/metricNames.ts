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

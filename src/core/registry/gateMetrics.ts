/**
 * One named metric of a set of predictions, computed by the evaluate module's own functions —
 * the cheapest one that yields it, because the gate's paired bootstrap evaluates the metric
 * thousands of times. A unit test keeps every value equal to computeHeadlineMetrics' (and
 * calibrationError's for ECE), so "accuracy" means the same number in the gate as in a report.
 *
 * Pure module: no node built-ins, no tfjs.
 */
import type { Task } from '../project/types';
import { classwiseCalibrationError, calibrationError, DEFAULT_CALIBRATION_BINS } from '../evaluate/calibrationError';
import { brierScore, classificationReport, computeHeadlineMetrics, logLoss, matthewsCorrelationFromConfusion, regressionMetrics } from '../evaluate/metrics';
import { averagePrecision, rocAuc, rocAucOneVsRestUnchecked } from '../evaluate/ranking';

/** Metrics read off the confusion matrix (the predicted class of each row). */
const CONFUSION_METRICS = new Set([
  'accuracy', 'precision', 'recall', 'f1', 'precision_macro', 'recall_macro', 'f1_macro', 'precision_weighted', 'recall_weighted', 'f1_weighted', 'f1_micro', 'mcc',
]);

/**
 * The value of `metric` on predictions, or undefined where it is not defined on these rows
 * (ROC AUC with a class absent, average precision with no positive, R² with one row) or not a
 * metric of the task. Inputs as computeHeadlineMetrics: binary (k = 2, scores P(class 1), length
 * n), multiclass (n×k row-major probabilities), regression (k = 1, predicted values). The inputs
 * must already be valid (the gate checks them once); invalid ones throw a UserError.
 * @param bins equal-width bins of ece, mce and classwise_ece; default 15.
 */
export function metricValue(task: Task, metric: string, yTrue: ArrayLike<number>, scores: ArrayLike<number>, k: number, bins = DEFAULT_CALIBRATION_BINS): number | undefined {
  if (task === 'regression') return regressionMetrics(yTrue, scores).metrics[metric];
  const binary = task === 'binary';
  if (CONFUSION_METRICS.has(metric)) {
    const report = classificationReport(yTrue, scores, k);
    const s = report.scores;
    switch (metric) {
      case 'accuracy':
        return s.micro.f1; // correct / n, the same division binaryMetrics and multiclassMetrics make
      case 'precision':
        return binary ? s.perClass[1].precision : undefined;
      case 'recall':
        return binary ? s.perClass[1].recall : undefined;
      case 'f1':
        return binary ? s.perClass[1].f1 : undefined;
      case 'precision_macro':
        return s.macro.precision;
      case 'recall_macro':
        return s.macro.recall;
      case 'f1_macro':
        return s.macro.f1;
      case 'mcc':
        return matthewsCorrelationFromConfusion(report.confusion);
      default:
        if (binary) return undefined;
        if (metric === 'f1_micro') return s.micro.f1;
        if (metric === 'precision_weighted') return s.weighted.precision;
        if (metric === 'recall_weighted') return s.weighted.recall;
        return s.weighted.f1;
    }
  }
  switch (metric) {
    case 'roc_auc':
    case 'roc_auc_weighted': {
      if (binary) return metric === 'roc_auc' && hasBothClasses(yTrue) ? rocAuc(yTrue, scores) : undefined;
      const auc = rocAucOneVsRestUnchecked(yTrue, scores, k);
      return auc === undefined ? undefined : metric === 'roc_auc' ? auc.macro : auc.weighted;
    }
    case 'average_precision':
      return binary && hasPositive(yTrue) ? averagePrecision(yTrue, scores) : undefined;
    case 'log_loss':
      return logLoss(yTrue, scores, k);
    case 'brier':
      return brierScore(yTrue, scores, k);
    case 'ece':
      return calibrationError(yTrue, scores, k, { bins }).ece;
    case 'mce':
      return calibrationError(yTrue, scores, k, { bins }).mce;
    case 'classwise_ece':
      return classwiseCalibrationError(yTrue, scores, k, { bins }).classwiseEce;
    default:
      return undefined;
  }
}

/**
 * Every metric of the task on these predictions: the headline metrics plus, for
 * classification, ece, mce and classwise_ece; with the reasons of those undefined here.
 * Shapes and validity as {@link metricValue}.
 */
export function allMetrics(task: Task, yTrue: ArrayLike<number>, scores: ArrayLike<number>, k: number, bins = DEFAULT_CALIBRATION_BINS): { metrics: Record<string, number>; omitted: Record<string, string> } {
  const report = computeHeadlineMetrics(task, yTrue, scores, k);
  const metrics = { ...report.metrics };
  if (task !== 'regression') {
    const calibration = calibrationError(yTrue, scores, k, { bins });
    metrics.ece = calibration.ece;
    metrics.mce = calibration.mce;
    metrics.classwise_ece = classwiseCalibrationError(yTrue, scores, k, { bins }).classwiseEce;
  }
  return { metrics, omitted: { ...report.omitted } };
}

function hasBothClasses(yTrue: ArrayLike<number>): boolean {
  let positives = 0;
  for (let i = 0; i < yTrue.length; i++) positives += yTrue[i];
  return positives > 0 && positives < yTrue.length;
}

function hasPositive(yTrue: ArrayLike<number>): boolean {
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === 1) return true;
  return false;
}

/**
 * Evaluation: metrics, curves, calibration error, bootstrap intervals and fold aggregation,
 * as pure functions over plain arrays (compute ≠ render).
 *
 * Pure modules: no node built-ins, no tfjs.
 */
export {
  headlineMetrics,
  computeHeadlineMetrics,
  binaryMetrics,
  multiclassMetrics,
  regressionMetrics,
  binaryConfusionMatrix,
  confusionMatrix,
  argmaxRows,
  classificationScoresFromConfusion,
  classificationReport,
  type ClassificationReport,
  matthewsCorrelationFromConfusion,
  logLoss,
  brierScore,
  LOG_LOSS_EPS,
  type MetricReport,
  type BinaryConfusion,
  type ClassScores,
  type AveragedScores,
  type ClassificationScores,
} from './metrics';
export { rocAuc, averagePrecision, rocAucOneVsRest, type OneVsRestAuc } from './ranking';
export {
  rocCurve,
  precisionRecallCurve,
  thresholdSweep,
  reliabilityCurve,
  quantileOfSorted,
  type RocCurve,
  type RocCurveOptions,
  type PrecisionRecallCurve,
  type OperatingPoint,
  type ThresholdSweep,
  type ReliabilityCurve,
  type ReliabilityCurveOptions,
  type BinStrategy,
} from './curves';
export {
  calibrationError,
  expectedCalibrationError,
  maxCalibrationError,
  classwiseCalibrationError,
  brierDecomposition,
  topLabelConfidence,
  DEFAULT_CALIBRATION_BINS,
  type CalibrationErrorOptions,
  type CalibrationErrorReport,
  type CalibrationBin,
  type ClasswiseCalibrationError,
  type BrierDecomposition,
  type TopLabel,
} from './calibrationError';
export {
  bootstrapIntervals,
  aggregateFolds,
  type BootstrapOptions,
  type BootstrapResult,
  type MetricInterval,
  type FoldSummary,
} from './bootstrap';

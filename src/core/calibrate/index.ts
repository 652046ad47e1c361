/**
 * Calibration: fitting calibrators on held-out predictions, choosing one by cross-validation,
 * and applying one (the app runtime needs only `applyCalibrator` / `parseCalibrator`).
 *
 * Pure modules: no node built-ins, no tfjs.
 */
export type {
  CalibrationMethod,
  Calibrator,
  HistogramCalibrator,
  IsotonicCalibrator,
  NoCalibrator,
  PlattCalibrator,
  TemperatureCalibrator,
  VectorScalingCalibrator,
} from './types';
export { applyCalibrator, parseCalibrator } from './apply';
export { fitPlatt, fitSigmoid, type PlattOptions, type SigmoidParameters } from './platt';
export { fitIsotonic, fitIsotonicBinary, evaluateIsotonic, poolAdjacentViolators, type IsotonicFit } from './isotonic';
export { fitTemperature, fitVectorScaling, MIN_TEMPERATURE, MAX_TEMPERATURE } from './temperature';
export { fitHistogramBinning, type HistogramBinningOptions } from './histogram';
export {
  selectCalibrator,
  fitMethod,
  stratifiedFolds,
  MIN_ISOTONIC_SAMPLES,
  type CalibrationCandidate,
  type CalibrationScores,
  type CalibrationSelection,
  type SelectCalibratorOptions,
} from './select';

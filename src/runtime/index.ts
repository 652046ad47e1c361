/**
 * What an app imports to use a trained ML Loop model: load a bundle, predict.
 * No store, no training. In Node: `const { loadBundle, predictRecords } = require('mlloop/dist/runtime')`.
 */
export { loadBundle, BUNDLE_FILES } from './node';
export { predictRecords, scoreRecords, predictionsFromScores } from './predictor';
export type { LoadedBundle, ModelCard, Prediction } from './predictor';
export { initBackend } from '../core/engine/backend';

/**
 * What an app imports to use a trained ML Loop model: load a bundle, predict.
 * No store, no training. In Node: `const { initBackend, loadBundle, predictRecords } = require('mlloop/dist/runtime')`.
 * A browser app uses src/core/registry/predict.ts with a bundle it fetched (loadModelFromArtifacts).
 */
export { loadBundle, BUNDLE_FILES } from '../core/registry/bundle';
export { predictRecords, scoreRecords, predictionsFromScores, outputK } from '../core/registry/predict';
export type { LoadedBundle, ModelCard, Prediction } from '../core/registry/predict';
export { initBackend } from '../core/engine/backend';
// The app's logger of predictions, feedback and outcomes for ML Loop's inbox (Node; the
// buffering part, with no Node built-ins, is ./inboxLines.ts).
export { createInboxLogger } from './inboxLogger';
export type { FileInboxLogger, InboxLoggerOptions } from './inboxLogger';
export { bufferedInboxLogger, predictionLine, feedbackLine, outcomeLine } from './inboxLines';
export type { InboxLogger, LineSink, LoggerStats, PredictionLog, FeedbackLog, OutcomeLog, BufferOptions } from './inboxLines';

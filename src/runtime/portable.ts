/**
 * The part of the runtime that needs no file system (browser, edge function, worker): build a
 * bundle from its files' contents, predict. src/runtime/index.ts adds loadBundle for Node;
 * dist/runtime.browser.mjs is this module alone.
 */
export { bundleFromFiles, predictRecords, scoreRecords, predictionsFromScores, outputK, modelOutputs } from '../core/registry/predict';
export type { BundleFiles, LoadedBundle, ModelCard, Prediction } from '../core/registry/predict';
export { denseNetworkFromArtifacts, evaluateDenseNetwork } from '../core/engine/dense-network';
export type { DenseNetwork, NetworkLayer } from '../core/engine/dense-network';
export { assignVariant, assignmentPoint } from '../core/experiments/assign';
export type { AssignableExperiment } from '../core/experiments/assign';
export { decide, blend, DEFAULT_THRESHOLD } from './decide';
export type { Decision, Blended, BlendOptions } from './decide';
// Inbox lines for ML Loop (predictions, feedback, outcomes) buffered over a sink of the app's
// own; Node's file logger is createInboxLogger in ./index.ts.
export { bufferedInboxLogger, predictionLine, feedbackLine, outcomeLine } from './inboxLines';
export type { InboxLogger, LineSink, LoggerStats, PredictionLog, FeedbackLog, OutcomeLog, BufferOptions } from './inboxLines';

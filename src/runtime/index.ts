/**
 * What an app imports to use a trained ML Loop model: load a bundle, predict. No store, no
 * training, no TensorFlow.js: the network is evaluated in plain TypeScript, so this runs in
 * Node, a browser or an edge function.
 *
 * In Node: `const { loadBundle, predictRecords } = require('mlloop/dist/runtime')`.
 * Elsewhere (no file system): fetch the bundle's files and build it with
 * {@link bundleFromFiles}; dist/runtime.browser.mjs is this module without loadBundle, as an
 * ES module with no Node built-ins.
 */
export { loadBundle, BUNDLE_FILES } from '../core/registry/bundle';
export * from './portable';
// The app's logger of predictions, feedback and outcomes for ML Loop's inbox, appending to a
// file of this process's own (Node). Its buffering, with no Node built-ins, is in ./portable.
export { createInboxLogger } from './inboxLogger';
export type { FileInboxLogger, InboxLoggerOptions } from './inboxLogger';

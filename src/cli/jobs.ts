/**
 * The CLI's heavy half: the jobs that load TensorFlow.js. Bundled on its own
 * (dist/cli-jobs.js) and loaded by {@link cliJobs} only by the commands that train, evaluate
 * or predict, so that `mlloop runs`, `import`, `models` … start in a fraction of the time.
 */
export { trainProject } from '../core/jobs/train';
export { evaluateModel, predictWithModel } from '../core/jobs/evaluate';
export { calibrateModel } from '../core/jobs/calibrate';
export { crossValidate } from '../core/jobs/crossValidate';
export { explainModel } from '../core/jobs/explain';
export { runCycle } from '../core/loop/cycle';
export { promoteVersion } from '../core/loop/promote';
export { watchProject } from '../core/loop/watch';
export { concludeExperiment } from '../core/experiments/conclude';

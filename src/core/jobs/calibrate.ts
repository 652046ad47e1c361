/**
 * `mlloop calibrate`: choose (again) the calibrator of a saved model on the validation rows
 * of the run that trained it, re-evaluate on its test rows, and update the bundle, the
 * model's metrics, the run's details and its report. Training already calibrates with
 * `calibration.method`; this is for trying another method without retraining.
 */
import fs from 'node:fs';
import path from 'node:path';
import { outputColumns, transformRows } from '../data/pipeline';
import { modelOutputs } from '../registry/predict';
import { groupColumns } from '../explain/groups';
import type { CalibrationMethodName, ProjectConfig } from '../project/types';
import { BUNDLE_FILES } from '../registry/bundle';
import type { ModelCard } from '../registry/types';
import { writeFileAtomic } from '../store/fileio';
import { assessModel, type CalibrationRecord, type RunDetails } from './assess';
import { pick, splitExamples } from './dataset';
import { withModel } from './evaluate';
import { writeRunReport } from './report';
import { projectPaths } from '../project/workspace';
import type { BackendPreference } from './train';

export interface CalibrateOptions {
  root: string;
  version?: string;
  /** Default: the project's calibration.method. */
  method?: CalibrationMethodName;
  backend?: BackendPreference;
  signal?: AbortSignal;
}

export interface CalibrateResult {
  model: string;
  calibration: CalibrationRecord;
  /** Test-split metrics with the chosen calibrator (or the raw probabilities). */
  metrics: Record<string, number>;
  reportFile: string;
}

export async function calibrateModel(opts: CalibrateOptions): Promise<CalibrateResult> {
  return withModel(opts.root, opts.version, opts.backend, async ({ config, store, record, bundle, root }) => {
    const run = await store.getRun(record.runId);
    const runConfig = { ...config, ...((run?.config as Partial<ProjectConfig> | undefined) ?? {}), calibration: config.calibration, evaluation: config.evaluation } as ProjectConfig;
    const examples = (await store.listExamples()).filter((e) => e.id <= bundle.card.data.maxExampleId);
    const data = splitExamples(runConfig, examples);
    const validation = pick(data, data.split.validation);
    const test = pick(data, data.split.test);
    const xVal = transformRows(bundle.pipeline, validation.records);
    const xTest = transformRows(bundle.pipeline, test.records);
    const assessment = await assessModel({
      config: runConfig,
      classes: bundle.labels.classes,
      score: (x, n) => modelOutputs(bundle.model, bundle.labels, x, n, bundle.pipeline.width),
      validation: { ...xVal, y: validation.y },
      test: { ...xTest, y: test.y },
      groups: groupColumns(outputColumns(bundle.pipeline)),
      skipImportance: true,
      ...(opts.method ? { calibrationMethod: opts.method } : {}),
      // model: auto may have trained the model on the validation rows too (refit): then
      // they are not held out and no calibrator can be fitted on them.
      ...((run?.details as Partial<RunDetails> | undefined)?.selection?.refit.done ? { noCalibrationReason: 'Not calibrated: this model was refitted on its validation rows (model: auto, refit), so no held-out rows are left to fit a calibrator on.' } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });

    const bundleDir = path.resolve(root, record.path);
    const calibratorFile = path.join(bundleDir, BUNDLE_FILES.calibrator);
    if (assessment.calibrator) writeFileAtomic(calibratorFile, Buffer.from(JSON.stringify(assessment.calibrator)));
    else fs.rmSync(calibratorFile, { force: true });
    const card: ModelCard = {
      ...bundle.card,
      metrics: assessment.metrics,
      calibration: {
        method: assessment.calibration.method,
        eceBefore: assessment.calibration.test?.before.ece ?? null,
        eceAfter: assessment.calibration.test?.after.ece ?? null,
      },
    };
    writeFileAtomic(path.join(bundleDir, BUNDLE_FILES.card), Buffer.from(JSON.stringify(card, null, 2)));
    await store.updateModelMetrics(record.version, assessment.metrics);
    if (run) {
      const previous = (run.details ?? {}) as Partial<RunDetails>;
      await store.updateRun(run.id, {
        metrics: assessment.metrics,
        details: { ...previous, evaluation: assessment.evaluation, calibration: assessment.calibration, recalibratedAt: new Date().toISOString() },
      });
    }
    const reportFile = await writeRunReport(store, projectPaths(root), record.runId, config.name);
    return { model: record.version, calibration: assessment.calibration, metrics: assessment.metrics, reportFile };
  });
}

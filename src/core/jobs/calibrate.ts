/**
 * `mlloop calibrate`: choose (again) the calibrator of a saved model on the validation rows
 * of the run that trained it, and re-evaluate on its test rows. A version names one model
 * forever, so the result is a new version (same network and pipeline, the new calibrator,
 * parentVersion = the old one); the run's metrics, details and report follow it. Training
 * already calibrates with `calibration.method`; this is for trying another method without
 * retraining.
 */
import path from 'node:path';
import { outputColumns, transformRows } from '../data/pipeline';
import { modelOutputs } from '../registry/predict';
import { groupColumns } from '../explain/groups';
import type { CalibrationMethodName } from '../project/types';
import type { ProjectContext } from '../context/projectContext';
import { BUNDLE_FILES } from '../registry/bundle';
import type { ModelCard } from '../registry/types';
import { bundleDigest, materializeBundle, nextModelVersion, readBundleFolder } from '../registry/versions';
import type { BundleFile } from '../store/types';
import { assessModel, type CalibrationRecord, type RunDetails } from './assess';
import { heldOutRows, withModel } from './evaluate';
import { writeRunReport } from './report';
import { runConfigOf, runDetailsOf } from './runRecord';
import type { BackendPreference } from './train';

export interface CalibrateOptions {
  ctx: ProjectContext;
  version?: string;
  /** Default: the project's calibration.method. */
  method?: CalibrationMethodName;
  backend?: BackendPreference;
  signal?: AbortSignal;
}

export interface CalibrateResult {
  /** The new version. */
  model: string;
  /** The version it was made from. */
  from: string;
  calibration: CalibrationRecord;
  /** Test-split metrics with the chosen calibrator (or the raw probabilities). */
  metrics: Record<string, number>;
  reportFile: string;
}

export async function calibrateModel(opts: CalibrateOptions): Promise<CalibrateResult> {
  const { ctx } = opts;
  return withModel(ctx, opts.version, opts.backend, async ({ config, store, record, bundle, root }) => {
    const run = await store.getRun(record.runId);
    const stored = runConfigOf(run, config);
    const runConfig = { ...stored, calibration: config.calibration, evaluation: config.evaluation };
    const validation = await heldOutRows(store, runConfig, bundle, 'validation', opts.signal);
    const test = await heldOutRows(store, runConfig, bundle, 'test', opts.signal);
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

    const oldFiles: BundleFile[] = record.digest ? await store.getModelFiles(record.version) : readBundleFolder(path.resolve(root, record.path));
    const text = (v: unknown, pretty = false) => new Uint8Array(Buffer.from(JSON.stringify(v, null, pretty ? 2 : undefined), 'utf8'));
    const createdAt = ctx.clock.now().toISOString();
    const committed = await store.unitOfWork(async (tx) => {
      const version = await nextModelVersion(tx, ctx.paths);
      const card: ModelCard = {
        ...bundle.card,
        version,
        createdAt,
        parentVersion: record.version,
        metrics: assessment.metrics,
        calibration: {
          method: assessment.calibration.method,
          eceBefore: assessment.calibration.test?.before.ece ?? null,
          eceAfter: assessment.calibration.test?.after.ece ?? null,
        },
      };
      const files = oldFiles
        .filter((f) => f.name !== BUNDLE_FILES.calibrator && f.name !== BUNDLE_FILES.card)
        .concat([{ name: BUNDLE_FILES.card, bytes: text(card, true) }], assessment.calibrator ? [{ name: BUNDLE_FILES.calibrator, bytes: text(assessment.calibrator) }] : [])
        .sort((a, b) => (a.name < b.name ? -1 : 1));
      const digest = bundleDigest(files);
      const bundleDir = path.join(ctx.paths.modelsDir, version);
      await tx.addModel({ version, runId: record.runId, createdAt, task: record.task, metrics: assessment.metrics, path: path.relative(root, bundleDir).split(path.sep).join('/'), digest }, files);
      if (run) {
        const previous = runDetailsOf(run) as Partial<RunDetails>;
        await tx.updateRun(run.id, {
          metrics: assessment.metrics,
          modelVersion: version,
          details: { ...previous, evaluation: assessment.evaluation, calibration: assessment.calibration, recalibratedAt: createdAt, recalibratedFrom: record.version },
        });
      }
      return { version, files, digest, bundleDir };
    });
    materializeBundle(committed.bundleDir, committed.files, committed.digest);
    const reportFile = await writeRunReport(store, ctx.paths, record.runId, config.name);
    return { model: committed.version, from: record.version, calibration: assessment.calibration, metrics: assessment.metrics, reportFile };
  });
}

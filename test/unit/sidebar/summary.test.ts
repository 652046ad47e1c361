/**
 * What the sidebar, the status bar and the dashboard derive from the project state
 * (src/extension/sidebar/summary.ts). The module is pure, so it runs here in plain Node:
 * inputs are real RunRecord/ModelRecord values whose details hold EvaluationReports built by
 * `evaluatePredictions` on small arrays, and CalibrationRecords assembled the way
 * core/jobs/assess.ts assembles them (test-split scores before and after calibration).
 */
import assert from 'node:assert/strict';
import type { CalibrationRecord } from '../../../src/core/jobs/assess';
import { evaluatePredictions, type EvaluationReport } from '../../../src/core/evaluate/report';
import type { Alert, AlertSeverity } from '../../../src/core/monitor/types';
import { parseProject } from '../../../src/core/project/parse';
import type { ProjectConfig, Task } from '../../../src/core/project/types';
import type { ModelRecord, RunRecord, RunStatus } from '../../../src/core/store/types';
import type { RunningJob } from '../../../src/extension/state/jobs';
import type { ProjectSnapshot } from '../../../src/extension/state/projectState';
import {
  calibrationView,
  dashboardState,
  ECE_WARNING_THRESHOLD,
  headlineMetricNames,
  jobView,
  metricViews,
  modelView,
  primaryMetric,
  primaryMetricText,
  projectHealth,
  runCalibration,
  runEvaluation,
  runTask,
} from '../../../src/extension/sidebar/summary';

// ---------------------------------------------------------------------------- fixtures

function projectConfig(task: Task): ProjectConfig {
  const r = parseProject(`version: 1\ntask: ${task}\nlabel: y\nfeatures:\n  - { name: x, type: numeric }\n`, `demo-${task}`);
  if (!r.ok) throw new Error(`fixture config does not parse: ${JSON.stringify(r.problems)}`);
  return r.config;
}

const BINARY = projectConfig('binary');
const MULTICLASS = projectConfig('multiclass');
const REGRESSION = projectConfig('regression');

/**
 * Eight binary rows, 6 positives. A constant P(yes) = 0.75 then matches the observed rate
 * exactly (ECE 0); 0.95 is over-confident by 0.2. With 5 positives, 0.75 is off by 0.125.
 */
const Y_BINARY = [1, 1, 1, 1, 1, 1, 0, 0];
const Y_BINARY_5 = [1, 1, 1, 1, 1, 0, 0, 0];
const constant = (n: number, p: number) => new Array<number>(n).fill(p);

/** Six multiclass rows (3 classes, row-major probabilities): 5 of 6 right, over-confident. */
const Y_MULTI = [0, 1, 2, 0, 1, 2];
const S_MULTI = [0.8, 0.1, 0.1, 0.1, 0.8, 0.1, 0.1, 0.1, 0.8, 0.6, 0.3, 0.1, 0.2, 0.2, 0.6, 0.1, 0.1, 0.8];

const Y_REGRESSION = [1, 2, 3, 4];
const P_REGRESSION = [1.5, 2, 2.5, 4];

/** A run's stored details the way the assessment writes them: evaluation of the calibrated scores plus the calibration record. */
function calibratedDetails(
  task: 'binary' | 'multiclass',
  yTrue: number[],
  raw: number[],
  calibrated: number[],
  method: string,
  opts: { resamples?: number } = {},
): { evaluation: EvaluationReport; calibration: CalibrationRecord } {
  const k = task === 'binary' ? 2 : 3;
  const classes = task === 'binary' ? ['no', 'yes'] : ['a', 'b', 'c'];
  const evaluation = evaluatePredictions(task, yTrue, calibrated, k, classes, { resamples: opts.resamples ?? 200, seed: 1 });
  const before = method === 'none' ? evaluation : evaluatePredictions(task, yTrue, raw, k, classes, { resamples: 0 });
  const scores = (r: EvaluationReport) => ({ ece: r.calibration!.ece, brier: r.metrics.brier, logLoss: r.metrics.log_loss });
  const calibration: CalibrationRecord = {
    method,
    reason: method === 'none' ? 'Calibration is off (calibration.method: none).' : `${method} lowered the cross-validated ECE.`,
    warnings: [],
    selection: null,
    test: { before: scores(before), after: scores(evaluation), reliabilityBefore: before.calibration!.reliability },
  };
  return { evaluation, calibration };
}

/** Regression details: an evaluation and the "nothing to calibrate" record (no test scores). */
function regressionDetails(): { evaluation: EvaluationReport; calibration: CalibrationRecord } {
  const evaluation = evaluatePredictions('regression', Y_REGRESSION, P_REGRESSION, 1, [], { resamples: 200, seed: 1 });
  return {
    evaluation,
    calibration: { method: 'none', reason: 'Regression outputs are values, not probabilities: nothing to calibrate.', warnings: [], selection: null, test: null },
  };
}

function run(id: number, status: RunStatus, opts: { config?: ProjectConfig; details?: Record<string, unknown> | null; error?: string | null } = {}): RunRecord {
  const details = opts.details ?? null;
  const evaluation = details?.evaluation as EvaluationReport | undefined;
  const done = status !== 'running';
  return {
    id,
    status,
    startedAt: `2024-05-0${id}T10:00:00.000Z`,
    finishedAt: done ? `2024-05-0${id}T10:01:00.000Z` : null,
    durationMs: done ? 60_000 : null,
    config: opts.config ?? BINARY,
    configHash: `hash-${id}`,
    backend: 'wasm',
    dataCounts: { train: 5, validation: 2, test: evaluation?.n ?? 8 },
    metrics: status === 'completed' && evaluation ? evaluation.metrics : null,
    error: opts.error ?? null,
    modelVersion: status === 'completed' ? `v${id}` : null,
    bestEpoch: status === 'completed' ? 7 : null,
    details,
    host: null,
    pid: null,
    heartbeatAt: null,
  };
}

function modelOf(r: RunRecord, task: Task): ModelRecord {
  return {
    version: r.modelVersion ?? `v${r.id}`,
    runId: r.id,
    createdAt: r.finishedAt ?? r.startedAt,
    task,
    metrics: { ...(r.metrics ?? {}) },
    path: `.mlloop/models/v${r.id}`,
    digest: null,
  };
}

function snapshot(runs: RunRecord[], models: ModelRecord[], opts: { config?: ProjectConfig | undefined; configProblems?: number } = {}): ProjectSnapshot {
  return {
    root: '/workspace/demo',
    name: 'demo',
    config: 'config' in opts ? opts.config : BINARY,
    configProblems: opts.configProblems ?? 0,
    examples: 120,
    examplesSinceLastRun: 4,
    runs,
    models,
    // Nothing promoted: the registry's currentModel is the newest.
    current: models[0],
    currentWhy: models[0] ? 'newest' : undefined,
    registry: { champion: null, current: models[0] ? { version: models[0].version, why: 'newest' } : null, history: [] },
    cycles: [],
    loop: { lastCycle: undefined, lastFull: undefined, newLabels: 4 },
  };
}

const NO_REGISTRY = { champion: null, current: null, history: [] };

/** This window runs no watcher (the loop setting is off). */
const NO_WATCHER = { running: false, text: 'Off in this window.' };

function alert(id: string, severity: AlertSeverity, acknowledged = false): Alert {
  return {
    id,
    severity,
    title: `Alert ${id}`,
    detail: 'Measured on the last 500 predictions.',
    metric: 'psi:x',
    value: 0.3,
    threshold: 0.2,
    createdAt: '2024-05-09T08:00:00.000Z',
    acknowledged,
  };
}

function trainingJob(epochs: Array<{ epoch: number; loss: number; val_loss?: number }>, opts: Partial<RunningJob> = {}): RunningJob {
  return {
    kind: 'train',
    root: '/workspace/demo',
    title: 'training',
    startedAt: 1_715_000_000_000,
    runId: 9,
    backend: 'wasm',
    epochs: epochs.map((e) => ({ ...e, durationMs: 12 })),
    totalEpochs: 10,
    ...opts,
  };
}

/** A completed binary run with a calibrated model (ECE 0.2 raw → 0 calibrated) and its model. */
function healthyBinary(id = 3): { run: RunRecord; model: ModelRecord } {
  const r = run(id, 'completed', { details: calibratedDetails('binary', Y_BINARY, constant(8, 0.95), constant(8, 0.75), 'platt') });
  return { run: r, model: modelOf(r, 'binary') };
}

// ---------------------------------------------------------------------------- tests

describe('sidebar summary (src/extension/sidebar/summary)', () => {
  describe('reading a run', () => {
    it('reads the task from the run’s resolved config, undefined when the config has none', () => {
      assert.equal(runTask(run(1, 'completed', { config: MULTICLASS })), 'multiclass');
      assert.equal(runTask(run(1, 'completed', { config: REGRESSION })), 'regression');
      assert.equal(runTask({ ...run(1, 'failed'), config: null }), undefined);
      assert.equal(runTask({ ...run(1, 'failed'), config: { task: 3 } }), undefined);
      assert.equal(runTask(undefined), undefined);
    });

    it('finds the evaluation and calibration in details, and nothing in a run without them', () => {
      const { run: r } = healthyBinary();
      assert.equal(runEvaluation(r)?.n, 8);
      assert.equal(runCalibration(r)?.method, 'platt');
      const bare = run(2, 'failed');
      assert.equal(runEvaluation(bare), undefined);
      assert.equal(runCalibration(bare), undefined);
      // Details written by another stage (e.g. importance only) are not mistaken for an evaluation.
      const other = run(4, 'completed', { details: { importance: null, evaluation: { n: 3 }, calibration: { reason: 'x' } } });
      assert.equal(runEvaluation(other), undefined);
      assert.equal(runCalibration(other), undefined);
    });
  });

  describe('calibration view (ECE before → after from the run’s details)', () => {
    it('takes the test-split ECE before and after calibration from the run, with method and reason', () => {
      const { run: r } = healthyBinary();
      const cal = calibrationView(r);
      assert.ok(cal);
      assert.equal(cal.method, 'platt');
      assert.equal(cal.reason, 'platt lowered the cross-validated ECE.');
      // 0.95 on rows that are 75 % positive is over-confident by 0.2; 0.75 matches exactly.
      assert.ok(Math.abs(cal.eceBefore - 0.2) < 1e-12, `eceBefore ${cal.eceBefore}`);
      assert.equal(cal.eceAfter, 0);
      assert.equal(cal.eceAfter, (r.details!.calibration as CalibrationRecord).test!.after.ece);
    });

    it('shows an uncalibrated model with the same ECE before and after', () => {
      const r = run(2, 'completed', { details: calibratedDetails('binary', Y_BINARY_5, constant(8, 0.75), constant(8, 0.75), 'none') });
      const cal = calibrationView(r);
      assert.ok(cal);
      assert.equal(cal.method, 'none');
      assert.equal(cal.eceBefore, 0.125);
      assert.equal(cal.eceAfter, 0.125);
    });

    it('is null for regression (no test-split scores), a run without details, and no run', () => {
      assert.equal(calibrationView(run(1, 'completed', { config: REGRESSION, details: regressionDetails() })), null);
      assert.equal(calibrationView(run(1, 'completed')), null);
      assert.equal(calibrationView(undefined), null);
    });
  });

  describe('headline metrics', () => {
    it('uses accuracy, f1_macro, roc_auc, log_loss for classification and r2, mae for regression', () => {
      assert.deepEqual(headlineMetricNames('binary'), ['accuracy', 'f1_macro', 'roc_auc', 'log_loss']);
      assert.deepEqual(headlineMetricNames('multiclass'), ['accuracy', 'f1_macro', 'roc_auc', 'log_loss']);
      assert.deepEqual(headlineMetricNames('regression'), ['r2', 'mae']);
      assert.deepEqual(headlineMetricNames(undefined), ['accuracy', 'f1_macro', 'roc_auc', 'log_loss']);
    });

    it('shows a binary model’s headline metrics in order, with direction and the run’s bootstrap intervals', () => {
      const { run: r, model } = healthyBinary();
      const views = metricViews(model.metrics, 'binary', r);
      assert.deepEqual(views.map((v) => v.name), ['accuracy', 'f1_macro', 'roc_auc', 'log_loss']);
      assert.deepEqual(views.map((v) => v.greaterIsBetter), [true, true, true, false]);
      const evaluation = runEvaluation(r)!;
      assert.equal(views[0].value, 0.75);
      assert.deepEqual(views[0].interval, {
        lower: evaluation.intervals.byMetric.accuracy.lower,
        upper: evaluation.intervals.byMetric.accuracy.upper,
        confidence: 0.95,
      });
      for (const v of views) assert.ok(v.interval, `${v.name} has an interval`);
    });

    it('shows a multiclass model’s headline metrics (not the weighted or micro variants)', () => {
      const r = run(2, 'completed', { config: MULTICLASS, details: calibratedDetails('multiclass', Y_MULTI, S_MULTI, S_MULTI, 'none') });
      const views = metricViews(modelOf(r, 'multiclass').metrics, 'multiclass', r);
      assert.deepEqual(views.map((v) => v.name), ['accuracy', 'f1_macro', 'roc_auc', 'log_loss']);
      assert.ok(Math.abs(views[0].value - 5 / 6) < 1e-12);
    });

    it('shows a regression model’s r2 and mae (mae lower-is-better), and infers regression from r2 when the task is unknown', () => {
      const r = run(2, 'completed', { config: REGRESSION, details: regressionDetails() });
      const metrics = modelOf(r, 'regression').metrics;
      for (const task of ['regression', undefined]) {
        const views = metricViews(metrics, task, r);
        assert.deepEqual(views.map((v) => [v.name, v.greaterIsBetter]), [['r2', true], ['mae', false]], String(task));
        assert.ok(Math.abs(views[0].value - 0.9) < 1e-12);
        assert.equal(views[1].value, 0.25);
        assert.ok(views[0].interval);
      }
    });

    it('leaves out headline metrics a model does not have (e.g. roc_auc with one class in the test rows)', () => {
      const views = metricViews({ accuracy: 1, log_loss: 0.1 }, 'binary', undefined);
      assert.deepEqual(views.map((v) => v.name), ['accuracy', 'log_loss']);
      assert.equal(views[0].interval, undefined);
    });

    it('drops an interval whose estimate no longer matches the model’s value (metrics changed by recalibration)', () => {
      const { run: r, model } = healthyBinary();
      const recalibrated = { ...model.metrics, log_loss: model.metrics.log_loss - 0.05 };
      const views = metricViews(recalibrated, 'binary', r);
      assert.ok(views.find((v) => v.name === 'accuracy')!.interval, 'unchanged metric keeps its interval');
      assert.equal(views.find((v) => v.name === 'log_loss')!.interval, undefined);
    });

    it('picks accuracy (classification) or r2 (regression) as the one metric of a list row', () => {
      assert.deepEqual(primaryMetric({ log_loss: 0.3, accuracy: 0.97368 }), { name: 'accuracy', value: 0.97368 });
      assert.deepEqual(primaryMetric({ mae: 0.25, r2: 0.9 }), { name: 'r2', value: 0.9 });
      assert.equal(primaryMetric({ log_loss: 0.3 }), undefined);
      assert.equal(primaryMetric(null), undefined);
      assert.equal(primaryMetricText({ accuracy: 0.97368 }), 'accuracy 0.9737');
      assert.equal(primaryMetricText({ mae: 0.2 }), undefined);
    });
  });

  describe('model card', () => {
    it('shows version, run, time, metrics, calibration and test rows from the run that trained the model', () => {
      const older = healthyBinary(1);
      const newer = run(2, 'completed', { details: calibratedDetails('binary', Y_BINARY_5, constant(8, 0.75), constant(8, 0.75), 'none') });
      const view = modelView(older.model, { runs: [newer, older.run], registry: NO_REGISTRY, currentWhy: 'newest' });
      assert.equal(view.version, 'v1');
      assert.equal(view.runId, 1);
      assert.equal(view.createdAt, older.run.finishedAt);
      assert.equal(view.testRows, 8);
      // Calibration is the model's own run's (platt, 0 after), not the newer run's (none, 0.125).
      assert.equal(view.calibration?.method, 'platt');
      assert.equal(view.calibration?.eceAfter, 0);
      assert.deepEqual(view.metrics.map((m) => m.name), ['accuracy', 'f1_macro', 'roc_auc', 'log_loss']);
      assert.match(view.currentBecause, /newest/);
    });

    it('still shows the metrics when the model’s run is gone, without calibration, intervals or test rows', () => {
      const { model } = healthyBinary(5);
      const view = modelView(model, { runs: [], registry: NO_REGISTRY, currentWhy: 'newest' });
      assert.equal(view.calibration, null);
      assert.equal(view.testRows, null);
      assert.equal(view.metrics.length, 4);
      assert.ok(view.metrics.every((m) => m.interval === undefined));
    });

    it('has no calibration for a regression model but still counts its test rows', () => {
      const r = run(2, 'completed', { config: REGRESSION, details: regressionDetails() });
      const view = modelView(modelOf(r, 'regression'), { runs: [r], registry: NO_REGISTRY, currentWhy: 'newest' });
      assert.equal(view.calibration, null);
      assert.equal(view.testRows, 4);
      assert.deepEqual(view.metrics.map((m) => m.name), ['r2', 'mae']);
    });
  });

  describe('running job', () => {
    it('is null without a job', () => {
      assert.equal(jobView(undefined), null);
    });

    it('reports the last epoch’s losses and the val_loss history, skipping epochs without a finite val_loss', () => {
      const job = trainingJob([
        { epoch: 1, loss: 0.9, val_loss: 0.8 },
        { epoch: 2, loss: 0.7 },
        { epoch: 3, loss: 0.6, val_loss: NaN },
        { epoch: 4, loss: 0.5, val_loss: 0.55 },
      ]);
      const view = jobView(job)!;
      assert.equal(view.epochsDone, 4);
      assert.equal(view.totalEpochs, 10);
      assert.equal(view.loss, 0.5);
      assert.equal(view.valLoss, 0.55);
      assert.deepEqual(view.valLossHistory, [0.8, 0.55]);
      assert.equal(view.runId, 9);
      assert.equal(view.backend, 'wasm');
      assert.equal(view.message, null);
    });

    it('keeps only the latest 300 val_loss values for the sparkline', () => {
      const epochs = Array.from({ length: 350 }, (_, i) => ({ epoch: i + 1, loss: 1, val_loss: i + 1 }));
      const view = jobView(trainingJob(epochs, { totalEpochs: 400 }))!;
      assert.equal(view.valLossHistory.length, 300);
      assert.equal(view.valLossHistory[0], 51);
      assert.equal(view.valLossHistory[299], 350);
    });

    it('shows a job before its first epoch, or one that has no epochs (import), with zero epochs and nulls', () => {
      const view = jobView({ kind: 'import', root: '/w', title: 'importing', startedAt: 5, epochs: [], message: 'read 200 rows' })!;
      assert.equal(view.epochsDone, 0);
      assert.equal(view.loss, null);
      assert.equal(view.valLoss, null);
      assert.equal(view.totalEpochs, null);
      assert.equal(view.runId, null);
      assert.equal(view.backend, null);
      assert.equal(view.message, 'read 200 rows');
    });
  });

  describe('health', () => {
    it('is "none" without a project', () => {
      const h = projectHealth(undefined, undefined, []);
      assert.equal(h.level, 'none');
      assert.equal(h.summary, 'no project');
      assert.match(h.reasons.join(' '), /No mlloop\.yaml/);
    });

    it('is "none" with a project that has no runs and no model', () => {
      const h = projectHealth(snapshot([], []), undefined, []);
      assert.equal(h.level, 'none');
      assert.equal(h.summary, 'no model yet');
      assert.deepEqual(h.reasons, ['No model has been trained yet.']);
    });

    it('is "ok" for a completed calibrated run whose test ECE after calibration is low, naming the method', () => {
      const { run: r, model } = healthyBinary();
      const h = projectHealth(snapshot([r], [model]), undefined, []);
      assert.equal(h.level, 'ok');
      assert.equal(h.summary, 'healthy');
      assert.deepEqual(h.reasons, ['The newest run (run 3) completed.', 'Test-split ECE 0.0000 (platt calibration).']);
    });

    it('says "uncalibrated" for a model whose run used no calibrator', () => {
      const r = run(2, 'completed', { details: calibratedDetails('binary', Y_BINARY, constant(8, 0.75), constant(8, 0.75), 'none') });
      const h = projectHealth(snapshot([r], [modelOf(r, 'binary')]), undefined, []);
      assert.equal(h.level, 'ok');
      assert.ok(h.reasons.includes('Test-split ECE 0.0000 (uncalibrated).'), h.reasons.join(' | '));
    });

    it('is "ok" for a regression model, with no ECE line', () => {
      const r = run(2, 'completed', { config: REGRESSION, details: regressionDetails() });
      const h = projectHealth(snapshot([r], [modelOf(r, 'regression')], { config: REGRESSION }), undefined, []);
      assert.equal(h.level, 'ok');
      assert.equal(h.summary, 'healthy');
      assert.ok(!h.reasons.some((x) => /ECE/.test(x)), h.reasons.join(' | '));
    });

    describe('ECE warning threshold (test split, after calibration)', () => {
      /** A healthy binary project whose model's test ECE after calibration is `ece`. */
      function withEceAfter(ece: number): ProjectSnapshot {
        const { run: r, model } = healthyBinary();
        const cal = r.details!.calibration as CalibrationRecord;
        const details = { ...r.details, calibration: { ...cal, test: { ...cal.test!, after: { ...cal.test!.after, ece } } } };
        return snapshot([{ ...r, details }], [model]);
      }

      it('is 0.1', () => {
        assert.equal(ECE_WARNING_THRESHOLD, 0.1);
      });

      it('warns at exactly the threshold (it is inclusive)', () => {
        const h = projectHealth(withEceAfter(ECE_WARNING_THRESHOLD), undefined, []);
        assert.equal(h.level, 'warning');
        assert.equal(h.summary, 'ECE 0.1000 is high');
        assert.match(h.reasons.join(' '), /Test-split ECE 0\.1000 is at or above 0\.1/);
      });

      it('stays "ok" just below the threshold', () => {
        const h = projectHealth(withEceAfter(ECE_WARNING_THRESHOLD - 1e-9), undefined, []);
        assert.equal(h.level, 'ok');
        assert.equal(h.summary, 'healthy');
      });

      it('warns for a binary model that stays mis-calibrated on the test rows (ECE 0.125)', () => {
        const r = run(2, 'completed', { details: calibratedDetails('binary', Y_BINARY_5, constant(8, 0.75), constant(8, 0.75), 'none') });
        const h = projectHealth(snapshot([r], [modelOf(r, 'binary')]), undefined, []);
        assert.equal(h.level, 'warning');
        assert.equal(h.summary, 'ECE 0.1250 is high');
      });

      it('judges the ECE after calibration, not before: a raw ECE of 0.2 calibrated down to 0 is healthy', () => {
        const { run: r, model } = healthyBinary();
        assert.ok(calibrationView(r)!.eceBefore >= ECE_WARNING_THRESHOLD);
        assert.equal(projectHealth(snapshot([r], [model]), undefined, []).level, 'ok');
      });

      it('warns for an over-confident multiclass model (top-label ECE ≈ 0.167)', () => {
        const r = run(2, 'completed', { config: MULTICLASS, details: calibratedDetails('multiclass', Y_MULTI, S_MULTI, S_MULTI, 'none') });
        const h = projectHealth(snapshot([r], [modelOf(r, 'multiclass')], { config: MULTICLASS }), undefined, []);
        assert.equal(h.level, 'warning');
        assert.equal(h.summary, 'ECE 0.1667 is high');
      });
    });

    describe('newest run status', () => {
      it('is "error" when the newest run failed, quoting only the first line of its error', () => {
        const { run: good, model } = healthyBinary(1);
        const failed = run(2, 'failed', { error: 'Training diverged: loss is NaN at epoch 3.\n    at fitModel (fit.ts:200)' });
        const h = projectHealth(snapshot([failed, good], [model]), undefined, []);
        assert.equal(h.level, 'error');
        assert.equal(h.summary, 'run 2 failed');
        assert.match(h.reasons[0], /^The newest run \(run 2\) failed: Training diverged: loss is NaN at epoch 3\./);
        assert.doesNotMatch(h.reasons[0], /fitModel/, 'only the first line of the error');
        // The current model (from run 1) is still described.
        assert.ok(h.reasons.includes('Test-split ECE 0.0000 (platt calibration).'), h.reasons.join(' | '));
      });

      it('ends the reason with one full stop when the error already has one', () => {
        const failed = run(2, 'failed', { error: 'Training diverged: loss is NaN at epoch 3.' });
        const h = projectHealth(snapshot([failed], []), undefined, []);
        assert.match(h.reasons[0], /epoch 3\.$/);
        assert.doesNotMatch(h.reasons[0], /\.\.$/);
      });

      it('warns when mlloop.yaml has problems, even with a healthy model', () => {
        const { run: r, model } = healthyBinary();
        const h = projectHealth(snapshot([r], [model], { config: undefined, configProblems: 2 }), undefined, []);
        assert.equal(h.level, 'warning');
        assert.equal(h.summary, 'mlloop.yaml has problems');
        assert.match(h.reasons[0], /2 problems/);
      });

      it('is "error" for a failed first run even before any model exists', () => {
        const h = projectHealth(snapshot([run(1, 'failed')], []), undefined, []);
        assert.equal(h.level, 'error');
        assert.deepEqual(h.reasons, ['The newest run (run 1) failed.', 'No model has been trained yet.']);
      });

      it('is "warning" when the newest run was interrupted', () => {
        const { run: good, model } = healthyBinary(1);
        const h = projectHealth(snapshot([run(2, 'interrupted'), good], [model]), undefined, []);
        assert.equal(h.level, 'warning');
        assert.equal(h.summary, 'run 2 interrupted');
        assert.match(h.reasons[0], /interrupted before it finished/);
      });

      it('treats a cancelled newest run as a user choice, not a problem', () => {
        const { run: good, model } = healthyBinary(1);
        const h = projectHealth(snapshot([run(2, 'cancelled'), good], [model]), undefined, []);
        assert.equal(h.level, 'ok');
        assert.equal(h.summary, 'healthy');
        assert.equal(h.reasons[0], 'The newest run (run 2) was cancelled.');
        const noModel = projectHealth(snapshot([run(1, 'cancelled')], []), undefined, []);
        assert.equal(noModel.level, 'none');
        assert.equal(noModel.summary, 'no model yet');
      });

      it('mentions a run training in another process without changing the level', () => {
        const { run: good, model } = healthyBinary(1);
        const h = projectHealth(snapshot([run(2, 'running'), good], [model]), undefined, []);
        assert.equal(h.level, 'ok');
        assert.equal(h.reasons[0], 'Run 2 is training in another process (e.g. the CLI).');
      });

      it('looks only at the newest run: an older failure does not count', () => {
        const { run: good, model } = healthyBinary(2);
        const h = projectHealth(snapshot([good, run(1, 'failed', { error: 'old' })], [model]), undefined, []);
        assert.equal(h.level, 'ok');
      });
    });

    describe('running job', () => {
      it('wins over everything else while it runs, with epoch progress when training', () => {
        const failed = run(2, 'failed');
        const job = trainingJob([{ epoch: 1, loss: 1 }, { epoch: 2, loss: 0.8 }, { epoch: 3, loss: 0.7 }]);
        const h = projectHealth(snapshot([failed], []), job, [alert('a', 'critical')]);
        assert.equal(h.level, 'running');
        assert.equal(h.summary, 'training 3/10');
        assert.deepEqual(h.reasons, ['ML Loop is training (run 9).']);
      });

      it('shows "?" for an unknown epoch budget and no progress before the first epoch or for other jobs', () => {
        assert.equal(projectHealth(snapshot([], []), trainingJob([{ epoch: 1, loss: 1 }], { totalEpochs: undefined }), []).summary, 'training 1/?');
        assert.equal(projectHealth(snapshot([], []), trainingJob([]), []).summary, 'training');
        const importing: RunningJob = { kind: 'import', root: '/w', title: 'importing', startedAt: 1, epochs: [] };
        const h = projectHealth(snapshot([], []), importing, []);
        assert.equal(h.summary, 'importing');
        assert.deepEqual(h.reasons, ['ML Loop is importing.']);
      });

      it('is still "none" without a project, even with a job', () => {
        assert.equal(projectHealth(undefined, trainingJob([]), []).level, 'none');
      });
    });

    describe('alerts', () => {
      it('is "error" with a critical alert, counting only the critical ones in the summary', () => {
        const { run: r, model } = healthyBinary();
        const h = projectHealth(snapshot([r], [model]), undefined, [alert('c1', 'critical'), alert('c2', 'critical'), alert('w1', 'warning')]);
        assert.equal(h.level, 'error');
        assert.equal(h.summary, '2 critical alerts');
        assert.ok(h.reasons.includes('2 critical alerts from monitoring.'), h.reasons.join(' | '));
      });

      it('still lists warning alerts beside critical ones in the reasons (the tooltip hides none)', () => {
        const { run: r, model } = healthyBinary();
        const h = projectHealth(snapshot([r], [model]), undefined, [alert('c1', 'critical'), alert('w1', 'warning'), alert('w2', 'warning'), alert('w3', 'warning')]);
        assert.equal(h.summary, '1 critical alert');
        assert.ok(h.reasons.includes('3 warning alerts from monitoring.'), h.reasons.join(' | '));
      });

      it('is "warning" with warning alerts only', () => {
        const { run: r, model } = healthyBinary();
        const one = projectHealth(snapshot([r], [model]), undefined, [alert('w1', 'warning')]);
        assert.equal(one.level, 'warning');
        assert.equal(one.summary, '1 alert');
        const two = projectHealth(snapshot([r], [model]), undefined, [alert('w1', 'warning'), alert('w2', 'warning'), alert('i1', 'info')]);
        assert.equal(two.summary, '2 alerts');
      });

      it('ignores info alerts', () => {
        const { run: r, model } = healthyBinary();
        const h = projectHealth(snapshot([r], [model]), undefined, [alert('i1', 'info')]);
        assert.equal(h.level, 'ok');
        assert.equal(h.summary, 'healthy');
      });

      it('lets an error outrank an earlier warning, and the first finding name the summary among equals', () => {
        const miscalibrated = run(2, 'completed', { details: calibratedDetails('binary', Y_BINARY_5, constant(8, 0.75), constant(8, 0.75), 'none') });
        const s = snapshot([miscalibrated], [modelOf(miscalibrated, 'binary')]);
        const critical = projectHealth(s, undefined, [alert('c1', 'critical')]);
        assert.equal(critical.level, 'error');
        assert.equal(critical.summary, '1 critical alert');
        const warning = projectHealth(s, undefined, [alert('w1', 'warning')]);
        assert.equal(warning.level, 'warning');
        assert.equal(warning.summary, 'ECE 0.1250 is high');
        assert.equal(warning.reasons.length, 3);
      });

      it('keeps the failed run as the summary when a critical alert is also raised', () => {
        const h = projectHealth(snapshot([run(2, 'failed')], []), undefined, [alert('c1', 'critical')]);
        assert.equal(h.level, 'error');
        assert.equal(h.summary, 'run 2 failed');
      });
    });
  });

  describe('dashboard state', () => {
    it('shows "no project" before a project exists, loaded or not', () => {
      for (const loaded of [false, true]) {
        const st = dashboardState({ watcher: NO_WATCHER, canIngest: false, loaded, snapshot: undefined, folder: '', job: undefined, alerts: [] });
        assert.equal(st.loaded, loaded);
        assert.equal(st.project, null);
        assert.equal(st.model, null);
        assert.equal(st.lastRun, null);
        assert.equal(st.job, null);
        assert.deepEqual(st.data, { examples: 0, examplesSinceLastRun: 0, runs: 0, models: 0 });
        assert.equal(st.health.level, 'none');
        assert.deepEqual(st.alerts, { active: [], activeCount: 0 });
      }
    });

    it('shows a project with no model: task, folder and counts, but no model card', () => {
      const st = dashboardState({ watcher: NO_WATCHER, canIngest: false, loaded: true, snapshot: snapshot([], []), folder: 'models/demo', job: undefined, alerts: [] });
      assert.deepEqual(st.project, { name: 'demo', folder: 'models/demo', task: 'binary', configProblems: 0 });
      assert.equal(st.model, null);
      assert.equal(st.lastRun, null);
      assert.deepEqual(st.data, { examples: 120, examplesSinceLastRun: 4, runs: 0, models: 0 });
      assert.equal(st.health.summary, 'no model yet');
    });

    it('has a null task when mlloop.yaml does not parse, and passes the problem count on', () => {
      const st = dashboardState({ watcher: NO_WATCHER, canIngest: false, loaded: true, snapshot: snapshot([], [], { config: undefined, configProblems: 2 }), folder: '', job: undefined, alerts: [] });
      assert.equal(st.project?.task, null);
      assert.equal(st.project?.configProblems, 2);
    });

    it('shows the current model and the newest run, with the first line of a failed run’s error', () => {
      const { run: good, model } = healthyBinary(1);
      const failed = run(2, 'failed', { error: 'Out of memory\nstack…' });
      const st = dashboardState({ watcher: NO_WATCHER, canIngest: false, loaded: true, snapshot: snapshot([failed, good], [model]), folder: '', job: undefined, alerts: [] });
      assert.equal(st.model?.version, 'v1');
      assert.equal(st.model?.calibration?.method, 'platt');
      assert.deepEqual(st.lastRun, { id: 2, status: 'failed', startedAt: failed.startedAt, durationMs: 60_000, error: 'Out of memory' });
      assert.deepEqual(st.data, { examples: 120, examplesSinceLastRun: 4, runs: 2, models: 1 });
      assert.equal(st.health.level, 'error');
    });

    it('counts only unacknowledged alerts as active, lists at most 5 of them, and judges health on those', () => {
      const { run: r, model } = healthyBinary();
      const alerts = [
        ...Array.from({ length: 7 }, (_, i) => alert(`w${i}`, 'warning')),
        alert('c-ack', 'critical', true),
        alert('w-ack', 'warning', true),
      ];
      const st = dashboardState({ watcher: NO_WATCHER, canIngest: false, loaded: true, snapshot: snapshot([r], [model]), folder: '', job: undefined, alerts });
      assert.equal(st.alerts.activeCount, 7);
      assert.deepEqual(st.alerts.active.map((a) => a.id), ['w0', 'w1', 'w2', 'w3', 'w4']);
      assert.equal(st.health.level, 'warning', 'the acknowledged critical alert does not make it an error');
      assert.equal(st.health.summary, '7 alerts');

      const allAcknowledged = dashboardState({ watcher: NO_WATCHER, canIngest: false, loaded: true, snapshot: snapshot([r], [model]), folder: '', job: undefined, alerts: [alert('c', 'critical', true)] });
      assert.equal(allAcknowledged.health.level, 'ok');
      assert.deepEqual(allAcknowledged.alerts, { active: [], activeCount: 0 });
    });

    it('carries the running job and the running health together', () => {
      const job = trainingJob([{ epoch: 1, loss: 1, val_loss: 0.9 }]);
      const st = dashboardState({ watcher: NO_WATCHER, canIngest: false, loaded: true, snapshot: snapshot([run(9, 'running')], []), folder: '', job, alerts: [] });
      assert.equal(st.job?.epochsDone, 1);
      assert.equal(st.health.level, 'running');
      assert.equal(st.lastRun?.status, 'running');
      assert.equal(st.lastRun?.durationMs, null);
    });
  });
});

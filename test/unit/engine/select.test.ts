import assert from 'node:assert/strict';
import { initBackend } from '../../../src/core/engine/backend';
import { chooseSimplest, modelCandidates, pathTurn, refitDecision, trainProjectModel, MAX_MLP_CANDIDATE_WIDTH } from '../../../src/core/engine/select';
import type { Dataset } from '../../../src/core/engine/fit';
import { createRng } from '../../../src/core/util/random';
import { predictScores } from '../../../src/core/engine/fit';
import { teacherDataset, trainingConfig } from './synthetic';

describe('engine/select (model: auto)', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('keeps the simplest candidate within the tolerance of the lowest score, and never a non-finite one', () => {
    assert.deepEqual(chooseSimplest([0.5, 0.402, 0.4, 0.41], 0.005), { chosen: 1, best: 2 });
    assert.deepEqual(chooseSimplest([0.5, 0.45, 0.4], 0.005), { chosen: 2, best: 2 });
    assert.deepEqual(chooseSimplest([NaN, 0.3, Infinity], 0.005), { chosen: 1, best: 1 });
    assert.throws(() => chooseSimplest([NaN]), /no candidate/);
  });

  it("lists linear candidates in scikit-learn's units, strongest penalty first, and MLPs only for inputs up to 2,048 wide", () => {
    const narrow = modelCandidates('multiclass', 10, 500);
    assert.deepEqual(narrow.candidates.map((c) => c.label), ['logistic, C = 0.1', 'logistic, C = 1', 'logistic, C = 10', 'logistic, C = 100', 'MLP [32]', 'MLP [64, 32]']);
    assert.deepEqual(narrow.candidates[1].model, { type: 'logistic', l2: 1 / (2 * 1 * 500) });
    assert.deepEqual(narrow.skipped, []);
    const ridge = modelCandidates('regression', 10, 200);
    assert.deepEqual(ridge.candidates[0].model, { type: 'logistic', l2: 100 / 200 });
    assert.equal(ridge.candidates[0].label, 'ridge, alpha = 100');
    const wide = modelCandidates('binary', MAX_MLP_CANDIDATE_WIDTH + 1, 500);
    assert.ok(wide.candidates.every((c) => c.kind === 'linear'));
    assert.match(wide.skipped[0], /2049 columns wide/);
  });

  it('finds where a regularisation path turns: the first score worse than the best before it by more than the tolerance', () => {
    assert.equal(pathTurn([0.6, 0.5, 0.55, 0.4]), 2);
    assert.equal(pathTurn([0.6, 0.5, 0.45, 0.44]), null, 'still falling');
    assert.equal(pathTurn([0.5, 0.501, 0.5005]), null, 'a rise within 0.5% is a tie, not a turn');
    assert.equal(pathTurn([0.5, 0.5, 0.52], 0.05), null);
    assert.equal(pathTurn([0.9]), null);
    assert.equal(pathTurn([NaN, 0.5, 0.6]), 2, 'a score that is not a number is never the best');
  });

  it('on wide input (no MLPs) does not try the weaker penalties once the path has turned, says why, and chooses among the rest', async () => {
    // Text-like rows: 2,100 columns, a few informative ones and many rare noise columns, 25% of
    // labels flipped, so weak penalties memorise the noise and score worse on held-out rows.
    const rows = (n: number, seed: number): Dataset => {
      const d = MAX_MLP_CANDIDATE_WIDTH + 52;
      const rng = createRng(seed);
      const x = new Float32Array(n * d);
      const y = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const label = Math.floor(rng() * 3);
        y[i] = rng() < 0.25 ? (label + 1 + Math.floor(rng() * 2)) % 3 : label;
        x[i * d + label] = 1;
        for (let t = 0; t < 25; t++) x[i * d + 3 + Math.floor(rng() * (d - 3))] = 1;
      }
      return { x, n, d, y };
    };
    const input = {
      task: 'multiclass' as const,
      numClasses: 3,
      model: { type: 'auto' as const, refit: false },
      training: trainingConfig({ epochs: 5 }),
      train: rows(300, 31),
      validation: rows(200, 32),
      calibrationPlanned: true,
    };
    const a = await trainProjectModel(input);
    const b = await trainProjectModel(input);
    try {
      const sel = a.selection!;
      const scores = sel.candidates.map((c) => c.score);
      assert.ok(sel.candidates.length < 4, `the path turned before C = 100: ${sel.candidates.map((c) => `${c.label} ${c.score}`).join('; ')}`);
      assert.equal(pathTurn(scores), scores.length - 1, 'it ends with the candidate that turned');
      const left = sel.skipped.find((line) => /already scores/.test(line));
      assert.ok(left, sel.skipped.join(' | '));
      assert.match(left, /C = 100/);
      assert.equal(sel.chosen, chooseSimplest(scores).chosen);
      assert.deepEqual(b.selection!.candidates.map((c) => c.score), scores, 'reproducible');
    } finally {
      a.model.dispose();
      b.model.dispose();
    }
  });

  it('refits small uncalibrated data, keeps the validation rows for a planned calibrator, and obeys true / false', () => {
    assert.equal(refitDecision('auto', { train: 300, validation: 60 }, false).refit, true);
    assert.equal(refitDecision('auto', { train: 3000, validation: 600 }, true).refit, false, 'a calibrator needs the held-out rows');
    assert.match(refitDecision('auto', { train: 3000, validation: 600 }, true).reason, /calibrator/);
    assert.equal(refitDecision('auto', { train: 20_000, validation: 4000 }, false).refit, false, 'large data: little to gain');
    assert.equal(refitDecision('auto', { train: 300, validation: 0 }, false).refit, false);
    assert.equal(refitDecision(true, { train: 3000, validation: 600 }, true).refit, true);
    assert.match(refitDecision(true, { train: 3000, validation: 600 }, true).reason, /no calibrator is fitted/);
    assert.equal(refitDecision(false, { train: 300, validation: 60 }, false).refit, false);
  });

  it('chooses by validation score, records every candidate, and gives the same choice and scores for the same seed', async () => {
    const train = teacherDataset('multiclass', 300, 5, 3, 3);
    const validation = teacherDataset('multiclass', 120, 5, 3, 4);
    const input = {
      task: 'multiclass' as const,
      numClasses: 3,
      model: { type: 'auto' as const, refit: false },
      training: trainingConfig({ epochs: 8 }, { enabled: true, patience: 3 }),
      train,
      validation,
      calibrationPlanned: true,
    };
    const a = await trainProjectModel(input);
    const b = await trainProjectModel(input);
    try {
      const sel = a.selection!;
      // These validation rows come from another teacher than the training rows, so the linear
      // path turns at C = 10 and C = 100 is not tried: 5 candidates, and a line saying so.
      assert.equal(sel.candidates.length, 5);
      assert.match(sel.skipped.join('\n'), /^logistic, C = 100 — logistic, C = 10 already scores/m);
      assert.equal(sel.scoredOn, 'validation');
      assert.equal(sel.rows, 120);
      const scores = sel.candidates.map((c) => c.score);
      assert.equal(sel.chosen, chooseSimplest(scores).chosen, 'the recorded choice is the rule applied to the recorded scores');
      assert.ok(sel.candidates.every((c) => Number.isFinite(c.score) && c.rawLogLoss !== undefined && c.score <= c.rawLogLoss + 1e-12));
      assert.deepEqual(b.selection!.candidates.map((c) => c.score), scores, 'reproducible');
      assert.equal(b.selection!.chosen, sel.chosen);
      assert.equal(a.refitted, false);
      assert.deepEqual(predictScores(a.model, validation.x, validation.n, validation.d), predictScores(b.model, validation.x, validation.n, validation.d));
    } finally {
      a.model.dispose();
      b.model.dispose();
    }
  });

  it('refits the chosen settings on training + validation rows, for the selection epochs when it is an MLP', async () => {
    const train = teacherDataset('regression', 200, 4, 1, 5);
    const validation = teacherDataset('regression', 60, 4, 1, 6);
    const r = await trainProjectModel({
      task: 'regression',
      numClasses: 1,
      model: { type: 'auto', refit: 'auto' },
      training: trainingConfig({ epochs: 6 }, { enabled: true, patience: 2 }),
      train,
      validation,
      calibrationPlanned: false,
    });
    try {
      const sel = r.selection!;
      assert.equal(r.refitted, true);
      assert.equal(sel.refit.done, true);
      assert.equal(sel.refit.rows, 260);
      assert.equal(sel.metric, 'mse');
      if (sel.candidates[sel.chosen].kind === 'mlp') assert.equal(r.epochsRun, sel.refit.epochs);
      else assert.equal(r.history.length, 0, 'a linear model is fitted exactly: no epochs');
    } finally {
      r.model.dispose();
    }
  });

  it('trains an explicit model as configured, with no selection', async () => {
    const train = teacherDataset('binary', 100, 3, 2, 7);
    const r = await trainProjectModel({
      task: 'binary',
      numClasses: 2,
      model: { type: 'logistic', l2: 1e-4 },
      training: trainingConfig({ epochs: 3 }),
      train,
      validation: null,
      calibrationPlanned: false,
    });
    try {
      assert.equal(r.selection, null);
      assert.equal(r.epochsRun, 3);
    } finally {
      r.model.dispose();
    }
  });
});

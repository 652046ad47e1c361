import assert from 'node:assert/strict';
import { configDifferences, confusionDifference, describeCalibration, describeModel, metricComparison, runIdsFromArguments } from '../../../src/extension/compare/model';
import type { ComparedRun } from '../../../webview/compare/protocol';

function compared(id: number, metrics: Record<string, number>, patch: Partial<ComparedRun> = {}): ComparedRun {
  return {
    id,
    status: 'completed',
    modelVersion: `v${id}`,
    startedAt: '',
    durationMs: 1,
    task: 'multiclass',
    classes: ['a', 'b'],
    metrics,
    intervals: {},
    confidence: null,
    testRows: 10,
    epochs: [],
    bestEpoch: null,
    roc: [],
    confusionMatrix: null,
    model: 'mlp',
    calibration: 'none',
    ...patch,
  };
}

describe('compare panel model (src/extension/compare/model)', () => {
  it('computes deltas against the first run and judges them by each metric’s direction', () => {
    const rows = metricComparison([compared(1, { accuracy: 0.8, log_loss: 0.5 }), compared(2, { accuracy: 0.9, log_loss: 0.6 }), compared(3, { accuracy: 0.8, mae: 1 })]);
    const acc = rows.find((r) => r.key === 'accuracy')!;
    assert.deepEqual(acc.values, [0.8, 0.9, 0.8]);
    assert.equal(acc.deltas[0], null);
    assert.ok(Math.abs(acc.deltas[1]! - 0.1) < 1e-12);
    assert.deepEqual(acc.verdicts, [null, 1, 0]);
    const loss = rows.find((r) => r.key === 'log_loss')!;
    assert.equal(loss.direction, 'lower');
    assert.deepEqual(loss.verdicts, [null, -1, null], 'a higher log loss is worse; a missing value has no verdict');
    assert.deepEqual(
      rows.map((r) => r.key),
      ['accuracy', 'log_loss', 'mae'],
      'the first run’s metrics first, then new ones',
    );
  });

  it('subtracts confusion matrices only over the same classes', () => {
    const a = compared(1, {}, { confusionMatrix: [[5, 1], [2, 4]] });
    const b = compared(2, {}, { confusionMatrix: [[6, 0], [3, 3]] });
    assert.deepEqual(confusionDifference(a, b).difference, [[1, -1], [1, -1]]);
    const other = confusionDifference(a, { ...b, classes: ['a', 'c'] });
    assert.equal(other.difference, null);
    assert.match(other.reason!, /different classes/);
    assert.match(confusionDifference(a, { ...b, confusionMatrix: null }).reason!, /Run 2 recorded no confusion matrix/);
  });

  it('lists the config settings that differ, as dotted paths', () => {
    const diffs = configDifferences([
      { model: { type: 'mlp', hidden: [16] }, training: { seed: 1 } },
      { model: { type: 'mlp', hidden: [32] }, training: { seed: 1, epochs: 5 } },
    ]);
    assert.deepEqual(diffs, [
      { path: 'model.hidden', values: ['[16]', '[32]'] },
      { path: 'training.epochs', values: ['—', '5'] },
    ]);
  });

  it('describes the calibration a run chose, with its test ECE before and after', () => {
    assert.equal(describeCalibration({ calibration: { method: 'temperature', test: { before: { ece: 0.0297 }, after: { ece: 0.02371 } } } }), 'temperature, ECE 0.0297 → 0.0237');
    assert.equal(describeCalibration({ calibration: { method: 'none', test: null } }), 'none');
    assert.equal(describeCalibration(null), '—');
  });

  it('describes a model from its config', () => {
    assert.equal(describeModel({ model: { type: 'mlp', hidden: [64, 32], activation: 'relu', dropout: 0.1 } }), 'mlp [64, 32] relu, dropout 0.1');
    assert.equal(describeModel({ model: { type: 'logistic', l2: 0.001 } }), 'logistic, l2 0.001');
    const details = { selection: { chosen: 1, candidates: [{ label: 'logistic, C = 0.1' }, { label: 'MLP [32]' }], refit: { done: true } } };
    assert.equal(describeModel({ model: { type: 'auto', refit: 'auto' } }, details), 'auto: MLP [32], refitted');
    assert.equal(describeModel({ model: { type: 'auto', refit: 'auto' } }, null), 'auto');
  });

  it('reads run ids from an explicit list (kept in order) or from the Runs view’s selection (sorted, older first)', () => {
    assert.deepEqual(runIdsFromArguments([5, 3, 5], '/root'), [5, 3]);
    assert.deepEqual(runIdsFromArguments(7, [9, 7]), [7, 9]);
    assert.deepEqual(runIdsFromArguments(4, [9]), [4, 9], 'the clicked run joins the selection');
    assert.deepEqual(runIdsFromArguments({ runId: 2 }, [{ id: 8 }]), [2, 8]);
    assert.deepEqual(runIdsFromArguments(undefined, undefined), []);
  });
});

import assert from 'node:assert/strict';
import type { RunRecord } from '../../../src/core/store/types';
import { earlyStopEpoch, epochLogsOf, runEvaluationOf, runIdFromArgument, runSummary } from '../../../src/extension/runPanel/snapshot';

function run(patch: Partial<RunRecord> = {}): RunRecord {
  return {
    id: 7,
    status: 'completed',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:05.000Z',
    durationMs: 5000,
    config: { task: 'binary', training: { epochs: 40, earlyStopping: { enabled: true, monitor: 'val_loss', patience: 5, minDelta: 0.0001 } } },
    configHash: 'h',
    backend: 'wasm',
    dataCounts: { train: 10, validation: 3, test: 4, note: 'x' },
    metrics: { accuracy: 0.9 },
    error: null,
    modelVersion: 'v7',
    bestEpoch: 3,
    details: null,
    host: null,
    pid: null,
    heartbeatAt: null,
    ...patch,
  };
}

const extra = { root: '/p', projectName: 'p', reportAvailable: true, comparableRuns: 1 };
const epochs = (n: number) => Array.from({ length: n }, (_, i) => ({ epoch: i + 1, loss: 1 / (i + 1), durationMs: 10 }));

describe('run panel snapshot (src/extension/runPanel/snapshot)', () => {
  it('summarises a stored run: task, configured epochs, early stopping, numeric counts only', () => {
    const s = runSummary(run(), extra);
    assert.equal(s.task, 'binary');
    assert.equal(s.configuredEpochs, 40);
    assert.deepEqual(s.earlyStopping, { enabled: true, monitor: 'val_loss', patience: 5, minDelta: 0.0001 });
    assert.deepEqual(s.dataCounts, { train: 10, validation: 3, test: 4 });
  });

  it('names the training loss as the monitored value when there was no validation set, as the trainer does', () => {
    const s = runSummary(run({ dataCounts: { train: 10, validation: 0, test: 4 } }), extra);
    assert.equal(s.earlyStopping?.monitor, 'loss');
  });

  it('places the early-stop point at the last epoch only when a completed run stopped before its configured epochs', () => {
    const s = runSummary(run(), extra);
    assert.equal(earlyStopEpoch(s, epochs(12)), 12);
    assert.equal(earlyStopEpoch(s, epochs(40)), null, 'ran all configured epochs');
    assert.equal(earlyStopEpoch({ ...s, status: 'cancelled' }, epochs(12)), null, 'cancelled, not stopped early');
    assert.equal(earlyStopEpoch({ ...s, earlyStopping: { ...s.earlyStopping!, enabled: false } }, epochs(12)), null);
    assert.equal(earlyStopEpoch(s, []), null);
  });

  it('turns stored epochs into epoch logs in epoch order', () => {
    const logs = epochLogsOf([
      { epoch: 2, logs: { loss: 0.5, durationMs: 3 } },
      { epoch: 1, logs: { loss: 0.9, durationMs: 4 } },
    ]);
    assert.deepEqual(logs, [
      { epoch: 1, loss: 0.9, durationMs: 4 },
      { epoch: 2, loss: 0.5, durationMs: 3 },
    ]);
  });

  it('reads the evaluation from details, or null when the run has none', () => {
    assert.equal(runEvaluationOf(run()), null);
    assert.equal(runEvaluationOf(run({ details: { calibration: {} } })), null);
    const ev = runEvaluationOf(run({ details: { evaluation: { task: 'binary' }, importance: null } }));
    assert.deepEqual(ev, { evaluation: { task: 'binary' }, calibration: null, importance: null, selection: null });
    const selection = { metric: 'log_loss', chosen: 0, candidates: [] };
    assert.deepEqual(runEvaluationOf(run({ details: { evaluation: { task: 'binary' }, selection } }))?.selection, selection, 'model: auto runs pass their selection on');
  });

  it('shows a model: auto refit as a fixed number of epochs without early stopping', () => {
    const refitted = run({ details: { selection: { refit: { done: true, epochs: 12 } } } });
    const summary = runSummary(refitted, { root: '/p', projectName: 'p', reportAvailable: false, comparableRuns: 0 });
    assert.equal(summary.configuredEpochs, 12);
    assert.equal(summary.earlyStopping?.enabled, false);
    assert.equal(earlyStopEpoch(summary, [{ epoch: 12, loss: 1, durationMs: 1 }]), null);
  });

  it('finds the run id in command arguments: numbers, numeric strings, tree elements', () => {
    assert.equal(runIdFromArgument(3), 3);
    assert.equal(runIdFromArgument('12'), 12);
    assert.equal(runIdFromArgument({ runId: 4 }), 4);
    assert.equal(runIdFromArgument({ id: 5 }), 5);
    assert.equal(runIdFromArgument({ run: { id: 6 } }), 6);
    for (const bad of [undefined, null, 0, -1, 1.5, 'x', '', {}]) assert.equal(runIdFromArgument(bad), undefined, String(bad));
  });
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { openSqliteStore } from '../../src/core/store/sqlite';
import { projectPaths } from '../../src/core/project/workspace';
import { CancelledError } from '../../src/core/util/errors';
import { runJobInWorker } from '../../src/worker/client';
import type { JobEvent } from '../../src/worker/protocol';
import { copyExample, requireBuild, WORKER } from './helpers';

describe('jobs in the worker thread', function () {
  this.timeout(300000);
  let dir: string;
  before(async () => {
    requireBuild();
    dir = copyExample('decision-policy');
    const report = await runJobInWorker({ kind: 'import', root: dir }, { workerScript: WORKER });
    assert.ok(report.imported > 1000);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('streams one event per epoch while training, then the result', async () => {
    const events: JobEvent[] = [];
    const result = await runJobInWorker({ kind: 'train', root: dir }, { workerScript: WORKER, onEvent: (e) => events.push(e) });
    const epochs = events.filter((e) => e.type === 'epoch');
    assert.equal(epochs.length, result.epochsRun);
    assert.deepEqual(
      epochs.map((e) => (e.type === 'epoch' ? e.logs.epoch : 0)),
      Array.from({ length: result.epochsRun }, (_, i) => i + 1),
    );
    assert.equal(events[events.length - 1].type, 'finished');
    assert.ok(result.metrics.accuracy > 0.6, `accuracy ${result.metrics.accuracy}`);
  });

  it('cancels mid-training: the job ends promptly and the run is recorded as cancelled with its epochs', async () => {
    // Epochs long enough that "promptly" can be told apart from "after the training": at batch
    // 64 an epoch of this example takes ~5 ms on the SIMD loop, under the loop's 50 ms between
    // looks at the cancel signal, so ten epochs could pass before it saw the abort.
    const yamlFile = `${dir}/mlloop.yaml`;
    fs.writeFileSync(yamlFile, fs.readFileSync(yamlFile, 'utf8').replace(/batchSize: 64\b/, 'batchSize: 4'));
    const controller = new AbortController();
    let runId = 0;
    let seen = 0;
    const started = Date.now();
    let cancelledAt = 0;
    await assert.rejects(
      runJobInWorker(
        { kind: 'train', root: dir },
        {
          workerScript: WORKER,
          signal: controller.signal,
          onEvent: (e) => {
            if (e.type === 'started') runId = e.runId;
            if (e.type === 'epoch' && ++seen === 2) {
              cancelledAt = Date.now();
              controller.abort();
            }
          },
        },
      ),
      (e: unknown) => e instanceof CancelledError,
    );
    const windDownMs = Date.now() - cancelledAt;
    assert.ok(cancelledAt > started);
    // The worker stopped by itself (the client terminates only after a 10 s grace).
    assert.ok(windDownMs < 10000, `took ${windDownMs} ms to stop`);
    const store = await openSqliteStore(projectPaths(dir).storeFile);
    const run = await store.getRun(runId);
    assert.equal(run?.status, 'cancelled');
    const epochs = await store.listEpochs(runId);
    assert.ok(epochs.length >= 2 && epochs.length < 10, `${epochs.length} epochs recorded`);
    await store.close();
  });
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { projectPaths } from '../../src/core/project/workspace';
import { StoreClient } from '../../src/worker/storeClient';
import { copyExample, mlloop, REPO, requireBuild } from './helpers';

describe('the store worker the extension reads through', function () {
  this.timeout(120000);
  const script = path.join(REPO, 'dist', 'storeWorker.js');
  let dir: string;
  let client: StoreClient;
  before(() => {
    requireBuild();
    dir = copyExample('iris');
    client = new StoreClient(script, projectPaths(dir).storeFile);
  });
  after(async () => {
    await client.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers null while there is no store, without creating one', async () => {
    assert.equal(await client.request({ method: 'summary' }), null);
    assert.equal(fs.existsSync(projectPaths(dir).storeFile), false);
  });

  it('sees what another process writes: imports, runs with epochs, models', async () => {
    mlloop(dir, ['import']);
    let summary = await client.request({ method: 'summary' });
    assert.equal(summary?.examples, 150);
    assert.equal(summary?.examplesSinceLastRun, 150);
    assert.equal(summary?.runs.length, 0);
    const trained = mlloop(dir, ['train', '--json']).json;
    summary = await client.request({ method: 'summary' });
    assert.equal(summary?.runs[0].id, trained.run);
    assert.equal(summary?.runs[0].status, 'completed');
    assert.equal(summary?.models[0].version, trained.model);
    assert.equal(summary?.examplesSinceLastRun, 0);
    const detail = await client.request({ method: 'runWithEpochs', runId: trained.run });
    assert.ok(detail, 'the run is found');
    assert.ok(detail.epochs.length > 0);
    assert.deepEqual(detail.epochs.map((e) => e.epoch), Array.from({ length: detail.epochs.length }, (_, i) => i + 1));
    assert.ok((detail.run.details as { evaluation?: unknown }).evaluation, 'the run carries its evaluation');
    assert.equal(await client.request({ method: 'runWithEpochs', runId: 999 }), null);
  });

  it('deletes a run', async () => {
    const before = await client.request({ method: 'summary' });
    await client.request({ method: 'deleteRun', runId: before!.runs[0].id });
    const after = await client.request({ method: 'summary' });
    assert.equal(after!.runs.length, before!.runs.length - 1);
  });
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { withProjectContext } from '../../src/core/context/projectContext';
import { comparePredictions as compareJob, type ComparePredictionsOptions } from '../../src/core/jobs/compare';
import { splitIndices } from '../../src/core/data/split';
import type { ProjectConfig } from '../../src/core/project/types';
import { openSqliteStore } from '../../src/core/store/sqlite';
import { loadBundle, predictRecords } from '../../src/runtime';
import { runJobInWorker } from '../../src/worker/client';
import { collectExamples, copyExample, mlloop, requireBuild, WORKER } from './helpers';

/** The job with a project context for `root`, as the CLI and the worker build it. */
function comparePredictions(opts: Omit<ComparePredictionsOptions, 'ctx'> & { root: string }) {
  const { root, ...rest } = opts;
  return withProjectContext(root, { purpose: 'compare test' }, (ctx) => compareJob({ ctx, ...rest }));
}

describe('comparePredictions: rows whose prediction changed between two runs (iris)', function () {
  this.timeout(300000);
  let dir: string;
  let first: number;
  let second: number;
  before(() => {
    requireBuild();
    dir = copyExample('iris');
    assert.equal(mlloop(dir, ['import']).code, 0);
    const a = mlloop(dir, ['train', '--json']);
    assert.equal(a.code, 0, a.stderr);
    first = a.json.run;
    // A deliberately weak second model (3 epochs of a slow logistic regression), so that many
    // test predictions differ from the first model's.
    const yaml = fs.readFileSync(path.join(dir, 'mlloop.yaml'), 'utf8');
    const weak = yaml
      .replace(/model:\n(?:  .*\n|\s*#.*\n)+/, 'model:\n  type: logistic\n  l2: 0.0001\n')
      .replace(/epochs: 200/, 'epochs: 3')
      .replace(/learningRate: 0.01/, 'learningRate: 0.001');
    assert.notEqual(weak, yaml);
    fs.writeFileSync(path.join(dir, 'mlloop.yaml'), weak);
    const b = mlloop(dir, ['train', '--json']);
    assert.equal(b.code, 0, b.stderr);
    second = b.json.run;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists exactly the test rows whose labels differ, with both models’ predictions and the true label', async () => {
    const changes = await comparePredictions({ root: dir, baseRunId: first, otherRunId: second, backend: 'wasm' });
    assert.equal(changes.on, `test split of run ${second}`);
    assert.equal(changes.baseVersion, `v${first}`);
    assert.equal(changes.otherVersion, `v${second}`);

    // Recompute independently: every example in memory, the newer run's test split by the
    // split function itself (the job streams ids and labels instead), both bundles, predictRecords.
    const store = await openSqliteStore(path.join(dir, '.mlloop', 'store.sqlite'));
    const run = (await store.getRun(second))!;
    const examples = await collectExamples(store);
    await store.close();
    const bundleA = await loadBundle(path.join(dir, '.mlloop', 'models', `v${first}`));
    const bundleB = await loadBundle(path.join(dir, '.mlloop', 'models', `v${second}`));
    const seen = examples.filter((e) => e.id <= bundleB.card.data.maxExampleId);
    const cfg = run.config as ProjectConfig;
    const split = splitIndices(seen.map((e) => e.label), { testFraction: cfg.training.testSplit, validationFraction: cfg.training.validationSplit, seed: cfg.training.seed, stratify: true });
    const test = Array.from(split.test, (i) => seen[i]);
    const a = predictRecords(bundleA, test.map((e) => e.record));
    const b = predictRecords(bundleB, test.map((e) => e.record));
    const expected = new Map<number, { a: string; b: string; actual: string }>();
    test.forEach((e, i) => {
      const pa = a[i] as { label: string };
      const pb = b[i] as { label: string };
      if (pa.label !== pb.label) expected.set(e.id, { a: pa.label, b: pb.label, actual: String(e.label) });
    });

    assert.equal(changes.n, test.length);
    assert.ok(expected.size > 0, 'the weak model should disagree with the first on some rows');
    assert.equal(changes.changed, expected.size);
    assert.equal(changes.rows.length, expected.size);
    for (const row of changes.rows) {
      const want = expected.get(row.exampleId);
      assert.ok(want, `row ${row.exampleId} is listed but its prediction did not change`);
      assert.equal((row.base as { label: string }).label, want.a);
      assert.equal((row.other as { label: string }).label, want.b);
      assert.equal(row.actual, want.actual);
      const kind = want.b === want.actual ? 'fixed' : want.a === want.actual ? 'broke' : 'changed';
      assert.equal(row.kind, kind);
      assert.equal(typeof row.record.sepal_length, 'string');
    }
    assert.equal(changes.fixed, changes.rows.filter((r) => r.kind === 'fixed').length);
    assert.equal(changes.broke, changes.rows.filter((r) => r.kind === 'broke').length);
    // Broken rows come first: they are the regressions a reviewer looks for.
    const kinds = changes.rows.map((r) => r.kind);
    assert.deepEqual(kinds, [...kinds].sort((x, y) => ['broke', 'fixed', 'changed'].indexOf(x) - ['broke', 'fixed', 'changed'].indexOf(y)));
    assert.deepEqual(changes.features, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
  });

  it('caps the rows at the limit but still counts them all', async () => {
    const all = await comparePredictions({ root: dir, baseRunId: first, otherRunId: second, backend: 'wasm' });
    const capped = await comparePredictions({ root: dir, baseRunId: first, otherRunId: second, limit: 1, backend: 'wasm' });
    assert.equal(capped.rows.length, Math.min(1, all.changed));
    assert.equal(capped.changed, all.changed);
    assert.deepEqual(capped.rows[0], all.rows[0]);
  });

  it('runs in the job worker and refuses a run that does not exist', async () => {
    const viaWorker = await runJobInWorker({ kind: 'comparePredictions', root: dir, baseRunId: second, otherRunId: first }, { workerScript: WORKER });
    assert.equal(viaWorker.baseRunId, second);
    assert.equal(viaWorker.on, `test split of run ${second}`);
    assert.ok(viaWorker.changed > 0);
    await assert.rejects(
      runJobInWorker({ kind: 'comparePredictions', root: dir, baseRunId: first, otherRunId: 99 }, { workerScript: WORKER }),
      (e: Error) => e.name === 'UserError' && /no run 99/.test(e.message),
    );
  });
});

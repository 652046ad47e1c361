/**
 * The loop's commands through the built CLI, on a real project folder and store:
 * `mlloop ingest`, `mlloop feedback`, `mlloop import --kind predictions|feedback|outcomes`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openSqliteStore } from '../../src/core/store/sqlite';
import type { Store } from '../../src/core/store/types';
import { collectExamples, mlloop, requireBuild, tempDir } from './helpers';
import { line, SPAM_PROJECT_KEPT } from './support/loopProject';

describe('mlloop ingest, feedback and import --kind (built CLI)', function () {
  this.timeout(300_000);
  let dir: string;
  const inbox = () => path.join(dir, '.mlloop', 'inbox');
  const withStore = async <T>(fn: (s: Store) => Promise<T>): Promise<T> => {
    const s = await openSqliteStore(path.join(dir, '.mlloop', 'store.sqlite'));
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  };

  before(requireBuild);
  beforeEach(() => {
    dir = tempDir('mlloop-cli-loop-');
    fs.writeFileSync(path.join(dir, 'mlloop.yaml'), SPAM_PROJECT_KEPT);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('ingest --json prints exactly {ingested, rejected}; exit 2 while something was set aside, 0 when all was taken', () => {
    fs.mkdirSync(inbox(), { recursive: true });
    fs.writeFileSync(path.join(inbox(), 'app.jsonl'), [line.prediction('p1'), line.feedback('p1'), line.feedback('p2'), '{"kind":"outcome"}', line.example(4)].join('\n') + '\n' + line.prediction('p2').slice(0, 30));
    const r = mlloop(dir, ['ingest', '--json']);
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(r.json, {
      ingested: { predictions: 1, feedback: 1, outcomes: 0, examples: 2 },
      rejected: [
        { file: '.mlloop/inbox/app.jsonl', line: 3, reason: "unknown prediction 'p2': set aside until it is logged" },
        { file: '.mlloop/inbox/app.jsonl', line: 4, reason: "missing 'prediction'" },
      ],
    });
    fs.appendFileSync(path.join(inbox(), 'app.jsonl'), line.prediction('p2').slice(30) + '\n');
    const again = mlloop(dir, ['ingest', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(again.json, { ingested: { predictions: 1, feedback: 1, outcomes: 0, examples: 1 }, rejected: [] }, 'the completed line, and the feedback that waited for it');
    const text = mlloop(dir, ['ingest']);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^Ingested 0 predictions, 0 feedback, 0 outcomes and 0 training examples from 1 inbox file\.$/m);
  });

  it('feedback records one by hand: a label becomes an example linked to the prediction; unknown predictions and labels are clear errors', async () => {
    fs.mkdirSync(inbox(), { recursive: true });
    fs.writeFileSync(path.join(inbox(), 'app.jsonl'), `${line.prediction('p1', { input: { words: 9, sender: 'boss' } })}\n${line.prediction('p2', { model: 'v1' })}\n`);
    assert.equal(mlloop(dir, ['ingest']).code, 0);
    // Model v1's classes, as a trained bundle records them.
    await withStore(async (s) => {
      const run = await s.createRun({ config: {}, configHash: 'h' });
      await s.addModel({ version: 'v1', runId: run, createdAt: new Date().toISOString(), task: 'binary', metrics: {}, path: '.mlloop/models/v1', digest: null }, [
        { name: 'labels.json', bytes: new Uint8Array(Buffer.from(JSON.stringify({ task: 'binary', classes: ['no', 'yes'] }))) },
      ]);
    });
    const r = mlloop(dir, ['feedback', '--prediction', 'p1', '--label', 'no', '--by', 'ana', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(Object.keys(r.json), ['prediction', 'time', 'label', 'accepted', 'by', 'example', 'reason']);
    assert.deepEqual({ ...r.json, time: undefined }, { prediction: 'p1', time: undefined, label: 'no', accepted: null, by: 'ana', example: 1, reason: null });
    const accept = mlloop(dir, ['feedback', '--prediction', 'p2', '--accept', '--json']);
    assert.equal(accept.code, 0, accept.stderr);
    assert.equal(accept.json.example, 2);
    const reject = mlloop(dir, ['feedback', '--prediction', 'p2', '--reject']);
    assert.equal(reject.code, 0, reject.stderr);
    assert.match(reject.stdout, /Recorded feedback on p2: rejected\./);
    await withStore(async (s) => {
      const fb = await s.listFeedback({ prediction: 'p1' });
      assert.deepEqual(fb.map((f) => [f.label, f.by, f.source, f.exampleId, f.time]), [['no', 'ana', 'cli', 1, r.json.time]]);
      const [e1, e2] = await collectExamples(s);
      assert.deepEqual([e1.source, e1.label, e1.eventTime, e1.record], ['feedback', 'no', r.json.time, { words: 9, sender: 'boss', spam: 'no' }]);
      assert.equal(e2.label, 'yes', 'accepted: the predicted label');
      assert.equal((await s.listFeedback({ prediction: 'p2' })).length, 2);
    });

    const unknown = mlloop(dir, ['feedback', '--prediction', 'p404', '--accept', '--json']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.json.error.message, /There is no prediction 'p404' in the store.*mlloop ingest/);
    const badLabel = mlloop(dir, ['feedback', '--prediction', 'p1', '--label', 'maybe']);
    assert.equal(badLabel.code, 2);
    assert.match(badLabel.stderr, /'maybe' is not one of the classes of model v1, which made prediction 'p1': 'no', 'yes'\./);
    const two = mlloop(dir, ['feedback', '--prediction', 'p1', '--accept', '--reject']);
    assert.equal(two.code, 2);
    assert.match(two.stderr, /exactly one of --label LABEL, --accept or --reject \(got --accept and --reject\)/);
    const none = mlloop(dir, ['feedback', '--label', 'no']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /needs --prediction ID/);
    await withStore(async (s) => assert.equal((await s.listFeedback()).length, 3, 'the refused ones recorded nothing'));
  });

  it('import --kind takes history from CSV, JSONL and JSON with the inbox keys: once, rows rejected with file:line, feedback after its predictions', async () => {
    fs.writeFileSync(
      path.join(dir, 'predictions.csv'),
      [
        'id,model,time,input.words,input.sender,output.label,output.confidence,latency_ms',
        'h1,v1,2026-10-01T08:00:00Z,3,shop,yes,0.8,12',
        'h2,v1,2026-10-01T09:00:00Z,5,boss,no,0.6,',
        'h3,v1,2026-10-01T10:00:00Z,5,boss,no,1.6,',
        'h4,v1,yesterday,5,boss,no,0.6,',
      ].join('\n') + '\n',
    );
    fs.writeFileSync(
      path.join(dir, 'feedback.jsonl'),
      [
        JSON.stringify({ prediction: 'h1', time: '2026-10-02T08:00:00Z', label: 'no', by: 'ana' }),
        JSON.stringify({ kind: 'feedback', prediction: 'h2', time: '2026-10-02T08:00:00Z', accepted: true }),
        JSON.stringify({ prediction: 'h9', time: '2026-10-02T08:00:00Z', accepted: true }),
        JSON.stringify({ kind: 'outcome', prediction: 'h1', time: '2026-10-02T08:00:00Z', label: 'no' }),
      ].join('\n') + '\n',
    );
    fs.writeFileSync(path.join(dir, 'outcomes.json'), JSON.stringify([{ prediction: 'h2', time: '2026-10-05T00:00:00Z', label: 'yes' }]));

    const early = mlloop(dir, ['import', '--kind', 'feedback', 'feedback.jsonl', '--json']);
    assert.equal(early.code, 2);
    assert.equal(early.json.imported, 0);
    assert.match(early.json.rejected[0].reason, /unknown prediction 'h1': import the predictions before their feedback/);

    const p = mlloop(dir, ['import', '--kind', 'predictions', 'predictions.csv', '--json']);
    assert.equal(p.code, 2, p.stderr);
    assert.deepEqual(p.json, {
      kind: 'predictions',
      imported: 2,
      duplicates: 0,
      examples: 0,
      rejected: [
        { file: 'predictions.csv', line: 4, reason: "'output.confidence' must be ≤ 1 (got 1.6)" },
        { file: 'predictions.csv', line: 5, reason: "'time': 'yesterday' is not an ISO-8601 time (e.g. 2026-12-01T08:00:00Z)" },
      ],
      rejected_total: 2,
      rows_read: 4,
    });
    const f = mlloop(dir, ['import', '--kind', 'feedback', 'feedback.jsonl', '--json']);
    assert.deepEqual([f.code, f.json.imported, f.json.examples, f.json.rejected], [
      2,
      2,
      2,
      [
        { file: 'feedback.jsonl', line: 3, reason: "unknown prediction 'h9': import the predictions before their feedback" },
        { file: 'feedback.jsonl', line: 4, reason: "'kind' is \"outcome\", but this import is of feedback (kind 'feedback')" },
      ],
    ]);
    const o = mlloop(dir, ['import', '--kind', 'outcomes', 'outcomes.json', '--json']);
    assert.deepEqual([o.code, o.json.imported, o.json.examples], [0, 1, 1]);
    const again = mlloop(dir, ['import', '--kind', 'predictions', 'predictions.csv', '--json']);
    assert.deepEqual([again.json.imported, again.json.duplicates], [0, 2], 'the same file again adds nothing');
    const fAgain = mlloop(dir, ['import', '--kind', 'feedback', 'feedback.jsonl', '--json']);
    assert.deepEqual([fAgain.json.imported, fAgain.json.duplicates, fAgain.json.examples], [0, 2, 0]);

    await withStore(async (s) => {
      const h1 = (await s.getPredictions(['h1'])).get('h1')!;
      assert.deepEqual([h1.input, h1.output, h1.latencyMs, h1.source], [{ words: '3', sender: 'shop' }, { label: 'yes', confidence: 0.8 }, 12, 'predictions.csv']);
      const examples = await collectExamples(s);
      assert.deepEqual(examples.map((e) => [e.source, e.label, e.eventTime]), [
        ['feedback', 'no', '2026-10-02T08:00:00.000Z'],
        ['feedback', 'no', '2026-10-02T08:00:00.000Z'],
        ['outcome', 'yes', '2026-10-05T00:00:00.000Z'],
      ]);
      assert.deepEqual(await s.listRejectedLines(), [], 'history rejections are reported, not stored');
    });

    const text = mlloop(dir, ['import', '--kind', 'predictions', 'predictions.csv']);
    assert.match(text.stdout, /Imported 0 predictions \(2 already stored, 2 rejected\) from 1 file; 0 became training examples\.\n {2}predictions\.csv:4: /);
    const bad = mlloop(dir, ['import', '--kind', 'guesses', 'predictions.csv']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--kind must be examples, predictions, feedback, outcomes \(got 'guesses'\)/);
    const noFiles = mlloop(dir, ['import', '--kind', 'feedback']);
    assert.equal(noFiles.code, 2);
    assert.match(noFiles.stderr, /needs the files to import/);
  });
});

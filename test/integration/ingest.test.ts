/**
 * The inbox (src/core/loop/ingest.ts) on real files and both store engines: growing files,
 * partial last lines, replaced and truncated files, lines set aside with their reason,
 * feedback waiting for its prediction, feedback and outcomes becoming training examples,
 * retention on a fake clock, and two ingesters at once.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fakeClock } from '../../src/core/context/clock';
import { ingestInbox, type IngestResult } from '../../src/core/loop/ingest';
import { collectExamples } from './helpers';
import { ENGINE_NAMES, line, loopProject, prepareEngine, SPAM_PROJECT, SPAM_PROJECT_KEPT, type LoopProject } from './support/loopProject';

const counts = (r: IngestResult) => [r.ingested.predictions, r.ingested.feedback, r.ingested.outcomes, r.ingested.examples];

for (const engine of ENGINE_NAMES) {
  describe(`the inbox on ${engine}`, function () {
    this.timeout(120_000);
    let p: LoopProject;
    const file = (name: string) => path.join(p.inbox, name);
    const append = (name: string, text: string) => fs.appendFileSync(file(name), text);

    before(async function () {
      this.timeout(900_000);
      await prepareEngine(engine);
    });
    beforeEach(async () => {
      p = await loopProject(engine);
    });
    afterEach(async () => {
      await p.dispose();
    });

    it('takes a growing file line by line, a partial last line only once its newline arrives', async () => {
      const a = line.prediction('a1');
      const b = line.prediction('a2');
      append('app.jsonl', `${a}\n${b.slice(0, 25)}`);
      assert.deepEqual(counts(await ingestInbox(p.ctx)), [1, 0, 0, 0]);
      assert.deepEqual(counts(await ingestInbox(p.ctx)), [0, 0, 0, 0], 'the partial line is not taken');
      append('app.jsonl', b.slice(25, 60));
      assert.deepEqual(counts(await ingestInbox(p.ctx)), [0, 0, 0, 0]);
      append('app.jsonl', `${b.slice(60)}\n\n   \n${line.feedback('a2')}\r\n`);
      const r = await ingestInbox(p.ctx);
      assert.deepEqual(counts(r), [1, 1, 0, 1], 'the completed line, a blank line and a CRLF line');
      assert.deepEqual(r.rejected, []);
      assert.deepEqual(counts(await ingestInbox(p.ctx)), [0, 0, 0, 0]);
      const [state] = await p.store.getInboxFiles();
      assert.equal(state.name, engine === 'postgres' ? `${require('node:os').hostname()}/app.jsonl` : 'app.jsonl');
      assert.equal(state.offset, fs.statSync(file('app.jsonl')).size);
      assert.equal(state.lines, 5);
      assert.equal((await p.store.getPredictions(['a1', 'a2'])).size, 2);
    });

    it('sets malformed lines aside with file, line and reason, keeps them once, and takes the good lines around them', async () => {
      append(
        'app.jsonl',
        [
          line.prediction('ok1'),
          'not json at all',
          JSON.stringify({ kind: 'prediction', id: 'bad', model: 'v1', time: '2026-11-30T10:00:00Z', input: {}, output: { label: 'yes', confidence: 1.5 } }),
          JSON.stringify({ kind: 'feedback', prediction: 'ok1', time: 'yesterday', label: 'no' }),
          JSON.stringify({ kind: 'feedback', prediction: 'ok1', time: '2026-11-30T11:00:00Z' }),
          JSON.stringify({ kind: 'comment', text: 'hi' }),
          JSON.stringify({ kind: 'outcome', prediction: 'ok1', time: '2026-11-30T11:00:00Z', label: 'yes', lable: 'x' }),
          '[1, 2]',
          line.example(3, { record: { words: 'many', sender: 'x', spam: 'no' } }),
          `{"kind":"example","record":${'['.repeat(40)}${']'.repeat(40)}}`,
          JSON.stringify({ kind: 'prediction', id: 'v', model: 'v1', time: '2026-11-30T10:00:00Z', input: {}, output: { value: 3 } }),
          line.feedback('ok1'),
        ].join('\n') + '\n',
      );
      fs.appendFileSync(file('app.jsonl'), Buffer.from([0xff, 0xfe, 0x7b, 0x0a]));
      const r = await ingestInbox(p.ctx);
      assert.deepEqual(counts(r), [1, 1, 0, 1]);
      const f = '.mlloop/inbox/app.jsonl';
      assert.deepEqual(r.rejected, [
        { file: f, line: 2, reason: r.rejected[0].reason },
        { file: f, line: 3, reason: "'output.confidence' must be ≤ 1 (got 1.5)" },
        { file: f, line: 4, reason: "'time': 'yesterday' is not an ISO-8601 time (e.g. 2026-12-01T08:00:00Z)" },
        { file: f, line: 5, reason: "a feedback line needs 'label' or 'accepted'" },
        { file: f, line: 6, reason: "'kind' must be prediction, feedback, outcome or example (got 'comment')" },
        { file: f, line: 7, reason: "unknown field 'lable'" },
        { file: f, line: 8, reason: 'a line must be a JSON object, not [1,2]' },
        { file: f, line: 9, reason: "feature 'words': 'many' is not a number" },
        { file: f, line: 10, reason: 'nested deeper than 32 levels' },
        { file: f, line: 11, reason: "'output' needs 'label': the project's task is binary" },
        { file: f, line: 13, reason: 'not UTF-8 text' },
      ]);
      assert.match(r.rejected[0].reason, /^not JSON: /);
      await ingestInbox(p.ctx);
      const stored = await p.store.listRejectedLines();
      assert.deepEqual(stored.map((x) => x.line).sort((a, b) => a - b), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13], 'each set aside once, across ingests');
      assert.equal(stored.find((x) => x.line === 2)!.text, 'not json at all');
      assert.equal(stored.find((x) => x.line === 2)!.source, 'inbox/app.jsonl');
    });

    it('sets aside a line longer than the bound unread, whole lines after it taken, also when it arrives in pieces', async () => {
      const long = JSON.stringify({ kind: 'example', record: { words: 1, sender: 'y'.repeat(5000), spam: 'no' } });
      append('big.jsonl', `${line.prediction('before')}\n${long.slice(0, 3000)}`);
      const first = await ingestInbox(p.ctx, { maxLineBytes: 2048 });
      assert.deepEqual(counts(first), [1, 0, 0, 0]);
      assert.deepEqual(first.rejected, [], 'not rejected before its end is seen');
      append('big.jsonl', `${long.slice(3000)}\n${line.prediction('after')}\n`);
      const r = await ingestInbox(p.ctx, { maxLineBytes: 2048 });
      assert.deepEqual(counts(r), [1, 0, 0, 0]);
      assert.deepEqual(r.rejected, [{ file: '.mlloop/inbox/big.jsonl', line: 2, reason: `longer than 2048 bytes (${long.length} bytes): set aside unread` }]);
      assert.equal((await p.store.listRejectedLines())[0].text.length, 2000);
    });

    it('reads a replaced file again from its start without taking any line twice', async () => {
      append('app.jsonl', `${line.prediction('r1')}\n${line.feedback('r1')}\nbroken line one\n`);
      assert.deepEqual(counts(await ingestInbox(p.ctx)), [1, 1, 0, 1]);
      // An app that rewrites its log: a new file (new inode) with the old lines and new ones, renamed over the old.
      const tmp = path.join(p.inbox, '.app.jsonl.tmp');
      fs.writeFileSync(tmp, fs.readFileSync(file('app.jsonl'), 'utf8') + `${line.prediction('r2')}\n${line.outcome('r1')}\n`);
      fs.renameSync(tmp, file('app.jsonl'));
      const r = await ingestInbox(p.ctx);
      assert.deepEqual(counts(r), [1, 0, 1, 1], 'only the new lines count');
      // The broken line is read again in the new file: set aside again, as a line of the new file.
      assert.deepEqual(r.rejected.map((x) => x.line), [3]);
      const [state] = await p.store.getInboxFiles();
      assert.equal(state.lines, 5);
      assert.deepEqual((await p.store.listFeedback()).length, 1);
      assert.equal(await p.store.countExamples(), 2);
    });

    it('starts a truncated or rewritten file again from 0', async () => {
      append('app.jsonl', `${line.prediction('t1')}\n${line.prediction('t2')}\n`);
      await ingestInbox(p.ctx);
      // Truncated (copytruncate rotation) and written again: shorter than what was taken.
      fs.writeFileSync(file('app.jsonl'), `${line.prediction('t3')}\n`);
      assert.deepEqual(counts(await ingestInbox(p.ctx)), [1, 0, 0, 0]);
      // Rewritten in place to at least the same length: the same inode, other first bytes.
      const t4 = line.prediction('t4');
      fs.writeFileSync(file('app.jsonl'), `${t4}\n${line.prediction('t5')}\n`);
      assert.deepEqual(counts(await ingestInbox(p.ctx)), [2, 0, 0, 0]);
      assert.equal((await p.store.getPredictions(['t1', 't2', 't3', 't4', 't5'])).size, 5);
      assert.equal((await p.store.getInboxFiles())[0].lines, 2);
      // Rewritten in place with the same start (more than the 4096 bytes compared there) but other lines after it.
      const start = Array.from({ length: 40 }, (_, i) => line.prediction(`same-start-${i}`)).join('\n') + '\n';
      fs.writeFileSync(file('app.jsonl'), `${start}${line.prediction('t6')}\n`);
      assert.deepEqual(counts(await ingestInbox(p.ctx)), [41, 0, 0, 0]);
      fs.writeFileSync(file('app.jsonl'), `${start}${line.prediction('t7')}\n${line.prediction('t8')}\n`);
      assert.deepEqual(counts(await ingestInbox(p.ctx)), [2, 0, 0, 0], 'the bytes before the offset changed: read again, and t7 is not skipped');
    });

    it('refuses a second prediction with the same id and other content, naming where the first came from', async () => {
      append('a.jsonl', `${line.prediction('dup')}\n${line.prediction('dup')}\n${line.prediction('dup', { model: 'v9' })}\n`);
      const r = await ingestInbox(p.ctx);
      assert.deepEqual(counts(r), [1, 0, 0, 0]);
      assert.deepEqual(r.rejected, [{ file: '.mlloop/inbox/a.jsonl', line: 3, reason: "prediction id 'dup' is already logged with other content (earlier in this batch); each prediction needs its own id" }]);
      append('b.jsonl', `${line.prediction('dup', { time: '2026-11-30T10:00:01Z' })}\n`);
      assert.match((await ingestInbox(p.ctx)).rejected[0].reason, /already logged with other content \(from inbox\/a\.jsonl\)/);
    });

    it('turns feedback and outcomes into training examples linked to their prediction, with its input and their time', async () => {
      const reg = p.withConfig(SPAM_PROJECT_KEPT);
      append(
        'app.jsonl',
        [
          line.prediction('f1', { input: { words: 12, sender: 'boss' }, output: { label: 'yes', confidence: 0.9 } }),
          line.prediction('f2', { input: { words: 3, sender: 'shop' }, output: { label: true, confidence: 0.6 } }),
          line.prediction('f3'),
          line.feedback('f1', { label: 'no', by: 'ana', duration_ms: 2300, time: '2026-11-30T13:00:00+01:00' }),
          line.feedback('f2', { label: undefined, accepted: true }),
          line.feedback('f3', { label: undefined, accepted: false }),
          line.outcome('f3', { label: 'no', time: '2026-12-01T09:00:00Z' }),
        ].join('\n') + '\n',
      );
      const r = await ingestInbox(reg);
      assert.deepEqual(counts(r), [3, 3, 1, 3]);
      const fb = await p.store.listFeedback();
      const examples = await collectExamples(p.store);
      const byId = new Map(examples.map((e) => [e.id, e]));
      const f1 = fb.find((f) => f.prediction === 'f1')!;
      assert.deepEqual({ label: f1.label, by: f1.by, durationMs: f1.durationMs, time: f1.time }, { label: 'no', by: 'ana', durationMs: 2300, time: '2026-11-30T12:00:00.000Z' });
      const e1 = byId.get(f1.exampleId!)!;
      assert.deepEqual(
        { source: e1.source, label: e1.label, eventTime: e1.eventTime, record: e1.record },
        { source: 'feedback', label: 'no', eventTime: '2026-11-30T12:00:00.000Z', record: { words: 12, sender: 'boss', spam: 'no' } },
      );
      const e2 = byId.get(fb.find((f) => f.prediction === 'f2')!.exampleId!)!;
      assert.deepEqual([e2.label, e2.record], ['true', { words: 3, sender: 'shop', spam: 'true' }], 'an accepted prediction confirms its label');
      assert.equal(fb.find((f) => f.prediction === 'f3')!.exampleId, null, 'a bare rejection makes no example');
      const [o] = await p.store.listOutcomes();
      const e3 = byId.get(o.exampleId!)!;
      assert.deepEqual([e3.source, e3.label, e3.eventTime], ['outcome', 'no', '2026-12-01T09:00:00.000Z']);
      // Taken once: a second ingest of a replaced copy adds no example.
      fs.copyFileSync(file('app.jsonl'), file('copy.jsonl'));
      assert.deepEqual(counts(await ingestInbox(reg)), [0, 0, 0, 0]);
      assert.equal(await p.store.countExamples(), 3);
    });

    it('makes regression outcomes with a value into examples, and records feedback whose example fails the checks', async () => {
      const reg = p.withConfig(`version: 1\ntask: regression\nlabel: price\nfeatures:\n  - { name: words, type: numeric }\nmonitoring:\n  retention: { predictions: forever }\n`);
      append(
        'app.jsonl',
        [
          JSON.stringify({ kind: 'prediction', id: 'r1', model: 'v1', time: '2026-11-30T10:00:00Z', input: { words: 4 }, output: { value: 10.5 } }),
          JSON.stringify({ kind: 'prediction', id: 'r2', model: 'v1', time: '2026-11-30T10:00:00Z', input: { words: 'lots' }, output: { value: 1 } }),
          line.outcome('r1', { label: undefined, value: 12.25 }),
          line.feedback('r2', { label: 7 }),
          line.feedback('r1', { label: 'cheap' }),
          line.feedback('r1', { label: undefined, accepted: true }),
        ].join('\n') + '\n',
      );
      const r = await ingestInbox(reg);
      assert.deepEqual(counts(r), [2, 2, 1, 1]);
      assert.deepEqual(r.rejected, [
        { file: '.mlloop/inbox/app.jsonl', line: 4, reason: "taken as feedback, but not as a training example: feature 'words': 'lots' is not a number" },
        { file: '.mlloop/inbox/app.jsonl', line: 5, reason: "'label': 'cheap' is not a number (the project's task is regression)" },
      ]);
      const [ex] = await collectExamples(p.store);
      assert.deepEqual([ex.label, ex.record], [12.25, { words: 4, price: 12.25 }]);
    });

    it('keeps feedback on a prediction not logged yet waiting, and takes it once the prediction arrives — later in the run or in a later run', async () => {
      // a.jsonl is read before b.jsonl: the feedback on b's prediction waits for it within one run.
      append('a.jsonl', `${line.feedback('later')}\n${line.feedback('never')}\n${line.outcome('next-run')}\n`);
      append('b.jsonl', `${line.prediction('later')}\n`);
      const r = await ingestInbox(p.ctx);
      assert.deepEqual(counts(r), [1, 1, 0, 1]);
      assert.deepEqual(r.rejected, [
        { file: '.mlloop/inbox/a.jsonl', line: 2, reason: "unknown prediction 'never': set aside until it is logged" },
        { file: '.mlloop/inbox/a.jsonl', line: 3, reason: "unknown prediction 'next-run': set aside until it is logged" },
      ]);
      assert.equal(r.rejectedTotal, 2);
      assert.deepEqual((await p.store.listWaitingLines()).map((w) => w.waitingFor), ['never', 'next-run']);
      append('b.jsonl', `${line.prediction('next-run')}\n`);
      const r2 = await ingestInbox(p.ctx);
      assert.deepEqual(counts(r2), [1, 0, 1, 1]);
      assert.deepEqual(r2.rejected, []);
      assert.deepEqual((await p.store.listWaitingLines()).map((w) => w.waitingFor), ['never']);
      assert.deepEqual((await p.store.listOutcomes()).map((o) => [o.prediction, o.source]), [['next-run', 'inbox/a.jsonl']]);
    });

    it('prunes predictions past monitoring.retention by the context clock, and stops waiting for feedback after it', async () => {
      const clock = fakeClock('2026-12-01T00:00:00Z');
      const ctx = p.withConfig(SPAM_PROJECT + 'monitoring:\n  retention: { predictions: 36h }\n', clock);
      append('app.jsonl', [line.prediction('old', { time: '2026-11-29T11:59:59Z' }), line.prediction('new', { time: '2026-11-29T12:00:01Z' }), line.feedback('old'), line.feedback('ghost')].join('\n') + '\n');
      const r = await ingestInbox(ctx);
      assert.equal(r.pruned, 1);
      assert.deepEqual([...(await p.store.getPredictions(['old', 'new'])).keys()], ['new']);
      assert.deepEqual(await p.store.listFeedback(), [], 'the pruned prediction took its feedback');
      assert.equal(await p.store.countExamples(), 1, 'the example the feedback became stays');
      assert.equal((await p.store.listWaitingLines()).length, 1);
      clock.advance(1000);
      assert.equal((await ingestInbox(ctx)).pruned, 0, "'new' is exactly 36 h old: kept");
      clock.advance(1);
      assert.equal((await ingestInbox(ctx)).pruned, 1, 'a millisecond later it is older than 36 h');
      assert.equal((await p.store.listWaitingLines()).length, 1, 'the feedback on an unknown prediction still waits');
      clock.advance(36 * 3_600_000);
      await ingestInbox(ctx);
      assert.deepEqual(await p.store.listWaitingLines(), []);
      assert.match((await p.store.listRejectedLines())[0].reason, /unknown prediction 'ghost'.*no such prediction was logged within 36h/);
      const forever = p.withConfig(SPAM_PROJECT + 'monitoring:\n  retention:\n    predictions: forever\n', clock);
      append('app.jsonl', `${line.prediction('ancient', { time: '2000-01-01T00:00:00Z' })}\n`);
      assert.equal((await ingestInbox(forever)).pruned, 0);
      assert.equal((await p.store.getPredictions(['ancient'])).size, 1);
    });

    it('takes every line once when two ingesters run at once', async () => {
      const other = await p.openStore();
      const ctx2 = { ...p.ctx, store: other };
      const lines: string[] = [];
      for (let i = 0; i < 300; i++) lines.push(i % 10 === 9 ? `broken ${i}` : line.prediction(`c${i}`));
      append('a.jsonl', lines.slice(0, 150).join('\n') + '\n');
      append('b.jsonl', lines.slice(150).join('\n') + '\n');
      const [r1, r2] = await Promise.all([ingestInbox(p.ctx, { batchLines: 7 }), ingestInbox(ctx2, { batchLines: 11 })]);
      assert.equal(r1.ingested.predictions + r2.ingested.predictions, 270);
      assert.equal(r1.rejectedTotal + r2.rejectedTotal, 30, 'each broken line set aside by one of them');
      assert.equal((await p.store.listRejectedLines()).length, 30);
      assert.equal(await p.store.countPredictions(), 270);
    });
  });
}

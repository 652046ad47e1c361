/**
 * Exactly once across a killed ingester: a child process ingests the inbox in small units of
 * work while this process appends to two inbox files (lines split at random points, so files
 * often end mid-line), and is SIGKILLed at random moments, then restarted — at least 20
 * times per engine. Afterwards every complete line is in the store exactly once: every
 * prediction, feedback, outcome and example, and every malformed line set aside exactly once
 * (rejected lines have no content key, so a batch taken twice would show there).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ingestInbox } from '../../src/core/loop/ingest';
import { collectLines, exited, fixtureChild, waitForLine } from './support/children';
import { ENGINE_NAMES, line, loopProject, prepareEngine, type LoopProject } from './support/loopProject';

const KILLS = 20;

interface Event {
  file: 'web.jsonl' | 'ui.jsonl';
  text: string;
  malformed?: boolean;
}

/** 600 predictions, feedback on every third (some written before their prediction), outcomes on every fifth, examples, and broken lines. */
function events(): Event[] {
  const out: Event[] = [];
  for (let i = 0; i < 600; i++) {
    const prediction: Event = { file: 'web.jsonl', text: line.prediction(`p${i}`, { input: { words: i, sender: `s${i % 7}` } }) };
    const fb: Event = { file: 'ui.jsonl', text: line.feedback(`p${i}`, { by: `u${i}` }) };
    // Every ninth feedback is written before its prediction (in the other file): it waits for it.
    if (i % 9 === 0) out.push(fb, prediction);
    else out.push(prediction, ...(i % 3 === 0 ? [fb] : []));
    if (i % 5 === 0) out.push({ file: 'web.jsonl', text: line.outcome(`p${i}`, { label: i % 2 ? 'yes' : 'no' }) });
    if (i % 4 === 0) out.push({ file: 'web.jsonl', text: line.example(i, { time: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}T00:00:00Z` }) });
    if (i % 10 === 7) out.push({ file: i % 20 === 7 ? 'web.jsonl' : 'ui.jsonl', text: `garbage line ${i}`, malformed: true });
  }
  return out;
}

for (const engine of ENGINE_NAMES) {
  describe(`the inbox on ${engine}, with the ingester killed at random moments`, function () {
    this.timeout(900_000);
    let p: LoopProject;
    before(async function () {
      await prepareEngine(engine);
      p = await loopProject(engine);
    });
    after(async () => {
      await p.dispose();
    });

    it(`takes every complete line exactly once across ${KILLS}+ kill -9 and restarts, partial last lines once completed`, async () => {
      const all = events();
      const pieces: Array<{ file: string; bytes: string }> = [];
      for (const e of all) {
        const text = e.text + '\n';
        // 1–3 pieces, cut anywhere (also right before the newline).
        const cuts = [...new Set(Array.from({ length: Math.floor(Math.random() * 3) }, () => 1 + Math.floor(Math.random() * (text.length - 1))))].sort((a, b) => a - b);
        let at = 0;
        for (const c of [...cuts, text.length]) {
          pieces.push({ file: e.file, bytes: text.slice(at, c) });
          at = c;
        }
      }
      let next = 0;
      const appendSome = (n: number) => {
        for (const end = Math.min(pieces.length, next + n); next < end; next++) fs.appendFileSync(path.join(p.inbox, pieces[next].file), pieces[next].bytes);
      };
      const perRound = Math.ceil(pieces.length / (KILLS + 2));
      let kills = 0;
      let busyKills = 0;
      let commitsSeen = 0;
      while (kills < KILLS || next < pieces.length) {
        appendSome(Math.floor(perRound / 2));
        const child = fixtureChild('ingest-loop.ts', [p.root, p.location, '5'], p.env);
        const out = collectLines(child);
        let stderr = '';
        child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        await waitForLine(child, /ready/);
        // An append while it runs, then the kill a random moment later: mostly while it takes
        // the new lines. Both engines take them within tens of milliseconds (SQLite took hundreds
        // before its prepared multi-row inserts: a window of 500 ms then let 0–4 of 22 kills land
        // in an ingest, and the run whose kills all fell on an idle ingester proved nothing).
        await new Promise((r) => setTimeout(r, Math.random() * 300));
        appendSome(Math.floor(perRound / 2));
        await new Promise((r) => setTimeout(r, Math.random() * 80));
        child.kill('SIGKILL');
        await exited(child);
        assert.equal(child.exitCode, null, `the ingester failed instead of being killed: ${stderr}`);
        kills++;
        commitsSeen += out.filter((l) => l.startsWith('took')).length;
        const last = out[out.length - 1] ?? '';
        if (!last.startsWith('pass') && out.length > 1) busyKills++;
        if (kills > 200) throw new Error('the appends never ended');
      }
      // Kill-free last run (after the last append, which completes every partial line).
      const r = await ingestInbox(p.ctx, { batchLines: 50 });
      console.log(`      (${kills} kills, ${busyKills} of them in the middle of an ingest; ${commitsSeen} units of work reported by the killed ingesters; the last run took ${r.ingested.predictions} predictions)`);

      const predictions = all.filter((e) => e.text.includes('"kind":"prediction"')).length;
      const feedback = all.filter((e) => e.text.includes('"kind":"feedback"')).length;
      const outcomes = all.filter((e) => e.text.includes('"kind":"outcome"')).length;
      const exampleLines = all.filter((e) => e.text.includes('"kind":"example"')).length;
      // Lost lines named, with where they are in the file, before the counts.
      const ids = Array.from({ length: 600 }, (_, i) => `p${i}`);
      const have = await p.store.getPredictions(ids);
      const web = fs.readFileSync(path.join(p.inbox, 'web.jsonl'), 'utf8');
      const missing = ids.filter((id) => !have.has(id)).map((id) => `${id} (web.jsonl line ${web.slice(0, web.indexOf(`"id":"${id}"`)).split('\n').length})`);
      assert.deepEqual(missing, [], 'predictions missing from the store');
      assert.equal(await p.store.countPredictions(), predictions);
      assert.equal((await p.store.listFeedback()).length, feedback);
      assert.equal((await p.store.listOutcomes()).length, outcomes);
      assert.equal(await p.store.countExamples(), exampleLines + feedback + outcomes, 'every labelled feedback and outcome became one example');
      assert.ok((await p.store.listFeedback()).every((f) => f.exampleId !== null));
      assert.deepEqual(await p.store.listWaitingLines(), [], 'no feedback left waiting: every prediction arrived');

      // Every malformed line set aside exactly once, at its line.
      const expected: string[] = [];
      const lineNo = { 'web.jsonl': 0, 'ui.jsonl': 0 };
      for (const e of all) {
        lineNo[e.file]++;
        if (e.malformed) expected.push(`inbox/${e.file}:${lineNo[e.file]}:${e.text}`);
      }
      const rejected = (await p.store.listRejectedLines()).map((x) => `${x.source}:${x.line}:${x.text}`).sort();
      assert.deepEqual(rejected, expected.sort());

      const states = await p.store.getInboxFiles();
      for (const name of ['web.jsonl', 'ui.jsonl'] as const) {
        const st = states.find((s) => s.name.endsWith(name))!;
        assert.equal(st.offset, fs.statSync(path.join(p.inbox, name)).size, `${name}: everything taken`);
        assert.equal(st.lines, lineNo[name]);
      }
      assert.ok(busyKills >= 1, 'at least one kill hit an ingester at work');
    });
  });
}

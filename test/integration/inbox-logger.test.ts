/**
 * The app runtime's inbox logger (src/runtime/inboxLogger.ts), from the built runtime
 * bundle, in several processes logging at once while the inbox is ingested: every line is
 * taken exactly once, none is broken, and each process wrote a file of its own.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ingestInbox } from '../../src/core/loop/ingest';
import { createInboxLogger } from '../../src/runtime/inboxLogger';
import { addCounts, emptyCounts } from '../../src/core/loop/record';
import { REPO, requireBuild } from './helpers';
import { collectLines, exited } from './support/children';
import { loopProject, prepareEngine, type LoopProject } from './support/loopProject';

const APP = path.join(__dirname, 'fixtures', 'inbox-logger-app.js');
const RUNTIME = path.join(REPO, 'dist', 'runtime.js');

describe('the inbox logger of the app runtime', function () {
  this.timeout(300_000);
  let p: LoopProject;
  before(async () => {
    requireBuild();
    await prepareEngine('sqlite');
  });
  beforeEach(async () => {
    p = await loopProject('sqlite');
  });
  afterEach(async () => {
    await p.dispose();
  });

  it('several processes logging at once: every line ingested exactly once, each process in its own file', async () => {
    const N = 400;
    const tags = ['alpha', 'beta', 'gamma', 'delta'];
    const children = tags.map((tag) => {
      const c = spawn(process.execPath, [APP, RUNTIME, p.inbox, tag, String(N)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      return { c, out: collectLines(c), err: () => err };
    });
    // Ingest while they write: lines arrive in flushed batches, often mid-way through a file.
    const total = emptyCounts();
    let running = true;
    const done = Promise.all(children.map((x) => exited(x.c))).then((codes) => {
      running = false;
      return codes;
    });
    let passes = 0;
    while (running) {
      const r = await ingestInbox(p.ctx);
      assert.deepEqual(r.rejected, [], 'no broken line, no feedback before its prediction');
      addCounts(total, r.ingested);
      passes++;
    }
    const codes = await done;
    children.forEach((x, k) => assert.equal(codes[k], 0, x.err()));
    const last = await ingestInbox(p.ctx);
    addCounts(total, last.ingested);
    assert.deepEqual(last.rejected, []);

    const stats = children.map((x) => JSON.parse(x.out[x.out.length - 1]) as { written: number; dropped: number; pending: number; file: string });
    const perProcess = N + N / 2 + Math.ceil(N / 3);
    for (const s of stats) assert.deepEqual([s.written, s.dropped, s.pending], [perProcess, 0, 0]);
    assert.equal(new Set(stats.map((s) => s.file)).size, tags.length, 'one file per process');
    for (const s of stats) assert.match(path.basename(s.file), new RegExp(`^[A-Za-z0-9._-]+-\\d+-\\d{8}T\\d{9}Z\\.jsonl$`));
    assert.deepEqual(fs.readdirSync(p.inbox).sort(), stats.map((s) => path.basename(s.file)).sort());

    assert.deepEqual(total, { predictions: 4 * N, feedback: 4 * (N / 2), outcomes: 4 * Math.ceil(N / 3), examples: 4 * (N / 2 + Math.ceil(N / 3)) });
    assert.equal(await p.store.countPredictions(), 4 * N);
    const got = await p.store.getPredictions(tags.flatMap((t) => Array.from({ length: N }, (_, i) => `${t}-${i}`)));
    assert.equal(got.size, 4 * N);
    assert.deepEqual(got.get('gamma-50')!.output, { label: 'no', confidence: 0.5 });
    assert.equal(got.get('gamma-50')!.latencyMs, 1);
    assert.equal((await p.store.listFeedback({ prediction: 'beta-10' }))[0].durationMs, 10);
    assert.deepEqual(await p.store.listRejectedLines(), []);
    console.log(`      (${passes} ingests while ${tags.length} processes logged ${4 * perProcess} lines)`);
  });

  it('a full disk costs lines, counted and told, never a throw; once there is room again the lines after are whole (a 64 KB tmpfs)', async function () {
    const mnt = path.join(p.root, '.mlloop', 'inbox');
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { encoding: 'utf8' });
    if (m.status !== 0) {
      process.stderr.write(`      (skipped: cannot mount a tmpfs here: ${m.stderr.trim()})\n`);
      this.skip();
    }
    try {
      const filler = path.join(mnt, 'filler.bin');
      fs.writeFileSync(filler, Buffer.alloc(40 * 1024));
      const errors: string[] = [];
      const log = createInboxLogger({ dir: mnt, flushMs: 1, flushBytes: 1500, onError: (e) => errors.push((e as NodeJS.ErrnoException).code ?? String(e)) });
      let i = 0;
      const logSome = async (n: number) => {
        for (const end = i + n; i < end; i++) {
          assert.doesNotThrow(() => log.prediction({ id: `d${i}`, model: 'v1', input: { words: i, sender: 'x'.repeat(90) }, output: { label: 'yes' } }));
          if (i % 10 === 9) await log.flush();
        }
        await log.flush();
      };
      await logSome(400); // ~60 KB of lines into ~24 KB of room
      const full = log.stats();
      assert.ok(full.dropped > 0 && full.written > 0, JSON.stringify(full));
      assert.ok(errors.length > 0 && errors.every((c) => c === 'ENOSPC'), errors.join(', '));
      fs.rmSync(filler);
      const before = i;
      await logSome(100);
      await log.close();
      const s = log.stats();
      assert.equal(s.written, full.written + 100, 'every line after the disk had room again is written');
      const r = await ingestInbox(p.ctx);
      const ids = new Set([...(await p.store.getPredictions(Array.from({ length: i }, (_, k) => `d${k}`))).keys()]);
      for (let k = before; k < i; k++) assert.ok(ids.has(`d${k}`), `d${k} (logged after the disk had room) is in the store`);
      // What was cut mid-line is set aside as one broken line; it never swallows the next line.
      assert.ok(r.rejected.length <= errors.length, JSON.stringify(r.rejected));
      for (const x of r.rejected) assert.match(x.reason, /^not JSON/);
      assert.ok(ids.size >= s.written && ids.size <= s.written + s.dropped, `${ids.size} ingested, ${s.written} written, ${s.dropped} dropped`);
      console.log(`      (${s.written} lines written, ${s.dropped} dropped on a full disk, ${r.rejected.length} cut line${r.rejected.length === 1 ? '' : 's'} set aside)`);
    } finally {
      spawnSync('umount', [mnt]);
    }
  });
});

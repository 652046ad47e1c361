import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bufferedInboxLogger, feedbackLine, outcomeLine, predictionLine, type LineSink } from '../../../src/runtime/inboxLines';
import { createInboxLogger } from '../../../src/runtime/inboxLogger';
import { parseInboxLine } from '../../../src/core/loop/inboxLine';

/** A sink that records each write, optionally failing or slow. */
function memorySink(opts: { fail?: (n: number) => boolean; delayMs?: number } = {}) {
  const writes: string[] = [];
  let n = 0;
  const sink: LineSink & { writes: string[]; closed: boolean } = {
    writes,
    closed: false,
    async write(text) {
      const k = n++;
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      if (opts.fail?.(k)) throw new Error(`disk failed on write ${k}`);
      writes.push(text);
    },
    async close() {
      sink.closed = true;
    },
  };
  return sink;
}

const lines = (writes: string[]) => writes.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const T = new Date('2026-12-01T08:00:00.000Z');

describe('the app runtime inbox logger', () => {
  it('writes inbox lines the ingester accepts, for each kind, with times and snake_case fields', () => {
    const p = predictionLine({ id: 'p1', model: 'v3', input: { a: 1 }, output: { label: 'x', confidence: 0.9, probabilities: { x: 0.9, y: 0.1 }, error: 'ignored' } as never, latencyMs: 4, entity: 7, variant: 'B' }, () => T);
    assert.deepEqual(p, { kind: 'prediction', id: 'p1', model: 'v3', time: T.toISOString(), input: { a: 1 }, output: { label: 'x', confidence: 0.9, probabilities: { x: 0.9, y: 0.1 } }, entity: 7, variant: 'B', latency_ms: 4 });
    const f = feedbackLine({ prediction: 'p1', accepted: true, by: 'ana', durationMs: 1200, time: Date.parse('2026-12-01T09:00:00Z') });
    assert.deepEqual(f, { kind: 'feedback', prediction: 'p1', time: '2026-12-01T09:00:00.000Z', accepted: true, by: 'ana', duration_ms: 1200 });
    const o = outcomeLine({ prediction: 'p1', label: 'y', time: '2026-12-02T00:00:00Z' });
    for (const l of [p, f, o]) assert.ok(parseInboxLine(JSON.stringify(l), { task: 'binary' }).ok, JSON.stringify(l));
  });

  it('buffers lines and writes them in one batch after flushMs, in the order logged', async () => {
    const sink = memorySink();
    const log = bufferedInboxLogger(sink, { flushMs: 30, now: () => T });
    const ids = [log.prediction({ id: 'a', model: 'v1', input: {}, output: { label: 'x' } }), log.prediction({ model: 'v1', input: {}, output: { label: 'y' } })];
    log.feedback({ prediction: 'a', label: 'y' });
    assert.equal(ids[0], 'a');
    assert.match(ids[1], /^[0-9a-f-]{36}$/, 'a UUID when the app gives no id');
    assert.equal(sink.writes.length, 0, 'nothing written at once');
    assert.equal(log.stats().pending, 3);
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(sink.writes.length, 1);
    assert.deepEqual(lines(sink.writes).map((l) => l.id ?? l.prediction), ['a', ids[1], 'a']);
    assert.deepEqual(log.stats(), { written: 3, dropped: 0, pending: 0, lastError: null });
  });

  it('writes as soon as flushBytes wait, one write at a time, and flush() waits for everything', async () => {
    const sink = memorySink({ delayMs: 10 });
    const log = bufferedInboxLogger(sink, { flushMs: 10_000, flushBytes: 500 });
    for (let i = 0; i < 40; i++) log.outcome({ prediction: `p${i}`, value: i, time: T });
    await new Promise((r) => setTimeout(r, 40));
    assert.ok(sink.writes.length >= 1, 'written by size, long before the 10 s timer');
    await log.flush();
    assert.ok(sink.writes.length >= 2, `several writes (${sink.writes.length}), each started once bytes waited`);
    assert.deepEqual(lines(sink.writes).map((l) => l.value), Array.from({ length: 40 }, (_, i) => i));
    assert.equal(log.stats().written, 40);
  });

  it('never throws into the app: a failing sink, an unserialisable record and a closed logger count dropped lines and say why', async () => {
    const errors: Array<[string, number]> = [];
    const sink = memorySink({ fail: (k) => k === 0 });
    const log = bufferedInboxLogger(sink, { flushMs: 5, onError: (e, n) => errors.push([(e as Error).message, n]) });
    log.prediction({ id: 'lost1', model: 'v1', input: {}, output: { label: 'x' } });
    log.prediction({ id: 'lost2', model: 'v1', input: {}, output: { label: 'x' } });
    await log.flush();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.doesNotThrow(() => log.prediction({ id: 'cyc', model: 'v1', input: cyclic, output: { label: 'x' } }));
    assert.doesNotThrow(() => log.feedback(undefined as never));
    log.prediction({ id: 'kept', model: 'v1', input: {}, output: { label: 'x' } });
    await log.close();
    assert.ok(sink.closed);
    log.outcome({ prediction: 'kept', label: 'x' });
    assert.deepEqual(lines(sink.writes).map((l) => l.id), ['kept']);
    const s = log.stats();
    assert.equal(s.written, 1);
    assert.equal(s.dropped, 5);
    assert.match(s.lastError!, /closed/);
    assert.deepEqual(errors[0], ['disk failed on write 0', 2]);
    assert.match(errors[1][0], /circular/i);
    assert.equal(errors.length, 4, "once per failure: the failed write told once for its two lines");
  });

  it('bounds the memory a slow sink costs: lines beyond maxPendingBytes are dropped and counted', async () => {
    const sink = memorySink({ delayMs: 50 });
    const log = bufferedInboxLogger(sink, { flushMs: 1, maxPendingBytes: 2000 });
    for (let i = 0; i < 100; i++) log.prediction({ id: `p${i}`, model: 'v1', input: { pad: 'x'.repeat(50) }, output: { label: 'x' } });
    await log.close();
    const s = log.stats();
    assert.ok(s.dropped > 50, `dropped ${s.dropped}`);
    assert.equal(s.written + s.dropped, 100);
    assert.match(s.lastError!, /more than 2000 bytes/);
  });

  it('the file logger counts the lines a folder it cannot create loses, and writes once it can', async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-logger-'));
    try {
      fs.writeFileSync(path.join(base, 'inbox'), 'a file where the folder should be');
      const errors: string[] = [];
      const log = createInboxLogger({ dir: path.join(base, 'inbox'), flushMs: 1, onError: (e) => errors.push((e as NodeJS.ErrnoException).code ?? '') });
      log.prediction({ id: 'a', model: 'v1', input: {}, output: { label: 'x' } });
      await log.flush();
      assert.deepEqual([log.stats().written, log.stats().dropped], [0, 1]);
      assert.deepEqual(errors, ['EEXIST']);
      fs.rmSync(path.join(base, 'inbox'));
      log.prediction({ id: 'b', model: 'v1', input: {}, output: { label: 'x' } });
      await log.close();
      assert.deepEqual([log.stats().written, log.stats().dropped], [1, 1]);
      const text = fs.readFileSync(log.file(), 'utf8');
      assert.deepEqual(text.split('\n').filter(Boolean).map((l) => JSON.parse(l).id), ['b']);
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });

  it('the file logger starts a new file of its own after maxFileBytes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-logger-'));
    try {
      const log = createInboxLogger({ dir, flushMs: 1, flushBytes: 1, maxFileBytes: 1000 });
      for (let i = 0; i < 30; i++) {
        log.prediction({ id: `p${i}`, model: 'v1', input: { pad: 'x'.repeat(100) }, output: { label: 'x' } });
        await log.flush();
      }
      await log.close();
      const files = fs.readdirSync(dir).sort();
      assert.ok(files.length >= 4, files.join(', '));
      for (const f of files) assert.ok(fs.statSync(path.join(dir, f)).size <= 1000 || fs.readFileSync(path.join(dir, f), 'utf8').split('\n').length === 2);
      const ids = files.flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).id as string));
      assert.deepEqual(ids.sort(), Array.from({ length: 30 }, (_, i) => `p${i}`).sort());
      const base = files.map((f) => f.replace(/\.jsonl$/, '')).sort((a, b) => a.length - b.length)[0];
      assert.match(base, /^[A-Za-z0-9._-]+-\d+-\d{8}T\d{9}Z$/, '<host>-<pid>-<start>');
      assert.ok(files.every((f) => f === `${base}.jsonl` || new RegExp(`^${base}-\\d+\\.jsonl$`).test(f)), files.join(', '));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The Store contract: one suite of the Store API (src/core/store/types.ts), run against both
 * engines — the embedded SQLite file and PostgreSQL (a throwaway server, see
 * support/postgres.ts). Each test gets an empty store: a new SQLite file, or a new
 * PostgreSQL schema. What only one engine does (SQLite's locks and files, PostgreSQL's
 * connections and faults) is tested in that engine's own files.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPostgresStore } from '../../src/core/store/postgres';
import { openSqliteStore } from '../../src/core/store/sqlite';
import type { ExampleFilter, ExampleInput, ExampleMeta, FeedbackInput, InboxFileState, PredictionInput, Store, StoredExample } from '../../src/core/store/types';
import { isUserError } from '../../src/core/util/errors';
import { acknowledgeAlert, applyAlertChecks, resolveAlert, type AlertCheck } from '../../src/core/monitor/alerts';
import { exited, fixtureChild, waitForLine } from './support/children';
import { freshSchema, testPostgres } from './support/postgres';
import { collectExamples } from './helpers';

interface OpenOptions {
  now?: () => Date;
  heartbeatStaleMs?: number;
  lockTimeoutMs?: number;
}

/** One empty store, and how to reach it again (another connection, or a child process). */
interface Target {
  open(opts?: OpenOptions): Promise<Store>;
  /** What a fixture process gets as its STORE argument, and its environment. */
  location: string;
  env: NodeJS.ProcessEnv;
  dispose(): void;
}

interface Engine {
  name: 'sqlite' | 'postgres';
  /** Once before the engine's tests (PostgreSQL: start the server, installing it if needed). */
  prepare(): Promise<void>;
  target(): Promise<Target>;
}

const ENGINES: Engine[] = [
  {
    name: 'sqlite',
    prepare: async () => undefined,
    target: async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-contract-'));
      const file = path.join(dir, 'store.sqlite');
      return {
        open: (opts = {}) => openSqliteStore(file, { purpose: 'contract test', ...opts }),
        location: file,
        env: {},
        dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'postgres',
    prepare: async () => void (await testPostgres()),
    target: async () => {
      const { url } = await testPostgres();
      const schema = freshSchema('contract');
      return {
        open: (opts = {}) => openPostgresStore(url, { schema, purpose: 'contract test', ...opts }),
        location: url,
        env: { MLLOOP_STORE_SCHEMA: schema },
        dispose: () => undefined,
      };
    },
  },
];

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function example(i: number, over: Partial<ExampleInput> = {}): ExampleInput {
  return { source: 'a.csv', sourceLine: i + 2, label: i % 2 ? 'yes' : 'no', record: { i, text: `row ${i}` }, hash: `h${i}`, ...over };
}

async function collect<T>(stream: AsyncIterable<T[]>): Promise<{ rows: T[]; batches: number[] }> {
  const rows: T[] = [];
  const batches: number[] = [];
  for await (const b of stream) {
    batches.push(b.length);
    rows.push(...b);
  }
  return { rows, batches };
}

for (const engine of ENGINES) {
  describe(`the store contract on ${engine.name}`, function () {
    this.timeout(120_000);
    let target: Target;
    let store: Store;
    /** The store's clock (imported_at, started_at, heartbeats), moved by the tests. */
    let clock: number;
    const now = () => new Date(clock);

    before(async function () {
      this.timeout(900_000); // a fresh machine may install PostgreSQL first
      await engine.prepare();
    });
    beforeEach(async () => {
      clock = Date.parse('2026-03-01T12:00:00.000Z');
      target = await engine.target();
      store = await target.open({ now });
    });
    afterEach(async () => {
      await store.close();
      target.dispose();
    });

    describe('units of work', () => {
      it('commits every write of a unit together', async () => {
        const runId = await store.unitOfWork(async (tx) => {
          const id = await tx.createRun({ config: { a: 1 }, configHash: 'c1' });
          await tx.addEpochs(id, [{ epoch: 1, logs: { loss: 0.5 } }]);
          await tx.addModel({ version: 'v1', runId: id, createdAt: iso(clock), task: 'classification', metrics: { accuracy: 0.9 }, path: 'models/v1', digest: 'd' }, [{ name: 'model.json', bytes: new Uint8Array([1, 2]) }]);
          await tx.updateRun(id, { status: 'completed', modelVersion: 'v1' });
          return id;
        });
        const other = await target.open({ now });
        try {
          assert.equal((await other.getRun(runId))?.status, 'completed');
          assert.deepEqual(await other.listEpochs(runId), [{ epoch: 1, logs: { loss: 0.5 } }]);
          assert.equal((await other.getModel('v1'))?.runId, runId);
          assert.deepEqual([...(await other.getModelFiles('v1'))[0].bytes], [1, 2]);
        } finally {
          await other.close();
        }
      });

      it('leaves nothing of a unit that throws, and the store stays usable', async () => {
        await assert.rejects(
          store.unitOfWork(async (tx) => {
            const id = await tx.createRun({ config: {}, configHash: 'c' });
            await tx.addEpochs(id, [{ epoch: 1, logs: { loss: 1 } }]);
            await tx.addModel({ version: 'v7', runId: id, createdAt: iso(clock), task: 'regression', metrics: {}, path: 'p', digest: null }, [{ name: 'f', bytes: new Uint8Array([9]) }]);
            throw new Error('boom');
          }),
          /boom/,
        );
        assert.deepEqual(await store.listRuns(), []);
        assert.deepEqual(await store.listModels(), []);
        assert.deepEqual(await store.getModelFiles('v7'), []);
        assert.equal(await store.maxModelNumber(), 0);
        const id = await store.createRun({ config: {}, configHash: 'after' });
        assert.equal((await store.getRun(id))?.configHash, 'after');
      });

      it('undoes the writes before a write the store refuses inside the unit (a duplicate model version)', async () => {
        const first = await store.createRun({ config: {}, configHash: 'first' });
        await store.addModel({ version: 'v1', runId: first, createdAt: iso(clock), task: 'classification', metrics: {}, path: 'p', digest: null });
        await assert.rejects(
          store.unitOfWork(async (tx) => {
            const id = await tx.createRun({ config: {}, configHash: 'second' });
            await tx.addModel({ version: 'v1', runId: id, createdAt: iso(clock), task: 'classification', metrics: {}, path: 'p', digest: null });
          }),
          (e: unknown) => isUserError(e) && /v1 already exists/.test((e as Error).message),
        );
        assert.deepEqual((await store.listRuns()).map((r) => r.configHash), ['first']);
        assert.equal((await store.getModel('v1'))?.runId, first);
      });

      it('sees its own writes through reads inside the unit', async () => {
        await store.unitOfWork(async (tx) => {
          const id = await tx.createRun({ config: { x: 1 }, configHash: 'c' });
          assert.equal((await tx.getRun(id))?.status, 'running');
          await tx.updateRun(id, { status: 'failed', error: 'e' });
          assert.equal((await tx.getRun(id))?.status, 'failed');
          assert.equal((await tx.listRuns()).length, 1);
          await tx.addEpochs(id, [{ epoch: 3, logs: { loss: 3 } }]);
          assert.deepEqual(await tx.listEpochs(id), [{ epoch: 3, logs: { loss: 3 } }]);
          await tx.addModel({ version: 'v4', runId: id, createdAt: iso(clock), task: 'classification', metrics: {}, path: 'p', digest: null });
          assert.equal(await tx.maxModelNumber(), 4);
          assert.equal(await tx.countExamples(), 0);
        });
      });
    });

    describe('adding examples', () => {
      it('skips rows whose hash is stored and counts them as duplicates, within one call and across calls', async () => {
        assert.deepEqual(await store.addExamples([[example(0), example(1), example(0)], [example(1), example(2)]]), { inserted: 3, duplicates: 2 });
        assert.deepEqual(await store.addExamples([[example(2), example(3)], [example(0, { label: 'changed' })]]), { inserted: 1, duplicates: 2 });
        const { rows } = await collect(store.streamExamples());
        assert.deepEqual(rows.map((r) => r.record.i), [0, 1, 2, 3]);
        assert.equal(rows[0].label, 'no', 'the first stored row of a hash is kept');
      });

      it('adds nothing for an empty input', async () => {
        assert.deepEqual(await store.addExamples([]), { inserted: 0, duplicates: 0 });
        assert.deepEqual(await store.addExamples([[], []]), { inserted: 0, duplicates: 0 });
        assert.equal(await store.countExamples(), 0);
      });

      for (const size of [10, 5000]) {
        it(`stores nothing of an import whose source throws after ${size} rows, keeping what was there`, async () => {
          await store.addExamples([[example(-1), example(-2)]]);
          async function* failing(): AsyncGenerator<ExampleInput[]> {
            for (let start = 0; start < size; start += 1000) yield Array.from({ length: Math.min(1000, size - start) }, (_, j) => example(start + j));
            throw new Error('the file is unreadable');
          }
          await assert.rejects(store.addExamples(failing()), /unreadable/);
          assert.equal(await store.countExamples(), 2);
          // None of them is stored: adding them again inserts every one.
          assert.deepEqual(await store.addExamples([Array.from({ length: size }, (_, j) => example(j))]), { inserted: size, duplicates: 0 });
        });

        it(`stores nothing of an import cancelled after ${size} rows`, async () => {
          const controller = new AbortController();
          function* batches(): Generator<ExampleInput[]> {
            for (let start = 0; start < size; start += 1000) yield Array.from({ length: Math.min(1000, size - start) }, (_, j) => example(start + j));
            controller.abort();
            yield [example(size)];
          }
          await assert.rejects(store.addExamples(batches(), controller.signal), (e: unknown) => e instanceof Error && e.name === 'CancelledError');
          assert.equal(await store.countExamples(), 0);
          assert.equal((await store.exampleStats()).count, 0);
        });
      }

      it('gives an example without an event time its import time, and keeps a given one', async () => {
        await store.addExamples([[example(0), example(1, { eventTime: '2025-06-01T08:00:00.000Z' })]]);
        const { rows } = await collect(store.streamExamples());
        assert.equal(rows[0].importedAt, iso(clock));
        assert.equal(rows[0].eventTime, iso(clock));
        assert.equal(rows[1].eventTime, '2025-06-01T08:00:00.000Z');
      });
    });

    describe('streamed reads', () => {
      /**
       * 30 rows: source by i % 3, event time T0 + i days, rows 0–14 imported at `firstImport`,
       * 15–29 a day later. Returns each row's id by i.
       */
      const SOURCES = ['a.csv', 'b.csv', 'feedback'];
      let firstImport: string;
      async function seed(): Promise<number[]> {
        const rows = (from: number, to: number) =>
          Array.from({ length: to - from }, (_, k) => example(from + k, { source: SOURCES[(from + k) % 3], eventTime: iso(T0 + (from + k) * DAY) }));
        firstImport = iso(clock);
        await store.addExamples([rows(0, 8), rows(8, 15)]);
        clock += DAY;
        await store.addExamples([rows(15, 30)]);
        // Inserted in order i = 0…29, so the id order is the i order.
        return (await collect(store.streamExampleMeta())).rows.map((r) => r.id);
      }

      it('returns every row once, in id order, batchSize rows at a time', async () => {
        await store.addExamples([Array.from({ length: 23 }, (_, i) => example(i))]);
        const { rows, batches } = await collect(store.streamExamples({}, { batchSize: 5 }));
        assert.deepEqual(batches, [5, 5, 5, 5, 3]);
        assert.deepEqual(rows.map((r) => r.record.i), Array.from({ length: 23 }, (_, i) => i));
        for (let k = 1; k < rows.length; k++) assert.ok(rows[k].id > rows[k - 1].id, 'ids increase');
        assert.deepEqual((await collect(store.streamExamples())).batches, [23]);
        assert.deepEqual((await collect(store.streamExampleMeta({}, { batchSize: 23 }))).batches, [23]);
        const records = await collect(store.streamRecords({}, { batchSize: 10 }));
        assert.deepEqual(records.batches, [10, 10, 3]);
        assert.deepEqual(records.rows, rows.map((r) => ({ id: r.id, record: r.record })));
      });

      it('selects exactly the rows a filter names: id range, event-time window, sources, importedAfter, and all together', async () => {
        const ids = await seed();
        const cases: Array<{ filter: ExampleFilter; want: (i: number) => boolean }> = [
          { filter: { minId: ids[5], maxId: ids[12] }, want: (i) => i >= 5 && i <= 12 },
          { filter: { minId: ids[29] }, want: (i) => i === 29 },
          { filter: { from: iso(T0 + 10 * DAY), to: iso(T0 + 20 * DAY) }, want: (i) => i >= 10 && i < 20 },
          // The same instant written with an offset: times compare as instants.
          { filter: { from: '2026-01-11T01:00:00+01:00' }, want: (i) => i >= 10 },
          { filter: { to: iso(T0 + 3 * DAY + 1) }, want: (i) => i <= 3 },
          { filter: { sources: ['b.csv', 'feedback'] }, want: (i) => i % 3 !== 0 },
          { filter: { sources: [] }, want: () => false },
          { filter: { sources: ['nowhere'] }, want: () => false },
          { filter: { importedAfter: firstImport }, want: (i) => i >= 15 },
          { filter: { importedAfter: iso(Date.parse(firstImport) - 1) }, want: () => true },
          { filter: { sources: ['a.csv'], from: iso(T0 + 3 * DAY), maxId: ids[20] }, want: (i) => i % 3 === 0 && i >= 3 && i <= 20 },
          { filter: { minId: ids[20], maxId: ids[10] }, want: () => false },
        ];
        for (const { filter, want } of cases) {
          const expected = Array.from({ length: 30 }, (_, i) => i).filter(want);
          const label = JSON.stringify(filter);
          const full = await collect(store.streamExamples(filter, { batchSize: 4 }));
          assert.deepEqual(full.rows.map((r) => r.record.i), expected, `streamExamples ${label}`);
          const meta = await collect(store.streamExampleMeta(filter, { batchSize: 7 }));
          assert.deepEqual(meta.rows.map((r) => r.id), expected.map((i) => ids[i]), `streamExampleMeta ${label}`);
          const records = await collect(store.streamRecords(filter, { batchSize: 3 }));
          assert.deepEqual(records.rows, full.rows.map((r) => ({ id: r.id, record: r.record })), `streamRecords ${label}`);
          assert.equal(await store.countExamples(filter), expected.length, `countExamples ${label}`);
          const stats = await store.exampleStats(filter);
          assert.equal(stats.count, expected.length, `exampleStats ${label}`);
          if (expected.length) {
            assert.equal(stats.minId, ids[expected[0]]);
            assert.equal(stats.maxId, ids[expected[expected.length - 1]]);
            assert.equal(stats.firstEventTime, iso(T0 + expected[0] * DAY));
            assert.equal(stats.lastEventTime, iso(T0 + expected[expected.length - 1] * DAY));
          } else {
            assert.deepEqual(stats, { count: 0, minId: null, maxId: null, firstEventTime: null, lastEventTime: null, lastImportedAt: null });
          }
        }
      });

      it('reports the last import time and event-time bounds in exampleStats', async () => {
        await seed();
        const stats = await store.exampleStats();
        assert.equal(stats.count, 30);
        assert.equal(stats.firstEventTime, iso(T0));
        assert.equal(stats.lastEventTime, iso(T0 + 29 * DAY));
        assert.equal(stats.lastImportedAt, iso(clock));
        assert.equal((await store.exampleStats({ sources: ['a.csv'], to: iso(T0 + DAY) })).lastImportedAt, firstImport);
      });

      it('is a snapshot: rows added while a stream runs are not in it', async () => {
        await store.addExamples([Array.from({ length: 12 }, (_, i) => example(i))]);
        const seen: number[] = [];
        let added = false;
        for await (const batch of store.streamExamples({}, { batchSize: 5 })) {
          seen.push(...batch.map((r) => r.record.i as number));
          if (!added) {
            await store.addExamples([Array.from({ length: 8 }, (_, i) => example(100 + i))]);
            added = true;
          }
        }
        assert.deepEqual(seen, Array.from({ length: 12 }, (_, i) => i));
        assert.equal(await store.countExamples(), 20);
      });

      it('streams the same rows without their records in streamExampleMeta', async () => {
        await store.addExamples([[example(0, { weight: 2.5, eventTime: iso(T0) }), example(1, { sourceLine: undefined })]]);
        const full = (await collect(store.streamExamples())).rows;
        const meta = (await collect(store.streamExampleMeta())).rows;
        assert.deepEqual(
          meta,
          full.map(({ record: _r, ...m }) => m),
        );
        assert.ok(!('record' in meta[0]));
        assert.deepEqual(meta[0], { id: full[0].id, source: 'a.csv', sourceLine: 2, importedAt: iso(clock), eventTime: iso(T0), label: 'no', weight: 2.5 });
        assert.equal(meta[1].sourceLine, null);
        assert.equal(meta[1].weight, null);
      });

      it('keeps each label\'s type and each record exactly through the round trip', async () => {
        const labels = ['cat', '1', 1, 2.5, 0, -3e-7, '0', 'ünïcødé', '', 'with "quotes"', 'true', 123456789012];
        const record = { zeta: 1, s: 'a\nb\t"c"\\', alpha: true, n: -1.25, big: 2 ** 52, nul: null, nested: { list: [1, 'two', { three: 3 }] }, emoji: '🙂', empty: '' };
        await store.addExamples([labels.map((label, i) => example(i, { label, record: { ...record, i } }))]);
        const { rows } = await collect(store.streamExamples({}, { batchSize: 5 }));
        assert.deepEqual(
          rows.map((r) => r.label),
          labels,
        );
        for (const r of rows) {
          assert.deepEqual(r.record, { ...record, i: r.record.i });
          assert.deepEqual(Object.keys(r.record), [...Object.keys(record), 'i'], 'key order survives (a CSV record keeps its column order)');
        }
        const meta = (await collect(store.streamExampleMeta())).rows;
        assert.deepEqual(
          meta.map((r) => r.label),
          labels,
        );
        const picked = await store.getExamples([rows[3].id, rows[1].id]);
        assert.deepEqual(
          picked.map((r) => r.label),
          ['1', 2.5],
        );
      });

      it('getExamples returns the asked rows in id order and skips unknown ids, across query chunks', async () => {
        await store.addExamples([Array.from({ length: 1200 }, (_, i) => example(i))]);
        const all: ExampleMeta[] = (await collect(store.streamExampleMeta())).rows;
        const wanted = all.filter((_, k) => k % 3 !== 1).map((r) => r.id);
        const shuffled = [...wanted].reverse();
        const got: StoredExample[] = await store.getExamples([...shuffled, 10_000_000]);
        assert.deepEqual(
          got.map((r) => r.id),
          wanted,
        );
        assert.equal(got[1].record.i, 2);
        assert.deepEqual(await store.getExamples([]), []);
      });

      it('refuses a filter time that is not a date, naming the field', async () => {
        await assert.rejects(store.countExamples({ from: 'yesterday' }), (e: unknown) => isUserError(e) && /from: 'yesterday' is not a date/.test((e as Error).message));
        await assert.rejects(collect(store.streamExamples({ importedAfter: '2026-13-45' })), (e: unknown) => isUserError(e) && /importedAfter/.test((e as Error).message));
      });

      it('answers counts and stats of an empty store without rows', async () => {
        assert.equal(await store.countExamples(), 0);
        assert.deepEqual(await store.exampleStats(), { count: 0, minId: null, maxId: null, firstEventTime: null, lastEventTime: null, lastImportedAt: null });
        assert.deepEqual((await collect(store.streamExamples())).rows, []);
        assert.deepEqual((await collect(store.streamExampleMeta({ sources: ['x'] }))).rows, []);
      });
    });

    describe('runs', () => {
      it('records a new run as running, with its config, who runs it and a heartbeat', async () => {
        const config = { task: 'classification', model: { layers: [8, 4] }, note: 'ünï' };
        const id = await store.createRun({ config, configHash: 'h', dataCounts: { train: 10 } });
        const run = (await store.getRun(id))!;
        assert.deepEqual(
          { ...run },
          {
            id,
            status: 'running',
            startedAt: iso(clock),
            finishedAt: null,
            durationMs: null,
            config,
            configHash: 'h',
            backend: null,
            dataCounts: { train: 10 },
            metrics: null,
            error: null,
            modelVersion: null,
            bestEpoch: null,
            details: null,
            host: os.hostname(),
            pid: process.pid,
            heartbeatAt: iso(clock),
          },
        );
        assert.equal(await store.getRun(id + 1000), undefined);
      });

      it('gives a new run an id above idAbove (the runs named on disk), and later runs continue above it; a lower floor never lowers ids', async () => {
        const first = await store.createRun({ config: {}, configHash: 'a', idAbove: 7 });
        assert.equal(first, 8);
        assert.equal(await store.createRun({ config: {}, configHash: 'b' }), 9);
        assert.equal(await store.createRun({ config: {}, configHash: 'c', idAbove: 3 }), 10);
        // Inside a unit of work too, and with the floor above the store's own runs again.
        const inUnit = await store.unitOfWork((tx) => tx.createRun({ config: {}, configHash: 'd', idAbove: 20 }));
        assert.equal(inUnit, 21);
        assert.deepEqual((await store.listRuns()).map((r) => r.id), [21, 10, 9, 8]);
        // Two processes' worth of concurrent creations with the same floor never collide.
        const other = await target.open({ now });
        try {
          const ids = await Promise.all([store, other, store, other].map((s, i) => s.createRun({ config: {}, configHash: `p${i}`, idAbove: 30 })));
          assert.equal(new Set(ids).size, 4);
          assert.ok(ids.every((id) => id > 30), String(ids));
        } finally {
          await other.close();
        }
      });

      it('updates only the fields given; JSON fields round-trip; an unknown run is a UserError', async () => {
        const id = await store.createRun({ config: {}, configHash: 'h' });
        await store.updateRun(id, { status: 'completed', finishedAt: iso(clock + 5000), durationMs: 5000.5, backend: 'wasm', metrics: { accuracy: 0.75, log_loss: 0.5 }, bestEpoch: 7, modelVersion: 'v3' });
        await store.updateRun(id, { details: { curves: { roc: [[0, 0], [1, 1]] } }, dataCounts: { test: 3 } });
        await store.updateRun(id, {});
        const run = (await store.getRun(id))!;
        assert.equal(run.status, 'completed');
        assert.equal(run.finishedAt, iso(clock + 5000));
        assert.equal(run.durationMs, 5000.5);
        assert.equal(run.backend, 'wasm');
        assert.deepEqual(run.metrics, { accuracy: 0.75, log_loss: 0.5 });
        assert.equal(run.bestEpoch, 7);
        assert.equal(run.modelVersion, 'v3');
        assert.deepEqual(run.details, { curves: { roc: [[0, 0], [1, 1]] } });
        assert.deepEqual(run.dataCounts, { test: 3 });
        await store.updateRun(id, { error: null, details: null });
        assert.equal((await store.getRun(id))!.details, null);
        await assert.rejects(store.updateRun(id + 99, { status: 'failed' }), (e: unknown) => isUserError(e) && /no run/.test((e as Error).message));
      });

      it('heartbeat moves heartbeatAt of a running run only', async () => {
        const running = await store.createRun({ config: {}, configHash: 'a' });
        const done = await store.createRun({ config: {}, configHash: 'b' });
        await store.updateRun(done, { status: 'completed' });
        clock += 30_000;
        await store.heartbeat(running);
        await store.heartbeat(done);
        assert.equal((await store.getRun(running))!.heartbeatAt, iso(clock));
        assert.equal((await store.getRun(done))!.heartbeatAt, iso(clock - 30_000));
      });

      it('shows a running run whose heartbeat is older than heartbeatStaleMs as interrupted, and running again after a heartbeat', async () => {
        const other = await target.open({ now, heartbeatStaleMs: 60_000 });
        try {
          const id = await other.createRun({ config: {}, configHash: 'h' });
          clock += 59_000;
          assert.equal((await other.getRun(id))!.status, 'running');
          clock += 2_000;
          assert.equal((await other.getRun(id))!.status, 'interrupted');
          assert.equal((await other.listRuns())[0].status, 'interrupted');
          await other.heartbeat(id);
          assert.equal((await other.getRun(id))!.status, 'running');
          await other.updateRun(id, { status: 'completed' });
          clock += 10 * 60_000;
          assert.equal((await other.getRun(id))!.status, 'completed', 'only running runs become interrupted');
        } finally {
          await other.close();
        }
      });

      it('shows the run of a process that was killed as interrupted', async function () {
        const child = fixtureChild('run-heartbeat.ts', [target.location, '200'], target.env);
        const id = Number((await waitForLine(child, /run (\d+)/))[1]);
        assert.equal((await store.getRun(id))!.status, 'running');
        child.kill('SIGKILL');
        await exited(child);
        assert.equal((await store.getRun(id))!.status, 'interrupted');
      });

      it('lists runs newest first, honouring limit', async () => {
        const ids: number[] = [];
        for (let k = 0; k < 5; k++) ids.push(await store.createRun({ config: { k }, configHash: `c${k}` }));
        assert.deepEqual(
          (await store.listRuns()).map((r) => r.id),
          [...ids].reverse(),
        );
        assert.deepEqual(
          (await store.listRuns({ limit: 2 })).map((r) => r.id),
          [ids[4], ids[3]],
        );
      });

      it('upserts epochs by epoch number and lists them in epoch order', async () => {
        const id = await store.createRun({ config: {}, configHash: 'h' });
        const other = await store.createRun({ config: {}, configHash: 'o' });
        await store.addEpochs(id, [
          { epoch: 2, logs: { loss: 0.4, val_loss: 0.5 } },
          { epoch: 1, logs: { loss: 0.9 } },
        ]);
        await store.addEpochs(id, [{ epoch: 2, logs: { loss: 0.3 } }, { epoch: 3, logs: { loss: 0.2 } }]);
        await store.addEpochs(other, [{ epoch: 1, logs: { loss: 5 } }]);
        await store.addEpochs(id, []);
        assert.deepEqual(await store.listEpochs(id), [
          { epoch: 1, logs: { loss: 0.9 } },
          { epoch: 2, logs: { loss: 0.3 } },
          { epoch: 3, logs: { loss: 0.2 } },
        ]);
        assert.deepEqual(await store.listEpochs(other), [{ epoch: 1, logs: { loss: 5 } }]);
      });

      it('deletes a run with its epochs and keeps its model', async () => {
        const id = await store.createRun({ config: {}, configHash: 'h' });
        await store.addEpochs(id, [{ epoch: 1, logs: { loss: 1 } }]);
        await store.addModel({ version: 'v1', runId: id, createdAt: iso(clock), task: 'classification', metrics: {}, path: 'p', digest: null }, [{ name: 'f', bytes: new Uint8Array([1]) }]);
        const keep = await store.createRun({ config: {}, configHash: 'keep' });
        await store.deleteRun(id);
        assert.equal(await store.getRun(id), undefined);
        assert.deepEqual(await store.listEpochs(id), []);
        assert.deepEqual((await store.listRuns()).map((r) => r.id), [keep]);
        assert.equal((await store.getModel('v1'))?.version, 'v1');
        assert.deepEqual([...(await store.getModelFiles('v1'))[0].bytes], [1]);
        assert.equal(await store.maxModelNumber(), 1);
      });
    });

    describe('models', () => {
      const model = (version: string, runId: number, createdAt: string) => ({ version, runId, createdAt, task: 'classification', metrics: { accuracy: 0.8, f1: 0.75 }, path: `.mlloop/models/${version}`, digest: `sha-${version}` });

      it('records a model and returns its bundle files byte for byte', async () => {
        const runId = await store.createRun({ config: {}, configHash: 'h' });
        const files = [
          { name: 'weights.bin', bytes: crypto.randomBytes(300_000) },
          { name: 'empty', bytes: new Uint8Array(0) },
          { name: 'all-bytes', bytes: Uint8Array.from({ length: 256 }, (_, b) => b) },
          { name: 'model.json', bytes: Buffer.from(JSON.stringify({ ünï: '🙂' }), 'utf8') },
        ];
        await store.addModel(model('v1', runId, iso(clock)), files);
        assert.deepEqual(await store.getModel('v1'), model('v1', runId, iso(clock)));
        const back = await store.getModelFiles('v1');
        assert.deepEqual(
          back.map((f) => f.name),
          ['all-bytes', 'empty', 'model.json', 'weights.bin'],
        );
        for (const f of back) {
          const sent = files.find((x) => x.name === f.name)!;
          assert.ok(f.bytes instanceof Uint8Array);
          assert.equal(Buffer.compare(Buffer.from(f.bytes), Buffer.from(sent.bytes)), 0, `${f.name} differs`);
        }
        assert.equal(await store.getModel('v2'), undefined);
        assert.deepEqual(await store.getModelFiles('v2'), []);
      });

      it('refuses a version that exists and changes nothing of it', async () => {
        const runId = await store.createRun({ config: {}, configHash: 'h' });
        await store.addModel(model('v1', runId, iso(clock)), [{ name: 'a', bytes: new Uint8Array([1]) }]);
        await assert.rejects(
          store.addModel({ ...model('v1', runId, iso(clock + 1)), metrics: { accuracy: 0 } }, [{ name: 'b', bytes: new Uint8Array([2]) }]),
          (e: unknown) => isUserError(e) && /v1 already exists/.test((e as Error).message),
        );
        assert.deepEqual(await store.getModel('v1'), model('v1', runId, iso(clock)));
        assert.deepEqual(
          (await store.getModelFiles('v1')).map((f) => [f.name, [...f.bytes]]),
          [['a', [1]]],
        );
      });

      it('updateModel replaces metrics, digest and files; an unknown version is a UserError', async () => {
        const runId = await store.createRun({ config: {}, configHash: 'h' });
        await store.addModel(model('v1', runId, iso(clock)), [
          { name: 'a', bytes: new Uint8Array([1]) },
          { name: 'b', bytes: new Uint8Array([2]) },
        ]);
        await store.updateModel('v1', { metrics: { accuracy: 0.9 } });
        assert.deepEqual((await store.getModel('v1'))!.metrics, { accuracy: 0.9 });
        assert.equal((await store.getModel('v1'))!.digest, 'sha-v1');
        await store.updateModel('v1', { files: [{ name: 'c', bytes: new Uint8Array([3, 3]) }], digest: 'sha-new' });
        assert.equal((await store.getModel('v1'))!.digest, 'sha-new');
        assert.deepEqual(
          (await store.getModelFiles('v1')).map((f) => [f.name, [...f.bytes]]),
          [['c', [3, 3]]],
        );
        await assert.rejects(store.updateModel('v9', { metrics: {} }), (e: unknown) => isUserError(e) && /no model v9/.test((e as Error).message));
      });

      it('lists models newest first; maxModelNumber is the highest vN ever recorded', async () => {
        const runId = await store.createRun({ config: {}, configHash: 'h' });
        assert.equal(await store.maxModelNumber(), 0);
        const versions = ['v2', 'v10', 'v9', 'best', 'v', 'vx', 'V11', 'v3.5'];
        for (let k = 0; k < versions.length; k++) await store.addModel(model(versions[k], runId, iso(T0 + k * 1000)));
        assert.deepEqual(
          (await store.listModels()).map((m) => m.version),
          [...versions].reverse(),
        );
        assert.equal(await store.maxModelNumber(), 10);
        await store.deleteRun(runId);
        assert.equal(await store.maxModelNumber(), 10);
      });
    });

    describe('the loop: predictions, feedback, outcomes, the inbox', () => {
      const prediction = (i: number, over: Partial<PredictionInput> = {}): PredictionInput => ({
        id: `p${i}`,
        model: i % 2 ? 'v2' : 'v1',
        time: iso(T0 + i * DAY),
        input: { zeta: i, alpha: `row ${i}`, nested: { list: [1, 'two'] } },
        output: { label: i % 3 ? 'spam' : 'ham', confidence: 0.5 + i / 100, probabilities: { ham: 0.5 - i / 100, spam: 0.5 + i / 100 } },
        source: 'inbox/app.jsonl',
        ...over,
      });
      const feedback = (p: string, k: number, over: Partial<FeedbackInput> = {}): FeedbackInput => ({ prediction: p, time: iso(T0 + k * 1000), source: 'inbox/app.jsonl', hash: `f-${p}-${k}`, ...over });

      it('logs predictions once per id and returns them exactly, optional fields included', async () => {
        const full = prediction(1, { entity: 'user-7', variant: 'B', latencyMs: 12.5 });
        assert.deepEqual(await store.addPredictions([prediction(0), full, prediction(0, { model: 'other' })]), { inserted: 2, duplicates: 1 });
        assert.deepEqual(await store.addPredictions([prediction(1), prediction(2, { output: { value: 3.25 } })]), { inserted: 1, duplicates: 1 });
        const got = await store.getPredictions(['p1', 'p0', 'p2', 'nope', 'p1']);
        assert.deepEqual([...got.keys()].sort(), ['p0', 'p1', 'p2']);
        assert.deepEqual(got.get('p1'), { ...full, ingestedAt: iso(clock) });
        assert.equal(got.get('p0')!.model, 'v1', 'the first line of an id is kept');
        assert.deepEqual(Object.keys(got.get('p0')!.input), ['zeta', 'alpha', 'nested'], 'key order of the input survives');
        assert.deepEqual(got.get('p2')!.output, { value: 3.25 });
        assert.ok(!('entity' in got.get('p0')!) && !('latencyMs' in got.get('p0')!));
        assert.equal((await store.getPredictions([])).size, 0);
      });

      it('finds predictions by id across query chunks, and counts them by time, model and last', async () => {
        await store.addPredictions(Array.from({ length: 1000 }, (_, i) => prediction(i)));
        const ids = Array.from({ length: 1000 }, (_, i) => `p${999 - i}`);
        assert.equal((await store.getPredictions(ids)).size, 1000);
        assert.equal(await store.countPredictions(), 1000);
        assert.equal(await store.countPredictions({ from: iso(T0 + 10 * DAY), to: iso(T0 + 20 * DAY) }), 10);
        assert.equal(await store.countPredictions({ model: 'v2' }), 500);
        assert.equal(await store.countPredictions({ model: 'v2', from: iso(T0 + 990 * DAY) }), 5);
        assert.equal(await store.countPredictions({ last: 7 }), 7);
      });

      it('streams predictions in log order, in batches, by model, time and the newest N, as a snapshot', async () => {
        // Logged out of time order: log order (not time) is the stream's order.
        const order = [5, 0, 9, 3, 7, 1, 8, 2, 6, 4, 10, 11];
        await store.addPredictions(order.map((i) => prediction(i)));
        const all = await collect(store.streamPredictions({}, { batchSize: 5 }));
        assert.deepEqual(all.batches, [5, 5, 2]);
        assert.deepEqual(all.rows.map((p) => p.id), order.map((i) => `p${i}`));
        assert.deepEqual((await collect(store.streamPredictions({ model: 'v1' }))).rows.map((p) => p.id), order.filter((i) => i % 2 === 0).map((i) => `p${i}`));
        assert.deepEqual((await collect(store.streamPredictions({ from: iso(T0 + 8 * DAY) }, { batchSize: 2 }))).rows.map((p) => p.id), ['p9', 'p8', 'p10', 'p11']);
        assert.deepEqual((await collect(store.streamPredictions({ last: 3 }, { batchSize: 2 }))).rows.map((p) => p.id), ['p4', 'p10', 'p11']);
        assert.deepEqual((await collect(store.streamPredictions({ last: 2, model: 'v2' }))).rows.map((p) => p.id), ['p1', 'p11']);
        assert.deepEqual((await collect(store.streamPredictions({ last: 100 }))).rows.length, 12);
        const seen: string[] = [];
        let added = false;
        for await (const batch of store.streamPredictions({}, { batchSize: 4 })) {
          seen.push(...batch.map((p) => p.id));
          if (!added) {
            await store.addPredictions([prediction(50), prediction(51)]);
            added = true;
          }
        }
        assert.equal(seen.length, 12, 'predictions logged while the stream runs are not in it');
        assert.deepEqual((await collect(store.streamPredictions({ model: 'none' }))).rows, []);
      });

      it('records feedback once per hash; a labelled one becomes a linked example with its own event time', async () => {
        await store.addPredictions([prediction(1), prediction(2)]);
        const ex: ExampleInput = { source: 'feedback', label: 'ham', record: { alpha: 'row 1', zeta: 1, label: 'ham' }, hash: 'ex-f1', eventTime: iso(T0 + 5000) };
        const r = await store.addFeedback([
          { ...feedback('p1', 5, { label: 'ham', by: 'ana', durationMs: 1500 }), example: ex },
          feedback('p2', 6, { accepted: false }),
          { ...feedback('p1', 5, { label: 'ham' }), example: ex },
        ]);
        assert.deepEqual(r, { inserted: 2, duplicates: 1, examples: 1 });
        assert.deepEqual(await store.addFeedback([{ ...feedback('p2', 7, { accepted: true }), example: { ...ex, hash: 'ex-f2', label: 'spam' } }]), { inserted: 1, duplicates: 0, examples: 1 });
        const list = await store.listFeedback();
        assert.deepEqual(list.map((f) => [f.prediction, f.time, f.label, f.accepted, f.by, f.durationMs]), [
          ['p1', iso(T0 + 5000), 'ham', undefined, 'ana', 1500],
          ['p2', iso(T0 + 6000), undefined, false, undefined, undefined],
          ['p2', iso(T0 + 7000), undefined, true, undefined, undefined],
        ]);
        const examples = await collectExamples(store);
        assert.equal(examples.length, 2);
        assert.equal(list[0].exampleId, examples[0].id);
        assert.equal(list[1].exampleId, null);
        assert.equal(list[2].exampleId, examples[1].id);
        assert.deepEqual({ ...examples[0], id: 0 }, { id: 0, source: 'feedback', sourceLine: null, importedAt: iso(clock), eventTime: iso(T0 + 5000), label: 'ham', weight: null, record: ex.record });
        assert.deepEqual((await store.listFeedback({ prediction: 'p2' })).map((f) => f.time), [iso(T0 + 6000), iso(T0 + 7000)]);
        assert.deepEqual((await store.listFeedback({ from: iso(T0 + 6000), limit: 1 })).map((f) => f.time), [iso(T0 + 6000)]);
        assert.deepEqual(await store.listFeedback({ to: iso(T0) }), []);
      });

      it('records outcomes once per hash, labelled or valued, with the example linked', async () => {
        await store.addPredictions([prediction(1), prediction(2, { output: { value: 2 } })]);
        const r = await store.addOutcomes([
          { prediction: 'p1', time: iso(T0), label: 'spam', source: 'o.jsonl', hash: 'o1', example: { source: 'outcome', label: 'spam', record: { zeta: 1, label: 'spam' }, hash: 'ex-o1', eventTime: iso(T0) } },
          { prediction: 'p2', time: iso(T0 + 1), value: 2.75, source: 'o.jsonl', hash: 'o2' },
          { prediction: 'p2', time: iso(T0 + 1), value: 2.75, source: 'o.jsonl', hash: 'o2' },
        ]);
        assert.deepEqual(r, { inserted: 2, duplicates: 1, examples: 1 });
        const list = await store.listOutcomes();
        assert.deepEqual(list.map((o) => [o.prediction, o.label, o.value, o.exampleId !== null]), [
          ['p1', 'spam', undefined, true],
          ['p2', undefined, 2.75, false],
        ]);
        assert.deepEqual((await store.listOutcomes({ prediction: 'p1' })).map((o) => o.hash), ['o1']);
      });

      it('refuses feedback and outcomes on a prediction that is not logged, naming it, and keeps nothing of the unit', async () => {
        await store.addPredictions([prediction(1)]);
        await assert.rejects(
          store.unitOfWork(async (tx) => {
            await tx.addPredictions([prediction(2)]);
            await tx.addFeedback([feedback('p2', 1, { accepted: true }), feedback('p404', 1, { accepted: true })]);
          }),
          (e: unknown) => isUserError(e) && /'p404' is not logged/.test((e as Error).message),
        );
        assert.equal((await store.getPredictions(['p2'])).size, 0);
        await assert.rejects(store.addOutcomes([{ prediction: 'gone', time: iso(T0), value: 1, source: 's', hash: 'h' }]), (e: unknown) => isUserError(e) && /'gone'/.test((e as Error).message));
        assert.deepEqual(await store.listFeedback(), []);
        assert.deepEqual(await store.listOutcomes(), []);
      });

      it('prunes predictions older than a time with their feedback and outcomes, keeping the examples they became', async () => {
        await store.addPredictions(Array.from({ length: 10 }, (_, i) => prediction(i)));
        await store.addFeedback([{ ...feedback('p1', 1, { label: 'ham' }), example: { source: 'feedback', label: 'ham', record: { zeta: 1 }, hash: 'e1' } }, feedback('p8', 2, { accepted: true })]);
        await store.addOutcomes([{ prediction: 'p2', time: iso(T0), value: 1, source: 's', hash: 'o' }]);
        assert.equal(await store.prunePredictions(iso(T0 + 5 * DAY)), 5);
        assert.deepEqual([...(await store.getPredictions(Array.from({ length: 10 }, (_, i) => `p${i}`))).keys()].sort(), ['p5', 'p6', 'p7', 'p8', 'p9']);
        assert.deepEqual((await store.listFeedback()).map((f) => f.prediction), ['p8']);
        assert.deepEqual(await store.listOutcomes(), []);
        assert.equal(await store.countExamples(), 1);
        assert.equal(await store.prunePredictions(iso(T0 + 5 * DAY)), 0);
      });

      it('keeps inbox offsets, with compare-and-set: a stale expectation writes nothing', async () => {
        const st = (name: string, offset: number, identity = 'dev:ino:0:'): InboxFileState => ({ name, identity, offset, lines: offset / 10, updatedAt: iso(clock) });
        assert.equal(await store.setInboxFile(st('b.jsonl', 10), null), true);
        assert.equal(await store.setInboxFile(st('b.jsonl', 20), null), false, 'null expects no state yet');
        assert.equal(await store.setInboxFile(st('a.jsonl', 30)), true);
        assert.equal(await store.setInboxFile(st('b.jsonl', 40), { identity: 'dev:ino:0:', offset: 10 }), true);
        assert.equal(await store.setInboxFile(st('b.jsonl', 50), { identity: 'dev:ino:0:', offset: 10 }), false, 'the offset moved on');
        assert.equal(await store.setInboxFile(st('b.jsonl', 50), { identity: 'other', offset: 40 }), false, 'another file now');
        assert.equal(await store.setInboxFile(st('c.jsonl', 50), { identity: 'dev:ino:0:', offset: 0 }), false, 'no state to match');
        assert.deepEqual(await store.getInboxFiles(), [st('a.jsonl', 30), st('b.jsonl', 40)]);
      });

      it('lets exactly one of two ingesters that started from the same offset move it on', async () => {
        const other = await target.open({ now });
        try {
          await store.setInboxFile({ name: 'x.jsonl', identity: 'i', offset: 100, lines: 1, updatedAt: iso(clock) });
          const attempt = (s: Store, offset: number) =>
            s.unitOfWork(async (tx) => {
              const won = await tx.setInboxFile({ name: 'x.jsonl', identity: 'i', offset, lines: 2, updatedAt: iso(clock) }, { identity: 'i', offset: 100 });
              // Hold the transaction open so the other attempt runs while this one has not committed.
              await new Promise((r) => setTimeout(r, 300));
              return won;
            });
          const results = await Promise.all([attempt(store, 200), attempt(other, 300)]);
          assert.equal(results.filter(Boolean).length, 1, JSON.stringify(results));
          assert.equal((await store.getInboxFiles())[0].offset, results[0] ? 200 : 300);
        } finally {
          await other.close();
        }
      });

      it('keeps rejected lines newest first with their text cut, and waiting lines whole until they are taken or expire', async () => {
        const long = 'x'.repeat(5000);
        await store.addRejectedLines([
          { source: 'inbox/a.jsonl', line: 1, reason: 'not JSON', text: long, at: iso(clock) },
          { source: 'inbox/a.jsonl', line: 2, reason: "unknown prediction 'p1'", text: long, at: iso(clock), waitingFor: 'p1' },
          { source: 'inbox/b.jsonl', line: 7, reason: "unknown prediction 'p2'", text: '{"short":1}', at: iso(clock + 1000), waitingFor: 'p2' },
        ]);
        await store.addRejectedLines([]);
        const all = await store.listRejectedLines();
        assert.deepEqual(all.map((r) => [r.source, r.line, r.text.length, r.waitingFor]), [
          ['inbox/b.jsonl', 7, 11, 'p2'],
          ['inbox/a.jsonl', 2, 5000, 'p1'],
          ['inbox/a.jsonl', 1, 2000, undefined],
        ]);
        assert.deepEqual((await store.listRejectedLines({ limit: 1 })).map((r) => r.line), [7]);
        assert.deepEqual((await store.listWaitingLines()).map((r) => r.waitingFor), ['p1', 'p2']);
        assert.deepEqual(await store.listWaitingLines({ resolvable: true }), []);
        await store.addPredictions([prediction(2)]);
        const ready = await store.listWaitingLines({ resolvable: true });
        assert.deepEqual(ready.map((r) => [r.line, r.text]), [[7, '{"short":1}']]);
        assert.equal(await store.deleteRejectedLines([ready[0].id]), 1);
        assert.equal(await store.deleteRejectedLines([ready[0].id]), 0, 'a line is taken once');
        assert.equal(await store.expireWaitingLines(iso(clock), ' (expired)'), 0, 'set aside at the same instant: not before it');
        assert.equal(await store.expireWaitingLines(iso(clock + 1), ' (expired)'), 1);
        assert.deepEqual(await store.listWaitingLines(), []);
        const left = await store.listRejectedLines();
        assert.deepEqual(left.map((r) => [r.line, r.reason, r.text.length, r.waitingFor]), [
          [2, "unknown prediction 'p1' (expired)", 2000, undefined],
          [1, 'not JSON', 2000, undefined],
        ]);
      });

      it('adds example rows inside a unit of work, with the inbox offset, all or nothing', async () => {
        const rows = [example(0, { source: 'inbox/a.jsonl' }), example(1, { source: 'inbox/a.jsonl', eventTime: iso(T0) }), example(0)];
        await assert.rejects(
          store.unitOfWork(async (tx) => {
            assert.deepEqual(await tx.addExampleRows(rows), { inserted: 2, duplicates: 1 });
            await tx.setInboxFile({ name: 'a.jsonl', identity: 'i', offset: 10, lines: 2, updatedAt: iso(clock) });
            assert.equal(await tx.countExamples(), 2);
            throw new Error('killed');
          }),
          /killed/,
        );
        assert.equal(await store.countExamples(), 0);
        assert.deepEqual(await store.getInboxFiles(), []);
        await store.unitOfWork(async (tx) => {
          await tx.addExampleRows(rows);
          await tx.setInboxFile({ name: 'a.jsonl', identity: 'i', offset: 10, lines: 2, updatedAt: iso(clock) }, null);
        });
        const stored = await collectExamples(store);
        assert.deepEqual(stored.map((e) => [e.source, e.eventTime, e.label]), [
          ['inbox/a.jsonl', iso(clock), 'no'],
          ['inbox/a.jsonl', iso(T0), 'yes'],
        ]);
        assert.deepEqual(await store.addExampleRows([]), { inserted: 0, duplicates: 0 });
        assert.equal((await store.getInboxFiles())[0].offset, 10);
      });
    });

    describe('monitoring (schema 4)', () => {
      const alert = (over: Record<string, unknown> = {}) => ({
        rule: 'feature_drift',
        key: 'feature_drift:age',
        severity: 'warning' as const,
        title: 'Input drift in age',
        detail: 'PSI 0.3',
        metric: 'psi:age',
        value: 0.3,
        threshold: 0.1,
        model: 'v1',
        createdAt: iso(clock),
        updatedAt: iso(clock),
        ...over,
      });

      it('records alerts and lists them newest first by status; acknowledging and resolving round-trip; NaN is stored as null; an unknown alert is a UserError', async () => {
        const a = await store.addAlert(alert());
        const b = await store.addAlert(alert({ key: 'latency', rule: 'latency', severity: 'critical', value: NaN, threshold: null }));
        assert.deepEqual((await store.listAlerts()).map((x) => x.id), [b, a]);
        const got = await store.getAlert(b);
        assert.equal(got?.value, null);
        assert.equal(got?.status, 'active');
        await store.updateAlert(a, { status: 'acknowledged', acknowledgedAt: iso(clock + 1000), acknowledgedBy: 'ana' });
        assert.deepEqual((await store.listAlerts({ status: ['active'] })).map((x) => x.id), [b]);
        const acked = await store.getAlert(a);
        assert.deepEqual([acked?.status, acked?.acknowledgedBy, acked?.acknowledgedAt, acked?.title, acked?.model], ['acknowledged', 'ana', iso(clock + 1000), 'Input drift in age', 'v1']);
        assert.deepEqual(await store.listAlerts({ status: [] }), []);
        await assert.rejects(store.updateAlert(999, { status: 'resolved' }), (e: unknown) => isUserError(e) && /no alert 999/.test((e as Error).message));
      });

      it('saves alert conditions as compare-and-set: insert once, update only at the stored revision', async () => {
        const state = { key: 'k', rule: 'latency', active: true, severity: 'warning' as const, since: iso(clock), clearedAt: null, lastFiredAt: iso(clock), firedSeverity: 'warning' as const, alertId: 3, checkedAt: iso(clock) };
        assert.equal(await store.saveAlertCondition(state, null), true);
        assert.equal(await store.saveAlertCondition(state, null), false, 'a second insert loses');
        assert.deepEqual(await store.listAlertConditions(), [{ ...state, revision: 1 }]);
        assert.equal(await store.saveAlertCondition({ ...state, active: false, severity: null, clearedAt: iso(clock + 5), alertId: null }, 1), true);
        assert.equal(await store.saveAlertCondition({ ...state, active: true }, 1), false, 'a stale revision loses');
        const [c] = await store.listAlertConditions();
        assert.deepEqual([c.active, c.severity, c.clearedAt, c.alertId, c.revision], [false, null, iso(clock + 5), null, 2]);
      });

      it('keeps snapshots oldest first (limit: the newest N), filters by time and prunes the old', async () => {
        for (let i = 0; i < 5; i++) await store.addMonitorSnapshot({ at: iso(T0 + i * DAY), model: 'v1', windowFrom: iso(T0), windowTo: iso(T0 + i * DAY), n: i, summary: { features: [{ name: 'age', psi: i / 10 }] } });
        assert.deepEqual((await store.listMonitorSnapshots()).map((s) => s.n), [0, 1, 2, 3, 4]);
        assert.deepEqual((await store.listMonitorSnapshots({ limit: 2 })).map((s) => s.n), [3, 4]);
        assert.deepEqual((await store.listMonitorSnapshots({ from: iso(T0 + 3 * DAY) })).map((s) => s.n), [3, 4]);
        assert.deepEqual((await store.listMonitorSnapshots({ limit: 1 }))[0].summary, { features: [{ name: 'age', psi: 0.4 }] });
        assert.equal(await store.pruneMonitorSnapshots(iso(T0 + 2 * DAY)), 2);
        assert.deepEqual((await store.listMonitorSnapshots()).map((s) => s.n), [2, 3, 4]);
      });

      const driftCheck = (holds: boolean): AlertCheck => ({ rule: 'feature_drift', key: 'feature_drift:age', holds, severity: 'critical', title: 'Input drift in age', detail: 'PSI 0.4', metric: 'psi:age', value: 0.4, threshold: 0.25 });

      it('fires an onset once across reopenings, keeps the acknowledgement, resolves on clearing and fires the next onset after the cooldown', async () => {
        const hour = 3_600_000;
        const run = (holds: boolean) => applyAlertChecks(store, [driftCheck(holds)], { now: new Date(clock), cooldownMs: hour, model: 'v1' });
        assert.equal((await run(true)).fired.length, 1);
        const [first] = await store.listAlerts();
        await acknowledgeAlert(store, first.id, 'ana', new Date(clock));
        await store.close();
        store = await target.open({ now });
        clock += 5 * 60_000;
        assert.equal((await run(true)).fired.length, 0, 'still the same episode after a reopen');
        const reread = await store.getAlert(first.id);
        assert.deepEqual([reread?.status, reread?.acknowledgedBy], ['acknowledged', 'ana']);
        clock += 5 * 60_000;
        assert.deepEqual((await run(false)).resolved, [first.id]);
        assert.equal((await store.getAlert(first.id))?.resolvedBy, 'monitor');
        clock += 10 * 60_000;
        const held = await run(true);
        assert.equal(held.fired.length, 0, 'back within the hour: held back');
        assert.equal(held.heldBack.length, 1);
        clock += hour;
        assert.equal((await run(true)).fired.length, 1, 'the cooldown is over and it still holds');
        assert.equal((await store.listAlerts()).length, 2);
      });

      it('a resolved alert whose condition still holds does not fire again until the condition clears and returns', async () => {
        const run = (holds: boolean) => applyAlertChecks(store, [driftCheck(holds)], { now: new Date(clock), cooldownMs: 0, model: 'v1' });
        await run(true);
        const [a] = await store.listAlerts();
        await resolveAlert(store, a.id, 'ana', new Date(clock));
        clock += 60_000;
        assert.equal((await run(true)).fired.length, 0);
        await run(false);
        clock += 60_000;
        assert.equal((await run(true)).fired.length, 1);
      });

      it('fires one onset once when two connections check it at the same moment', async () => {
        const other = await target.open({ now });
        try {
          const results = await Promise.all([store, other].map((s) => applyAlertChecks(s, [driftCheck(true)], { now: new Date(clock), cooldownMs: 3_600_000, model: 'v1' })));
          assert.equal(results.reduce((n, r) => n + r.fired.length, 0), 1);
          assert.equal((await store.listAlerts()).length, 1);
        } finally {
          await other.close();
        }
      });
    });

    describe('serving: shadow predictions, experiment arms, experiments', () => {
      const prediction = (id: string, over: Partial<import('../../src/core/store/types').PredictionInput> = {}) => ({
        id,
        model: 'v1',
        time: iso(T0 + Number(id.replace(/\D/g, '')) * 1000),
        input: { x: 1 },
        output: { label: 'yes', confidence: 0.8, probabilities: { no: 0.2, yes: 0.8 } },
        source: 'serve',
        ...over,
      });

      it('keeps a shadow answer beside the served prediction it shadows, once per version, and prunes it with the prediction', async () => {
        await store.addPredictions([prediction('p1'), prediction('p2', { variant: 'champion' }), prediction('p3')]);
        const r = await store.addShadowPredictions([
          { prediction: 'p1', model: 'v2', time: iso(T0 + 1000), output: { label: 'no', confidence: 0.6 }, latencyMs: 0.4 },
          { prediction: 'p2', model: 'v2', time: iso(T0 + 2000), output: { label: 'yes', confidence: 0.9 } },
          { prediction: 'p2', model: 'v3', time: iso(T0 + 2000), output: { label: 'yes', confidence: 0.7 } },
        ]);
        assert.deepEqual(r, { inserted: 3, duplicates: 0 });
        assert.deepEqual(await store.addShadowPredictions([{ prediction: 'p1', model: 'v2', time: iso(T0), output: { label: 'yes' } }]), { inserted: 0, duplicates: 1 });
        const v2 = await store.listShadowComparisons({ model: 'v2' });
        assert.deepEqual(
          v2.map((c) => [c.prediction, c.served.model, c.served.output.label, c.served.variant ?? null, c.shadow.model, c.shadow.output.label, c.shadow.latencyMs ?? null]),
          [
            ['p1', 'v1', 'yes', null, 'v2', 'no', 0.4],
            ['p2', 'v1', 'yes', 'champion', 'v2', 'yes', null],
          ],
        );
        assert.equal((await store.listShadowComparisons({ from: iso(T0 + 1500) })).length, 2, 'by the prediction time: p2 with v2 and v3');
        await store.prunePredictions(iso(T0 + 1500));
        assert.deepEqual((await store.listShadowComparisons()).map((c) => `${c.prediction}/${c.shadow.model}`), ['p2/v2', 'p2/v3']);
      });

      it('lists the predictions of experiment arms with their outcomes in arrival order, typed labels kept', async () => {
        await store.addPredictions([
          prediction('p1', { variant: 'champion', entity: 'u1' }),
          prediction('p2', { variant: 'fallback', entity: 'u2' }),
          prediction('p3'),
          prediction('p4', { variant: 'champion', entity: 'u1' }),
        ]);
        await store.addOutcomes([
          { prediction: 'p2', time: iso(T0 + 9000), label: 'yes', source: 'serve', hash: 'o1' },
          { prediction: 'p1', time: iso(T0 + 8000), value: 2.5, source: 'serve', hash: 'o2' },
          { prediction: 'p1', time: iso(T0 + 9500), label: 'no', value: 0, source: 'serve', hash: 'o3' },
        ]);
        const all = await store.listVariantAssignments();
        assert.deepEqual(
          all.map((a) => [a.prediction, a.variant, a.entity ?? null, a.outcomes.map((o) => [o.label ?? null, o.value ?? null])]),
          [
            ['p1', 'champion', 'u1', [[null, 2.5], ['no', 0]]],
            ['p2', 'fallback', 'u2', [['yes', null]]],
            ['p4', 'champion', 'u1', []],
          ],
        );
        assert.ok(all[0].outcomes[0].id < all[0].outcomes[1].id);
        assert.deepEqual((await store.listVariantAssignments({ from: iso(T0 + 2000), to: iso(T0 + 4000) })).map((a) => a.prediction), ['p2']);
      });

      it('records an experiment once when started, and its stop once with the result', async () => {
        assert.equal(await store.getExperiment('e1'), undefined);
        const first = await store.startExperiment('e1', iso(T0), 'serve');
        const again = await store.startExperiment('e1', iso(T0 + DAY), 'command (ana)');
        assert.deepEqual(again, first);
        assert.deepEqual(first, { name: 'e1', startedAt: iso(T0), startedBy: 'serve', stoppedAt: null, stoppedBy: null, result: null });
        const stopped = await store.stopExperiment('e1', { at: iso(T0 + 2 * DAY), by: 'command', result: { decision: 'winner', winner: 'champion' } });
        assert.deepEqual(stopped, { ...first, stoppedAt: iso(T0 + 2 * DAY), stoppedBy: 'command', result: { decision: 'winner', winner: 'champion' } });
        const twice = await store.stopExperiment('e1', { at: iso(T0 + 3 * DAY), by: 'other', result: {} });
        assert.equal(twice!.stoppedAt, iso(T0 + 2 * DAY), 'a stopped experiment keeps its first stop');
        assert.equal(await store.stopExperiment('nope', { at: iso(T0), by: 'x', result: {} }), undefined);
        await store.startExperiment('e2', iso(T0 + DAY), 'serve');
        assert.deepEqual((await store.listExperiments()).map((e) => e.name), ['e2', 'e1']);
      });

      it('lists running servers with their numbers; a silent one as not live, a stopped one not at all', async () => {
        const stats = { model: 'v1', requestsPerSecond: 12.5, p50Ms: 0.8, p99Ms: 4.2, predictions: 100, fallbackRate: 0.1, pendingLog: 0, experiment: null, shadow: null, auth: true };
        const server = { id: 's1', host: 'web1', pid: 42, url: 'http://127.0.0.1:8765', startedAt: iso(clock), heartbeatAt: iso(clock), stoppedAt: null, stats };
        await store.upsertServer(server);
        await store.upsertServer({ ...server, id: 's2', pid: 43, startedAt: iso(clock + 1), heartbeatAt: iso(clock + 1) });
        await store.upsertServer({ ...server, heartbeatAt: iso(clock + 5000), stats: { ...stats, predictions: 200 } });
        clock += 20_000;
        assert.deepEqual((await store.listServers()).map((s) => [s.id, s.live, s.stats.predictions]), [['s2', true, 100], ['s1', true, 200]]);
        clock += 15_000;
        assert.deepEqual((await store.listServers()).map((s) => [s.id, s.live]), [['s2', false], ['s1', true]]);
        await store.upsertServer({ ...server, heartbeatAt: iso(clock), stoppedAt: iso(clock) });
        assert.deepEqual((await store.listServers()).map((s) => s.id), ['s2']);
      });
    });

    describe('several processes', () => {
      it('sees another connection\'s commits on its next read', async () => {
        const other = await target.open({ now });
        try {
          await other.addExamples([[example(0)]]);
          assert.equal(await store.countExamples(), 1);
          const id = await store.createRun({ config: {}, configHash: 'c' });
          assert.equal((await other.getRun(id))?.status, 'running');
        } finally {
          await other.close();
        }
      });

      it('keeps every row when two processes write at once', async function () {
        const a = fixtureChild('store-writer.ts', [target.location, 'a', '20', '25'], target.env);
        const b = fixtureChild('store-writer.ts', [target.location, 'b', '20', '25'], target.env);
        // And this process writes meanwhile, too.
        for (let k = 0; k < 10; k++) await store.addExamples([[example(k, { source: 'parent' })]]);
        assert.equal(await exited(a), 0);
        assert.equal(await exited(b), 0);
        assert.equal(await store.countExamples({ sources: ['a'] }), 500);
        assert.equal(await store.countExamples({ sources: ['b'] }), 500);
        assert.equal(await store.countExamples({ sources: ['parent'] }), 10);
        const ids = (await collect(store.streamExampleMeta())).rows.map((r) => r.id);
        assert.equal(new Set(ids).size, 1010);
      });

      it('reopens with everything in it, at the same schema version', async () => {
        const version = await store.schemaVersion();
        assert.ok(version >= 2);
        await store.addExamples([[example(0)]]);
        const id = await store.createRun({ config: { a: 1 }, configHash: 'c' });
        await store.close();
        store = await target.open({ now });
        assert.equal(await store.schemaVersion(), version);
        assert.equal(await store.countExamples(), 1);
        assert.deepEqual((await store.getRun(id))?.config, { a: 1 });
      });
    });
  });
}

/**
 * What only the PostgreSQL store does: connection and permission errors a user can cause,
 * migrations shared by several processes, transactions seen from other connections, ids in
 * commit order, liveness across hosts, and processes killed at random moments. The Store
 * API itself is tested on both engines in store-contract.test.ts.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { types as pgTypes } from 'pg';
import { openStore } from '../../src/core/store/open';
import { openPostgresStore, POSTGRES_SCHEMA_VERSION, type PostgresStoreOptions } from '../../src/core/store/postgres';
import type { ExampleInput, Store } from '../../src/core/store/types';
import { isUserError } from '../../src/core/util/errors';
import { createRng } from '../../src/core/util/random';
import { filesDigest } from './fixtures/store-fault-writer';
import { collectLines, collectStderr, exited, fixtureChild, waitForLine } from './support/children';
import { freshSchema, pgQuery, testPostgres, type TestPostgres } from './support/postgres';

function example(i: number, over: Partial<ExampleInput> = {}): ExampleInput {
  return { source: 's', label: `l${i}`, record: { i }, hash: `h${i}`, ...over };
}

/** The UserError `p` rejects with (fails when it resolves or throws anything else). */
async function userError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(isUserError(e), `expected a UserError, got ${e instanceof Error ? e.stack : String(e)}`);
    return (e as Error).message;
  }
  assert.fail('expected a UserError; it succeeded');
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A TCP relay in front of the test server, to make the server go away and come back: `cut`
 * drops every connection at once (as a crashed or restarted server does), `stop` also stops
 * listening (a server that is down), `start` listens again on the same port.
 */
class Relay {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  constructor(
    readonly port: number,
    private readonly target: number,
  ) {}
  start(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    return new Promise((resolve) => this.server!.listen(this.port, '127.0.0.1', () => resolve()));
  }
  cut(): void {
    for (const s of this.sockets) s.destroy();
  }
  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}

/** Runs `fn` with environment variables set (undefined: removed), restoring them after. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const before: Record<string, string | undefined> = {};
  for (const k of Object.keys(vars)) {
    before[k] = process.env[k];
    if (vars[k] === undefined) delete process.env[k];
    else process.env[k] = vars[k];
  }
  try {
    return await fn();
  } finally {
    for (const k of Object.keys(before)) {
      if (before[k] === undefined) delete process.env[k];
      else process.env[k] = before[k];
    }
  }
}

describe('the PostgreSQL store', function () {
  this.timeout(120_000);
  let pg: TestPostgres;
  const open: Store[] = [];
  async function openPg(opts: Partial<PostgresStoreOptions> = {}, url?: string): Promise<Store> {
    const s = await openPostgresStore(url ?? pg.url, { schema: opts.schema ?? freshSchema('p'), purpose: 'pg test', ...opts });
    open.push(s);
    return s;
  }

  before(async function () {
    this.timeout(900_000);
    pg = await testPostgres();
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });

  describe('errors a user can cause', () => {
    it('a server that is down: a UserError naming the URL without its password, and what to check', async () => {
      const port = await freePort();
      const url = `postgres://mlloop:hunter2-secret@127.0.0.1:${port}/mlloop_test`;
      const msg = await userError(openPostgresStore(url, { schema: 'mlloop' }));
      assert.match(msg, new RegExp(`PostgreSQL store postgres://mlloop:\\*\\*\\*@127\\.0\\.0\\.1:${port}/mlloop_test`));
      assert.match(msg, /nothing accepts connections.*server is running/);
      assert.doesNotMatch(msg, /hunter2/);
      // The same through openStore, with the password taken from the environment as ${VAR}.
      const viaProject = await userError(
        openStore({ url: `postgres://mlloop:\${DB_PW}@127.0.0.1:${port}/mlloop_test`, schema: 'mlloop' }, '/nonexistent/store.sqlite', '/tmp', { env: { DB_PW: 'hunter2-secret' } }),
      );
      assert.match(viaProject, /mlloop:\*\*\*@127\.0\.0\.1/);
      assert.doesNotMatch(viaProject, /hunter2/);
    });

    it('a wrong password: a UserError that says the password was refused, without it', async () => {
      const url = `postgres://mlloop:wrong-${pg.password.slice(0, 4)}@127.0.0.1:${pg.port}/${pg.database}`;
      const msg = await userError(openPostgresStore(url, { schema: 'mlloop' }));
      assert.match(msg, /password for user "mlloop" was refused/);
      assert.match(msg, /PGPASSWORD|pgpass/);
      assert.doesNotMatch(msg, /wrong-/);
    });

    it('no password where the server asks for one: says where to put it; PGPASSWORD and a private ~/.pgpass provide it', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-pgpass-'));
      try {
        const pgpass = path.join(dir, 'pgpass');
        const url = `postgres://mlloop@127.0.0.1:${pg.port}/${pg.database}`;
        const none = await withEnv({ PGPASSWORD: undefined, PGPASSFILE: pgpass }, () => userError(openPostgresStore(url, { schema: 'mlloop' })));
        assert.match(none, /asks user "mlloop" for a password and none was given/);
        await withEnv({ PGPASSWORD: pg.password, PGPASSFILE: pgpass }, async () => (await openPostgresStore(url, { schema: freshSchema() })).close());
        fs.writeFileSync(pgpass, `# comment\notherhost:*:*:*:nope\n127.0.0.1:${pg.port}:${pg.database}:mlloop:${pg.password}\n`, { mode: 0o600 });
        await withEnv({ PGPASSWORD: undefined, PGPASSFILE: pgpass }, async () => (await openPostgresStore(url, { schema: freshSchema() })).close());
        // A password file others can read is ignored (as libpq does).
        fs.chmodSync(pgpass, 0o644);
        await withEnv({ PGPASSWORD: undefined, PGPASSFILE: pgpass }, () => userError(openPostgresStore(url, { schema: 'mlloop' })));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a database that does not exist: a UserError that names it and how to create it', async () => {
      const url = `postgres://mlloop:${pg.password}@127.0.0.1:${pg.port}/no_such_db`;
      const msg = await userError(openPostgresStore(url, { schema: 'mlloop' }));
      assert.match(msg, /the database "no_such_db" does not exist/);
      assert.match(msg, /createdb/);
      assert.doesNotMatch(msg, new RegExp(pg.password));
    });

    it('a host name that does not resolve: a UserError about the host', async () => {
      const msg = await userError(openPostgresStore('postgres://mlloop:pw@no-such-host.invalid:5432/db', { schema: 'mlloop' }));
      assert.match(msg, /no-such-host\.invalid/);
      assert.match(msg, /host/);
    });

    it('a user without the right to create or use the schema: a UserError with the GRANT to ask for; granted, it works', async () => {
      const role = `limited_${crypto.randomBytes(3).toString('hex')}`;
      await pgQuery(`CREATE ROLE ${role} LOGIN PASSWORD 'limited-pw'`);
      const url = `postgres://${role}:limited-pw@127.0.0.1:${pg.port}/${pg.database}`;
      const schema = freshSchema('perm');
      const create = await userError(openPostgresStore(url, { schema }));
      assert.match(create, new RegExp(`refused user "${role}": permission denied`));
      assert.match(create, /CREATE SCHEMA/);
      assert.doesNotMatch(create, /limited-pw/);
      // The owner sets the project up; the limited user may not read it yet.
      const owner = await openPg({ schema });
      await owner.addExamples([[example(1)]]);
      const read = await userError(openPostgresStore(url, { schema }));
      assert.match(read, /permission denied/);
      assert.match(read, /GRANT USAGE ON SCHEMA/);
      await pgQuery(`GRANT USAGE ON SCHEMA "${schema}" TO ${role}; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${schema}" TO ${role}`);
      await pgQuery(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA "${schema}" TO ${role}`);
      const limited = await openPg({ schema }, url);
      assert.equal(await limited.countExamples(), 1);
      await limited.addExamples([[example(2)]]);
      assert.equal(await owner.countExamples(), 2);
    });

    it('a schema name that is not one: a UserError before connecting', async () => {
      const msg = await userError(openPostgresStore(pg.url, { schema: 'my-project; drop' }));
      assert.match(msg, /store\.schema 'my-project; drop' is not a PostgreSQL schema name/);
      assert.match(await userError(openPostgresStore(pg.url, { schema: 'pg_mine' })), /reserved by PostgreSQL/);
    });
  });

  describe('schemas and migrations', () => {
    it('several processes opening a fresh schema at once migrate it once', async () => {
      const schema = freshSchema('race');
      const stores = await Promise.all(Array.from({ length: 6 }, () => openPg({ schema })));
      for (const s of stores) assert.equal(await s.schemaVersion(), POSTGRES_SCHEMA_VERSION);
      const rows = await pgQuery<{ value: string }>(`SELECT value FROM "${schema}".meta WHERE key = 'schema_version'`);
      assert.deepEqual(rows, [{ value: String(POSTGRES_SCHEMA_VERSION) }]);
      await stores[0].addExamples([[example(1)]]);
      assert.equal(await stores[5].countExamples(), 1);
    });

    it('refuses a schema written by a newer ML Loop, and leaves it as it was', async () => {
      const schema = freshSchema('newer');
      const s = await openPg({ schema });
      await s.addExamples([[example(1)]]);
      await pgQuery(`UPDATE "${schema}".meta SET value = '99' WHERE key = 'schema_version'`);
      const msg = await userError(openPostgresStore(pg.url, { schema }));
      assert.match(msg, /written by a newer ML Loop \(store schema 99; this version knows up to \d+\)\. Update ML Loop/);
      assert.match(msg, new RegExp(`schema ${schema}`));
      assert.deepEqual(await pgQuery(`SELECT count(*)::int AS n FROM "${schema}".examples`), [{ n: 1 }]);
    });

    it('keeps projects in different schemas of one database apart', async () => {
      const a = await openPg();
      const b = await openPg();
      await a.addExamples([[example(1), example(2)]]);
      await b.createRun({ config: {}, configHash: 'b' });
      assert.equal(await b.countExamples(), 0);
      assert.equal(await a.countExamples(), 2);
      assert.deepEqual(await a.listRuns(), []);
    });

    it('parses counts and ids as numbers for its own connections only', async () => {
      const s = await openPg();
      await s.addExamples([[example(1)]]);
      assert.equal(typeof (await s.exampleStats()).maxId, 'number');
      assert.equal(pgTypes.getTypeParser(20, 'text')('12'), '12', "pg's global int8 parser is untouched");
    });
  });

  describe('transactions seen from other connections', () => {
    it('does not show a unit of work to others before it commits, and does not make them wait', async () => {
      const schema = freshSchema('tx');
      const writer = await openPg({ schema });
      const reader = await openPg({ schema });
      await writer.unitOfWork(async (tx) => {
        await tx.createRun({ config: {}, configHash: 'c' });
        assert.deepEqual(await reader.listRuns(), []);
      });
      assert.equal((await reader.listRuns()).length, 1);
    });

    it('a failed statement whose error the unit caught rolls the unit back, and says so', async () => {
      const s = await openPg();
      const msg = await userError(
        s.unitOfWork(async (tx) => {
          await tx.createRun({ config: {}, configHash: 'c' });
          await tx.addEpochs(987654, [{ epoch: 1, logs: {} }]).catch(() => undefined); // no such run: a foreign-key violation
        }),
      );
      assert.match(msg, /rolled back/);
      assert.deepEqual(await s.listRuns(), []);
    });

    it('hands out example ids in commit order: a writer waits for an import in progress, told who it is', async () => {
      const schema = freshSchema('order');
      const importer = await openPg({ schema, purpose: 'mlloop import big.csv' });
      const waits: string[] = [];
      const feedback = await openPg({ schema, purpose: 'feedback', onWait: (m) => waits.push(m) });
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let firstBatchInserted!: () => void;
      const inserted = new Promise<void>((r) => (firstBatchInserted = r));
      async function* slow(): AsyncGenerator<ExampleInput[]> {
        yield Array.from({ length: 100 }, (_, i) => example(i));
        firstBatchInserted(); // asked for the next batch: the first is in (uncommitted)
        await gate;
        yield Array.from({ length: 100 }, (_, i) => example(100 + i));
      }
      const importing = importer.addExamples(slow());
      await inserted;
      const single = feedback.addExamples([[example(1000, { source: 'feedback' })]]);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(waits.length, 1);
      assert.match(waits[0], /Waiting for mlloop import big\.csv \(.+ pid \d+\).*, which is adding examples/);
      release();
      assert.deepEqual(await importing, { inserted: 200, duplicates: 0 });
      assert.deepEqual(await single, { inserted: 1, duplicates: 0 });
      const stats = await importer.exampleStats({ sources: ['s'] });
      const fb = await importer.exampleStats({ sources: ['feedback'] });
      assert.ok(fb.minId! > stats.maxId!, `the feedback row (id ${fb.minId}) committed last, so its id is above the import's (≤ ${stats.maxId})`);
    });

    it('a writer that would wait longer than lockTimeoutMs gets a UserError naming who holds the store, and writes nothing', async () => {
      const schema = freshSchema('busy');
      const importer = await openPg({ schema, purpose: 'slow importer' });
      const impatient = await openPg({ schema, purpose: 'impatient', lockTimeoutMs: 300 });
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let started!: () => void;
      const inside = new Promise<void>((r) => (started = r));
      async function* slow(): AsyncGenerator<ExampleInput[]> {
        yield [example(1)];
        started();
        await gate;
      }
      const importing = importer.addExamples(slow());
      await inside;
      const msg = await userError(impatient.addExamples([[example(2)]]));
      assert.match(msg, /busy: slow importer \(.+\).* has been adding examples for longer than 0 s\. Nothing was written/);
      release();
      await importing;
      assert.equal(await impatient.countExamples(), 1);
    });

    it('reconnects after the server dropped its connections (a restart)', async () => {
      const s = await openPg({ purpose: 'reconnect test' });
      await s.addExamples([[example(1)]]);
      const killed = await pgQuery<{ ok: boolean }>("SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name LIKE 'reconnect test%'");
      assert.ok(killed.length >= 1);
      // At once, before the pool may have heard: the first call still succeeds.
      assert.equal(await s.countExamples(), 1);
      await s.addExamples([[example(2)]]);
      assert.equal(await s.countExamples(), 2);
    });

    it('a server that goes away mid-session: a UserError naming the store; back again, the next call works without reopening', async () => {
      const relay = new Relay(await freePort(), pg.port);
      await relay.start();
      try {
        const s = await openPg({}, `postgres://mlloop:${pg.password}@127.0.0.1:${relay.port}/${pg.database}`);
        await s.addExamples([[example(1)]]);
        // Every connection dropped, the next call made at once: the pool still holds the dead
        // connection, whose BEGIN fails; the store retries on a new one.
        relay.cut();
        assert.equal(await s.countExamples(), 1);
        await relay.stop();
        const down = await userError(s.countExamples());
        assert.match(down, new RegExp(`PostgreSQL store postgres://mlloop:\\*\\*\\*@127\\.0\\.0\\.1:${relay.port}/`));
        assert.match(down, /nothing accepts connections|connection .* was lost/);
        assert.doesNotMatch(down, new RegExp(pg.password));
        await relay.start();
        await s.addExamples([[example(2)]]);
        assert.equal(await s.countExamples(), 2);
      } finally {
        await relay.stop();
      }
    });

    it('a connection lost inside a unit of work: a UserError that nothing was saved; the next call works', async () => {
      const s = await openPg({ purpose: 'lost connection test' });
      const msg = await userError(
        s.unitOfWork(async (tx) => {
          await tx.createRun({ config: {}, configHash: 'c' });
          await pgQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'lost connection test%'");
          await tx.createRun({ config: {}, configHash: 'd' });
        }),
      );
      assert.match(msg, /connection to the PostgreSQL store postgres:\/\/mlloop:\*\*\*@.* was lost .*not saved/);
      assert.deepEqual(await s.listRuns(), []);
    });
  });

  describe('liveness across hosts', () => {
    it('judges a run of another host by its heartbeat: running while it beats, interrupted once stale after its process was killed', async function () {
      const schema = freshSchema('hb');
      let offset = 0;
      const reader = await openPg({ schema, heartbeatStaleMs: 2000, now: () => new Date(Date.now() + offset) });
      const child = fixtureChild('run-heartbeat.ts', [pg.url, '100'], { MLLOOP_STORE_SCHEMA: schema });
      try {
        const id = Number((await waitForLine(child, /run (\d+)/))[1]);
        // As if it ran on a build agent: its pid means nothing here.
        await pgQuery(`UPDATE "${schema}".runs SET host = 'build-agent-7', pid = 1 WHERE id = $1`, [id]);
        const first = (await reader.getRun(id))!.heartbeatAt!;
        await new Promise((r) => setTimeout(r, 400));
        const beat = (await reader.getRun(id))!;
        assert.ok(beat.heartbeatAt! > first, 'the heartbeat moves');
        offset = 1500; // still within 2 s of its last beat
        assert.equal(beat.status, 'running');
        child.kill('SIGKILL');
        await exited(child);
        assert.equal((await reader.getRun(id))!.status, 'running', 'another host: not judged by pid');
        offset = 3000;
        assert.equal((await reader.getRun(id))!.status, 'interrupted');
      } finally {
        child.kill('SIGKILL');
      }
    });
  });

  describe('processes killed at random moments', () => {
    it('after 50+ kill -9 during imports and training: every reported commit there, no half transaction, nothing blocks the next process', async function () {
      this.timeout(600_000);
      const schema = freshSchema('kill');
      const rng = createRng(20261201);
      // Ten writers at a time, so the kills also land while they wait for each other's locks.
      const PARALLEL = 10;
      const ROUNDS = 5;
      interface Outcome {
        tag: string;
        lines: string[];
      }
      const outcomes: Outcome[] = [];
      let kills = 0;
      let midTransaction = 0;
      // The schema exists before the writers start (they race to migrate otherwise: tested above).
      await openPg({ schema });
      for (let round = 0; round < ROUNDS; round++) {
        const children = Array.from({ length: PARALLEL }, (_, k) => {
          const tag = `r${round}c${k}`;
          const child = fixtureChild('store-fault-writer.ts', [pg.url, tag, String(round * 100 + k)], { MLLOOP_STORE_SCHEMA: schema });
          const lines = collectLines(child);
          const err = collectStderr(child);
          outcomes.push({ tag, lines });
          return { child, lines, err };
        });
        await Promise.all(
          children.map(async ({ child, lines, err }) => {
            await waitForLine(child, /ready/);
            await new Promise((r) => setTimeout(r, 30 + rng() * 900));
            assert.equal(child.exitCode, null, `a writer stopped by itself: ${err.text}`);
            child.kill('SIGKILL');
            await exited(child);
            kills++;
            if (lines.length && lines[lines.length - 1].startsWith('begin')) midTransaction++;
          }),
        );
      }
      assert.ok(kills >= 50);
      process.stderr.write(`      (${kills} kills, ${midTransaction} of them inside a transaction)\n`);
      assert.ok(midTransaction >= kills / 4, `too few kills landed inside a transaction (${midTransaction})`);

      // Nothing blocks the next process: it imports and trains within its lock timeout.
      const next = await openPg({ schema, purpose: 'after the kills', lockTimeoutMs: 10_000 });
      assert.deepEqual(await next.addExamples([[example(1, { source: 'next' })]]), { inserted: 1, duplicates: 0 });
      await next.unitOfWork(async (tx) => {
        const id = await tx.createRun({ config: {}, configHash: 'next' });
        await tx.updateRun(id, { status: 'completed' });
      });

      // Every reported commit is there; what is there is whole.
      const groups = new Map((await pgQuery<{ label: string; n: number }>(`SELECT label, count(*)::int AS n FROM "${schema}".examples GROUP BY label`)).map((r) => [JSON.parse(r.label) as string, r.n]));
      const runs = await pgQuery<{ id: number; status: string; config: string; model_version: string | null; epochs: number }>(
        `SELECT r.id::int AS id, r.status, r.config, r.model_version, (SELECT count(*)::int FROM "${schema}".run_epochs e WHERE e.run_id = r.id) AS epochs FROM "${schema}".runs r`,
      );
      const runsByTag = new Map(runs.filter((r) => JSON.parse(r.config).tag).map((r) => [`${JSON.parse(r.config).tag}-${JSON.parse(r.config).k}`, r]));
      let reportedImports = 0;
      let reportedRuns = 0;
      for (const { tag, lines } of outcomes) {
        const started = new Map<number, number>();
        for (const line of lines) {
          const b = /^begin import (\d+) (\d+)$/.exec(line);
          if (b) started.set(Number(b[1]), Number(b[2]));
          const d = /^done import (\d+)$/.exec(line);
          if (d) {
            reportedImports++;
            assert.equal(groups.get(`${tag}-i${d[1]}`), started.get(Number(d[1])), `reported import ${tag}/${d[1]} is not all there`);
          }
          const r = /^done run (\d+) (\d+)$/.exec(line);
          if (r) {
            reportedRuns++;
            assert.equal(runsByTag.get(`${tag}-${r[1]}`)?.id, Number(r[2]), `reported run ${tag}/${r[1]} is missing`);
          }
        }
        // No half import: an import is there with all its rows or not at all.
        for (const [k, rows] of started) {
          const n = groups.get(`${tag}-i${k}`);
          assert.ok(n === undefined || n === rows, `import ${tag}/${k} is half there: ${n} of ${rows} rows`);
        }
      }
      // No half unit of work: every run there is completed, with its 10 epochs and its whole model.
      const files = await pgQuery<{ version: string; name: string; bytes: Buffer }>(`SELECT version, name, bytes FROM "${schema}".model_files`);
      const models = await pgQuery<{ version: string; digest: string; run_id: number }>(`SELECT version, digest, run_id::int AS run_id FROM "${schema}".models`);
      for (const r of runsByTag.values()) {
        assert.equal(r.status, 'completed', `run ${r.id} is ${r.status}`);
        assert.equal(r.epochs, 10, `run ${r.id} has ${r.epochs} epochs`);
        assert.ok(models.some((m) => m.version === r.model_version && m.run_id === r.id), `run ${r.id} has no model`);
      }
      assert.equal(models.length, runsByTag.size);
      for (const m of models) {
        const mine = files.filter((f) => f.version === m.version);
        assert.equal(mine.length, 3, `model ${m.version} has ${mine.length} files`);
        assert.equal(filesDigest(mine), m.digest, `model ${m.version}'s files are not the ones written`);
      }
      // No transaction of a dead process is left open, none holds a lock.
      const deadline = Date.now() + 10_000;
      let left: unknown[] = [];
      do {
        left = await pgQuery("SELECT pid, state, application_name FROM pg_stat_activity WHERE application_name LIKE 'fault writer%'");
        if (left.length === 0) break;
        await new Promise((r) => setTimeout(r, 200));
      } while (Date.now() < deadline);
      assert.deepEqual(left, []);
      process.stderr.write(`      (${reportedImports} imports and ${reportedRuns} training units reported committed, all present)\n`);
      assert.ok(reportedImports > 20 && reportedRuns > 10, 'the writers got far enough to test something');
    });
  });
});

/**
 * A throwaway PostgreSQL server for the integration tests, started on first use and stopped
 * after the last test (root hook in ./hooks.ts): at most one cluster per test run.
 *
 *  - MLLOOP_TEST_POSTGRES_URL set: the tests use that database as it is (each test in a
 *    schema of its own, dropped afterwards) and start nothing.
 *  - Else the server binaries are found (MLLOOP_TEST_PG_BIN, Debian's
 *    /usr/lib/postgresql/<version>/bin, `pg_config --bindir`, PATH). When there are none and
 *    we run as root on Debian/Ubuntu, `apt-get install postgresql` installs them first, so a
 *    fresh CI machine needs nothing done by hand.
 *  - initdb in a temp folder, as a user other than root (initdb refuses root): `postgres`
 *    when it exists, else a system user `mlloop-pg` created for it; password authentication
 *    (scram-sha-256), so the tests can check wrong passwords. The server listens on a free
 *    port on 127.0.0.1 only, its unix socket inside the temp folder; fsync is off (the tests
 *    kill clients, never the server, and must be quick).
 *  - Cleanup: the root hook stops the server and removes the folder; a watchdog shell does
 *    the same when the test process dies without it (SIGINT, SIGKILL, a crash).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

export interface TestPostgres {
  /** postgres://mlloop:<password>@127.0.0.1:<port>/mlloop_test: a database the tests own. */
  url: string;
  /** The same server's 'postgres' database as the superuser (CREATE ROLE / DATABASE in tests). */
  adminUrl: string;
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Whether the server was started here (false: MLLOOP_TEST_POSTGRES_URL). */
  owned: boolean;
  /** Milliseconds it took to have the server ready (0 when not started here). */
  startMs: number;
}

export interface Cluster {
  info: TestPostgres;
  dir: string;
  server: ChildProcess;
  watchdog: ChildProcess | undefined;
}

let starting: Promise<TestPostgres> | undefined;
let cluster: Cluster | undefined;
const schemasMade: string[] = [];

/** The test server, started on the first call of the run (later calls share it). */
export function testPostgres(): Promise<TestPostgres> {
  starting ??= (async () => {
    const external = externalPostgres();
    if (external) return external;
    const c = await startCluster({ durable: false });
    cluster = c;
    return c.info;
  })();
  return starting;
}

/** A new schema name, unique in this run (the store creates the schema when it opens). */
export function freshSchema(prefix = 't'): string {
  const name = `${prefix}_${process.pid}_${schemasMade.length}_${crypto.randomBytes(3).toString('hex')}`;
  schemasMade.push(name);
  return name;
}

/** Runs one statement on the test database as the superuser. */
export async function pgQuery<R = Record<string, unknown>>(sql: string, params: unknown[] = [], url?: string): Promise<R[]> {
  const c = new Client({ connectionString: url ?? (await testPostgres()).url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as R[];
  } finally {
    await c.end();
  }
}

/** Stops the server and removes its folder (a no-op when none was started). */
export async function stopTestPostgres(): Promise<void> {
  if (!starting) return;
  const info = await starting.catch(() => undefined);
  starting = undefined;
  if (info && !info.owned) {
    for (const s of schemasMade.splice(0)) await pgQuery(`DROP SCHEMA IF EXISTS "${s}" CASCADE`, [], info.url).catch(() => undefined);
    return;
  }
  const c = cluster;
  cluster = undefined;
  if (c) await stopCluster(c);
}

/** Stops a server startCluster started and removes its folder. */
export async function stopCluster(c: Cluster): Promise<void> {
  if (c.server.exitCode === null && c.server.signalCode === null) {
    const gone = new Promise<void>((resolve) => c.server.once('exit', () => resolve()));
    c.server.kill('SIGINT'); // "fast" shutdown: disconnects clients, no checkpoint wait worth having
    const timer = setTimeout(() => c.server.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }
  if (c.watchdog?.pid && c.watchdog.exitCode === null) c.watchdog.kill('SIGKILL');
  fs.rmSync(c.dir, { recursive: true, force: true });
}

// ---- starting ------------------------------------------------------------------------------

function externalPostgres(): TestPostgres | undefined {
  const external = process.env.MLLOOP_TEST_POSTGRES_URL;
  if (external) {
    const u = new URL(external);
    return {
      url: external,
      adminUrl: external,
      host: u.hostname,
      port: Number(u.port || 5432),
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      database: u.pathname.slice(1),
      owned: false,
      startMs: 0,
    };
  }
  return undefined;
}

/**
 * Starts a private PostgreSQL server (see the file doc) and creates its database. `durable`
 * keeps PostgreSQL's default fsync and synchronous commit (benchmarks); the tests turn them
 * off. Stop it with stopCluster; a watchdog removes it when this process dies first.
 */
export async function startCluster(opts: { durable: boolean }): Promise<Cluster> {
  const t0 = Date.now();
  let bin = findBinDir();
  if (!bin) {
    await installFromDebian();
    bin = findBinDir();
  }
  if (!bin) {
    throw new Error(
      'The PostgreSQL tests need the PostgreSQL server (initdb, postgres) and found none. Install it ' +
        '(Debian/Ubuntu: `sudo apt-get install postgresql`; the tests install it themselves when run as root), ' +
        'point MLLOOP_TEST_PG_BIN at its bin folder, or set MLLOOP_TEST_POSTGRES_URL to a database the tests may use.',
    );
  }
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? serverUser() : undefined;
  const dir = fs.mkdtempSync(path.join(asRoot ? '/tmp' : os.tmpdir(), 'mlloop-pg-'));
  try {
    const data = path.join(dir, 'data');
    const sock = path.join(dir, 'sock');
    fs.mkdirSync(data, { mode: 0o700 });
    fs.mkdirSync(sock, { mode: 0o700 });
    const password = crypto.randomBytes(12).toString('hex');
    const pwfile = path.join(dir, 'pwfile');
    fs.writeFileSync(pwfile, password + '\n', { mode: 0o600 });
    if (owner) {
      fs.chmodSync(dir, 0o755);
      for (const p of [dir, data, sock, pwfile]) fs.chownSync(p, owner.uid, owner.gid);
    }
    const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};
    const env = { ...process.env, HOME: dir, LC_ALL: 'C', LANG: 'C' };
    await runToEnd(path.join(bin, 'initdb'), ['-D', data, '-U', 'mlloop', `--pwfile=${pwfile}`, '-A', 'scram-sha-256', '-E', 'UTF8', '--no-locale', '--no-sync'], { ...asOwner, env, cwd: dir });

    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const logFile = path.join(dir, `server-${attempt}.log`);
      const log = fs.openSync(logFile, 'w');
      if (owner) fs.fchownSync(log, owner.uid, owner.gid);
      const server = spawn(
        path.join(bin, 'postgres'),
        [
          '-D', data, '-p', String(port),
          '-c', 'listen_addresses=127.0.0.1',
          '-c', `unix_socket_directories=${sock}`,
          ...(opts.durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
          '-c', 'max_connections=200',
        ],
        { ...asOwner, env, cwd: dir, detached: true, stdio: ['ignore', log, log] },
      );
      fs.closeSync(log);
      server.unref();
      const adminUrl = `postgres://mlloop:${password}@127.0.0.1:${port}/postgres`;
      const ready = await waitReady(server, adminUrl, 30_000);
      if (ready !== 'ready') {
        const text = fs.readFileSync(logFile, 'utf8');
        if (attempt < 3 && /could not bind|already in use/i.test(text)) continue; // the port was taken meanwhile
        if (server.exitCode === null) server.kill('SIGKILL');
        throw new Error(`The test PostgreSQL server did not start (${ready}). Its log:\n${text.slice(-3000)}`);
      }
      const database = 'mlloop_test';
      await createTestDatabase(adminUrl, database);
      const info: TestPostgres = {
        url: `postgres://mlloop:${password}@127.0.0.1:${port}/${database}`,
        adminUrl,
        host: '127.0.0.1',
        port,
        user: 'mlloop',
        password,
        database,
        owned: true,
        startMs: Date.now() - t0,
      };
      const started: Cluster = { info, dir, server, watchdog: startWatchdog(server.pid!, dir) };
      process.once('exit', () => {
        // Stopped without stopCluster (process.exit): immediate shutdown; the watchdog removes the folder.
        if (server.exitCode === null && server.signalCode === null) server.kill('SIGQUIT');
      });
      return started;
    }
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** A database whose collation is not byte order when the server has ICU (as many teams' are), so the store cannot rely on the locale. */
async function createTestDatabase(adminUrl: string, database: string): Promise<void> {
  try {
    await pgQuery(`CREATE DATABASE ${database} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'`, [], adminUrl);
  } catch {
    await pgQuery(`CREATE DATABASE ${database} TEMPLATE template0 ENCODING 'UTF8'`, [], adminUrl);
  }
}

function hasServer(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'postgres'));
}

/** The folder holding initdb and postgres, or undefined. */
export function findBinDir(): string | undefined {
  const candidates: string[] = [];
  if (process.env.MLLOOP_TEST_PG_BIN) candidates.push(process.env.MLLOOP_TEST_PG_BIN);
  try {
    const versions = fs
      .readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  } catch {
    /* not Debian's layout */
  }
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (pgConfig.status === 0) candidates.push(pgConfig.stdout.trim());
  for (const d of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!d) continue;
    const initdb = path.join(d, 'initdb');
    if (fs.existsSync(initdb)) candidates.push(path.dirname(fs.realpathSync(initdb)));
  }
  return candidates.find(hasServer);
}

/** `apt-get install postgresql` when we are root on a Debian-like system; otherwise nothing. */
async function installFromDebian(): Promise<void> {
  if (process.getuid?.() !== 0 || !fs.existsSync('/usr/bin/apt-get')) return;
  process.stderr.write('PostgreSQL is not installed: installing it from the distribution\'s packages for the tests (apt-get install postgresql)…\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Another apt may be running (an image build, unattended upgrades): wait for its lock.
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  await runToEnd('apt-get', [...lock, 'update', '-qq'], { env });
  await runToEnd('apt-get', [...lock, 'install', '-y', '-qq', '--no-install-recommends', 'postgresql'], { env });
}

/** The non-root user that runs the server when the tests run as root. */
function serverUser(): { uid: number; gid: number } {
  const wanted = process.env.MLLOOP_TEST_PG_USER;
  for (const name of wanted ? [wanted] : ['postgres', 'mlloop-pg']) {
    const u = lookupUser(name);
    if (u) return u;
  }
  const name = wanted ?? 'mlloop-pg';
  const made = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name], { encoding: 'utf8' });
  const u = lookupUser(name);
  if (!u) throw new Error(`Running as root, the tests need a user other than root for PostgreSQL, and could not create '${name}': ${made.stderr || made.error?.message}`);
  return u;
}

function lookupUser(name: string): { uid: number; gid: number } | undefined {
  const r = spawnSync('getent', ['passwd', name], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const f = r.stdout.trim().split(':');
  return f.length >= 4 ? { uid: Number(f[2]), gid: Number(f[3]) } : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(server: ChildProcess, adminUrl: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) return `it exited with ${server.exitCode ?? server.signalCode}`;
    const c = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return 'ready';
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    } finally {
      await c.end().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return `no answer within ${timeoutMs / 1000} s: ${last}`;
}

/**
 * A detached shell that waits for this process to end, then stops the server (only if the
 * data folder's postmaster.pid still names it) and removes the folder.
 */
function startWatchdog(serverPid: number, dir: string): ChildProcess | undefined {
  const script = [
    `while kill -0 ${process.pid} 2>/dev/null; do sleep 0.5; done`,
    `if [ "$(head -n 1 '${dir}/data/postmaster.pid' 2>/dev/null)" = "${serverPid}" ]; then kill -QUIT ${serverPid} 2>/dev/null; fi`,
    `i=0; while [ -f '${dir}/data/postmaster.pid' ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done`,
    `rm -rf '${dir}'`,
  ].join('\n');
  try {
    const w = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
    w.unref();
    return w;
  } catch {
    return undefined;
  }
}

function runToEnd(cmd: string, args: string[], opts: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv; cwd?: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (${code ?? signal}):\n${out.slice(-3000)}`))));
  });
}

/**
 * Load on `mlloop serve` over loopback: a real server process (`node dist/cli.js serve --json`,
 * built by `npm run build`) over a champion trained from examples/iris in a temp copy, with
 * the prediction log on (every served prediction written to the SQLite store, as in
 * production), and Node's own HTTP client (http.Agent with keep-alive) as the load.
 *
 * Four phases, each bounded in count and in time:
 * 1. single record, closed loop (CONCURRENCY requests in flight, the next sent when one is
 *    answered): the sustained requests/s;
 * 2. single record, open loop at OPEN_RATE requests/s (sent on a fixed schedule whether or not
 *    earlier ones were answered): p50 / p99 latency, measured from each request's scheduled
 *    time, so a stalled server is not hidden by the client waiting for it (coordinated omission);
 * 3. batches of 100 records, closed loop: requests/s and records/s;
 * 4. batches of 100, open loop at BATCH_OPEN_RATE requests/s (= 1,000 records/s): latency.
 *
 * After each phase the bench waits until the server's prediction log is written (its
 * mlloop_prediction_log_pending gauge at 0): answers never wait for the store, so a phase can
 * outrun it; the table shows that wait and the records/s it implies with the log keeping up.
 *
 * At the end the server is stopped with SIGTERM (as a deployment would) and every prediction id
 * it answered with is looked up in the store's prediction log: the count must match.
 * Run: `npx tsx bench/serve.bench.ts` (after `npm run build`). Prints figures; never fails on
 * time (it fails only if a request failed or a served prediction is missing from the log).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { openProjectContext } from '../src/core/context/projectContext';
import { trainProject } from '../src/core/jobs/train';
import { importFiles } from '../src/core/store/import';

const CONCURRENCY = 16;
const CLOSED_MAX_REQUESTS = 20_000;
const CLOSED_MAX_MS = 15_000;
const OPEN_RATE = 1000;
const OPEN_MS = 10_000;
const BATCH = 100;
const BATCH_CONCURRENCY = 4;
const BATCH_MAX_REQUESTS = 2000;
const BATCH_MAX_MS = 15_000;
const BATCH_OPEN_RATE = 10;
const BATCH_OPEN_MS = 10_000;
/** In flight at most in the open loops: past it the server is overloaded and the phase says so. */
const OPEN_MAX_IN_FLIGHT = 512;

interface Target {
  host: string;
  port: number;
  token: string;
  agent: http.Agent;
}

interface Phase {
  name: string;
  /** How long after the phase's last answer the server still wrote served predictions to the store. */
  drainMs?: number;
  requests: number;
  records: number;
  failed: number;
  elapsedMs: number;
  latencies: number[];
  offered?: number;
  note?: string;
}

/** Every prediction id the server answered with (checked against the store at the end). */
const servedIds: string[] = [];

function postPredict(t: Target, body: string): Promise<{ status: number; ids: string[] }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: t.host, port: t.port, method: 'POST', path: '/predict', agent: t.agent, headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status !== 200) return resolve({ status, ids: [] });
          const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { predictions: Array<{ id: string | number }> };
          resolve({ status, ids: parsed.predictions.map((p) => String(p.id)) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The server's prediction_log_pending gauge (served predictions not yet in the store). */
function pendingLog(t: Target): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: t.host, port: t.port, path: '/metrics', agent: t.agent, headers: { authorization: `Bearer ${t.token}` } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => {
          const m = /^mlloop_prediction_log_pending (\d+)/m.exec(text);
          if (!m) return reject(new Error('GET /metrics has no mlloop_prediction_log_pending'));
          resolve(Number(m[1]));
        });
      })
      .on('error', reject);
  });
}

/**
 * Waits until the server has written every served prediction (at most 120 s) and returns how
 * long that took: answers never wait for the log, so a phase can outrun the store, and the
 * next phase must not start with the last one's backlog.
 */
async function drain(t: Target): Promise<number> {
  const start = performance.now();
  while ((await pendingLog(t)) > 0) {
    if (performance.now() - start > 120_000) throw new Error('the prediction log did not drain within 120 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  return performance.now() - start;
}

const q = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN);

async function closedLoop(t: Target, name: string, bodies: string[], recordsPer: number, concurrency: number, maxRequests: number, maxMs: number): Promise<Phase> {
  const phase: Phase = { name, requests: 0, records: 0, failed: 0, elapsedMs: 0, latencies: [] };
  const start = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < maxRequests && performance.now() - start < maxMs) {
      const body = bodies[next++ % bodies.length];
      const t0 = performance.now();
      const r = await postPredict(t, body).catch(() => ({ status: 0, ids: [] as string[] }));
      phase.latencies.push(performance.now() - t0);
      phase.requests++;
      if (r.status === 200) {
        phase.records += recordsPer;
        servedIds.push(...r.ids);
      } else phase.failed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  phase.elapsedMs = performance.now() - start;
  return phase;
}

async function openLoop(t: Target, name: string, bodies: string[], recordsPer: number, rate: number, durationMs: number): Promise<Phase> {
  const total = Math.round((rate * durationMs) / 1000);
  const phase: Phase = { name, requests: 0, records: 0, failed: 0, elapsedMs: 0, latencies: [], offered: rate };
  const start = performance.now();
  let inFlight = 0;
  let skipped = 0;
  /** How late the client sent each request (its own event loop busy): what of the latency is not the server's. */
  const lags: number[] = [];
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const scheduled = start + (i * 1000) / rate;
    const wait = scheduled - performance.now();
    // setTimeout's 1 ms granularity: send every request that is due, then sleep to the next.
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (inFlight >= OPEN_MAX_IN_FLIGHT) {
      skipped++;
      continue;
    }
    inFlight++;
    const sentAt = performance.now();
    lags.push(sentAt - scheduled);
    // Latency counts from the scheduled time when the client sent late (so its own delay is not
    // hidden: coordinated omission), but from the real send when a timer fired early (else a
    // 0.5 ms-early send would subtract 0.5 ms from the answer's time).
    const from = Math.min(scheduled, sentAt);
    pending.push(
      postPredict(t, bodies[i % bodies.length])
        .catch(() => ({ status: 0, ids: [] as string[] }))
        .then((r) => {
          inFlight--;
          phase.latencies.push(performance.now() - from);
          phase.requests++;
          if (r.status === 200) {
            phase.records += recordsPer;
            servedIds.push(...r.ids);
          } else phase.failed++;
        }),
    );
  }
  await Promise.all(pending);
  phase.elapsedMs = performance.now() - start;
  lags.sort((a, b) => a - b);
  const notes = [`the client sent late by p50 ${q(lags, 0.5).toFixed(2)} ms, p99 ${q(lags, 0.99).toFixed(2)} ms (included in the latency)`];
  if (skipped) notes.push(`${skipped} not sent: ${OPEN_MAX_IN_FLIGHT} requests in flight (overloaded)`);
  phase.note = notes.join('; ');
  return phase;
}

function startServer(dir: string): Promise<{ child: ChildProcess; url: URL; exited: Promise<number | null>; log: string[] }> {
  const cli = path.join(__dirname, '..', 'dist', 'cli.js');
  if (!fs.existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  const child = spawn(process.execPath, [cli, 'serve', '--json', '--port', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (s: string) => log.push(...s.split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, url: new URL((JSON.parse(out.slice(0, nl)) as { url: string }).url), exited, log });
    });
    void exited.then((code) => reject(new Error(`mlloop serve exited (${code}) before listening: ${log.join('\n')}`)));
  });
}

function row(p: Phase): string[] {
  const s = p.latencies.slice().sort((a, b) => a - b);
  const secs = p.elapsedMs / 1000;
  return [
    p.name,
    p.offered !== undefined ? `${p.offered.toLocaleString('en-US')}/s` : 'closed',
    p.requests.toLocaleString('en-US'),
    (p.requests / secs).toFixed(0),
    (p.records / secs).toFixed(0),
    p.drainMs !== undefined ? (p.records / ((p.elapsedMs + p.drainMs) / 1000)).toFixed(0) : '',
    p.drainMs !== undefined ? (p.drainMs / 1000).toFixed(1) : '',
    q(s, 0.5).toFixed(2),
    q(s, 0.99).toFixed(2),
    String(p.failed),
  ];
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-bench-serve-'));
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    fs.cpSync(path.join(__dirname, '..', 'examples', 'iris'), dir, { recursive: true });
    const ctx = await openProjectContext(dir, { purpose: 'serve bench' });
    await importFiles(ctx.store, ctx.config, ctx.config.data.sources.map((s) => path.join(dir, s.path)), { root: dir });
    const records: Array<Record<string, unknown>> = [];
    for await (const batch of ctx.store.streamExamples()) records.push(...batch.map((e) => e.record));
    const trained = await trainProject({ ctx, backend: 'wasm' });
    await ctx.close();

    server = await startServer(dir);
    const token = fs.readFileSync(path.join(dir, '.mlloop', 'serve-token'), 'utf8').trim();
    const agent = new http.Agent({ keepAlive: true, maxSockets: OPEN_MAX_IN_FLIGHT });
    const t: Target = { host: server.url.hostname, port: Number(server.url.port), token, agent };
    console.log(`mlloop serve (pid ${server.child.pid}) on ${server.url.href}, iris ${trained.modelVersion} (4 features → 16 → 3), prediction log on (SQLite); client: node:http keep-alive, ${os.cpus().length} CPUs shared by client and server, load average ${os.loadavg()[0].toFixed(1)} at the start (other work on the machine moves every figure)`);

    const single = records.map((r) => JSON.stringify({ record: r }));
    const batches: string[] = [];
    for (let i = 0; i < 20; i++) batches.push(JSON.stringify({ records: Array.from({ length: BATCH }, (_, k) => records[(i * BATCH + k) % records.length]) }));

    // Warm-up (JIT, the first store writes), not counted in any phase.
    await closedLoop(t, 'warm-up', single, 1, 4, 500, 5000);
    await drain(t);
    const phases: Phase[] = [];
    const run = async (p: Promise<Phase>) => {
      const phase = await p;
      phase.drainMs = await drain(t);
      phases.push(phase);
    };
    await run(closedLoop(t, 'single record', single, 1, CONCURRENCY, CLOSED_MAX_REQUESTS, CLOSED_MAX_MS));
    await run(openLoop(t, 'single record', single, 1, OPEN_RATE, OPEN_MS));
    await run(closedLoop(t, `batch of ${BATCH}`, batches, BATCH, BATCH_CONCURRENCY, BATCH_MAX_REQUESTS, BATCH_MAX_MS));
    await run(openLoop(t, `batch of ${BATCH}`, batches, BATCH, BATCH_OPEN_RATE, BATCH_OPEN_MS));
    agent.destroy();

    console.log('');
    printTable(['load', 'offered', 'requests', 'req/s', 'records/s', 'logged rec/s', 'drain s', 'p50 ms', 'p99 ms', 'failed'], phases.map(row));
    console.log(`closed loops: ${CONCURRENCY} (single) / ${BATCH_CONCURRENCY} (batch) requests in flight; open loops: latency from each request's scheduled send time (from its real send when that was early)`);
    console.log("logged rec/s: records over the phase plus the time the server took afterwards to write the rest of its predictions to the store (drain s): the rate sustainable with the log keeping up");
    for (const p of phases) if (p.note) console.log(`${p.name} at ${p.offered}/s: ${p.note}`);

    // Stop as a deployment does, then check the log.
    server.child.kill('SIGTERM');
    const code = await server.exited;
    const last = server.log.filter((l) => /served prediction/.test(l)).pop();
    const check = await openProjectContext(dir, { purpose: 'serve bench check' });
    try {
      let found = 0;
      for (let i = 0; i < servedIds.length; i += 1000) found += (await check.store.getPredictions(servedIds.slice(i, i + 1000))).size;
      const inLog = await check.store.countPredictions();
      console.log(`\nserver exit ${code}; its last line: ${last ?? '(none)'}`);
      console.log(`prediction log: ${servedIds.length.toLocaleString('en-US')} predictions served (warm-up included), ${found.toLocaleString('en-US')} of their ids in the store, ${inLog.toLocaleString('en-US')} rows in the log`);
      const failed = phases.reduce((s, p) => s + p.failed, 0);
      if (found !== servedIds.length || failed > 0) {
        console.error(`FAILED: ${servedIds.length - found} served predictions missing from the log, ${failed} failed requests`);
        process.exitCode = 1;
      }
    } finally {
      await check.close();
    }
    server = undefined;
  } finally {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

/**
 * `mlloop serve` end to end: the built CLI as a child process, a real HTTP client (node's
 * fetch) on loopback, real models trained by the CLI, the store read back afterwards.
 * Predictions equal `mlloop predict`'s; the token, the body bound and bad input answer 401,
 * 413 and 400 with the field; a promotion in the middle of load swaps the model with no failed
 * request; every prediction that was answered is in the store after SIGTERM, also when
 * SIGTERM lands in the middle of load; feedback and outcomes go through the intake;
 * experiments assign sticky arms across restarts and are analysed and stopped through the
 * gate; a shadow model's answers are recorded and compared.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { assignVariant } from '../../src/core/experiments/assign';
import { openSqliteStore } from '../../src/core/store/sqlite';
import { createRng } from '../../src/core/util/random';
import { CLI, mlloop, requireBuild, tempDir } from './helpers';
import { exited } from './support/children';

const HEADER = 'x1,x2,noise,y';

function rows(n: number, seed: number): string[] {
  const rng = createRng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const x1 = rng() * 2 - 1;
    const x2 = rng() * 2 - 1;
    out.push(`${x1.toFixed(4)},${x2.toFixed(4)},${rng().toFixed(4)},${x1 > 0 ? 'yes' : 'no'}`);
  }
  return out;
}

function yaml(extra: string[] = [], features = ['x1', 'x2', 'noise']): string {
  return [
    'version: 1',
    'task: binary',
    'label: y',
    'features:',
    ...features.map((f) => `  - {name: ${f}, type: numeric}`),
    'data: {sources: [{path: seed.csv}]}',
    'model: {type: logistic}',
    'training: {epochs: 40, learningRate: 0.05, earlyStopping: {patience: 5}}',
    'evaluation: {bootstrap: 0, importanceRepeats: 0}',
    'runtime: {threshold: 0.8}',
    'serve: {bodyLimit: 65536, maxRecords: 200, pollInterval: 200ms, flushInterval: 100ms}',
    ...extra,
    '',
  ].join('\n');
}

interface Served {
  proc: ChildProcess;
  url: string;
  token: string;
  /** The --json line printed once listening. */
  info: { url: string; host: string; port: number; model: string; auth: boolean; token_file: string | null };
  stdout: () => string;
  stderr: () => string;
}

async function startServe(dir: string, args: string[] = []): Promise<Served> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--json', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MLLOOP_SERVE_TOKEN: '' } });
  let err = '';
  let out = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 60_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        clearTimeout(t);
        resolve(out.split('\n')[0]);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`serve exited (${code}): ${err}`));
    });
  });
  const info = JSON.parse(line) as Served['info'];
  const token = info.auth ? fs.readFileSync(path.resolve(dir, info.token_file!), 'utf8').trim() : '';
  return { proc, url: info.url, token, info, stdout: () => out, stderr: () => err };
}

async function stopServe(s: Served, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  s.proc.kill(signal);
  return exited(s.proc);
}

async function post(s: Served, route: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; text: string }> {
  const r = await fetch(`${s.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, json, text };
}

async function get(s: Served, route: string): Promise<{ status: number; text: string }> {
  const r = await fetch(`${s.url}${route}`, { headers: { authorization: `Bearer ${s.token}` } });
  return { status: r.status, text: await r.text() };
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Parses Prometheus text exposition format (version 0.0.4) strictly: every line is a HELP, a
 * TYPE or a sample; every sample belongs to a family whose TYPE came first (a histogram's
 * _bucket, _sum and _count included); label values are quoted with \\, \" and \n escapes;
 * values are floats, +Inf, -Inf or NaN; a histogram's buckets are cumulative and end at +Inf
 * equal to its _count.
 */
function parsePrometheus(text: string): Sample[] {
  assert.ok(text.endsWith('\n'), 'ends with a newline');
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const family = (name: string) => {
    if (types.has(name)) return name;
    const base = name.replace(/_(bucket|sum|count)$/, '');
    return types.get(base) === 'histogram' || types.get(base) === 'summary' ? base : undefined;
  };
  for (const [i, line] of text.slice(0, -1).split('\n').entries()) {
    const where = `line ${i + 1}: ${line}`;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
      assert.ok(m, where);
      if (m[1] === 'TYPE') {
        assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3]), where);
        assert.ok(!types.has(m[2]), `${where}: a second TYPE`);
        types.set(m[2], m[3]);
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, where);
    assert.ok(family(m[1]), `${where}: no TYPE before the sample`);
    const labels: Record<string, string> = {};
    if (m[2]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;
      let at = 0;
      while (at < m[2].length) {
        re.lastIndex = at;
        const l = re.exec(m[2]);
        assert.ok(l, `${where}: labels`);
        labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
        at = re.lastIndex;
      }
    }
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    assert.ok(m[3] === 'NaN' || !Number.isNaN(value), `${where}: value`);
    samples.push({ name: m[1], labels, value });
  }
  for (const [name, type] of types) {
    if (type !== 'histogram') continue;
    const series = new Map<string, Sample[]>();
    for (const x of samples.filter((x) => x.name === `${name}_bucket`)) {
      const { le, ...rest } = x.labels;
      const key = JSON.stringify(rest);
      series.set(key, [...(series.get(key) ?? []), x]);
    }
    for (const [key, buckets] of series) {
      const les = buckets.map((b) => (b.labels.le === '+Inf' ? Infinity : Number(b.labels.le)));
      assert.equal(les[les.length - 1], Infinity, `${name} ${key}: ends at +Inf`);
      for (let k = 1; k < buckets.length; k++) {
        assert.ok(les[k] > les[k - 1] && buckets[k].value >= buckets[k - 1].value, `${name} ${key}: cumulative`);
      }
      const count = samples.find((x) => x.name === `${name}_count` && JSON.stringify(x.labels) === key);
      assert.equal(count?.value, buckets[buckets.length - 1].value, `${name} ${key}: +Inf = _count`);
    }
  }
  return samples;
}

/** The value of the one sample with this name and exactly these labels (undefined: none). */
function sample(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  const found = samples.filter((x) => x.name === name && JSON.stringify(Object.entries(x.labels).sort()) === JSON.stringify(Object.entries(labels).sort()));
  assert.ok(found.length <= 1, `${name} ${JSON.stringify(labels)} once`);
  return found[0]?.value;
}

const record = (i: number) => {
  const rng = createRng(9000 + i);
  return { x1: Number((rng() * 2 - 1).toFixed(4)), x2: Number((rng() * 2 - 1).toFixed(4)), noise: Number(rng().toFixed(4)) };
};

/** Requests /predict from `workers` loops until `until()` is true or a request fails to connect; every answer kept. */
async function load(s: Served, workers: number, until: () => boolean, onAnswer: (status: number, json: any) => void): Promise<{ connectErrors: number }> {
  let connectErrors = 0;
  let i = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!until()) {
        const n = i++;
        try {
          const r = await post(s, '/predict', { record: record(n % 500), entity: `u${n % 97}` });
          onAnswer(r.status, r.json);
        } catch {
          connectErrors++;
          return;
        }
      }
    }),
  );
  return { connectErrors };
}

describe('mlloop serve end to end (HTTP on loopback)', function () {
  this.timeout(600_000);
  let dir: string;
  let server: Served | undefined;
  const answeredIds: string[] = [];

  before(function () {
    this.timeout(600_000);
    requireBuild();
    dir = tempDir('mlloop-serve-');
    fs.writeFileSync(path.join(dir, 'seed.csv'), [HEADER, ...rows(600, 1)].join('\n') + '\n');
    // v2 learns from x2 and noise only: it disagrees with v1 on about half the records.
    fs.writeFileSync(path.join(dir, 'mlloop.yaml'), yaml([], ['x2', 'noise']));
    assert.equal(mlloop(dir, ['import', '--quiet']).code, 0);
    fs.writeFileSync(path.join(dir, 'mlloop.yaml'), yaml());
    assert.equal(mlloop(dir, ['train', '--json', '--quiet']).json.model, 'v1');
    fs.writeFileSync(path.join(dir, 'mlloop.yaml'), yaml([], ['x2', 'noise']));
    assert.equal(mlloop(dir, ['train', '--json', '--quiet']).json.model, 'v2');
    fs.writeFileSync(path.join(dir, 'mlloop.yaml'), yaml());
    const p = mlloop(dir, ['promote', 'v1', '--force', '--json', '--quiet']);
    assert.equal(p.json.champion, 'v1', p.stdout + p.stderr);
    fs.writeFileSync(path.join(dir, 'records.jsonl'), Array.from({ length: 20 }, (_, i) => JSON.stringify(record(i))).join('\n') + '\n');
  });
  after(async () => {
    if (server && server.proc.exitCode === null) await stopServe(server);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('a server over the champion', () => {
    before(async () => {
      server = await startServe(dir);
    });

    it('creates its token file under .mlloop/ with mode 0600 and never prints the token in full', () => {
      assert.equal(server!.info.auth, true);
      assert.equal(server!.info.host, '127.0.0.1', 'loopback by default');
      assert.match(server!.info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const tokenFile = path.resolve(dir, server!.info.token_file!);
      assert.equal(fs.realpathSync(path.dirname(tokenFile)), fs.realpathSync(path.join(dir, '.mlloop')));
      assert.match(path.basename(tokenFile), /token/);
      const st = fs.statSync(tokenFile);
      assert.equal(st.mode & 0o777, 0o600);
      assert.ok(server!.token.length >= 40);
      assert.ok(!server!.stderr().includes(server!.token), 'the log holds the token');
      assert.ok(!server!.stdout().includes(server!.token), 'the output holds the token');
      assert.ok(server!.stderr().includes(server!.token.slice(0, 4)), 'the log shows its first characters');
    });

    it('answers POST /predict exactly as `mlloop predict --json`, with id, model, cleared, fallback and variant', async () => {
      const cli = mlloop(dir, ['predict', '--data', 'records.jsonl', '--json']);
      assert.equal(cli.code, 0, cli.stderr);
      const records = fs.readFileSync(path.join(dir, 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const batch = await post(server!, '/predict', { records });
      assert.equal(batch.status, 200, batch.text);
      assert.equal(batch.json.model, cli.json.model);
      assert.equal(batch.json.rejected, 0);
      assert.equal(batch.json.predictions.length, records.length);
      batch.json.predictions.forEach((p: any, i: number) => {
        const { id, model, cleared, fallback, variant, ...rest } = p;
        assert.deepEqual(rest, cli.json.predictions[i], `record ${i}`);
        assert.match(id, /^[0-9a-f-]{36}$/);
        assert.equal(model, 'v1');
        assert.equal(cleared, p.confidence >= 0.8, 'runtime.threshold 0.8');
        assert.equal(fallback, !cleared);
        assert.equal(variant, null, 'no experiment');
        answeredIds.push(id);
      });
      const one = await post(server!, '/predict', { record: records[3] });
      assert.equal(one.status, 200);
      const { id, model: _m, cleared: _c, fallback: _f, variant: _v, ...rest } = one.json.predictions[0];
      assert.deepEqual(rest, cli.json.predictions[3]);
      answeredIds.push(id);
      assert.equal(new Set(answeredIds).size, answeredIds.length, 'ids are unique');
    });

    it('answers 401 without the token or with a wrong one, and reads nothing of the body', async () => {
      const missing = await fetch(`${server!.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ record: record(1) }) });
      assert.equal(missing.status, 401);
      assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="mlloop"');
      assert.match(((await missing.json()) as any).error.message, /bearer token is required/);
      const wrong = await post(server!, '/predict', { record: record(1) }, { authorization: `Bearer ${server!.token.slice(0, -1)}x` });
      assert.equal(wrong.status, 401);
      assert.match(wrong.json.error.message, /wrong/);
      assert.equal((await post(server!, '/predict', { record: record(1) }, { authorization: server!.token })).status, 401, 'without the Bearer scheme');
      assert.equal((await fetch(`${server!.url}/metrics`)).status, 401, 'every route needs it');
      const huge = await post(server!, '/predict', 'x'.repeat(200_000), { authorization: 'Bearer nope' });
      assert.equal(huge.status, 401, 'the token is checked before the body is read');
    });

    it('answers 413 to a body over serve.bodyLimit and to more records than serve.maxRecords', async () => {
      const big = await post(server!, '/predict', { records: Array.from({ length: 3000 }, (_, i) => record(i)) });
      assert.equal(big.status, 413);
      assert.match(big.json.error.message, /larger than 65536 bytes \(serve\.bodyLimit\)/);
      const many = await post(server!, '/predict', { records: Array.from({ length: 201 }, () => ({ x1: 1 })) });
      assert.equal(many.status, 413);
      assert.match(many.json.error.message, /at most 200 per request/);
    });

    it('answers 400 with the field and the reason to malformed JSON and wrong types, never a stack', async () => {
      const cases: Array<[unknown, number, RegExp, string?]> = [
        ['{"record": {"x1": 1', 400, /not JSON/],
        ['', 400, /empty/],
        ['[1, 2]', 400, /must be a JSON object/],
        [{ record: [1, 2] }, 400, /'record' must be an object of feature values \(got/, 'record'],
        [{ records: { x1: 1 } }, 400, /'records' must be a list/, 'records'],
        [{ records: [record(1), 'x'] }, 400, /'records\[1\]' must be an object/, 'records[1]'],
        [{ records: [record(1), { x1: 'abc' }] }, 400, /records\[1\]\.x1: 'abc' is not a number/, 'records[1].x1'],
        [{ record: { z: 1 } }, 400, /none of the model's features/, 'record'],
        [{ record: record(1), entity: { id: 1 } }, 400, /'entity' must be a non-empty string/, 'entity'],
        [{ record: record(1), extra: 1 }, 400, /'extra' is not a field/, 'extra'],
        [{ record: record(1), records: [record(2)] }, 400, /cannot come with 'record'/, 'records'],
        [{ records: [] }, 400, /is empty/, 'records'],
        [{ record: { x1: 1e39 } }, 400, /too large/, 'record.x1'],
        ['{"record": {"__proto__": {"x": 1}}}', 400, /__proto__/],
      ];
      for (const [body, status, message, field] of cases) {
        const r = await post(server!, '/predict', body);
        assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
        assert.match(r.json.error.message, message, JSON.stringify(body));
        if (field) assert.equal(r.json.error.field, field, JSON.stringify(body));
        assert.ok(!/\bat [\w.<>]+ \(/.test(r.text), `no stack in ${r.text}`);
      }
      const form = await post(server!, '/predict', 'record=1', { 'content-type': 'application/x-www-form-urlencoded' });
      assert.equal(form.status, 415);
      assert.match(form.json.error.message, /Content-Type: application\/json/);
    });

    it('takes feedback and outcomes in the inbox lines\' shapes: a labelled one becomes a training example; an unknown prediction is a 404', async () => {
      const served = await post(server!, '/predict', { records: [record(100), record(101)] });
      const [a, b] = served.json.predictions.map((p: any) => p.id);
      answeredIds.push(a, b);
      const fb = await post(server!, '/feedback', { prediction: a, label: 'no', by: 'ana', duration_ms: 1200, time: '2026-12-01T10:00:00Z' });
      assert.equal(fb.status, 200, fb.text);
      assert.deepEqual(fb.json, { recorded: 1, duplicates: 0, examples: 1, not_examples: [] });
      assert.deepEqual((await post(server!, '/feedback', { kind: 'feedback', prediction: a, label: 'no', by: 'ana', duration_ms: 1200, time: '2026-12-01T10:00:00Z' })).json.duplicates, 1, 'the same event twice is one');
      const out = await post(server!, '/outcome', [{ prediction: b, label: 'yes', time: '2026-12-01T11:00:00Z' }, { prediction: a, value: 1 }]);
      assert.equal(out.status, 200, out.text);
      assert.equal(out.json.recorded, 2);
      assert.equal(out.json.examples, 1, 'a binary outcome with a label is an example; a value alone is not');
      const unknown = await post(server!, '/feedback', [{ prediction: a, accepted: true }, { prediction: 'nope', accepted: true }]);
      assert.equal(unknown.status, 404);
      assert.match(unknown.json.error.message, /unknown prediction 'nope': nothing was recorded/);
      const badField = await post(server!, '/outcome', [{ prediction: a, value: 1 }, { prediction: a, value: 'high' }]);
      assert.equal(badField.status, 400);
      assert.equal(badField.json.error.field, '[1].value');
      const noLabel = await post(server!, '/feedback', { prediction: a });
      assert.equal(noLabel.status, 400);
      assert.match(noLabel.json.error.message, /needs 'label'.*or 'accepted'/);
      const store = await openSqliteStore(path.join(dir, '.mlloop', 'store.sqlite'), { purpose: 'test' });
      try {
        const fbs = await store.listFeedback({ prediction: a });
        assert.equal(fbs.length, 1, 'the rejected list recorded nothing');
        assert.equal(fbs[0].by, 'ana');
        const examples = await store.countExamples({ sources: ['feedback', 'outcome'] });
        assert.equal(examples, 2);
      } finally {
        await store.close();
      }
    });

    it('reports GET /health and GET /metrics (requests, latency histogram, predictions and fallbacks per variant)', async () => {
      const h = await get(server!, '/health');
      assert.equal(h.status, 200);
      const health = JSON.parse(h.text);
      assert.equal(health.status, 'ok', h.text);
      assert.deepEqual(health.checks.map((c: any) => c.name).sort(), ['model', 'prediction_log', 'store']);
      const m = await get(server!, '/metrics');
      assert.equal(m.status, 200);
      assert.match(m.text, /^# HELP mlloop_http_requests_total /m);
      assert.match(m.text, /^mlloop_http_requests_total\{route="\/predict",status="401"\} [1-9]/m);
      assert.match(m.text, /^mlloop_http_request_duration_seconds_bucket\{le="\+Inf",route="\/predict"\} \d+$/m);
      const samples = parsePrometheus(m.text);
      const total = sample(samples, 'mlloop_predictions_total', { model: 'v1', variant: 'none' });
      assert.equal(total, answeredIds.length, 'one per served prediction');
      const fallback = sample(samples, 'mlloop_predictions_fallback_total', { reason: 'threshold', variant: 'none' }) ?? 0;
      const rate = sample(samples, 'mlloop_fallback_rate', { variant: 'none' })!;
      assert.ok(Math.abs(rate - fallback / total!) < 1e-12);
      assert.equal(sample(samples, 'mlloop_http_requests_total', { route: '/predict', status: '200' }), 3, 'the 200s so far: a batch, a single record, the feedback test\'s batch');
      assert.match(m.text, /^mlloop_model_info\{role="champion",version="v1"\} 1$/m);
    });

    it('swaps the champion when it is promoted in the middle of load, with no failed request', async () => {
      const statuses = new Map<number, number>();
      const seen: string[] = [];
      let swappedAt = 0;
      let promoting: Promise<void> | undefined;
      const started = Date.now();
      const { connectErrors } = await load(
        server!,
        8,
        () => (swappedAt > 0 && Date.now() - swappedAt > 1500) || Date.now() - started > 120_000,
        (status, json) => {
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status !== 200) return;
          const p = json.predictions[0];
          answeredIds.push(p.id);
          seen.push(p.model);
          if (seen.length === 300 && !promoting) {
            promoting = new Promise((resolve, reject) => {
              const c = spawn(process.execPath, [CLI, 'promote', 'v2', '--force', '--quiet'], { cwd: dir, stdio: 'ignore' });
              c.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`promote exited ${code}`))));
            });
          }
          if (p.model === 'v2' && swappedAt === 0) swappedAt = Date.now();
        },
      );
      await promoting;
      assert.equal(connectErrors, 0);
      assert.deepEqual([...statuses.keys()], [200], `every answer 200: ${JSON.stringify([...statuses])}`);
      assert.ok(seen.includes('v1') && seen.includes('v2'), 'served v1, then v2');
      const firstV2 = seen.indexOf('v2');
      // Requests in flight at the swap may finish after it; past them, only v2.
      assert.ok(seen.slice(firstV2 + 16).every((m) => m === 'v2'), 'after the swap, the new champion answers');
      assert.ok(seen.length - firstV2 > 50, `load continued after the swap (${seen.length - firstV2} answers)`);
      assert.match(server!.stderr(), /champion v1 → v2: swapped in/);
    });

    it('has every answered prediction in the store after SIGTERM', async () => {
      assert.equal(await stopServe(server!), 0, server!.stderr());
      assert.match(server!.stderr(), /Stopped\. \d+ served predictions written to the store\./);
      const store = await openSqliteStore(path.join(dir, '.mlloop', 'store.sqlite'), { purpose: 'test' });
      try {
        const found = await store.getPredictions(answeredIds);
        assert.equal(found.size, answeredIds.length, `${answeredIds.length - found.size} answered predictions missing from the log`);
        const v2 = [...found.values()].filter((p) => p.model === 'v2');
        assert.ok(v2.length > 0);
        assert.equal([...found.values()][0].source, 'serve');
        assert.equal(await store.countPredictions(), answeredIds.length, 'and nothing else: refused requests logged nothing');
        const servers = await store.listServers();
        assert.equal(servers.length, 0, 'the server recorded its stop');
      } finally {
        await store.close();
      }
    });
  });

  describe('SIGTERM in the middle of load', () => {
    it('finishes the requests in flight and writes every answered prediction', async () => {
      const s = await startServe(dir);
      const ids: string[] = [];
      let stop = false;
      let answers = 0;
      const other = new Map<number, number>();
      const loading = load(
        s,
        8,
        () => stop,
        (status, json) => {
          if (status === 200) {
            for (const p of json.predictions) ids.push(p.id);
            if (++answers === 400) s.proc.kill('SIGTERM');
          } else other.set(status, (other.get(status) ?? 0) + 1);
        },
      );
      const code = await exited(s.proc);
      stop = true;
      await loading;
      assert.equal(code, 0, s.stderr());
      assert.ok(ids.length >= 400);
      for (const status of other.keys()) assert.equal(status, 503, 'only "closing" answers after the signal');
      const store = await openSqliteStore(path.join(dir, '.mlloop', 'store.sqlite'), { purpose: 'test' });
      try {
        const found = await store.getPredictions(ids);
        assert.equal(found.size, ids.length, `${ids.length - found.size} of ${ids.length} answered predictions missing after SIGTERM`);
      } finally {
        await store.close();
      }
    });
  });

  describe('safe defaults', () => {
    it('refuses --no-auth with a host that is not loopback', () => {
      const r = mlloop(dir, ['serve', '--host', '0.0.0.0', '--no-auth', '--json']);
      assert.equal(r.code, 2);
      assert.match(r.json.error.message, /--no-auth is refused with --host 0\.0\.0\.0/);
    });

    it('serves without a token on loopback with --no-auth', async () => {
      const s = await startServe(dir, ['--no-auth']);
      try {
        const r = await fetch(`${s.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ record: record(1) }) });
        assert.equal(r.status, 200);
      } finally {
        assert.equal(await stopServe(s), 0);
      }
    });
  });

  describe('a shadow model beside the champion', () => {
    // v2 is the champion since the promotion above; v1 (which learned from x1, unlike v2) shadows it.
    it("records the shadow's answers beside the champion's without changing the responses", async () => {
      fs.writeFileSync(path.join(dir, 'mlloop.yaml'), yaml(['shadow: {model: v1}']));
      const champion = mlloop(dir, ['predict', '--data', 'records.jsonl', '--json']);
      assert.equal(champion.code, 0, champion.stderr);
      assert.equal(champion.json.model, 'v2');
      const asShadow = mlloop(dir, ['predict', '--model', 'v1', '--data', 'records.jsonl', '--json']);
      assert.equal(asShadow.code, 0, asShadow.stderr);
      const records = fs.readFileSync(path.join(dir, 'records.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const ids: string[] = [];
      const s = await startServe(dir);
      try {
        assert.match(s.stderr(), /Shadow: v1 predicts beside the champion/);
        const batch = await post(s, '/predict', { records });
        assert.equal(batch.status, 200, batch.text);
        assert.equal(batch.json.model, 'v2');
        batch.json.predictions.forEach((p: any, i: number) => {
          const { id, model, cleared, fallback, variant, ...rest } = p;
          assert.deepEqual(rest, champion.json.predictions[i], `record ${i}: the champion's answer, not the shadow's`);
          assert.equal(model, 'v2');
          assert.equal(variant, null);
          ids.push(id);
        });
        for (let i = 0; i < 5; i++) {
          const one = await post(s, '/predict', { record: records[i] });
          const { id, model: _m, cleared: _c, fallback: _f, variant: _v, ...rest } = one.json.predictions[0];
          assert.deepEqual(rest, champion.json.predictions[i]);
          ids.push(id);
        }
        assert.ok(!batch.text.includes('shadow'), 'nothing of the shadow in the response');
        // The shadow works after the answer: wait until its counter has them all.
        const until = Date.now() + 30_000;
        let shadowed = 0;
        while (Date.now() < until) {
          shadowed = sample(parsePrometheus((await get(s, '/metrics')).text), 'mlloop_shadow_predictions_total', { model: 'v1' }) ?? 0;
          if (shadowed >= ids.length) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(shadowed, ids.length);
        assert.match((await get(s, '/metrics')).text, /^mlloop_model_info\{role="shadow",version="v1"\} 1$/m);
      } finally {
        assert.equal(await stopServe(s), 0, s.stderr());
      }
      const store = await openSqliteStore(path.join(dir, '.mlloop', 'store.sqlite'), { purpose: 'test' });
      try {
        const rows = (await store.listShadowComparisons({ model: 'v1' })).filter((c) => ids.includes(c.prediction));
        assert.equal(rows.length, ids.length, 'one shadow answer per served prediction');
        const byId = new Map(rows.map((r) => [r.prediction, r]));
        let disagreements = 0;
        ids.forEach((id, k) => {
          const i = k < records.length ? k : k - records.length;
          const row = byId.get(id)!;
          assert.equal(row.served.model, 'v2');
          assert.equal(row.shadow.model, 'v1');
          assert.equal(row.served.output.label, champion.json.predictions[i].label, 'the served answer as logged');
          assert.equal(row.shadow.output.label, asShadow.json.predictions[i].label, "the shadow's answer is v1's");
          assert.ok(Math.abs(row.shadow.output.confidence! - asShadow.json.predictions[i].confidence) < 1e-6);
          if (row.shadow.output.label !== row.served.output.label) disagreements++;
        });
        assert.ok(disagreements > 0, 'v1 and v2 disagree on some records (they learned from different features)');
        const served = await store.getPredictions(ids);
        assert.ok([...served.values()].every((p) => p.model === 'v2'), "the log holds the champion's predictions");
      } finally {
        await store.close();
      }
      const report = mlloop(dir, ['shadow', '--json']);
      assert.equal(report.code, 0, report.stderr);
      assert.equal(report.json.model, 'v1');
      assert.equal(report.json.predictions, ids.length);
      assert.deepEqual(report.json.served_by, { v2: ids.length });
      assert.ok(report.json.disagreements > 0);
    });
  });

  describe('an experiment and a shadow model', () => {
    // v2 is the champion since the promotion above; the challenger arm serves v1; v3 shadows.
    const config = ['experiment:', '  name: ab-1', '  variants: {champion: 50, challenger: 50}', '  challenger: v1', '  outcome: rate', '  minEffect: 0.2', 'shadow: {model: v3}'];

    before(function () {
      this.timeout(300_000);
      // v3: like v1, a third version for the shadow.
      assert.equal(mlloop(dir, ['train', '--json', '--quiet']).json.model, 'v3');
      fs.writeFileSync(path.join(dir, 'mlloop.yaml'), yaml(config));
    });

    it('assigns each entity one sticky arm (across restarts), serves the challenger arm with its version, and logs the shadow', async () => {
      const entities = Array.from({ length: 400 }, (_, i) => `user-${i}`);
      const arms = new Map<string, string>();
      const ids = new Map<string, string>();
      let s = await startServe(dir);
      try {
        for (let i = 0; i < entities.length; i += 100) {
          const chunk = entities.slice(i, i + 100);
          const r = await post(s, '/predict', { records: chunk.map((_, k) => record(i + k)), entities: chunk });
          assert.equal(r.status, 200, r.text);
          r.json.predictions.forEach((p: any, k: number) => {
            arms.set(chunk[k], p.variant);
            ids.set(chunk[k], p.id);
            assert.equal(p.model, p.variant === 'challenger' ? 'v1' : 'v2', 'each arm answers with its model');
            assert.equal(p.fallback, !p.cleared);
          });
        }
        const counts = [...arms.values()].reduce((m, a) => m.set(a, (m.get(a) ?? 0) + 1), new Map<string, number>());
        assert.deepEqual([...counts.keys()].sort(), ['challenger', 'champion']);
        assert.ok(counts.get('champion')! > 150 && counts.get('champion')! < 250, JSON.stringify([...counts]));
        const samples = parsePrometheus((await get(s, '/metrics')).text);
        assert.equal(sample(samples, 'mlloop_predictions_total', { model: 'v2', variant: 'champion' }), counts.get('champion'), 'per-variant counts');
        assert.equal(sample(samples, 'mlloop_predictions_total', { model: 'v1', variant: 'challenger' }), counts.get('challenger'));
        for (const variant of ['champion', 'challenger']) {
          const served = counts.get(variant)!;
          const fellBack = sample(samples, 'mlloop_predictions_fallback_total', { reason: 'threshold', variant }) ?? 0;
          assert.ok(Math.abs(sample(samples, 'mlloop_fallback_rate', { variant })! - fellBack / served) < 1e-12, variant);
        }
        assert.match((await get(s, '/metrics')).text, /^mlloop_model_info\{role="challenger",version="v1"\} 1$/m);
      } finally {
        assert.equal(await stopServe(s), 0, s.stderr());
      }
      // A new process: the same arms.
      s = await startServe(dir);
      try {
        const again = await post(s, '/predict', { records: entities.slice(0, 50).map((_, i) => record(i)), entities: entities.slice(0, 50) });
        again.json.predictions.forEach((p: any, k: number) => assert.equal(p.variant, arms.get(entities[k]), entities[k]));
        // Outcomes: the challenger arm succeeds far more often (a known effect).
        const rng = createRng(5);
        const outcomes = entities.map((e) => ({ prediction: ids.get(e), label: rng() < (arms.get(e) === 'challenger' ? 0.7 : 0.3) ? 'yes' : 'no' }));
        const o = await post(s, '/outcome', outcomes.slice(0, 200));
        assert.equal(o.status, 200, o.text);
        assert.equal((await post(s, '/outcome', outcomes.slice(200))).status, 200);
      } finally {
        assert.equal(await stopServe(s), 0, s.stderr());
      }
      const report = mlloop(dir, ['experiment', '--json']);
      assert.equal(report.code, 0, report.stderr);
      const r = report.json;
      assert.equal(r.experiment, 'ab-1');
      assert.equal(r.status, 'running');
      const byName = Object.fromEntries(r.variants.map((v: any) => [v.name, v]));
      assert.equal(byName.champion.n + byName.challenger.n, 400, 'one outcome per entity (the restart\'s second predictions have none)');
      assert.equal(byName.champion.assigned + byName.challenger.assigned, 400, 'units are entities, not predictions');
      assert.equal(r.srm.mismatch, false);
      assert.equal(r.decision, 'winner', JSON.stringify(r.reasons));
      assert.equal(r.winner, 'challenger');
      assert.ok(byName.challenger.difference.interval.lower > 0);
      assert.equal(byName.challenger.difference.test, 'two_proportion_z');

      const shadow = mlloop(dir, ['shadow', '--json']);
      assert.equal(shadow.code, 0, shadow.stderr);
      assert.equal(shadow.json.model, 'v3');
      assert.equal(shadow.json.predictions, 450, 'every served prediction shadowed (sample 1)');
      assert.equal(shadow.json.labelled, 400, 'the outcomes are labels of a binary task');
      assert.ok(shadow.json.mcnemar);

      const stop = mlloop(dir, ['experiment', 'stop', '--json', '--by', 'test']);
      assert.equal(stop.code, 0, stop.stderr);
      assert.equal(stop.json.status, 'stopped');
      assert.equal(stop.json.winner, 'challenger');
      assert.ok(['promoted', 'rejected'].includes(stop.json.promotion.decision), JSON.stringify(stop.json.promotion));
      const models = mlloop(dir, ['models', '--json']);
      const last = models.json.history[models.json.history.length - 1];
      assert.equal(last.version, 'v1');
      assert.match(last.by, /^experiment ab-1 \(command \(test\)\)$/);
      assert.ok(['promoted', 'rejected'].includes(last.action), 'the gate decided');

      // Stopped: a server now serves everyone the champion, without arms.
      s = await startServe(dir);
      try {
        const after = await post(s, '/predict', { record: record(1), entity: entities[0] });
        assert.equal(after.json.predictions[0].variant, null);
      } finally {
        assert.equal(await stopServe(s), 0);
      }
    });
  });
});

describe('mlloop experiment on simulated outcomes (the CLI over a store an app logged to)', function () {
  this.timeout(300_000);
  const EXPERIMENT = { name: 'model-vs-rules', variants: { champion: 50, fallback: 50 } };
  const dirs: string[] = [];

  /**
   * A project whose app assigned `units` users with the runtime's assignVariant, logged one
   * prediction each (with entity and variant) and later one outcome each: a success with the
   * arm's rate. `lose` drops that share of one arm's predictions (broken logging: what the
   * sample-ratio check is for).
   */
  async function simulate(units: number, rates: { champion: number; fallback: number }, seed: number, lose?: { arm: 'champion' | 'fallback'; share: number }): Promise<string> {
    requireBuild();
    const dir = tempDir('mlloop-experiment-');
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'seed.csv'), [HEADER, ...rows(50, seed)].join('\n') + '\n');
    fs.writeFileSync(
      path.join(dir, 'mlloop.yaml'),
      yaml([`experiment: {name: ${EXPERIMENT.name}, variants: {champion: 50, fallback: 50}, outcome: rate, minEffect: 0.1}`]),
    );
    const start = mlloop(dir, ['experiment', 'start', '--json', '--by', 'sim']);
    assert.equal(start.code, 0, start.stderr);
    assert.equal(start.json.experiment, EXPERIMENT.name);
    const rng = createRng(seed);
    const store = await openSqliteStore(path.join(dir, '.mlloop', 'store.sqlite'), { purpose: 'test' });
    try {
      const t0 = Date.now() + 1000;
      const predictions = [];
      const outcomes = [];
      for (let i = 0; i < units; i++) {
        const entity = `user-${i}`;
        const arm = assignVariant(entity, EXPERIMENT) as 'champion' | 'fallback';
        const success = rng() < rates[arm];
        if (lose && arm === lose.arm && rng() < lose.share) continue;
        const id = `p-${i}`;
        predictions.push({ id, model: 'v1', time: new Date(t0 + i).toISOString(), input: record(i), output: { label: 'yes', confidence: 0.9 }, entity, variant: arm, source: 'inbox/app.jsonl' });
        outcomes.push({ prediction: id, time: new Date(t0 + units + i).toISOString(), label: success ? 'yes' : 'no', source: 'inbox/app.jsonl', hash: `outcome-${i}` });
      }
      await store.addPredictions(predictions);
      await store.addOutcomes(outcomes);
    } finally {
      await store.close();
    }
    return dir;
  }

  function report(dir: string) {
    const r = mlloop(dir, ['experiment', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.experiment, EXPERIMENT.name);
    assert.equal(r.json.status, 'running');
    assert.equal(r.json.control, 'fallback');
    assert.deepEqual(r.json.variants.map((v: any) => v.name), ['fallback', 'champion']);
    return r.json;
  }

  after(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('keeps running below the planned sample, even with a large difference so far', async () => {
    const r = report(await simulate(120, { champion: 0.6, fallback: 0.3 }, 11));
    assert.equal(r.decision, 'keep_running', r.reasons.join(' '));
    assert.equal(r.winner, null);
    assert.equal(r.final, false, 'the comparisons are interim');
    assert.equal(r.sample.decided_on, null);
    for (const v of r.variants) assert.ok(v.n < r.sample.required_per_arm, `${v.name}: ${v.n} < ${r.sample.required_per_arm}`);
    assert.ok(r.sample.required_per_arm > 200 && r.sample.required_per_arm < 600, `planned ${r.sample.required_per_arm} per arm for 0.1 at power 0.8`);
    assert.match(r.reasons[0], /^Keep running: each arm needs about \d+ outcomes/);
    assert.equal(r.srm.mismatch, false);
    const text = mlloop(dirs[dirs.length - 1], ['experiment']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Decision: keep running\./);
  });

  it('declares the clearly better arm the winner once the planned sample is in', async () => {
    const r = report(await simulate(1400, { champion: 0.45, fallback: 0.3 }, 12));
    assert.equal(r.decision, 'winner', r.reasons.join(' '));
    assert.equal(r.winner, 'champion');
    assert.equal(r.final, true);
    assert.equal(r.srm.mismatch, false);
    assert.ok(r.sample.decided_on >= r.sample.required_per_arm);
    const byName = Object.fromEntries(r.variants.map((v: any) => [v.name, v]));
    assert.equal(byName.champion.assigned + byName.fallback.assigned, 1400);
    assert.equal(byName.champion.n + byName.fallback.n, 1400, 'one outcome per unit');
    assert.equal(byName.fallback.serves, null, "the fallback arm is the app's rule");
    const d = byName.champion.difference;
    assert.equal(d.test, 'two_proportion_z');
    assert.ok(d.difference > 0.05 && d.interval.lower > 0, JSON.stringify(d));
    assert.ok(d.p_value < 0.05);
    assert.equal(d.better, 'champion');
    assert.ok(byName.champion.interval.lower < byName.champion.mean && byName.champion.mean < byName.champion.interval.upper);
    assert.match(r.reasons[0], /^Winner: champion, higher by/);
  });

  it('refuses a winner under a sample-ratio mismatch (a quarter of one arm\'s logs lost), with the same effect', async () => {
    const r = report(await simulate(1400, { champion: 0.45, fallback: 0.3 }, 12, { arm: 'fallback', share: 0.25 }));
    assert.equal(r.srm.mismatch, true, JSON.stringify(r.srm));
    assert.ok(r.srm.p_value < r.srm.alpha);
    assert.ok(r.srm.observed.fallback < r.srm.expected.fallback);
    assert.equal(r.decision, 'keep_running');
    assert.equal(r.winner, null);
    assert.match(r.reasons[0], /^Sample-ratio mismatch: .* no winner is declared until it is fixed/);
    const stop = mlloop(dirs[dirs.length - 1], ['experiment', 'stop', '--json', '--by', 'sim']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(stop.json.winner, null, 'stopping under a mismatch promotes nothing');
    assert.equal(stop.json.promotion, null);
  });
});

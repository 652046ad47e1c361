/**
 * `mlloop serve`: a long-lived HTTP server (fastify) over the champion.
 *
 *   POST /predict   {"record": {…}} | {"records": [{…}, …]} (+ "entity" | "entities")
 *                   → {"model", "predictions": [{…mlloop predict's fields, "id", "model",
 *                      "cleared", "fallback", "variant"}], "rejected": 0}
 *   POST /feedback  a feedback line (or a list), as in the inbox → {"recorded", "duplicates", "examples"}
 *   POST /outcome   an outcome line (or a list), as in the inbox → the same
 *   GET  /health    {"status": "ok" | "warning" | "failing", "checks": [...]} (503 when failing)
 *   GET  /metrics   Prometheus text format
 *
 * Safe by default: it listens on 127.0.0.1, every request needs `Authorization: Bearer
 * <token>` (the token in .mlloop/serve-token, created on first start with mode 0600, or
 * MLLOOP_SERVE_TOKEN), request bodies are bounded (serve.bodyLimit), bad input is a 400 that
 * names the field and the reason (never a stack). The champion is swapped in when the
 * registry's alias moves (polled every serve.pollInterval) without a failed request; served
 * predictions are logged to the store in batches, never delaying a response, and shutdown
 * (close) finishes the requests in flight and writes every logged prediction.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ProjectContext } from '../core/context/projectContext';
import { startExperiment } from '../core/experiments/report';
import { checkIntakeEvent, takeIn, type IntakeEvent } from '../core/loop/intake';
import { jsonDepthExceeds } from '../core/loop/inboxLine';
import { isLoopbackHost } from '../core/project/serving';
import type { ServerRecord, ServerStats } from '../core/store/types';
import { parseDuration } from '../core/util/schedule';
import { UserError } from '../core/util/errors';
import { bearerMatches, loadOrCreateToken, tokenHint } from './auth';
import { serverHealth } from './health';
import { Counter, Gauge, Histogram, MetricsRegistry, RecentWindow } from './metrics';
import { ModelSet } from './models';
import { checkPredictBody, predictBody, shadowPredictions, type RequestProblem } from './predict';
import { PredictionLog } from './predictionLog';

export interface ServeOptions {
  /** Override serve.host / serve.port. */
  host?: string;
  port?: number;
  /** --no-auth: refused unless the host is loopback. */
  noAuth?: boolean;
  /** Environment for MLLOOP_SERVE_TOKEN. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Most predictions waiting for the store before requests are refused (503). Default 100,000. */
  maxPending?: number;
  /** How often the server's record in the store is refreshed, ms. Default 5000. */
  heartbeatMs?: number;
}

export interface RunningServer {
  /** http://host:port */
  url: string;
  host: string;
  port: number;
  /** The token (for tests and the CLI's own use; never logged in full). */
  token: string | null;
  /** Where the token comes from: the token file's path, 'MLLOOP_SERVE_TOKEN', or null without auth. */
  tokenSource: string | null;
  /** The champion version it serves now. */
  model(): string;
  /** Finishes the requests in flight, writes every logged prediction, records the stop. */
  close(): Promise<{ written: number; spilled: number; spillFile: string | null }>;
}

/** Largest nesting accepted in a body: records are flat rows, so this only stops hostile input before it costs anything. */
const MAX_BODY_DEPTH = 64;

class BodyError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** JSON bodies only, parsed here so a malformed one is answered with what is wrong and where. */
function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw new BodyError(400, 'the body is empty: send a JSON object');
  if (jsonDepthExceeds(text, MAX_BODY_DEPTH)) throw new BodyError(400, `the body nests objects or lists deeper than ${MAX_BODY_DEPTH} levels`);
  try {
    return JSON.parse(text, (key, value: unknown) => {
      // An own "__proto__" key is harmless to JSON.parse but not to code that copies objects
      // with assignment; no feature is called that, so refuse it as fastify's parser does.
      if (key === '__proto__') throw new BodyError(400, "the body has a key '__proto__', which is not allowed");
      return value;
    });
  } catch (e) {
    if (e instanceof BodyError) throw e;
    throw new BodyError(400, `the body is not JSON: ${(e as Error).message}`);
  }
}

function send(reply: FastifyReply, p: RequestProblem): FastifyReply {
  if (p.status === 503) void reply.header('retry-after', '1');
  return reply.code(p.status).send({ error: p.error });
}

/**
 * Starts the server on `ctx`'s project (its store stays open while it runs).
 * @throws UserError when there is no model, a configured version is missing, `noAuth` is
 *   asked with a host that is not loopback, or the port is taken.
 */
export async function startServer(ctx: ProjectContext, opts: ServeOptions = {}): Promise<RunningServer> {
  const { config, store, log, clock } = ctx;
  const host = opts.host ?? config.serve.host;
  const port = opts.port ?? config.serve.port;
  const auth = config.serve.auth && !opts.noAuth;
  if (!auth && !isLoopbackHost(host)) {
    throw new UserError(`--no-auth is refused with --host ${host}: without the token anyone who can reach ${host} could predict and write feedback. Keep the token (it is in .mlloop/serve-token), or serve on 127.0.0.1.`);
  }
  const token = auth ? loadOrCreateToken(ctx.paths.dataDir, opts.env ?? process.env, (m) => log.warn(m)) : null;
  const pollMs = parseDuration(config.serve.pollInterval);
  const maxPending = opts.maxPending ?? 100_000;

  // The experiment runs unless it was stopped (then everyone gets the champion).
  let experimentActive = false;
  if (config.experiment) {
    const record = await store.getExperiment(config.experiment.name);
    if (record?.stoppedAt) log.info(`Experiment '${config.experiment.name}' was stopped at ${record.stoppedAt}; everyone is served the champion. Give a new experiment a new name.`);
    else {
      await startExperiment(ctx, 'serve');
      experimentActive = true;
    }
  }
  const models = await ModelSet.open(ctx, experimentActive);
  const predictionLog = new PredictionLog(store, config, { flushMs: parseDuration(config.serve.flushInterval), inboxDir: ctx.paths.inboxDir, log, maxPending });

  // ---- metrics
  const metrics = new MetricsRegistry();
  const requests = metrics.add(new Counter('mlloop_http_requests_total', 'HTTP requests answered, by route and status code.'));
  const duration = metrics.add(new Histogram('mlloop_http_request_duration_seconds', 'Time from receiving a request to sending its answer, by route.', [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]));
  const predicted = metrics.add(new Counter('mlloop_predictions_total', 'Predictions served, by experiment arm (variant; "none" without an experiment) and model version.'));
  const fellBack = metrics.add(new Counter('mlloop_predictions_fallback_total', 'Predictions whose answer the app should not use (fallback: true), by variant and reason: threshold (confidence below runtime.threshold) or arm (the fallback arm of an experiment).'));
  metrics.add(
    new Gauge('mlloop_fallback_rate', 'Share of the predictions served since the start that fell back (below runtime.threshold, or the fallback arm), by variant.', () => {
      const by = new Map<string, { n: number; f: number }>();
      for (const e of predicted.entries()) {
        const v = by.get(e.labels.variant) ?? { n: 0, f: 0 };
        v.n += e.value;
        by.set(e.labels.variant, v);
      }
      for (const e of fellBack.entries()) {
        const v = by.get(e.labels.variant) ?? { n: 0, f: 0 };
        v.f += e.value;
        by.set(e.labels.variant, v);
      }
      return [...by].map(([variant, v]) => ({ labels: { variant }, value: v.n ? v.f / v.n : 0 }));
    }),
  );
  const shadowed = metrics.add(new Counter('mlloop_shadow_predictions_total', 'Shadow answers made, by shadow model version.'));
  const disagreed = metrics.add(new Counter('mlloop_shadow_disagreements_total', 'Shadow answers whose label differs from the served one (classification), by shadow model version.'));
  metrics.add(new Gauge('mlloop_prediction_log_pending', 'Served predictions waiting to be written to the store.', () => [{ labels: {}, value: predictionLog.pending }]));
  metrics.add(new Gauge('mlloop_prediction_log_written_total', 'Served predictions written to the store since the start (a counter).', () => [{ labels: {}, value: predictionLog.written }]));
  metrics.add(new Gauge('mlloop_prediction_log_errors_total', 'Failed batch writes of the prediction log since the start (a counter; each is retried).', () => [{ labels: {}, value: predictionLog.writeErrors }]));
  metrics.add(new Gauge('mlloop_model_info', 'The model versions the server answers with (value 1), by role: champion, challenger, shadow.', () => {
    const s = models.snapshot();
    return [
      { labels: { role: 'champion', version: s.champion.version }, value: 1 },
      ...(s.challenger ? [{ labels: { role: 'challenger', version: s.challenger.version }, value: 1 }] : []),
      ...(s.shadow ? [{ labels: { role: 'shadow', version: s.shadow.version }, value: 1 }] : []),
    ];
  }));
  metrics.add(new Gauge('mlloop_model_swaps_total', 'Champion swaps since the start (a counter).', () => [{ labels: {}, value: models.swaps }]));
  const recentAll = new RecentWindow();
  const recentPredict = new RecentWindow();

  // ---- the app
  const app: FastifyInstance = Fastify({
    bodyLimit: config.serve.bodyLimit,
    logger: false,
    requestTimeout: 60_000,
    return503OnClosing: true,
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  const started = new WeakMap<FastifyRequest, number>();
  app.addHook('onRequest', async (req, reply) => {
    started.set(req, performance.now());
    if (token && !bearerMatches(req.headers.authorization, token.token)) {
      void reply.header('www-authenticate', 'Bearer realm="mlloop"');
      return reply.code(401).send({ error: { message: req.headers.authorization ? 'the bearer token is wrong' : `a bearer token is required: send Authorization: Bearer <the token in ${token.source === 'MLLOOP_SERVE_TOKEN' ? 'MLLOOP_SERVE_TOKEN' : '.mlloop/serve-token'}>` } });
    }
    return undefined;
  });
  app.addHook('onResponse', async (req, reply) => {
    const t0 = started.get(req);
    const route = req.routeOptions.url ?? 'unmatched';
    requests.inc({ route, status: String(reply.statusCode) });
    if (t0 !== undefined) {
      const ms = performance.now() - t0;
      duration.observe(ms / 1000, { route });
      const at = Date.now();
      recentAll.add(at, ms);
      if (route === '/predict') recentPredict.add(at, ms);
    }
  });

  app.setErrorHandler((err: FastifyError | BodyError, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      log.warn(`${req.method} ${req.url}: ${err.stack ?? err.message}`);
      return reply.code(500).send({ error: { message: 'internal error (see the server log)' } });
    }
    const code = (err as FastifyError).code;
    const message =
      code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? `the body is larger than ${config.serve.bodyLimit} bytes (serve.bodyLimit); send fewer records per request`
        : code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? `send the body as JSON with Content-Type: application/json (got ${req.headers['content-type'] ?? 'no Content-Type'})`
          : err.message;
    return reply.code(status).send({ error: { message } });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: { message: `no route ${req.method} ${req.url.split('?')[0]}: the routes are POST /predict, POST /feedback, POST /outcome, GET /health, GET /metrics` } }));

  // Shadow work runs after responses; close() waits for it before the last flush.
  let shadowWork = Promise.resolve();

  app.post('/predict', async (req, reply) => {
    const checked = checkPredictBody(req.body, config.serve.maxRecords);
    if (!checked.ok) return send(reply, checked.problem);
    if (!predictionLog.accept(checked.body.records.length)) {
      return send(reply, { status: 503, error: { message: `${predictionLog.pending} served predictions are waiting to be written to the store${predictionLog.lastError ? ` (${predictionLog.lastError})` : ''}; try again shortly` } });
    }
    const snap = models.snapshot();
    const t0 = started.get(req) ?? performance.now();
    const r = predictBody(checked.body, snap, config, clock.now(), () => performance.now() - t0);
    if (!r.ok) return send(reply, r.problem);
    predictionLog.add(r.outcome.rows);
    for (const p of r.outcome.response.predictions) {
      const variant = p.variant ?? 'none';
      predicted.inc({ variant, model: p.model });
      if (p.fallback) fellBack.inc({ variant, reason: p.variant === 'fallback' ? 'arm' : 'threshold' });
    }
    if (r.outcome.shadowJobs.length && snap.shadow) {
      const shadow = snap.shadow;
      const jobs = r.outcome.shadowJobs;
      const served = new Map(r.outcome.response.predictions.map((p) => [p.id, p]));
      shadowWork = shadowWork.then(
        () =>
          new Promise<void>((resolve) =>
            setImmediate(() => {
              try {
                const rows = shadowPredictions(shadow, jobs, clock.now());
                for (const row of rows) {
                  shadowed.inc({ model: shadow.version });
                  const s = served.get(row.prediction);
                  if (s && 'label' in s && row.output.label !== undefined && row.output.label !== s.label) disagreed.inc({ model: shadow.version });
                }
                predictionLog.addShadows(rows);
              } catch (e) {
                log.warn(`shadow model ${shadow.version} failed: ${(e as Error).message}`);
              }
              resolve();
            }),
          ),
      );
    }
    return reply.send(r.outcome.response);
  });

  const intakeRoute = (kind: 'feedback' | 'outcome') => async (req: FastifyRequest, reply: FastifyReply) => {
    const body = req.body;
    const list = Array.isArray(body) ? body : [body];
    if (list.length === 0) return send(reply, { status: 400, error: { message: `the list is empty: send a ${kind} object or a list of them` } });
    if (list.length > config.serve.maxRecords) return send(reply, { status: 413, error: { message: `${list.length} ${kind} items; at most ${config.serve.maxRecords} per request (serve.maxRecords)` } });
    const now = clock.now().toISOString();
    const events: IntakeEvent[] = [];
    for (let i = 0; i < list.length; i++) {
      const c = checkIntakeEvent(list[i], kind, config, now);
      if (!c.ok) {
        const field = Array.isArray(body) ? `[${i}]${c.field ? `.${c.field}` : ''}` : c.field;
        return send(reply, { status: 400, error: { message: c.reason, ...(field ? { field } : {}), reason: c.reason } });
      }
      events.push(c.event);
    }
    try {
      // Predictions served a moment ago may still be queued: write them first, so feedback finds them.
      await predictionLog.flush();
      const r = await store.unitOfWork((tx) => takeIn(tx, { events }, config, 'serve', { requireKnown: true }));
      if (r.unknownPredictions.length) {
        const ids = r.unknownPredictions.slice(0, 10).map((id) => `'${id}'`).join(', ');
        return send(reply, { status: 404, error: { message: `unknown prediction${r.unknownPredictions.length === 1 ? '' : 's'} ${ids}${r.unknownPredictions.length > 10 ? ' …' : ''}: nothing was recorded (use the id /predict answered with)`, field: 'prediction' } });
      }
      const counts = kind === 'feedback' ? r.feedback : r.outcomes;
      return reply.send({ recorded: counts.inserted, duplicates: counts.duplicates, examples: r.examples, not_examples: r.notExamples });
    } catch (e) {
      if (e instanceof UserError) return send(reply, { status: 400, error: { message: e.message } });
      return send(reply, { status: 503, error: { message: `the store cannot be written now: ${(e as Error).message}` } });
    }
  };
  app.post('/feedback', intakeRoute('feedback'));
  app.post('/outcome', intakeRoute('outcome'));

  app.get('/health', async (_req, reply) => {
    const report = await serverHealth({ store, models, log: predictionLog, maxPending });
    return reply.code(report.status === 'failing' ? 503 : 200).send(report);
  });
  app.get('/metrics', async (_req, reply) => reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').send(metrics.render()));

  try {
    await app.listen({ host, port });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    await predictionLog.close();
    if (code === 'EADDRINUSE') throw new UserError(`Port ${port} on ${host} is in use (another mlloop serve?). Choose another with --port, or stop the other server.`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UserError(`Cannot listen on ${host}: it is not an address of this machine.`);
    if (code === 'EACCES') throw new UserError(`Listening on port ${port} needs privileges; use a port above 1023.`);
    throw e;
  }
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;

  // ---- the registry poll and the server's record
  const serverId = crypto.randomBytes(8).toString('hex');
  const startedAt = clock.now().toISOString();
  const startMs = Date.now();
  const stats = (): ServerStats => {
    const now = Date.now();
    const all = recentAll.summary(now, startMs);
    const pr = recentPredict.summary(now, startMs);
    const snap = models.snapshot();
    let n = 0;
    for (const e of predicted.entries()) n += e.value;
    let f = 0;
    for (const e of fellBack.entries()) f += e.value;
    return {
      model: snap.champion.version,
      requestsPerSecond: all.perSecond,
      p50Ms: pr.p50,
      p99Ms: pr.p99,
      predictions: n,
      fallbackRate: n ? f / n : null,
      pendingLog: predictionLog.pending,
      experiment: config.experiment ? { name: config.experiment.name, active: snap.experimentActive } : null,
      shadow: snap.shadow?.version ?? null,
      auth: token !== null,
    };
  };
  const record = (stoppedAt: string | null): ServerRecord => ({ id: serverId, host: os.hostname(), pid: process.pid, url, startedAt, heartbeatAt: clock.now().toISOString(), stoppedAt, stats: stats() });
  let heartbeatWarned = false;
  const heartbeat = async () => {
    try {
      await store.upsertServer(record(null));
      heartbeatWarned = false;
    } catch (e) {
      if (!heartbeatWarned) log.warn(`could not record the server's heartbeat in the store: ${(e as Error).message}`);
      heartbeatWarned = true;
    }
  };
  await heartbeat();
  const heartbeatTimer = setInterval(() => void heartbeat(), opts.heartbeatMs ?? 5000);
  const pollTimer = setInterval(() => {
    void models.refresh().then((r) => {
      if (r.swapped) log.info(`champion ${r.swapped.from} → ${r.swapped.to}: swapped in`);
      if (r.experimentStopped) log.info(`experiment '${config.experiment?.name}' was stopped: everyone is served the champion now`);
    });
  }, pollMs);
  heartbeatTimer.unref();
  pollTimer.unref();

  log.info(`Serving ${models.snapshot().champion.version} on ${url}${token ? ` (bearer token from ${token.source}, ${tokenHint(token.token)}${token.created ? ', created now' : ''})` : ' without a token (loopback only)'}.`);
  if (config.experiment && experimentActive) log.info(`Experiment '${config.experiment.name}': arms ${Object.entries(config.experiment.variants).map(([a, w]) => `${a} ${w}`).join(', ')}.`);
  if (models.snapshot().shadow) log.info(`Shadow: ${models.snapshot().shadow!.version} predicts beside the champion on ${Math.round((config.shadow?.sample ?? 1) * 100)}% of predictions.`);

  let closing: Promise<{ written: number; spilled: number; spillFile: string | null }> | null = null;
  return {
    url,
    host,
    port: boundPort,
    token: token?.token ?? null,
    tokenSource: token?.source ?? null,
    model: () => models.snapshot().champion.version,
    close: () =>
      (closing ??= (async () => {
        clearInterval(heartbeatTimer);
        clearInterval(pollTimer);
        await app.close();
        await shadowWork;
        const spilled = await predictionLog.close();
        try {
          await store.upsertServer(record(clock.now().toISOString()));
        } catch {
          // The store is down: its record goes stale and reads as not live.
        }
        return { written: predictionLog.written, spilled: spilled.spilled, spillFile: spilled.file };
      })()),
  };
}

/**
 * GET /health: the checks a load balancer, a Kubernetes probe or a person asks of a running
 * server — is a model loaded and is it the registry's champion, can the store be read, are
 * the served predictions being written.
 *
 * REPLACE ON MERGE: monitoring (src/core/monitor, `mlloop health`) computes the project's
 * health checks (drift, live metrics, alerts). serverHealth is the one function the route
 * calls; when the monitor's health function lands, its checks join (or replace) the
 * project-level ones here and the server-only ones (the loaded model, the prediction log) stay.
 */
import { currentModel } from '../core/registry/registry';
import type { Store } from '../core/store/types';
import type { ModelSet } from './models';
import type { PredictionLog } from './predictionLog';

export type CheckStatus = 'ok' | 'warning' | 'failing';

export interface HealthCheck {
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface HealthReport {
  /** The worst check's status. */
  status: CheckStatus;
  checks: HealthCheck[];
}

/** How long the store check waits for a read before it says the store is unreachable, ms. */
const STORE_TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e as Error)),
    );
  });
}

/**
 * The server's checks:
 * - model: a model is loaded and answers (a probe prediction of an empty record's shape is not
 *   made: loading validated the bundle); a warning while the registry names another champion
 *   than the one loaded (a swap pending, or the new bundle failed to load — the detail says
 *   which) or when nothing was ever promoted (the newest model serves);
 * - store: a read answers within 2 s;
 * - prediction_log: served predictions are being written (warning while a write fails and
 *   they wait in memory; failing when the queue is near its limit and requests will be refused).
 */
export async function serverHealth(deps: { store: Store; models: ModelSet; log: PredictionLog; maxPending: number }): Promise<HealthReport> {
  const checks: HealthCheck[] = [];
  const snap = deps.models.snapshot();
  let registryVersion: string | null = null;
  try {
    const cur = await withTimeout(currentModel(deps.store), STORE_TIMEOUT_MS);
    registryVersion = cur?.model.version ?? null;
    checks.push({ name: 'store', status: 'ok', detail: `${deps.store.engine} store ${deps.store.location} answers` });
  } catch (e) {
    checks.push({ name: 'store', status: 'failing', detail: `the store ${deps.store.location} does not answer: ${(e as Error).message}` });
  }
  const loaded = snap.champion.version;
  if (registryVersion !== null && registryVersion !== loaded) {
    const why = deps.models.lastPollError ? `loading it failed: ${deps.models.lastPollError}` : 'it is swapped in at the next poll';
    checks.push({ name: 'model', status: 'warning', detail: `serving ${loaded}, but the registry's champion is ${registryVersion}; ${why}` });
  } else if (snap.champion.why === 'newest') {
    checks.push({ name: 'model', status: 'warning', detail: `serving ${loaded}, the newest model: nothing has been promoted to champion yet (mlloop promote ${loaded})` });
  } else {
    checks.push({ name: 'model', status: 'ok', detail: `serving the champion ${loaded}` });
  }
  const pending = deps.log.pending;
  if (pending > deps.maxPending * 0.9) checks.push({ name: 'prediction_log', status: 'failing', detail: `${pending} served predictions wait to be written (limit ${deps.maxPending}); new requests are refused near the limit${deps.log.lastError ? `: ${deps.log.lastError}` : ''}` });
  else if (deps.log.lastError) checks.push({ name: 'prediction_log', status: 'warning', detail: `${pending} served predictions wait: writing them failed (${deps.log.lastError}); retrying` });
  else checks.push({ name: 'prediction_log', status: 'ok', detail: `${deps.log.written} written, ${pending} waiting` });
  const rank: Record<CheckStatus, number> = { ok: 0, warning: 1, failing: 2 };
  const status = checks.reduce<CheckStatus>((worst, c) => (rank[c.status] > rank[worst] ? c.status : worst), 'ok');
  return { status, checks };
}

/**
 * The dashboard's server and experiment cards, computed from this window's server process,
 * the server records in the store and the experiment's report. Pure (no 'vscode', no I/O), so
 * the unit tests check every case and the page only draws.
 */
import type { ExperimentReport } from '../../core/experiments/report';
import type { ServerRecord } from '../../core/store/types';
import type { ExperimentCardView, ServerCardView } from '../../../webview/dashboard/protocol';

/** This window's server as the card needs it (ServerProcessStatus without the process). */
export type LocalServer =
  | { state: 'starting'; pid: number | null }
  | { state: 'running' | 'stopping'; pid: number; url: string | null; model: string | null; startedAt: string | null }
  | { state: 'stopped'; message: string; at: string };

const EMPTY: Omit<ServerCardView, 'status' | 'origin' | 'others' | 'message' | 'canStart'> = {
  url: null,
  host: null,
  pid: null,
  model: null,
  requestsPerSecond: null,
  p50Ms: null,
  p99Ms: null,
  predictions: null,
  fallbackRate: null,
  pendingLog: null,
  startedAt: null,
  heartbeatAt: null,
  experiment: null,
  shadow: null,
  auth: null,
};

function fromRecord(r: ServerRecord): Omit<ServerCardView, 'status' | 'origin' | 'others' | 'message' | 'canStart'> {
  return {
    url: r.url,
    host: r.host,
    pid: r.pid,
    model: r.stats.model,
    requestsPerSecond: r.stats.requestsPerSecond,
    p50Ms: r.stats.p50Ms,
    p99Ms: r.stats.p99Ms,
    predictions: r.stats.predictions,
    fallbackRate: r.stats.fallbackRate,
    pendingLog: r.stats.pendingLog,
    startedAt: r.startedAt,
    heartbeatAt: r.heartbeatAt,
    experiment: r.stats.experiment,
    shadow: r.stats.shadow,
    auth: r.stats.auth,
  };
}

/**
 * The server card. This window's server wins (matched to its store record by host name and
 * pid, which carries its numbers); otherwise the first live record, else the first stale one.
 * @param local this window's server (undefined: it never started one).
 * @param servers the store's records of servers that have not said they stopped, newest first.
 * @param hostname this machine's name (os.hostname()): a record of it is 'host', else 'remote'.
 * @param hasModel whether the project has a model to serve (Start is offered only then).
 */
export function serverCardView(local: LocalServer | undefined, servers: ReadonlyArray<ServerRecord & { live: boolean }>, hostname: string, hasModel: boolean): ServerCardView {
  const localPid = local && local.state !== 'stopped' ? local.pid : null;
  const mine = localPid !== null ? servers.find((s) => s.pid === localPid && s.host === hostname) : undefined;
  const running = local !== undefined && local.state !== 'stopped';
  const canStart = hasModel && !running;
  if (running) {
    const base = mine ? fromRecord(mine) : { ...EMPTY, pid: localPid, ...(local.state !== 'starting' ? { url: local.url, model: local.model, startedAt: local.startedAt } : {}) };
    return {
      ...base,
      status: local.state === 'starting' ? 'starting' : mine && !mine.live ? 'stale' : 'live',
      origin: 'window',
      others: servers.filter((s) => s !== mine).length,
      message: local.state === 'stopping' ? 'stopping: finishing the requests in flight and writing the prediction log' : null,
      canStart,
    };
  }
  const shown = servers.find((s) => s.live) ?? servers[0];
  if (shown) {
    return {
      ...fromRecord(shown),
      status: shown.live ? 'live' : 'stale',
      origin: shown.host === hostname ? 'host' : 'remote',
      others: servers.length - 1,
      message: local?.state === 'stopped' ? `This window's server stopped: ${local.message}` : null,
      canStart,
    };
  }
  return {
    ...EMPTY,
    status: local?.state === 'stopped' ? 'stopped' : 'none',
    origin: local?.state === 'stopped' ? 'window' : null,
    others: 0,
    message: local?.state === 'stopped' ? local.message : null,
    canStart,
  };
}

/** The experiment card from its report (or the reason there is none). Null without an experiment in mlloop.yaml. */
export function experimentCardView(report: ExperimentReport | null, error: string | null, configured: { name: string } | null): ExperimentCardView | null {
  if (!configured) return null;
  if (!report) {
    return {
      name: configured.name,
      status: 'not_started',
      startedAt: null,
      stoppedAt: null,
      outcome: 'rate',
      goal: 'maximize',
      control: '',
      arms: [],
      final: false,
      requiredPerArm: null,
      decidedOn: null,
      decision: 'keep_running',
      winner: null,
      reasons: [],
      srm: null,
      error: error ?? 'The experiment has not been read from the store yet.',
    };
  }
  return {
    name: report.experiment,
    status: report.status,
    startedAt: report.startedAt,
    stoppedAt: report.stoppedAt,
    outcome: report.outcome,
    goal: report.goal,
    control: report.control,
    arms: report.variants.map((a) => ({
      name: a.name,
      serves: a.serves,
      share: a.share,
      assigned: a.assigned,
      n: a.n,
      mean: a.mean,
      interval: a.interval ? { lower: a.interval.lower, upper: a.interval.upper } : null,
      difference: a.difference
        ? {
            value: a.difference.difference,
            lower: a.difference.interval.lower,
            upper: a.difference.interval.upper,
            confidence: a.difference.confidence,
            pValue: a.difference.pValue,
            test: a.difference.test,
            significant: a.difference.significant,
            better: a.difference.better,
          }
        : null,
    })),
    final: report.final,
    requiredPerArm: report.sample.requiredPerArm,
    decidedOn: report.sample.decidedOn,
    decision: report.decision,
    winner: report.winner,
    reasons: report.reasons,
    srm: report.srm ? { pValue: report.srm.pValue, alpha: report.srm.alpha, mismatch: report.srm.mismatch } : null,
    error: null,
  };
}

/**
 * What stopping the experiment will do, in a sentence for its confirmation (the same reading
 * of the decision as core's concludeExperiment).
 */
export function stopConsequence(report: ExperimentReport, challenger: string | undefined, champion: string | null): string {
  if (report.decision !== 'winner') {
    return `No winner yet (${report.decision === 'keep_running' ? 'still running: the planned sample is not reached' : 'no difference'}): nothing is promoted; ${champion ?? 'the champion'} stays the champion.`;
  }
  if (report.winner === 'challenger' && challenger) {
    return `The challenger ${challenger} won: it will be promoted through the quality gate${champion ? ` (replacing ${champion}, if the gate passes it)` : ''}.`;
  }
  if (report.winner === 'fallback') return `The app's own rule (fallback) won: nothing is promoted; ${champion ?? 'the champion'} stays the champion.`;
  return `The ${report.winner} arm won: nothing is promoted; ${champion ?? 'the champion'} stays the champion.`;
}

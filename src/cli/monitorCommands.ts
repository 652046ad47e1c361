/**
 * The CLI's monitoring commands: monitor (drift, live performance, alerts, the HTML report),
 * health, and alerts (list, ack, resolve). Light: no TensorFlow.js is loaded — except when
 * `monitoring.retrain` is on and a critical alert starts a retraining cycle, which goes
 * through cliJobs like `mlloop retrain`.
 */
import os from 'node:os';
import { acknowledgeAlert, openAlerts, resolveAlert } from '../core/monitor/alerts';
import { projectHealth } from '../core/monitor/health';
import { alertJson, healthJson, monitorJson } from '../core/monitor/json';
import { runMonitor, type MonitorResult } from '../core/monitor/monitor';
import type { ReferenceCache } from '../core/monitor/reference';
import type { ProjectContext } from '../core/context/projectContext';
import type { StoredAlert } from '../core/store/types';
import { UserError } from '../core/util/errors';
import type { Command, CommandContext } from './commands';
import { cliJobs } from './loadJobs';
import { fmt, table } from './output';

function who(ctx: CommandContext): string {
  const by = ctx.values.by as string | undefined;
  if (by) return by;
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'command';
  }
}

const levelText = (l: string) => l.replace(/_/g, ' ');

function printMonitor(ctx: CommandContext, r: MonitorResult): void {
  const window = 'last' in r.current.window ? `newest ${r.current.window.last}` : `last ${r.current.window.duration}`;
  ctx.out.text(`Monitoring ${r.model.version} (${r.model.why}) — reference ${r.reference.n} ${r.reference.kind === 'training' ? 'training rows' : 'examples of the pinned window'}; current window (${window}): ${r.current.n} predictions${r.current.from ? `, ${r.current.from} – ${r.current.to}` : ''}.`);
  if (r.features.length) {
    ctx.out.text(
      table(
        ['feature', 'type', 'test', 'statistic', 'p', 'psi', 'distance', 'drift'],
        r.features.map((f) => [f.name, f.type, f.test, fmt(f.statistic), f.pValue === null ? 'n/a' : f.pValue < 1e-4 ? f.pValue.toExponential(1) : fmt(f.pValue), fmt(f.psi), fmt(f.distance), levelText(f.drift)]),
      ),
    );
  }
  ctx.out.text(`Dataset drift: ${levelText(r.dataset.drift)} (${r.dataset.drifting} of ${r.dataset.tested} tested features drift).`);
  ctx.out.text(`Predictions (${r.prediction.n} by ${r.model.version}): ${r.prediction.tests.map((t) => `${t.name} ${levelText(t.drift)}`).join(', ') || 'none in the window'}.`);
  const p = r.performance;
  const metrics = Object.entries(p.metrics).map(([name, m]) => `${name} ${m.value === null ? 'n/a' : fmt(m.value)} (${levelText(m.status)})`);
  ctx.out.text(`Live performance (${p.labelled} labelled): ${metrics.join(', ')}.`);
  ctx.out.text(
    `Latency p50/p95/p99: ${fmt(p.latencyMs.p50)} / ${fmt(p.latencyMs.p95)} / ${fmt(p.latencyMs.p99)} ms (${p.latencyMs.n}); fallback rate ${p.fallback.rate === null ? 'n/a' : `${(p.fallback.rate * 100).toFixed(1)}%`} (below ${p.fallback.threshold}); accepted ${p.acceptance.share === null ? 'n/a' : `${(p.acceptance.share * 100).toFixed(1)}%`} of ${p.acceptance.judged}.`,
  );
  for (const a of r.alerts.fired) ctx.out.text(`NEW ${a.severity.toUpperCase()} alert ${a.id}: ${a.title}. ${a.detail}`);
  for (const h of r.alerts.heldBack) ctx.out.text(`(${h.key} holds again; held back by the cooldown until ${h.until})`);
  ctx.out.text(`Open alerts: ${r.alerts.open.length}${r.alerts.open.length ? ' (`mlloop alerts` lists them)' : ''}.`);
}

/**
 * One monitoring run for a command: `mlloop monitor`, and `mlloop watch` every
 * monitoring.every (with a reference cache kept between runs). A critical alert starts a
 * retraining cycle through cliJobs when monitoring.retrain is on.
 */
export async function monitorOnce(ctx: CommandContext, p: ProjectContext, cache?: ReferenceCache): Promise<MonitorResult> {
  const r = await runMonitor({
    ctx: p,
    signal: ctx.signal,
    ...(cache ? { cache } : {}),
    startCycle: async (reason) => {
      ctx.out.log(`monitoring.retrain: starting a retraining cycle (${reason})`);
      const c = await cliJobs().runCycle({ ctx: p, trigger: 'alert', by: `monitor (${reason})`, backend: ctx.backend, signal: ctx.signal, onEvent: (e) => (e.type === 'cycle' ? ctx.out.log(e.message) : undefined) });
      return { cycle: c.cycle, decision: c.decision, champion: c.champion, challenger: c.challenger, reasons: c.reasons };
    },
  });
  if (r.retrain.result) ctx.out.log(`cycle ${r.retrain.result.cycle}: ${r.retrain.result.decision}; champion ${r.retrain.result.champion ?? 'none'}. ${r.retrain.result.reasons[0] ?? ''}`);
  if (r.retrain.error) ctx.out.log(`The retraining cycle could not run: ${r.retrain.error}`);
  return r;
}

/** A monitoring run in one line (for mlloop watch's log). */
export function monitorLine(r: MonitorResult): string {
  const drifting = r.features.filter((f) => f.drift === 'warning' || f.drift === 'critical').map((f) => `${f.name} ${f.drift}`);
  return `monitor ${r.model.version}: ${r.current.n} predictions; ${drifting.length ? `drift in ${drifting.join(', ')}` : 'no feature drifts'}; dataset ${levelText(r.dataset.drift)}; ${r.alerts.fired.length} new alert${r.alerts.fired.length === 1 ? '' : 's'}, ${r.alerts.open.length} open.`;
}

export const monitor: Command = {
  summary: 'compare live predictions with the training data: drift, live metrics, alerts, a report',
  usage: [
    'Usage: mlloop monitor',
    '',
    'Compares the current window of logged predictions (monitoring.window, default the last 24h)',
    "with the serving model's training rows: each input feature (KS / χ² tests corrected for the",
    'number of features, with PSI, Wasserstein and Jensen–Shannon effect sizes), the predicted',
    'labels and confidence, dataset drift, and — where outcomes or feedback arrived — live',
    'accuracy / F1 / ECE (MAE) against the champion\'s test interval, latency, fallback and',
    'acceptance. Raises alerts (once per onset, with a cooldown), keeps a snapshot for drift over',
    'time and writes .mlloop/reports/monitor.html.',
  ].join('\n'),
  options: {},
  async run(ctx) {
    const r = await monitorOnce(ctx, await ctx.project());
    if (ctx.out.json) ctx.out.result(monitorJson(r));
    else printMonitor(ctx, r);
    if (r.report) ctx.out.log(`Report: ${r.report}`);
    return 0;
  },
};

export const health: Command = {
  summary: 'is the loop working: data arriving, champion age, last cycle, store size, open alerts',
  usage: [
    'Usage: mlloop health',
    '',
    'Quick checks (no statistics): the newest logged prediction, how long the champion has',
    'served, the last retraining cycle, the store\'s size and free disk, and the open alerts.',
    'Exit code 1 when the status is critical (for probes and cron), else 0.',
  ].join('\n'),
  options: {},
  async run(ctx) {
    const h = await projectHealth(await ctx.project());
    if (ctx.out.json) ctx.out.result(healthJson(h));
    else {
      ctx.out.text(`Health: ${h.status}`);
      ctx.out.text(table(['check', 'status', 'detail'], h.checks.map((c) => [c.name, c.status, c.detail])));
    }
    return h.status === 'critical' ? 1 : 0;
  },
};

function alertLine(a: StoredAlert): Array<string | number> {
  return [a.id, a.severity, a.status, a.createdAt.replace('T', ' ').slice(0, 19), a.title];
}

export const alerts: Command = {
  summary: 'list alerts, or acknowledge / resolve one: mlloop alerts [ack|resolve ID]',
  usage: [
    'Usage: mlloop alerts [--all] [--limit N]',
    '       mlloop alerts ack ID [--by WHO]',
    '       mlloop alerts resolve ID [--by WHO]',
    '',
    'Without arguments: the open alerts (active and acknowledged), most urgent first; --all adds',
    'the resolved ones (newest first). ack marks an alert seen (it stays open); resolve closes it',
    '— if its condition still holds it does not fire again until it clears and comes back.',
  ].join('\n'),
  options: { all: { type: 'boolean', default: false }, limit: { type: 'string' }, by: { type: 'string' } },
  positionals: '[ack|resolve ID]',
  async run(ctx) {
    const p = await ctx.project();
    const [action, idText, ...rest] = ctx.positionals;
    if (action !== undefined) {
      if ((action !== 'ack' && action !== 'resolve') || idText === undefined || rest.length) throw new UserError(`alerts takes nothing, or ack ID, or resolve ID.\n\n${alerts.usage}`);
      const id = Number(idText);
      if (!/^[0-9]+$/.test(idText) || !Number.isSafeInteger(id) || id <= 0) throw new UserError(`'${idText}' is not an alert id: \`mlloop alerts\` lists them with their ids.`);
      const now = p.clock.now();
      const a = action === 'ack' ? await acknowledgeAlert(p.store, id, who(ctx), now) : await resolveAlert(p.store, id, who(ctx), now);
      if (ctx.out.json) ctx.out.result({ alert: alertJson(a) });
      else ctx.out.text(`Alert ${a.id} (${a.title}) is ${a.status}${a.status === 'acknowledged' ? ` by ${a.acknowledgedBy}` : a.status === 'resolved' ? ` by ${a.resolvedBy}` : ''}.`);
      return 0;
    }
    const limit = ctx.values.limit !== undefined ? Number(ctx.values.limit) : undefined;
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UserError('--limit takes a whole number above 0.');
    let list = ctx.values.all ? await p.store.listAlerts() : await openAlerts(p.store);
    if (limit !== undefined) list = list.slice(0, limit);
    if (ctx.out.json) ctx.out.result({ alerts: list.map(alertJson) });
    else if (list.length === 0) ctx.out.text(ctx.values.all ? 'No alerts yet.' : 'No open alerts.');
    else {
      ctx.out.text(table(['id', 'severity', 'status', 'created', 'alert'], list.map(alertLine)));
    }
    return 0;
  },
};

export const MONITOR_COMMANDS: Record<string, Command> = { monitor, health, alerts };

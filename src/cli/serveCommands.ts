/**
 * The CLI's serving commands: `mlloop serve` (the HTTP endpoint), `mlloop experiment` (an A/B
 * test's report, start and stop) and `mlloop shadow` (a shadow model's live evidence). Thin,
 * as the others: parse, call core (or the server), print text or one JSON object.
 */
import os from 'node:os';
import type { ArmComparison, ArmReport } from '../core/experiments/analysis';
import { experimentReport, startExperiment, type ExperimentReport } from '../core/experiments/report';
import { shadowReport, type ShadowAnalysis } from '../core/experiments/shadow';
import { plural } from '../core/util/plural';
import { UserError } from '../core/util/errors';
import type { Command, CommandContext } from './commands';
import { cliJobs } from './loadJobs';
import { cliServer } from './loadServer';
import { fmt, table } from './output';

function byCommand(ctx: CommandContext): string {
  let who = ctx.values.by as string | undefined;
  if (!who) {
    try {
      who = os.userInfo().username;
    } catch {
      who = process.env.USER;
    }
  }
  return who ? `command (${who})` : 'command';
}

export const serve: Command = {
  summary: 'serve the champion over HTTP: predict, feedback, outcomes, health, metrics',
  usage: [
    'Usage: mlloop serve [--port P] [--host H] [--no-auth]',
    '',
    'POST /predict {"record": {…}} or {"records": [...]} (with "entity" for experiments) answers',
    "as `mlloop predict --json` does, plus each prediction's id, model, cleared (confidence ≥",
    'runtime.threshold), fallback and variant; POST /feedback and POST /outcome take the inbox',
    "lines' shapes; GET /health; GET /metrics (Prometheus). Every prediction is logged to the store.",
    '',
    'Listens on serve.host:serve.port (default 127.0.0.1:8765). Every request needs',
    '`Authorization: Bearer <token>`: the token is in .mlloop/serve-token (created on first start,',
    'mode 0600) or MLLOOP_SERVE_TOKEN. --no-auth turns it off, on a loopback host only.',
    'A promotion is picked up within serve.pollInterval. Ctrl-C or SIGTERM stops it after the',
    'requests in flight, with every served prediction written.',
    'With --json it prints {"url", "host", "port", "model", "auth", "token_file"} once listening',
    "(token_file: the token's file, or MLLOOP_SERVE_TOKEN; null without auth).",
  ].join('\n'),
  options: { port: { type: 'string' }, host: { type: 'string' }, 'no-auth': { type: 'boolean', default: false } },
  async run(ctx) {
    let port: number | undefined;
    if (ctx.values.port !== undefined) {
      port = Number(ctx.values.port);
      if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new UserError(`--port must be a whole number from 0 to 65535 (got '${String(ctx.values.port)}').`);
    }
    const host = ctx.values.host as string | undefined;
    if (host !== undefined && host.trim() === '') throw new UserError('--host needs an address, e.g. 127.0.0.1 or 0.0.0.0.');
    const project = await ctx.project();
    const server = await cliServer().startServer(project, { ...(port !== undefined ? { port } : {}), ...(host ? { host } : {}), noAuth: !!ctx.values['no-auth'] });
    // Ctrl-C and SIGTERM (kill, docker stop, a pod ending) both abort ctx.signal (see main.ts).
    const stopped = new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    if (ctx.out.json) ctx.out.result({ url: server.url, host: server.host, port: server.port, model: server.model(), auth: server.token !== null, token_file: server.tokenSource });
    else ctx.out.text(`Listening on ${server.url}. Ctrl-C stops.`);
    await stopped;
    ctx.out.log('Stopping: finishing the requests in flight and writing the prediction log…');
    const r = await server.close();
    ctx.out.log(`Stopped. ${plural(r.written, 'served prediction')} written to the store${r.spilled ? `; ${r.spilled} saved to ${r.spillFile} for \`mlloop ingest\` (the store could not be written)` : ''}.`);
    return 0;
  },
};

const interval = (i: { lower: number; upper: number } | null) => (i ? { lower: i.lower, upper: i.upper } : null);

function comparisonJson(c: ArmComparison) {
  return {
    a: c.a,
    b: c.b,
    difference: c.difference,
    interval: interval(c.interval),
    confidence: c.confidence,
    p_value: c.pValue,
    test: c.test,
    statistic: c.statistic,
    ...(c.df !== undefined ? { df: c.df } : {}),
    alpha: c.alpha,
    significant: c.significant,
    better: c.better,
  };
}

function armJson(a: ArmReport) {
  return {
    name: a.name,
    serves: a.serves,
    weight: a.weight,
    share: a.share,
    assigned: a.assigned,
    predictions: a.predictions,
    models: a.models,
    n: a.n,
    mean: a.mean,
    interval: interval(a.interval),
    difference: a.difference ? comparisonJson(a.difference) : null,
  };
}

/** The report as `mlloop experiment --json` prints it (snake_case, as the other commands). */
export function experimentJson(r: ExperimentReport) {
  return {
    experiment: r.experiment,
    status: r.status,
    started_at: r.startedAt,
    stopped_at: r.stoppedAt,
    outcome: r.outcome,
    goal: r.goal,
    control: r.control,
    variants: r.variants.map(armJson),
    comparisons: r.comparisons.map(comparisonJson),
    final: r.final,
    srm: r.srm ? { observed: r.srm.observed, expected: r.srm.expected, chi_square: r.srm.statistic, df: r.srm.df, p_value: r.srm.pValue, alpha: r.srm.alpha, mismatch: r.srm.mismatch } : null,
    sample: {
      required_per_arm: r.sample.requiredPerArm,
      decided_on: r.sample.decidedOn,
      min_effect: r.sample.minEffect,
      power: r.sample.power,
      alpha: r.sample.alpha,
      comparison_alpha: r.sample.comparisonAlpha,
    },
    decision: r.decision,
    winner: r.winner,
    reasons: r.reasons,
    crossovers: r.crossovers,
    other_variants: r.otherVariants,
    unreadable_outcomes: r.unreadableOutcomes,
  };
}

function printExperiment(ctx: CommandContext, r: ExperimentReport): void {
  const show = (x: number | null) => (x === null ? '–' : r.outcome === 'rate' ? `${(x * 100).toFixed(1)}%` : fmt(x));
  ctx.out.text(`Experiment '${r.experiment}' (${r.status.replace('_', ' ')}${r.startedAt ? ` since ${r.startedAt.replace('T', ' ').slice(0, 19)}` : ''}${r.stoppedAt ? `, stopped ${r.stoppedAt.replace('T', ' ').slice(0, 19)}` : ''}); outcome: ${r.outcome}, ${r.goal}.`);
  ctx.out.text(
    table(
      ['arm', 'serves', 'share', 'assigned', 'n', 'mean', 'interval', `vs ${r.control}`, 'p'],
      r.variants.map((a) => [
        a.name,
        a.serves ?? '(app rule)',
        `${(a.share * 100).toFixed(0)}%`,
        a.assigned,
        a.n,
        show(a.mean),
        a.interval ? `[${show(a.interval.lower)}, ${show(a.interval.upper)}]` : '',
        a.difference ? `${a.difference.difference >= 0 ? '+' : ''}${show(a.difference.difference)} [${show(a.difference.interval.lower)}, ${show(a.difference.interval.upper)}]` : '',
        a.difference ? a.difference.pValue.toPrecision(3) : '',
      ]),
    ),
  );
  if (r.srm) ctx.out.text(`Sample ratio: χ² = ${fmt(r.srm.statistic)}, p = ${r.srm.pValue.toPrecision(3)}${r.srm.mismatch ? ' — MISMATCH' : ' (fits the weights)'}.`);
  ctx.out.text(`Planned sample: ${r.sample.requiredPerArm ?? 'not yet known'} outcomes per arm (min effect ${show(r.sample.minEffect)}, power ${r.sample.power}, alpha ${fmt(r.sample.comparisonAlpha)} per comparison)${r.sample.decidedOn ? `; decided on the first ${r.sample.decidedOn}` : ''}.`);
  ctx.out.text(`Decision: ${r.decision.replace('_', ' ')}${r.winner ? ` — ${r.winner}` : ''}.`);
  for (const reason of r.reasons) ctx.out.text(`  ${reason}`);
}

export const experiment: Command = {
  summary: 'the A/B experiment: arms, outcomes, the difference with its interval, the decision; start or stop it',
  usage: [
    'Usage: mlloop experiment [start | stop [--keep-champion]] [--by WHO]',
    '',
    'Without a subcommand: the experiment of mlloop.yaml (experiment:) — per arm the units',
    'assigned, the outcomes n, the mean outcome with its interval, the difference from the',
    "control with its interval and p-value (Welch's t-test for a mean, the two-proportion",
    'z-test for a rate), the sample-ratio check (χ²), the sample each arm needs, and the',
    'decision: keep_running, winner or no_difference. Never a winner before the planned sample',
    'or with a sample-ratio mismatch.',
    'start: records that the experiment runs from now (`mlloop serve` does this itself; use it',
    "when your app assigns arms with the runtime's assignVariant and logs to the inbox).",
    'stop: ends it (the server then serves everyone the champion), records the final analysis,',
    'and promotes a winning challenger through the quality gate (--keep-champion: do not).',
  ].join('\n'),
  options: { 'keep-champion': { type: 'boolean', default: false }, by: { type: 'string' } },
  positionals: 'start|stop',
  async run(ctx) {
    const sub = ctx.positionals[0];
    if (ctx.positionals.length > 1 || (sub !== undefined && sub !== 'start' && sub !== 'stop')) throw new UserError(`experiment takes no argument, start or stop (got '${ctx.positionals.join(' ')}').\n\n${experiment.usage}`);
    const project = await ctx.project();
    if (sub === 'start') {
      const rec = await startExperiment(project, byCommand(ctx));
      if (ctx.out.json) ctx.out.result({ experiment: rec.name, started_at: rec.startedAt, started_by: rec.startedBy });
      else ctx.out.text(`Experiment '${rec.name}' runs since ${rec.startedAt} (started by ${rec.startedBy}).`);
      return 0;
    }
    if (sub === 'stop') {
      const r = await cliJobs().concludeExperiment(project, { by: byCommand(ctx), promote: !ctx.values['keep-champion'], signal: ctx.signal });
      if (ctx.out.json) {
        ctx.out.result({
          ...experimentJson(r.report),
          promotion: r.promotion ? { version: r.promotion.version, decision: r.promotion.decision, champion: r.promotion.champion, previous: r.promotion.previous, reasons: r.promotion.reasons } : null,
          note: r.note,
        });
      } else {
        printExperiment(ctx, r.report);
        ctx.out.text(r.note);
      }
      return 0;
    }
    const r = await experimentReport(project);
    if (ctx.out.json) ctx.out.result(experimentJson(r));
    else printExperiment(ctx, r);
    return 0;
  },
};

/** The shadow analysis as `mlloop shadow --json` prints it. */
export function shadowJson(s: ShadowAnalysis) {
  return {
    model: s.model,
    served_by: s.servedBy,
    predictions: s.predictions,
    disagreements: s.disagreements,
    disagreement_rate: s.disagreementRate,
    ...(s.meanAbsoluteDifference !== undefined ? { mean_absolute_difference: s.meanAbsoluteDifference } : {}),
    labelled: s.labelled,
    metric: s.metric,
    served: s.served,
    shadow: s.shadow,
    difference: s.difference,
    ...(s.mcnemar
      ? { mcnemar: { shadow_only: s.mcnemar.challengerOnly, served_only: s.mcnemar.championOnly, p_value: s.mcnemar.pValue, p_value_two_sided: s.mcnemar.pValueTwoSided, variant: s.mcnemar.variant } }
      : {}),
    ...(s.pairedT ? { paired_t: { mean_improvement: s.pairedT.meanImprovement, interval: interval(s.pairedT.interval), p_value: s.pairedT.pValue, n: s.pairedT.n } } : {}),
    summary: s.summary,
  };
}

export const shadow: Command = {
  summary: "a shadow model's live evidence: disagreements with the served model, both models' metrics on labelled traffic",
  usage: [
    'Usage: mlloop shadow [--model V] [--from ISO-TIME]',
    '',
    'The shadow model (shadow: in mlloop.yaml, or --model) predicts beside the champion in',
    '`mlloop serve` without its answers reaching the app. This shows how often it disagreed and,',
    'on the predictions whose true label arrived (feedback, outcomes), both models\' accuracy',
    "(regression: MAE) on the same predictions with a paired test (McNemar's; a paired t-test).",
  ].join('\n'),
  options: { model: { type: 'string' }, from: { type: 'string' } },
  async run(ctx) {
    const from = ctx.values.from as string | undefined;
    if (from !== undefined && !Number.isFinite(Date.parse(from))) throw new UserError(`--from must be a date and time (ISO-8601), got '${from}'.`);
    const s = await shadowReport(await ctx.project(), { ...(ctx.values.model ? { model: ctx.values.model as string } : {}), ...(from ? { from } : {}) });
    if (ctx.out.json) ctx.out.result(shadowJson(s));
    else {
      ctx.out.text(`Shadow ${s.model}: ${s.predictions} predictions, ${s.disagreements} disagreements${s.disagreementRate !== null ? ` (${(s.disagreementRate * 100).toFixed(1)}%)` : ''}.`);
      ctx.out.text(s.summary);
    }
    return 0;
  },
};

export const SERVE_COMMANDS: Record<string, Command> = { serve, experiment, shadow };

/**
 * The CLI's commands of the loop's registry and cycles: models (with the champion and its
 * history), promote, rollback, retrain, watch, export, import-model. Thin, as the others:
 * parse, call core, print text or one JSON object. The heavy ones (anything that scores or
 * trains) go through cliJobs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHAMPION, currentModel, recordImport, registryReport, resolveModel, rollback } from '../core/registry/registry';
import { loadBundle } from '../core/registry/bundle';
import { bundleDigest, ensureBundleOnDisk, materializeBundle, nextModelVersion, readBundleFolder } from '../core/registry/versions';
import type { ModelCard } from '../core/registry/types';
import type { RegistryEvent } from '../core/store/types';
import { UserError } from '../core/util/errors';
import type { Command, CommandContext } from './commands';
import { headline } from './commands';
import { cliJobs } from './loadJobs';
import { fmt, table } from './output';

/** Who is doing it, for the history: "command (ana)". */
function byCommand(ctx: CommandContext): string {
  const who = (ctx.values.by as string | undefined) ?? safeUser();
  return who ? `command (${who})` : 'command';
}

function safeUser(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER;
  }
}

const eventJson = (e: RegistryEvent) => ({ version: e.version, action: e.action, at: e.at, by: e.by, reasons: e.reasons, previous: e.previous, cycle: e.cycle, gate: e.gate });

export const models: Command = {
  summary: 'list model versions, the champion and the history of promotions',
  usage: [
    'Usage: mlloop models',
    '',
    'Every model version (newest first) with its headline metric, which one is the champion',
    '(what predict, evaluate, the dashboard and apps mean by "the model"), and the history:',
    'what was promoted, rejected, forced or rolled back, when, by what and why.',
  ].join('\n'),
  options: {},
  async run(ctx) {
    const { store } = await ctx.project();
    const r = await registryReport(store);
    if (ctx.out.json) {
      ctx.out.result({
        models: r.models.map((m) => ({ version: m.version, run: m.runId || null, created_at: m.createdAt, task: m.task, metrics: m.metrics, path: m.path, champion: m.version === r.champion })),
        champion: r.champion,
        history: r.history.map(eventJson),
      });
      return 0;
    }
    if (r.models.length === 0) {
      ctx.out.text('No models yet. Train with `mlloop train` or run a cycle with `mlloop retrain`.');
      return 0;
    }
    ctx.out.text(table(['model', 'run', 'created', 'headline', ''], r.models.map((m) => [m.version, m.runId || '', m.createdAt.replace('T', ' ').slice(0, 19), headline(m.metrics) ?? '', m.version === r.champion ? 'champion' : ''])));
    if (!r.champion) ctx.out.text(`No champion yet: "the model" is the newest, ${r.models[0].version}. Promote one with \`mlloop promote V\` or run \`mlloop retrain\`.`);
    if (r.history.length) {
      ctx.out.text('History:');
      for (const e of r.history.slice(-20)) ctx.out.text(`  ${e.at.replace('T', ' ').slice(0, 19)}  ${e.version.padEnd(6)} ${e.action.padEnd(11)} by ${e.by}: ${e.reasons[0] ?? ''}`);
    }
    return 0;
  },
};

export const promote: Command = {
  summary: 'make a version the champion, if the quality gate says it is better (or --force)',
  usage: [
    'Usage: mlloop promote VERSION [--force] [--by WHO]',
    '',
    'Scores VERSION and the champion on the same held-out rows (those neither trained on) and',
    'promotes VERSION only when the quality gate (gate: in mlloop.yaml) passes. --force skips',
    'the gate; it is recorded as forced, with the numbers it overrode. Exit 1 when rejected.',
  ].join('\n'),
  options: { force: { type: 'boolean', default: false }, by: { type: 'string' } },
  positionals: 'VERSION',
  async run(ctx) {
    const version = ctx.positionals[0];
    if (!version || ctx.positionals.length > 1) throw new UserError(`promote takes one version.\n\n${promote.usage}`);
    const r = await cliJobs().promoteVersion(await ctx.project(), version, { force: !!ctx.values.force, by: byCommand(ctx), signal: ctx.signal });
    if (ctx.out.json) ctx.out.result({ version: r.version, decision: r.decision, champion: r.champion, previous: r.previous, reasons: r.reasons, gate: r.gate });
    else {
      ctx.out.text(
        r.decision === 'rejected'
          ? `${version} was not promoted; the champion is still ${r.champion ?? 'none'}.`
          : r.decision === 'unchanged'
            ? `${version} already is the champion.`
            : `${version} is the champion${r.previous ? ` (was ${r.previous})` : ''}${r.decision === 'forced' ? ', forced' : ''}.`,
      );
      for (const reason of r.reasons) ctx.out.text(`  ${reason}`);
    }
    return r.decision === 'rejected' ? 1 : 0;
  },
};

export const rollbackCmd: Command = {
  summary: 'put the previous champion back (or --to VERSION)',
  usage: 'Usage: mlloop rollback [--to VERSION] [--by WHO]\n\nMakes the previous champion the champion again (or VERSION), recorded as rolled back.',
  options: { to: { type: 'string' }, by: { type: 'string' } },
  async run(ctx) {
    const p = await ctx.project();
    const e = await rollback(p.store, { ...(ctx.values.to ? { to: ctx.values.to as string } : {}), by: byCommand(ctx), at: p.clock.now().toISOString() });
    if (ctx.out.json) ctx.out.result({ champion: e.version, previous: e.previous, event: eventJson(e) });
    else ctx.out.text(`${e.version} is the champion again (was ${e.previous}).`);
    return 0;
  },
};

export const retrain: Command = {
  summary: 'run one retraining cycle now: train a challenger, gate it, promote or reject',
  usage: [
    'Usage: mlloop retrain [--force] [--incremental]',
    '',
    'For cron, CI or a Kubernetes CronJob. Trains a challenger on the examples of the data',
    'window (schedule.window by event time), scores it and the champion on the same held-out',
    'rows, and lets the quality gate decide. With no champion yet, the first model is promoted',
    'when it passes the floors. Skips (and says how many it has of how many) with too few new',
    'labels or examples; --force runs anyway. --incremental fine-tunes the champion instead of',
    'training from scratch. One cycle at a time: a second is refused, naming the first.',
    'Writes a deployment report; the champion is unchanged when anything fails.',
  ].join('\n'),
  options: { force: { type: 'boolean', default: false }, incremental: { type: 'boolean', default: false } },
  async run(ctx) {
    const r = await cliJobs().runCycle({
      ctx: await ctx.project(),
      trigger: 'command',
      by: byCommand(ctx),
      force: !!ctx.values.force,
      incremental: !!ctx.values.incremental,
      backend: ctx.backend,
      signal: ctx.signal,
      onEvent: (e) => {
        if (e.type === 'log' || e.type === 'cycle') ctx.out.log(e.message);
        else if (e.type === 'epoch' && process.stderr.isTTY) ctx.out.progress('training', e.logs.epoch, e.epochs, `loss ${fmt(e.logs.loss)}`);
      },
    });
    ctx.out.endProgress();
    if (ctx.out.json) ctx.out.result({ cycle: r.cycle, trigger: r.trigger, decision: r.decision, champion: r.champion, challenger: r.challenger, reasons: r.reasons, gate: r.gate, report: r.report });
    else {
      ctx.out.text(`Cycle ${r.cycle}: ${r.decision}${r.challenger ? ` ${r.challenger}` : ''}; champion ${r.champion ?? 'none'}.`);
      for (const reason of r.reasons) ctx.out.text(`  ${reason}`);
      if (r.report) ctx.out.text(`Report: ${r.report}`);
    }
    return 0;
  },
};

export const watch: Command = {
  summary: 'run the loop: take in the inbox as lines arrive, retrain on the schedule',
  usage: [
    'Usage: mlloop watch [--poll SECONDS]',
    '',
    'Long-running (a service, a container): takes in .mlloop/inbox/*.jsonl as apps append to it,',
    'runs a full retrain on schedule.cron and a fine-tune every schedule.incremental.every new',
    'labels, each through the quality gate. Ctrl-C (or SIGTERM) stops it after the current step.',
  ].join('\n'),
  options: { poll: { type: 'string' } },
  async run(ctx) {
    const pollSeconds = ctx.values.poll !== undefined ? Number(ctx.values.poll) : 2;
    if (!(pollSeconds > 0)) throw new UserError('--poll takes a number of seconds above 0.');
    const project = await ctx.project();
    ctx.out.log(`Watching ${project.root} (schedule ${project.config.schedule.cron} ${project.config.schedule.timezone}; fine-tune every ${project.config.schedule.incremental.every} labels). Ctrl-C stops.`);
    const jobs = cliJobs();
    await jobs.watchProject({
      ctx: project,
      signal: ctx.signal,
      pollMs: pollSeconds * 1000,
      onEvent: (e) => {
        if (e.type === 'ingested') ctx.out.log(`ingested ${Object.entries(e.counts).map(([k, v]) => `${v} ${k}`).join(', ')}${e.rejected ? `; ${e.rejected} lines set aside` : ''}`);
        else if (e.type === 'cycle') ctx.out.log(`cycle ${e.result.cycle}: ${e.result.decision} ${e.result.challenger ?? ''} (champion ${e.result.champion ?? 'none'}): ${e.result.reasons[0] ?? ''}`);
        else if (e.type === 'cycle-failed') ctx.out.log(`a cycle failed; the champion keeps serving: ${e.message}`);
        else ctx.out.log(e.message);
      },
    });
    return 0;
  },
};

export const exportCmd: Command = {
  summary: 'write a model bundle to a folder (default: the champion)',
  usage: 'Usage: mlloop export [--version V] --out DIR\n\nWrites the bundle of V (default: the champion) into DIR, which must not exist or be empty. An app loads DIR with the runtime.',
  options: { version: { type: 'string' }, out: { type: 'string' } },
  async run(ctx) {
    const out = ctx.values.out as string | undefined;
    if (!out) throw new UserError(`export needs --out DIR.\n\n${exportCmd.usage}`);
    const p = await ctx.project();
    const model = await resolveModel(p.store, ctx.values.version as string | undefined);
    const dir = path.resolve(ctx.cwd, out);
    if (fs.existsSync(dir) && (!fs.statSync(dir).isDirectory() || fs.readdirSync(dir).length > 0)) {
      throw new UserError(`${dir} already exists and is not an empty folder; choose another --out (export never overwrites).`, { file: dir });
    }
    const files = model.digest ? await p.store.getModelFiles(model.version) : readBundleFolder(await ensureBundleOnDisk(p.store, p.paths, model));
    const digest = bundleDigest(files);
    if (fs.existsSync(dir)) fs.rmdirSync(dir);
    materializeBundle(dir, files, digest);
    if (ctx.out.json) ctx.out.result({ model: model.version, out: dir, files: files.map((f) => f.name), digest });
    else ctx.out.text(`Wrote ${model.version} to ${dir} (${files.length} files, sha256 ${digest.slice(0, 12)}…).`);
    return 0;
  },
};

export const importModel: Command = {
  summary: 'add a bundle folder to the registry as a new version',
  usage: [
    'Usage: mlloop import-model DIR',
    '',
    'Checks DIR as a bundle (every file there and readable, the network evaluable, the task',
    "and features those of this project) and records it as the next version. It does not become",
    'the champion: promote it with `mlloop promote`.',
  ].join('\n'),
  options: {},
  positionals: 'DIR',
  async run(ctx) {
    const src = ctx.positionals[0];
    if (!src || ctx.positionals.length > 1) throw new UserError(`import-model takes one folder.\n\n${importModel.usage}`);
    const dir = path.resolve(ctx.cwd, src);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UserError(`${dir} is not a folder: import-model takes a bundle folder (model.json, weights.bin, pipeline.json, labels.json, card.json).`, { file: dir });
    let bundle;
    try {
      bundle = await loadBundle(dir);
    } catch (e) {
      throw new UserError(`${dir} is not a usable bundle: ${(e as Error).message}`, { file: dir });
    }
    const p = await ctx.project();
    if (bundle.card.task !== p.config.task) throw new UserError(`${dir} holds a ${bundle.card.task} model; this project is ${p.config.task}.`, { file: dir });
    const missing = p.config.features.map((f) => f.name).filter((n) => !bundle.pipeline.features.some((f) => f.name === n));
    const files = readBundleFolder(dir);
    const at = p.clock.now().toISOString();
    const result = await p.store.unitOfWork(async (tx) => {
      const version = await nextModelVersion(tx, p.paths);
      // The card names the version it is in this registry; where it came from stays in it.
      const card = { ...bundle.card, version, importedFrom: { version: bundle.card.version, digest: bundleDigest(files), at } } as ModelCard & { importedFrom: unknown };
      const withCard = files.map((f) => (f.name === 'card.json' ? { name: f.name, bytes: new Uint8Array(Buffer.from(JSON.stringify(card, null, 2))) } : f));
      const digest = bundleDigest(withCard);
      const rel = path.relative(p.root, path.join(p.paths.modelsDir, version)).split(path.sep).join('/');
      await tx.addModel({ version, runId: 0, createdAt: at, task: bundle.card.task, metrics: bundle.card.metrics ?? {}, path: rel, digest }, withCard);
      await recordImport(tx, version, { by: byCommand(ctx), reasons: [`imported from ${dir} (its version there: ${bundle.card.version})`], at });
      return { version, files: withCard, digest };
    });
    materializeBundle(path.join(p.paths.modelsDir, result.version), result.files, result.digest);
    if (ctx.out.json) ctx.out.result({ model: result.version, from: dir, digest: result.digest, warnings: missing.length ? [`the bundle does not use the project's features ${missing.join(', ')}`] : [] });
    else {
      ctx.out.text(`Imported ${dir} as ${result.version}. Promote it with \`mlloop promote ${result.version}\`.`);
      if (missing.length) ctx.out.text(`warning: the bundle does not use the project's features ${missing.join(', ')}.`);
    }
    return 0;
  },
};

/** The champion line of `mlloop predict`/`evaluate` text output. */
export async function describeCurrent(ctx: CommandContext): Promise<string | undefined> {
  const p = await ctx.project();
  const c = await currentModel(p.store);
  if (!c) return undefined;
  return c.why === 'champion' ? `${c.model.version} (${CHAMPION})` : `${c.model.version} (newest; no champion yet)`;
}

export const LOOP_COMMANDS: Record<string, Command> = { models, promote, rollback: rollbackCmd, retrain, watch, export: exportCmd, 'import-model': importModel };

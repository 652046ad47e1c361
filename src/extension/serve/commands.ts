/**
 * The serving commands: Start Server / Stop Server (`mlloop serve` in a child process of this
 * window, see serverProcess.ts) and Start Experiment / Stop Experiment (core's startExperiment
 * and concludeExperiment in the job worker, as `mlloop experiment start|stop`).
 *
 * A server started elsewhere — a terminal's `mlloop serve`, a service, another window — is
 * shown on the dashboard from its record in the store. Stop Server stops it only when it runs
 * on this machine: after a modal confirmation naming its address and pid, it is sent SIGTERM by
 * that pid (its record is live, so the pid is its own: a record stops being live 30 s after its
 * last heartbeat, far sooner than pids are reused). One on another machine is not reachable
 * from here; the message says where it runs.
 *
 * Every command takes arguments, so the dashboard's buttons and the tests run it without
 * dialogs; confirmations go through Prompts (tests read and answer them).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExperimentConclusion } from '../../core/experiments/conclude';
import type { ExperimentRecord } from '../../core/store/types';
import { COMMAND_IDS } from '../commandIds';
import type { CommandDeps } from '../commands';
import { reportFailure, runWithProgress } from '../jobProgress';
import { extensionBy } from '../loop/watcher';
import { pickProjectRoot } from '../project';
import { ensureWorkspaceTrusted } from '../walkthrough/trustGuard';
import type { ServeInfo, ServerProcess } from './serverProcess';
import type { ServingState } from './servingState';
import { stopConsequence } from './servingView';

/** The confirmation's button of Stop Experiment. */
export const STOP_EXPERIMENT = 'Stop Experiment';
/** The confirmation's button of stopping a server this window did not start. */
export const STOP_OTHER_SERVER = 'Stop Server';

export interface ServingCommandDeps extends CommandDeps {
  server: ServerProcess;
  serving: ServingState;
}

export interface StartServerArgs {
  root?: string;
  /** --port (0: any free port). Default serve.port of mlloop.yaml. */
  port?: number;
  /** --host. Default serve.host. */
  host?: string;
}

export interface StopServerArgs {
  root?: string;
  /** Skip the confirmation for a server this window did not start (automation that already asked). */
  confirmed?: boolean;
}

export interface StopExperimentArgs {
  root?: string;
  /** Skip the modal confirmation. */
  confirmed?: boolean;
  /** Do not promote a winning challenger (`--keep-champion`). */
  keepChampion?: boolean;
}

async function projectRoot(deps: CommandDeps, root: string | undefined): Promise<string | undefined> {
  const r = root ?? (await pickProjectRoot(deps.state.root));
  if (!r) return undefined;
  if (deps.state.root !== r) await deps.state.setRoot(r);
  else await deps.state.refresh();
  if (deps.state.snapshot?.root !== r) {
    void vscode.window.showErrorMessage(`ML Loop: ${r} has no mlloop.yaml.`);
    return undefined;
  }
  return r;
}

async function startServer(deps: ServingCommandDeps, args: StartServerArgs): Promise<ServeInfo | undefined> {
  if (!ensureWorkspaceTrusted(COMMAND_IDS.startServer)) return undefined;
  const root = await projectRoot(deps, args.root);
  if (!root) return undefined;
  const st = deps.server.status;
  if (deps.server.active && st) {
    const where = st.state === 'running' ? ` on ${st.info.url}` : '';
    deps.prompts.notify('info', `ML Loop: this window's server is already ${st.state}${where} (${path.basename(st.root)}). Stop it first to start another.`, []);
    return undefined;
  }
  if (!deps.state.snapshot?.current) {
    deps.prompts.notify('info', 'ML Loop: there is no model to serve yet. Train one (or run Retrain Now) first.', []);
    return undefined;
  }
  const cliArgs = [...(args.port !== undefined ? ['--port', String(args.port)] : []), ...(args.host ? ['--host', args.host] : [])];
  deps.log.info(`serve ${root}${cliArgs.length ? ` ${cliArgs.join(' ')}` : ''}`);
  try {
    const info = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'ML Loop: starting the server' }, () => deps.server.start(root, cliArgs));
    deps.log.info(`serve: listening on ${info.url}, model ${info.model}${info.auth ? `, token in ${info.token_file}` : ', no token'}`);
    deps.prompts.notify(
      'info',
      `ML Loop: serving ${info.model} on ${info.url}${info.auth ? ` (bearer token in ${info.token_file === 'MLLOOP_SERVE_TOKEN' ? 'MLLOOP_SERVE_TOKEN' : path.relative(root, info.token_file ?? '') || info.token_file})` : ''}. It stops with Stop Server or when this window closes.`,
      ['Show Log'],
      () => deps.log.show(),
    );
    return info;
  } catch (e) {
    // The CLI's own words (no model, port in use, a bad serve: key) are the message.
    deps.log.error(`serve failed: ${(e as Error).message}`);
    deps.prompts.notify('error', `ML Loop: the server did not start: ${(e as Error).message}`, ['Show Log'], () => deps.log.show());
    return undefined;
  }
}

/** Waits until the store no longer records server `id` as running (it records its stop on the way out). */
async function recordGone(deps: ServingCommandDeps, id: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await deps.serving.refresh();
    if (!deps.serving.summary?.servers.some((s) => s.id === id)) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

async function stopServer(deps: ServingCommandDeps, args: StopServerArgs): Promise<boolean> {
  const root = args.root ?? deps.server.status?.root ?? (await pickProjectRoot(deps.state.root));
  if (!root) return false;
  const st = deps.server.status;
  if (deps.server.active && st?.root === root) {
    deps.log.info(`serve: stopping (SIGTERM to pid ${st.state !== 'stopped' ? (st.pid ?? '?') : '?'})`);
    await deps.server.stop();
    const after = deps.server.status;
    const message = after?.state === 'stopped' ? after.message : 'exited';
    deps.prompts.notify('info', `ML Loop: the server stopped: ${message}`, []);
    return true;
  }
  // Not this window's: what does the store say runs?
  if (deps.state.root !== root) await deps.state.setRoot(root);
  await deps.serving.refresh();
  const live = (deps.serving.summary?.servers ?? []).filter((s) => s.live);
  if (live.length === 0) {
    deps.prompts.notify('info', 'ML Loop: no server of this project is running (none has a recent heartbeat in the store).', []);
    return false;
  }
  const here = os.hostname();
  const local = live.find((s) => s.host === here);
  if (!local) {
    const s = live[0];
    deps.prompts.notify('info', `ML Loop: the server on ${s.url} was not started by this window; it runs on ${s.host} (pid ${s.pid}). Stop it there (Ctrl-C, or SIGTERM to its process).`, []);
    return false;
  }
  if (!ensureWorkspaceTrusted(COMMAND_IDS.stopServer)) return false;
  if (!args.confirmed) {
    const answer = await deps.prompts.show(
      'warning',
      `Stop the server on ${local.url}? It was not started by this window.`,
      {
        modal: true,
        detail: `It runs on this machine as process ${local.pid} (started ${new Date(local.startedAt).toLocaleString()}), serving ${local.stats.model}. It is sent SIGTERM: it finishes the requests in flight and writes every served prediction before it exits. Apps calling it get errors until a server runs again.`,
      },
      STOP_OTHER_SERVER,
    );
    if (answer !== STOP_OTHER_SERVER) return false;
  }
  try {
    process.kill(local.pid, 'SIGTERM');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    deps.prompts.notify('error', `ML Loop: could not stop process ${local.pid}: ${code === 'ESRCH' ? 'it is not running (its record will turn stale)' : code === 'EPERM' ? 'it belongs to another user' : (e as Error).message}.`, []);
    return false;
  }
  deps.log.info(`serve: sent SIGTERM to pid ${local.pid} (${local.url})`);
  const gone = await recordGone(deps, local.id, 30_000);
  deps.prompts.notify(gone ? 'info' : 'warning', gone ? `ML Loop: the server on ${local.url} stopped.` : `ML Loop: the server on ${local.url} (pid ${local.pid}) was asked to stop but still has not recorded its stop after 30 s.`, []);
  return gone;
}

async function startExperiment(deps: ServingCommandDeps, args: { root?: string }): Promise<ExperimentRecord | undefined> {
  if (!ensureWorkspaceTrusted(COMMAND_IDS.startExperiment)) return undefined;
  const root = await projectRoot(deps, args.root);
  if (!root) return undefined;
  const configured = deps.state.snapshot?.config?.experiment;
  if (!configured) {
    deps.prompts.notify('info', "ML Loop: mlloop.yaml has no experiment. Add an `experiment:` (name, variants and their weights), then start it; `mlloop serve` also starts it on its own.", []);
    return undefined;
  }
  const r = await runWithProgress(deps, `starting experiment ${configured.name}`, { kind: 'experimentStart', root, by: extensionBy() }, () => undefined);
  if (!r) return undefined;
  deps.log.info(`experiment ${r.name}: runs since ${r.startedAt} (started by ${r.startedBy})`);
  deps.prompts.notify('info', `ML Loop: experiment '${r.name}' runs since ${new Date(r.startedAt).toLocaleString()}.`, []);
  void deps.serving.refresh();
  return r;
}

async function stopExperiment(deps: ServingCommandDeps, args: StopExperimentArgs): Promise<ExperimentConclusion | undefined> {
  if (!ensureWorkspaceTrusted(COMMAND_IDS.stopExperiment)) return undefined;
  const root = await projectRoot(deps, args.root);
  if (!root) return undefined;
  const configured = deps.state.snapshot?.config?.experiment;
  if (!configured) {
    deps.prompts.notify('info', 'ML Loop: mlloop.yaml has no experiment to stop.', []);
    return undefined;
  }
  // Read fresh: the confirmation must name what will really happen.
  await deps.serving.refresh();
  const summary = deps.serving.summary;
  const report = summary?.experiment;
  if (!report) {
    deps.prompts.notify('error', `ML Loop: the experiment '${configured.name}' cannot be read${summary?.experimentError ? `: ${summary.experimentError}` : ' (no store yet)'}.`, []);
    return undefined;
  }
  if (report.status === 'stopped') {
    deps.prompts.notify('info', `ML Loop: experiment '${report.experiment}' is already stopped (at ${report.stoppedAt}, by ${report.stoppedBy}).`, []);
    return undefined;
  }
  const champion = deps.state.snapshot?.registry.champion?.version ?? null;
  if (!args.confirmed) {
    const arms = report.variants.map((a) => `${a.name}: n ${a.n}${a.mean !== null ? `, mean ${report.outcome === 'rate' ? `${(a.mean * 100).toFixed(1)}%` : a.mean.toPrecision(4)}` : ''}`).join('; ');
    const consequence = args.keepChampion && report.winner === 'challenger' ? `The challenger ${configured.challenger} won; it is not promoted (keep champion).` : stopConsequence(report, configured.challenger, champion);
    const answer = await deps.prompts.show(
      'warning',
      `Stop experiment '${report.experiment}'? ${consequence}`,
      {
        modal: true,
        detail: `Decision now: ${report.decision.replace('_', ' ')}${report.winner ? ` (${report.winner})` : ''}. ${report.reasons[0] ?? ''}\n\n${arms}.\n\nThe final analysis is recorded and servers send everyone to the champion within their poll interval. A stopped experiment cannot be restarted under the same name.`,
      },
      STOP_EXPERIMENT,
    );
    if (answer !== STOP_EXPERIMENT) return undefined;
  }
  const r = await runWithProgress(deps, `stopping experiment ${report.experiment}`, { kind: 'experimentStop', root, by: extensionBy(), ...(args.keepChampion ? { promote: false } : {}) }, () => undefined);
  if (!r) return undefined;
  deps.log.info(`experiment ${r.report.experiment} stopped: ${r.report.decision}${r.report.winner ? ` (${r.report.winner})` : ''}. ${r.note}`);
  for (const reason of r.promotion?.reasons ?? []) deps.log.info(`  gate: ${reason}`);
  const rejected = r.promotion && r.promotion.decision === 'rejected';
  deps.prompts.notify(rejected ? 'warning' : 'info', `ML Loop: experiment '${r.report.experiment}' stopped. ${r.note}`, []);
  void deps.serving.refresh();
  return r;
}

export function registerServingCommands(deps: ServingCommandDeps): vscode.Disposable[] {
  const guard =
    <A, R>(what: string, fn: (args: A) => Promise<R | undefined>) =>
    async (args?: A): Promise<R | undefined> => {
      try {
        return await fn((args ?? {}) as A);
      } catch (e) {
        reportFailure(deps.log, what, e);
        return undefined;
      }
    };
  return [
    vscode.commands.registerCommand(COMMAND_IDS.startServer, guard('start the server', (a: StartServerArgs) => startServer(deps, a))),
    vscode.commands.registerCommand(COMMAND_IDS.stopServer, guard('stop the server', (a: StopServerArgs) => stopServer(deps, a))),
    vscode.commands.registerCommand(COMMAND_IDS.startExperiment, guard('start the experiment', (a: { root?: string }) => startExperiment(deps, a))),
    vscode.commands.registerCommand(COMMAND_IDS.stopExperiment, guard('stop the experiment', (a: StopExperimentArgs) => stopExperiment(deps, a))),
  ];
}

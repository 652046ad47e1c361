/**
 * The loop's commands: Retrain Now (one cycle), Ingest Inbox, Promote…, Roll Back…, Open
 * Deployment Report, Show History. Whatever scores, trains or writes runs in the job worker
 * (promote runs the quality gate there); this thread asks, confirms and shows the outcome.
 *
 * Each command takes arguments so trees, the dashboard and tests run it without dialogs:
 * tree menus pass the clicked element (a version string for models, `cycle:<id>` for cycles,
 * `event:<id>` for history entries); code passes an object. Questions go through Prompts, so
 * the VS Code tests can read what was asked and answer it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CycleResult } from '../../core/loop/cycle';
import type { PromoteResult } from '../../core/loop/promote';
import type { CycleRecord, RegistryEvent } from '../../core/store/types';
import type { InboxIngestReport } from '../../worker/protocol';
import { COMMAND_IDS } from '../commandIds';
import { backendSetting, type CommandDeps } from '../commands';
import { runWithProgress } from '../jobProgress';
import { pickProjectRoot } from '../project';
import type { ProjectSnapshot } from '../state/projectState';
import { formatTimestamp } from '../../../webview/shared/format';
import { relativeTime } from '../../../webview/dashboard/format';
import { ensureWorkspaceTrusted, vscodeTrustEnvironment } from '../walkthrough/trustGuard';
import { allowedInWorkspace } from '../walkthrough/workspaceTrust';
import { championInfo, cycleOutcomeText, eventTitle, historyNewestFirst, rollbackTarget, triggerLabel, versionStatus } from './loopView';
import { CycleNotifier } from './notifier';
import { DeploymentReportPanels } from './reportPanel';
import { extensionBy } from './watcher';

/** Button of a gate rejection that forces the promotion (after a modal confirmation). */
export const PROMOTE_ANYWAY = 'Promote anyway (forced)';
/** The confirmation's button of a forced promotion. */
export const FORCE_PROMOTION = 'Force Promotion';
/** The confirmation's button of a rollback. */
export const ROLL_BACK = 'Roll Back';

export interface RetrainArgs {
  root?: string;
  /** Run even with too few new labels. */
  force?: boolean;
  /** Fine-tune the champion instead of training from scratch. */
  incremental?: boolean;
}

export interface PromoteArgs {
  root?: string;
  version?: string;
  /** Skip the gate (recorded as forced). */
  force?: boolean;
  /** With force: skip the modal confirmation (automation that already asked). */
  confirmed?: boolean;
}

export interface RollBackArgs {
  root?: string;
  /** The version to go back to; default the previous champion. */
  to?: string;
  /** Skip the modal confirmation. */
  confirmed?: boolean;
}

export interface OpenReportArgs {
  root?: string;
  cycle?: number;
}

export interface LoopCommandDeps extends CommandDeps {
  notifier: CycleNotifier;
  reports: DeploymentReportPanels;
  /** Whether this build can take in the inbox (core's ingestInbox exists). */
  canIngest: boolean;
}

/** The snapshot of `root` (refreshed now), or undefined when it is not a project. */
async function snapshotOf(deps: CommandDeps, root: string): Promise<ProjectSnapshot | undefined> {
  if (deps.state.root !== root) await deps.state.setRoot(root);
  else await deps.state.refresh();
  return deps.state.snapshot?.root === root ? deps.state.snapshot : undefined;
}

/** The cycle id a tree element or argument names: 7, "7", "cycle:7", {cycle: 7}. */
export function cycleIdOf(arg: unknown): number | undefined {
  const v = arg !== null && typeof arg === 'object' ? (arg as { cycle?: unknown }).cycle : arg;
  const text = typeof v === 'string' ? v.replace(/^cycle:/, '') : v;
  const n = typeof text === 'string' && text.trim() !== '' ? Number(text) : text;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** Opens a cycle's deployment report in VS Code. @returns the report's file, or undefined (told why). */
export async function openDeploymentReport(deps: LoopCommandDeps, root: string, cycleId: number | undefined): Promise<string | undefined> {
  const snapshot = await snapshotOf(deps, root);
  const withReports = (snapshot?.cycles ?? []).filter((c) => c.report);
  let cycle: CycleRecord | undefined;
  if (cycleId === undefined) {
    if (withReports.length === 0) {
      void vscode.window.showInformationMessage('ML Loop: no cycle has written a deployment report yet. Retrain Now runs a cycle.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      withReports.map((c) => ({ label: `Cycle ${c.id}`, description: `${cycleOutcomeText(c)} · ${triggerLabel(c.trigger)} · ${relativeTime(c.startedAt)}`, detail: c.reasons[0], cycle: c })),
      { placeHolder: 'Open the deployment report of which cycle?' },
    );
    cycle = picked?.cycle;
    if (!cycle) return undefined;
  } else {
    cycle = snapshot?.cycles.find((c) => c.id === cycleId);
    if (!cycle) {
      void vscode.window.showErrorMessage(`ML Loop: there is no cycle ${cycleId} in this project.`);
      return undefined;
    }
  }
  if (!cycle.report) {
    void vscode.window.showInformationMessage(`ML Loop: cycle ${cycle.id} wrote no deployment report (${cycleOutcomeText(cycle)}: ${cycle.reasons[0] ?? 'no reason recorded'}).`);
    return undefined;
  }
  try {
    deps.reports.show(cycle.report, `Cycle ${cycle.id}: ${cycleOutcomeText(cycle)}`);
  } catch (e) {
    void vscode.window.showErrorMessage(`ML Loop: the deployment report of cycle ${cycle.id} cannot be read (${cycle.report}): ${(e as Error).message}`);
    return undefined;
  }
  return cycle.report;
}

function logCycle(deps: CommandDeps, r: CycleResult): void {
  deps.log.info(`cycle ${r.cycle} (${r.trigger}): ${r.decision}${r.challenger ? ` ${r.challenger}` : ''}; champion ${r.champion ?? 'none'}`);
  if (r.report) deps.log.info(`  report: ${r.report}`);
}

async function retrain(deps: LoopCommandDeps, args: RetrainArgs): Promise<CycleResult | undefined> {
  if (!ensureWorkspaceTrusted(COMMAND_IDS.retrain)) return undefined;
  const root = args.root ?? (await pickProjectRoot(deps.state.root));
  if (!root) return undefined;
  deps.log.info(`retrain ${root}${args.force ? ' (forced)' : ''}${args.incremental ? ' (fine-tuning the champion)' : ''}`);
  let lastEpoch = 0;
  const result = await runWithProgress(
    deps,
    'retraining',
    { kind: 'retrain', root, by: extensionBy(), backend: backendSetting(), ...(args.force ? { force: true } : {}), ...(args.incremental ? { incremental: true } : {}) },
    (e, progress) => {
      if (e.type === 'log' || e.type === 'cycle') {
        deps.log.info(e.message);
        if (e.type === 'cycle') progress.report({ message: e.message.replace(/^cycle \d+: /, '') });
      } else if (e.type === 'epoch') {
        progress.report({ message: `training the challenger: epoch ${e.logs.epoch}/${e.epochs}`, increment: ((e.logs.epoch - lastEpoch) / e.epochs) * 100 });
        lastEpoch = e.logs.epoch;
      }
    },
  );
  if (!result) return undefined;
  logCycle(deps, result);
  deps.notifier.cycleFinished(root, result, { offerRetrain: true });
  return result;
}

async function ingestInbox(deps: LoopCommandDeps, args: { root?: string }): Promise<InboxIngestReport | undefined> {
  // Not in TRUST_REQUIRED_ACTIONS while the command is not contributed (see registerLoopCommands).
  if (!allowedInWorkspace('Taking in the inbox', vscodeTrustEnvironment())) return undefined;
  const root = args.root ?? (await pickProjectRoot(deps.state.root));
  if (!root) return undefined;
  const r = await runWithProgress(deps, 'taking in the inbox', { kind: 'ingest', root }, () => undefined);
  if (!r) return undefined;
  const counts = Object.entries(r.ingested).map(([k, v]) => `${v} ${k}`).join(', ');
  deps.log.info(`inbox: took in ${counts}; ${r.rejectedTotal} lines set aside`);
  for (const x of r.rejected.slice(0, 200)) deps.log.info(`  set aside ${x.file}:${x.line}: ${x.reason}`);
  const text = `ML Loop: took in ${counts} from .mlloop/inbox${r.rejectedTotal ? `; ${r.rejectedTotal} line${r.rejectedTotal === 1 ? '' : 's'} set aside (the log says why)` : ''}.`;
  deps.prompts.notify(r.rejectedTotal ? 'warning' : 'info', text, r.rejectedTotal ? ['Show Log'] : [], () => deps.log.show());
  return r;
}

/** The version to promote: the argument, else a pick among the versions that are not the champion. */
async function pickVersionToPromote(snapshot: ProjectSnapshot): Promise<string | undefined> {
  const candidates = snapshot.models.filter((m) => m.version !== snapshot.registry.champion?.version);
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(snapshot.models.length ? `ML Loop: ${snapshot.models[0].version} is the only model and already the champion.` : 'ML Loop: this project has no models yet; train one or run Retrain Now.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((m) => {
      const st = versionStatus(m.version, snapshot.registry, snapshot.current?.version);
      const role = st.role === 'newest' ? 'newest (serving, not promoted)' : st.role === 'former' ? 'archived, former champion' : st.role === 'rejected' ? 'rejected by the gate' : '';
      return { label: m.version, description: [role, formatTimestamp(m.createdAt)].filter(Boolean).join(' · '), version: m.version };
    }),
    { placeHolder: `Promote which version? The gate compares it with ${snapshot.registry.champion?.version ?? 'the floors (there is no champion yet)'}.` },
  );
  return picked?.version;
}

async function confirmForce(deps: LoopCommandDeps, version: string, champion: string | null, gateReasons: string[] | null): Promise<boolean> {
  const detail = [
    gateReasons?.length ? `The quality gate rejected ${version}:\n${gateReasons.map((r) => `• ${r}`).join('\n')}` : 'The quality gate is skipped.',
    `A forced promotion is recorded in the history as forced, with the gate's numbers it overrode. ${champion ? `Roll Back puts ${champion} back.` : ''}`.trim(),
  ].join('\n\n');
  const answer = await deps.prompts.show('warning', `Force ${version} to be the champion${champion ? ` instead of ${champion}` : ''}?`, { modal: true, detail }, FORCE_PROMOTION);
  return answer === FORCE_PROMOTION;
}

async function runPromote(deps: LoopCommandDeps, root: string, version: string, force: boolean): Promise<PromoteResult | undefined> {
  deps.log.info(`promote ${version}${force ? ' (forced)' : ''} in ${root}`);
  const r = await runWithProgress(deps, force ? `forcing ${version}` : `promoting ${version} (running the quality gate)`, { kind: 'promote', root, version, by: extensionBy(), ...(force ? { force: true } : {}) }, () => undefined);
  if (!r) return undefined;
  deps.log.info(`promote ${version}: ${r.decision}; champion ${r.champion ?? 'none'}`);
  for (const reason of r.reasons) deps.log.info(`  ${reason}`);
  return r;
}

async function promote(deps: LoopCommandDeps, target: unknown): Promise<PromoteResult | undefined> {
  if (!ensureWorkspaceTrusted(COMMAND_IDS.promote)) return undefined;
  const args: PromoteArgs = typeof target === 'string' ? { version: target } : ((target as PromoteArgs | undefined) ?? {});
  const root = args.root ?? (await pickProjectRoot(deps.state.root));
  if (!root) return undefined;
  const snapshot = await snapshotOf(deps, root);
  if (!snapshot) return undefined;
  const version = args.version ?? (await pickVersionToPromote(snapshot));
  if (!version) return undefined;
  const champion = snapshot.registry.champion?.version ?? null;
  if (args.force && !args.confirmed && !(await confirmForce(deps, version, champion, null))) return undefined;
  const r = await runPromote(deps, root, version, args.force === true);
  if (!r) return undefined;
  if (r.decision === 'unchanged') deps.prompts.notify('info', `ML Loop: ${version} already is the champion.`, []);
  else if (r.decision === 'promoted' || r.decision === 'forced') {
    deps.prompts.notify('info', `ML Loop: ${version} is the champion${r.previous ? ` (was ${r.previous})` : ''}${r.decision === 'forced' ? ', forced past the gate' : ''}. ${r.reasons[0] ?? ''}`.trim(), []);
  } else {
    // The decision and every reason; the button forces it after a modal confirmation. Not
    // awaited: whoever ran the command gets the gate's decision at once.
    const message = `ML Loop: the quality gate rejected ${version}; ${r.champion ?? 'no model'} stays the champion. ${r.reasons.join(' ')}`;
    deps.prompts.notify('warning', message, [PROMOTE_ANYWAY], () => {
      void (async () => {
        if (await confirmForce(deps, version, r.champion, r.reasons)) {
          const forced = await runPromote(deps, root, version, true);
          if (forced && forced.decision === 'forced') deps.prompts.notify('info', `ML Loop: ${version} is the champion${forced.previous ? ` (was ${forced.previous})` : ''}, forced past the gate.`, []);
        }
      })();
    });
  }
  return r;
}

async function rollBack(deps: LoopCommandDeps, target: unknown): Promise<RegistryEvent | undefined> {
  if (!ensureWorkspaceTrusted(COMMAND_IDS.rollBack)) return undefined;
  const args: RollBackArgs = typeof target === 'string' ? { to: target } : ((target as RollBackArgs | undefined) ?? {});
  const root = args.root ?? (await pickProjectRoot(deps.state.root));
  if (!root) return undefined;
  if (deps.state.root !== root) await deps.state.setRoot(root);
  // Read fresh: the confirmation must name what will really happen.
  const registry = await deps.state.registry();
  const from = registry?.champion?.version;
  if (!registry || !from) {
    void vscode.window.showInformationMessage('ML Loop: there is no champion to roll back: nothing has been promoted yet.');
    return undefined;
  }
  // A tree's champion item means "roll back from here" (to the previous champion).
  const to = args.to && args.to !== from ? args.to : rollbackTarget(registry);
  if (!to) {
    void vscode.window.showInformationMessage(`ML Loop: ${from} is the only champion there has been; there is nothing to roll back to. Promote another version instead.`);
    return undefined;
  }
  if (!args.confirmed) {
    const since = championInfo(registry);
    const answer = await deps.prompts.show(
      'warning',
      `Roll back the champion from ${from} to ${to}?`,
      {
        modal: true,
        detail: `${to} becomes the champion again: predict, evaluate, the dashboard and apps that load the champion use it. ${from}${since ? ` (champion since ${formatTimestamp(since.since)})` : ''} stays in the registry, archived. The history records the rollback.`,
      },
      ROLL_BACK,
    );
    if (answer !== ROLL_BACK) return undefined;
  }
  const event = await runWithProgress(deps, `rolling back to ${to}`, { kind: 'rollback', root, by: extensionBy(), to }, () => undefined);
  if (!event) return undefined;
  deps.log.info(`rollback: ${event.version} is the champion again (was ${event.previous})`);
  deps.prompts.notify('info', `ML Loop: ${event.version} is the champion again (was ${event.previous}).`, []);
  return event;
}

/** A quick pick of the history, newest first; picking an entry of a cycle opens its report. */
async function showHistory(deps: LoopCommandDeps, rootArg?: string): Promise<RegistryEvent | undefined> {
  const root = rootArg ?? (await pickProjectRoot(deps.state.root));
  if (!root) return undefined;
  const snapshot = await snapshotOf(deps, root);
  const events = snapshot ? historyNewestFirst(snapshot.registry) : [];
  if (!snapshot || events.length === 0) {
    void vscode.window.showInformationMessage('ML Loop: the registry has no history yet: nothing has been promoted, rejected or rolled back.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    events.map((e) => ({ label: eventTitle(e), description: `${formatTimestamp(e.at)} · by ${e.by}`, detail: e.reasons[0], event: e })),
    { placeHolder: `History of ${snapshot.name}'s champion (newest first)`, matchOnDetail: true },
  );
  if (!picked) return undefined;
  if (picked.event.cycle !== null && snapshot.cycles.some((c) => c.id === picked.event.cycle && c.report)) await openDeploymentReport(deps, root, picked.event.cycle);
  return picked.event;
}

export function registerLoopCommands(deps: LoopCommandDeps): vscode.Disposable[] {
  const disposables = [
    vscode.commands.registerCommand(COMMAND_IDS.retrain, (args?: RetrainArgs) => retrain(deps, args ?? {})),
    vscode.commands.registerCommand(COMMAND_IDS.promote, (target?: string | PromoteArgs) => promote(deps, target)),
    vscode.commands.registerCommand(COMMAND_IDS.rollBack, (target?: string | RollBackArgs) => rollBack(deps, target)),
    vscode.commands.registerCommand(COMMAND_IDS.openDeploymentReport, async (target?: unknown, rootArg?: unknown): Promise<string | undefined> => {
      const root = (target as OpenReportArgs | undefined)?.root ?? (typeof rootArg === 'string' ? rootArg : undefined) ?? (await pickProjectRoot(deps.state.root));
      if (!root) return undefined;
      return openDeploymentReport(deps, root, cycleIdOf(target));
    }),
    vscode.commands.registerCommand(COMMAND_IDS.showHistory, (rootArg?: unknown) => showHistory(deps, typeof rootArg === 'string' ? rootArg : undefined)),
  ];
  if (deps.canIngest) disposables.push(vscode.commands.registerCommand(COMMAND_IDS.ingestInbox, (args?: { root?: string }) => ingestInbox(deps, args ?? {})));
  return disposables;
}

/** The report a history entry or a cycle belongs to (for trees' click commands). */
export function reportPathOf(snapshot: ProjectSnapshot | undefined, cycleId: number | null): string | undefined {
  if (cycleId === null) return undefined;
  const c = snapshot?.cycles.find((x) => x.id === cycleId);
  return c?.report ? path.resolve(snapshot!.root, c.report) : undefined;
}

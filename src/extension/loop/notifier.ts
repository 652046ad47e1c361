/**
 * One notification per promotion or rejection, with a button that opens the cycle's
 * deployment report — whoever ran the cycle: the Retrain command, this window's watcher, or
 * another process on the same store (`mlloop retrain` from cron, `mlloop watch` on a server),
 * which the project state's refreshes reveal. Each cycle is announced once per window.
 */
import * as vscode from 'vscode';
import type { CycleRecord } from '../../core/store/types';
import type { Log } from '../log';
import type { Prompts } from '../prompts';
import type { ProjectSnapshot, ProjectState } from '../state/projectState';

/** What a notification needs of a cycle (a CycleResult from a job, or a CycleRecord from the store). */
export interface FinishedCycle {
  cycle: number;
  decision: 'promoted' | 'rejected' | 'skipped';
  champion: string | null;
  challenger: string | null;
  reasons: string[];
  report: string | null;
}

export const OPEN_REPORT = 'Open Report';
export const RETRAIN_ANYWAY = 'Retrain Anyway';

export interface CycleNotifierDeps {
  prompts: Prompts;
  log: Log;
  state: ProjectState;
  openReport: (root: string, cycle: number) => void;
  retrainAnyway: (root: string) => void;
}

/** The text of a cycle's notification (the first reason carries the gate's verdict). */
export function cycleMessage(c: FinishedCycle): string {
  const why = c.reasons[0] ? `: ${c.reasons[0]}` : '.';
  if (c.decision === 'promoted') return `ML Loop: cycle ${c.cycle} promoted ${c.challenger} to champion${why}`;
  if (c.decision === 'rejected') return `ML Loop: cycle ${c.cycle} rejected ${c.challenger}; ${c.champion ?? 'no model'} stays the champion${why}`;
  return `ML Loop: cycle ${c.cycle} skipped${why}`;
}

export class CycleNotifier implements vscode.Disposable {
  /** `${root}\0${cycle}` of every cycle announced. */
  private readonly announced = new Set<string>();
  /** Per project: the newest cycle id when this window first read it (older ones are not news). */
  private readonly baseline = new Map<string, number>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly deps: CycleNotifierDeps) {
    this.subscription = deps.state.onDidChange((s) => this.fromSnapshot(s));
  }

  /**
   * Announces a cycle this window ran (or saw finish). Skipped cycles are announced only when
   * `offerRetrain` (the user asked for this one), with a button that runs it anyway.
   */
  cycleFinished(root: string, c: FinishedCycle, opts: { offerRetrain?: boolean } = {}): void {
    const key = `${root}\u0000${c.cycle}`;
    if (this.announced.has(key)) return;
    if (c.decision === 'skipped' && !opts.offerRetrain) return;
    this.announced.add(key);
    const message = cycleMessage(c);
    this.deps.log.info(message.replace(/^ML Loop: /, ''));
    for (const r of c.reasons.slice(1)) this.deps.log.info(`  ${r}`);
    if (c.decision === 'skipped') {
      this.deps.prompts.notify('info', message, [RETRAIN_ANYWAY], () => this.deps.retrainAnyway(root));
      return;
    }
    const items = c.report ? [OPEN_REPORT] : [];
    this.deps.prompts.notify(c.decision === 'promoted' ? 'info' : 'warning', message, items, () => this.deps.openReport(root, c.cycle));
  }

  private fromSnapshot(s: ProjectSnapshot | undefined): void {
    if (!s) return;
    const decided = s.cycles.filter((c): c is CycleRecord & { decision: 'promoted' | 'rejected' } => c.status === 'completed' && (c.decision === 'promoted' || c.decision === 'rejected'));
    const newest = s.cycles.reduce((m, c) => Math.max(m, c.id), 0);
    const base = this.baseline.get(s.root);
    if (base === undefined) {
      this.baseline.set(s.root, newest);
      return;
    }
    for (const c of [...decided].reverse()) {
      if (c.id <= base) continue;
      this.cycleFinished(s.root, { cycle: c.id, decision: c.decision, champion: c.champion, challenger: c.challenger, reasons: c.reasons, report: c.report });
    }
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

/**
 * What the dashboard's server and experiment cards show, kept fresh: the store's server
 * records and the experiment's report (read in the store worker, never on this thread), and
 * this window's server process.
 *
 * When it reads: after a project refresh (the store file changed: a heartbeat, outcomes
 * arriving) — at most once per {@link CHANGE_GAP_MS} —, at once when this window's server
 * changes state, and every {@link POLL_MS} while a server is live in the store or running here —
 * a PostgreSQL store has no file to watch, and a server that stops beating changes nothing on
 * disk, yet its card must turn stale.
 */
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { ServingSummary } from '../../worker/storeProtocol';
import type { ExperimentCardView, ServerCardView } from '../../../webview/dashboard/protocol';
import { coalesced } from '../state/coalesce';
import type { ProjectState } from '../state/projectState';
import type { ServerProcess } from './serverProcess';
import { experimentCardView, serverCardView, type LocalServer } from './servingView';

/** How often the records are read again while a server is about (servers beat every 5 s). */
export const POLL_MS = 5000;

/**
 * Store changes are read at most this often. A live server commits its prediction log every
 * 200 ms (serve.flushInterval), each commit refreshes the project, and each read here runs the
 * experiment's report over its whole log in the store worker, ahead of every other view's reads.
 */
export const CHANGE_GAP_MS = 2000;

export class ServingState implements vscode.Disposable {
  private latest: { root: string; summary: ServingSummary } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private changeTimer: NodeJS.Timeout | undefined;
  private lastReadAt = 0;
  private readonly read = coalesced(() => this.load());
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Fires after each read that may have changed the cards. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly state: ProjectState,
    private readonly server: ServerProcess,
  ) {
    this.disposables.push(
      state.onDidChange(() => this.storeChanged()),
      server.onDidChange(() => {
        // The card follows the process at once ("starting", "stopped"), then the store.
        this.changed.fire();
        void this.refresh();
      }),
      this.changed,
    );
  }

  /** The last summary read for the project the views show (undefined: none yet, or another project's). */
  get summary(): ServingSummary | undefined {
    return this.latest && this.latest.root === this.state.snapshot?.root ? this.latest.summary : undefined;
  }

  /** Reads again now (coalesced: see ../state/coalesce.ts). */
  refresh(): Promise<void> {
    return this.read();
  }

  /** A project refresh: read now, or once {@link CHANGE_GAP_MS} after the last read began. */
  private storeChanged(): void {
    if (this.changeTimer) return;
    const wait = this.lastReadAt + CHANGE_GAP_MS - Date.now();
    if (wait <= 0) {
      void this.refresh();
      return;
    }
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined;
      void this.refresh();
    }, wait);
  }

  private async load(): Promise<void> {
    this.lastReadAt = Date.now();
    try {
      const root = this.state.snapshot?.root;
      const summary = await this.state.serving().catch(() => undefined);
      if (root && summary && root === this.state.snapshot?.root) this.latest = { root, summary };
      else if (!summary && root === this.state.snapshot?.root) this.latest = undefined;
      this.changed.fire();
    } finally {
      this.schedule();
    }
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // A live record keeps the poll going until it turns stale (that read shows it); a stale one
    // alone does not, or a killed server's leftover record would make the views read forever.
    const about = this.server.active || (this.summary?.servers.some((s) => s.live) ?? false);
    if (about) this.timer = setTimeout(() => void this.refresh(), POLL_MS);
  }

  /** The two cards for the dashboard. */
  cards(): { server: ServerCardView; experiment: ExperimentCardView | null } {
    const snapshot = this.state.snapshot;
    const st = this.server.status;
    // Only this project's server counts as "this window's" on this project's card.
    const local: LocalServer | undefined =
      !st || st.root !== snapshot?.root
        ? undefined
        : st.state === 'starting'
          ? { state: 'starting', pid: st.pid }
          : st.state === 'stopped'
            ? { state: 'stopped', message: st.message, at: st.at }
            : { state: st.state, pid: st.pid, url: st.info?.url ?? null, model: st.info?.model ?? null, startedAt: st.state === 'running' ? st.startedAt : null };
    const summary = this.summary;
    const configured = snapshot?.config?.experiment ?? null;
    const server = serverCardView(local, summary?.servers ?? [], os.hostname(), snapshot?.current !== undefined);
    // Another project's server running in this window blocks a second one: Start says so.
    if (this.server.active && st?.root !== snapshot?.root) server.canStart = false;
    return { server, experiment: experimentCardView(summary?.experiment ?? null, summary?.experimentError ?? null, configured) };
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.changeTimer) clearTimeout(this.changeTimer);
    for (const d of this.disposables) d.dispose();
  }
}

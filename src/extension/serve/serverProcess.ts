/**
 * `mlloop serve` run by this window: the bundled CLI (dist/cli.js) in a child process of its
 * own, not a worker thread, because a server must outlive nothing and share nothing with the
 * editor — a crash or a busy request loop in it never touches the extension host, and its
 * SIGTERM shutdown (finish the requests in flight, write every served prediction) is the one
 * the CLI already has.
 *
 * Which Node: the extension host's own executable (process.execPath) with
 * ELECTRON_RUN_AS_NODE=1, the same runtime the job and store workers run in. In the desktop
 * app that executable is Electron, which the variable turns into plain Node; in the VS Code
 * server (remote, Codespaces, the tests' tier) it is already Node and the variable is ignored.
 *
 * The child's first stdout line (`--json`) is `{"url", "host", "port", "model", "auth",
 * "token_file"}`; its stderr (the server's log) goes to the ML Loop output channel line by
 * line. Stop sends SIGTERM and waits for the exit, so the log is flushed; a window that closes
 * disposes this object, which sends SIGTERM too (and SIGKILL only if it is still running
 * {@link KILL_AFTER_MS} later while the host is still alive).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';

/** How long a stopping server gets before SIGKILL: its own shutdown retries a failing store for 15 s. */
export const KILL_AFTER_MS = 30_000;

/** How long the child may take to print its address (loading the model, opening the store). */
const START_TIMEOUT_MS = 60_000;

/** What `mlloop serve --json` prints once listening. */
export interface ServeInfo {
  url: string;
  host: string;
  port: number;
  model: string;
  auth: boolean;
  token_file: string | null;
}

export type ServerProcessStatus =
  | { state: 'starting'; root: string; pid: number | null }
  | { state: 'running'; root: string; pid: number; info: ServeInfo; startedAt: string }
  | { state: 'stopping'; root: string; pid: number; info: ServeInfo | null }
  | { state: 'stopped'; root: string; message: string; at: string };

export interface ServerProcessDeps {
  /** dist/cli.js of this extension. */
  cliScript: string;
  /** Where the server's log lines go (the ML Loop output channel). */
  log: (line: string) => void;
  /** The runtime to start the CLI with; default the extension host's (see the file comment). */
  execPath?: string;
}

/**
 * At most one server per window. Not thread-safe across windows: each window has its own, and
 * a second server on the same port fails with the CLI's "port in use" message.
 */
export class ServerProcess implements vscode.Disposable {
  private child: ChildProcess | undefined;
  private current: ServerProcessStatus | undefined;
  private exited: Promise<void> | undefined;
  private readonly changed = new vscode.EventEmitter<ServerProcessStatus | undefined>();
  /** Fires when the server starts, is listening, stops or fails. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly deps: ServerProcessDeps) {}

  /** Undefined until this window started a server. */
  get status(): ServerProcessStatus | undefined {
    return this.current;
  }

  /** True while this window's server is starting, running or stopping. */
  get active(): boolean {
    return this.current !== undefined && this.current.state !== 'stopped';
  }

  private set(status: ServerProcessStatus): void {
    this.current = status;
    this.changed.fire(status);
  }

  /**
   * Starts `mlloop serve --json` in `root` and resolves once it listens.
   * @param args extra CLI arguments (`--port 0`, `--host …`).
   * @throws Error with the CLI's own message (its last log line) when it exits before listening.
   */
  start(root: string, args: string[] = []): Promise<ServeInfo> {
    if (this.active) return Promise.reject(new Error(`a server of this window is already ${this.current!.state} (${this.current!.root})`));
    const child = spawn(this.deps.execPath ?? process.execPath, [this.deps.cliScript, 'serve', '--json', ...args], {
      cwd: root,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.set({ state: 'starting', root, pid: child.pid ?? null });
    const tail: string[] = [];
    let info: ServeInfo | null = null;
    let startedAt = '';
    return new Promise<ServeInfo>((resolve, reject) => {
      let settled = false;
      const fail = (message: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new Error(message));
      };
      const timer = setTimeout(() => {
        fail(`mlloop serve did not say where it listens within ${START_TIMEOUT_MS / 1000} s; it is being stopped`);
        child.kill('SIGTERM');
      }, START_TIMEOUT_MS);
      lines(child.stderr!, (line) => {
        this.deps.log(`serve: ${line}`);
        tail.push(line);
        if (tail.length > 5) tail.shift();
      });
      lines(child.stdout!, (line) => {
        if (info) return this.deps.log(`serve: ${line}`);
        try {
          const parsed = JSON.parse(line) as ServeInfo;
          if (typeof parsed.url !== 'string') throw new Error('no url');
          info = parsed;
        } catch {
          this.deps.log(`serve: ${line}`);
          return;
        }
        startedAt = new Date().toISOString();
        settled = true;
        clearTimeout(timer);
        this.set({ state: 'running', root, pid: child.pid!, info, startedAt });
        resolve(info);
      });
      this.exited = new Promise<void>((done) => {
        child.on('error', (e) => {
          this.deps.log(`serve: could not start: ${e.message}`);
          fail(`could not start the server process: ${e.message}`);
          this.child = undefined;
          this.set({ state: 'stopped', root, message: `could not start: ${e.message}`, at: new Date().toISOString() });
          done();
        });
        child.on('exit', (code, signal) => {
          const why = signal ? `killed by ${signal}` : code === 0 ? 'stopped' : `exited with code ${code}`;
          // The CLI's own message names the problem (no model, port in use): its last line.
          const last = tail.filter((l) => l.trim()).pop();
          // A clean stop's last line counts what it wrote: "Stopped. 281 served predictions written to the store."
          const message = !info ? `${last ?? why} (${why})` : code === 0 && !signal ? last?.replace(/^Stopped\.\s*/, '') || 'exited cleanly' : `${why}${last ? `: ${last}` : ''}`;
          fail(message);
          if (this.child === child) this.child = undefined;
          this.set({ state: 'stopped', root, message, at: new Date().toISOString() });
          done();
        });
      });
    });
  }

  /**
   * Stops this window's server: SIGTERM, then waits for it to exit (it finishes the requests in
   * flight and writes every served prediction first). SIGKILL after {@link KILL_AFTER_MS}.
   * @returns false when this window runs no server.
   */
  async stop(): Promise<boolean> {
    const child = this.child;
    const st = this.current;
    if (!child || !st || st.state === 'stopped') return false;
    if (st.state !== 'stopping') this.set({ state: 'stopping', root: st.root, pid: child.pid!, info: st.state === 'running' ? st.info : null });
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    try {
      await this.exited;
    } finally {
      clearTimeout(killer);
    }
    return true;
  }

  dispose(): void {
    // The window is closing: the server must not outlive it. SIGTERM lets it write its log;
    // the host may be gone before it exits, which is fine (it exits on its own).
    if (this.child && this.child.exitCode === null) {
      this.child.kill('SIGTERM');
      const child = this.child;
      setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }, KILL_AFTER_MS).unref();
    }
    this.changed.dispose();
  }
}

/** Calls `onLine` for each complete line of `stream` (and the last partial one at its end). */
function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let i: number;
    while ((i = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, i).replace(/\r$/, '');
      buffered = buffered.slice(i + 1);
      if (line) onLine(line);
    }
  });
  stream.on('end', () => {
    if (buffered) onLine(buffered);
    buffered = '';
  });
}

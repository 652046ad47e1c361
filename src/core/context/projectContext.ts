/**
 * The project context: everything a job needs about the project it works on, built once at
 * the edge (the CLI, the job worker, the store worker, the server) and handed in. Jobs never
 * open a store or read mlloop.yaml themselves, so a test can give them a store on a temp
 * file and a fake clock, and a long-lived process keeps one store open for all its jobs.
 */
import type { ProjectConfig } from '../project/types';
import { loadProject, projectPaths, type ProjectPaths } from '../project/workspace';
import { openStore, type OpenStoreOptions } from '../store/open';
import type { Store } from '../store/types';
import { systemClock, type Clock } from './clock';
import { silentLogger, type Logger } from './logger';

export interface ProjectContext {
  /** The project folder (holds mlloop.yaml), absolute. */
  readonly root: string;
  readonly paths: ProjectPaths;
  /** mlloop.yaml, validated, every default filled. */
  readonly config: ProjectConfig;
  /** Warnings from mlloop.yaml (file:line:col lines), to show once. */
  readonly warnings: string[];
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Logger;
}

export interface OpenContextOptions {
  /** What this process is doing, shown to another process that finds the store busy. */
  purpose: string;
  clock?: Clock;
  log?: Logger;
  /** Environment for MLLOOP_STORE_URL and ${VAR} in store.url. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Store options (lock timeout …). */
  store?: Omit<OpenStoreOptions, 'env' | 'purpose' | 'now'>;
}

/**
 * Reads mlloop.yaml in `root` and opens its store.
 * @throws UserError for a bad mlloop.yaml (file:line:col) or a store that cannot be opened.
 */
export async function openProjectContext(root: string, opts: OpenContextOptions): Promise<ProjectContext & { close(): Promise<void> }> {
  const { config, paths, warnings } = loadProject(root);
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? silentLogger;
  const store = await openStore(config.store, paths.storeFile, paths.root, {
    ...(opts.store ?? {}),
    purpose: opts.purpose,
    env: opts.env ?? process.env,
    now: () => clock.now(),
    onWait: (m) => log.info(m),
  });
  return { root: paths.root, paths, config, warnings, store, clock, log, close: () => store.close() };
}

/** Runs `fn` with a context for `root`, closing its store afterwards. */
export async function withProjectContext<T>(root: string, opts: OpenContextOptions, fn: (ctx: ProjectContext) => Promise<T>): Promise<T> {
  const ctx = await openProjectContext(root, opts);
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

/**
 * A context over a store the caller already holds (tests; a server that keeps its store open
 * across jobs). The caller closes the store.
 */
export function contextFor(root: string, config: ProjectConfig, store: Store, opts: { clock?: Clock; log?: Logger; warnings?: string[] } = {}): ProjectContext {
  const paths = projectPaths(root);
  return { root: paths.root, paths, config, warnings: opts.warnings ?? [], store, clock: opts.clock ?? systemClock, log: opts.log ?? silentLogger };
}

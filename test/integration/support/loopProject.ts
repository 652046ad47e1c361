/**
 * The loop tests' projects: an mlloop.yaml in a temp folder with its store on either engine
 * (a fresh SQLite file, or a fresh schema of the test PostgreSQL), and a context over it.
 * Child processes reach the same store through STORE (a file path or the URL) and the
 * MLLOOP_STORE_SCHEMA of `env` (see fixtures/openFixtureStore.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { contextFor, type ProjectContext } from '../../../src/core/context/projectContext';
import type { Clock } from '../../../src/core/context/clock';
import { loadProject } from '../../../src/core/project/workspace';
import { openPostgresStore } from '../../../src/core/store/postgres';
import { openSqliteStore } from '../../../src/core/store/sqlite';
import type { Store } from '../../../src/core/store/types';
import { freshSchema, testPostgres } from './postgres';

export type EngineName = 'sqlite' | 'postgres';
export const ENGINE_NAMES: EngineName[] = ['sqlite', 'postgres'];

/** A binary spam filter over two features: what the loop tests log predictions of. */
export const SPAM_PROJECT = `version: 1
task: binary
label: spam
features:
  - { name: words, type: numeric }
  - { name: sender, type: categorical }
`;

/**
 * SPAM_PROJECT with the prediction log kept forever: the fixtures' lines carry fixed times
 * (2026-11-30…), which the default 7-day retention would prune once the real clock passes
 * them. Tests of retention write their own monitoring section (and a fake clock).
 */
export const SPAM_PROJECT_KEPT = `${SPAM_PROJECT}monitoring:
  retention: { predictions: forever }
`;

export interface LoopProject {
  root: string;
  inbox: string;
  /** STORE argument of the fixture processes. */
  location: string;
  env: NodeJS.ProcessEnv;
  store: Store;
  ctx: ProjectContext;
  /** Another connection to the same store (closed by dispose). */
  openStore(): Promise<Store>;
  /** A context with another mlloop.yaml text (same store). */
  withConfig(yaml: string, clock?: Clock): ProjectContext;
  dispose(): Promise<void>;
}

/** Starts PostgreSQL when the engine needs it (a fresh machine may install it first). */
export async function prepareEngine(engine: EngineName): Promise<void> {
  if (engine === 'postgres') await testPostgres();
}

export async function loopProject(engine: EngineName, opts: { yaml?: string; clock?: Clock } = {}): Promise<LoopProject> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `mlloop-loop-${engine}-`));
  fs.writeFileSync(path.join(root, 'mlloop.yaml'), opts.yaml ?? SPAM_PROJECT_KEPT);
  const { config, paths } = loadProject(root);
  fs.mkdirSync(paths.inboxDir, { recursive: true });
  const now = opts.clock ? () => opts.clock!.now() : undefined;
  let open: () => Promise<Store>;
  let location: string;
  let env: NodeJS.ProcessEnv = {};
  if (engine === 'sqlite') {
    location = paths.storeFile;
    open = () => openSqliteStore(paths.storeFile, { purpose: 'loop test', ...(now ? { now } : {}) });
  } else {
    const { url } = await testPostgres();
    const schema = freshSchema('loop');
    location = url;
    env = { MLLOOP_STORE_SCHEMA: schema };
    open = () => openPostgresStore(url, { schema, purpose: 'loop test', ...(now ? { now } : {}) });
  }
  const store = await open();
  const others: Store[] = [];
  const ctxFor = (yaml: string | undefined, clock?: Clock) => {
    if (yaml !== undefined) fs.writeFileSync(path.join(root, 'mlloop.yaml'), yaml);
    const loaded = yaml !== undefined ? loadProject(root).config : config;
    const c = clock ?? opts.clock;
    return contextFor(root, loaded, store, c ? { clock: c } : {});
  };
  return {
    root,
    inbox: paths.inboxDir,
    location,
    env,
    store,
    ctx: ctxFor(undefined),
    openStore: async () => {
      const s = await open();
      others.push(s);
      return s;
    },
    withConfig: (yaml, clock) => ctxFor(yaml, clock),
    dispose: async () => {
      for (const s of others) await s.close();
      await store.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Inbox line texts (no newline). */
export const line = {
  prediction: (id: string, over: Record<string, unknown> = {}) =>
    JSON.stringify({ kind: 'prediction', id, model: 'v1', time: '2026-11-30T10:00:00Z', input: { words: id.length, sender: `s-${id}` }, output: { label: 'yes', confidence: 0.75 }, ...over }),
  feedback: (prediction: string, over: Record<string, unknown> = {}) => JSON.stringify({ kind: 'feedback', prediction, time: '2026-11-30T11:00:00Z', label: 'no', ...over }),
  outcome: (prediction: string, over: Record<string, unknown> = {}) => JSON.stringify({ kind: 'outcome', prediction, time: '2026-11-30T12:00:00Z', label: 'yes', ...over }),
  example: (words: number, over: Record<string, unknown> = {}) => JSON.stringify({ kind: 'example', record: { words, sender: 'x', spam: 'no' }, ...over }),
};

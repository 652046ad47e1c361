/**
 * Choosing the store engine for a project: `MLLOOP_STORE_URL` in the environment, else
 * `store.url` in mlloop.yaml, else the embedded SQLite file `.mlloop/store.sqlite`.
 *
 *   postgres://user@host:5432/db   (or postgresql://…)  → PostgreSQL (the `pg` package);
 *                                    the password comes from the URL, PGPASSWORD or ~/.pgpass
 *   sqlite:relative/or/absolute/path.sqlite             → that SQLite file
 *
 * `${NAME}` in the URL is replaced by the environment variable NAME, so a committed
 * mlloop.yaml can say `url: postgres://ml@db.internal/mlloop?password=${ML_DB_PASSWORD}`
 * without holding the secret.
 */
import path from 'node:path';
import { UserError } from '../util/errors';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite';
import type { Store } from './types';
import { redactUrl } from './url';

export interface StoreSetting {
  /** The URL as configured (before ${VAR} expansion), or undefined for the embedded file. */
  url?: string;
  /** PostgreSQL schema holding the tables. Default 'mlloop'. */
  schema?: string;
}

export interface OpenStoreOptions extends SqliteStoreOptions {
  env?: NodeJS.ProcessEnv;
}

/** The URL with `${NAME}` replaced from `env`. @throws UserError naming an unset variable. */
export function expandStoreUrl(url: string, env: NodeJS.ProcessEnv): string {
  return url.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const v = env[name];
    if (v === undefined) throw new UserError(`The store URL uses \${${name}}, but the environment variable ${name} is not set.`);
    return v;
  });
}

export { redactUrl } from './url';

/**
 * Opens the project's store (see the file doc for how the engine is chosen).
 * @param defaultFile the embedded store's file (`.mlloop/store.sqlite`).
 * @param root the project folder (relative sqlite: paths are relative to it).
 * @throws UserError for an unknown URL scheme, an unreachable database, a bad file.
 */
export async function openStore(setting: StoreSetting, defaultFile: string, root: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const env = opts.env ?? process.env;
  const raw = env.MLLOOP_STORE_URL || setting.url;
  if (!raw) return openSqliteStore(defaultFile, opts);
  const url = expandStoreUrl(raw, env);
  if (/^postgres(ql)?:\/\//i.test(url)) {
    // Loaded only when used: the extension's views never need pg for a local project. A
    // require, not import(): esbuild bundles both, but under tsx's CommonJS hook (tests,
    // fixture processes) import() goes to Node's ESM loader, which cannot resolve './postgres'.
    const { openPostgresStore } = require('./postgres') as typeof import('./postgres');
    return openPostgresStore(url, { schema: setting.schema ?? 'mlloop', ...opts });
  }
  if (/^sqlite:/i.test(url)) return openSqliteStore(path.resolve(root, url.slice('sqlite:'.length)), opts);
  throw new UserError(`Unknown store URL '${redactUrl(url)}': use postgres://… for PostgreSQL or sqlite:PATH for an SQLite file (or leave store.url out for .mlloop/store.sqlite).`);
}

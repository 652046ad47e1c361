/**
 * Where a project's files live and how to load its config from disk.
 *
 *   <root>/mlloop.yaml
 *   <root>/.mlloop/store.sqlite        the embedded store (an SQLite file; or PostgreSQL, see store.url)
 *   <root>/.mlloop/models/<version>/   bundles
 *   <root>/.mlloop/inbox/              JSONL drop folder (later)
 *   <root>/.mlloop/reports/            HTML reports
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UserError } from '../util/errors';
import { formatProblems, parseProject, PROJECT_FILE } from './parse';
import type { ProjectConfig } from './types';

export interface ProjectPaths {
  root: string;
  configFile: string;
  dataDir: string;
  storeFile: string;
  modelsDir: string;
  reportsDir: string;
  inboxDir: string;
}

/** Paths of the project whose mlloop.yaml is in `root` (nothing is created). */
export function projectPaths(root: string): ProjectPaths {
  const abs = path.resolve(root);
  const dataDir = path.join(abs, '.mlloop');
  return {
    root: abs,
    configFile: path.join(abs, PROJECT_FILE),
    dataDir,
    storeFile: path.join(dataDir, 'store.sqlite'),
    modelsDir: path.join(dataDir, 'models'),
    reportsDir: path.join(dataDir, 'reports'),
    inboxDir: path.join(dataDir, 'inbox'),
  };
}

/**
 * Finds the project root: `start` itself when it holds mlloop.yaml, else the nearest parent
 * that does (as git finds .git).
 * @throws UserError when no mlloop.yaml is found.
 */
export function findProjectRoot(start: string): string {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, PROJECT_FILE))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new UserError(`No ${PROJECT_FILE} in ${path.resolve(start)} or any parent folder. Create one with \`mlloop init --data FILE --label COLUMN\`.`);
    }
    dir = parent;
  }
}

/** At most this many problems of mlloop.yaml are listed in the error of a command. */
const maxProblemsShown = 20;

/**
 * Reads and validates `<root>/mlloop.yaml`.
 * @throws UserError listing the problems as `file:line:col: message` (the first 20, and how
 *   many more there are).
 */
export function loadProject(root: string): { config: ProjectConfig; paths: ProjectPaths; warnings: string[] } {
  const paths = projectPaths(root);
  let text: string;
  try {
    text = fs.readFileSync(paths.configFile, 'utf8');
  } catch {
    throw new UserError(`Cannot read ${paths.configFile}. Create it with \`mlloop init --data FILE --label COLUMN\`.`, { file: paths.configFile });
  }
  const result = parseProject(text, path.basename(paths.root));
  if (!result.ok) {
    const first = result.problems[0];
    // A broken file (a stray bracket, a paste of binary data) can give a thousand problems; the first ones say where to look.
    const shown = result.problems.slice(0, maxProblemsShown);
    const more = result.problems.length - shown.length;
    throw new UserError(`${PROJECT_FILE} is not valid:\n${formatProblems(paths.configFile, shown)}${more > 0 ? `\n… and ${more} more problem${more === 1 ? '' : 's'} after these.` : ''}`, {
      file: paths.configFile,
      line: first?.line,
      column: first?.column,
    });
  }
  const warnings = result.problems.length ? [formatProblems(paths.configFile, result.problems)] : [];
  return { config: result.config, paths, warnings };
}

/**
 * The `store:` section of `<root>/mlloop.yaml`, read leniently: the views of a project whose
 * mlloop.yaml has an error elsewhere still find its (team) store. {} when there is none or
 * the file cannot be read at all.
 */
export function storeSettingOf(root: string): { url?: string; schema?: string } {
  try {
    const data = parseYaml(fs.readFileSync(projectPaths(root).configFile, 'utf8'), { maxAliasCount: 100 }) as { store?: { url?: unknown; schema?: unknown } } | null;
    const st = data?.store;
    return {
      ...(typeof st?.url === 'string' ? { url: st.url } : {}),
      ...(typeof st?.schema === 'string' ? { schema: st.schema } : {}),
    };
  } catch {
    return {};
  }
}

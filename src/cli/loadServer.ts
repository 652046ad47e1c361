/**
 * Loading the CLI's server half (see serve.ts) on first use, as loadJobs.ts loads the jobs:
 * dist/cli-serve.js beside dist/cli.js in the built CLI, ./serve.ts from source.
 */
import fs from 'node:fs';
import path from 'node:path';
import { requireWithCodeCache } from './codeCache';

type Server = typeof import('./serve');
let loaded: Server | undefined;

export function cliServer(): Server {
  if (loaded) return loaded;
  const bundled = path.join(__dirname, 'cli-serve.js');
  // The bundle through V8's code cache (see codeCache.ts); from source, tsx compiles it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded = (fs.existsSync(bundled) ? requireWithCodeCache(bundled) : require(['.', 'serve'].join('/'))) as Server;
  return loaded;
}

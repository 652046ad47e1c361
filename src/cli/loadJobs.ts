/**
 * Loading the CLI's heavy half (see jobs.ts) on first use. In the built CLI it is the
 * separate bundle dist/cli-jobs.js beside dist/cli.js; run from source (tests, tsx) it is
 * ./jobs.ts. The path is computed so that esbuild does not pull it into cli.js.
 */
import fs from 'node:fs';
import path from 'node:path';
import { requireWithCodeCache } from './codeCache';

type Jobs = typeof import('./jobs');
let loaded: Jobs | undefined;

export function cliJobs(): Jobs {
  if (loaded) return loaded;
  const bundled = path.join(__dirname, 'cli-jobs.js');
  // The bundle through V8's code cache (see codeCache.ts); from source, tsx compiles it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded = (fs.existsSync(bundled) ? requireWithCodeCache(bundled) : require(['.', 'jobs'].join('/'))) as Jobs;
  return loaded;
}

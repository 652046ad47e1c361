/**
 * Loading the CLI's server half (see serve.ts) on first use, as loadJobs.ts loads the jobs:
 * dist/cli-serve.js beside dist/cli.js in the built CLI, ./serve.ts from source.
 */
import fs from 'node:fs';
import path from 'node:path';

type Server = typeof import('./serve');
let loaded: Server | undefined;

export function cliServer(): Server {
  if (loaded) return loaded;
  const bundled = path.join(__dirname, 'cli-serve.js');
  const target = fs.existsSync(bundled) ? bundled : ['.', 'serve'].join('/');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded = require(target) as Server;
  return loaded;
}

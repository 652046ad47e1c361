// The VS Code test tier in one command (what `npm run test:vscode` runs):
//   setup (cached: apt packages, VS Code server) → build the suite → run it in light and dark.
// Expects `npm run build` to have built dist/extension.js.
//
// Env MLLOOP_VSCODE selects the VS Code that runs the suite:
//   unset or 'server' — the VS Code server from code-server + Debian's chromium (run.mjs); works
//                       offline once setup has run, and takes screenshots;
//   'electron'        — desktop VS Code via @vscode/test-electron (electron.mjs); downloads VS Code.
// Arguments are run.mjs's (--themes defaults to light,dark here), e.g. `--grep activation`.
import { pathToFileURL } from 'node:url';
import { buildSuite } from './build-suite.mjs';
import { runSuiteInElectron } from './electron.mjs';
import { parseRunArgs, runSuite } from './run.mjs';
import { setupVscodeTestTier } from './setup.mjs';

const logPrefix = '[vscode-test]';

/**
 * Runs setup (server route only), the suite build and the suite.
 * @param {string[]} argv run.mjs-style arguments; --themes light,dark unless --theme(s) is given
 * @returns {Promise<boolean>} true when every test passed in every theme
 */
export async function runVscodeTestTier(argv) {
  const route = process.env.MLLOOP_VSCODE || 'server';
  if (route !== 'server' && route !== 'electron') {
    throw new Error(`MLLOOP_VSCODE must be 'server' or 'electron', not '${route}'`);
  }
  const hasThemes = argv.some((a) => a === '--theme' || a === '--themes' || a.startsWith('--theme=') || a.startsWith('--themes='));
  const options = parseRunArgs(hasThemes ? argv : ['--themes', 'light,dark', ...argv]);
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1);

  if (route === 'server') setupVscodeTestTier();
  const entries = await buildSuite();
  console.log(`${logPrefix} suite built (${entries.length} entries) at ${seconds()} s`);
  const ok = route === 'electron' ? await runSuiteInElectron(options) : await runSuite(options);
  console.log(`${logPrefix} ${ok ? 'passed' : 'FAILED'} in ${seconds()} s (route: ${route})`);
  return ok;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    process.exit((await runVscodeTestTier(process.argv.slice(2))) ? 0 : 1);
  } catch (error) {
    console.error(`${logPrefix} ${error instanceof Error ? error.message : error}`);
    console.log('vscode: 0 passed, 1 failed');
    process.exit(1);
  }
}

// Paths and pinned versions shared by the VS Code test tier's scripts (setup, build-suite, run,
// electron, index). Kept in one place so the cache folder, the built suite and the artifacts
// folder are spelled the same everywhere.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root (two levels above this file). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The code-server release whose bundled VS Code server (1.100.3) the tier runs. code-server
 * 4.100.x requires Node 20 exactly (its postinstall refuses other majors).
 */
export const codeServerVersion = '4.100.3';

/** Version of @vscode/ripgrep pinned by that code-server's lib/vscode/npm-shrinkwrap.json. */
export const vscodeRipgrepVersion = '1.15.11';

/** Release tag and asset that @vscode/ripgrep's postinstall would download for linux x64. */
export const ripgrepAssetName = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

/** Debian packages every run needs: the browser the workbench runs in. */
export const runtimeAptPackages = ['chromium'];

/**
 * Debian packages needed only while installing code-server: libkrb5-dev, build-essential and
 * python3 to build its native modules (kerberos, node-pty, …), ripgrep to seed @vscode/ripgrep.
 */
export const installAptPackages = ['libkrb5-dev', 'ripgrep', 'build-essential', 'python3'];

/** Debian's chromium binary, driven by playwright-core. */
export const chromiumPath = '/usr/bin/chromium';

/**
 * Folder that holds the cached code-server install (its own package.json + node_modules).
 * Env MLLOOP_VSCODE_SERVER_DIR overrides; default `${XDG_CACHE_HOME:-~/.cache}/mlloop-vscode-server/<version>`.
 * Outside the repository on purpose: it is ~280 MB, is shared by every clone on the machine, and
 * must never become one of the project's dependencies.
 * @returns {string} absolute path
 */
export function serverInstallDir() {
  if (process.env.MLLOOP_VSCODE_SERVER_DIR) return path.resolve(process.env.MLLOOP_VSCODE_SERVER_DIR);
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheHome, 'mlloop-vscode-server', codeServerVersion);
}

/**
 * The VS Code server entry inside a code-server install folder.
 * @param {string} [installDir] defaults to serverInstallDir()
 * @returns {string} absolute path of server-main.js
 */
export function serverMainPath(installDir = serverInstallDir()) {
  return path.join(installDir, 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js');
}

/** Marker written last by setup; its presence (with a matching version) means the install is complete. */
export function serverMarkerPath(installDir = serverInstallDir()) {
  return path.join(installDir, '.mlloop-install-complete.json');
}

/** Where build-suite.mjs writes the compiled suite (self-ignored by a .gitignore inside it). */
export const suiteOutDir = path.join(repoRoot, 'dist-test', 'vscode');

/** The compiled suite entry whose run() the extension host calls. */
export const suiteEntryPath = path.join(suiteOutDir, 'suite', 'index.js');

/** Default fixture folder copied into a fresh temp workspace for each run. */
export const defaultFixtureWorkspace = path.join(repoRoot, 'test', 'vscode', 'fixtures', 'workspace');

/** Screenshots, logs and result files of a run go under here, one subfolder per theme. */
export const artifactsRoot = path.join(repoRoot, 'test-artifacts', 'vscode');

/**
 * Environment variables that carry the run's wiring into the extension host (the VS Code server's
 * environment is inherited by the extension host it spawns). Read by test/vscode/suite/*.ts.
 */
export const suiteEnv = {
  resultFile: 'MLLOOP_VSCODE_TEST_RESULT',
  logFile: 'MLLOOP_VSCODE_TEST_LOG',
  controlDir: 'MLLOOP_VSCODE_TEST_CONTROL',
  artifactsDir: 'MLLOOP_VSCODE_TEST_ARTIFACTS',
  grep: 'MLLOOP_VSCODE_TEST_GREP',
  theme: 'MLLOOP_VSCODE_TEST_THEME',
  vscodeLogsDir: 'MLLOOP_VSCODE_TEST_VSCODE_LOGS',
};

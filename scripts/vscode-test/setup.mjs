// Installs what the VS Code test tier needs on a machine that cannot download VS Code:
//   1. Debian packages: chromium (the browser the workbench runs in) always; while code-server is
//      being installed also libkrb5-dev, build-essential and python3 (it builds native modules
//      such as `kerberos` and `node-pty`) and ripgrep.
//   2. A seed for @vscode/ripgrep's download cache, so its postinstall unpacks Debian's rg
//      instead of fetching a release asset from the internet (which fails here).
//   3. code-server@<pinned> (which bundles the VS Code server) into a cache folder outside the
//      repository, finished with a marker file so the next run takes about a second.
//
// Idempotent: each step checks first and does nothing when its result is already there.
// Runs unattended (CI=true, no stdin, as root). Usage: `node scripts/vscode-test/setup.mjs`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  codeServerVersion,
  installAptPackages,
  ripgrepAssetName,
  runtimeAptPackages,
  serverInstallDir,
  serverMainPath,
  serverMarkerPath,
  vscodeRipgrepVersion,
} from './paths.mjs';

const logPrefix = '[vscode-test setup]';

/** @param {string} message */
function log(message) {
  console.log(`${logPrefix} ${message}`);
}

/**
 * Runs a command with inherited stdio and throws when it fails.
 * @param {string} command
 * @param {string[]} args
 * @param {import('node:child_process').SpawnSyncOptions} [options]
 */
function run(command, args, options = {}) {
  log(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  }
}

/**
 * Debian packages among `names` that are not installed (dpkg status "install ok installed").
 * @param {string[]} names
 * @returns {string[]}
 */
export function missingAptPackages(names) {
  return names.filter((name) => {
    const query = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return query.status !== 0 || !query.stdout.includes('install ok installed');
  });
}

/**
 * Installs whichever of `names` are missing with apt-get (update first), as root. Throws with the
 * command to run when not root, since a test run must not prompt for sudo.
 * @param {string[]} names Debian package names
 */
export function ensureAptPackages(names) {
  if (!fs.existsSync('/usr/bin/dpkg-query')) {
    throw new Error(`This setup expects a Debian-based machine (dpkg/apt-get); install ${names.join(', ')} by hand.`);
  }
  const missing = missingAptPackages(names);
  if (missing.length === 0) {
    log(`apt packages present: ${names.join(', ')}`);
    return;
  }
  if (process.getuid?.() !== 0) {
    throw new Error(`Missing Debian packages: ${missing.join(' ')}. Run as root: apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`);
  }
  log(`installing apt packages: ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Wait for a dpkg lock held by another apt run instead of failing at once.
  const lockWait = ['-o', 'DPkg::Lock::Timeout=300'];
  run('apt-get', [...lockWait, 'update'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  run('apt-get', [...lockWait, 'install', '-y', '--no-install-recommends', ...missing], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const stillMissing = missingAptPackages(names);
  if (stillMissing.length > 0) throw new Error(`apt-get did not install: ${stillMissing.join(', ')}`);
}

/**
 * Puts Debian's /usr/bin/rg, packed as the release asset @vscode/ripgrep's postinstall looks for,
 * into that package's download cache (`<os.tmpdir()>/vscode-ripgrep-cache-<version>/`). The
 * postinstall trusts a cached file by name, so it never goes to the network.
 * @returns {string} path of the seeded archive
 */
export function seedRipgrepCache() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`The ripgrep cache seed is built for linux x64 only (this is ${process.platform} ${process.arch}).`);
  }
  const cacheDir = path.join(os.tmpdir(), `vscode-ripgrep-cache-${vscodeRipgrepVersion}`);
  const archive = path.join(cacheDir, ripgrepAssetName);
  // A file of that name is trusted without a check by the postinstall, so check it here.
  if (fs.existsSync(archive) && spawnSync('tar', ['-tzf', archive], { encoding: 'utf8' }).stdout?.split('\n').includes('rg')) {
    log(`ripgrep cache seed present: ${archive}`);
    return archive;
  }
  fs.mkdirSync(cacheDir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-rg-seed-'));
  try {
    fs.copyFileSync('/usr/bin/rg', path.join(staging, 'rg'));
    fs.chmodSync(path.join(staging, 'rg'), 0o755);
    // Write under a temporary name and rename, so an interrupted run never leaves a truncated
    // archive that the postinstall would trust.
    const partial = `${archive}.partial-${process.pid}`;
    run('tar', ['-czf', partial, '-C', staging, 'rg']);
    fs.renameSync(partial, archive);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  log(`seeded ripgrep cache: ${archive}`);
  return archive;
}

/**
 * True when `installDir` holds a finished install of the pinned code-server for this Node major.
 * @param {string} installDir
 */
export function isServerInstalled(installDir) {
  try {
    const marker = JSON.parse(fs.readFileSync(serverMarkerPath(installDir), 'utf8'));
    return (
      marker.codeServerVersion === codeServerVersion &&
      marker.nodeMajor === process.versions.node.split('.')[0] &&
      fs.existsSync(serverMainPath(installDir))
    );
  } catch {
    return false;
  }
}

/**
 * The environment for the nested npm: the caller's, minus anything an enclosing `npm run` put
 * there (npm_config_local_prefix and friends would point the install at the repository), plus the
 * settings code-server's install needs.
 * @returns {NodeJS.ProcessEnv}
 */
function npmInstallEnv() {
  /** @type {NodeJS.ProcessEnv} */
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase();
    if (lower.startsWith('npm_config_') || lower.startsWith('npm_package_') || lower.startsWith('npm_lifecycle_')) continue;
    if (key === 'INIT_CWD' || key === 'npm_command' || key === 'npm_execpath' || key === 'npm_node_execpath') continue;
    env[key] = value;
  }
  // code-server's postinstall refuses to run as root without unsafe-perm, and then runs its own
  // `npm install` in lib/vscode and lib/vscode/extensions: those nested installs read these
  // variables too, which is why they are set in the environment rather than as flags.
  env.npm_config_yes = 'true';
  env.npm_config_unsafe_perm = 'true';
  // npm 11 checks dependency install scripts against `allowScripts` (11.19 runs uncovered ones
  // with a warning; its docs describe blocking them, and strict-allow-scripts fails the install).
  // The nested installs have code-server's own package.json (not ours) and their native modules
  // (node-pty, @vscode/spdlog, kerberos, @parcel/watcher, @vscode/ripgrep …) must build, so allow
  // them all for this one pinned, isolated install rather than depend on that default.
  env.npm_config_dangerously_allow_all_scripts = 'true';
  env.npm_config_audit = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_update_notifier = 'false';
  // node-gyp must use the local Node headers; downloading them from nodejs.org fails here.
  const nodeDir = path.resolve(path.dirname(process.execPath), '..');
  if (fs.existsSync(path.join(nodeDir, 'include', 'node', 'node.h'))) env.npm_config_nodedir = nodeDir;
  return env;
}

/**
 * Installs code-server@codeServerVersion into serverInstallDir() unless already there. The install
 * happens in a sibling temp folder that is renamed into place after the marker is written, so an
 * interrupted install is never mistaken for a finished one.
 * @returns {string} the install folder
 */
export function ensureCodeServer() {
  const installDir = serverInstallDir();
  if (isServerInstalled(installDir)) {
    log(`code-server ${codeServerVersion} cached: ${installDir}`);
    return installDir;
  }
  const nodeMajor = process.versions.node.split('.')[0];
  if (nodeMajor !== '20') {
    throw new Error(`code-server ${codeServerVersion} needs Node 20 (this is ${process.version}).`);
  }
  ensureAptPackages(installAptPackages);
  seedRipgrepCache();
  fs.mkdirSync(path.dirname(installDir), { recursive: true });
  const staging = `${installDir}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging);
  fs.writeFileSync(
    path.join(staging, 'package.json'),
    JSON.stringify(
      {
        name: 'mlloop-vscode-server-cache',
        private: true,
        description: 'Cached VS Code server (via code-server) for ML Loop\'s VS Code test tier; made by scripts/vscode-test/setup.mjs.',
        dependencies: { 'code-server': codeServerVersion },
        allowScripts: { 'code-server': true, argon2: true },
      },
      null,
      2,
    ),
  );
  log(`installing code-server ${codeServerVersion} into ${installDir} (a few minutes, ~280 MB)`);
  const started = Date.now();
  try {
    run('npm', ['install', '--no-audit', '--no-fund', '--omit=dev', '--foreground-scripts', '--loglevel=warn'], {
      cwd: staging,
      env: npmInstallEnv(),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const serverMain = serverMainPath(staging);
    if (!fs.existsSync(serverMain)) throw new Error(`npm install finished but ${serverMain} is missing`);
    const rg = path.join(staging, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg');
    if (!fs.existsSync(rg)) throw new Error(`code-server's postinstall did not run to the end (${rg} is missing)`);
    fs.writeFileSync(
      serverMarkerPath(staging),
      JSON.stringify({ codeServerVersion, nodeMajor, installedAt: new Date().toISOString() }, null, 2),
    );
    if (isServerInstalled(installDir)) {
      // Another run on this machine finished the same install meanwhile: keep its folder, which
      // it may be using right now.
      fs.rmSync(staging, { recursive: true, force: true });
    } else {
      fs.rmSync(installDir, { recursive: true, force: true });
      fs.renameSync(staging, installDir);
    }
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  log(`installed code-server ${codeServerVersion} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return installDir;
}

/**
 * Runs every setup step in order.
 * @returns {{ installDir: string }}
 */
export function setupVscodeTestTier() {
  const started = Date.now();
  ensureAptPackages(runtimeAptPackages);
  const installDir = ensureCodeServer();
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { installDir };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    setupVscodeTestTier();
  } catch (error) {
    console.error(`${logPrefix} failed: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
}

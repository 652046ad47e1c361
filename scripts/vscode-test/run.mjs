// Runs the compiled VS Code test suite inside a real VS Code extension host, without Electron:
// the VS Code server bundled in code-server (installed by setup.mjs) runs the Node extension
// host, and Debian's chromium, driven by playwright-core, runs the workbench it belongs to.
//
// For each theme: a fresh user-data dir (settings: theme, workspace trust off, telemetry off, no
// welcome page), a fresh copy of the fixture workspace, a free port, the server, the browser on
//   http://127.0.0.1:<port>/?folder=<workspace>&payload=[[extensionDevelopmentPath,…],[extensionTestsPath,…]]
// and then waiting for the suite's result file, while streaming its report and answering its
// screenshot requests. Server and browser are stopped on success, failure, timeout and signals.
//
// Expects `npm run build` (dist/extension.js) and `node scripts/vscode-test/build-suite.mjs`.
// Usage: node scripts/vscode-test/run.mjs [--themes light,dark] [--workspace DIR] [--extension DIR]
//          [--suite FILE] [--timeout SECONDS] [--artifacts DIR] [--grep PATTERN] [--keep-temp]
// Exit code 0 only when every theme's run finished with all tests passed (and at least one ran).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import {
  artifactsRoot,
  chromiumPath,
  defaultFixtureWorkspace,
  repoRoot,
  serverMainPath,
  suiteEntryPath,
  suiteEnv,
} from './paths.mjs';
import { closingLine, parseThemes, prepareRunFolders, themeFailure, themeResultFromFile } from './profile.mjs';

const logPrefix = '[vscode-test]';

/** @param {string} message */
function log(message) {
  console.log(`${logPrefix} ${message}`);
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Options of one run, as parsed from the command line.
 * @typedef {{ themes: Array<'light'|'dark'>, workspace: string, extension: string, suite: string,
 *   timeoutMs: number, artifacts: string, grep?: string, keepTemp: boolean }} RunOptions
 */

/**
 * Parses run.mjs's command line.
 * @param {string[]} argv arguments after the script name
 * @returns {RunOptions}
 */
export function parseRunArgs(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      themes: { type: 'string' },
      theme: { type: 'string' },
      workspace: { type: 'string', default: defaultFixtureWorkspace },
      extension: { type: 'string', default: repoRoot },
      suite: { type: 'string', default: suiteEntryPath },
      timeout: { type: 'string', default: '600' },
      artifacts: { type: 'string', default: artifactsRoot },
      grep: { type: 'string' },
      'keep-temp': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const themes = parseThemes(values.themes ?? values.theme ?? 'light');
  const timeoutSeconds = Number(values.timeout);
  if (!(timeoutSeconds > 0)) throw new Error(`--timeout must be a positive number of seconds, got "${values.timeout}"`);
  return {
    themes,
    workspace: path.resolve(values.workspace),
    extension: path.resolve(values.extension),
    suite: path.resolve(values.suite),
    timeoutMs: timeoutSeconds * 1000,
    artifacts: path.resolve(values.artifacts),
    grep: values.grep,
    keepTemp: values['keep-temp'],
  };
}

/** Resolves to a TCP port that was free on 127.0.0.1 a moment ago. */
export function findFreePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The workbench URL that opens `workspace` with the extension in development mode and the suite
 * as its tests. Paths are on the server's file system, addressed through the remote authority.
 * @param {number} port
 * @param {{ workspace: string, extension: string, suite: string }} paths absolute paths
 */
export function workbenchUrl(port, { workspace, extension, suite }) {
  const authority = `127.0.0.1:${port}`;
  // Each path segment percent-encoded, so spaces, '#' or '?' in a path survive URI parsing.
  const remoteUri = (/** @type {string} */ absolutePath) =>
    `vscode-remote://${authority}${absolutePath.split('/').map(encodeURIComponent).join('/')}`;
  const payload = [
    ['extensionDevelopmentPath', remoteUri(extension)],
    ['extensionTestsPath', remoteUri(suite)],
  ];
  return `http://${authority}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** GET url and resolve with the status code, or undefined when nothing answers. @param {string} url */
function httpStatus(url) {
  return new Promise((resolve) => {
    const request = http.get(url, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('error', () => resolve(undefined));
    request.setTimeout(2000, () => request.destroy());
  });
}

/**
 * Reads what was appended to a file since `offset`.
 * @param {string} file
 * @param {number} offset
 * @returns {{ text: string, offset: number }}
 */
function readAppended(file, offset) {
  let fd;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return { text: '', offset };
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size <= offset) return { text: '', offset };
    const buffer = Buffer.alloc(size - offset);
    fs.readSync(fd, buffer, 0, buffer.length, offset);
    return { text: buffer.toString('utf8'), offset: size };
  } finally {
    fs.closeSync(fd);
  }
}

/** Last `count` lines of a text file, or '' when it does not exist. */
function tailLines(file, count) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-count).join('\n');
  } catch {
    return '';
  }
}

/** True while any process of process group `pgid` is alive. @param {number} pgid */
function processGroupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops the whole process group of a detached child (the server and the extension hosts it
 * forked): SIGTERM, then SIGKILL for whatever is still alive after graceMs. Resolves when no
 * process of the group is left, so the caller can delete the folders they were writing to.
 * @param {import('node:child_process').ChildProcess | undefined} child
 * @param {number} [graceMs] default 3000
 */
async function killProcessGroup(child, graceMs = 3000) {
  const pgid = child?.pid;
  if (!pgid || !processGroupAlive(pgid)) return;
  for (const [signal, waitMs] of /** @type {const} */ ([['SIGTERM', graceMs], ['SIGKILL', 2000]])) {
    try {
      process.kill(-pgid, signal);
    } catch {
      return;
    }
    const deadline = Date.now() + waitMs;
    while (processGroupAlive(pgid) && Date.now() < deadline) await sleep(50);
    if (!processGroupAlive(pgid)) return;
  }
}

/** Things to stop if the runner is interrupted; each theme run registers and removes its own. */
const activeCleanups = new Set();
/** Server process groups still running, killed synchronously if the runner exits abruptly. */
const liveServerPids = new Set();
let interrupted = false;
let processHandlersInstalled = false;

/**
 * On SIGINT/SIGTERM/SIGHUP: stop every running server and browser, then exit 130/143. On any
 * exit: SIGKILL the server process groups still alive. Installed once, by runSuite, so that
 * importing this module has no side effects.
 */
function installProcessHandlers() {
  if (processHandlersInstalled) return;
  processHandlersInstalled = true;
  process.on('exit', () => {
    for (const pid of liveServerPids) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.on(signal, async () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      log(`${signal}: stopping server and browser`);
      await Promise.allSettled([...activeCleanups].map((cleanup) => cleanup()));
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/**
 * The server's environment: the runner's, minus variables of an enclosing VS Code or npm run
 * that would confuse the server or the extensions, plus the suite's wiring.
 * @param {Record<string, string>} suiteVariables
 */
function serverEnvironment(suiteVariables) {
  /** @type {NodeJS.ProcessEnv} */
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') continue;
    env[key] = value;
  }
  // No extension gallery: nothing is installed from it, and the machines have no internet.
  env.EXTENSIONS_GALLERY = '{}';
  return { ...env, ...suiteVariables };
}

/**
 * Runs the suite once with one theme.
 * @param {RunOptions} options
 * @param {'light'|'dark'} theme
 * @returns {Promise<import('./profile.mjs').ThemeRunResult>}
 */
export async function runSuiteOnce(options, theme) {
  const started = Date.now();
  const artifactsDir = path.join(options.artifacts, theme);
  fs.rmSync(artifactsDir, { recursive: true, force: true });
  fs.mkdirSync(artifactsDir, { recursive: true });

  const { tempRoot, userDataDir, extensionsDir, controlDir, workspace, resultFile, reportFile } = prepareRunFolders({
    fixture: options.workspace,
    theme,
  });
  const serverLog = path.join(artifactsDir, 'server.log');
  const consoleLog = path.join(artifactsDir, 'browser-console.log');

  /** @type {import('node:child_process').ChildProcess | undefined} */
  let server;
  /** @type {import('playwright-core').Browser | undefined} */
  let browser;
  /** @type {fs.WriteStream[]} */
  const logStreams = [];
  /** @type {Promise<void> | undefined} */
  let cleanupDone;
  // Memoised: the signal handler and this run's `finally` may both call it; both wait for the end.
  const cleanup = () =>
    (cleanupDone ??= (async () => {
      await browser?.close().catch(() => undefined);
      await killProcessGroup(server);
      for (const stream of logStreams) stream.end();
      // VS Code's own logs (extension host: which extension activated on which event, errors
      // thrown by activate(); the extension's output channels) outlive the temp profile.
      const vscodeLogs = path.join(userDataDir, 'logs');
      if (fs.existsSync(vscodeLogs)) fs.cpSync(vscodeLogs, path.join(artifactsDir, 'vscode-logs'), { recursive: true });
      if (server?.pid) liveServerPids.delete(server.pid);
      if (!options.keepTemp) fs.rmSync(tempRoot, { recursive: true, force: true, maxRetries: 5 });
    })());
  activeCleanups.add(cleanup);

  /** @param {string} reason */
  const failure = (reason) => themeFailure(theme, artifactsDir, reason);

  try {
    const port = await findFreePort();
    const serverLogStream = fs.createWriteStream(serverLog);
    logStreams.push(serverLogStream);
    /** @type {{ code: string, signal: string, at: number } | undefined} */
    let extensionHostExit;
    let serverOutputTail = '';
    server = spawn(
      process.execPath,
      [
        serverMainPath(),
        '--host', '127.0.0.1',
        '--port', String(port),
        '--without-connection-token',
        '--accept-server-license-terms',
        '--user-data-dir', userDataDir,
        '--extensions-dir', extensionsDir,
      ],
      {
        cwd: tempRoot,
        detached: true, // own process group, so the extension host dies with it
        stdio: ['ignore', 'pipe', 'pipe'],
        env: serverEnvironment({
          [suiteEnv.resultFile]: resultFile,
          [suiteEnv.logFile]: reportFile,
          [suiteEnv.controlDir]: controlDir,
          [suiteEnv.artifactsDir]: artifactsDir,
          [suiteEnv.theme]: theme,
          [suiteEnv.vscodeLogsDir]: path.join(userDataDir, 'logs'),
          ...(options.grep ? { [suiteEnv.grep]: options.grep } : {}),
        }),
      },
    );
    if (server.pid) liveServerPids.add(server.pid);
    const onServerOutput = (/** @type {Buffer} */ chunk) => {
      serverLogStream.write(chunk);
      // Look at whole lines only: a chunk may end in the middle of one.
      const lines = (serverOutputTail + chunk.toString()).split('\n');
      serverOutputTail = lines.pop() ?? '';
      for (const line of lines) {
        const exit = /Extension Host Process exited with code: (\S+), signal: (\S+)\./.exec(line);
        if (exit) extensionHostExit = { code: exit[1], signal: exit[2], at: Date.now() };
      }
    };
    server.stdout?.on('data', onServerOutput);
    server.stderr?.on('data', onServerOutput);

    const serverReadyBy = Date.now() + 60_000;
    while ((await httpStatus(`http://127.0.0.1:${port}/version`)) === undefined) {
      if (server.exitCode !== null) return failure(`the VS Code server exited with ${server.exitCode} before listening:\n${tailLines(serverLog, 30)}`);
      if (Date.now() > serverReadyBy) return failure(`the VS Code server did not listen on port ${port} within 60 s:\n${tailLines(serverLog, 30)}`);
      await sleep(200);
    }
    log(`${theme}: VS Code server on port ${port} after ${((Date.now() - started) / 1000).toFixed(1)} s`);

    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      // Playwright's own handlers would exit the process before the server is stopped.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      // --disable-dev-shm-usage: containers often have a tiny /dev/shm, which crashes renderers.
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: theme });
    const page = await context.newPage();
    const consoleStream = fs.createWriteStream(consoleLog);
    logStreams.push(consoleStream);
    page.on('console', (message) => consoleStream.write(`[${message.type()}] ${message.text()}\n`));
    page.on('pageerror', (error) => consoleStream.write(`[pageerror] ${error.stack ?? error.message}\n`));
    const url = workbenchUrl(port, { workspace, extension: options.extension, suite: options.suite });
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    log(`${theme}: workbench opened ${workspace}`);

    const deadline = started + options.timeoutMs;
    const handledRequests = new Set();
    let reportOffset = 0;
    let reportPending = '';
    const flushReport = () => {
      const appended = readAppended(reportFile, reportOffset);
      reportOffset = appended.offset;
      const lines = (reportPending + appended.text).split('\n');
      reportPending = lines.pop() ?? '';
      for (const line of lines) console.log(`  ${line}`);
    };
    const answerScreenshotRequests = async () => {
      for (const name of fs.readdirSync(controlDir).filter((n) => n.endsWith('.request.json')).sort()) {
        if (handledRequests.has(name)) continue;
        handledRequests.add(name);
        const ackPath = path.join(controlDir, name.replace(/\.request\.json$/, '.ack.json'));
        /** @type {{ ok: boolean, path?: string, error?: string }} */
        let ack;
        try {
          const request = JSON.parse(fs.readFileSync(path.join(controlDir, name), 'utf8'));
          if (request.kind !== 'screenshot' || !/^[A-Za-z0-9._-]+$/.test(request.name)) throw new Error(`bad request ${JSON.stringify(request)}`);
          await sleep(Math.min(Math.max(Number(request.settleMs) || 0, 0), 10_000));
          const target = path.join(artifactsDir, `${request.name}.png`);
          await page.screenshot({ path: target });
          ack = { ok: true, path: target };
          log(`${theme}: screenshot ${path.relative(repoRoot, target)}`);
        } catch (error) {
          ack = { ok: false, error: error instanceof Error ? error.message : String(error) };
        }
        fs.writeFileSync(`${ackPath}.tmp`, JSON.stringify(ack));
        fs.renameSync(`${ackPath}.tmp`, ackPath);
      }
    };

    let reason;
    for (;;) {
      flushReport();
      if (fs.existsSync(resultFile)) break;
      await answerScreenshotRequests();
      if (interrupted) return failure('interrupted');
      if (server.exitCode !== null) {
        reason = `the VS Code server exited with ${server.exitCode} during the run`;
        break;
      }
      if (!browser.isConnected() || page.isClosed()) {
        reason = 'the browser closed during the run';
        break;
      }
      // The suite writes its result before run() settles, and the host exits only after that;
      // a few seconds of grace cover a slow file system.
      if (extensionHostExit && Date.now() - extensionHostExit.at > 5000) {
        reason = `the extension host exited (code ${extensionHostExit.code}, signal ${extensionHostExit.signal}) without writing a result`;
        break;
      }
      if (Date.now() > deadline) {
        reason = `timed out after ${options.timeoutMs / 1000} s without a result`;
        break;
      }
      await sleep(200);
    }
    flushReport();
    if (reportPending) console.log(`  ${reportPending}`);
    if (fs.existsSync(reportFile)) fs.copyFileSync(reportFile, path.join(artifactsDir, 'mocha.log'));

    if (reason) {
      await page.screenshot({ path: path.join(artifactsDir, 'failure-state.png') }).catch(() => undefined);
      const consoleErrors = tailLines(consoleLog, 400)
        .split('\n')
        .filter((line) => line.startsWith('[error]') || line.startsWith('[pageerror]'))
        .slice(-15)
        .join('\n');
      return failure(
        `${reason}\n--- server log (last 30 lines) ---\n${tailLines(serverLog, 30)}\n--- browser console errors (last 15) ---\n${consoleErrors}\n--- see ${path.relative(repoRoot, artifactsDir)}/ (failure-state.png) ---`,
      );
    }

    fs.copyFileSync(resultFile, path.join(artifactsDir, 'result.json'));
    return themeResultFromFile(resultFile, theme, artifactsDir);
  } catch (error) {
    return failure(error instanceof Error ? error.stack ?? error.message : String(error));
  } finally {
    await cleanup();
    activeCleanups.delete(cleanup);
    log(`${theme}: finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

/**
 * Checks that everything a run needs is in place, with what to do when it is not.
 * @param {RunOptions} options
 * @param {{ vscodeServer?: boolean }} [needs] vscodeServer: also check the VS Code server and
 *   chromium (default true; the Electron runner needs neither)
 * @returns {string[]} problems; empty when ready
 */
export function preflightProblems(options, { vscodeServer = true } = {}) {
  const problems = [];
  if (vscodeServer && !fs.existsSync(serverMainPath())) problems.push(`no VS Code server at ${serverMainPath()}: run node scripts/vscode-test/setup.mjs`);
  if (vscodeServer && !fs.existsSync(chromiumPath)) problems.push(`no ${chromiumPath}: run node scripts/vscode-test/setup.mjs`);
  if (!fs.existsSync(options.suite)) problems.push(`no compiled suite at ${options.suite}: run node scripts/vscode-test/build-suite.mjs`);
  if (!fs.existsSync(path.join(options.workspace))) problems.push(`no fixture workspace at ${options.workspace}`);
  const manifestPath = path.join(options.extension, 'package.json');
  if (!fs.existsSync(manifestPath)) {
    problems.push(`no extension manifest at ${manifestPath}`);
  } else {
    const main = JSON.parse(fs.readFileSync(manifestPath, 'utf8')).main;
    if (main && !fs.existsSync(path.join(options.extension, main)) && !fs.existsSync(path.join(options.extension, `${main}.js`))) {
      problems.push(`the extension's main ${main} is not built: run npm run build`);
    }
  }
  return problems;
}

/**
 * Runs the suite for every requested theme in turn and prints a closing
 * 'vscode: N passed, N failed, N skipped' line over all of them.
 * @param {RunOptions} options
 * @returns {Promise<boolean>} true when every theme passed
 */
export async function runSuite(options) {
  installProcessHandlers();
  const problems = preflightProblems(options);
  if (problems.length > 0) {
    for (const problem of problems) console.log(`${logPrefix} ${problem}`);
    console.log('vscode: 0 passed, 1 failed');
    return false;
  }
  /** @type {import('./profile.mjs').ThemeRunResult[]} */
  const results = [];
  for (const theme of options.themes) {
    if (interrupted) break;
    log(`${theme}: starting (workspace ${path.relative(repoRoot, options.workspace) || '.'})`);
    const result = await runSuiteOnce(options, theme);
    results.push(result);
    if (result.reason) console.log(`${logPrefix} ${theme}: ${result.reason}`);
    log(`${theme}: ${result.passed} passed, ${result.failed} failed, ${result.pending} skipped${result.ok ? '' : ' — FAILED'}; artifacts in ${path.relative(repoRoot, result.artifactsDir)}/`);
  }
  console.log(closingLine(results));
  return results.length === options.themes.length && results.every((r) => r.ok);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  let options;
  try {
    options = parseRunArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${logPrefix} ${error instanceof Error ? error.message : error}`);
    process.exit(2);
  }
  const ok = await runSuite(options);
  // When interrupted, the signal handler exits once server and browser are stopped.
  if (!interrupted) process.exit(ok ? 0 : 1);
}

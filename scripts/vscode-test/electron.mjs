// The same VS Code suite on desktop VS Code (Electron), through @vscode/test-electron's
// runTests. For machines that can download VS Code (it caches the download in .vscode-test/);
// the build machines of this project cannot, and use run.mjs instead. index.mjs picks this
// runner when MLLOOP_VSCODE=electron.
//
// Differences from run.mjs: no screenshots (the suite's takeScreenshot() returns undefined), no
// --timeout (runTests gives no handle to stop VS Code; rely on the CI job's limit), and on Linux
// without a display it needs an X server: run it under `xvfb-run -a`.
// Env MLLOOP_VSCODE_VERSION picks the VS Code version (default 1.100.3, the server tier's).
//
// Usage: MLLOOP_VSCODE=electron node scripts/vscode-test/index.mjs [run.mjs options], or
//        node scripts/vscode-test/electron.mjs [--themes light,dark] [--workspace DIR] [--grep P] …
import { runTests } from '@vscode/test-electron';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, suiteEnv } from './paths.mjs';
import { closingLine, prepareRunFolders, themeFailure, themeResultFromFile } from './profile.mjs';
import { parseRunArgs, preflightProblems } from './run.mjs';

const logPrefix = '[vscode-test electron]';
const defaultVscodeVersion = '1.100.3';

/** @param {string} message */
function log(message) {
  console.log(`${logPrefix} ${message}`);
}

/**
 * Runs the suite once per theme in desktop VS Code and prints the closing
 * 'vscode: N passed, N failed, N skipped' line.
 * @param {import('./run.mjs').RunOptions} options timeoutMs is ignored (see the file comment)
 * @returns {Promise<boolean>} true when every theme passed
 */
export async function runSuiteInElectron(options) {
  const problems = preflightProblems(options, { vscodeServer: false });
  if (problems.length > 0) {
    for (const problem of problems) log(problem);
    console.log('vscode: 0 passed, 1 failed');
    return false;
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    log('no DISPLAY: desktop VS Code needs an X server on Linux; run this under `xvfb-run -a`');
  }
  const version = process.env.MLLOOP_VSCODE_VERSION || defaultVscodeVersion;
  /** @type {import('./profile.mjs').ThemeRunResult[]} */
  const results = [];
  for (const theme of options.themes) {
    const artifactsDir = path.join(options.artifacts, theme);
    fs.rmSync(artifactsDir, { recursive: true, force: true });
    fs.mkdirSync(artifactsDir, { recursive: true });
    const folders = prepareRunFolders({ fixture: options.workspace, theme });
    log(`${theme}: VS Code ${version}, workspace ${folders.workspace}`);
    let result;
    try {
      // VS Code prints the extension host's console (and so mocha's report) on its own stdout.
      await runTests({
        version,
        extensionDevelopmentPath: options.extension,
        extensionTestsPath: options.suite,
        launchArgs: [folders.workspace, `--user-data-dir=${folders.userDataDir}`, `--extensions-dir=${folders.extensionsDir}`, '--disable-gpu'],
        extensionTestsEnv: {
          [suiteEnv.resultFile]: folders.resultFile,
          [suiteEnv.logFile]: folders.reportFile,
          [suiteEnv.artifactsDir]: artifactsDir,
          [suiteEnv.theme]: theme,
          [suiteEnv.vscodeLogsDir]: path.join(folders.userDataDir, 'logs'),
          ...(options.grep ? { [suiteEnv.grep]: options.grep } : {}),
        },
      });
    } catch (error) {
      // A failing suite makes VS Code exit non-zero; the result file still says what happened.
      if (!fs.existsSync(folders.resultFile)) {
        result = themeFailure(theme, artifactsDir, `VS Code did not produce a result: ${error instanceof Error ? error.message : error}`);
      }
    }
    for (const [from, to] of [[folders.resultFile, 'result.json'], [folders.reportFile, 'mocha.log']]) {
      if (fs.existsSync(from)) fs.copyFileSync(from, path.join(artifactsDir, to));
    }
    result ??= fs.existsSync(folders.resultFile)
      ? themeResultFromFile(folders.resultFile, theme, artifactsDir)
      : themeFailure(theme, artifactsDir, 'VS Code exited without a result file');
    if (!options.keepTemp) fs.rmSync(folders.tempRoot, { recursive: true, force: true, maxRetries: 5 });
    results.push(result);
    if (result.reason) log(`${theme}: ${result.reason}`);
    log(`${theme}: ${result.passed} passed, ${result.failed} failed, ${result.pending} skipped${result.ok ? '' : ' — FAILED'}; artifacts in ${path.relative(repoRoot, artifactsDir)}/`);
  }
  console.log(closingLine(results));
  return results.every((r) => r.ok);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  let options;
  try {
    options = parseRunArgs(process.argv.slice(2));
  } catch (error) {
    log(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
  process.exit((await runSuiteInElectron(options)) ? 0 : 1);
}

/**
 * The suite entry VS Code's extension host loads (extensionTestsPath) and whose run() it calls;
 * the host exits once the returned promise settles.
 *
 * Runs every compiled `*.test.js` found under this file's folder with mocha (bdd, spec reporter,
 * no colours). Because the extension host's stdout does not reliably reach the runner, the
 * report goes to files named by environment variables (see ./protocol.ts):
 * - the spec report, appended line by line to MLLOOP_VSCODE_TEST_LOG while tests run, and
 * - a SuiteResult JSON written to MLLOOP_VSCODE_TEST_RESULT before run() settles.
 * Every line is also written to console.log, which the workbench shows in its developer tools.
 */
import * as fs from 'node:fs';
import { findSourceMap } from 'node:module';
import * as path from 'node:path';
import * as util from 'node:util';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { suiteEnvNames, type SuiteResult, type TestOutcome } from './protocol';

/** Per-test timeout: generous, since the extension host shares 2 cores with the server and a browser. */
const defaultTestTimeoutMs = 60_000;

/** Compiled test files under `dir` (recursively), sorted so the order is the same on every run. */
function findTestFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...findTestFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) files.push(full);
  }
  return files.sort();
}

/**
 * Rewrites `file.js:line:column` frames of a stack to the TypeScript positions their source maps
 * name. Needed because the extension host installs its own Error.prepareStackTrace, which
 * bypasses Node's source-map support; frames without a map are left as they are.
 */
function sourceMappedStack(stack: string): string {
  return stack.replace(/(\(|at )(\/[^():]+\.js):(\d+):(\d+)/g, (frame, lead: string, file: string, line: string, column: string) => {
    const entry = findSourceMap(file)?.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry || !('originalSource' in entry) || !entry.originalSource) return frame;
    const source = entry.originalSource.startsWith('file://') ? new URL(entry.originalSource).pathname : path.resolve(path.dirname(file), entry.originalSource);
    return `${lead}${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

/** Text of an error for the report: stack when there is one (it already holds the message). */
function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ? sourceMappedStack(error.stack) : `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Writes one report line to the log file (when configured) and to console.log.
 * Appends synchronously so the lines survive a host that exits right after run() settles.
 */
function reportLine(logFile: string | undefined, line: string): void {
  if (logFile) fs.appendFileSync(logFile, `${line}\n`);
  console.log(line);
}

/** Writes the result atomically (temp file + rename), so the runner never reads half a file. */
function writeResult(resultFile: string | undefined, result: SuiteResult): void {
  if (!resultFile) return;
  fs.writeFileSync(`${resultFile}.tmp`, JSON.stringify(result, null, 2));
  fs.renameSync(`${resultFile}.tmp`, resultFile);
}

/**
 * Runs the suite. Resolves when every test passed; rejects with a summary otherwise, which the
 * extension host turns into a non-zero exit code (the Electron runner relies on that).
 */
export async function run(): Promise<void> {
  // Stack traces of the bundled test files point at the TypeScript sources.
  process.setSourceMapsEnabled(true);
  const resultFile = process.env[suiteEnvNames.resultFile];
  const logFile = process.env[suiteEnvNames.logFile];
  const started = Date.now();
  const outcomes: TestOutcome[] = [];

  const originalConsoleLog = Mocha.reporters.Base.consoleLog;
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => reportLine(logFile, util.format(...args));
  try {
    const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: defaultTestTimeoutMs });
    const grep = process.env[suiteEnvNames.grep];
    if (grep) mocha.grep(new RegExp(grep));
    const testFiles = findTestFiles(__dirname);
    if (testFiles.length === 0) throw new Error(`no *.test.js files under ${__dirname}: run scripts/vscode-test/build-suite.mjs`);
    for (const file of testFiles) mocha.addFile(file);
    const theme = process.env[suiteEnvNames.theme] ?? 'unset';
    reportLine(logFile, `VS Code ${vscode.version} (${vscode.env.appHost}), theme ${theme}, ${testFiles.length} test file(s)${grep ? `, grep /${grep}/` : ''}`);

    const failures = await new Promise<number>((resolve) => {
      const runner = mocha.run(resolve);
      runner.on('pass', (test) => outcomes.push({ fullTitle: test.fullTitle(), state: 'passed', durationMs: test.duration }));
      runner.on('pending', (test) => outcomes.push({ fullTitle: test.fullTitle(), state: 'pending' }));
      // 'fail' also fires for hooks (before/after), which count as failures in mocha's total.
      runner.on('fail', (test, error) => {
        // The spec reporter prints failures at the end, from error.stack: map it to TypeScript now.
        if (error instanceof Error && error.stack) error.stack = sourceMappedStack(error.stack);
        outcomes.push({ fullTitle: test.fullTitle(), state: 'failed', durationMs: test.duration, error: describeError(error) });
      });
    });

    const passed = outcomes.filter((o) => o.state === 'passed').length;
    const failed = outcomes.filter((o) => o.state === 'failed').length;
    const pending = outcomes.filter((o) => o.state === 'pending').length;
    writeResult(resultFile, { schemaVersion: 1, status: 'finished', passed, failed, pending, durationMs: Date.now() - started, tests: outcomes });
    if (failures > 0 || passed === 0) throw new Error(`${failures} test(s) failed, ${passed} passed`);
  } catch (error) {
    // A crash before or outside the tests still leaves a result, so the runner can say why.
    if (resultFile && !fs.existsSync(resultFile)) {
      const failed = outcomes.filter((o) => o.state === 'failed').length;
      const passed = outcomes.filter((o) => o.state === 'passed').length;
      const pending = outcomes.filter((o) => o.state === 'pending').length;
      writeResult(resultFile, {
        schemaVersion: 1,
        status: 'crashed',
        passed,
        failed,
        pending,
        durationMs: Date.now() - started,
        tests: outcomes,
        error: describeError(error),
      });
      reportLine(logFile, `suite crashed: ${describeError(error)}`);
    }
    throw error;
  } finally {
    Mocha.reporters.Base.consoleLog = originalConsoleLog;
  }
}

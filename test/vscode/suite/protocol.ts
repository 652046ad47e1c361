/**
 * Files exchanged between the suite (inside the VS Code extension host) and the runner outside
 * it (scripts/vscode-test/run.mjs or electron.mjs). Both sides only share a file system, so the
 * wiring travels in environment variables: the VS Code server's environment is inherited by the
 * extension host it spawns.
 *
 * Keep this file free of 'vscode' and of anything else the runner scripts (plain .mjs) cannot
 * mirror: they read and write the same shapes by hand.
 */

/** Environment variable names (mirrored in scripts/vscode-test/paths.mjs `suiteEnv`). */
export const suiteEnvNames = {
  /** Absolute path the suite writes its SuiteResult JSON to, once, before run() settles. */
  resultFile: 'MLLOOP_VSCODE_TEST_RESULT',
  /** Absolute path the suite appends mocha's spec report to, line by line, as tests run. */
  logFile: 'MLLOOP_VSCODE_TEST_LOG',
  /** Folder for ScreenshotRequest / ScreenshotAck files; unset when the runner cannot take screenshots. */
  controlDir: 'MLLOOP_VSCODE_TEST_CONTROL',
  /** Folder where the runner stores this run's artifacts (screenshots, logs). */
  artifactsDir: 'MLLOOP_VSCODE_TEST_ARTIFACTS',
  /** Optional mocha --grep pattern (a plain string, matched as a regular expression). */
  grep: 'MLLOOP_VSCODE_TEST_GREP',
  /** The colour theme of this run: 'light' or 'dark'. */
  theme: 'MLLOOP_VSCODE_TEST_THEME',
  /** VS Code's logs folder of this run (`<user-data-dir>/logs`), where the extension host log is. */
  vscodeLogsDir: 'MLLOOP_VSCODE_TEST_VSCODE_LOGS',
} as const;

/** One test's outcome in SuiteResult.tests. durationMs is absent for pending tests. */
export interface TestOutcome {
  fullTitle: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  /** Failure message and stack (source-mapped where possible), for failed tests and hooks. */
  error?: string;
}

/**
 * Written by the suite to the resultFile. `status: 'crashed'` means the suite could not run
 * (no test files, mocha threw); the runner then fails whatever the counts say.
 */
export interface SuiteResult {
  schemaVersion: 1;
  status: 'finished' | 'crashed';
  passed: number;
  failed: number;
  pending: number;
  durationMs: number;
  tests: TestOutcome[];
  /** Why the suite crashed, when status is 'crashed'. */
  error?: string;
}

/**
 * Written by the suite to `<controlDir>/<id>.request.json` (atomically: a temp name, then
 * rename). The runner takes the screenshot after waiting settleMs and answers with a
 * ScreenshotAck at `<controlDir>/<id>.ack.json`.
 */
export interface ScreenshotRequest {
  kind: 'screenshot';
  /** File name without extension: letters, digits, '-', '_' and '.' only. */
  name: string;
  /** Milliseconds the runner waits before shooting, so the workbench can paint (default 500). */
  settleMs: number;
}

/** The runner's answer to a ScreenshotRequest. */
export interface ScreenshotAck {
  ok: boolean;
  /** Absolute path of the PNG, when ok. */
  path?: string;
  /** What went wrong, when not ok. */
  error?: string;
}

/**
 * Helpers for tests that run inside the VS Code extension host (see test/vscode/README.md).
 * Keeps no state between calls: every *.test.ts is bundled separately, so each gets its own copy.
 */
import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { suiteEnvNames, type ScreenshotAck, type ScreenshotRequest } from './protocol';

/** The extension under test: `${publisher}.${name}` from the repository's package.json. */
export const mlloopExtensionId = 'mlloop.mlloop';

/** Command ids the extension registers (the contract other tests and the README rely on). */
export const mlloopCommandIds = [
  'mlloop.createProject',
  'mlloop.importExamples',
  'mlloop.train',
  'mlloop.evaluate',
  'mlloop.showLog',
  'mlloop.retrain',
  'mlloop.promote',
  'mlloop.rollBack',
  'mlloop.openDeploymentReport',
  'mlloop.showHistory',
] as const;

/**
 * Polls `probe` until it returns a truthy value and returns that value.
 * @param probe called every intervalMs (default 100 ms); a thrown error counts as "not yet".
 * @param description names the awaited condition in the timeout error.
 * @param timeoutMs default 20 000 ms; the last probe error, if any, is appended to the message.
 */
export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  description: string,
  { timeoutMs = 20_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

const activationFailureKey = Symbol.for('mlloop.vscodeTest.activationFailure');

/**
 * The extension under test, waited for until VS Code has activated it on its own (by an
 * activation event). Never calls activate(): a test that needs activation to be caused by
 * the workspace must not cause it itself.
 * @param timeoutMs default 30 000 ms
 */
export async function activatedMlloopExtension(timeoutMs = 30_000): Promise<vscode.Extension<unknown>> {
  const extension = vscode.extensions.getExtension(mlloopExtensionId);
  assert.ok(extension, `extension ${mlloopExtensionId} is not installed in this extension host`);
  // Once activation has timed out it will not happen later: fail the following tests at once
  // instead of letting each wait again. Kept on globalThis because every test file is its own
  // bundle with its own copy of this module.
  const failures = globalThis as { [activationFailureKey]?: string };
  if (failures[activationFailureKey]) throw new Error(failures[activationFailureKey]);
  try {
    await waitFor(() => extension.isActive, `${mlloopExtensionId} to activate`, { timeoutMs });
  } catch (error) {
    failures[activationFailureKey] =
      `${(error as Error).message}; errors thrown by activate() are in the run's artifacts, vscode-logs/*/exthost1/remoteexthost.log`;
    throw new Error(failures[activationFailureKey]);
  }
  return extension;
}

/**
 * Text of this window's extension host log: the newest `remoteexthost.log` (VS Code server) or
 * `exthost.log` (desktop VS Code) under the run's VS Code logs folder, or undefined when the
 * runner did not say where that folder is or the log is not written yet.
 */
export function extensionHostLog(): string | undefined {
  const logsDir = process.env[suiteEnvNames.vscodeLogsDir];
  if (!logsDir || !fs.existsSync(logsDir)) return undefined;
  const found: Array<{ file: string; mtimeMs: number }> = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === 'remoteexthost.log' || entry.name === 'exthost.log') found.push({ file: full, mtimeMs: fs.statSync(full).mtimeMs });
    }
  };
  walk(logsDir);
  const newest = found.sort((a, b) => b.mtimeMs - a.mtimeMs)[0];
  return newest ? fs.readFileSync(newest.file, 'utf8') : undefined;
}

/** How VS Code activated an extension, as its extension host log tells. */
export interface ActivationRecord {
  /** The event that caused activation, e.g. 'workspaceContains:mlloop.yaml' or 'onCommand:mlloop.train'. */
  activationEvent: string;
  /** The error activate() threw (message and stack), when it threw. */
  error?: string;
}

/**
 * Reads from the extension host log why and whether `extensionId` activated. Waits until the log
 * names the activation, then `flushMs` (default 1500 ms: VS Code writes its log files in
 * batches) so an error thrown by activate() has reached the file too.
 * @param timeoutMs how long to wait for the activation line (default 20 000 ms)
 */
export async function activationRecord(
  extensionId: string = mlloopExtensionId,
  { timeoutMs = 20_000, flushMs = 1500 }: { timeoutMs?: number; flushMs?: number } = {},
): Promise<ActivationRecord> {
  const escapedId = extensionId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const activation = new RegExp(`_doActivateExtension ${escapedId}, startup: \\w+, activationEvent: '([^']+)'`);
  const activationEvent = await waitFor(
    () => activation.exec(extensionHostLog() ?? '')?.[1],
    `the extension host log to record the activation of ${extensionId}`,
    { timeoutMs, intervalMs: 200 },
  );
  await new Promise((resolve) => setTimeout(resolve, flushMs));
  const lines = (extensionHostLog() ?? '').split('\n');
  const failedAt = lines.findIndex((line) => line.includes(`Activating extension ${extensionId} failed due to an error`));
  if (failedAt < 0) return { activationEvent };
  // The error is the next log entry: one timestamped line, then its indented stack lines.
  const errorLines = [lines[failedAt + 1] ?? ''];
  for (const line of lines.slice(failedAt + 2)) {
    if (!/^\s/.test(line)) break;
    errorLines.push(line);
  }
  return { activationEvent, error: errorLines.join('\n').replace(/^\S+ \S+ \[error\] /, '') };
}

/**
 * Absolute path of the test workspace (a fresh copy of test/vscode/fixtures/workspace or of the
 * fixture the runner was given). Throws when VS Code has no single folder open.
 */
export function workspaceRoot(): string {
  const folders = vscode.workspace.workspaceFolders ?? [];
  assert.equal(folders.length, 1, 'the test window should have exactly one workspace folder open');
  return folders[0].uri.fsPath;
}

/** The colour theme of this run ('light' | 'dark'), or undefined when the runner does not say. */
export function runTheme(): string | undefined {
  return process.env[suiteEnvNames.theme] || undefined;
}

/** True when the runner answers screenshot requests (the code-server runner does; Electron does not). */
export function canTakeScreenshots(): boolean {
  return Boolean(process.env[suiteEnvNames.controlDir]);
}

/**
 * Asks the runner for a screenshot of the whole VS Code window and waits until it is saved.
 * Files land in `test-artifacts/vscode/<theme>/<name>.png`.
 * @param name file name without extension; letters, digits, '-', '_', '.' only.
 * @param settleMs how long the runner waits before shooting so the workbench can paint (default 500).
 * @param timeoutMs how long to wait for the runner's answer (default 30 000 ms).
 * @returns absolute path of the PNG, or undefined when the runner takes no screenshots
 *   (e.g. the Electron runner); throws when the runner reports a failure or does not answer.
 */
export async function takeScreenshot(
  name: string,
  { settleMs = 500, timeoutMs = 30_000 }: { settleMs?: number; timeoutMs?: number } = {},
): Promise<string | undefined> {
  assert.match(name, /^[A-Za-z0-9._-]+$/, `screenshot name "${name}" may only use letters, digits, '.', '_' and '-'`);
  const controlDir = process.env[suiteEnvNames.controlDir];
  if (!controlDir) {
    console.log(`screenshot "${name}" skipped: this runner takes no screenshots`);
    return undefined;
  }
  // Unique across test files, each of which is a separate bundle with its own module state.
  const id = `${Date.now()}-${randomUUID()}`;
  const request: ScreenshotRequest = { kind: 'screenshot', name, settleMs };
  const requestPath = path.join(controlDir, `${id}.request.json`);
  fs.writeFileSync(`${requestPath}.tmp`, JSON.stringify(request));
  fs.renameSync(`${requestPath}.tmp`, requestPath);
  const ackPath = path.join(controlDir, `${id}.ack.json`);
  const ack = await waitFor(
    () => (fs.existsSync(ackPath) ? (JSON.parse(fs.readFileSync(ackPath, 'utf8')) as ScreenshotAck) : undefined),
    `the runner to save screenshot "${name}"`,
    { timeoutMs, intervalMs: 100 },
  );
  if (!ack.ok) throw new Error(`screenshot "${name}" failed: ${ack.error ?? 'no reason given'}`);
  return ack.path;
}

// What both runners (run.mjs on the VS Code server + chromium, electron.mjs on desktop VS Code)
// prepare the same way: a throwaway profile and workspace per run, and how the suite's result
// file is read and summed up into the closing 'N passed, N failed' line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Built-in colour themes a run can use. */
export const themeIds = { light: 'Default Light Modern', dark: 'Default Dark Modern' };

/**
 * User settings for the test profile: the requested theme, workspace trust off (so the extension
 * runs without a trust prompt), telemetry and update checks off, no welcome page or tips.
 * @param {'light'|'dark'} theme
 * @returns {Record<string, unknown>} the settings.json object
 */
export function testUserSettings(theme) {
  return {
    'workbench.colorTheme': themeIds[theme],
    'window.autoDetectColorScheme': false,
    'security.workspace.trust.enabled': false,
    // The browser workbench auto-saves after a second by default; tests that type into a
    // file must decide themselves when (and whether) it reaches the disk.
    'files.autoSave': 'off',
    'telemetry.telemetryLevel': 'off',
    'workbench.startupEditor': 'none',
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    'chat.commandCenter.enabled': false,
    // Tests train on purpose and count the runs they made; the loop running the schedule in
    // the window would train on its own. The loop test turns it on for its own project.
    'mlloop.loop.enabled': false,
    // Likewise the monitor's timer (default every 5 minutes, first run 20 s after a project
    // loads): its notifications would land in other suites' screenshots and its jobs in their
    // counts. The drift suite turns it on for its own timer test.
    'mlloop.monitor.interval': 0,
  };
}

/**
 * The folders of one run, all inside a fresh temp folder.
 * @typedef {{ tempRoot: string, userDataDir: string, extensionsDir: string, controlDir: string,
 *   workspace: string, resultFile: string, reportFile: string }} RunFolders
 */

/**
 * Creates a fresh temp folder with a user-data dir (User/settings.json from testUserSettings), an
 * empty extensions dir, a control dir for screenshot requests, and a copy of `fixture` named like
 * it (so the window title shows the fixture's folder name).
 * @param {{ fixture: string, theme: 'light'|'dark' }} options fixture: absolute folder path
 * @returns {RunFolders}
 */
export function prepareRunFolders({ fixture, theme }) {
  const tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-vscode-test-'));
  const folders = {
    tempRoot,
    userDataDir: path.join(tempRoot, 'user-data'),
    extensionsDir: path.join(tempRoot, 'extensions'),
    controlDir: path.join(tempRoot, 'control'),
    workspace: path.join(tempRoot, path.basename(fixture)),
    resultFile: path.join(tempRoot, 'result.json'),
    reportFile: path.join(tempRoot, 'mocha.log'),
  };
  fs.mkdirSync(path.join(folders.userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(folders.userDataDir, 'User', 'settings.json'), JSON.stringify(testUserSettings(theme), null, 2));
  fs.mkdirSync(folders.extensionsDir);
  fs.mkdirSync(folders.controlDir);
  fs.cpSync(fixture, folders.workspace, { recursive: true });
  return folders;
}

/**
 * Outcome of one theme's run.
 * @typedef {{ theme: string, ok: boolean, passed: number, failed: number, pending: number,
 *   reason?: string, artifactsDir: string }} ThemeRunResult
 */

/**
 * Turns the suite's result file (SuiteResult, see test/vscode/suite/protocol.ts) into a
 * ThemeRunResult. ok only when the suite finished, nothing failed and at least one test passed.
 * @param {string} resultFile
 * @param {string} theme
 * @param {string} artifactsDir
 * @returns {ThemeRunResult}
 */
export function themeResultFromFile(resultFile, theme, artifactsDir) {
  /** @type {import('../../test/vscode/suite/protocol').SuiteResult} */
  const result = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
  let reason;
  if (result.status !== 'finished') reason = `the suite crashed: ${result.error}`;
  else if (result.passed === 0 && result.failed === 0) reason = 'no test ran (check --grep and the suite build)';
  else if (result.failed > 0) {
    reason = result.tests
      .filter((t) => t.state === 'failed')
      .map((t) => `failed: ${t.fullTitle}`)
      .join('\n');
  }
  const ok = result.status === 'finished' && result.failed === 0 && result.passed > 0;
  return { theme, ok, passed: result.passed, failed: result.failed, pending: result.pending, reason, artifactsDir };
}

/**
 * A ThemeRunResult for a run that produced no result file.
 * @param {string} theme
 * @param {string} artifactsDir
 * @param {string} reason what went wrong, with diagnostics
 * @returns {ThemeRunResult}
 */
export function themeFailure(theme, artifactsDir, reason) {
  return { theme, ok: false, passed: 0, failed: 0, pending: 0, reason, artifactsDir };
}

/**
 * The closing line over all themes, e.g. 'vscode: 10 passed, 0 failed, 0 skipped'. A theme run
 * that failed without failing tests (crash, timeout, no test ran) counts as one failure, so the
 * line never reads '0 failed' for a run that did not pass.
 * @param {ThemeRunResult[]} results
 * @returns {string}
 */
export function closingLine(results) {
  const passed = results.reduce((sum, r) => sum + r.passed, 0);
  const failed = results.reduce((sum, r) => sum + (r.failed > 0 ? r.failed : r.ok ? 0 : 1), 0);
  const pending = results.reduce((sum, r) => sum + r.pending, 0);
  return `vscode: ${passed} passed, ${failed} failed, ${pending} skipped`;
}

/**
 * Parses a theme list like 'light,dark'.
 * @param {string} text
 * @returns {Array<'light'|'dark'>}
 */
export function parseThemes(text) {
  const themes = text.split(',').map((t) => t.trim()).filter(Boolean);
  if (themes.length === 0) throw new Error('no theme given: use light and/or dark');
  for (const theme of themes) {
    if (!(theme in themeIds)) throw new Error(`unknown theme "${theme}": use light and/or dark`);
  }
  return /** @type {Array<'light'|'dark'>} */ (themes);
}

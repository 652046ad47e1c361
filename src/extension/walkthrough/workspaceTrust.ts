/**
 * What ML Loop does in an untrusted workspace (VS Code's Restricted Mode), and the guard
 * commands use.
 *
 * Why these limits: an mlloop.yaml names files to read (data.sources) and settings that
 * decide how much work runs (epochs, bootstrap, importance repeats); importing reads those
 * files into the store, training and evaluating run long computations on them and write
 * models and reports into the folder. A workspace someone else wrote could point those at
 * any file the user can read, or make the machine busy for hours, just because the user
 * clicked Train. Reading and checking mlloop.yaml itself runs nothing and reads nothing
 * else, so diagnostics, completion and hover stay on.
 *
 * package.json declares the same (capabilities.untrustedWorkspaces: limited) and disables
 * these commands with `enablement: isWorkspaceTrusted` (palette, menus, keybindings). The
 * guard below covers the paths that do not consult enablement (executeCommand from a
 * webview, a walkthrough link or another extension) and tells the user why instead of
 * doing nothing; each command's handler calls it first (trustGuard.ts binds it to VS Code).
 */

/** Actions refused in an untrusted workspace, by command id, with the words the message uses. */
export const TRUST_REQUIRED_ACTIONS = {
  'mlloop.createSampleProject': 'Creating the sample project',
  'mlloop.importExamples': 'Importing examples',
  'mlloop.train': 'Training',
  'mlloop.evaluate': 'Evaluating',
  'mlloop.retrain': 'Retraining',
  'mlloop.promote': 'Promoting a model',
  'mlloop.rollBack': 'Rolling back the champion',
  // A server reads the project's store and answers on a port; an experiment's stop promotes.
  'mlloop.startServer': 'Starting the server',
  // Stopping another process by the pid the store names: only where the store is trusted.
  'mlloop.stopServer': 'Stopping a server this window did not start',
  'mlloop.startExperiment': 'Starting the experiment',
  'mlloop.stopExperiment': 'Stopping the experiment',
} as const;

/** VS Code's command that opens the workspace trust editor. */
export const MANAGE_TRUST_COMMAND = 'workbench.trust.manage';

/** The message shown when `action` (e.g. 'Training') is refused in an untrusted workspace. */
export function untrustedMessage(action: string): string {
  return (
    `ML Loop: ${action} is turned off in Restricted Mode: it reads the data files mlloop.yaml names and runs work on them. ` +
    'Trust this workspace to use it; checking, completing and explaining mlloop.yaml work either way.'
  );
}

/** How the guard talks to VS Code (injected, so the decision is testable without an untrusted window). */
export interface TrustEnvironment {
  isTrusted: boolean;
  /** Shows a warning with buttons; resolves to the button chosen. */
  showWarning(message: string, ...buttons: string[]): Thenable<string | undefined>;
  executeCommand(command: string): Thenable<unknown>;
}

/**
 * True when `action` may run. In an untrusted workspace: false, after showing
 * {@link untrustedMessage} with a "Manage Workspace Trust" button (not awaited: the
 * command returns at once, the message stays until dismissed).
 */
export function allowedInWorkspace(action: string, env: TrustEnvironment): boolean {
  if (env.isTrusted) return true;
  const manage = 'Manage Workspace Trust';
  void Promise.resolve(env.showWarning(untrustedMessage(action), manage)).then((choice) => {
    if (choice === manage) void env.executeCommand(MANAGE_TRUST_COMMAND);
  });
  return false;
}

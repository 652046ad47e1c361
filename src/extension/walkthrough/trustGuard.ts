/**
 * The Restricted Mode guard bound to VS Code (the decision itself is in workspaceTrust.ts).
 * Commands that read a project's data or run jobs call it first:
 *
 *   if (!ensureWorkspaceTrusted('mlloop.train')) return undefined;
 */
import * as vscode from 'vscode';
import { allowedInWorkspace, TRUST_REQUIRED_ACTIONS, type TrustEnvironment } from './workspaceTrust';

/** The live environment: this window's trust, its notifications and commands. */
export function vscodeTrustEnvironment(): TrustEnvironment {
  return {
    isTrusted: vscode.workspace.isTrusted,
    showWarning: (message, ...buttons) => vscode.window.showWarningMessage(message, ...buttons),
    executeCommand: (command) => vscode.commands.executeCommand(command),
  };
}

/**
 * True when the workspace is trusted. Otherwise false, after telling the user why
 * `commandId` is turned off in Restricted Mode (with a button to manage trust).
 */
export function ensureWorkspaceTrusted(commandId: keyof typeof TRUST_REQUIRED_ACTIONS): boolean {
  return allowedInWorkspace(TRUST_REQUIRED_ACTIONS[commandId], vscodeTrustEnvironment());
}

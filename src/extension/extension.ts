/**
 * Extension entry: wires things together and nothing else. Activation must stay cheap:
 * no tfjs, no store — those load in the job worker or on first use.
 */
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { Log } from './log';

export function activate(context: vscode.ExtensionContext): { log: Log } {
  const started = Date.now();
  const log = new Log();
  context.subscriptions.push(log, ...registerCommands({ context, log }));
  log.info(`ML Loop activated in ${Date.now() - started} ms`);
  // Returned for tests and other extensions (vscode.extensions.getExtension(...).exports).
  return { log };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions; running jobs end with their worker.
}

/**
 * Wires serving into the window: this window's `mlloop serve` process, what the dashboard's
 * server and experiment cards read, and the four commands. extension.ts calls this once,
 * before the sidebar (whose dashboard shows the cards).
 */
import * as vscode from 'vscode';
import type { CommandDeps } from '../commands';
import { registerServingCommands } from './commands';
import { ServerProcess } from './serverProcess';
import { ServingState } from './servingState';

export interface ServingParts {
  server: ServerProcess;
  serving: ServingState;
}

export function registerServing(deps: CommandDeps): { parts: ServingParts; disposables: vscode.Disposable[] } {
  const server = new ServerProcess({ cliScript: deps.context.asAbsolutePath('dist/cli.js'), log: (line) => deps.log.info(line) });
  const serving = new ServingState(deps.state, server);
  // Disposed in this order when the window closes: the commands, the cards, then the server
  // (SIGTERM, so it writes its prediction log before it exits).
  return { parts: { server, serving }, disposables: [server, serving, ...registerServingCommands({ ...deps, server, serving })] };
}

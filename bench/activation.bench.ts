/**
 * What activation costs our code: loading dist/extension.js and calling activate(), with a
 * minimal stand-in for the `vscode` module so the figure is ours alone (VS Code's own
 * extension-host overhead comes on top; the VS Code test tier logs the real figure in the
 * "ML Loop" output channel: "ML Loop activated in N ms"). tfjs and sql.js are not in the
 * extension bundle at all (they live in dist/worker.js). Run after `npm run build`:
 * `npx tsx bench/activation.bench.ts`.
 */
import Module from 'node:module';
import path from 'node:path';

const disposable = { dispose() {} };
const event = () => disposable;
class EventEmitter {
  event = event;
  fire() {}
  dispose() {}
}
const vscodeStandIn = {
  window: { createOutputChannel: () => ({ info() {}, error() {}, debug() {}, show() {}, dispose() {} }) },
  commands: { registerCommand: () => disposable },
  workspace: {
    getConfiguration: () => ({ get: (_: string, d: unknown) => d }),
    createFileSystemWatcher: () => ({ onDidChange: event, onDidCreate: event, onDidDelete: event, dispose() {} }),
    findFiles: async () => [],
  },
  EventEmitter,
  ProgressLocation: { Notification: 15 },
};

const moduleWithLoad = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const originalLoad = moduleWithLoad._load;
moduleWithLoad._load = function (request: string, ...rest: unknown[]) {
  if (request === 'vscode') return vscodeStandIn;
  return originalLoad.call(this, request, ...rest);
};

const t0 = performance.now();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ext = require(path.join(__dirname, '..', 'dist', 'extension.js')) as { activate: (c: unknown) => unknown };
const t1 = performance.now();
ext.activate({ subscriptions: [], asAbsolutePath: (p: string) => p });
const t2 = performance.now();
console.log(`extension activation: load bundle ${(t1 - t0).toFixed(1)} ms + activate() ${(t2 - t1).toFixed(1)} ms = ${(t2 - t0).toFixed(1)} ms`);

/**
 * Host side of a webview's message channel: holds messages until the page says
 * `webview/ready`, then calls `onReady` (which posts the full snapshot) and lets updates
 * through; handles the messages every panel shares (save PNG, copy CSV, run a command).
 */
import * as vscode from 'vscode';
import type { CommonToHost } from '../../../webview/shared/protocol';

export class WebviewChannel<ToPage extends { type: string }, FromPage extends { type: string }> implements vscode.Disposable {
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly webview: vscode.Webview,
    private readonly handlers: {
      /** Post the full state snapshot. Called after every `webview/ready` (the page reloads when it is shown again). */
      onReady: () => void | Promise<void>;
      /** Messages specific to the panel. */
      onMessage?: (m: FromPage) => void | Promise<void>;
    },
  ) {
    this.disposables.push(
      webview.onDidReceiveMessage((m: FromPage | CommonToHost) => {
        void this.receive(m);
      }),
    );
  }

  /** True once the page has said it is ready (messages posted before are dropped: the snapshot carries them). */
  get isReady(): boolean {
    return this.ready;
  }

  post(message: ToPage): void {
    if (this.ready) void this.webview.postMessage(message);
  }

  private async receive(m: FromPage | CommonToHost): Promise<void> {
    switch (m.type) {
      case 'webview/ready':
        this.ready = true;
        await this.handlers.onReady();
        return;
      case 'webview/savePng': {
        const c = m as Extract<CommonToHost, { type: 'webview/savePng' }>;
        const target = await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(require('node:os').homedir()), c.suggestedName),
          filters: { 'PNG image': ['png'] },
        });
        if (!target) return;
        const base64 = c.dataUrl.slice(c.dataUrl.indexOf(',') + 1);
        await vscode.workspace.fs.writeFile(target, Buffer.from(base64, 'base64'));
        void vscode.window.showInformationMessage(`ML Loop: saved ${vscode.workspace.asRelativePath(target)}`);
        return;
      }
      case 'webview/copyText': {
        const c = m as Extract<CommonToHost, { type: 'webview/copyText' }>;
        await vscode.env.clipboard.writeText(c.text);
        void vscode.window.showInformationMessage(`ML Loop: copied ${c.what} to the clipboard`);
        return;
      }
      case 'webview/command': {
        const c = m as Extract<CommonToHost, { type: 'webview/command' }>;
        if (!c.command.startsWith('mlloop.')) return; // pages may only run ML Loop's own commands
        await vscode.commands.executeCommand(c.command, ...(c.args ?? []));
        return;
      }
      default:
        await this.handlers.onMessage?.(m as FromPage);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

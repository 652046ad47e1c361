/** The "ML Loop" output channel: every job's progress lines and errors land here. */
import * as vscode from 'vscode';

export class Log implements vscode.Disposable {
  readonly channel = vscode.window.createOutputChannel('ML Loop', { log: true });

  info(message: string): void {
    this.channel.info(message);
  }

  error(message: string, err?: unknown): void {
    this.channel.error(message);
    if (err instanceof Error && err.stack) this.channel.debug(err.stack);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}

/**
 * Deployment reports (.mlloop/reports/cycle-<n>.html) shown inside VS Code: one editor tab per
 * report, beside the current editor. The report is self-contained (inline CSS, no script, its
 * own Content Security Policy that loads nothing), so the webview runs no script and may load
 * no resource; it works the same in a remote window, where the system browser cannot read the
 * report's file.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';

export const DEPLOYMENT_REPORT_VIEW_TYPE = 'mlloop.deploymentReport';

export class DeploymentReportPanels implements vscode.Disposable {
  private readonly panels = new Map<string, vscode.WebviewPanel>();

  /** The open report tabs by file (automation reads it). */
  get open(): ReadonlyMap<string, vscode.WebviewPanel> {
    return this.panels;
  }

  /**
   * Shows `file` in its tab (re-read, so a report written again shows its new text).
   * @throws Error when the file cannot be read (the caller says which cycle it belonged to).
   */
  show(file: string, title: string): vscode.WebviewPanel {
    const html = fs.readFileSync(file, 'utf8');
    let panel = this.panels.get(file);
    if (panel) {
      panel.webview.html = html;
      panel.reveal(vscode.ViewColumn.Beside);
      return panel;
    }
    panel = vscode.window.createWebviewPanel(DEPLOYMENT_REPORT_VIEW_TYPE, title, vscode.ViewColumn.Beside, { enableScripts: false, localResourceRoots: [] });
    panel.webview.html = html;
    const created = panel;
    created.onDidDispose(() => {
      if (this.panels.get(file) === created) this.panels.delete(file);
    });
    this.panels.set(file, created);
    return created;
  }

  dispose(): void {
    for (const p of this.panels.values()) p.dispose();
    this.panels.clear();
  }
}

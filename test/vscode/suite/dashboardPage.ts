/**
 * The dashboard page as the VS Code suites drive it (dashboard, loop, serving): what it last
 * drew, showing it until it has drawn, and waiting for a drawing.
 */
import * as vscode from 'vscode';
import type { DashboardRendering } from '../../../webview/dashboard/protocol';
import { waitFor } from './harness';

/** What the dashboard page last reported it drew (undefined: not drawn, or hidden). */
export async function rendering(): Promise<DashboardRendering | undefined> {
  return vscode.commands.executeCommand<DashboardRendering | undefined>('_mlloop.dashboard.rendering');
}

/**
 * Shows the dashboard and waits until its page has drawn. In the browser-hosted VS Code of this
 * tier a webview sometimes never loads (its iframe waits for a service-worker
 * `controllerchange` that does not come: a VS Code web race, microsoft/vscode#312020); hiding
 * the view disposes its iframe, and showing it again loads a fresh one.
 */
export async function showDashboard(attempts = 3): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await vscode.commands.executeCommand('mlloop.openDashboard');
    try {
      await waitFor(async () => (await rendering()) !== undefined, 'the dashboard page to draw', { timeoutMs: 8000 });
      return;
    } catch (e) {
      if (attempt >= attempts) throw e;
      await vscode.commands.executeCommand('workbench.action.closeSidebar');
    }
  }
}

/** Waits until the dashboard shows something that satisfies `accept`, and returns it; the error says what it showed last. */
export async function dashboardShowing(description: string, accept: (r: DashboardRendering) => boolean, timeoutMs = 20_000): Promise<DashboardRendering> {
  let last: DashboardRendering | undefined;
  try {
    return await waitFor(
      async () => {
        last = await rendering();
        return last && accept(last) ? last : undefined;
      },
      `the dashboard to show ${description}`,
      { timeoutMs, intervalMs: 150 },
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}; it shows: ${last ? JSON.stringify(last) : 'nothing'}`);
  }
}

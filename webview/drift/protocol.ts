/**
 * Messages between the Drift & Alerts panel and its host (src/extension/drift/driftPanel.ts).
 * Types only; imported by both sides.
 *
 * Flow: the page posts `webview/ready`; the host answers with `drift/snapshot`; later
 * snapshots follow whenever the alerts or the project change, and `drift/focus` when the
 * user opens an alert from the Alerts view while the panel is already open.
 */
import type { Alert } from '../../src/core/monitor/types';

export interface DriftState {
  /** Null when the workspace has no ML Loop project. */
  project: { name: string } | null;
  /** The model monitoring compares live data with (the current model), when there is one. */
  currentModel: { version: string; createdAt: string } | null;
  /** Every alert, unacknowledged first, then most urgent, then newest. */
  alerts: Alert[];
  /** The alert to scroll to and highlight (opened from the Alerts view), if any. */
  focusAlertId: string | null;
}

/** What the page rendered, reported after each render (automation reads it). */
export interface DriftRendering {
  /** The visible text, whitespace collapsed. */
  text: string;
  /** Every button: its label and the control id `drift/press` takes. */
  buttons: Array<{ label: string; control: string; disabled: boolean }>;
  /** The alert shown highlighted, if any. */
  focusedAlertId: string | null;
}

export type DriftToPage =
  | { type: 'drift/snapshot'; state: DriftState }
  | { type: 'drift/focus'; alertId: string }
  /** Press the button with this control id as a user would (automation: the VS Code tests). */
  | { type: 'drift/press'; control: string };

export type DriftToHost =
  | { type: 'drift/acknowledge'; alertId: string }
  /** Sent after every render, so automation can check what a user sees. */
  | { type: 'drift/rendered'; rendering: DriftRendering };

/** What the page keeps across hide/show and window reload (webview setState; the serializer gets it back). */
export interface DriftPageState {
  schemaVersion: 1;
  showAcknowledged: boolean;
  focusAlertId: string | null;
}

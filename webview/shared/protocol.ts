/**
 * Messages every panel shares with its host (each panel's own protocol.ts adds its
 * snapshot and updates). Typed, named `scope/method`, imported by both sides.
 *
 * The handshake: the page posts `webview/ready` once its script runs; only then does the
 * host post anything, starting with a full state snapshot; later messages are updates.
 */
export type CommonToHost =
  | { type: 'webview/ready' }
  /** Save a chart as PNG (a data: URL) through a save dialog. */
  | { type: 'webview/savePng'; suggestedName: string; dataUrl: string }
  /** Put text (a chart's data as CSV) on the clipboard. */
  | { type: 'webview/copyText'; text: string; what: string }
  /** Run an ML Loop command (buttons in panels). */
  | { type: 'webview/command'; command: string; args?: unknown[] };

/**
 * Page side of the channel: the VS Code API (acquired once), the ready handshake, typed
 * posting and receiving, and state that survives hide/show and reload (setState).
 */
import type { CommonToHost } from './protocol';

interface VsCodeApi<S> {
  postMessage(message: unknown): void;
  getState(): S | undefined;
  setState(state: S): void;
}
declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

export class HostChannel<ToHost extends { type: string }, FromHost extends { type: string }, S = unknown> {
  private readonly api: VsCodeApi<S> = acquireVsCodeApi<S>();

  /** Registers the handler, then tells the host the page is ready (so no message is missed). */
  start(onMessage: (m: FromHost) => void): void {
    window.addEventListener('message', (e: MessageEvent<FromHost>) => onMessage(e.data));
    this.post({ type: 'webview/ready' });
  }

  post(m: ToHost | CommonToHost): void {
    this.api.postMessage(m);
  }

  get state(): S | undefined {
    return this.api.getState();
  }

  set state(s: S | undefined) {
    if (s !== undefined) this.api.setState(s);
  }
}

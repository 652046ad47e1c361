/**
 * Host side of the store worker: typed requests that resolve with the worker's answer.
 * One worker per project root, started on the first request and terminated by dispose().
 */
import { Worker } from 'node:worker_threads';
import { UserError } from '../core/util/errors';
import type { FromStoreWorker, StoreRequest, StoreResponseOf, ToStoreWorker } from './storeProtocol';

export class StoreClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  /**
   * @param workerScript absolute path of dist/storeWorker.js
   * @param root the project folder (its store need not exist yet)
   */
  constructor(
    private readonly workerScript: string,
    private readonly root: string,
  ) {}

  request<R extends StoreRequest>(request: R): Promise<StoreResponseOf<R>> {
    return this.send(this.ensureWorker(), request);
  }

  private send<R extends StoreRequest>(worker: Worker, request: R): Promise<StoreResponseOf<R>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, request } satisfies ToStoreWorker);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerScript, { workerData: { root: this.root } });
    worker.on('message', (m: FromStoreWorker) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(m.userError ? new UserError(m.message, m.location) : new Error(m.message));
    });
    const failAll = (e: Error) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
      this.worker = undefined; // the next request starts a new one
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`The store worker stopped (exit code ${code}).`)));
    // Do not keep a process alive just for this worker (tests, the CLI).
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /**
   * Ends the worker: after the requests under way (the worker answers in order) it closes the
   * store, then the thread ends. Why not terminate at once: a thread ended inside a transaction
   * leaves ML Loop's store lock behind stamped with this process, which is alive, so no one —
   * not even the next worker of this process — could take it again. After `graceMs` (default
   * 20 s) without an answer the thread is ended anyway.
   */
  async dispose(graceMs = 20_000): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (!w) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.send(w, { method: 'close' }).catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
        timer.unref?.();
      }),
    ]);
    if (timer) clearTimeout(timer);
    await w.terminate();
  }
}

/**
 * One shape for "read again" in the extension's state holders (the project state, monitoring,
 * the serving cards): one load at a time, and at most one waiting behind it, which every call
 * made meanwhile shares. The waiting load starts after those calls, so it sees what they
 * changed; a burst of N calls costs at most two loads, never N.
 *
 * Why: each holder is asked to read again after every commit to the store (the file watcher),
 * and a load is several store reads in the store worker. One load per call piled loads up in
 * the worker's queue while a training or a server wrote, and other readers (a run panel's
 * first read) waited behind them.
 *
 * @param load the read; its rejection goes to `onError` (the returned promise never rejects)
 * @returns call it to ask for a load; it resolves when the load that covers the call has ended
 */
export function coalesced(load: () => Promise<void>, onError: (e: unknown) => void = () => undefined): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  let waiting: Promise<void> | undefined;
  return () => {
    if (waiting) return waiting;
    const next: Promise<void> = running
      .then(() => {
        if (waiting === next) waiting = undefined;
        return load();
      })
      .catch(onError);
    waiting = next;
    running = next;
    return next;
  };
}

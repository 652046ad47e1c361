/**
 * The worker-thread entry of ./thread.ts, built as dist/compute-worker.js: runs the one task
 * in workerData (./tasks.ts), posts `{ result }` or `{ error }`, and ends. Cancelling is the
 * parent terminating the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runComputeTask, transferables, type ComputeTask } from './tasks';

void (async () => {
  const task = workerData as ComputeTask;
  try {
    const result = await runComputeTask(task);
    parentPort?.postMessage({ result }, transferables(task.kind, result));
  } catch (e) {
    parentPort?.postMessage({ error: (e as Error).message });
  }
})();

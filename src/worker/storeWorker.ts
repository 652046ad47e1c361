/**
 * Store worker entry (bundled as dist/storeWorker.js; no tfjs): answers the extension's
 * read requests from the project's store, which it keeps open (SQLite re-reads only the
 * pages another process changed). workerData: { root }.
 */
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { projectPaths, storeSettingOf } from '../core/project/workspace';
import { openStore as openProjectStore } from '../core/store/open';
import type { Store, StoreOps } from '../core/store/types';
import { experimentReport } from '../core/experiments/report';
import type { ProjectConfig } from '../core/project/types';
import { systemClock } from '../core/context/clock';
import { loopCounters } from '../core/loop/schedule';
import { acknowledgeAlert, openAlerts, resolveAlert } from '../core/monitor/alerts';
import { CHAMPION, currentModel } from '../core/registry/registry';
import { isUserError } from '../core/util/errors';
import { userFacingError } from '../core/util/fsErrors';
import type { FromStoreWorker, RegistrySummary, ServingSummary, StoreRequest, StoreSummary, ToStoreWorker } from './storeProtocol';

const root = (workerData as { root: string }).root;
let store: Store | undefined;

/**
 * The project's store, opened on first need. For the embedded file: undefined while no store
 * file exists (looking never creates one).
 */
async function openStore(): Promise<Store | undefined> {
  if (store) return store;
  const setting = storeSettingOf(root);
  const paths = projectPaths(root);
  if (!setting.url && !process.env.MLLOOP_STORE_URL && !fs.existsSync(paths.storeFile)) return undefined;
  store = await openProjectStore(setting, paths.storeFile, paths.root, { purpose: 'ML Loop (VS Code views)' });
  return store;
}

async function handle(request: StoreRequest): Promise<unknown> {
  if (request.method === 'close') {
    const open = store;
    store = undefined;
    await open?.close();
    return null;
  }
  const s = await openStore();
  if (!s) return null;
  switch (request.method) {
    case 'summary': {
      const runs = await s.listRuns({ limit: 200 });
      const lastCompleted = runs.find((r) => r.status === 'completed');
      const examples = await s.countExamples();
      const summary: StoreSummary = {
        examples,
        examplesSinceLastRun: lastCompleted ? await s.countExamples({ importedAfter: lastCompleted.startedAt }) : examples,
        runs,
        models: await s.listModels(),
        registry: await registrySummary(s),
        cycles: await s.listCycles({ limit: 50 }),
        loop: await loopCounters(s),
      };
      return summary;
    }
    case 'registry':
      return registrySummary(s);
    case 'runWithEpochs': {
      const run = await s.getRun(request.runId);
      return run ? { run, epochs: await s.listEpochs(request.runId) } : null;
    }
    case 'deleteRun':
      await s.deleteRun(request.runId);
      return null;
    case 'serving':
      return servingSummary(s, request.experiment);
    case 'monitoring':
      return { alerts: await openAlerts(s), snapshots: await s.listMonitorSnapshots({ limit: request.limit }) };
    case 'acknowledgeAlert':
      return acknowledgeAlert(s, request.alertId, request.by, systemClock.now());
    case 'resolveAlert':
      return resolveAlert(s, request.alertId, request.by, systemClock.now());
  }
}

/**
 * The server records and the experiment's report. A failing report does not hide the servers:
 * the card says why instead (the report reads predictions and outcomes, the servers one table).
 */
async function servingSummary(s: Store, experiment: ProjectConfig['experiment'] | null): Promise<ServingSummary> {
  const servers = await s.listServers();
  if (!experiment) return { servers, experiment: null, experimentError: null };
  try {
    // experimentReport reads only config.experiment of the project's config.
    const config = { experiment } as ProjectConfig;
    return { servers, experiment: await experimentReport({ config, store: s }), experimentError: null };
  } catch (e) {
    const err = userFacingError(e) as Error;
    return { servers, experiment: null, experimentError: err.message ?? String(e) };
  }
}

async function registrySummary(s: StoreOps): Promise<RegistrySummary> {
  const alias = await s.getAlias(CHAMPION);
  const current = await currentModel(s);
  return {
    champion: alias ? { version: alias.version, since: alias.since } : null,
    current: current ? { version: current.model.version, why: current.why } : null,
    history: await s.listRegistryEvents(),
  };
}

if (parentPort) {
  const port = parentPort;
  // One request at a time, in order, so answers never interleave.
  let queue = Promise.resolve();
  port.on('message', (m: ToStoreWorker) => {
    queue = queue.then(async () => {
      let reply: FromStoreWorker;
      try {
        reply = { id: m.id, ok: true, result: await handle(m.request) };
      } catch (caught) {
        const e = userFacingError(caught);
        const location = isUserError(e) ? e.location : undefined;
        reply = { id: m.id, ok: false, message: (e as Error).message ?? String(e), userError: isUserError(e), ...(location ? { location } : {}) };
      }
      port.postMessage(reply);
    });
  });
}

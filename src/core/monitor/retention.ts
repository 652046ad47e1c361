/**
 * Retention (`monitoring.retention` of mlloop.yaml): the prediction log is kept 7 days and the
 * monitor's history (snapshots: drift and live performance over time) 30 days by default.
 * `mlloop ingest` applies the prediction part after taking in the inbox; every recording
 * monitoring run applies both, so a project that is only monitored does not grow forever.
 */
import type { MonitoringConfig } from '../project/types';
import type { Store } from '../store/types';
import { parseDuration } from '../util/schedule';

/**
 * A retention setting in milliseconds, or null for 'forever'. Accepts what the schema allows
 * (a number and ms, s, m, h, d or w: parseDuration's one pattern).
 * @throws Error for text the schema would have refused (a resolved config never has it).
 */
export function retentionMs(text: string): number | null {
  const t = text.trim();
  if (t === 'forever') return null;
  return parseDuration(t);
}

/** What {@link applyRetention} deleted. */
export interface RetentionResult {
  /** Logged predictions deleted (with their feedback and outcomes). */
  predictions: number;
  /** Monitoring snapshots deleted. */
  snapshots: number;
}

/**
 * Deletes logged predictions older than `retention.predictions` and monitoring snapshots
 * older than `retention.history`, measured from `now` (the context's clock). The training
 * examples that feedback and outcomes became are kept.
 */
export async function applyRetention(store: Store, retention: MonitoringConfig['retention'], now: Date): Promise<RetentionResult> {
  const out: RetentionResult = { predictions: 0, snapshots: 0 };
  const keepPredictions = retentionMs(retention.predictions);
  if (keepPredictions !== null) out.predictions = await store.prunePredictions(new Date(now.getTime() - keepPredictions).toISOString());
  const keepHistory = retentionMs(retention.history);
  if (keepHistory !== null) out.snapshots = await store.pruneMonitorSnapshots(new Date(now.getTime() - keepHistory).toISOString());
  return out;
}

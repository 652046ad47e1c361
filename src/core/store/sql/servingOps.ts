/**
 * The store's serving calls (schema 5): shadow predictions, experiments, and the predictions
 * of an experiment's arms with their outcomes. The same SQL on SQLite and PostgreSQL, as the
 * rest of sqlStore.ts; labels are encoded as the store encodes every label.
 */
import type { ExperimentRecord, Label, ServerRecord, ShadowComparison, ShadowPredictionInput, VariantAssignment } from '../types';
import type { SqlConn, SqlParam, SqlRow } from './driver';

/** Rows per multi-row insert. */
const BATCH = 200;

/** What the serving calls need of the store: its label encoding. */
export interface LabelCodec {
  encodeLabel(label: string | number): SqlParam;
  decodeLabel(v: unknown): string | number;
}

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function timeBounds(column: string, o: { from?: string; to?: string }): { parts: string[]; params: SqlParam[] } {
  const parts: string[] = [];
  const params: SqlParam[] = [];
  if (o.from) (parts.push(`${column} >= ?`), params.push(new Date(o.from).toISOString()));
  if (o.to) (parts.push(`${column} < ?`), params.push(new Date(o.to).toISOString()));
  return { parts, params };
}

function toExperiment(r: SqlRow): ExperimentRecord {
  return {
    name: String(r.name),
    startedAt: String(r.started_at),
    startedBy: String(r.started_by),
    stoppedAt: str(r.stopped_at),
    stoppedBy: str(r.stopped_by),
    result: typeof r.result === 'string' ? (JSON.parse(r.result) as Record<string, unknown>) : null,
  };
}

export function servingOpsFor(conn: SqlConn, codec: LabelCodec) {
  const enc = (l: unknown) => (l === undefined || l === null ? null : codec.encodeLabel(l as string | number));
  const dec = (v: unknown): Label | undefined => (v === null || v === undefined ? undefined : codec.decodeLabel(v));
  return {
    async addShadowPredictions(rows: ShadowPredictionInput[]): Promise<{ inserted: number; duplicates: number }> {
      let inserted = 0;
      for (let i = 0; i < rows.length; i += BATCH) {
        const changed = await conn.runMany(
          'INSERT INTO shadow_predictions (prediction_id, model_version, time, output, label, value, confidence, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (prediction_id, model_version) DO NOTHING',
          rows.slice(i, i + BATCH).map((r) => [
            r.prediction,
            r.model,
            new Date(r.time).toISOString(),
            JSON.stringify(r.output),
            enc(r.output.label),
            r.output.value ?? null,
            r.output.confidence ?? null,
            r.latencyMs ?? null,
          ]),
        );
        inserted += changed.filter(Boolean).length;
      }
      return { inserted, duplicates: rows.length - inserted };
    },

    async listShadowComparisons(o: { model?: string; from?: string; to?: string } = {}): Promise<ShadowComparison[]> {
      const { parts, params } = timeBounds('p.time', o);
      if (o.model) (parts.push('s.model_version = ?'), params.push(o.model));
      const rows = await conn.all(
        `SELECT p.id AS prediction, p.time AS time, p.model_version AS served_model, p.output AS served_output, p.variant AS variant,
                s.model_version AS shadow_model, s.output AS shadow_output, s.latency_ms AS shadow_latency
           FROM shadow_predictions s JOIN predictions p ON p.id = s.prediction_id
          ${parts.length ? `WHERE ${parts.join(' AND ')}` : ''}
          ORDER BY p.seq, s.model_version`,
        params,
      );
      return rows.map((r) => ({
        prediction: String(r.prediction),
        time: String(r.time),
        served: { model: String(r.served_model), output: JSON.parse(String(r.served_output)) as ShadowComparison['served']['output'], ...(r.variant !== null && r.variant !== undefined ? { variant: String(r.variant) } : {}) },
        shadow: {
          model: String(r.shadow_model),
          output: JSON.parse(String(r.shadow_output)) as ShadowComparison['shadow']['output'],
          ...(r.shadow_latency !== null && r.shadow_latency !== undefined ? { latencyMs: Number(r.shadow_latency) } : {}),
        },
      }));
    },

    async listVariantAssignments(o: { from?: string; to?: string } = {}): Promise<VariantAssignment[]> {
      const { parts, params } = timeBounds('p.time', o);
      const rows = await conn.all(
        `SELECT p.id AS prediction, p.time AS time, p.variant AS variant, p.entity AS entity, p.model_version AS model,
                o.id AS outcome_id, o.time AS outcome_time, o.label AS outcome_label, o.value AS outcome_value
           FROM predictions p LEFT JOIN outcomes o ON o.prediction_id = p.id
          WHERE p.variant IS NOT NULL${parts.length ? ` AND ${parts.join(' AND ')}` : ''}
          ORDER BY p.seq, o.id`,
        params,
      );
      const out: VariantAssignment[] = [];
      let last: VariantAssignment | undefined;
      for (const r of rows) {
        const id = String(r.prediction);
        if (!last || last.prediction !== id) {
          last = { prediction: id, time: String(r.time), variant: String(r.variant), ...(r.entity !== null && r.entity !== undefined ? { entity: String(r.entity) } : {}), model: String(r.model), outcomes: [] };
          out.push(last);
        }
        if (r.outcome_id !== null && r.outcome_id !== undefined) {
          const label = dec(r.outcome_label);
          last.outcomes.push({
            id: Number(r.outcome_id),
            time: String(r.outcome_time),
            ...(label !== undefined ? { label } : {}),
            ...(r.outcome_value !== null && r.outcome_value !== undefined ? { value: Number(r.outcome_value) } : {}),
          });
        }
      }
      return out;
    },

    async getExperiment(name: string): Promise<ExperimentRecord | undefined> {
      const r = await conn.get('SELECT * FROM experiments WHERE name = ?', [name]);
      return r ? toExperiment(r) : undefined;
    },

    async startExperiment(name: string, at: string, by: string): Promise<ExperimentRecord> {
      await conn.run('INSERT INTO experiments (name, started_at, started_by) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING', [name, new Date(at).toISOString(), by]);
      return toExperiment((await conn.get('SELECT * FROM experiments WHERE name = ?', [name]))!);
    },

    async stopExperiment(name: string, r: { at: string; by: string; result: Record<string, unknown> }): Promise<ExperimentRecord | undefined> {
      await conn.run('UPDATE experiments SET stopped_at = ?, stopped_by = ?, result = ? WHERE name = ? AND stopped_at IS NULL', [new Date(r.at).toISOString(), r.by, JSON.stringify(r.result), name]);
      const row = await conn.get('SELECT * FROM experiments WHERE name = ?', [name]);
      return row ? toExperiment(row) : undefined;
    },

    async listExperiments(): Promise<ExperimentRecord[]> {
      const rows = await conn.all('SELECT * FROM experiments ORDER BY started_at DESC, name');
      return rows.map(toExperiment);
    },

    async upsertServer(s: ServerRecord): Promise<void> {
      await conn.run(
        'INSERT INTO servers (id, host, pid, url, started_at, heartbeat_at, stopped_at, stats) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET url = excluded.url, heartbeat_at = excluded.heartbeat_at, stopped_at = excluded.stopped_at, stats = excluded.stats',
        [s.id, s.host, s.pid, s.url, s.startedAt, s.heartbeatAt, s.stoppedAt, JSON.stringify(s.stats)],
      );
    },

    async listServers(o: { staleMs?: number; now: string }): Promise<Array<ServerRecord & { live: boolean }>> {
      const rows = await conn.all('SELECT * FROM servers WHERE stopped_at IS NULL ORDER BY started_at DESC, id');
      const now = Date.parse(o.now);
      const stale = o.staleMs ?? 30_000;
      return rows.map((r) => ({
        id: String(r.id),
        host: String(r.host),
        pid: Number(r.pid),
        url: String(r.url),
        startedAt: String(r.started_at),
        heartbeatAt: String(r.heartbeat_at),
        stoppedAt: str(r.stopped_at),
        stats: JSON.parse(String(r.stats)) as ServerRecord['stats'],
        live: now - Date.parse(String(r.heartbeat_at)) <= stale,
      }));
    },
  };
}

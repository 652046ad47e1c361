/**
 * The store's monitoring calls (schema 4: alerts, alert conditions, snapshots) on one
 * connection, in the SQL both engines share (see driver.ts). Kept apart from sqlStore.ts,
 * which only delegates to these.
 */
import { UserError } from '../../util/errors';
import type { AlertCondition, AlertPatch, AlertStatus, MonitorSnapshot, NewAlert, StoredAlert } from '../types';
import type { SqlConn, SqlParam, SqlRow } from './driver';

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
type Severity = StoredAlert['severity'];

function toAlert(r: SqlRow): StoredAlert {
  return {
    id: Number(r.id),
    rule: String(r.rule),
    key: String(r.key),
    severity: String(r.severity) as Severity,
    title: String(r.title),
    detail: String(r.detail),
    metric: String(r.metric),
    value: num(r.value),
    threshold: num(r.threshold),
    model: str(r.model_version),
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
    status: String(r.status) as AlertStatus,
    acknowledgedAt: str(r.acknowledged_at),
    acknowledgedBy: str(r.acknowledged_by),
    resolvedAt: str(r.resolved_at),
    resolvedBy: str(r.resolved_by),
  };
}

function toCondition(r: SqlRow): AlertCondition {
  return {
    key: String(r.key),
    rule: String(r.rule),
    active: Number(r.active) === 1,
    severity: str(r.severity) as Severity | null,
    since: str(r.since),
    clearedAt: str(r.cleared_at),
    lastFiredAt: str(r.last_fired_at),
    firedSeverity: str(r.fired_severity) as Severity | null,
    alertId: num(r.alert_id),
    checkedAt: String(r.checked_at),
    revision: Number(r.revision),
  };
}

/** A finite number or NULL (JSON and the databases have no NaN). */
const finite = (v: number | null | undefined): SqlParam => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

export function monitorOpsFor(conn: SqlConn) {
  return {
    async addAlert(a: NewAlert): Promise<number> {
      const r = await conn.get(
        "INSERT INTO alerts (rule, key, severity, title, detail, metric, value, threshold, model_version, created_at, updated_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active') RETURNING id",
        [a.rule, a.key, a.severity, a.title, a.detail, a.metric, finite(a.value), finite(a.threshold), a.model, a.createdAt, a.updatedAt],
      );
      return Number(r!.id);
    },
    async getAlert(id: number): Promise<StoredAlert | undefined> {
      const r = await conn.get('SELECT * FROM alerts WHERE id = ?', [id]);
      return r ? toAlert(r) : undefined;
    },
    async updateAlert(id: number, patch: AlertPatch): Promise<void> {
      const columns: Record<keyof AlertPatch, string> = {
        status: 'status',
        acknowledgedAt: 'acknowledged_at',
        acknowledgedBy: 'acknowledged_by',
        resolvedAt: 'resolved_at',
        resolvedBy: 'resolved_by',
        updatedAt: 'updated_at',
        value: 'value',
        detail: 'detail',
      };
      const sets: string[] = [];
      const values: SqlParam[] = [];
      for (const [key, value] of Object.entries(patch)) {
        if (value === undefined) continue;
        sets.push(`${columns[key as keyof AlertPatch]} = ?`);
        values.push(key === 'value' ? finite(value as number | null) : (value as SqlParam));
      }
      const exists = await conn.get('SELECT id FROM alerts WHERE id = ?', [id]);
      if (!exists) throw new UserError(`There is no alert ${id}. \`mlloop alerts\` lists them.`);
      if (sets.length) await conn.run(`UPDATE alerts SET ${sets.join(', ')} WHERE id = ?`, [...values, id]);
    },
    async listAlerts(o: { status?: AlertStatus[]; limit?: number } = {}): Promise<StoredAlert[]> {
      const where = o.status ? (o.status.length ? ` WHERE status IN (${o.status.map(() => '?').join(', ')})` : ' WHERE 1 = 0') : '';
      const rows = await conn.all(`SELECT * FROM alerts${where} ORDER BY id DESC${o.limit ? ` LIMIT ${Math.max(1, Math.floor(o.limit))}` : ''}`, o.status ?? []);
      return rows.map(toAlert);
    },
    async listAlertConditions(): Promise<AlertCondition[]> {
      const rows = await conn.all('SELECT * FROM alert_conditions ORDER BY key');
      return rows.map(toCondition);
    },
    async saveAlertCondition(c: Omit<AlertCondition, 'revision'>, expectedRevision: number | null): Promise<boolean> {
      const values: SqlParam[] = [c.rule, c.active ? 1 : 0, c.severity, c.since, c.clearedAt, c.lastFiredAt, c.firedSeverity, c.alertId, c.checkedAt];
      if (expectedRevision === null) {
        const r = await conn.get(
          'INSERT INTO alert_conditions (rule, active, severity, since, cleared_at, last_fired_at, fired_severity, alert_id, checked_at, key, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (key) DO NOTHING RETURNING key',
          [...values, c.key],
        );
        return r !== undefined;
      }
      const changed = await conn.run(
        'UPDATE alert_conditions SET rule = ?, active = ?, severity = ?, since = ?, cleared_at = ?, last_fired_at = ?, fired_severity = ?, alert_id = ?, checked_at = ?, revision = revision + 1 WHERE key = ? AND revision = ?',
        [...values, c.key, expectedRevision],
      );
      return changed === 1;
    },
    async addMonitorSnapshot(s: Omit<MonitorSnapshot, 'id'>): Promise<number> {
      const r = await conn.get('INSERT INTO monitor_snapshots (at, model_version, window_from, window_to, n, summary) VALUES (?, ?, ?, ?, ?, ?) RETURNING id', [
        s.at,
        s.model,
        s.windowFrom,
        s.windowTo,
        s.n,
        JSON.stringify(s.summary),
      ]);
      return Number(r!.id);
    },
    async listMonitorSnapshots(o: { from?: string; limit?: number } = {}): Promise<MonitorSnapshot[]> {
      const where = o.from ? ' WHERE at >= ?' : '';
      const params = o.from ? [new Date(o.from).toISOString()] : [];
      const rows = await conn.all(`SELECT * FROM monitor_snapshots${where} ORDER BY id DESC${o.limit ? ` LIMIT ${Math.max(1, Math.floor(o.limit))}` : ''}`, params);
      return rows.reverse().map((r) => ({
        id: Number(r.id),
        at: String(r.at),
        model: str(r.model_version),
        windowFrom: str(r.window_from),
        windowTo: str(r.window_to),
        n: Number(r.n),
        summary: JSON.parse(String(r.summary)) as Record<string, unknown>,
      }));
    },
    async pruneMonitorSnapshots(before: string): Promise<number> {
      return conn.run('DELETE FROM monitor_snapshots WHERE at < ?', [new Date(before).toISOString()]);
    },
  };
}

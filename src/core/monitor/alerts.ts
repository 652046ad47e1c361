/**
 * Alerts that fire once per onset and cool down. Every monitoring run checks each alert
 * condition it can evaluate (a feature's drift, a live metric, latency, data arriving …) and
 * hands the results here:
 *  - a condition that starts holding (onset) fires an alert — unless one of the same condition
 *    fired within the cooldown, in which case it waits, and fires when the cooldown is over if
 *    the condition still holds (flapping does not spam, a lasting condition is never lost);
 *  - while it keeps holding, nothing new fires (the open alert's value is updated), except
 *    when it gets more severe (warning → critical is news: it fires at once, the cooldown
 *    notwithstanding, and the warning it supersedes is resolved);
 *  - when it stops holding, its open alert is resolved by the monitor, and the next onset
 *    fires again (subject to the cooldown);
 *  - a condition the run could not evaluate (too little data) neither clears nor fires.
 * A person acknowledges (seen, still open) or resolves an alert; a resolved alert of a
 * condition that still holds does not fire again until the condition clears and comes back.
 *
 * The decision is a pure function of the stored condition states, the checks and the clock
 * ({@link planAlerts}); {@link applyAlertChecks} runs it in one unit of work with
 * compare-and-set writes, so two monitors at once (the watcher and a command) fire an onset
 * once.
 */
import type { AlertCondition, NewAlert, Store, StoredAlert, StoreOps } from '../store/types';
import { UserError } from '../util/errors';
import type { Alert, AlertSeverity } from './types';

/** One evaluated alert condition. */
export interface AlertCheck {
  rule: string;
  /** Rule and subject: 'feature_drift:age'. */
  key: string;
  holds: boolean;
  /** Its severity when it holds. */
  severity: AlertSeverity;
  title: string;
  detail: string;
  metric: string;
  value: number | null;
  threshold: number | null;
}

const SEVERITY_RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

/** What one run does to the alerts. */
export interface AlertPlan {
  /** Alerts to create (the check, and the condition's key). */
  fire: AlertCheck[];
  /** Conditions held back by the cooldown (they fire later if they still hold). */
  heldBack: Array<{ key: string; until: string }>;
  /** Open alerts whose condition cleared (or that a more severe alert supersedes): resolve them. */
  resolve: Array<{ alertId: number; reason: 'cleared' | 'superseded' }>;
  /** Open alerts of conditions that still hold: refresh their value and time. */
  touch: Array<{ alertId: number; check: AlertCheck }>;
  /** The new state of every condition checked (alertId of a fired alert filled in by the caller). */
  states: Array<{ state: Omit<AlertCondition, 'revision'>; expectedRevision: number | null; fires: boolean }>;
}

/**
 * Plans one run's alerts from the stored condition states and this run's checks.
 * @param now this run's time; @param cooldownMs the cooldown (0: none).
 */
export function planAlerts(conditions: ReadonlyMap<string, AlertCondition>, checks: readonly AlertCheck[], now: Date, cooldownMs: number): AlertPlan {
  const at = now.toISOString();
  const plan: AlertPlan = { fire: [], heldBack: [], resolve: [], touch: [], states: [] };
  for (const check of checks) {
    const prev = conditions.get(check.key);
    const expectedRevision = prev ? prev.revision : null;
    if (!check.holds) {
      if (prev?.active) {
        if (prev.alertId !== null && prev.firedSeverity !== null) plan.resolve.push({ alertId: prev.alertId, reason: 'cleared' });
        plan.states.push({
          state: { ...stateOf(prev), active: false, severity: null, clearedAt: at, firedSeverity: null, alertId: null, checkedAt: at },
          expectedRevision,
          fires: false,
        });
      } else {
        plan.states.push({ state: { ...(prev ? stateOf(prev) : emptyState(check)), checkedAt: at }, expectedRevision, fires: false });
      }
      continue;
    }
    const continuing = prev?.active === true;
    const since = continuing ? prev!.since : at;
    const fired = continuing ? prev!.firedSeverity : null;
    const escalates = fired !== null && SEVERITY_RANK[check.severity] > SEVERITY_RANK[fired];
    const due = fired === null;
    const cooling = prev?.lastFiredAt ? now.getTime() - Date.parse(prev.lastFiredAt) < cooldownMs : false;
    const fires = escalates || (due && !cooling);
    if (fires) {
      plan.fire.push(check);
      if (escalates && prev!.alertId !== null) plan.resolve.push({ alertId: prev!.alertId, reason: 'superseded' });
    } else if (due && cooling) {
      plan.heldBack.push({ key: check.key, until: new Date(Date.parse(prev!.lastFiredAt!) + cooldownMs).toISOString() });
    } else if (continuing && prev!.alertId !== null) {
      plan.touch.push({ alertId: prev!.alertId, check });
    }
    plan.states.push({
      state: {
        key: check.key,
        rule: check.rule,
        active: true,
        severity: check.severity,
        since,
        clearedAt: prev?.clearedAt ?? null,
        lastFiredAt: fires ? at : (prev?.lastFiredAt ?? null),
        firedSeverity: fires ? check.severity : fired,
        alertId: fires ? null : continuing ? prev!.alertId : null,
        checkedAt: at,
      },
      expectedRevision,
      fires,
    });
  }
  return plan;
}

function stateOf(c: AlertCondition): Omit<AlertCondition, 'revision'> {
  const { revision: _revision, ...rest } = c;
  return rest;
}

function emptyState(check: AlertCheck): Omit<AlertCondition, 'revision'> {
  return { key: check.key, rule: check.rule, active: false, severity: null, since: null, clearedAt: null, lastFiredAt: null, firedSeverity: null, alertId: null, checkedAt: '' };
}

/** Thrown inside the unit of work when another process changed a condition meanwhile (the unit rolls back and is retried). */
class ConditionChanged extends Error {}

export interface AppliedAlerts {
  /** Alerts fired by this run. */
  fired: StoredAlert[];
  /** Alerts resolved because their condition cleared. */
  resolved: number[];
  heldBack: AlertPlan['heldBack'];
}

/**
 * Runs {@link planAlerts} against the store and records the result in one unit of work:
 * new alerts, resolutions, refreshed values and condition states (each a compare-and-set;
 * when another monitor changed a state meanwhile the unit is rolled back and planned again).
 */
export async function applyAlertChecks(store: Store, checks: readonly AlertCheck[], opts: { now: Date; cooldownMs: number; model: string | null }): Promise<AppliedAlerts> {
  const at = opts.now.toISOString();
  for (let attempt = 0; ; attempt++) {
    try {
      return await store.unitOfWork(async (tx) => {
        const conditions = new Map((await tx.listAlertConditions()).map((c) => [c.key, c]));
        const plan = planAlerts(conditions, checks, opts.now, opts.cooldownMs);
        const fired: StoredAlert[] = [];
        const firedIds = new Map<string, number>();
        for (const check of plan.fire) {
          const alert: NewAlert = {
            rule: check.rule,
            key: check.key,
            severity: check.severity,
            title: check.title,
            detail: check.detail,
            metric: check.metric,
            value: check.value,
            threshold: check.threshold,
            model: opts.model,
            createdAt: at,
            updatedAt: at,
          };
          const id = await tx.addAlert(alert);
          firedIds.set(check.key, id);
          fired.push((await tx.getAlert(id))!);
        }
        const resolved: number[] = [];
        for (const r of plan.resolve) {
          const a = await tx.getAlert(r.alertId);
          if (!a || a.status === 'resolved') continue;
          await tx.updateAlert(r.alertId, {
            status: 'resolved',
            resolvedAt: at,
            resolvedBy: 'monitor',
            detail: `${a.detail} ${r.reason === 'cleared' ? `Cleared at ${at}.` : `Superseded at ${at} by a more severe alert.`}`,
          });
          if (r.reason === 'cleared') resolved.push(r.alertId);
        }
        for (const t of plan.touch) {
          const a = await tx.getAlert(t.alertId);
          if (!a || a.status === 'resolved') continue;
          await tx.updateAlert(t.alertId, { updatedAt: at, value: t.check.value });
        }
        for (const s of plan.states) {
          const state = s.fires ? { ...s.state, alertId: firedIds.get(s.state.key) ?? null } : s.state;
          if (!(await tx.saveAlertCondition(state, s.expectedRevision))) throw new ConditionChanged();
        }
        return { fired, resolved, heldBack: plan.heldBack };
      });
    } catch (e) {
      if (e instanceof ConditionChanged && attempt < 5) continue;
      throw e;
    }
  }
}

/** Marks an alert seen (it stays open until resolved). @throws UserError for an unknown or resolved alert. */
export async function acknowledgeAlert(store: Store, id: number, by: string, now: Date): Promise<StoredAlert> {
  return store.unitOfWork(async (tx) => {
    const a = await requireAlert(tx, id);
    if (a.status === 'resolved') throw new UserError(`Alert ${id} is already resolved (by ${a.resolvedBy ?? 'someone'} at ${a.resolvedAt}); there is nothing to acknowledge.`);
    if (a.status === 'acknowledged') return a;
    await tx.updateAlert(id, { status: 'acknowledged', acknowledgedAt: now.toISOString(), acknowledgedBy: by });
    return (await tx.getAlert(id))!;
  });
}

/** Closes an alert. Its condition, if it still holds, fires again only after clearing and coming back. @throws UserError for an unknown alert. */
export async function resolveAlert(store: Store, id: number, by: string, now: Date): Promise<StoredAlert> {
  return store.unitOfWork(async (tx) => {
    const a = await requireAlert(tx, id);
    if (a.status === 'resolved') return a;
    await tx.updateAlert(id, { status: 'resolved', resolvedAt: now.toISOString(), resolvedBy: by });
    return (await tx.getAlert(id))!;
  });
}

async function requireAlert(tx: StoreOps, id: number): Promise<StoredAlert> {
  if (!Number.isInteger(id) || id <= 0) throw new UserError(`'${id}' is not an alert id: \`mlloop alerts\` lists them with their ids.`);
  const a = await tx.getAlert(id);
  if (!a) throw new UserError(`There is no alert ${id}. \`mlloop alerts\` lists them with their ids.`);
  return a;
}

/** The alert as the extension's views show it (src/core/monitor/types.ts). */
export function alertView(a: StoredAlert): Alert {
  return {
    id: String(a.id),
    severity: a.severity,
    title: a.title,
    detail: a.detail,
    metric: a.metric,
    value: a.value ?? NaN,
    threshold: a.threshold ?? NaN,
    createdAt: a.createdAt,
    acknowledged: a.status !== 'active',
  };
}

/** Open alerts (active or acknowledged), most urgent first, then newest. */
export async function openAlerts(store: StoreOps): Promise<StoredAlert[]> {
  const list = await store.listAlerts({ status: ['active', 'acknowledged'] });
  return list.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.id - a.id);
}

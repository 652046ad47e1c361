/**
 * The dashboard's Monitoring card: core's health (ok / warning / critical and each check) and
 * what the newest monitoring run found (dataset drift, the drifting features), with Run
 * Monitor Now and the Drift & Alerts panel. Its own module so the dashboard's main file only
 * places it; the controls come from there (one way to make a command button).
 */
import type { CommandId } from '../../src/extension/commandIds';
import { h, type Child } from '../shared/dom';
import { formatPercent } from '../shared/format';
import { icon } from './dom';
import { plural } from './format';
import type { DashboardMonitoring } from './protocol';

export interface MonitoringCardTools {
  section: (id: string, title: string, ...children: Child[]) => HTMLElement;
  commandButton: (label: string, command: CommandId, opts?: { icon?: string; primary?: boolean; disabled?: boolean; ariaLabel?: string }) => HTMLElement;
  relTime: (iso: string, prefix?: string) => HTMLElement;
}

const STATUS_ICONS = { ok: 'pass', warning: 'warning', critical: 'error' } as const;

const levelText = (l: string) => (l === 'not_enough_data' ? 'not enough data' : l === 'none' ? 'no drift' : l);

export function monitoringSection(m: DashboardMonitoring, t: MonitoringCardTools): HTMLElement {
  const timer = m.intervalMinutes > 0 ? `Runs every ${plural(m.intervalMinutes, 'minute')} while this window is open.` : 'The timer is off (mlloop.monitor.interval is 0).';
  const health = m.health
    ? h(
        'div',
        { class: `monitor-health health-${m.health.status}` },
        h('div', { class: 'monitor-health-head' }, icon(STATUS_ICONS[m.health.status], `status-${m.health.status}`), h('strong', {}, `Health: ${m.health.status}`), h('span', { class: 'muted small' }, ' · checked ', t.relTime(m.health.at))),
        h(
          'ul',
          { class: 'health-checks' },
          ...m.health.checks.map((c) => h('li', { class: `check check-${c.status}` }, icon(STATUS_ICONS[c.status], `status-${c.status}`), h('span', { class: 'check-name' }, c.name.replace(/_/g, ' ')), h('span', { class: 'muted small check-detail' }, c.detail))),
        ),
      )
    : h('p', { class: 'empty' }, m.running ? 'Checking health…' : 'Health is checked with each monitoring run.');
  const latest = m.latest
    ? h(
        'p',
        { class: 'monitor-latest' },
        `Last run `,
        t.relTime(m.latest.at),
        ` on ${plural(m.latest.predictions, 'prediction')}: dataset drift ${levelText(m.latest.dataset.drift)}`,
        m.latest.dataset.share !== null ? ` (${formatPercent(m.latest.dataset.share, 0)} of features drift)` : '',
        m.latest.drifting.length ? `; ${m.latest.drifting.map((f) => `${f.name} ${f.drift}`).join(', ')}.` : '.',
      )
    : h('p', { class: 'muted' }, 'Monitoring has not run on this project yet.');
  return t.section(
    'monitoring',
    'Monitoring',
    health,
    latest,
    m.error ? h('p', { class: 'muted small' }, `The last run could not monitor: ${m.error}`) : null,
    h('p', { class: 'muted small' }, timer),
    h(
      'div',
      { class: 'section-actions' },
      t.commandButton(m.running ? 'Monitoring…' : 'Run Monitor Now', 'mlloop.runMonitor', { icon: 'pulse', disabled: m.running }),
      t.commandButton('Drift & Alerts', 'mlloop.openDriftPanel', { icon: 'graph-line' }),
    ),
  );
}

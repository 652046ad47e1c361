/**
 * The Drift & Alerts page: what the newest monitoring run measured (./monitoring.ts: dataset
 * drift, per-feature drift, a chosen feature's histogram and history, predictions, live
 * metrics), health, and the open alerts (what was measured, against which threshold, when)
 * with Acknowledge and Resolve buttons; until monitoring has run, an empty state that says how
 * monitoring starts. Draws what the host sends (DriftState).
 */
import '../shared/elements';
import '../shared/panel.css';
import './drift.css';
import type { Alert } from '../../src/core/monitor/types';
import { icon, svg, visibleText } from '../dashboard/dom';
import { plural, relativeTime } from '../dashboard/format';
import { disposeChartsIn } from '../shared/charts';
import { h, replaceChildren } from '../shared/dom';
import { exact, formatMetric, formatTimestamp } from '../shared/format';
import { HostChannel } from '../shared/host';
import { featureDetail, featureTable, performanceSection, predictionSection, runLine, summaryStrip, type MonitoringTools } from './monitoring';
import type { DriftPageState, DriftRendering, DriftState, DriftToHost, DriftToPage, HealthView, MonitoringView } from './protocol';

const channel = new HostChannel<DriftToHost, DriftToPage, DriftPageState>();
const saved = channel.state;
let page: DriftPageState = saved?.schemaVersion === 1 ? saved : { schemaVersion: 1, showAcknowledged: false, focusAlertId: null };
let state: DriftState | null = null;

const app = document.getElementById('app')!;
// Whole sections redraw; a live region over all of it would re-read the page on every change.
app.setAttribute('aria-live', 'off');

const SEVERITY_ICONS: Record<Alert['severity'], string> = { critical: 'error', warning: 'warning', info: 'info' };

function saveState(): void {
  channel.state = page;
}

/** A button automation can press by `control` (DriftToPage 'drift/press'). */
function controlButton(label: string, control: string, onPress: () => void, opts: { icon?: string; primary?: boolean; ariaLabel?: string } = {}): HTMLElement {
  return h('vscode-button', { 'data-control': control, icon: opts.icon, secondary: !opts.primary, 'aria-label': opts.ariaLabel, on: { click: onPress } }, label);
}

function runCommand(command: string): void {
  channel.post({ type: 'webview/command', command });
}

/**
 * Value against threshold as a bar: the value's bar in the severity colour, the threshold as a
 * tick. The scale runs to 1.25 × the larger of the two so both always fit.
 */
function measureBar(a: Alert): SVGElement {
  const top = Math.max(Math.abs(a.value), Math.abs(a.threshold)) * 1.25 || 1;
  const pct = (v: number) => Math.max(0, Math.min(100, (Math.abs(v) / top) * 100));
  return svg(
    'svg',
    { class: 'measure-bar', viewBox: '0 0 100 10', preserveAspectRatio: 'none', role: 'img', 'aria-label': `${a.metric}: ${exact(a.value)} against threshold ${exact(a.threshold)}` },
    svg('rect', { class: 'track', x: 0, y: 2, width: 100, height: 6, rx: 1 }),
    svg('rect', { class: `fill fill-${a.severity}`, x: 0, y: 2, width: pct(a.value).toFixed(2), height: 6, rx: 1 }),
    svg('rect', { class: 'tick', x: (pct(a.threshold) - 0.4).toFixed(2), y: 0, width: 0.8, height: 10 }),
  );
}

function alertCard(a: Alert): HTMLElement {
  const focused = page.focusAlertId === a.id;
  return h(
    'article',
    {
      class: `alert-card sev-${a.severity}${a.acknowledged ? ' acknowledged' : ''}${focused ? ' focused' : ''}`,
      id: `alert-${a.id}`,
      'data-alert-id': a.id,
      tabindex: -1,
      'aria-labelledby': `alert-title-${a.id}`,
    },
    h(
      'div',
      { class: 'alert-head' },
      icon(a.acknowledged ? 'check' : SEVERITY_ICONS[a.severity], `sev-icon sev-icon-${a.severity}`),
      h('h3', { id: `alert-title-${a.id}` }, a.title),
      h('span', { class: `severity severity-${a.severity}` }, a.acknowledged ? `${a.severity} · acknowledged` : a.severity),
      h('span', { class: 'muted small when', title: formatTimestamp(a.createdAt) }, relativeTime(a.createdAt)),
    ),
    h('p', { class: 'detail' }, a.detail),
    h(
      'div',
      { class: 'measure' },
      h('span', { class: 'metric-name' }, a.metric),
      h('span', { class: 'small' }, h('strong', {}, formatMetric(a.value)), ` (threshold ${formatMetric(a.threshold)})`),
      measureBar(a),
    ),
    h(
      'div',
      { class: 'alert-actions' },
      a.acknowledged ? null : controlButton('Acknowledge', `ack:${a.id}`, () => channel.post({ type: 'drift/acknowledge', alertId: a.id }), { icon: 'check', ariaLabel: `Acknowledge ${a.title}` }),
      controlButton('Resolve', `resolve:${a.id}`, () => channel.post({ type: 'drift/resolve', alertId: a.id }), { icon: 'pass', ariaLabel: `Resolve ${a.title}` }),
    ),
  );
}

let cards: MonitoringTools['cards'] = [];

/** The feature shown in detail: the user's pick while it exists, else the worst-drifting one. */
function chosenFeature(m: MonitoringView): string | null {
  if (page.feature && m.features.some((f) => f.name === page.feature)) return page.feature;
  const rank = { critical: 0, warning: 1, none: 2, not_enough_data: 3 } as const;
  const worst = [...m.features].sort((a, b) => rank[a.drift] - rank[b.drift] || (b.psi ?? b.distance ?? 0) - (a.psi ?? a.distance ?? 0))[0];
  return worst?.name ?? null;
}

function selectFeature(name: string): void {
  if (!state?.monitoring?.features.some((f) => f.name === name)) return;
  page = { ...page, feature: name };
  saveState();
  render();
  app.querySelector<HTMLElement>(`[data-feature="${CSS.escape(name)}"]`)?.focus({ preventScroll: true });
}

function monitorToolbar(st: DriftState): HTMLElement {
  const mon = st.monitor;
  const timer = mon.intervalMinutes > 0 ? `runs every ${plural(mon.intervalMinutes, 'minute')} while this window is open` : 'timer off (mlloop.monitor.interval is 0)';
  const last = st.monitoring ? runLine(st.monitoring) : 'Monitoring has not run on this project yet.';
  return h(
    'div',
    { class: 'monitor-toolbar' },
    h('div', { class: 'monitor-status' }, h('div', {}, mon.running ? h('span', {}, icon('sync~spin'), ' Monitoring…') : last), h('div', { class: 'muted small' }, `Monitor ${timer}.`), mon.lastRun?.error ? h('div', { class: 'notice small' }, `The last run could not monitor: ${mon.lastRun.error}`) : null),
    controlButton(mon.running ? 'Monitoring…' : 'Run Monitor Now', 'run-monitor', () => channel.post({ type: 'drift/runMonitor' }), { icon: 'pulse', primary: !st.monitoring }),
  );
}

const HEALTH_ICONS: Record<HealthView['status'], string> = { ok: 'pass', warning: 'warning', critical: 'error' };

function healthSection(health: HealthView | null): HTMLElement | null {
  if (!health) return null;
  return h(
    'section',
    { class: `card-section health health-${health.status}`, 'aria-labelledby': 'h-health' },
    h('div', { class: 'section-head' }, h('h2', { id: 'h-health' }, 'Health'), h('span', { class: `level level-${health.status === 'ok' ? 'none' : health.status}` }, icon(HEALTH_ICONS[health.status]), health.status), h('span', { class: 'muted small' }, `checked ${relativeTime(health.at)}`)),
    h(
      'ul',
      { class: 'health-checks' },
      ...health.checks.map((c) => h('li', { class: `check check-${c.status}` }, icon(HEALTH_ICONS[c.status], `status-${c.status}`), h('span', { class: 'check-name' }, c.name.replace(/_/g, ' ')), h('span', { class: 'muted small' }, c.detail))),
    ),
  );
}

function emptyState(st: DriftState): HTMLElement {
  const model = st.currentModel;
  const step = (done: boolean, title: string, ...body: Array<HTMLElement | string | null>) =>
    h(
      'li',
      { class: `step ${done ? 'done' : 'todo'}` },
      icon(done ? 'pass-filled' : 'circle-large-outline', 'step-icon'),
      h('div', {}, h('div', { class: 'step-title' }, title, done ? h('span', { class: 'visually-hidden' }, ' (done)') : null), ...body),
    );
  return h(
    'section',
    { class: 'empty-state', 'aria-labelledby': 'empty-title' },
    icon('pulse', 'empty-icon'),
    h('h2', { id: 'empty-title' }, 'No alerts'),
    h(
      'p',
      { class: 'lead' },
      'Alerts appear here once monitoring is configured. Monitoring watches the predictions your app makes with the current model and raises an alert when the inputs drift away from the training data or a live metric crosses its threshold.',
    ),
    h('h3', {}, 'How monitoring starts'),
    h(
      'ol',
      { class: 'steps' },
      step(
        model !== null,
        'Train a model',
        model
          ? h('p', { class: 'muted' }, `Done: ${model.version}, trained ${relativeTime(model.createdAt)}. Its training data is the reference that drift is measured against.`)
          : h('p', { class: 'muted' }, 'The current model and its training data are the reference that drift is measured against.'),
        model ? null : h('div', { class: 'step-actions' }, controlButton('Train', 'command:mlloop.train', () => runCommand('mlloop.train'), { icon: 'play', primary: true })),
      ),
      step(false, 'Log predictions from your app', h('p', { class: 'muted' }, 'Load the model bundle with the ML Loop runtime and log each prediction — and its outcome once known — to the project’s prediction log.')),
      step(false, 'Configure monitoring in mlloop.yaml', h('p', { class: 'muted' }, 'The monitoring section names the inputs and metrics to watch and the thresholds that raise an alert.')),
    ),
    h('p', { class: 'muted small' }, 'Per-feature drift charts appear in this panel after the first monitoring run: every few minutes while this window is open (mlloop.monitor.interval), or Run Monitor Now.'),
  );
}

function render(): void {
  const focusedControl = (document.activeElement as HTMLElement | null)?.dataset?.control;
  if (!state) {
    replaceChildren(app, h('p', { class: 'muted' }, 'Loading…'));
    scheduleReport();
    return;
  }
  const st = state;
  const counts = { critical: 0, warning: 0, info: 0, acknowledged: 0 };
  for (const a of st.alerts) {
    if (a.acknowledged) counts.acknowledged++;
    else counts[a.severity]++;
  }
  const shown = page.showAcknowledged ? st.alerts : st.alerts.filter((a) => !a.acknowledged);
  const subtitle = [st.project ? `Project ${st.project.name}` : 'No ML Loop project in this workspace', st.currentModel ? `Current model ${st.currentModel.version}` : 'No model yet'];
  const header = h(
    'header',
    { class: 'page-head' },
    h('h1', { class: 'page-title' }, icon('pulse'), 'Drift & Alerts'),
    h('ul', { class: 'page-meta', 'aria-label': 'Project' }, ...subtitle.map((item) => h('li', {}, item))),
  );
  let alertsPart: HTMLElement | null = null;
  if (st.alerts.length > 0) {
    const chip = (n: number, label: string, cls: string) => (n > 0 ? h('span', { class: `count-chip ${cls}` }, `${n} ${label}`) : null);
    const toggle = h('vscode-checkbox', {
      'data-control': 'toggle-acknowledged',
      label: `Show acknowledged (${counts.acknowledged})`,
      checked: page.showAcknowledged,
      on: {
        change: (e: Event) => {
          page = { ...page, showAcknowledged: (e.target as HTMLInputElement).checked };
          saveState();
          render();
        },
      },
    });
    alertsPart = h(
      'section',
      { class: 'card-section', 'aria-labelledby': 'h-alerts' },
      st.monitoring ? h('h2', { id: 'h-alerts' }, 'Alerts') : h('h2', { id: 'h-alerts', class: 'visually-hidden' }, 'Alerts'),
      h(
        'div',
        { class: 'alerts-toolbar' },
        h('div', { class: 'count-chips', role: 'status' }, chip(counts.critical, 'critical', 'count-critical'), chip(counts.warning, 'warning', 'count-warning'), chip(counts.info, 'info', 'count-info'), counts.acknowledged ? h('span', { class: 'count-chip' }, `${counts.acknowledged} acknowledged`) : null),
        toggle,
      ),
      shown.length > 0
        ? h('div', { class: 'alert-list' }, ...shown.map(alertCard))
        : h('p', { class: 'muted' }, `All ${plural(st.alerts.length, 'alert')} are acknowledged.`),
    );
  } else if (st.monitoring) {
    alertsPart = h('section', { class: 'card-section', 'aria-labelledby': 'h-alerts' }, h('h2', { id: 'h-alerts' }, 'Alerts'), h('p', { class: 'muted' }, 'No open alerts.'));
  }
  disposeChartsIn(app);
  cards = [];
  const parts: Array<HTMLElement | null> = [];
  if (st.project && (st.monitoring || st.currentModel)) parts.push(monitorToolbar(st));
  if (st.monitoring) {
    const tools: MonitoringTools = { host: channel, selectFeature, cards };
    const m = st.monitoring;
    const selected = chosenFeature(m);
    parts.push(
      summaryStrip(m, st.health, counts.critical + counts.warning + counts.info),
      m.current.n === 0 ? h('p', { class: 'notice', role: 'status' }, icon('info'), ' No predictions logged yet in the current window: drift cannot be measured until the app logs predictions (every level below is "not enough data", not "no drift").') : null,
      featureTable(m, selected, tools),
      featureDetail(m, selected, tools),
      alertsPart,
      predictionSection(m, tools),
      performanceSection(m),
      healthSection(st.health),
    );
  } else if (st.alerts.length > 0) {
    parts.push(healthSection(st.health), alertsPart);
  } else {
    parts.push(healthSection(st.health), emptyState(st));
  }
  const body = h('div', {}, ...parts);
  replaceChildren(app, header, body);
  if (focusedControl) (app.querySelector(`[data-control="${CSS.escape(focusedControl)}"]`) as HTMLElement | null)?.focus();
  scheduleReport();
}

/** Scrolls to the focused alert and moves keyboard focus onto it. */
function revealFocused(): void {
  if (!page.focusAlertId) return;
  const card = app.querySelector<HTMLElement>(`[data-alert-id="${CSS.escape(page.focusAlertId)}"]`);
  if (!card) return;
  card.scrollIntoView({ block: 'center' });
  card.focus();
}

function focusAlert(alertId: string): void {
  page = { ...page, focusAlertId: alertId };
  // An acknowledged alert opened from the Alerts view must be visible.
  if (state?.alerts.find((a) => a.id === alertId)?.acknowledged) page.showAcknowledged = true;
  saveState();
  render();
  revealFocused();
}

let reportTimer: ReturnType<typeof setTimeout> | undefined;
function scheduleReport(): void {
  if (reportTimer) return;
  reportTimer = setTimeout(() => {
    reportTimer = undefined;
    const rendering: DriftRendering = {
      text: visibleText(app),
      buttons: [...app.querySelectorAll<HTMLElement>('[data-control]')].map((b) => ({
        label: (b.textContent || b.getAttribute('label') || '').trim(),
        control: b.dataset.control!,
        disabled: b.hasAttribute('disabled'),
      })),
      focusedAlertId: app.querySelector<HTMLElement>('.alert-card.focused')?.dataset.alertId ?? null,
      selectedFeature: state?.monitoring ? chosenFeature(state.monitoring) : null,
      charts: cards.map((c) => ({ title: c.title, points: c.points })),
    };
    channel.post({ type: 'drift/rendered', rendering });
  }, 50);
}

/**
 * Acts on a control as a user would: clicks a button; toggles a checkbox (its click handler
 * sits on the label inside its shadow root, so a click on the element itself does nothing).
 */
function press(control: string): void {
  const el = app.querySelector<HTMLElement & { checked?: boolean }>(`[data-control="${CSS.escape(control)}"]`);
  if (!el) return;
  if (el.tagName.toLowerCase() === 'vscode-checkbox') {
    el.checked = !el.checked;
    el.dispatchEvent(new Event('change', { bubbles: true }));
  } else el.click();
}

setInterval(() => {
  if (state && state.alerts.length > 0) render();
}, 60_000);

render();
channel.start((m) => {
  switch (m.type) {
    case 'drift/snapshot':
      state = m.state;
      if (m.state.focusAlertId && m.state.focusAlertId !== page.focusAlertId) focusAlert(m.state.focusAlertId);
      else render();
      break;
    case 'drift/focus':
      focusAlert(m.alertId);
      break;
    case 'drift/press':
      press(m.control);
      break;
    case 'drift/selectFeature':
      selectFeature(m.feature);
      break;
    case 'drift/reveal':
      document.getElementById(`h-${m.section}`)?.scrollIntoView({ block: 'start' });
      break;
  }
});

/**
 * The Drift & Alerts page: monitoring's alerts (what was measured, against which threshold,
 * when) with Acknowledge buttons; until monitoring reports anything, an empty state that says
 * how monitoring starts. Draws what the host sends (DriftState).
 */
import '../shared/elements';
import '../shared/panel.css';
import './drift.css';
import type { Alert } from '../../src/core/monitor/types';
import { icon, svg, visibleText } from '../dashboard/dom';
import { plural, relativeTime } from '../dashboard/format';
import { h, replaceChildren } from '../shared/dom';
import { exact, formatMetric, formatTimestamp } from '../shared/format';
import { HostChannel } from '../shared/host';
import type { DriftPageState, DriftRendering, DriftState, DriftToHost, DriftToPage } from './protocol';

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
    a.acknowledged
      ? null
      : h(
          'div',
          { class: 'alert-actions' },
          controlButton('Acknowledge', `ack:${a.id}`, () => channel.post({ type: 'drift/acknowledge', alertId: a.id }), { icon: 'check', ariaLabel: `Acknowledge ${a.title}` }),
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
    h('p', { class: 'muted small' }, 'Per-feature drift charts appear in this panel as predictions are logged.'),
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
  let body: HTMLElement;
  if (st.alerts.length === 0) body = emptyState(st);
  else {
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
    body = h(
      'div',
      {},
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
  }
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
  }
});

/**
 * The dashboard page (sidebar webview view): the project's champion (or, before anything was
 * promoted, the newest model, which serves), the loop (next scheduled cycle, labels since the
 * last cycle, the last decision and its reasons), its data, the running job with progress and
 * Cancel, active alerts, and buttons for the main actions.
 * Draws what the host sends (DashboardState); computes nothing but times ("3 minutes ago").
 */
import '../shared/elements';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import './dashboard.css';
import type { Alert } from '../../src/core/monitor/types';
import type { CommandId } from '../../src/extension/commandIds';
import { h, replaceChildren, type Child } from '../shared/dom';
import { formatDuration, formatMetric, metricLabel } from '../shared/format';
import { HostChannel } from '../shared/host';
import { icon, sparkline, visibleText } from './dom';
import { formatCount, plural, relativeTime } from './format';
import { experimentSection, serverSection, type CardKit } from './serving';
import { monitoringSection } from './monitoring';
import type { CycleView, DashboardPageState, DashboardRendering, DashboardState, DashboardToHost, DashboardToPage, JobView, LoopView, ModelView } from './protocol';

const channel = new HostChannel<DashboardToHost, DashboardToPage, DashboardPageState>();
const saved = channel.state;
let state: DashboardState | null = saved?.schemaVersion === 2 ? saved.state : null;

const app = document.getElementById('app')!;
// The shell marks #app as a live region; here whole sections redraw, which would make a
// screen reader read the page on every update. Job starts and ends are announced instead.
app.setAttribute('aria-live', 'off');
const announcer = h('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
document.body.append(announcer);

/** Updates the job section in place (progress arrives up to ~10 times a second). */
let jobUpdater: ((job: JobView) => void) | null = null;
let shownJobStartedAt: number | null = null;

const HEALTH_ICONS: Record<DashboardState['health']['level'], string> = {
  ok: 'pass',
  warning: 'warning',
  error: 'error',
  running: 'sync',
  none: 'circle-large-outline',
};

const SEVERITY_ICONS: Record<Alert['severity'], string> = { critical: 'error', warning: 'warning', info: 'info' };

// ---------------------------------------------------------------------------- controls

/**
 * A button that runs an ML Loop command. `data-command` lets automation find and press it
 * (DashboardToPage 'dashboard/press') exactly as a click would.
 */
function commandButton(label: string, command: CommandId, opts: { icon?: string; primary?: boolean; block?: boolean; args?: unknown[]; disabled?: boolean; ariaLabel?: string } = {}): HTMLElement {
  const button = h(
    'vscode-button',
    {
      'data-command': command,
      icon: opts.icon,
      secondary: !opts.primary,
      block: opts.block,
      disabled: opts.disabled,
      'aria-label': opts.ariaLabel,
      on: {
        click: () => {
          if ((button as HTMLElement & { disabled?: boolean }).disabled) return;
          channel.post({ type: 'webview/command', command, ...(opts.args ? { args: opts.args } : {}) });
        },
      },
    },
    label,
  );
  return button;
}

function relTime(iso: string, prefix = ''): HTMLElement {
  return h('span', { class: 'rel-time', 'data-time': iso, 'data-prefix': prefix, title: new Date(iso).toLocaleString() }, `${prefix}${relativeTime(iso)}`);
}

function section(id: string, title: string, ...children: Child[]): HTMLElement {
  return h('section', { class: `card card-${id}`, 'aria-labelledby': `h-${id}` }, h('h2', { id: `h-${id}` }, title), ...children);
}

// ---------------------------------------------------------------------------- sections

/** The header's health chip; while a job runs its text follows the job's progress. */
let healthChip: HTMLElement | null = null;

/** "training 57/400" while training, else the job's title. */
function jobProgressText(job: JobView): string {
  return job.totalEpochs !== null ? `${job.title} ${job.epochsDone}/${job.totalEpochs}` : job.title;
}

function header(st: DashboardState): HTMLElement {
  const p = st.project!;
  const health = st.job ? { ...st.health, level: 'running' as const, summary: jobProgressText(st.job) } : st.health;
  const where = [p.task, p.folder || null].filter(Boolean).join(' · ');
  return h(
    'header',
    { class: 'header' },
    h(
      'div',
      { class: 'header-row' },
      h('h1', { class: 'project-name', title: `Project ${p.name}` }, p.name),
      (healthChip = h(
        'span',
        { class: `health health-${health.level}`, title: health.reasons.join('\n'), 'aria-label': `Health: ${health.summary}. ${health.reasons.join(' ')}` },
        icon(HEALTH_ICONS[health.level], health.level === 'running' ? 'codicon-modifier-spin' : ''),
        h('span', { class: 'health-text' }, health.summary),
      )),
    ),
    where ? h('div', { class: 'muted small' }, where) : null,
  );
}

function actions(st: DashboardState): HTMLElement {
  const busy = st.job !== null;
  const noData = st.data.examples === 0;
  return h(
    'div',
    { class: 'actions', role: 'group', 'aria-label': 'Actions' },
    commandButton('Train', 'mlloop.train', { icon: 'play', block: true, primary: !noData, disabled: busy || noData || st.project!.configProblems > 0, ariaLabel: 'Train a model' }),
    commandButton('Evaluate', 'mlloop.evaluate', { icon: 'checklist', block: true, disabled: busy || !st.model, ariaLabel: 'Evaluate the current model' }),
    commandButton('Import', 'mlloop.importExamples', { icon: 'cloud-download', block: true, primary: noData, disabled: busy, ariaLabel: 'Import examples' }),
    commandButton('Open Last Run', 'mlloop.openRun', { icon: 'graph-line', block: true, disabled: !st.lastRun, ...(st.lastRun ? { args: [st.lastRun.id] } : {}) }),
    commandButton('Show Log', 'mlloop.showLog', { icon: 'output', block: true }),
  );
}

function metricTiles(model: ModelView): HTMLElement {
  const ci = model.metrics.find((m) => m.interval)?.interval;
  const rows = model.testRows !== null ? ` (${plural(model.testRows, 'row')})` : '';
  return h(
    'div',
    {},
    metricGrid(model),
    h('p', { class: 'muted small caption' }, `On the test split${rows}${ci ? `, with ${Math.round(ci.confidence * 100)}% bootstrap intervals` : ''}.`),
  );
}

function metricGrid(model: ModelView): HTMLElement {
  return h(
    'dl',
    { class: 'metrics' },
    ...model.metrics.map((m) => {
      const ci = m.interval;
      return h(
        'div',
        { class: 'metric', title: `${metricLabel(m.name)} on the test split (${m.greaterIsBetter ? 'higher' : 'lower'} is better): ${m.value}` },
        h('dt', {}, metricLabel(m.name)),
        h('dd', { class: 'metric-value' }, formatMetric(m.value)),
        ci
          ? h(
              'dd',
              { class: 'metric-ci muted small', title: `${Math.round(ci.confidence * 100)}% bootstrap interval`, 'aria-label': `${Math.round(ci.confidence * 100)}% interval ${formatMetric(ci.lower)} to ${formatMetric(ci.upper)}` },
              `${formatMetric(ci.lower)}–${formatMetric(ci.upper)}`,
            )
          : null,
      );
    }),
  );
}

function calibrationRow(model: ModelView): HTMLElement | null {
  const c = model.calibration;
  if (!c) return null;
  const improved = c.eceAfter < c.eceBefore;
  return h(
    'div',
    { class: 'calibration' },
    h('div', { class: 'calibration-head' }, h('span', { class: 'label' }, 'Calibration'), h('span', { class: 'method' }, c.method)),
    c.method === 'none'
      ? h('div', { class: 'small' }, `Test ECE ${formatMetric(c.eceAfter)}, uncalibrated`)
      : h(
          'div',
          { class: 'small', 'aria-label': `Test expected calibration error ${formatMetric(c.eceBefore)} before and ${formatMetric(c.eceAfter)} after calibration` },
          `Test ECE ${formatMetric(c.eceBefore)} `,
          icon('arrow-right', 'inline-icon'),
          h('span', { class: improved ? 'better' : 'worse' }, ` ${formatMetric(c.eceAfter)}`),
        ),
    c.reason ? h('div', { class: 'muted small reason' }, c.reason) : null,
  );
}

function modelSection(st: DashboardState): HTMLElement {
  const m = st.model;
  const failed = st.lastRun && (st.lastRun.status === 'failed' || st.lastRun.status === 'interrupted') ? st.lastRun : null;
  const notice = failed
    ? h(
        'div',
        { class: 'banner banner-error', role: 'note' },
        icon('error'),
        h('div', {}, `Run ${failed.id} ${failed.status}${failed.error ? `: ${failed.error}` : '.'}`),
      )
    : null;
  if (!m) {
    const text = st.data.examples === 0 ? 'No model yet. Import labelled examples, then train.' : `No model yet. Train one on the ${plural(st.data.examples, 'example')}, or run Retrain Now.`;
    return section('model', 'Champion', notice, h('p', { class: 'empty' }, text));
  }
  const champion = m.role === 'champion';
  const since = m.championSince;
  return section(
    'model',
    champion ? 'Champion' : 'Current model',
    notice,
    h(
      'div',
      { class: 'model-head' },
      h('span', { class: 'version', 'aria-label': `Model version ${m.version}` }, m.version),
      champion
        ? h('span', { class: 'current-mark', title: `This is ${m.currentBecause}` }, icon('star-full'), 'champion')
        : h('span', { class: 'current-mark newest-mark', title: `This is ${m.currentBecause}` }, icon('star-empty'), 'newest, not promoted'),
    ),
    since
      ? h('div', { class: 'muted small' }, relTime(since.at, 'since '), ` · ${since.action} by ${since.by}`)
      : h('div', { class: 'muted small' }, 'Nothing promoted yet: the newest model serves.'),
    h('div', { class: 'muted small' }, relTime(m.createdAt, 'trained '), m.runId ? ` · run ${m.runId}` : ' · imported'),
    m.metrics.length > 0 ? metricTiles(m) : h('p', { class: 'muted' }, 'This model has no headline metrics.'),
    calibrationRow(m),
  );
}

const OUTCOME_ICONS: Record<CycleView['outcome'], string> = {
  promoted: 'arrow-up',
  rejected: 'circle-slash',
  skipped: 'debug-step-over',
  running: 'sync',
  failed: 'error',
  cancelled: 'circle-slash',
  interrupted: 'debug-disconnect',
};

/** "Sun, Dec 6, 02:00" in the page's locale and time zone, "due now", or "off". */
function nextCycleText(schedule: NonNullable<LoopView['schedule']>): Child[] {
  if (schedule.nextAt === null) return [h('span', { class: 'stat-value small-value' }, 'off'), h('span', { class: 'muted small' }, ' (schedule.cron: off)')];
  if (schedule.due) return [h('span', { class: 'stat-value small-value' }, 'due now'), h('span', { class: 'muted small' }, ` (${schedule.cron})`)];
  const at = new Date(schedule.nextAt);
  const when = at.toLocaleString(undefined, { weekday: 'short', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
  return [h('span', { class: 'stat-value small-value', title: `${schedule.nextAt} (${schedule.cron}, ${schedule.timezone})` }, when), h('span', { class: 'muted small' }, ` · ${schedule.cron}`)];
}

function cycleBlock(c: CycleView, heading: string): HTMLElement {
  return h(
    'div',
    { class: `cycle cycle-${c.outcome}` },
    h(
      'div',
      { class: 'cycle-head' },
      icon(OUTCOME_ICONS[c.outcome], c.outcome === 'running' ? 'codicon-modifier-spin' : ''),
      h('span', { class: 'cycle-title' }, `${heading}: cycle ${c.id} ${c.text}`),
    ),
    h('div', { class: 'muted small' }, relTime(c.finishedAt ?? c.startedAt), ` · ${c.trigger === 'labels' ? 'new labels' : c.trigger === 'extension' ? 'VS Code' : c.trigger}`),
    c.reasons.length ? h('ul', { class: 'reasons small', 'aria-label': 'Reasons' }, ...c.reasons.map((r) => h('li', {}, r))) : null,
    c.hasReport ? h('div', { class: 'section-actions' }, commandButton('Open Deployment Report', 'mlloop.openDeploymentReport', { icon: 'file-text', args: [{ cycle: c.id }], ariaLabel: `Open the deployment report of cycle ${c.id}` })) : null,
  );
}

function loopSection(st: DashboardState): HTMLElement {
  const loop = st.loop;
  const s = loop.schedule;
  const busy = st.job !== null;
  return section(
    'loop',
    'Loop',
    s
      ? h(
          'dl',
          { class: 'loop-stats' },
          h('div', { class: 'stat' }, h('dt', {}, 'Next cycle'), h('dd', {}, ...nextCycleText(s))),
          h(
            'div',
            { class: 'stat', title: 'Labels imported since the last cycle that ran; a fine-tune of the champion starts at schedule.incremental.every' },
            h('dt', {}, 'Labels since last cycle'),
            h('dd', {}, h('span', { class: 'stat-value small-value' }, formatCount(s.labelsSince)), h('span', { class: 'muted small' }, s.every > 0 ? ` of ${formatCount(s.every)}` : ' (fine-tunes off)')),
          ),
        )
      : h('p', { class: 'muted small' }, 'The schedule shows once mlloop.yaml is valid.'),
    h('p', { class: `muted small watcher ${loop.watcher.running ? 'watcher-on' : 'watcher-off'}` }, icon(loop.watcher.running ? 'eye' : 'eye-closed', 'inline-icon'), ` ${loop.watcher.text}`),
    loop.running ? cycleBlock(loop.running, 'Running') : null,
    loop.lastCycle ? cycleBlock(loop.lastCycle, 'Last') : h('p', { class: 'empty small' }, 'No cycle has run yet. A cycle trains a challenger on the data window, compares it with the champion on the same held-out rows, and promotes it only when the quality gate passes.'),
    h(
      'div',
      { class: 'section-actions actions' },
      commandButton('Retrain Now', 'mlloop.retrain', { icon: 'sync', disabled: busy || st.data.examples === 0 || st.project!.configProblems > 0, ariaLabel: 'Run a retraining cycle now' }),
      loop.canIngest ? commandButton('Ingest Inbox', 'mlloop.ingestInbox', { icon: 'inbox', disabled: busy }) : null,
      commandButton('History', 'mlloop.showHistory', { icon: 'history' }),
    ),
  );
}

function dataSection(st: DashboardState): HTMLElement {
  const d = st.data;
  const stat = (label: string, value: number, hint?: string) =>
    h('div', { class: 'stat', title: hint }, h('dt', {}, label), h('dd', { class: 'stat-value' }, formatCount(value)));
  return section(
    'data',
    'Data',
    h(
      'dl',
      { class: 'stats' },
      stat('Examples', d.examples, 'Labelled examples in the store'),
      stat('New labels', d.examplesSinceLastRun, st.lastRun ? 'Examples imported since the newest completed run started' : 'No completed run yet: every example is new'),
      stat('Runs', d.runs),
    ),
    d.examples === 0
      ? h('p', { class: 'empty' }, 'No examples yet. Import a CSV, JSON or JSONL file of labelled examples.')
      : st.model && d.examplesSinceLastRun > 0
        ? h('p', { class: 'hint small' }, icon('info'), ` ${plural(d.examplesSinceLastRun, 'new label')} since the last training: train again to use them.`)
        : null,
  );
}

function jobSection(job: JobView): { element: HTMLElement; update: (job: JobView) => void } {
  const heading = job.title.charAt(0).toUpperCase() + job.title.slice(1);
  const progress = h('vscode-progress-bar', { 'aria-label': `${heading} progress` }) as HTMLElement & { value?: number; max: number; indeterminate: boolean };
  const stats = h('div', { class: 'job-stats small' });
  const chart = h('div', { class: 'sparkline-box' });
  const title = h('h2', { id: 'h-job' });
  const element = h(
    'section',
    { class: 'card card-job', 'aria-labelledby': 'h-job' },
    title,
    progress,
    stats,
    chart,
    h('div', { class: 'job-actions' }, commandButton('Cancel', 'mlloop.cancelJob', { icon: 'debug-stop', ariaLabel: `Cancel ${job.title}` })),
  );
  const update = (j: JobView) => {
    replaceChildren(title, icon('sync', 'codicon-modifier-spin'), ` ${heading}${j.runId !== null ? ` · run ${j.runId}` : ''}`, j.backend ? h('span', { class: 'muted small backend' }, ` on ${j.backend}`) : null);
    const training = j.totalEpochs !== null;
    if (training) {
      progress.max = j.totalEpochs!;
      progress.value = j.epochsDone;
      progress.indeterminate = false;
    } else progress.indeterminate = true;
    const parts: string[] = [];
    if (training) parts.push(`epoch ${formatCount(j.epochsDone)} / ${formatCount(j.totalEpochs!)}`);
    if (j.loss !== null) parts.push(`loss ${formatMetric(j.loss)}`);
    if (j.valLoss !== null) parts.push(`val_loss ${formatMetric(j.valLoss)}`);
    if (j.message && !training) parts.push(j.message);
    parts.push(formatDuration(Date.now() - j.startedAt));
    stats.textContent = parts.join(' · ');
    if (j.valLossHistory.length >= 2) {
      const last = j.valLossHistory[j.valLossHistory.length - 1];
      replaceChildren(chart, sparkline(j.valLossHistory, `Validation loss over ${j.valLossHistory.length} epochs, latest ${formatMetric(last)}, lowest ${formatMetric(Math.min(...j.valLossHistory))}`), h('div', { class: 'muted small' }, 'val_loss per epoch'));
    } else chart.replaceChildren();
  };
  update(job);
  return { element, update };
}

function alertsSection(st: DashboardState): HTMLElement {
  const { active, activeCount } = st.alerts;
  const open = commandButton(activeCount > 0 ? 'Open Drift & Alerts' : 'Drift & Alerts', 'mlloop.openDriftPanel', { icon: 'pulse' });
  if (activeCount === 0) {
    return section(
      'alerts',
      'Alerts',
      h('p', { class: 'empty' }, 'No alerts. Alerts appear once monitoring is configured: the Drift & Alerts panel says how monitoring starts.'),
      h('div', { class: 'section-actions' }, open),
    );
  }
  return section(
    'alerts',
    `Alerts (${activeCount})`,
    h(
      'ul',
      { class: 'alert-list' },
      ...active.map((a) =>
        h(
          'li',
          { class: `alert alert-${a.severity}` },
          icon(SEVERITY_ICONS[a.severity], `sev-${a.severity}`),
          h('span', { class: 'alert-title' }, a.title),
          h('span', { class: 'muted small' }, ` ${a.metric} ${formatMetric(a.value)} · `, relTime(a.createdAt)),
        ),
      ),
    ),
    activeCount > active.length ? h('p', { class: 'muted small' }, `and ${activeCount - active.length} more`) : null,
    h('div', { class: 'section-actions' }, open),
  );
}

function noProject(): HTMLElement {
  return h(
    'div',
    { class: 'welcome' },
    h('h1', {}, 'ML Loop'),
    h('p', {}, 'No ML Loop project in this workspace. A project is a folder with an mlloop.yaml that says what to predict from which data.'),
    h('div', { class: 'actions' }, commandButton('Create Project', 'mlloop.createProject', { icon: 'new-file', primary: true })),
  );
}

/** What the server and experiment cards (./serving.ts) build with, so they match the others. */
const SERVING_KIT: CardKit = { section, commandButton, relTime };

// ---------------------------------------------------------------------------- render

function render(): void {
  const focusedCommand = (document.activeElement as HTMLElement | null)?.dataset?.command;
  jobUpdater = null;
  shownJobStartedAt = null;
  healthChip = null;
  if (!state || !state.loaded) {
    replaceChildren(app, h('div', { class: 'loading' }, h('vscode-progress-ring', { 'aria-label': 'Loading' }), h('span', {}, 'Loading ML Loop project…')));
  } else if (!state.project) {
    replaceChildren(app, noProject());
  } else {
    const st = state;
    let job: HTMLElement | null = null;
    if (st.job) {
      const built = jobSection(st.job);
      job = built.element;
      jobUpdater = built.update;
      shownJobStartedAt = st.job.startedAt;
    }
    replaceChildren(
      app,
      header(st),
      st.project!.configProblems > 0
        ? h('div', { class: 'banner banner-error', role: 'alert' }, icon('error'), h('div', {}, `mlloop.yaml has ${plural(st.project!.configProblems, 'problem')}: see the Problems panel. Training waits until the file is valid.`))
        : null,
      actions(st),
      job,
      modelSection(st),
      loopSection(st),
      st.server ? serverSection(st.server, SERVING_KIT, st.job !== null) : null,
      st.experiment ? experimentSection(st.experiment, SERVING_KIT, st.job !== null) : null,
      dataSection(st),
      alertsSection(st),
      st.monitoring ? monitoringSection(st.monitoring, { section, commandButton, relTime }) : null,
    );
  }
  // Redrawing must not throw keyboard focus away: put it back on the same command's button.
  if (focusedCommand) (app.querySelector(`[data-command="${CSS.escape(focusedCommand)}"]`) as HTMLElement | null)?.focus();
  scheduleReport();
}

function onJob(job: JobView | null): void {
  if (!state) return;
  const was = state.job;
  state = { ...state, job };
  if (job && jobUpdater && shownJobStartedAt === job.startedAt) {
    jobUpdater(job);
    const chipText = healthChip?.querySelector('.health-text');
    if (chipText) chipText.textContent = jobProgressText(job);
    scheduleReport();
  } else {
    if (job && !was) announce(`${job.title} started`);
    render();
  }
}

function onSnapshot(next: DashboardState): void {
  const before = state?.job ?? null;
  if (next.job && (!before || before.startedAt !== next.job.startedAt)) announce(`${next.job.title} started`);
  if (!next.job && before && state?.loaded) announce(`${before.title} finished`);
  state = next;
  channel.state = { schemaVersion: 2, state: next };
  render();
}

function announce(text: string): void {
  announcer.textContent = text;
}

// ---------------------------------------------------------------------------- automation report

let reportTimer: ReturnType<typeof setTimeout> | undefined;

/** Tells the host what is on screen (after the custom elements have rendered their labels). */
function scheduleReport(): void {
  if (reportTimer) return;
  reportTimer = setTimeout(() => {
    reportTimer = undefined;
    const buttons = [...app.querySelectorAll<HTMLElement>('[data-command]')].map((b) => ({
      label: (b.textContent ?? '').trim(),
      command: b.dataset.command!,
      disabled: b.hasAttribute('disabled'),
    }));
    const bar = app.querySelector('vscode-progress-bar') as (HTMLElement & { value?: number; max: number; indeterminate: boolean }) | null;
    const rendering: DashboardRendering = {
      text: visibleText(app),
      buttons,
      progress: bar && !bar.indeterminate && typeof bar.value === 'number' ? { value: bar.value, max: bar.max } : null,
    };
    channel.post({ type: 'dashboard/rendered', rendering });
  }, 50);
}

function press(command: string): void {
  const button = app.querySelector<HTMLElement>(`[data-command="${CSS.escape(command)}"]`);
  button?.click();
}

// Ages ("trained 3 minutes ago") and the job's elapsed time move on without messages.
setInterval(() => {
  for (const el of app.querySelectorAll<HTMLElement>('.rel-time')) el.textContent = `${el.dataset.prefix ?? ''}${relativeTime(el.dataset.time!)}`;
}, 30_000);
setInterval(() => {
  if (state?.job && jobUpdater) jobUpdater(state.job);
}, 1000);

render();
channel.start((m) => {
  switch (m.type) {
    case 'dashboard/snapshot':
      onSnapshot(m.state);
      break;
    case 'dashboard/job':
      onJob(m.job);
      break;
    case 'dashboard/press':
      press(m.command);
      break;
    case 'dashboard/reveal':
      app.querySelector(`.card-${m.section}`)?.scrollIntoView({ block: 'start' });
      break;
  }
});

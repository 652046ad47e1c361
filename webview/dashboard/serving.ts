/**
 * The dashboard's server card (`mlloop serve`: address, requests/s, latency, model, whether its
 * heartbeat is live) and experiment card (arms, n per arm, the difference from the control with
 * its interval and p-value, the decision with its reasons, a sample-ratio warning). Drawn from
 * ServerCardView / ExperimentCardView, which the host computes; main.ts places them and hands
 * in its shared pieces (cards, buttons, relative times), so they look like every other card.
 */
import type { CommandId } from '../../src/extension/commandIds';
import { h, type Child } from '../shared/dom';
import { icon } from './dom';
import { formatCount, plural } from './format';
import type { ExperimentArmView, ExperimentCardView, ServerCardView } from './protocol';

/** main.ts's builders, so these cards share its buttons (automation presses them) and card frames. */
export interface CardKit {
  section(id: string, title: string, ...children: Child[]): HTMLElement;
  commandButton(label: string, command: CommandId, opts?: { icon?: string; primary?: boolean; disabled?: boolean; ariaLabel?: string; args?: unknown[] }): HTMLElement;
  relTime(iso: string, prefix?: string): HTMLElement;
}

// ---------------------------------------------------------------------------- server

const SERVER_STATUS: Record<ServerCardView['status'], { icon: string; text: string }> = {
  starting: { icon: 'loading', text: 'Starting' },
  live: { icon: 'broadcast', text: 'Live' },
  stale: { icon: 'warning', text: 'Stale' },
  stopped: { icon: 'debug-stop', text: 'Stopped' },
  none: { icon: 'circle-slash', text: 'Not running' },
};

/** Milliseconds with sense for their size: "0.84 ms", "12.3 ms", "1,204 ms". */
export function formatMs(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${formatCount(Math.round(ms))} ms`;
}

/** Requests per second: "0", "0.4", "12.5", "1,240". */
export function formatRate(perSecond: number | null): string {
  if (perSecond === null) return '–';
  if (perSecond === 0) return '0';
  if (perSecond < 100) return perSecond.toFixed(1).replace(/\.0$/, '');
  return formatCount(Math.round(perSecond));
}

function origin(s: ServerCardView): string {
  if (s.origin === 'window') return 'started by this window';
  if (s.origin === 'host') return `started by another process on this machine (pid ${s.pid})`;
  if (s.origin === 'remote') return `on ${s.host} (pid ${s.pid})`;
  return '';
}

function stat(label: string, value: string, hint: string, sub?: string): HTMLElement {
  return h('div', { class: 'stat', title: hint }, h('dt', {}, label), h('dd', { class: 'stat-value small-value' }, value), sub ? h('dd', { class: 'muted small' }, sub) : null);
}

export function serverSection(s: ServerCardView, kit: CardKit, busy: boolean): HTMLElement {
  const st = SERVER_STATUS[s.status];
  const running = s.status === 'live' || s.status === 'stale' || s.status === 'starting';
  const stoppable = running && s.origin !== 'remote';
  const head = h(
    'div',
    { class: `server-head server-${s.status}` },
    icon(st.icon, s.status === 'starting' ? 'codicon-modifier-spin' : ''),
    h('span', { class: 'server-status' }, st.text),
    s.url ? h('span', { class: 'server-url', title: s.url }, s.url) : null,
  );
  const lines: Child[] = [];
  if (running || s.status === 'stale') {
    const parts: Child[] = [origin(s)];
    if (s.heartbeatAt) parts.push(' · ', kit.relTime(s.heartbeatAt, 'heartbeat '));
    lines.push(h('div', { class: 'muted small' }, ...parts));
  }
  if (s.status === 'stale') {
    lines.push(h('div', { class: 'banner banner-warning', role: 'note' }, icon('warning'), h('div', {}, 'No heartbeat for over 30 s: the server was killed, hangs, or its machine is off. Its numbers are from its last heartbeat.')));
  }
  const stats =
    s.status === 'live' || s.status === 'stale'
      ? h(
          'dl',
          { class: 'server-stats' },
          stat('Requests/s', formatRate(s.requestsPerSecond), 'All routes, over the last minute'),
          stat('p99 latency', formatMs(s.p99Ms), 'POST /predict over the last minute (p50 below)', s.p50Ms !== null ? `p50 ${formatMs(s.p50Ms)}` : undefined),
          stat('Model', s.model ?? '–', 'The champion version it serves (a promotion is swapped in within serve.pollInterval)', s.shadow ? `shadow ${s.shadow}` : undefined),
          stat(
            'Predictions',
            s.predictions !== null ? formatCount(s.predictions) : '–',
            'Served since it started; the share that fell back (under runtime.threshold, or the fallback arm)',
            s.fallbackRate !== null ? `${(s.fallbackRate * 100).toFixed(1)}% fell back` : undefined,
          ),
        )
      : null;
  const notes: Child[] = [];
  if (s.experiment) notes.push(h('div', { class: 'muted small' }, icon('beaker', 'inline-icon'), ` experiment '${s.experiment.name}' ${s.experiment.active ? 'assigns arms' : 'stopped: everyone gets the champion'}`));
  if (s.pendingLog && s.pendingLog > 0) notes.push(h('div', { class: 'muted small' }, `${plural(s.pendingLog, 'prediction')} waiting to be written to the store`));
  if (s.auth === false) notes.push(h('div', { class: 'muted small' }, icon('unlock', 'inline-icon'), ' no token (loopback only)'));
  if (s.others > 0) notes.push(h('div', { class: 'muted small' }, `and ${plural(s.others, 'other server')} recorded as running`));
  if (s.message) notes.push(h('div', { class: `small ${s.status === 'stopped' && /code [1-9]|could not|killed/.test(s.message) ? 'worse' : 'muted'}` }, s.message));
  const empty = s.status === 'none' ? h('p', { class: 'empty small' }, 'No server is running. Start Server runs mlloop serve for the champion on this machine (127.0.0.1, with the bearer token in .mlloop/serve-token) until you stop it or close the window.') : null;
  return kit.section(
    'server',
    'Server',
    head,
    ...lines,
    stats,
    ...notes,
    empty,
    h(
      'div',
      { class: 'section-actions serving-actions' },
      stoppable
        ? kit.commandButton('Stop Server', 'mlloop.stopServer', { icon: 'debug-stop', disabled: s.status === 'starting', ariaLabel: s.origin === 'window' ? 'Stop the server this window started' : `Stop the server of process ${s.pid}` })
        : kit.commandButton('Start Server', 'mlloop.startServer', { icon: 'broadcast', disabled: !s.canStart || busy, ariaLabel: 'Start mlloop serve for the champion' }),
      kit.commandButton('Show Log', 'mlloop.showLog', { icon: 'output' }),
    ),
  );
}

// ---------------------------------------------------------------------------- experiment

const DECISIONS: Record<ExperimentCardView['decision'], { icon: string; text: (e: ExperimentCardView) => string }> = {
  keep_running: { icon: 'watch', text: () => 'Keep running' },
  winner: { icon: 'pass-filled', text: (e) => `Winner: ${e.winner}` },
  no_difference: { icon: 'circle-slash', text: () => 'No difference' },
};

/** A rate as a percentage, a mean with four significant digits. */
function value(e: ExperimentCardView, x: number): string {
  return e.outcome === 'rate' ? `${(x * 100).toFixed(1)}%` : Number(x.toPrecision(4)).toString();
}

/** A difference: percentage points for a rate ("+6.1 pts"), else signed. */
function delta(e: ExperimentCardView, x: number): string {
  const sign = x > 0 ? '+' : x < 0 ? '−' : '±';
  const abs = Math.abs(x);
  return e.outcome === 'rate' ? `${sign}${(abs * 100).toFixed(1)} pts` : `${sign}${Number(abs.toPrecision(4))}`;
}

function range(e: ExperimentCardView, lower: number, upper: number, f: (e: ExperimentCardView, x: number) => string): string {
  return `[${f(e, lower)}, ${f(e, upper)}]`;
}

/** A difference's interval without the unit the difference beside it already shows: "[+12.7, +52.3]". */
function deltaRange(e: ExperimentCardView, lower: number, upper: number): string {
  const bare = (x: number) => delta(e, x).replace(/ pts$/, '');
  return `[${bare(lower)}, ${bare(upper)}]`;
}

function pText(p: number): string {
  return p < 0.0001 ? 'p < 0.0001' : `p ${p.toPrecision(2)}`;
}

/**
 * An arm's rows: name and what it serves, n of assigned, the mean with its interval; then, for
 * every arm but the control, a full-width row with the difference from the control, its
 * interval and p-value (a sidebar is too narrow for all of it on one row).
 */
function armRows(e: ExperimentCardView, a: ExperimentArmView): HTMLElement[] {
  const d = a.difference;
  const main = h(
    'tr',
    { class: ['arm', e.winner === a.name && 'arm-winner', d && 'arm-has-diff'] },
    h('th', { scope: 'row' }, a.name, h('div', { class: 'muted small arm-serves' }, a.serves ?? 'app rule'), a.name === e.control ? h('div', { class: 'muted small' }, 'control') : null),
    h('td', { class: 'num', title: `${formatCount(a.n)} of ${formatCount(a.assigned)} assigned units have an outcome (weight ${Math.round(a.share * 100)}%)` }, formatCount(a.n), h('div', { class: 'muted small' }, `of ${formatCount(a.assigned)}`)),
    h('td', { class: 'num' }, a.mean !== null ? value(e, a.mean) : '–', a.interval ? h('div', { class: 'muted small' }, range(e, a.interval.lower, a.interval.upper, value)) : null),
  );
  if (a.name === e.control) return [main];
  const cls = d && d.significant ? (d.better === a.name ? 'better' : 'worse') : '';
  const diff = h(
    'tr',
    { class: 'arm-diff' },
    d
      ? h(
          'td',
          { colspan: 3, title: `${a.name} − ${e.control}: ${d.test.replace(/_/g, ' ')}, ${Math.round(d.confidence * 100)}% interval` },
          h('span', { class: 'muted' }, `vs ${e.control} `),
          h('span', { class: `diff-value ${cls}` }, delta(e, d.value)),
          ' ',
          h('span', { class: 'muted nowrap', title: `${Math.round(d.confidence * 100)}% interval of the difference` }, deltaRange(e, d.lower, d.upper)),
          ' ',
          h('span', { class: 'muted nowrap' }, `· ${pText(d.pValue)}`),
        )
      : h('td', { colspan: 3, class: 'muted' }, `vs ${e.control}: no outcomes yet`),
  );
  return [main, diff];
}

export function experimentSection(e: ExperimentCardView, kit: CardKit, busy: boolean): HTMLElement {
  const status =
    e.status === 'running'
      ? [h('span', {}, 'running '), e.startedAt ? kit.relTime(e.startedAt, 'since ') : null]
      : e.status === 'stopped'
        ? [h('span', {}, 'stopped '), e.stoppedAt ? kit.relTime(e.stoppedAt) : null]
        : [h('span', {}, 'not started: mlloop serve starts it, or Start Experiment')];
  const button =
    e.status === 'running'
      ? kit.commandButton('Stop Experiment…', 'mlloop.stopExperiment', { icon: 'debug-stop', disabled: busy, ariaLabel: `Stop experiment ${e.name}, record its analysis and act on its decision` })
      : e.status === 'not_started'
        ? kit.commandButton('Start Experiment', 'mlloop.startExperiment', { icon: 'beaker', disabled: busy, ariaLabel: `Start experiment ${e.name}` })
        : null;
  const buttons = button ? h('div', { class: 'section-actions serving-actions' }, button) : null;
  if (e.error) return kit.section('experiment', `Experiment · ${e.name}`, h('p', { class: 'muted small' }, e.error), buttons);
  const dec = DECISIONS[e.decision];
  const sample =
    e.decidedOn !== null
      ? `Decided on the first ${plural(e.decidedOn, 'outcome')} of each arm.`
      : e.requiredPerArm !== null
        ? `Planned: ${plural(e.requiredPerArm, 'outcome')} per arm${e.arms.length ? ` (fewest so far ${formatCount(Math.min(...e.arms.map((a) => a.n)))})` : ''}; differences so far are interim.`
        : 'The planned sample shows once outcomes arrive.';
  return kit.section(
    'experiment',
    `Experiment · ${e.name}`,
    h('div', { class: 'muted small' }, ...status, ` · ${e.outcome === 'rate' ? 'success rate' : 'mean outcome'}, ${e.goal}`),
    e.srm?.mismatch
      ? h(
          'div',
          { class: 'banner banner-error', role: 'alert' },
          icon('warning'),
          h('div', {}, `Sample-ratio mismatch (χ² p ${e.srm.pValue.toPrecision(2)} < ${e.srm.alpha}): the units per arm do not fit the weights, so assignment or logging is broken. No winner is declared while it lasts.`),
        )
      : null,
    e.arms.length
      ? h(
          'table',
          { class: 'arms small' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Arm'), h('th', { scope: 'col', class: 'num' }, 'n'), h('th', { scope: 'col', class: 'num' }, e.outcome === 'rate' ? 'Rate' : 'Mean'))),
          h('tbody', {}, ...e.arms.flatMap((a) => armRows(e, a))),
        )
      : null,
    h('p', { class: 'muted small' }, sample),
    h('div', { class: `decision decision-${e.decision}` }, icon(dec.icon), h('span', { class: 'decision-text' }, dec.text(e))),
    e.reasons.length ? h('ul', { class: 'reasons small', 'aria-label': 'Reasons' }, ...e.reasons.map((r) => h('li', {}, r))) : null,
    buttons,
  );
}

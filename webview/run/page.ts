/**
 * The run panel page: header (run, status, model, facts, actions) and tabs (Training,
 * Metrics, Curves or Predictions, Calibration, Importance). It renders the host's snapshot,
 * applies live updates in place, remembers the selected tab and the confusion-matrix mode
 * with setState, and tells the host what it has drawn (`run/rendered`).
 */
import type { ChartCard } from '../shared/charts';
import { disposeChartsIn } from '../shared/charts';
import { h, notice, replaceChildren } from '../shared/dom';
import { formatDuration, formatTimestamp } from '../shared/format';
import type { HostChannel } from '../shared/host';
import { evaluationTabs, type SectionContext } from './evaluation';
import { RUN_TABS, type RunEvaluation, type RunPageState, type RunSnapshot, type RunSummary, type RunTab, type RunToHost, type RunToPage } from './protocol';
import { TrainingView } from './training';

const TAB_TITLES: Record<RunTab, string> = {
  training: 'Training',
  metrics: 'Metrics',
  curves: 'Curves',
  calibration: 'Calibration',
  importance: 'Importance',
};

export class RunPage {
  private summary: RunSummary | undefined;
  private training: TrainingView | undefined;
  private evaluation: RunEvaluation | null = null;
  private cards: ChartCard[] = [];
  private sections: string[] = [];
  private tabs: HTMLElement | undefined;
  private panels = new Map<RunTab, HTMLElement>();
  private visibleTabs: RunTab[] = [];
  private state: RunPageState | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly channel: HostChannel<RunToHost, RunToPage, RunPageState>,
  ) {
    this.state = channel.state;
    replaceChildren(root, notice(this.state ? `Loading run ${this.state.runId}…` : 'Loading the run…', { live: true, icon: 'loading codicon-modifier-spin' }));
  }

  receive(m: RunToPage): void {
    switch (m.type) {
      case 'run/snapshot':
        this.renderSnapshot(m.snapshot);
        break;
      case 'run/epoch':
        if (m.runId !== this.summary?.id || !this.training) return;
        this.training.append(m.logs);
        break;
      case 'run/finished':
        if (m.summary.id !== this.summary?.id) return;
        this.summary = m.summary;
        this.renderHeader();
        this.training?.finish(m.summary, m.epochs, m.bestEpoch, m.stoppedAt);
        if (m.summary.status !== 'completed') this.renderEvaluation();
        break;
      case 'run/evaluation':
        if (m.runId !== this.summary?.id) return;
        this.evaluation = m.evaluation;
        this.renderEvaluation();
        break;
      case 'run/showTab':
        this.selectTab(m.tab);
        break;
      case 'run/missing':
        replaceChildren(this.root, h('div', { class: 'page-head' }, h('h1', { class: 'page-title' }, `Run ${m.runId}`)), notice(m.message, { icon: 'warning' }));
        return;
    }
    this.reportRendered();
  }

  private saveState(patch: Partial<RunPageState>): void {
    if (!this.summary) return;
    this.state = { runId: this.summary.id, root: this.summary.root, tab: this.state?.tab ?? 'training', normalised: this.state?.normalised ?? false, ...patch };
    this.channel.state = this.state;
  }

  private renderSnapshot(s: RunSnapshot): void {
    // A snapshot for another run than the saved state's (never expected) resets the UI state.
    if (this.state && this.state.runId !== s.summary.id) this.state = undefined;
    this.summary = s.summary;
    this.evaluation = s.evaluation;
    this.training?.dispose();
    disposeChartsIn(this.root);
    this.training = new TrainingView(this.channel, s.summary);
    const header = h('header', { class: 'page-head' });
    this.tabs = h('vscode-tabs', { 'aria-label': `Run ${s.summary.id} sections` });
    replaceChildren(this.root, header, h('div', { class: 'error-slot' }), this.tabs);
    this.buildTabs();
    this.renderHeader();
    this.training.show(s.summary, s.epochs, s.bestEpoch, s.stoppedAt, s.live);
    this.renderEvaluation();
    // The default tab: the saved one, else Training while it trains and Metrics once evaluated.
    const initial = this.state?.tab ?? (s.summary.status === 'completed' && s.evaluation ? 'metrics' : 'training');
    this.saveState({ tab: initial });
    this.selectTab(initial);
  }

  /** Tabs this task shows: regression has no calibration and calls its curves "Predictions". */
  private buildTabs(): void {
    const tabs = this.tabs!;
    const regression = this.summary!.task === 'regression';
    this.visibleTabs = RUN_TABS.filter((t) => !(regression && t === 'calibration'));
    this.panels.clear();
    const headers = this.visibleTabs.map((t) => h('vscode-tab-header', { slot: 'header', id: `tab-${t}` }, t === 'curves' && regression ? 'Predictions' : TAB_TITLES[t]));
    const panels = this.visibleTabs.map((t) => {
      const panel = h('vscode-tab-panel', { 'aria-labelledby': `tab-${t}` });
      this.panels.set(t, panel);
      return panel;
    });
    tabs.replaceChildren(...headers, ...panels);
    tabs.addEventListener('vsc-tabs-select', (e) => {
      const index = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
      const tab = this.visibleTabs[index];
      if (tab) {
        this.saveState({ tab });
        this.reportRendered();
      }
    });
    this.panels.get('training')!.append(this.training!.element);
  }

  private selectTab(tab: RunTab): void {
    if (!this.tabs) return;
    const index = Math.max(0, this.visibleTabs.indexOf(tab === 'calibration' && !this.visibleTabs.includes(tab) ? 'metrics' : tab));
    (this.tabs as HTMLElement & { selectedIndex: number }).selectedIndex = index;
    this.saveState({ tab: this.visibleTabs[index] });
  }

  private renderHeader(): void {
    const s = this.summary;
    const header = this.root.querySelector('.page-head');
    if (!s || !header) return;
    const counts = s.dataCounts;
    const rows = ['train', 'validation', 'test'].every((k) => typeof counts[k] === 'number') ? `${counts.train} / ${counts.validation} / ${counts.test}` : null;
    const meta = h(
      'ul',
      { class: 'page-meta', 'aria-label': 'Run facts' },
      h('li', null, 'Project ', h('strong', null, s.projectName)),
      h('li', null, 'Model ', h('strong', null, s.modelVersion ?? '—')),
      h('li', null, 'Task ', h('strong', null, s.task)),
      rows ? h('li', { title: 'rows in the train / validation / test splits' }, 'Rows ', h('strong', null, rows)) : null,
      h('li', null, 'Started ', h('strong', null, formatTimestamp(s.startedAt))),
      s.durationMs !== null ? h('li', null, 'Took ', h('strong', null, formatDuration(s.durationMs))) : null,
      s.backend ? h('li', null, 'Backend ', h('strong', null, s.backend)) : null,
    );
    const canCompare = s.status === 'completed' && s.comparableRuns > 0;
    const actions = h(
      'div',
      { class: 'page-actions' },
      h(
        'vscode-button',
        {
          secondary: true,
          icon: 'link-external',
          disabled: !s.reportAvailable || undefined,
          title: s.reportAvailable ? 'Open the self-contained HTML report of this run' : 'The report is written when the run completes',
          on: { click: () => this.channel.post({ type: 'run/openReport' }) },
        },
        'Open HTML report',
      ),
      h(
        'vscode-button',
        {
          icon: 'diff',
          disabled: !canCompare || undefined,
          title: canCompare ? 'Compare this run with another completed run' : 'Needs this run and another run to have completed',
          on: { click: () => this.channel.post({ type: 'run/compareWith' }) },
        },
        'Compare with…',
      ),
    );
    replaceChildren(
      header,
      h('h1', { class: 'page-title' }, `Run ${s.id}`, h('span', { class: `status ${s.status}`, role: 'status' }, s.status === 'running' ? h('span', { class: 'codicon codicon-loading codicon-modifier-spin', 'aria-hidden': 'true' }) : null, s.status)),
      meta,
      actions,
    );
    const errorSlot = this.root.querySelector('.error-slot');
    if (errorSlot) replaceChildren(errorSlot, s.error && s.status !== 'cancelled' ? h('div', { class: 'error-box', role: 'alert' }, `This run ${s.status}: ${s.error}`) : null);
  }

  private renderEvaluation(): void {
    const s = this.summary;
    if (!s) return;
    for (const c of this.cards) c.dispose();
    this.cards = [];
    this.sections = [];
    const pending = (tab: RunTab) =>
      s.status === 'running'
        ? notice(`The ${TAB_TITLES[tab].toLowerCase()} appear${tab === 'importance' || tab === 'metrics' || tab === 'curves' ? '' : 's'} when training ends and the model is evaluated on the test split.`, { icon: 'watch' })
        : notice(s.status === 'completed' ? 'This run recorded no evaluation.' : `The run ${s.status}; it has no evaluation.`, { icon: 'info' });
    const ctx: SectionContext = { host: this.channel, runId: s.id, task: s.task, cards: this.cards, sections: this.sections };
    const content = this.evaluation
      ? evaluationTabs(ctx, this.evaluation, this.state?.normalised ?? false, (normalised) => {
          this.saveState({ normalised });
          this.reportRendered();
        })
      : null;
    for (const tab of this.visibleTabs) {
      if (tab === 'training') continue;
      const panel = this.panels.get(tab);
      if (!panel) continue;
      disposeChartsIn(panel);
      const parts = content?.[tab] ?? [];
      const gridClass = 'grid';
      replaceChildren(panel, parts.length > 0 ? h('div', { class: gridClass }, ...parts) : pending(tab));
    }
  }

  private reportRendered(): void {
    const s = this.summary;
    if (!s || !this.training) return;
    this.channel.post({
      type: 'run/rendered',
      rendered: {
        runId: s.id,
        tab: this.state?.tab ?? 'training',
        epochs: this.training.epochCount,
        status: s.status,
        sections: [...this.sections],
        ...this.training.marks,
      },
    });
  }
}

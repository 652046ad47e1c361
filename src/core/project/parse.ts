/**
 * Reading mlloop.yaml: YAML with positions → JSON Schema validation → defaults.
 *
 * Every problem is reported with the 1-based line and column of the node it is about, so
 * the CLI can print `mlloop.yaml:12:5: …` and the extension can put a diagnostic at the
 * right place. Pure (no fs): callers pass the text.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isMap, isPair, isScalar, LineCounter, parseDocument, visit, type Document, type Node as YamlNode } from 'yaml';
import schema from '../../../schemas/mlloop.schema.json';
import { cronProblem } from '../util/schedule';
import { metricDirection, TASK_METRICS, UNIT_INTERVAL_METRICS } from '../evaluate/metricNames';
import type {
  CalibrationConfig,
  EvaluationConfig,
  FeatureSpec,
  GateConfig,
  GateSlice,
  ModelConfig,
  MonitoringConfig,
  ProjectConfig,
  ScheduleConfig,
  TextAnalyzer,
  TextFeature,
  Task,
  TrainingConfig,
} from './types';
import { didYouMean } from '../util/suggest';
import { resolveServing, servingProblems, type RawExperiment } from './serving';
import { configValidator } from './configValidator';

export const PROJECT_FILE = 'mlloop.yaml';

export interface ProjectProblem {
  message: string;
  /** 1-based line and column of the start of the offending node. */
  line: number;
  column: number;
  /** 1-based end position (exclusive column) for editors that underline a range. */
  endLine: number;
  endColumn: number;
  /** JSON pointer into the document, e.g. "/features/2/transform" ("" for the root). */
  path: string;
  severity: 'error' | 'warning';
}

export type ParseResult =
  | { ok: true; config: ProjectConfig; problems: ProjectProblem[] }
  | { ok: false; problems: ProjectProblem[] };

let validateFn: ValidateFunction | undefined;
function validator(): ValidateFunction {
  validateFn ??= configValidator();
  return validateFn;
}

/** The JSON Schema object (for editors and documentation). */
export function projectSchema(): unknown {
  return schema;
}

/**
 * Parses and validates the text of an mlloop.yaml.
 * @param text the file's contents.
 * @param defaultName used for `name` when the file has none (usually the folder name).
 * @returns the resolved config (all defaults filled) or the list of problems, each with a
 *   position. Semantic checks beyond the schema (duplicate feature names, the label used as
 *   a feature, inconsistent splits) are reported the same way.
 */
export function parseProject(text: string, defaultName = 'project'): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: ProjectProblem[] = [];
  const at = (offsetStart: number, offsetEnd: number, message: string, path: string, severity: 'error' | 'warning' = 'error') => {
    const s = lineCounter.linePos(offsetStart);
    const e = lineCounter.linePos(Math.max(offsetStart, offsetEnd));
    problems.push({ message, line: s.line, column: s.col, endLine: e.line, endColumn: e.col, path, severity });
  };
  for (const err of doc.errors) at(err.pos[0], err.pos[1], yamlSyntaxMessage(err.message), '');
  for (const warn of doc.warnings) at(warn.pos[0], warn.pos[1], firstLine(warn.message), '', 'warning');
  if (doc.errors.length > 0) return { ok: false, problems };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (e) {
    // The yaml library stops an alias bomb (aliases of aliases that expand exponentially)
    // and deep recursion with an exception: report them at the place they start, as the
    // user's problem they are.
    const alias = firstAliasRange(doc);
    if (e instanceof Error && /alias/i.test(e.message) && alias) {
      at(alias[0], alias[1], `YAML aliases expand into too much data here (more than 100 aliases after expansion, as an "alias bomb" does). mlloop.yaml needs no aliases (*name): write the values out.`, '');
    } else {
      at(0, 0, `The project file cannot be read: ${e instanceof Error ? firstLine(e.message) : String(e)} (values nested too deeply?).`, '');
    }
    return { ok: false, problems };
  }
  if (data === null || data === undefined) {
    at(0, 0, 'The project file is empty: it needs at least version, task, label and features (run `mlloop init`).', '');
    return { ok: false, problems };
  }
  const validate = validator();
  if (!validate(data)) {
    for (const err of dedupeErrors(validate.errors ?? [])) {
      const { range, path } = locate(doc, err);
      at(range[0], range[1], describeError(err), path);
    }
    problems.sort((a, b) => a.line - b.line || a.column - b.column);
    return { ok: false, problems };
  }

  const config = resolveDefaults(data as RawProject, defaultName);
  for (const p of semanticProblems(config)) {
    const range = nodeRange(doc, p.path.split('/').slice(1)) ?? [0, 0];
    at(range[0], range[1], p.message, p.path, p.severity ?? 'error');
  }
  if (problems.some((p) => p.severity === 'error')) return { ok: false, problems };
  return { ok: true, config, problems };
}

/** Formats problems as `file:line:col: message` lines, the shape editors and terminals link. */
export function formatProblems(file: string, problems: ProjectProblem[]): string {
  return problems.map((p) => `${file}:${p.line}:${p.column}: ${p.severity}: ${p.message}`).join('\n');
}

// ---------------------------------------------------------------------------------------

type RawProject = Omit<Partial<ProjectConfig>, 'features' | 'model' | 'training' | 'calibration' | 'evaluation' | 'gate' | 'time' | 'store' | 'schedule' | 'runtime' | 'serve' | 'experiment' | 'shadow' | 'monitoring'> & {
  runtime?: Partial<ProjectConfig['runtime']>;
  serve?: Partial<ProjectConfig['serve']>;
  experiment?: RawExperiment;
  shadow?: Partial<NonNullable<ProjectConfig['shadow']>> & { model: string };
  monitoring?: RawMonitoring;
  time?: string | { column: string; unit?: 'auto' | 's' | 'ms' };
  gate?: Partial<GateConfig>;
  store?: { url?: string; schema?: string };
  schedule?: Partial<Omit<ScheduleConfig, 'incremental'>> & { incremental?: Partial<ScheduleConfig['incremental']> };
  calibration?: Partial<CalibrationConfig>;
  evaluation?: Partial<EvaluationConfig>;
  features: Array<Partial<FeatureSpec> & { name: string; type: FeatureSpec['type'] }>;
  model?: Partial<ModelConfig> & { type: ModelConfig['type'] };
  training?: Partial<Omit<TrainingConfig, 'earlyStopping'>> & { earlyStopping?: Partial<TrainingConfig['earlyStopping']> };
};

/** Defaults live here and in the schema's `default` keywords (which editors show); a unit test keeps the two equal. */
export const DEFAULT_TRAINING: TrainingConfig = {
  batchSize: 32,
  learningRate: 0.001,
  epochs: 200,
  validationSplit: 0.15,
  testSplit: 0.2,
  earlyStopping: { enabled: true, monitor: 'val_loss', minDelta: 0.0001, patience: 10, restoreBest: true },
  classWeight: 'none',
  seed: 42,
};

export const DEFAULT_CALIBRATION: CalibrationConfig = { method: 'auto', margin: 0.05, bins: 15 };
export const DEFAULT_EVALUATION: EvaluationConfig = { bootstrap: 1000, confidence: 0.95, importanceRepeats: 5, importanceMaxRows: 5000 };

/**
 * The gate's task-independent defaults. margin and alpha are the seed systems' 5%; maxClassDrop
 * 0.10 is twice the margin — a challenger 5% better overall may move a few rows between classes,
 * but a class losing ten points of recall is a regression its users notice, while a tighter
 * limit mostly measures noise on a class of a few dozen held-out rows; minClassRows 20 keeps a
 * single row (0.05 of a 20-row class) from deciding it; minRows 30 is what the iris example's
 * 20% test split holds, and below it one row moves accuracy by more than 3 points; 2000
 * resamples put the Monte Carlo error of a p-value near 0.05 at about 0.005.
 */
export const DEFAULT_GATE: Omit<GateConfig, 'metric' | 'floors'> = {
  margin: 0.05,
  alpha: 0.05,
  maxClassDrop: 0.1,
  minClassRows: 20,
  slices: [],
  minRows: 30,
  bootstrap: 2000,
};

/** The gate's default metric: accuracy for classification, mae for regression. */
export function defaultGateMetric(task: Task): string {
  return task === 'regression' ? 'mae' : 'accuracy';
}

/**
 * The gate's default floors (the seed systems'): accuracy ≥ 0.75, F1 ≥ 0.70 (binary: f1 of the
 * positive class; multiclass: f1_macro), ECE ≤ 0.20; none for regression, whose metrics are in
 * the label's units.
 */
export function defaultGateFloors(task: Task): Record<string, number> {
  if (task === 'binary') return { accuracy: 0.75, f1: 0.7, ece: 0.2 };
  if (task === 'multiclass') return { accuracy: 0.75, f1_macro: 0.7, ece: 0.2 };
  return {};
}

/**
 * The monitor's defaults (the schema's `default` keywords say the same; a unit test keeps them
 * equal). Why these: a day of predictions is what a team looks at each morning and what a
 * week of retention keeps seven of; 30 values is where a KS test starts to tell a half-σ shift
 * from noise; α 0.01 family-wise, because the monitor runs every five minutes and each false
 * alarm wakes someone; the PSI bands are the credit-scoring 0.1 / 0.25; a Wasserstein shift of
 * half a reference σ is the PSI 0.25 of a normal mean shift; JS 0.1 / 0.2 are about the PSI
 * 0.06 / 0.22 of small shifts; 0.6 top-label confidence is where the seed systems fell back.
 */
export const DEFAULT_MONITORING: MonitoringConfig = {
  retention: { predictions: '7d', history: '30d' },
  window: { duration: '24h' },
  reference: 'training',
  minRows: 30,
  minLabels: 30,
  alpha: 0.01,
  drift: {
    bins: 10,
    psi: { warning: 0.1, critical: 0.25 },
    wasserstein: { warning: 0.1, critical: 0.5 },
    jensenShannon: { warning: 0.1, critical: 0.2 },
    datasetShare: 0.5,
  },
  alerts: { cooldown: '60m', latencyP95Ms: 1000, noDataFor: '2d', championMaxAge: '30d', disabled: [] },
  every: '5m',
  retrain: false,
};

type RawMonitoring = Partial<Omit<MonitoringConfig, 'retention' | 'window' | 'drift' | 'alerts'>> & {
  retention?: Partial<MonitoringConfig['retention']>;
  window?: string | { last: number } | { duration: string };
  drift?: Partial<Omit<MonitoringConfig['drift'], 'psi' | 'wasserstein' | 'jensenShannon'>> & {
    psi?: Partial<MonitoringConfig['drift']['psi']>;
    wasserstein?: Partial<MonitoringConfig['drift']['wasserstein']>;
    jensenShannon?: Partial<MonitoringConfig['drift']['jensenShannon']>;
  };
  alerts?: Partial<MonitoringConfig['alerts']>;
};

/** Fills the monitor's defaults; a resolved section resolves to itself (stored run configs are resolved again). */
function resolveMonitoring(raw: RawMonitoring): MonitoringConfig {
  const d = DEFAULT_MONITORING;
  const window = raw.window === undefined ? { ...d.window } : typeof raw.window === 'string' ? { duration: raw.window } : { ...raw.window };
  const drift = raw.drift ?? {};
  return {
    ...d,
    ...raw,
    retention: { ...d.retention, ...(raw.retention ?? {}) },
    window,
    reference: raw.reference === undefined || raw.reference === 'training' ? 'training' : { ...raw.reference },
    drift: {
      ...d.drift,
      ...drift,
      psi: { ...d.drift.psi, ...(drift.psi ?? {}) },
      wasserstein: { ...d.drift.wasserstein, ...(drift.wasserstein ?? {}) },
      jensenShannon: { ...d.drift.jensenShannon, ...(drift.jensenShannon ?? {}) },
    },
    alerts: { ...d.alerts, ...(raw.alerts ?? {}), disabled: [...(raw.alerts?.disabled ?? d.alerts.disabled)] },
  };
}

export const DEFAULT_STORE_SCHEMA = 'mlloop';
export const DEFAULT_SCHEDULE: ScheduleConfig = {
  cron: '0 2 * * 0',
  timezone: 'UTC',
  window: '90d',
  incremental: { every: 100, epochs: 20, learningRate: 0.0003 },
  minExamples: 100,
  minNewLabels: 1,
};
export const DEFAULT_TIME_UNIT = 'auto';

export const DEFAULT_MLP = { type: 'mlp', hidden: [64, 32], dropout: 0.1, activation: 'relu' } as const;
export const DEFAULT_LOGISTIC = { type: 'logistic', l2: 0.0001 } as const;
export const DEFAULT_AUTO = { type: 'auto', refit: 'auto' } as const;

/**
 * A text feature's defaults: the behaviour of projects written before analyzer, sublinearTf
 * and minDf existed (word 1–2-grams, raw counts, every term kept), so they train as before.
 * `mlloop init` writes settings sized to the data instead. ngrams defaults by analyzer.
 */
export const DEFAULT_TEXT = { dimensions: 1024, lowercase: true, analyzer: 'word', sublinearTf: false, minDf: 1 } as const;
/** Default n-gram range by analyzer: word uni- and bigrams; character 2- to 5-grams (a common choice for char_wb). */
export const DEFAULT_TEXT_NGRAMS: Record<TextAnalyzer, [number, number]> = { word: [1, 2], char_wb: [2, 5] };

function resolveFeature(f: RawProject['features'][number]): FeatureSpec {
  switch (f.type) {
    case 'numeric':
      return { name: f.name, type: 'numeric', transform: 'standardize', impute: 'mean', ...(f as object) } as FeatureSpec;
    case 'boolean':
      return { name: f.name, type: 'boolean', missing: false, ...(f as object) } as FeatureSpec;
    case 'categorical':
      return { name: f.name, type: 'categorical', maxCategories: 50, minCount: 1, ...(f as object) } as FeatureSpec;
    case 'text': {
      const analyzer: TextAnalyzer = (f as Partial<TextFeature>).analyzer ?? DEFAULT_TEXT.analyzer;
      return { name: f.name, type: 'text', ...DEFAULT_TEXT, ngrams: [...DEFAULT_TEXT_NGRAMS[analyzer]], ...(f as object) } as FeatureSpec;
    }
  }
}

/**
 * Fills every default of a project object (the schema-valid content of an mlloop.yaml, or
 * a config stored with an older run): what {@link parseProject} returns after validation,
 * and what decodeStoredConfig uses so that sections added later get their defaults.
 */
export function resolveDefaults(raw: RawProject, defaultName: string): ProjectConfig {
  // No model key: an MLP, as before model: auto existed (mlloop init writes auto).
  const model: ModelConfig =
    raw.model?.type === 'logistic'
      ? { ...DEFAULT_LOGISTIC, ...(raw.model as object) } as ModelConfig
      : raw.model?.type === 'auto'
        ? { ...DEFAULT_AUTO, ...(raw.model as object) } as ModelConfig
        : { ...DEFAULT_MLP, hidden: [...DEFAULT_MLP.hidden], ...(raw.model as object) } as ModelConfig;
  const t: NonNullable<RawProject['training']> = raw.training ?? {};
  const training: TrainingConfig = {
    ...DEFAULT_TRAINING,
    ...t,
    earlyStopping: { ...DEFAULT_TRAINING.earlyStopping, ...(t.earlyStopping ?? {}) },
  };
  return {
    version: 1,
    name: raw.name ?? defaultName,
    task: raw.task!,
    label: raw.label!,
    ...(raw.weight !== undefined ? { weight: raw.weight } : {}),
    ...(raw.time !== undefined
      ? { time: typeof raw.time === 'string' ? { column: raw.time, unit: DEFAULT_TIME_UNIT } : { column: raw.time.column, unit: raw.time.unit ?? DEFAULT_TIME_UNIT } }
      : {}),
    features: raw.features.map(resolveFeature),
    data: { sources: raw.data?.sources ?? [] },
    model,
    training,
    calibration: { ...DEFAULT_CALIBRATION, ...(raw.calibration ?? {}) },
    evaluation: { ...DEFAULT_EVALUATION, ...(raw.evaluation ?? {}) },
    gate: resolveGate(raw.gate ?? {}, raw.task!),
    store: { schema: raw.store?.schema ?? DEFAULT_STORE_SCHEMA, ...(raw.store?.url !== undefined ? { url: raw.store.url } : {}) },
    schedule: { ...DEFAULT_SCHEDULE, ...(raw.schedule ?? {}), incremental: { ...DEFAULT_SCHEDULE.incremental, ...(raw.schedule?.incremental ?? {}) } },
    ...resolveServing(raw),
    monitoring: resolveMonitoring(raw.monitoring ?? {}),
  };
}

/**
 * Written floors replace the task's default floors as a whole (rather than merging into them),
 * so that resolving a resolved config — a run's stored config, see jobs/runRecord.ts — gives it
 * back unchanged.
 */
function resolveGate(raw: NonNullable<RawProject['gate']>, task: Task): GateConfig {
  return {
    ...DEFAULT_GATE,
    ...raw,
    metric: raw.metric ?? defaultGateMetric(task),
    floors: { ...(raw.floors ?? defaultGateFloors(task)) },
    slices: (raw.slices ?? DEFAULT_GATE.slices).map((slice) => ({ ...slice })),
  };
}

/** The values a metric can take, for bounds that could never be met (or always are). */
function metricRange(metric: string): [number, number] {
  if (UNIT_INTERVAL_METRICS.has(metric)) return [0, 1];
  if (metric === 'mcc') return [-1, 1];
  if (metric === 'brier') return [0, 2];
  if (metric === 'r2' || metric === 'explained_variance') return [-Infinity, 1];
  return [0, Infinity]; // log_loss, mse, rmse, mae
}

function gateProblems(c: ProjectConfig): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  const metrics = TASK_METRICS[c.task];
  const known = (m: string) => metrics.includes(m);
  if (!known(c.gate.metric)) {
    out.push({ path: '/gate/metric', message: `'${c.gate.metric}' is not a ${c.task} metric; the gate can compare one of ${metrics.join(', ')}.` });
  }
  for (const [metric, bound] of Object.entries(c.gate.floors)) {
    const path = `/gate/floors/${metric}`;
    if (!known(metric)) {
      out.push({ path, message: `'${metric}' is not a ${c.task} metric, so it cannot have a floor; use one of ${metrics.join(', ')}.` });
      continue;
    }
    const [low, high] = metricRange(metric);
    if (bound < low || bound > high) {
      const kind = metricDirection(metric) === 'higher' ? 'floor' : 'ceiling';
      const range = high === Infinity ? `at least ${low}` : low === -Infinity ? `at most ${high}` : `between ${low} and ${high}`;
      const hint = high === 1 && bound > 1 && bound <= 100 ? ` (for ${bound}% write ${bound / 100})` : '';
      out.push({ path, message: `${metric} is ${range}, so a ${kind} of ${bound} is a mistake${hint}.` });
    }
  }
  const names = new Map<string, number>();
  c.gate.slices.forEach((slice: GateSlice, i) => {
    const path = `/gate/slices/${i}`;
    if (names.has(slice.name)) out.push({ path: `${path}/name`, message: `Slice '${slice.name}' is listed twice (first at gate.slices[${names.get(slice.name)}]).` });
    else names.set(slice.name, i);
    const conditions = [slice.equals !== undefined, slice.in !== undefined, slice.min !== undefined || slice.max !== undefined].filter(Boolean).length;
    if (conditions !== 1) {
      out.push({ path, message: `Slice '${slice.name}' needs exactly one condition on '${slice.feature}': equals, in, or a range min/max${conditions > 1 ? ' (it has several)' : ''}.` });
    } else if (slice.min !== undefined && slice.max !== undefined && !(slice.min < slice.max)) {
      out.push({ path: `${path}/max`, message: `Slice '${slice.name}': max (${slice.max}) must be greater than min (${slice.min}); the range is min ≤ value < max.` });
    }
  });
  return out;
}

function semanticProblems(c: ProjectConfig): Array<{ path: string; message: string; severity?: 'warning' }> {
  const out: Array<{ path: string; message: string; severity?: 'warning' }> = [];
  const seen = new Map<string, number>();
  c.features.forEach((f, i) => {
    if (seen.has(f.name)) {
      out.push({ path: `/features/${i}/name`, message: `Feature '${f.name}' is listed twice (first at features[${seen.get(f.name)}]).` });
    } else seen.set(f.name, i);
    if (f.name === c.label) out.push({ path: `/features/${i}/name`, message: `'${f.name}' is the label; it cannot also be a feature.` });
    if (c.weight !== undefined && f.name === c.weight) out.push({ path: `/features/${i}/name`, message: `'${f.name}' is the weight column; it cannot also be a feature.` });
    if (c.time !== undefined && f.name === c.time.column) {
      out.push({ path: `/features/${i}/name`, message: `'${f.name}' is the time column; a model that learns from when an example happened does not carry over to the future. Remove it from features (derive e.g. an hour-of-day feature instead).`, severity: 'warning' as const });
    }
    if (f.type === 'text' && f.ngrams[0] > f.ngrams[1]) {
      out.push({ path: `/features/${i}/ngrams`, message: `ngrams [${f.ngrams.join(', ')}]: the first number (smallest n) must not exceed the second.` });
    }
  });
  if (c.time !== undefined && (c.time.column === c.label || c.time.column === c.weight)) {
    out.push({ path: '/time', message: `'${c.time.column}' is the ${c.time.column === c.label ? 'label' : 'weight column'}; it cannot also be the time column.` });
  }
  // The default schedule is known good (a unit test checks it): croner's first time-zone
  // computation initialises ICU's time zones, 30 ms of every command that reads the project.
  const defaultSchedule = c.schedule.cron === DEFAULT_SCHEDULE.cron && c.schedule.timezone === DEFAULT_SCHEDULE.timezone;
  if (c.schedule.cron !== 'off' && !defaultSchedule) {
    const why = cronProblem(c.schedule.cron, c.schedule.timezone);
    if (why) out.push({ path: '/schedule/cron', message: why });
  }
  if (c.training.validationSplit + c.training.testSplit >= 0.8) {
    out.push({ path: '/training/testSplit', message: `validationSplit + testSplit = ${(c.training.validationSplit + c.training.testSplit).toFixed(2)} leaves too little to train on; keep the sum below 0.8.` });
  }
  if (c.evaluation.importanceMetric !== undefined && !IMPORTANCE_METRICS[c.task].includes(c.evaluation.importanceMetric)) {
    out.push({ path: '/evaluation/importanceMetric', message: `'${c.evaluation.importanceMetric}' is not a ${c.task} metric; use one of ${IMPORTANCE_METRICS[c.task].join(', ')}.` });
  }
  if (c.training.earlyStopping.monitor === 'val_accuracy' && c.task === 'regression') {
    out.push({ path: '/training/earlyStopping/monitor', message: 'val_accuracy is not defined for regression; use val_loss.' });
  }
  out.push(...gateProblems(c));
  out.push(...servingProblems(c));
  out.push(...monitoringProblems(c));
  return out;
}

function monitoringProblems(c: ProjectConfig): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  const m = c.monitoring;
  for (const name of ['psi', 'wasserstein', 'jensenShannon'] as const) {
    const band = m.drift[name];
    if (band.critical < band.warning) out.push({ path: `/monitoring/drift/${name}/critical`, message: `monitoring.drift.${name}: critical (${band.critical}) must not be below warning (${band.warning}).` });
  }
  if (m.reference !== 'training') {
    const from = Date.parse(m.reference.from);
    const to = Date.parse(m.reference.to);
    if (!Number.isFinite(from)) out.push({ path: '/monitoring/reference/from', message: `'${m.reference.from}' is not a date and time (ISO-8601, e.g. 2026-01-01T00:00:00Z).` });
    else if (!Number.isFinite(to)) out.push({ path: '/monitoring/reference/to', message: `'${m.reference.to}' is not a date and time (ISO-8601, e.g. 2026-02-01T00:00:00Z).` });
    else if (!(from < to)) out.push({ path: '/monitoring/reference/to', message: `monitoring.reference: to (${m.reference.to}) must be after from (${m.reference.from}).` });
  }
  const metrics = [...TASK_METRICS[c.task], 'ece'];
  for (const metric of Object.keys(m.alerts.floors ?? {})) {
    if (!metrics.includes(metric)) out.push({ path: `/monitoring/alerts/floors/${metric}`, message: `'${metric}' is not a ${c.task} metric; a live floor can be set for ${metrics.join(', ')}.` });
  }
  return out;
}

/** Metrics permutation importance can use, by task (scikit-learn names). */
const IMPORTANCE_METRICS: Record<ProjectConfig['task'], string[]> = {
  binary: ['accuracy', 'roc_auc', 'average_precision', 'f1', 'f1_macro', 'precision', 'recall', 'mcc', 'log_loss', 'brier'],
  multiclass: ['accuracy', 'f1_macro', 'f1_weighted', 'roc_auc', 'log_loss', 'brier', 'mcc'],
  regression: ['r2', 'mse', 'rmse', 'mae', 'explained_variance'],
};

function firstLine(s: string): string {
  return s.split('\n')[0];
}

function yamlSyntaxMessage(message: string): string {
  if (/Maximum call stack/i.test(message)) return 'YAML syntax: lists or maps are nested too deeply here to read (hundreds of levels inside each other).';
  return `YAML syntax: ${firstLine(message)}`;
}

/** Range of the first alias (*name) in the document, if any. */
function firstAliasRange(doc: Document): [number, number] | undefined {
  let found: [number, number] | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (node.range) found = [node.range[0], node.range[1]];
      return visit.BREAK;
    },
  });
  return found;
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Range of the node at `segments`, or of its nearest existing ancestor. */
function nodeRange(doc: Document, segments: string[]): [number, number] | undefined {
  for (let len = segments.length; len >= 0; len--) {
    const keys = segments.slice(0, len).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    const node = (len === 0 ? doc.contents : doc.getIn(keys, true)) as YamlNode | undefined;
    if (node && typeof node === 'object' && 'range' in node && node.range) return [node.range[0], node.range[1]];
  }
  return undefined;
}

/** Range of a key inside the map at `segments` (for "unknown key" errors, underline the key). */
function keyRange(doc: Document, segments: string[], key: string): [number, number] | undefined {
  const keys = segments.map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const map = (segments.length === 0 ? doc.contents : doc.getIn(keys, true)) as unknown;
  if (!isMap(map)) return undefined;
  for (const item of map.items) {
    if (isPair(item) && isScalar(item.key) && String(item.key.value) === key && item.key.range) {
      return [item.key.range[0], item.key.range[1]];
    }
  }
  return undefined;
}

function locate(doc: Document, err: ErrorObject): { range: [number, number]; path: string } {
  const segs = pointerSegments(err.instancePath);
  if (err.keyword === 'additionalProperties') {
    const prop = String((err.params as { additionalProperty: string }).additionalProperty);
    return { range: keyRange(doc, segs, prop) ?? nodeRange(doc, segs) ?? [0, 0], path: `${err.instancePath}/${prop}` };
  }
  return { range: nodeRange(doc, segs) ?? [0, 0], path: err.instancePath };
}

/**
 * For a key that another `type` of the same object allows (e.g. `refit`, which only `model:
 * {type: auto}` takes, left behind after the type was changed to logistic): " 'refit' belongs
 * to type auto." — the hint a did-you-mean cannot give. Undefined for other places and keys.
 */
function otherBranchesWith(instancePath: string, key: string): string | undefined {
  const node = instancePath.split('/').slice(1).reduce<Record<string, unknown> | undefined>((at, seg) => {
    const props = (at as { properties?: Record<string, Record<string, unknown>> } | undefined)?.properties;
    return props?.[seg] ?? ((at as { items?: Record<string, unknown> } | undefined)?.items && /^\d+$/.test(seg) ? (at as { items: Record<string, unknown> }).items : undefined);
  }, schema as Record<string, unknown>);
  const branches = (node as { oneOf?: Array<{ properties?: Record<string, { const?: unknown; enum?: unknown[] }> }> } | undefined)?.oneOf;
  if (!branches) return undefined;
  const types = branches
    .filter((b) => b.properties && key in b.properties)
    .map((b) => b.properties!.type?.const ?? b.properties!.type?.enum?.join(' or '))
    .filter((t) => t !== undefined);
  return types.length ? ` '${key}' belongs to type ${types.join(', ')}: remove it, or set that type.` : undefined;
}

function describeError(err: ErrorObject): string {
  const where = err.instancePath === '' ? 'the project file' : `'${err.instancePath.slice(1).replace(/\//g, '.')}'`;
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'required':
      return `${where} is missing the required key '${String(p.missingProperty)}'.`;
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const allowed = Object.keys((err.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
      return `Unknown key '${key}' in ${where}.${otherBranchesWith(err.instancePath, key) ?? didYouMean(key, allowed)}`;
    }
    case 'enum': {
      const allowed = p.allowedValues as unknown[];
      const hint = typeof err.data === 'string' ? didYouMean(err.data, allowed.filter((v): v is string => typeof v === 'string')) : '';
      return `${where} must be one of: ${allowed.map((v) => JSON.stringify(v)).join(', ')}.${hint}`;
    }
    case 'const':
      return `${where} must be ${JSON.stringify(p.allowedValue)}.`;
    case 'type':
      return `${where} must be ${String(p.type)}.`;
    case 'pattern':
      // Durations (schedule.window, monitoring.retention …) share one pattern: say what it means, not the regex.
      if (String(p.pattern).includes('(ms|s|m|h|d|w)')) {
        return `${where} must be a duration: a number and a unit (ms, s, m, h, d, w), e.g. 7d or 36h${String(p.pattern).includes('forever') ? ', or forever' : ''}.`;
      }
      return `${where} ${err.message ?? 'is invalid'}.`;
    case 'discriminator': {
      const types = err.instancePath.startsWith('/model') ? ['auto', 'mlp', 'logistic'] : ['numeric', 'boolean', 'categorical', 'text'];
      const hint = typeof p.tagValue === 'string' ? didYouMean(p.tagValue, types) : '';
      return p.error === 'mapping'
        ? `${where}: unknown type ${JSON.stringify(p.tagValue ?? '')}; expected ${types.slice(0, -1).join(', ')} or ${types[types.length - 1]}.${hint}`
        : `${where} needs a 'type'.`;
    }
    default:
      return `${where} ${err.message ?? 'is invalid'}.`;
  }
}

/** One error per place: ajv reports both the failing branch and the oneOf wrapper. */
function dedupeErrors(errors: ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  const out: ErrorObject[] = [];
  for (const e of errors) {
    if (e.keyword === 'oneOf' || e.keyword === 'if') continue;
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(e);
    }
  }
  return out;
}

/**
 * Reading mlloop.yaml: YAML with positions → JSON Schema validation → defaults.
 *
 * Every problem is reported with the 1-based line and column of the node it is about, so
 * the CLI can print `mlloop.yaml:12:5: …` and the extension can put a diagnostic at the
 * right place. Pure (no fs): callers pass the text.
 */
import Ajv, { type ErrorObject } from 'ajv';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import schema from '../../../schemas/mlloop.schema.json';
import type {
  CalibrationConfig,
  EvaluationConfig,
  FeatureSpec,
  ModelConfig,
  MonitoringConfig,
  ProjectConfig,
  TrainingConfig,
} from './types';

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

let validateFn: ReturnType<Ajv['compile']> | undefined;
function validator(): ReturnType<Ajv['compile']> {
  // discriminator: errors for a feature/model come from the branch its `type` selects,
  // instead of one error per oneOf branch.
  validateFn ??= new Ajv({ allErrors: true, discriminator: true, strict: false }).compile(schema);
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
  for (const err of doc.errors) at(err.pos[0], err.pos[1], `YAML syntax: ${firstLine(err.message)}`, '');
  for (const warn of doc.warnings) at(warn.pos[0], warn.pos[1], firstLine(warn.message), '', 'warning');
  if (doc.errors.length > 0) return { ok: false, problems };

  const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
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

type RawProject = Omit<Partial<ProjectConfig>, 'features' | 'model' | 'training' | 'calibration' | 'evaluation' | 'time' | 'store' | 'monitoring'> & {
  time?: string | { column: string; unit?: 'auto' | 's' | 'ms' };
  monitoring?: { retention?: Partial<MonitoringConfig['retention']> };
  store?: { url?: string; schema?: string };
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

export const DEFAULT_MONITORING: MonitoringConfig = { retention: { predictions: '7d' } };

export const DEFAULT_STORE_SCHEMA = 'mlloop';
export const DEFAULT_TIME_UNIT = 'auto';

export const DEFAULT_MLP = { type: 'mlp', hidden: [64, 32], dropout: 0.1, activation: 'relu' } as const;
export const DEFAULT_LOGISTIC = { type: 'logistic', l2: 0.0001 } as const;

function resolveFeature(f: RawProject['features'][number]): FeatureSpec {
  switch (f.type) {
    case 'numeric':
      return { name: f.name, type: 'numeric', transform: 'standardize', impute: 'mean', ...(f as object) } as FeatureSpec;
    case 'boolean':
      return { name: f.name, type: 'boolean', missing: false, ...(f as object) } as FeatureSpec;
    case 'categorical':
      return { name: f.name, type: 'categorical', maxCategories: 50, minCount: 1, ...(f as object) } as FeatureSpec;
    case 'text':
      return { name: f.name, type: 'text', dimensions: 1024, ngrams: [1, 2], lowercase: true, ...(f as object) } as FeatureSpec;
  }
}

/**
 * Fills every default of a project object (the schema-valid content of an mlloop.yaml, or
 * a config stored with an older run): what {@link parseProject} returns after validation,
 * and what decodeStoredConfig uses so that sections added later get their defaults.
 */
export function resolveDefaults(raw: RawProject, defaultName: string): ProjectConfig {
  const model: ModelConfig =
    raw.model?.type === 'logistic'
      ? { ...DEFAULT_LOGISTIC, ...(raw.model as object) } as ModelConfig
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
    store: { schema: raw.store?.schema ?? DEFAULT_STORE_SCHEMA, ...(raw.store?.url !== undefined ? { url: raw.store.url } : {}) },
    monitoring: { ...DEFAULT_MONITORING, ...(raw.monitoring ?? {}), retention: { ...DEFAULT_MONITORING.retention, ...(raw.monitoring?.retention ?? {}) } },
  };
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
  if (c.training.validationSplit + c.training.testSplit >= 0.8) {
    out.push({ path: '/training/testSplit', message: `validationSplit + testSplit = ${(c.training.validationSplit + c.training.testSplit).toFixed(2)} leaves too little to train on; keep the sum below 0.8.` });
  }
  if (c.evaluation.importanceMetric !== undefined && !IMPORTANCE_METRICS[c.task].includes(c.evaluation.importanceMetric)) {
    out.push({ path: '/evaluation/importanceMetric', message: `'${c.evaluation.importanceMetric}' is not a ${c.task} metric; use one of ${IMPORTANCE_METRICS[c.task].join(', ')}.` });
  }
  if (c.training.earlyStopping.monitor === 'val_accuracy' && c.task === 'regression') {
    out.push({ path: '/training/earlyStopping/monitor', message: 'val_accuracy is not defined for regression; use val_loss.' });
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

function describeError(err: ErrorObject): string {
  const where = err.instancePath === '' ? 'the project file' : `'${err.instancePath.slice(1).replace(/\//g, '.')}'`;
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'required':
      return `${where} is missing the required key '${String(p.missingProperty)}'.`;
    case 'additionalProperties':
      return `Unknown key '${String(p.additionalProperty)}' in ${where}.`;
    case 'enum':
      return `${where} must be one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'const':
      return `${where} must be ${JSON.stringify(p.allowedValue)}.`;
    case 'type':
      return `${where} must be ${String(p.type)}.`;
    case 'pattern':
      // Durations (monitoring.retention …) share one pattern: say what it means, not the regex.
      if (String(p.pattern).includes('(ms|s|m|min|h|d|w)')) {
        return `${where} must be a duration: a number and a unit (s, m, h, d, w), e.g. 7d or 36h${String(p.pattern).includes('forever') ? ', or forever' : ''}.`;
      }
      return `${where} ${err.message ?? 'is invalid'}.`;
    case 'discriminator':
      return p.error === 'mapping'
        ? `${where}: unknown type ${JSON.stringify(p.tagValue ?? '')}; expected ${err.instancePath.startsWith('/model') ? 'mlp or logistic' : 'numeric, boolean, categorical or text'}.`
        : `${where} needs a 'type'.`;
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

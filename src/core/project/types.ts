/**
 * The shape of a project file (mlloop.yaml) after defaults are applied.
 *
 * The JSON Schema in ./schema.ts is the single source of truth for what a user may write;
 * these types describe the *resolved* config every other module receives (every optional
 * key filled with its default), so no consumer re-implements defaulting.
 */

export type Task = 'binary' | 'multiclass' | 'regression';

export type NumericTransform = 'standardize' | 'minmax' | 'log1p' | 'none';
export type NumericImpute = 'mean' | 'median' | 'zero';

export interface NumericFeature {
  name: string;
  type: 'numeric';
  /** Scaling applied after imputation. Default 'standardize'. */
  transform: NumericTransform;
  /** How a missing value (empty cell, null, absent key) is filled. Default 'mean'. */
  impute: NumericImpute;
}

export interface BooleanFeature {
  name: string;
  type: 'boolean';
  /** Value used when missing. Default false. */
  missing: boolean;
}

export interface CategoricalFeature {
  name: string;
  type: 'categorical';
  /** Keep at most this many most-frequent categories (ties broken by name); the rest go to the unknown bucket. Default 50. */
  maxCategories: number;
  /** Categories seen fewer times than this in training go to the unknown bucket. Default 1. */
  minCount: number;
}

/**
 * How a text is cut into terms: 'word' n-grams of words (runs of letters, digits and marks),
 * or 'char_wb' character n-grams inside each whitespace-separated word padded with one space
 * on each side (scikit-learn's analyzer='char_wb').
 */
export type TextAnalyzer = 'word' | 'char_wb';

export interface TextFeature {
  name: string;
  type: 'text';
  /** Width of the hashed TF-IDF vector. Default 1024 (mlloop init sizes it from the data). */
  dimensions: number;
  /**
   * Inclusive n-gram range: words for 'word' (default [1, 2]), characters for 'char_wb'
   * (default [2, 5]).
   */
  ngrams: [number, number];
  /** Lower-case before tokenising. Default true. */
  lowercase: boolean;
  /** Default 'word'. */
  analyzer: TextAnalyzer;
  /** Term frequency 1 + ln(count) instead of count (scikit-learn's sublinear_tf). Default false. */
  sublinearTf: boolean;
  /** Hash buckets found in fewer training rows than this get weight 0 (scikit-learn's min_df, per bucket). Default 1. */
  minDf: number;
}

export type FeatureSpec = NumericFeature | BooleanFeature | CategoricalFeature | TextFeature;
export type FeatureType = FeatureSpec['type'];

export type DataFormat = 'csv' | 'json' | 'jsonl';

export interface DataSource {
  /** Path relative to the project file's folder (a file). */
  path: string;
  /** Inferred from the file extension when omitted. */
  format?: DataFormat;
}

export interface MlpModel {
  type: 'mlp';
  /** Sizes of the hidden dense layers, input side first. Default [64, 32]. */
  hidden: number[];
  /** Dropout rate after each hidden layer, in [0, 1). Default 0.1. */
  dropout: number;
  activation: 'relu' | 'tanh' | 'elu' | 'selu';
}

export interface LogisticModel {
  type: 'logistic';
  /** L2 penalty strength on the weights (not the bias), added to the mean loss. Default 1e-4. */
  l2: number;
}

/**
 * Chosen per run from a small fixed set of linear models and MLPs by the validation metric
 * (see engine/select.ts), then optionally refitted on the training + validation rows.
 */
export interface AutoModel {
  type: 'auto';
  /**
   * Refit the chosen settings on training + validation rows: 'auto' (default) refits when the
   * data is small and no calibrator is fitted on the validation rows; true always; false never.
   */
  refit: 'auto' | boolean;
}

/** A model the training loops can build and train (what `auto` resolves to). */
export type TrainableModel = MlpModel | LogisticModel;

export type ModelConfig = TrainableModel | AutoModel;

export interface EarlyStoppingConfig {
  enabled: boolean;
  /** 'val_loss' or a validation metric computed per epoch ('val_accuracy'). Default 'val_loss'. */
  monitor: 'val_loss' | 'val_accuracy' | 'loss';
  /** Smallest change that counts as an improvement. Default 1e-4. */
  minDelta: number;
  /** Epochs without improvement before stopping. Default 10. */
  patience: number;
  /** Put back the weights of the best epoch when stopping. Default true. */
  restoreBest: boolean;
}

export interface TrainingConfig {
  batchSize: number;
  learningRate: number;
  epochs: number;
  /** Fraction of all rows held out for validation (early stopping), in [0, 0.5]. Default 0.15. */
  validationSplit: number;
  /** Fraction of all rows held out for the final test metrics, in (0, 0.5]. Default 0.2. */
  testSplit: number;
  earlyStopping: EarlyStoppingConfig;
  /** 'balanced' weights each class by n / (k · n_class), as scikit-learn's class_weight='balanced'. Default 'none'. */
  classWeight: 'none' | 'balanced';
  seed: number;
}

export type CalibrationMethodName = 'auto' | 'platt' | 'isotonic' | 'temperature' | 'vector' | 'histogram' | 'none';

export interface CalibrationConfig {
  /** Default 'auto': chosen by cross-validated ECE and Brier on the validation rows. */
  method: CalibrationMethodName;
  /** A calibrator is kept only when ECE falls by more than this fraction. Default 0.05. */
  margin: number;
  /** ECE bins. Default 15. */
  bins: number;
}

export interface EvaluationConfig {
  /** Bootstrap resamples for confidence intervals; 0 = off. Default 1000. */
  bootstrap: number;
  /** Interval coverage. Default 0.95. */
  confidence: number;
  /** Permutation-importance repeats; 0 = off. Default 5. */
  importanceRepeats: number;
  /** Metric for permutation importance; default accuracy (classification) or r2 (regression). */
  importanceMetric?: string;
  /** At most this many test rows for permutation importance. Default 5000. */
  importanceMaxRows: number;
}

/** The event-time column (see the schema's `time`). */
export interface TimeConfig {
  column: string;
  /** Unit of epoch numbers; 'auto': ≥ 1e11 means milliseconds, else seconds. */
  unit: 'auto' | 's' | 'ms';
}

/** Where the store lives (see src/core/store/open.ts). */
export interface StoreConfig {
  /** postgres://… or sqlite:PATH; absent for the embedded .mlloop/store.sqlite. */
  url?: string;
  /** PostgreSQL schema for the tables. */
  schema: string;
}

/** When the loop retrains by itself (see the schema's `schedule`). */
export interface ScheduleConfig {
  /** Cron expression of full retrains, or 'off'. */
  cron: string;
  timezone: string;
  /** Training window by event time, e.g. '90d'. */
  window: string;
  incremental: { every: number; epochs: number; learningRate: number };
  minExamples: number;
  minNewLabels: number;
}

/**
 * A named part of the held-out rows that the quality gate checks on its own (the schema's
 * `gate.slices`). A row belongs to the slice when its `feature` value meets the one condition
 * given: `equals`, `in`, or a range `min ≤ value < max` (either end may be left out).
 * src/core/registry/gateSlices.ts reads the values as the feature pipeline does.
 */
export interface GateSlice {
  name: string;
  /** Column (CSV) or key (JSON) of the example the condition reads: a feature or any other column. */
  feature: string;
  equals?: string | number | boolean;
  in?: Array<string | number | boolean>;
  /** Inclusive lower end of a numeric range. */
  min?: number;
  /** Exclusive upper end of a numeric range. */
  max?: number;
}

/**
 * The quality gate (`gate:`): when a challenger may replace the champion. Every key resolved
 * (see parse.ts resolveDefaults); the rules are evaluated by src/core/registry/gate.ts.
 */
export interface GateConfig {
  /** The metric that must improve (a key of TASK_METRICS for the task). Default accuracy (classification) or mae (regression). */
  metric: string;
  /** Relative improvement the metric needs, e.g. 0.05 = 5% better (for losses and errors: 5% lower). Default 0.05. */
  margin: number;
  /** Level of the one-sided paired test (McNemar for accuracy, else a paired bootstrap). Default 0.05. */
  alpha: number;
  /**
   * Absolute bounds the challenger must meet, metric → bound: a minimum for higher-is-better
   * metrics, a maximum (a ceiling) for losses and errors (metricDirection). Default for
   * classification: accuracy ≥ 0.75, F1 ≥ 0.70 (f1 for binary, f1_macro for multiclass),
   * ECE ≤ 0.20; regression: none. Floors written in the file replace these as a whole.
   */
  floors: Record<string, number>;
  /**
   * Largest fall allowed in any class's recall and in the gate metric on any slice, absolute
   * (for mae, mse and rmse on a slice: relative to the champion's value). Default 0.10.
   */
  maxClassDrop: number;
  /** Classes and slices with fewer held-out rows than this are not held to maxClassDrop (one row would move them too far). Default 20. */
  minClassRows: number;
  /** Named data slices checked with maxClassDrop. Default none. */
  slices: GateSlice[];
  /** Fewest held-out rows the gate decides on; with fewer it refuses to promote. Default 30. */
  minRows: number;
  /** Resamples of the paired bootstrap. Default 2000. */
  bootstrap: number;
}

/**
 * How an app uses the model's answers (`runtime:`): read by the runtime's callers,
 * `mlloop serve` and monitoring (the fallback rate is the share of predictions below the
 * threshold), so all three agree on what "the model was sure enough" means.
 */
export interface RuntimeConfig {
  /**
   * Confidence a classification needs for the app to act on it; below, the app falls back to
   * its own rule. In [0, 1]; default 0.5. Regression predictions always clear it.
   */
  threshold: number;
}

/** `mlloop serve` (see src/server). Every key resolved. */
export interface ServeConfig {
  /** Default 127.0.0.1 (this machine only). */
  host: string;
  /** Default 8765; 0 = any free port. */
  port: number;
  /** Bearer token required. Default true; false only with a loopback host. */
  auth: boolean;
  /** Largest request body in bytes. Default 1 MiB. */
  bodyLimit: number;
  /** Most records per POST /predict. Default 1000. */
  maxRecords: number;
  /** How often the champion alias (and the experiment's state) is checked, a duration. Default '2s'. */
  pollInterval: string;
  /** Longest a served prediction waits before its batch is written, a duration. Default '200ms'. */
  flushInterval: string;
}

/** The arms an experiment can have. */
export type ExperimentArm = 'champion' | 'challenger' | 'fallback';

/**
 * An A/B test (`experiment:`), every key resolved (see parse.ts). Assignment is
 * src/core/experiments/assign.ts, the analysis src/core/experiments/analysis.ts.
 */
export interface ExperimentConfig {
  name: string;
  /** Arm → relative weight; at least two arms with a positive weight. */
  variants: Partial<Record<ExperimentArm, number>>;
  /** The version the challenger arm serves (required with a challenger arm). */
  challenger?: string;
  /** The arm the others are compared with: default fallback when it is an arm, else champion. */
  control: ExperimentArm;
  /** 'rate' (success or not; two-proportion z-test) or 'mean' (a value; Welch's t-test). Default 'rate'. */
  outcome: 'rate' | 'mean';
  /** For a rate: the outcome label that is a success; absent: value 1, or a label true / yes / 1. */
  success?: string | number | boolean;
  /** Default 'maximize'. */
  goal: 'maximize' | 'minimize';
  /** Smallest difference worth detecting, in the outcome's units. Default 0.05 for a rate. */
  minEffect: number;
  /** Default 0.8. */
  power: number;
  /** Two-sided level, Bonferroni-split over the pairs of arms. Default 0.05. */
  alpha: number;
  /** Sample-ratio-mismatch level of the χ² test of the assignment counts. Default 0.001. */
  srmAlpha: number;
  /** ISO-8601: predictions before it are not part of the experiment. */
  start?: string;
}

/** Shadow mode (`shadow:`): another version predicts beside the champion on live traffic. */
export interface ShadowConfig {
  /** The version, e.g. 'v8'. */
  model: string;
  /** Share of predictions also made by the shadow model, in (0, 1]. Default 1. */
  sample: number;
}

/** An effect-size band of a drift measure: at or above `warning` it warns, at or above `critical` it is critical. */
export interface DriftBand {
  warning: number;
  critical: number;
}

/** Alert rules that can be turned off one by one (`monitoring.alerts.disabled`). */
export type AlertRuleName =
  | 'feature_drift'
  | 'prediction_drift'
  | 'dataset_drift'
  | 'metric_floor'
  | 'metric_interval'
  | 'calibration'
  | 'latency'
  | 'no_data'
  | 'champion_age'
  | 'cycles';

/**
 * The `monitoring:` section: watching the model at work (see the schema for each key's
 * meaning and why its default). Every key resolved by parse.ts resolveDefaults except
 * `alerts.floors` and `alerts.ece`, which fall back to the quality gate's floors when absent.
 */
export interface MonitoringConfig {
  retention: {
    /**
     * How long logged predictions (with their feedback and outcomes) are kept, by the time the
     * app logged them: a duration as written ('7d', '36h'; see parseDuration) or 'forever'.
     * Default '7d' (the seed systems kept a week of prediction logs).
     */
    predictions: string;
    /** How long monitoring snapshots (drift and live performance over time) are kept: a duration ('30d') or 'forever'. Default '30d'. */
    history: string;
  };
  /** The current window: the logged predictions of the last `duration` (e.g. '24h'), or the last `last` predictions. Default 24h. */
  window: { duration: string } | { last: number };
  /** The reference: the champion's training rows, or the stored examples with an event time in [from, to). Default training. */
  reference: 'training' | { from: string; to: string };
  /** Fewest current values a feature is tested on; below it the feature is not_enough_data. Default 30. */
  minRows: number;
  /** Fewest labelled predictions for live metrics. Default 30. */
  minLabels: number;
  /** Family-wise error rate of the drift tests (Holm over the features tested). Default 0.01. */
  alpha: number;
  drift: {
    /** PSI bins (reference quantiles). Default 10. */
    bins: number;
    psi: DriftBand;
    /** Wasserstein distance divided by the reference's standard deviation. */
    wasserstein: DriftBand;
    /** Jensen–Shannon distance (bits) of categories or hashed terms. */
    jensenShannon: DriftBand;
    /** Dataset drift when at least this share of the tested features drift. Default 0.5. */
    datasetShare: number;
  };
  alerts: {
    /** After an alert fires, the same condition does not fire again within this long. Default '60m'. */
    cooldown: string;
    /** p95 latency (ms) of logged predictions above which `latency` warns; null: off. Default 1000. */
    latencyP95Ms: number | null;
    /** `no_data` warns when no prediction was logged for this long ('off': never). Default '2d'. */
    noDataFor: string;
    /** `champion_age` warns when the champion is older than this ('off': never). Default '30d'. */
    championMaxAge: string;
    /** Live ECE limit; absent: the gate's ece floor (0.2 by default). */
    ece?: number;
    /** Live metric floors; absent: the gate's floors. */
    floors?: Record<string, number>;
    /** Rules turned off. Default none. */
    disabled: AlertRuleName[];
  };
  /** How often `mlloop watch` (and the extension) runs monitor and health. Default '5m'. */
  every: string;
  /** A critical drift or performance alert starts a retraining cycle through the gate. Default false. */
  retrain: boolean;
}

export interface ProjectConfig {
  version: 1;
  name: string;
  task: Task;
  /** Column/key that holds the label. */
  label: string;
  /** Optional column with a per-example weight. */
  weight?: string;
  /** The event-time column, when the data has one. */
  time?: TimeConfig;
  features: FeatureSpec[];
  data: { sources: DataSource[] };
  model: ModelConfig;
  training: TrainingConfig;
  calibration: CalibrationConfig;
  evaluation: EvaluationConfig;
  gate: GateConfig;
  store: StoreConfig;
  schedule: ScheduleConfig;
  runtime: RuntimeConfig;
  serve: ServeConfig;
  /** An A/B test, when one is configured. */
  experiment?: ExperimentConfig;
  /** A shadow model, when one is configured. */
  shadow?: ShadowConfig;
  monitoring: MonitoringConfig;
}

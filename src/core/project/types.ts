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

export interface TextFeature {
  name: string;
  type: 'text';
  /** Width of the hashed TF-IDF vector. Default 1024. */
  dimensions: number;
  /** Inclusive word n-gram range, e.g. [1, 2] for unigrams and bigrams. Default [1, 2]. */
  ngrams: [number, number];
  /** Lower-case before tokenising. Default true. */
  lowercase: boolean;
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

export type ModelConfig = MlpModel | LogisticModel;

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

/**
 * The `monitoring:` section: watching the model at work. An object so that later settings
 * (drift windows, alert rules) sit beside retention.
 */
export interface MonitoringConfig {
  retention: {
    /**
     * How long logged predictions (with their feedback and outcomes) are kept, by the time the
     * app logged them: a duration as written ('7d', '36h'; see parseDuration) or 'forever'.
     * Default '7d' (the seed systems kept a week of prediction logs).
     */
    predictions: string;
  };
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
  store: StoreConfig;
  monitoring: MonitoringConfig;
}

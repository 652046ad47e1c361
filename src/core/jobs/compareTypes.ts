/**
 * The result shapes of comparePredictions (./compare.ts), apart from it because that module
 * is Node-only and the compare panel's page imports these types. Types only; no imports.
 */

/** One model's prediction for a row: a class with its probability, or a value. */
export type ComparedPrediction = { label: string; confidence: number } | { value: number };

/** A test row the two models predict differently. */
export interface PredictionChangeRow {
  /** Store id of the example. */
  exampleId: number;
  /** Where it came from (file relative to the project, 'feedback', …) and the line there. */
  source: string;
  sourceLine: number | null;
  /** The raw record as stored (features and label, as imported). */
  record: Record<string, unknown>;
  /** The true label: class name, or the value (regression). */
  actual: string | number;
  base: ComparedPrediction;
  other: ComparedPrediction;
  /**
   * Classification: 'fixed' (base wrong, other right), 'broke' (base right, other wrong),
   * 'changed' (both wrong, differently). Regression: 'fixed' when the other model's absolute
   * error is smaller, 'broke' when larger, 'changed' when equal.
   */
  kind: 'fixed' | 'broke' | 'changed';
}

export interface PredictionChanges {
  task: 'binary' | 'multiclass' | 'regression';
  baseRunId: number;
  otherRunId: number;
  baseVersion: string;
  otherVersion: string;
  /** E.g. 'test split of run 7'. */
  on: string;
  /** Test rows scored. */
  n: number;
  /**
   * Classification: rows whose predicted label differs. Regression: rows whose predictions
   * differ by more than 1e-6 relative (|a − b| > 1e-6 · max(1, |a|, |b|)).
   */
  changed: number;
  fixed: number;
  broke: number;
  /**
   * At most `limit` rows. Classification: 'broke' rows first, then 'fixed', then 'changed',
   * each by descending |confidence difference|. Regression: by descending |a − b|.
   */
  rows: PredictionChangeRow[];
  /** Feature names of the newer run (the columns worth showing). */
  features: string[];
  label: string;
}

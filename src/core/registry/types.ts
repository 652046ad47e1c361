/**
 * The bundle format: what a model folder (.mlloop/models/<version>/) holds once loaded.
 * Pure types, shared by the writer (training), the loader and the predictor.
 */
import type { Calibrator } from '../calibrate/types';
import type { LabelMap } from '../data/labels';
import type { FittedPipeline } from '../data/pipeline';
import type { DenseNetwork } from '../engine/dense-network';

/** What a bundle's card.json holds (written by the training job). */
export interface ModelCard {
  /** Bundle format version. */
  format: 1;
  version: string;
  task: 'binary' | 'multiclass' | 'regression';
  label: string;
  features: Array<{ name: string; type: string }>;
  createdAt: string;
  runId: number;
  parentVersion: string | null;
  configHash: string;
  backend: string;
  metrics: Record<string, number>;
  data: {
    examples: number;
    train: number;
    validation: number;
    test: number;
    maxExampleId: number;
    firstImportedAt: string | null;
    lastImportedAt: string | null;
    /** Event-time range of the examples used (absent in cards written before event times). */
    firstEventTime?: string | null;
    lastEventTime?: string | null;
    /** Which stored examples were used: id ≤ maxExampleId and, when set, this event-time window and these sources. */
    selection?: { maxExampleId: number; from?: string; to?: string; sources?: string[] };
  };
  /** fineTunedFrom: the version whose weights and pipeline the training started from (incremental cycles). */
  training: { epochsRun: number; bestEpoch: number; stoppedEarly: boolean; durationMs: number; fineTunedFrom?: string };
  /** The calibrator in calibrator.json ('none' when there is none) and ECE on the test split before/after it. */
  calibration: { method: string; eceBefore: number | null; eceAfter: number | null };
  mlloopVersion: string;
}

export interface LoadedBundle {
  card: ModelCard;
  pipeline: FittedPipeline;
  labels: LabelMap;
  /** The trained network (model.json + weights.bin), evaluated in plain TypeScript. */
  model: DenseNetwork;
  /** Applied to the model's probabilities when present (calibrator.json). */
  calibrator: Calibrator | null;
}


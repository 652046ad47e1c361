/**
 * What a fine-tune starts from: the champion's feature pipeline, label map and network
 * weights, and the model config that rebuilds its architecture. A fine-tune keeps the
 * champion's inputs and outputs, so it is possible only when the data window holds no class
 * the champion does not know (a new class needs a full retrain, which says so).
 */
import type { DenseNetwork } from '../engine/dense-network';
import type { LabelMap } from '../data/labels';
import type { FittedPipeline } from '../data/pipeline';
import type { ProjectContext } from '../context/projectContext';
import type { TrainableModel } from '../project/types';
import { loadBundle } from '../registry/bundle';
import type { LoadedBundle } from '../registry/types';
import { ensureBundleOnDisk } from '../registry/versions';
import type { Label, ModelRecord } from '../store/types';
import { runConfigOf } from './runRecord';

export interface FineTuneBase {
  from: ModelRecord;
  bundle: LoadedBundle;
  pipeline: FittedPipeline;
  labels: LabelMap;
  model: TrainableModel;
  /** One array per weight in the built model's order: kernel, bias, layer by layer. */
  weights: Float64Array[];
}

/** The architecture of a bundle's network as a model config buildModel rebuilds (dropout from the run that trained it). */
export function modelOfNetwork(network: DenseNetwork, trainedWith: { type: string; dropout?: number; l2?: number }): TrainableModel {
  if (network.layers.length === 1) return { type: 'logistic', l2: trainedWith.type === 'logistic' && typeof trainedWith.l2 === 'number' ? trainedWith.l2 : 1e-4 };
  const hidden = network.layers.slice(0, -1);
  const activation = hidden[0].activation;
  return {
    type: 'mlp',
    hidden: hidden.map((l) => l.units),
    dropout: typeof trainedWith.dropout === 'number' ? trainedWith.dropout : 0.1,
    activation: activation === 'sigmoid' || activation === 'softmax' || activation === 'linear' ? 'relu' : activation,
  };
}

/**
 * Loads what a fine-tune of `from` starts from.
 * @returns the base, or a reason why a fine-tune is not possible (the caller trains from scratch).
 */
export async function fineTuneBase(ctx: ProjectContext, from: ModelRecord, windowLabels: Label[]): Promise<FineTuneBase | { refused: string }> {
  const bundle = await loadBundle(await ensureBundleOnDisk(ctx.store, ctx.paths, from));
  if (bundle.card.task !== ctx.config.task) return { refused: `${from.version} is a ${bundle.card.task} model and the project is ${ctx.config.task}` };
  if (ctx.config.task !== 'regression') {
    const known = new Set(bundle.labels.classes);
    const unknown = [...new Set(windowLabels.map((l) => String(l)))].filter((c) => !known.has(c));
    if (unknown.length) return { refused: `the data has class${unknown.length > 1 ? 'es' : ''} ${unknown.slice(0, 5).map((c) => `'${c}'`).join(', ')} that ${from.version} does not know` };
  }
  const run = await ctx.store.getRun(from.runId);
  const trainedWith = runConfigOf(run, ctx.config).model as { type: string; dropout?: number; l2?: number };
  const network = bundle.model;
  return {
    from,
    bundle,
    pipeline: bundle.pipeline,
    labels: bundle.labels,
    model: modelOfNetwork(network, trainedWith),
    weights: network.layers.flatMap((l) => [l.kernel, l.bias]),
  };
}

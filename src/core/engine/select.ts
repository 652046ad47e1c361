/**
 * `model: auto`: the model is chosen per run from a small fixed set of candidates by the
 * validation metric, then (optionally) trained again on the training + validation rows.
 * An explicit `model:` (mlp, logistic) is trained as configured, exactly as before.
 *
 * The candidates, by the data:
 * - linear, always: logistic regression (binary, multiclass) or ridge-penalised linear
 *   regression, fitted exactly by L-BFGS (./linear.ts) at four L2 strengths given in
 *   scikit-learn's units so they mean the same at any data size: C = 0.1, 1, 10, 100
 *   (l2 = 1 / (2·C·n)) for classification, alpha = 100, 10, 1, 0.1 (l2 = alpha / n) for
 *   regression, with n the training rows;
 * - MLPs, when the input is at most 2,048 columns wide: hidden [32] and [64, 32], relu,
 *   dropout 0.1, trained by the project's `training:` settings (batch size, learning rate,
 *   early stopping on val_loss). Wider inputs are hashed text, where the first layer would
 *   be width × 32 dense weights trained from a few non-zeros per row: slow on the dense
 *   loop, and a linear model is the strong model on such input (on the short-title set of
 *   scripts/quality, scikit-learn's MLPClassifier is 5 points below its LogisticRegression).
 * Candidates are listed simplest first: linear before MLP, stronger penalty before weaker,
 * fewer weights before more. The linear strengths are a regularisation path that ends where
 * it turns ({@link pathTurn}): once a strength scores more than the tie tolerance worse than
 * the best before it, the weaker ones are not tried (and said so in `skipped`). On hashed text
 * they are then not fitted at all; they are the slowest fits there (hundreds of L-BFGS
 * iterations where C = 100 nearly separates the classes) and would only score worse.
 *
 * The choice: every candidate is scored on the validation rows — log loss (classification)
 * or mean squared error in label units (regression) — and the simplest candidate within
 * 0.5% of the best score wins (differences that small are below what a few hundred
 * validation rows can resolve). The log loss is taken after one temperature (T in
 * softmax(z / T)) is fitted on the same validation rows: calibration corrects a model's
 * confidence scale afterwards anyway, so the choice should rest on how well a candidate
 * separates the classes. The raw log loss mixes the two, and with noisy labels it prefers
 * weakly penalised linear models that are sharper but less accurate (on the short-title set
 * of scripts/quality: raw validation log loss picks C = 5, 0.675 test accuracy; after a
 * temperature it picks C = 1, 0.707, scikit-learn's default). One fitted parameter per
 * candidate barely flatters any of them. No validation rows: the candidates are scored on
 * the training rows, which favours the most flexible; the record says so.
 *
 * Refit: see {@link refitDecision}. A refitted MLP trains for the number of epochs early
 * stopping chose in the selection run, without early stopping (there are no held-out rows
 * left to stop on); each epoch then holds the validation rows too, so it takes about
 * (train + validation) / train times as many steps. A refitted linear model keeps its C or
 * alpha, so its l2 follows the larger n, as scikit-learn's refit on all rows does.
 *
 * Seeded and reproducible: every MLP candidate and the refit use training.seed; the linear
 * fits have no randomness. Beside MLP candidates the linear path is fitted on a thread of its
 * own while the MLPs train on this one, when the machine has a second core
 * (../compute/thread.ts); a fit is the same bits on either thread, so the scores and the
 * choice do not depend on the machine. The log then names the MLP candidates before the
 * linear ones; the record lists them in plan order.
 *
 * Node only (trains through ./fit.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig, Task, TrainableModel, TrainingConfig } from '../project/types';
import { multiclassLogLossUnchecked, binaryLogLossUnchecked } from '../evaluate/metrics';
import { CancelledError } from '../util/errors';
import type { ModelSelection, SelectionCandidate } from './selection';
import { fitModel, type Dataset, type EpochLogs, type FitResult, type TrainerChoice } from './fit';
import { fitLinear, sparseRows } from './linear';
import { fitLinearPath, type LinearPathFit } from './linearPath';
import { startComputeTask } from '../compute/thread';
import type { ComputeTask } from '../compute/tasks';
import { buildModel, denseNetworkOfModel, outputUnits } from './models';
import { evaluateDenseNetwork } from './dense-network';
import { fitTemperature } from '../calibrate/temperature';
import { applyCalibrator } from '../calibrate/apply';

/** Widest input MLP candidates are tried on (see the file doc). */
export const MAX_MLP_CANDIDATE_WIDTH = 2048;
/** A candidate within this fraction of the best validation score counts as a tie (the simpler wins). */
export const SELECTION_TOLERANCE = 0.005;
/** refit: 'auto' refits only up to this many training + validation rows. */
export const MAX_AUTO_REFIT_ROWS = 10_000;

export type { ModelSelection, SelectionCandidate } from './selection';

export interface TrainModelInput {
  task: Task;
  numClasses: number;
  model: ModelConfig;
  training: TrainingConfig;
  /** Targets as the trainer takes them (regression: scaled). */
  train: Dataset;
  validation: Dataset | null;
  /** Regression: the target scale (label units = scaled · scale), so MSE is reported in label units. */
  targetScale?: number;
  /** Class weights (see FitOptions.classWeight). */
  classWeight?: number[];
  /**
   * Whether a calibrator will be fitted on the validation rows after training (classification
   * with calibration on and enough validation rows); decides refit: 'auto'.
   */
  calibrationPlanned: boolean;
  /** Which training loop (see FitOptions.trainer). */
  trainer?: TrainerChoice;
  onEpochEnd?: (logs: EpochLogs) => void | Promise<void>;
  log?: (message: string) => void;
  signal?: AbortSignal;
}

export interface TrainedModel {
  /** The caller owns it (dispose()). */
  model: tf.LayersModel;
  /** Epochs of the final model's training (empty for a linear model, fitted exactly). */
  history: EpochLogs[];
  bestEpoch: number;
  epochsRun: number;
  stoppedEarly: boolean;
  /** null for an explicit model. */
  selection: ModelSelection | null;
  /** True when the final model was trained on the validation rows too (calibrate nothing on them). */
  refitted: boolean;
}

/**
 * Whether `refit: auto` retrains on training + validation rows, and why.
 * Yes when there are validation rows, at most {@link MAX_AUTO_REFIT_ROWS} training +
 * validation rows (below that the validation share is a real part of the information; above
 * it a second training buys little), and no calibrator is planned on the validation rows: a
 * calibrator must be fitted on rows the final model never saw, and after a refit there are
 * none (a calibrator fitted on the selection model's validation scores would describe a
 * different, less-trained model). true / false force it; true then leaves calibration out.
 */
export function refitDecision(setting: 'auto' | boolean, rows: { train: number; validation: number }, calibrationPlanned: boolean): { refit: boolean; reason: string } {
  const total = rows.train + rows.validation;
  if (rows.validation === 0) return { refit: false, reason: 'There are no validation rows to add.' };
  if (setting === false) return { refit: false, reason: 'refit: false keeps the selection-run model.' };
  if (setting === true) {
    return {
      refit: true,
      reason: `refit: true retrains on all ${total} training + validation rows${calibrationPlanned ? '; no calibrator is fitted, because no held-out rows are left to fit one on' : ''}.`,
    };
  }
  if (calibrationPlanned) {
    return { refit: false, reason: `The ${rows.validation} validation rows are kept out of training to fit the calibrator on (a calibrator needs rows the model never saw).` };
  }
  if (total > MAX_AUTO_REFIT_ROWS) {
    return { refit: false, reason: `${total} training + validation rows is more than ${MAX_AUTO_REFIT_ROWS}: the validation rows would add little, for a second training.` };
  }
  return { refit: true, reason: `Small data (${total} rows): the chosen settings were trained again on the training and validation rows together, since the validation rows have no calibrator to fit.` };
}

/**
 * Trains the project's model: as configured for mlp / logistic, or by selection for auto
 * (see the file doc). Emits the final model's epochs through onEpochEnd (for auto, after the
 * choice; a linear model has none).
 * @throws UserError (bad data, divergence), CancelledError.
 */
export async function trainProjectModel(input: TrainModelInput): Promise<TrainedModel> {
  const { model } = input;
  if (model.type !== 'auto') {
    const fit = await fitModel(input.train, input.validation, fitOptions(input, model, input.training, true));
    return { ...fitSummary(fit), model: fit.model, selection: null, refitted: false };
  }
  return selectAndTrain(input, model.refit);
}

/** The candidate set for a task, input width and training size (see the file doc). */
export function modelCandidates(task: Task, width: number, trainRows: number): { candidates: Array<Omit<SelectionCandidate, 'score' | 'durationMs' | 'parameters'>>; skipped: string[] } {
  const n = Math.max(1, trainRows);
  const candidates: Array<Omit<SelectionCandidate, 'score' | 'durationMs' | 'parameters'>> = [];
  const skipped: string[] = [];
  if (task === 'regression') {
    for (const alpha of [100, 10, 1, 0.1]) candidates.push({ label: `ridge, alpha = ${alpha}`, kind: 'linear', strength: alpha, model: { type: 'logistic', l2: alpha / n } });
  } else {
    for (const c of [0.1, 1, 10, 100]) candidates.push({ label: `logistic, C = ${c}`, kind: 'linear', strength: c, model: { type: 'logistic', l2: 1 / (2 * c * n) } });
  }
  if (width <= MAX_MLP_CANDIDATE_WIDTH) {
    for (const hidden of [[32], [64, 32]]) candidates.push({ label: `MLP [${hidden.join(', ')}]`, kind: 'mlp', model: { type: 'mlp', hidden, dropout: 0.1, activation: 'relu' } });
  } else {
    skipped.push(
      `MLPs: the input is ${width} columns wide (hashed text), more than ${MAX_MLP_CANDIDATE_WIDTH}; a dense first layer there is slow to train and rarely beats a linear model on a bag of words.`,
    );
  }
  return { candidates, skipped };
}

/**
 * The index chosen among scores listed simplest first: the first within `tolerance`
 * (relative) of the lowest score. Non-finite scores never win.
 */
export function chooseSimplest(scores: number[], tolerance = SELECTION_TOLERANCE): { chosen: number; best: number } {
  let best = -1;
  scores.forEach((s, i) => {
    if (Number.isFinite(s) && (best < 0 || s < scores[best])) best = i;
  });
  if (best < 0) throw new Error('chooseSimplest: no candidate has a finite score');
  const limit = scores[best] + tolerance * Math.abs(scores[best]);
  const chosen = scores.findIndex((s) => Number.isFinite(s) && s <= limit);
  return { chosen, best };
}

/**
 * Where a regularisation path turns (scores in path order, strongest penalty first): the index
 * of the first fit whose score is worse than the best before it by more than `tolerance`
 * (relative), or null when none is. Past that point the path has passed its minimum: a weaker
 * penalty only fits the training rows more closely, and the validation score keeps getting
 * worse (the U shape of validation loss against C or alpha), so the fits after it are left out.
 */
export function pathTurn(scores: number[], tolerance = SELECTION_TOLERANCE): number | null {
  let best = Infinity;
  for (let i = 0; i < scores.length; i++) {
    if (Number.isFinite(best) && scores[i] > best + tolerance * Math.abs(best)) return i;
    if (scores[i] < best) best = scores[i];
  }
  return null;
}

async function selectAndTrain(input: TrainModelInput, refitSetting: 'auto' | boolean): Promise<TrainedModel> {
  const { task, train } = input;
  const log = input.log ?? (() => undefined);
  const outputs = outputUnits(task, input.numClasses);
  const hasValidation = input.validation !== null && input.validation.n > 0;
  const scoring = hasValidation ? (input.validation as Dataset) : train;
  const { candidates: plan, skipped } = modelCandidates(task, train.d, train.n);
  const trainWeights = rowWeights(train, task, input.classWeight);

  type Scored = SelectionCandidate & { fitted: tf.LayersModel; history: EpochLogs[]; fit?: FitResult };
  const scoredAt: Array<Scored | undefined> = new Array<Scored | undefined>(plan.length);
  const allScored = () => scoredAt.filter((c): c is Scored => c !== undefined);
  const linearPlan = plan.flatMap((c, i) => (c.kind === 'linear' ? [{ c, i }] : []));
  // The linear candidates, strongest penalty first, as one warm-started path
  // (../engine/linearPath.ts) that ends where its validation score turns up (pathTurn):
  // - beside MLP candidates, fitted whole on a thread of its own when the machine has one to
  //   spare (../compute/thread.ts), while the MLPs train here, then scored here in order;
  //   fits past the end are not tried as candidates (they cost no time of the run);
  // - alone (wide hashed text: no MLPs), fitted here one strength at a time, each scored
  //   before the next is fitted, so the slowest fits (the weakest penalties, hundreds of
  //   iterations on text) are not fitted at all once the path has turned.
  // Either way the candidates are the same: the rule is the data's, not the machine's.
  // Rows moved to the worker (a sparse copy of the training matrix) are not copied.
  const l2Of = (entry: { c: (typeof plan)[number] }) => (entry.c.model as { l2: number }).l2;
  const alone = !plan.some((c) => c.kind === 'mlp');
  const linearTask = (): Extract<ComputeTask, { kind: 'linearPath' }> => ({
    kind: 'linearPath',
    job: { rows: sparseRows(train.x, train.n, train.d), y: train.y, task, outputs, l2s: linearPlan.map(l2Of), rowWeight: trainWeights },
  });
  const linearRun = !alone && linearPlan.length > 0 ? startComputeTask(linearTask(), input.signal, { transfer: { again: linearTask } }) : null;
  const record = (i: number, fitted: tf.LayersModel, history: EpochLogs[], extra: Partial<SelectionCandidate>, fit: FitResult | undefined, fitMs: number) => {
    const c = plan[i];
    const scoringStarted = performance.now();
    const { score, rawLogLoss, temperature } = scoreModel(fitted, scoring, task, outputs, input.targetScale);
    const candidate: SelectionCandidate = {
      ...c,
      ...extra,
      parameters: countParameters(fitted),
      score,
      ...(rawLogLoss !== undefined ? { rawLogLoss } : {}),
      ...(temperature !== undefined ? { temperature } : {}),
      durationMs: fitMs + (performance.now() - scoringStarted),
    };
    scoredAt[i] = { ...candidate, fitted, history, ...(fit ? { fit } : {}) };
    log(
      `model candidate ${i + 1}/${plan.length}: ${c.label} — ${hasValidation ? 'validation' : 'training'} ${task === 'regression' ? 'MSE' : 'log loss'} ${formatScore(score)}` +
        `${rawLogLoss !== undefined ? ` (${formatScore(rawLogLoss)} before temperature ${formatScore(temperature as number)})` : ''}, ${Math.round(candidate.durationMs)} ms`,
    );
  };
  try {
    for (let i = 0; i < plan.length; i++) {
      const c = plan[i];
      if (c.kind === 'linear') continue;
      throwIfAborted(input.signal);
      const started = performance.now();
      const fit = await fitModel(train, input.validation, fitOptions(input, c.model, input.training, false));
      record(i, fit.model, fit.history, { epochs: fit.epochsRun, bestEpoch: fit.weightsFromEpoch }, fit, performance.now() - started);
    }
    // Scores each fit of the path in order (as a candidate) and says whether the path goes on.
    const linearScores: number[] = [];
    const takeLinear = (r: LinearPathFit, at: number): boolean => {
      const { c, i } = linearPlan[at];
      record(i, linearLayersModel(task, train.d, outputs, c.model, r.kernel, r.bias, input.training.seed), [], { iterations: r.iterations }, undefined, r.durationMs);
      linearScores.push((scoredAt[i] as Scored).score);
      return pathTurn(linearScores) === null;
    };
    if (linearPlan.length > 0) {
      throwIfAborted(input.signal);
      if (linearRun) {
        const fits = await linearRun.result();
        for (let at = 0; at < fits.length; at++) if (!takeLinear(fits[at], at)) break;
      } else {
        await fitLinearPath(linearTask().job, input.signal, takeLinear);
      }
      const end = linearScores.length;
      if (end < linearPlan.length) {
        const left = linearPlan.slice(end).map(({ c }) => c.label);
        const turned = linearPlan[end - 1].c.label;
        const bestAt = linearScores.indexOf(Math.min(...linearScores));
        const why =
          `${left.join('; ')} — ${turned} already scores ${formatScore(linearScores[end - 1])}, more than ${100 * SELECTION_TOLERANCE}% worse than ${linearPlan[bestAt].c.label} (${formatScore(linearScores[bestAt])}): ` +
          'past its best penalty, a weaker one only fits the training rows more closely.';
        skipped.push(why);
        log(`model: not tried: ${why}`);
      }
    }
    const scored = allScored();

    const { chosen, best } = chooseSimplest(scored.map((c) => c.score));
    const winner = scored[chosen];
    const metric = task === 'regression' ? 'mse' : 'log_loss';
    const decision = refitDecision(refitSetting, { train: train.n, validation: hasValidation ? (input.validation as Dataset).n : 0 }, input.calibrationPlanned);
    const candidates: SelectionCandidate[] = scored.map(({ fitted: _f, history: _h, fit: _fit, ...rest }) => rest);
    const selection: ModelSelection = {
      metric,
      scoredOn: hasValidation ? 'validation' : 'training',
      rows: scoring.n,
      tolerance: SELECTION_TOLERANCE,
      candidates,
      chosen,
      best,
      reason: selectionReason(candidates, chosen, best, metric, hasValidation),
      skipped,
      refit: { done: decision.refit, reason: decision.reason, rows: decision.refit ? train.n + (input.validation as Dataset).n : train.n },
    };
    log(`model: ${selection.reason}`);

    let result: TrainedModel;
    if (!decision.refit) {
      result = {
        model: winner.fitted,
        history: winner.history,
        bestEpoch: winner.fit?.bestEpoch ?? 0,
        epochsRun: winner.fit?.epochsRun ?? 0,
        stoppedEarly: winner.fit?.stoppedEarly ?? false,
        selection,
        refitted: false,
      };
      if (input.onEpochEnd) for (const logs of winner.history) await input.onEpochEnd(logs);
    } else {
      log(`model: ${decision.reason}`);
      const all = concatRows(train, input.validation as Dataset);
      if (winner.kind === 'linear') {
        const strength = winner.strength as number;
        const l2 = task === 'regression' ? strength / all.n : 1 / (2 * strength * all.n);
        const r = await fitLinear(sparseRows(all.x, all.n, all.d), all.y, {
          task,
          outputs,
          l2,
          rowWeight: rowWeights(all, task, input.classWeight),
          ...(input.signal ? { signal: input.signal } : {}),
        });
        const model = linearLayersModel(task, all.d, outputs, { type: 'logistic', l2 }, r.kernel, r.bias, input.training.seed);
        result = { model, history: [], bestEpoch: 0, epochsRun: 0, stoppedEarly: false, selection, refitted: true };
      } else {
        const epochs = Math.max(1, winner.bestEpoch ?? winner.epochs ?? 1);
        selection.refit.epochs = epochs;
        const training: TrainingConfig = { ...input.training, epochs, earlyStopping: { ...input.training.earlyStopping, enabled: false } };
        const fit = await fitModel(all, null, fitOptions(input, winner.model, training, true));
        result = { ...fitSummary(fit), model: fit.model, selection, refitted: true };
      }
    }
    for (const c of scored) if (c.fitted !== result.model) c.fitted.dispose();
    return result;
  } catch (e) {
    linearRun?.stop();
    for (const c of allScored()) c.fitted.dispose();
    throw e;
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError('Training cancelled');
}

function fitOptions(input: TrainModelInput, model: TrainableModel, training: TrainingConfig, streamEpochs: boolean): Parameters<typeof fitModel>[2] {
  return {
    task: input.task,
    numClasses: input.numClasses,
    model,
    training,
    ...(input.classWeight ? { classWeight: input.classWeight } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.trainer ? { trainer: input.trainer } : {}),
    ...(streamEpochs && input.onEpochEnd ? { onEpochEnd: input.onEpochEnd } : {}),
  };
}

function fitSummary(fit: FitResult): Omit<TrainedModel, 'model' | 'selection' | 'refitted'> {
  return { history: fit.history, bestEpoch: fit.bestEpoch, epochsRun: fit.epochsRun, stoppedEarly: fit.stoppedEarly };
}

/** sampleWeight × classWeight[y] per row, or null when neither applies. */
function rowWeights(data: Dataset, task: Task, classWeight: number[] | undefined): Float32Array | null {
  const useClass = classWeight && task !== 'regression';
  if (!useClass && !data.sampleWeight) return null;
  return Float32Array.from({ length: data.n }, (_, i) => (data.sampleWeight ? data.sampleWeight[i] : 1) * (useClass ? classWeight[data.y[i]] : 1));
}

/** A logistic-model layers model (the one Dense head) holding fitted weights. */
function linearLayersModel(task: Task, d: number, outputs: number, config: TrainableModel, kernel: Float64Array, bias: Float64Array, seed: number): tf.LayersModel {
  const model = buildModel(task, d, outputs, config, seed);
  const weights = [tf.tensor2d(Float32Array.from(kernel), [d, outputs]), tf.tensor1d(Float32Array.from(bias))];
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

/**
 * Classification: the log loss after one temperature is fitted on the same rows (and the
 * raw log loss beside it); regression: MSE in label units.
 */
function scoreModel(model: tf.LayersModel, rows: Dataset, task: Task, outputs: number, targetScale: number | undefined): { score: number; rawLogLoss?: number; temperature?: number } {
  // The forward pass the chosen model is evaluated and served with (../engine/dense-network.ts):
  // the candidates are scored on the numbers the run will report, and it is far cheaper than
  // tfjs' predict on wide hashed-text rows (tfjs copies every chunk of the input tensor).
  const scores = evaluateDenseNetwork(denseNetworkOfModel(model), rows.x, rows.n);
  if (task === 'regression') {
    let sum = 0;
    for (let i = 0; i < rows.n; i++) sum += (scores[i] - rows.y[i]) ** 2;
    const scale = targetScale ?? 1;
    return { score: (sum / Math.max(1, rows.n)) * scale * scale };
  }
  const k = task === 'binary' ? 2 : outputs;
  const logLoss = (s: ArrayLike<number>) => (task === 'binary' ? binaryLogLossUnchecked(rows.y, s) : multiclassLogLossUnchecked(rows.y, s, k));
  const rawLogLoss = logLoss(scores);
  const calibrator = fitTemperature(scores, rows.y, k);
  const scaled = logLoss(applyCalibrator(calibrator, scores, k));
  // The temperature never makes the loss worse than T = 1 at its optimum; guard rounding.
  return { score: Math.min(scaled, rawLogLoss), rawLogLoss, temperature: calibrator.params.temperature };
}

function countParameters(model: tf.LayersModel): number {
  return model.countParams();
}

function concatRows(a: Dataset, b: Dataset): Dataset {
  const x = new Float32Array((a.n + b.n) * a.d);
  x.set(a.x, 0);
  x.set(b.x, a.x.length);
  const y = new Float32Array(a.n + b.n);
  y.set(a.y, 0);
  y.set(b.y, a.n);
  const out: Dataset = { x, n: a.n + b.n, d: a.d, y };
  if (a.sampleWeight || b.sampleWeight) {
    const w = new Float32Array(a.n + b.n).fill(1);
    if (a.sampleWeight) w.set(a.sampleWeight, 0);
    if (b.sampleWeight) w.set(b.sampleWeight, a.n);
    out.sampleWeight = w;
  }
  return out;
}

function formatScore(v: number): string {
  return Number.isFinite(v) ? (Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4)) : String(v);
}

function selectionReason(candidates: SelectionCandidate[], chosen: number, best: number, metric: 'log_loss' | 'mse', onValidation: boolean): string {
  const name = metric === 'log_loss' ? 'log loss' : 'MSE';
  const where = onValidation ? 'validation' : 'training (there are no validation rows, which favours the most flexible model)';
  const c = candidates[chosen];
  const runnerUp = candidates
    .map((x, i) => ({ x, i }))
    .filter(({ i }) => i !== chosen)
    .sort((a, b) => a.x.score - b.x.score)[0];
  let text = `${c.label} has the ${chosen === best ? 'lowest' : 'tied-lowest'} ${where} ${name} of ${candidates.length} candidates (${formatScore(c.score)}`;
  text += runnerUp ? `; next ${runnerUp.x.label}, ${formatScore(runnerUp.x.score)})` : ')';
  if (chosen !== best) {
    text += `. ${candidates[best].label} scored ${formatScore(candidates[best].score)}, within ${SELECTION_TOLERANCE * 100}%, so the simpler model was kept`;
  }
  return `${text}.`;
}

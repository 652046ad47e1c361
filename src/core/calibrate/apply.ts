/**
 * Applying a fitted calibrator, and checking one read back from JSON (a bundle, a report).
 *
 * Pure module: no node built-ins, no tfjs — the app runtime imports this to calibrate
 * predictions in Node or a browser.
 */
import { UserError } from '../util/errors';
import { evaluateIsotonic } from './isotonic';
import { binIndexLeft } from '../evaluate/curves';
import { assertApplyInputs, clipProbability, logit, normaliseRowsInPlace, sigmoid } from './shared';
import type { Calibrator } from './types';

/**
 * Calibrated probabilities in the layout of the input.
 * @param calibrator a fitted calibrator (or parsed with {@link parseCalibrator}) for k classes.
 * @param scores P(class 1) (k = 2, length n) or n×k row-major probabilities (k ≥ 3), in [0, 1].
 * @param k number of classes; must equal the calibrator's.
 * @returns a new Float64Array: P(class 1) for k = 2, else n×k rows that sum to 1.
 * @throws UserError on NaN or out-of-range scores, a bad shape, or a calibrator fitted for another k.
 */
export function applyCalibrator(calibrator: Calibrator, scores: ArrayLike<number>, k: number): Float64Array {
  const n = assertApplyInputs(scores, k);
  if (calibrator.params.k !== k) {
    throw new UserError(`The calibrator was fitted for ${calibrator.params.k} classes but ${k} were given: refit it for this model.`);
  }
  const binary = k === 2;
  const out = new Float64Array(scores.length);
  switch (calibrator.method) {
    case 'none':
      for (let i = 0; i < scores.length; i++) out[i] = scores[i];
      return out;
    case 'temperature': {
      const beta = 1 / calibrator.params.temperature;
      if (binary) {
        for (let i = 0; i < n; i++) out[i] = sigmoid(beta * logit(scores[i]));
        return out;
      }
      return softmaxRows(scores, k, (c, p) => beta * Math.log(clipProbability(p)), out);
    }
    case 'vector': {
      const { scale, bias } = calibrator.params;
      return softmaxRows(scores, k, (c, p) => scale[c] * Math.log(clipProbability(p)) + bias[c], out);
    }
    case 'platt': {
      const { a, b, input } = calibrator.params;
      const f = input === 'logit' ? logit : (p: number) => p;
      return perClass(scores, k, out, (c, p) => sigmoid(-(a[c] * f(p) + b[c])));
    }
    case 'isotonic': {
      const { x, y } = calibrator.params;
      return perClass(scores, k, out, (c, p) => evaluateIsotonic(x[c], y[c], p));
    }
    case 'histogram': {
      const { edges, values } = calibrator.params;
      return perClass(scores, k, out, (c, p) => values[c][binIndexLeft(edges[c], p)]);
    }
  }
}

/** Binary: map P(class 1) with class-1 parameters; multiclass: map each column, renormalise rows. */
function perClass(scores: ArrayLike<number>, k: number, out: Float64Array, map: (c: number, p: number) => number): Float64Array {
  if (k === 2) {
    for (let i = 0; i < scores.length; i++) out[i] = map(0, scores[i]);
    return out;
  }
  for (let i = 0; i < scores.length; i++) out[i] = map(i % k, scores[i]);
  return normaliseRowsInPlace(out, k);
}

function softmaxRows(scores: ArrayLike<number>, k: number, logitOf: (c: number, p: number) => number, out: Float64Array): Float64Array {
  const n = scores.length / k;
  for (let i = 0; i < n; i++) {
    const row = i * k;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      out[row + c] = logitOf(c, scores[row + c]);
      if (out[row + c] > max) max = out[row + c];
    }
    let sum = 0;
    for (let c = 0; c < k; c++) {
      out[row + c] = Math.exp(out[row + c] - max);
      sum += out[row + c];
    }
    for (let c = 0; c < k; c++) out[row + c] /= sum;
  }
  return out;
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isNumberArray(v: unknown, length?: number): v is number[] {
  return Array.isArray(v) && (length === undefined || v.length === length) && v.every(isFiniteNumber);
}

function isNumberMatrix(v: unknown, rows: number): v is number[][] {
  return Array.isArray(v) && v.length === rows && v.every((row) => isNumberArray(row) && row.length > 0);
}

/**
 * Checks that a value read from JSON is a well-formed calibrator and returns it typed.
 * @throws UserError naming what is wrong (unknown method, missing or non-finite parameters,
 *   arrays of the wrong length, isotonic x not increasing…).
 */
export function parseCalibrator(value: unknown): Calibrator {
  const fail = (why: string): never => {
    throw new UserError(`Invalid calibrator: ${why}. Refit the calibrator or restore the bundle's calibrator.json.`);
  };
  if (typeof value !== 'object' || value === null) return fail('expected an object {method, params}');
  const { method, params } = value as { method?: unknown; params?: Record<string, unknown> };
  if (typeof params !== 'object' || params === null) return fail('params is missing');
  const k = params.k;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 2) return fail('params.k must be an integer ≥ 2');
  const perClassCount = k === 2 ? 1 : k;
  switch (method) {
    case 'none':
      return { method, params: { k } };
    case 'temperature': {
      const t = params.temperature;
      if (!isFiniteNumber(t) || t <= 0) return fail('params.temperature must be a positive number');
      return { method, params: { k, temperature: t } };
    }
    case 'vector': {
      if (k === 2) return fail('vector scaling needs k ≥ 3');
      if (!isNumberArray(params.scale, k) || !isNumberArray(params.bias, k)) return fail(`params.scale and params.bias must be ${k} numbers`);
      return { method, params: { k, scale: params.scale, bias: params.bias } };
    }
    case 'platt': {
      const input = params.input;
      if (input !== 'logit' && input !== 'probability') return fail("params.input must be 'logit' or 'probability'");
      if (!isNumberArray(params.a, perClassCount) || !isNumberArray(params.b, perClassCount)) {
        return fail(`params.a and params.b must be ${perClassCount} numbers`);
      }
      return { method, params: { k, input, a: params.a, b: params.b } };
    }
    case 'isotonic': {
      const { x, y } = params;
      if (!isNumberMatrix(x, perClassCount) || !isNumberMatrix(y, perClassCount)) return fail(`params.x and params.y must be ${perClassCount} non-empty number arrays`);
      for (let c = 0; c < perClassCount; c++) {
        if (x[c].length !== y[c].length) return fail(`params.x[${c}] and params.y[${c}] differ in length`);
        for (let j = 1; j < x[c].length; j++) {
          if (!(x[c][j] > x[c][j - 1])) return fail(`params.x[${c}] must be strictly increasing`);
        }
      }
      return { method, params: { k, x, y } };
    }
    case 'histogram': {
      const { edges, values } = params;
      if (!isNumberMatrix(edges, perClassCount) || !isNumberMatrix(values, perClassCount)) {
        return fail(`params.edges and params.values must be ${perClassCount} non-empty number arrays`);
      }
      for (let c = 0; c < perClassCount; c++) {
        if (edges[c].length !== values[c].length + 1) return fail(`params.edges[${c}] must have one more entry than params.values[${c}]`);
      }
      return { method, params: { k, edges, values } };
    }
    default:
      return fail(`unknown method '${String(method)}' (expected none, platt, isotonic, temperature, vector or histogram)`);
  }
}

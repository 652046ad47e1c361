/**
 * The serving part of mlloop.yaml: `runtime:` (the confidence threshold), `serve:` (the HTTP
 * endpoint), `experiment:` (an A/B test) and `shadow:` (a shadow model) — their defaults and
 * the checks the JSON Schema cannot express. parse.ts calls these; the schema
 * (schemas/mlloop.schema.json) says what may be written.
 *
 * PURE: no node built-ins.
 */
import { parseDuration } from '../util/schedule';
import type { ExperimentArm, ExperimentConfig, RuntimeConfig, ServeConfig, ShadowConfig } from './types';

/**
 * 0.5: a classification answer the model gives at least even odds. For binary tasks every
 * prediction clears it (the predicted label always has p ≥ 0.5); raise it to make the app fall
 * back when the model is unsure, as the seed systems did.
 */
export const DEFAULT_RUNTIME: RuntimeConfig = { threshold: 0.5 };

/**
 * Loopback and a token by default: the server is safe to start on a laptop. 1 MiB bodies hold
 * 1,000 records of a few hundred bytes; pollInterval 2 s makes a promotion reach the server
 * within 2 s at one cheap read per poll; flushInterval 200 ms keeps a crash's window of
 * unwritten predictions short while batching writes (a batch per 200 ms at 1,000 requests/s).
 */
export const DEFAULT_SERVE: ServeConfig = {
  host: '127.0.0.1',
  port: 8765,
  auth: true,
  bodyLimit: 1048576,
  maxRecords: 1000,
  pollInterval: '2s',
  flushInterval: '200ms',
};

/** An experiment's defaults (name and variants have none). minEffect's default is for a rate only. */
export const DEFAULT_EXPERIMENT = { outcome: 'rate', goal: 'maximize', power: 0.8, alpha: 0.05, srmAlpha: 0.001 } as const;
/** Five points of a rate: the seed systems' "5% better". */
export const DEFAULT_RATE_MIN_EFFECT = 0.05;
export const DEFAULT_SHADOW = { sample: 1 } as const;

export type RawExperiment = Partial<ExperimentConfig> & { name: string; variants: Partial<Record<ExperimentArm, number>> };

/** The arm compared with the others when `control` is not written: the app's rule when it is an arm (the question is "is the model better than what we had?"), else the champion. */
export function defaultControl(variants: Partial<Record<ExperimentArm, number>>): ExperimentArm {
  if (variants.fallback !== undefined) return 'fallback';
  if (variants.champion !== undefined) return 'champion';
  return 'challenger';
}

/** Fills the defaults of a schema-valid `experiment:`. */
export function resolveExperiment(raw: RawExperiment): ExperimentConfig {
  const outcome = raw.outcome ?? DEFAULT_EXPERIMENT.outcome;
  return {
    ...DEFAULT_EXPERIMENT,
    ...raw,
    variants: { ...raw.variants },
    outcome,
    control: raw.control ?? defaultControl(raw.variants),
    // A mean has no unit-free default: 0 makes the "required for a mean" check below fire.
    minEffect: raw.minEffect ?? (outcome === 'rate' ? DEFAULT_RATE_MIN_EFFECT : 0),
  };
}

/** Fills the defaults of the serving sections (what resolveDefaults in parse.ts puts in the config). */
export function resolveServing(raw: { runtime?: Partial<RuntimeConfig>; serve?: Partial<ServeConfig>; experiment?: RawExperiment; shadow?: Partial<ShadowConfig> & { model: string } }): {
  runtime: RuntimeConfig;
  serve: ServeConfig;
  experiment?: ExperimentConfig;
  shadow?: ShadowConfig;
} {
  return {
    runtime: { ...DEFAULT_RUNTIME, ...(raw.runtime ?? {}) },
    serve: { ...DEFAULT_SERVE, ...(raw.serve ?? {}) },
    ...(raw.experiment ? { experiment: resolveExperiment(raw.experiment) } : {}),
    ...(raw.shadow ? { shadow: { ...DEFAULT_SHADOW, ...raw.shadow } } : {}),
  };
}

/** Whether `host` names this machine only (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/**
 * What the schema cannot check in the serving sections, as {path, message} at the key:
 * an experiment needs two arms with weight, a challenger arm needs its version (and a version
 * needs its arm), the control must be an arm, a mean needs minEffect, a rate's minEffect and
 * `success` must make sense, the start must be a date; serve.auth off needs a loopback host;
 * durations must be positive.
 */
export function servingProblems(c: { serve: ServeConfig; experiment?: ExperimentConfig; shadow?: ShadowConfig }): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  if (!c.serve.auth && !isLoopbackHost(c.serve.host)) {
    out.push({ path: '/serve/auth', message: `serve.auth: false is refused with host ${c.serve.host}: without the token anyone who can reach that address could predict and write feedback. Keep auth on, or bind to 127.0.0.1.` });
  }
  for (const key of ['pollInterval', 'flushInterval'] as const) {
    if (!(parseDuration(c.serve[key]) > 0)) out.push({ path: `/serve/${key}`, message: `serve.${key} must be longer than 0 (e.g. ${DEFAULT_SERVE[key]}).` });
  }
  const e = c.experiment;
  if (e) {
    const arms = Object.entries(e.variants) as Array<[ExperimentArm, number]>;
    const weighted = arms.filter(([, w]) => w > 0);
    if (weighted.length < 2) out.push({ path: '/experiment/variants', message: `An experiment needs at least two arms with a weight above 0 (it has ${weighted.length ? weighted.map(([n]) => n).join(', ') : 'none'}): e.g. {champion: 50, fallback: 50}.` });
    for (const [name, w] of arms) if (w === 0) out.push({ path: `/experiment/variants/${name}`, message: `Arm '${name}' has weight 0, so no one is assigned to it: remove it, or give it a weight.` });
    if (e.variants.challenger !== undefined && e.challenger === undefined) out.push({ path: '/experiment/variants/challenger', message: 'A challenger arm needs the version it serves: add `challenger: vN` to experiment.' });
    if (e.challenger !== undefined && e.variants.challenger === undefined) out.push({ path: '/experiment/challenger', message: `experiment.challenger names ${e.challenger}, but there is no challenger arm: add it to variants (e.g. challenger: 50).` });
    if (e.variants[e.control] === undefined) out.push({ path: '/experiment/control', message: `The control '${e.control}' is not an arm of the experiment (arms: ${arms.map(([n]) => n).join(', ')}).` });
    if (e.outcome === 'mean' && !(e.minEffect > 0)) out.push({ path: '/experiment', message: 'An experiment with outcome: mean needs minEffect: the smallest difference of the mean outcome worth detecting, in its units (it sets the sample each arm needs).' });
    if (e.outcome === 'rate' && e.minEffect >= 1) out.push({ path: '/experiment/minEffect', message: `For a rate, minEffect is a difference of proportions below 1 (0.05 is five points), not ${e.minEffect}.` });
    if (e.outcome === 'mean' && e.success !== undefined) out.push({ path: '/experiment/success', message: 'success applies to outcome: rate only; a mean outcome uses the outcome values.' });
    if (e.start !== undefined && !Number.isFinite(Date.parse(e.start))) out.push({ path: '/experiment/start', message: `experiment.start '${e.start}' is not a date and time (ISO-8601, e.g. 2026-12-01T00:00:00Z).` });
  }
  if (c.shadow && c.experiment?.challenger === c.shadow.model) {
    out.push({ path: '/shadow/model', message: `${c.shadow.model} is already the experiment's challenger arm; a shadow model is one whose answers no user sees. Shadow another version, or remove one of the two.` });
  }
  return out;
}

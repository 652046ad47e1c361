/**
 * Reading what the store keeps about a run (its config and details, stored as JSON) through
 * one decoder each, so that a run stored by an older ML Loop reads as today's types: config
 * sections added since get their defaults, detail sections it never had are absent.
 */
import { resolveDefaults } from '../project/parse';
import type { ProjectConfig } from '../project/types';
import type { RunRecord } from '../store/types';
import type { RunDetails } from './assess';

/**
 * The resolved config a run used, with today's defaults filled in for keys it predates.
 * Falls back to `fallback` (the project's current config) when nothing readable is stored.
 */
export function runConfigOf(run: Pick<RunRecord, 'config'> | undefined, fallback: ProjectConfig): ProjectConfig {
  const raw = run?.config as (Partial<ProjectConfig> & { features?: unknown }) | null | undefined;
  if (!raw || typeof raw !== 'object' || !Array.isArray(raw.features) || typeof raw.task !== 'string' || typeof raw.label !== 'string') return fallback;
  return resolveDefaults(raw as Parameters<typeof resolveDefaults>[0], typeof raw.name === 'string' ? raw.name : fallback.name);
}

/** The details a run recorded (evaluation, calibration, importance …); {} when none. */
export function runDetailsOf(run: Pick<RunRecord, 'details'> | undefined): Partial<RunDetails> & Record<string, unknown> {
  const d = run?.details;
  return d && typeof d === 'object' ? (d as Partial<RunDetails> & Record<string, unknown>) : {};
}

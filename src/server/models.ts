/**
 * The models a server answers with: the champion (hot-swapped when the registry's alias
 * moves), an experiment's challenger, a shadow. A request takes the current set once and uses
 * it to the end, and a swap replaces the whole reference between two requests (the event
 * loop runs one at a time), so no request ever sees half a swap and none waits for one: the
 * new bundle is loaded first, then swapped in.
 */
import type { ProjectContext } from '../core/context/projectContext';
import { loadBundle } from '../core/registry/bundle';
import type { LoadedBundle } from '../core/registry/types';
import { currentModel, resolveModel } from '../core/registry/registry';
import { ensureBundleOnDisk } from '../core/registry/versions';
import { UserError } from '../core/util/errors';

export interface ServingModel {
  version: string;
  bundle: LoadedBundle;
  /** 'champion' or 'newest' (nothing promoted yet: the newest model serves, as everywhere). */
  why?: 'champion' | 'newest';
}

/** What one request uses (never changed in place). */
export interface ModelSnapshot {
  champion: ServingModel;
  challenger: ServingModel | null;
  shadow: ServingModel | null;
  /** The experiment runs (configured, and not stopped). */
  experimentActive: boolean;
}

/** Loads a version's bundle (writing its folder from the store's copy when missing). */
export async function loadVersion(ctx: ProjectContext, version: string): Promise<ServingModel> {
  const record = await resolveModel(ctx.store, version);
  const bundle = await loadBundle(await ensureBundleOnDisk(ctx.store, ctx.paths, record));
  if (bundle.card.task !== ctx.config.task) throw new UserError(`Model ${version} is a ${bundle.card.task} model, but this project's task is ${ctx.config.task}.`);
  return { version: record.version, bundle };
}

export interface RefreshResult {
  /** The champion changed: from → to. */
  swapped?: { from: string; to: string };
  /** The experiment was stopped (elsewhere) since the last look. */
  experimentStopped?: boolean;
}

export class ModelSet {
  private current: ModelSnapshot;
  private refreshing: Promise<RefreshResult> | null = null;
  /** When the registry was last read successfully, and the last error (for /health). */
  lastPollAt: Date | null = null;
  lastPollError: string | null = null;
  swaps = 0;

  private constructor(
    private readonly ctx: ProjectContext,
    initial: ModelSnapshot,
  ) {
    this.current = initial;
  }

  /**
   * Loads the champion (or, with nothing promoted, the newest model), the experiment's
   * challenger and the shadow model.
   * @throws UserError when there is no model, a named version does not exist, or a bundle cannot be loaded.
   */
  static async open(ctx: ProjectContext, experimentActive: boolean): Promise<ModelSet> {
    const current = await currentModel(ctx.store);
    if (!current) throw new UserError('There is no model to serve yet. Train one with `mlloop train` (or run a cycle with `mlloop retrain`), then start the server again.');
    const champion = { ...(await loadVersion(ctx, current.model.version)), why: current.why };
    const e = ctx.config.experiment;
    const challenger = experimentActive && e?.challenger ? await loadVersion(ctx, e.challenger) : null;
    const shadow = ctx.config.shadow ? await loadVersion(ctx, ctx.config.shadow.model) : null;
    const set = new ModelSet(ctx, { champion, challenger, shadow, experimentActive });
    set.lastPollAt = ctx.clock.now();
    return set;
  }

  /** The models for one request. */
  snapshot(): ModelSnapshot {
    return this.current;
  }

  /**
   * Reads the registry (and the experiment's state) once: a new champion is loaded and then
   * swapped in; a stopped experiment stops assigning. One refresh at a time (a second call
   * waits for the first). On a store or bundle error the current models keep serving and the
   * error is kept for /health.
   */
  refresh(): Promise<RefreshResult> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<RefreshResult> {
    const result: RefreshResult = {};
    try {
      const cur = await currentModel(this.ctx.store);
      let next = this.current;
      if (cur && cur.model.version !== this.current.champion.version) {
        const champion = { ...(await loadVersion(this.ctx, cur.model.version)), why: cur.why };
        result.swapped = { from: this.current.champion.version, to: champion.version };
        next = { ...next, champion };
      }
      const e = this.ctx.config.experiment;
      if (e && next.experimentActive) {
        const record = await this.ctx.store.getExperiment(e.name);
        if (record?.stoppedAt) {
          result.experimentStopped = true;
          next = { ...next, experimentActive: false, challenger: null };
        }
      }
      if (next !== this.current) {
        // The swap: one assignment, between two requests.
        this.current = next;
        if (result.swapped) this.swaps++;
      }
      this.lastPollAt = this.ctx.clock.now();
      this.lastPollError = null;
    } catch (e) {
      this.lastPollError = (e as Error).message;
    }
    return result;
  }
}

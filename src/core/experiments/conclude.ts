/**
 * Ending an experiment (`mlloop experiment stop`): the final analysis is recorded, the server
 * stops assigning arms, and a challenger that won is promoted — through the quality gate, as
 * every promotion is: the A/B test says it did better on live outcomes, the gate still checks
 * it on the held-out rows (floors, per-class recall) before the app gets it.
 *
 * Heavy (the gate scores models): the CLI loads it through cliJobs.
 */
import type { ProjectContext } from '../context/projectContext';
import { promoteVersion, type PromoteResult } from '../loop/promote';
import { stopExperiment, type ExperimentReport } from './report';

export interface ExperimentConclusion {
  report: ExperimentReport;
  /** The promotion of a winning challenger (null when there was nothing to promote, or `promote` was off). */
  promotion: PromoteResult | null;
  /** What the decision means for the champion, in a sentence. */
  note: string;
}

/**
 * Stops the configured experiment and acts on its decision.
 * @param opts.promote promote a winning challenger through the gate (default true).
 * @throws UserError when there is no experiment or it is already stopped.
 */
export async function concludeExperiment(ctx: ProjectContext, opts: { by: string; promote?: boolean; signal?: AbortSignal }): Promise<ExperimentConclusion> {
  const report = await stopExperiment(ctx, opts.by);
  const challenger = ctx.config.experiment?.challenger;
  let promotion: PromoteResult | null = null;
  let note: string;
  if (report.decision !== 'winner') note = `No winner (${report.decision.replace('_', ' ')}): the champion stays.`;
  else if (report.winner === 'challenger' && challenger) {
    if (opts.promote === false) note = `The challenger ${challenger} won; not promoted (--keep-champion). Promote it with \`mlloop promote ${challenger}\`.`;
    else {
      promotion = await promoteVersion(ctx, challenger, { by: `experiment ${report.experiment} (${opts.by})`, ...(opts.signal ? { signal: opts.signal } : {}) });
      note =
        promotion.decision === 'promoted'
          ? `The challenger ${challenger} won and passed the quality gate: it is the champion now.`
          : promotion.decision === 'unchanged'
            ? `The challenger ${challenger} won; it already is the champion.`
            : `The challenger ${challenger} won the experiment but the quality gate rejected it: ${promotion.reasons[0] ?? ''}`;
    }
  } else if (report.winner === 'fallback') note = "The app's own rule (fallback) did better than the model: keep the fallback for these decisions, or improve the model before trying again.";
  else note = `The ${report.winner} arm won: the champion stays.`;
  return { report, promotion, note };
}

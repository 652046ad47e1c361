/**
 * The CLI's commands. Each parses nothing itself (main.ts does), calls core, and prints
 * either text or one JSON object.
 */
import path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { readRecords, readRecordsFromBytes, type ReadItem } from '../core/data/readers';
import { fieldValue } from '../core/data/values';
import type { BackendPreference } from '../core/jobs/train';
import { cliJobs } from './loadJobs';
import { LOOP_COMMANDS } from './loopCommands';
import { MONITOR_COMMANDS } from './monitorCommands';
import { SERVE_COMMANDS } from './serveCommands';
import { initProject } from '../core/project/init';
import type { CalibrationMethodName, Task } from '../core/project/types';
import { findProjectRoot } from '../core/project/workspace';
import type { ProjectContext } from '../core/context/projectContext';
import { importFiles } from '../core/store/import';
import { ingestInbox } from '../core/loop/ingest';
import { HISTORY_KINDS, importHistory, type HistoryKind } from '../core/loop/history';
import { recordManualFeedback } from '../core/loop/feedback';
import { UserError } from '../core/util/errors';
import { fmt, formatDuration, formatMetrics, table, type Output } from './output';
import { plural } from '../core/util/plural';

export interface CommandContext {
  out: Output;
  values: Record<string, unknown>;
  positionals: string[];
  cwd: string;
  /** --project, resolved; undefined means "search up from cwd". */
  projectDir?: string;
  backend: BackendPreference;
  signal: AbortSignal;
  /** All of stdin, as bytes (decoded by the reader, which checks that they are UTF-8). */
  readStdin: () => Buffer;
  /** stdin is a terminal: nothing is piped in, so say what is expected before waiting for it. */
  stdinIsTTY: boolean;
  /**
   * The project context (config, paths, store, clock, logger), opened on first call for the
   * project found from --project or the current folder, and closed by main after the command.
   */
  project: () => Promise<ProjectContext>;
}

export interface Command {
  summary: string;
  usage: string;
  options: ParseArgsConfig['options'];
  /** Present when the command takes positional arguments. */
  positionals?: string;
  run(ctx: CommandContext): Promise<number>;
}

/** The project folder: --project, else the nearest folder up from the current one with mlloop.yaml. */
export function projectRoot(ctx: Pick<CommandContext, 'projectDir' | 'cwd'>): string {
  return findProjectRoot(ctx.projectDir ?? ctx.cwd);
}

const init: Command = {
  summary: 'write mlloop.yaml with feature types inferred from a data file',
  usage: [
    'Usage: mlloop init --data FILE --label COLUMN [--task binary|multiclass|regression] [--name NAME] [--force]',
    '',
    'Looks at FILE (CSV, JSON or JSONL), infers each column\'s type (numeric, boolean,',
    'categorical, text), and writes mlloop.yaml in the project folder (--project, default here)',
    'with settings that train a solid first model. Then: mlloop import && mlloop train.',
  ].join('\n'),
  options: {
    data: { type: 'string' },
    label: { type: 'string' },
    task: { type: 'string' },
    name: { type: 'string' },
    force: { type: 'boolean', default: false },
  },
  async run(ctx) {
    const data = ctx.values.data as string | undefined;
    const label = ctx.values.label as string | undefined;
    if (!data || !label) throw new UserError(`init needs --data FILE and --label COLUMN.\n\n${init.usage}`);
    const task = ctx.values.task as Task | undefined;
    if (task && !['binary', 'multiclass', 'regression'].includes(task)) throw new UserError(`--task must be binary, multiclass or regression (got '${task}').`);
    const r = await initProject({
      root: ctx.projectDir ?? ctx.cwd,
      dataFile: path.resolve(ctx.cwd, data),
      label,
      ...(task ? { task } : {}),
      ...(ctx.values.name ? { name: ctx.values.name as string } : {}),
      force: !!ctx.values.force,
    });
    if (ctx.out.json) ctx.out.result({ project: r.file, task: r.task, features: r.features, rows_scanned: r.rowsScanned, classes: r.classes ?? null, time: r.time ?? null, notes: r.notes });
    else {
      ctx.out.text(`Wrote ${r.file} (${r.task}, ${plural(r.features.length, 'feature')} from ${plural(r.rowsScanned, 'row')}).`);
      ctx.out.text(table(['feature', 'type'], r.features.map((f) => [f.name, f.type])));
      for (const n of r.notes) ctx.out.text(`note: ${n}`);
      ctx.out.text('Next: mlloop import && mlloop train');
    }
    return 0;
  },
};

const importCmd: Command = {
  summary: 'import labelled examples (or past predictions, feedback, outcomes) from CSV / JSON / JSONL files',
  usage: [
    'Usage: mlloop import [FILE ...]',
    '       mlloop import --kind predictions|feedback|outcomes FILE ...',
    '',
    'Imports the files (default: data.sources of mlloop.yaml). Each row is checked against the',
    'project: rows with a missing label or a bad value are reported with file, line and reason',
    'and skipped; the good rows are imported. Importing the same file twice adds nothing.',
    'Exit code 2 when any row was rejected (the good rows are still imported).',
    '',
    '--kind imports history instead of examples: rows shaped as inbox lines (see',
    'schemas/inbox-line.schema.json; `kind` may be left out). CSV columns name nested fields',
    'with dots: input.title, output.label, output.confidence. Predictions are kept once per id,',
    'feedback and outcomes once per content; labelled feedback and outcomes become training',
    'examples. Import predictions before their feedback and outcomes.',
  ].join('\n'),
  options: { kind: { type: 'string' } },
  positionals: 'FILE...',
  async run(ctx) {
    const kind = ctx.values.kind as string | undefined;
    if (kind !== undefined && kind !== 'examples') return importHistoryCmd(ctx, kind);
    const project = await ctx.project();
    const { config, paths, store } = project;
    const files = ctx.positionals.length
      ? ctx.positionals.map((f) => path.resolve(ctx.cwd, f))
      : config.data.sources.map((s) => path.resolve(paths.root, s.path));
    const formats = ctx.positionals.length ? {} : Object.fromEntries(config.data.sources.map((s) => [path.resolve(paths.root, s.path), s.format]));
    if (files.length === 0) throw new UserError('Nothing to import: name files (mlloop import FILE) or list them under data.sources in mlloop.yaml.');
    {
      const report = await importFiles(store, config, files, {
        root: paths.root,
        formats,
        signal: ctx.signal,
        onProgress: (p) => ctx.out.progress(`importing ${path.basename(p.file)}`, p.rowsRead, undefined, 'rows'),
      });
      ctx.out.endProgress();
      const warnings = report.warnings ?? [];
      if (ctx.out.json) {
        ctx.out.result({ imported: report.imported, duplicates: report.duplicates, rejected: report.rejected, rejected_total: report.rejectedTotal, rows_read: report.rowsRead, warnings });
      } else {
        ctx.out.text(`Imported ${plural(report.imported, 'example')} (${report.duplicates} already stored, ${report.rejectedTotal} rejected) from ${plural(files.length, 'file')}.`);
        for (const r of report.rejected.slice(0, 20)) ctx.out.text(`  ${r.file}:${r.line}: ${r.reason}`);
        if (report.rejectedTotal > 20) ctx.out.text(`  … and ${report.rejectedTotal - 20} more (use --json for up to ${report.rejected.length})`);
        for (const w of warnings) ctx.out.text(`warning: ${w}`);
        ctx.out.text(`The store now holds ${plural(await store.countExamples(), 'example')}.`);
      }
      // Exit 2 for input that was not used: rejected rows, or a file with no rows at all.
      return report.rejectedTotal > 0 || (report.emptyFiles ?? 0) > 0 ? 2 : 0;
    }
  },
};

async function importHistoryCmd(ctx: CommandContext, kind: string): Promise<number> {
  if (!(HISTORY_KINDS as readonly string[]).includes(kind)) throw new UserError(`--kind must be examples, ${HISTORY_KINDS.join(', ')} (got '${kind}').`);
  if (ctx.positionals.length === 0) throw new UserError(`mlloop import --kind ${kind} needs the files to import: mlloop import --kind ${kind} FILE ...`);
  const files = ctx.positionals.map((f) => path.resolve(ctx.cwd, f));
  const r = await importHistory(await ctx.project(), kind as HistoryKind, files, {
    signal: ctx.signal,
    onProgress: (p) => ctx.out.progress(`importing ${path.basename(p.file)}`, p.rowsRead, undefined, 'rows'),
  });
  ctx.out.endProgress();
  if (ctx.out.json) {
    ctx.out.result({ kind: r.kind, imported: r.imported, duplicates: r.duplicates, examples: r.examples, rejected: r.rejected, rejected_total: r.rejectedTotal, rows_read: r.rowsRead });
  } else {
    const noun = kind === 'feedback' ? 'feedback' : r.imported === 1 ? kind.slice(0, -1) : kind;
    ctx.out.text(`Imported ${r.imported} ${noun} (${r.duplicates} already stored, ${r.rejectedTotal} rejected) from ${files.length} file${files.length === 1 ? '' : 's'}; ${r.examples} became training examples.`);
    for (const x of r.rejected.slice(0, 20)) ctx.out.text(`  ${x.file}:${x.line}: ${x.reason}`);
    if (r.rejectedTotal > 20) ctx.out.text(`  … and ${r.rejectedTotal - 20} more (use --json for up to ${r.rejected.length})`);
  }
  return r.rejectedTotal > 0 ? 2 : 0;
}

const ingest: Command = {
  summary: 'take in the predictions, feedback, outcomes and examples apps appended to .mlloop/inbox',
  usage: [
    'Usage: mlloop ingest',
    '',
    'Reads what is new in .mlloop/inbox/*.jsonl (one JSON object a line; see',
    'schemas/inbox-line.schema.json) and takes each complete line into the store exactly once,',
    'across restarts and files still being written. Labelled feedback and outcomes become',
    'training examples linked to their prediction. Lines that cannot be taken are set aside',
    'with file, line and reason; feedback whose prediction has not arrived yet waits for it.',
    'Then deletes logged predictions older than monitoring.retention.predictions (default 7d).',
    'Exit code 2 when any line was set aside (the good lines are still taken).',
  ].join('\n'),
  options: {},
  async run(ctx) {
    const r = await ingestInbox(await ctx.project(), {
      signal: ctx.signal,
      onProgress: (p) => ctx.out.progress(`ingesting ${p.file}`, p.lines, undefined, 'lines'),
    });
    ctx.out.endProgress();
    if (ctx.out.json) ctx.out.result({ ingested: r.ingested, rejected: r.rejected });
    else {
      const n = r.ingested;
      const plural = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;
      ctx.out.text(
        `Ingested ${plural(n.predictions, 'prediction')}, ${n.feedback} feedback, ${plural(n.outcomes, 'outcome')} and ${plural(n.examples, 'training example')} from ${plural(r.files, 'inbox file')}` +
          `${r.rejectedTotal ? `; ${plural(r.rejectedTotal, 'line')} set aside` : ''}${r.pruned ? `; ${plural(r.pruned, 'prediction')} older than ${(await ctx.project()).config.monitoring.retention.predictions} deleted` : ''}.`,
      );
      for (const x of r.rejected.slice(0, 20)) ctx.out.text(`  ${x.file}:${x.line}: ${x.reason}`);
      if (r.rejectedTotal > 20) ctx.out.text(`  … and ${r.rejectedTotal - 20} more (use --json for up to ${r.rejected.length})`);
    }
    return r.rejectedTotal > 0 ? 2 : 0;
  },
};

const feedback: Command = {
  summary: 'record feedback on a logged prediction by hand',
  usage: [
    'Usage: mlloop feedback --prediction ID (--label LABEL | --accept | --reject) [--by WHO]',
    '',
    'Records feedback on prediction ID (logged through the inbox or mlloop import --kind',
    'predictions), timed now. --label gives the right label: it becomes a training example',
    '(the record the model saw, with this label). --accept confirms the predicted label',
    '(classification: also a training example); --reject says it was wrong.',
  ].join('\n'),
  options: { prediction: { type: 'string' }, label: { type: 'string' }, accept: { type: 'boolean' }, reject: { type: 'boolean' }, by: { type: 'string' } },
  async run(ctx) {
    const id = ctx.values.prediction as string | undefined;
    if (!id) throw new UserError(`feedback needs --prediction ID.\n\n${feedback.usage}`);
    const given = ['label', 'accept', 'reject'].filter((k) => ctx.values[k] !== undefined && ctx.values[k] !== false);
    if (given.length !== 1) throw new UserError(`Give exactly one of --label LABEL, --accept or --reject${given.length ? ` (got --${given.join(' and --')})` : ''}.`);
    const r = await recordManualFeedback(await ctx.project(), {
      prediction: id,
      ...(ctx.values.label !== undefined ? { label: ctx.values.label as string } : {}),
      ...(ctx.values.accept ? { accepted: true } : ctx.values.reject ? { accepted: false } : {}),
      ...(ctx.values.by ? { by: ctx.values.by as string } : {}),
    });
    if (ctx.out.json) ctx.out.result({ prediction: r.prediction, time: r.time, label: r.label, accepted: r.accepted, by: r.by, example: r.example, reason: r.reason });
    else {
      const what = r.label !== null ? `label '${r.label}'` : r.accepted ? 'accepted' : 'rejected';
      ctx.out.text(`Recorded feedback on ${r.prediction}: ${what}${r.by ? ` (by ${r.by})` : ''}.${r.example !== null ? ` It became training example ${r.example}.` : r.reason ? ` It made no training example: ${r.reason}.` : ''}`);
    }
    return 0;
  },
};

const train: Command = {
  summary: 'train the model on the stored examples, evaluate it on the test split, save a bundle',
  usage: [
    'Usage: mlloop train',
    '',
    'Splits the stored examples (train / validation / test, stratified, seeded), fits the',
    'feature pipeline on the training rows, trains the model in mlloop.yaml with early',
    'stopping, and reports metrics on the held-out test split. The model is saved as a bundle',
    'in .mlloop/models/<version>/. Ctrl-C cancels.',
  ].join('\n'),
  options: {},
  async run(ctx) {
    const result = await cliJobs().trainProject({
      ctx: await ctx.project(),
      backend: ctx.backend,
      signal: ctx.signal,
      onEvent: (e) => {
        if (e.type === 'log') ctx.out.log(e.message);
        else if (e.type === 'epoch') {
          const l = e.logs;
          const parts = [`loss ${fmt(l.loss)}`];
          if (l.val_loss !== undefined) parts.push(`val_loss ${fmt(l.val_loss)}`);
          if (l.val_accuracy !== undefined) parts.push(`val_accuracy ${fmt(l.val_accuracy)}`);
          if (l.val_mae !== undefined) parts.push(`val_mae ${fmt(l.val_mae)}`);
          if (process.stderr.isTTY) ctx.out.progress('training', l.epoch, e.epochs, parts.join(' '));
          else ctx.out.log(`epoch ${l.epoch}: ${parts.join(' ')}`);
        }
      },
    });
    ctx.out.endProgress();
    if (ctx.out.json) {
      ctx.out.result({
        run: result.runId,
        model: result.modelVersion,
        backend: result.backend,
        metrics: result.metrics,
        calibration: result.calibration,
        ...(result.selection ? { selection: result.selection } : {}),
        report: result.reportFile,
        duration_ms: result.durationMs,
        store_ms: result.storeMs,
      });
    }
    else {
      ctx.out.text(
        `Run ${result.runId} trained model ${result.modelVersion} on ${result.backend} in ${formatDuration(result.durationMs)} ` +
          (result.selection && result.epochsRun === 0 ? '(fitted exactly, no epochs).' : `(${plural(result.epochsRun, 'epoch')}${result.stoppedEarly ? `, early-stopped; best epoch ${result.bestEpoch}` : ''}).`),
      );
      if (result.selection) ctx.out.text(`Model (auto): ${result.selection.chosen}${result.selection.refitted ? ', refitted on training + validation rows' : ''}. ${result.selection.reason}`);
      ctx.out.text('Test-split metrics:');
      ctx.out.text(formatMetrics(result.metrics));
      const c = result.calibration;
      ctx.out.text(`Calibration: ${c.method}${c.eceBefore !== null && c.method !== 'none' ? ` (test ECE ${fmt(c.eceBefore)} → ${fmt(c.eceAfter)})` : ''}. ${c.reason}`);
      if (result.reportFile) ctx.out.text(`Report: ${result.reportFile}`);
    }
    return 0;
  },
};

const evaluate: Command = {
  summary: 'metrics with confidence intervals, curves and calibration error; or k-fold cross-validation',
  usage: [
    'Usage: mlloop evaluate [--model VERSION] [--data FILE] [--cv K]',
    '',
    'Without --data: the test split held out when the model was trained. Default model: the newest.',
    'Prints the metrics with 95% bootstrap intervals, ECE, and (with --json) the ROC / PR /',
    'reliability curves and the confusion matrix.',
    '--cv K trains K models on K folds of all stored examples, as `train` would, and reports',
    'each metric\'s mean ± std over the folds.',
  ].join('\n'),
  options: { model: { type: 'string' }, data: { type: 'string' }, cv: { type: 'string' } },
  async run(ctx) {
    const data = ctx.values.data as string | undefined;
    if (ctx.values.cv !== undefined) {
      if (data || ctx.values.model) throw new UserError('--cv trains new models on the stored examples; it does not take --data or --model.');
      const folds = Number(ctx.values.cv);
      const r = await cliJobs().crossValidate({
        ctx: await ctx.project(),
        folds,
        backend: ctx.backend,
        signal: ctx.signal,
        onFold: (f, total, m) => ctx.out.log(`fold ${f}/${total}: ${headline(m) ?? ''}`),
      });
      if (ctx.out.json) {
        ctx.out.result({
          cv: r.folds,
          n: r.n,
          backend: r.backend,
          metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, v]) => [k, { mean: v.mean, std: v.std, values: v.values }])),
          folds: r.perFold,
        });
      } else {
        ctx.out.text(`${r.folds}-fold cross-validation on ${plural(r.n, 'example')} (${r.backend}):`);
        ctx.out.text(table(['metric', 'mean', 'std', 'per fold'], Object.entries(r.metrics).map(([k, v]) => [k, fmt(v.mean), fmt(v.std), v.values.map((x) => fmt(x)).join(' ')])));
      }
      return 0;
    }
    const r = await cliJobs().evaluateModel({
      ctx: await ctx.project(),
      ...(ctx.values.model ? { version: ctx.values.model as string } : {}),
      ...(data ? { dataFile: path.resolve(ctx.cwd, data) } : {}),
      backend: ctx.backend,
      signal: ctx.signal,
    });
    const ev = r.evaluation;
    if (ctx.out.json) {
      ctx.out.result({
        model: r.model,
        on: r.on,
        n: r.n,
        metrics: r.metrics,
        omitted: ev.omitted,
        intervals: Object.fromEntries(Object.entries(ev.intervals.byMetric).map(([k, v]) => [k, { lower: v.lower, upper: v.upper }])),
        interval_confidence: ev.intervals.confidence,
        ece: ev.calibration ? { ece: ev.calibration.ece, mce: ev.calibration.mce, classwise_ece: ev.calibration.classwiseEce ?? null, bins: ev.calibration.bins, brier: ev.calibration.brier } : null,
        confusion_matrix: ev.confusionMatrix ? { labels: ev.classes, matrix: ev.confusionMatrix } : null,
        curves: {
          roc: ev.roc?.map((c) => ({ label: c.label, fpr: c.curve.x, tpr: c.curve.y, thresholds: c.curve.thresholds })) ?? null,
          pr: ev.pr?.map((c) => ({ label: c.label, recall: c.curve.x, precision: c.curve.y, thresholds: c.curve.thresholds })) ?? null,
          reliability: ev.calibration
            ? { mean_predicted: ev.calibration.reliability.meanPredicted, fraction_positive: ev.calibration.reliability.fractionPositive, counts: ev.calibration.reliability.counts }
            : null,
        },
        thresholds: ev.thresholds ? { best_f1: ev.thresholds.bestF1, best_youden_j: ev.thresholds.bestYoudenJ } : null,
        rejected: r.rejected,
      });
    } else {
      ctx.out.text(`Model ${r.model} on ${r.on} (${plural(r.n, 'row')}):`);
      const pct = Math.round(ev.intervals.confidence * 100);
      ctx.out.text(
        table(
          ['metric', 'value', `${pct}% interval`],
          Object.entries(r.metrics).map(([k, v]) => {
            const i = ev.intervals.byMetric[k];
            return [k, fmt(v), i ? `[${fmt(i.lower)}, ${fmt(i.upper)}]` : ''];
          }),
        ),
      );
      for (const [k, why] of Object.entries(ev.omitted)) ctx.out.text(`${k}: not defined here (${why})`);
      if (ev.calibration) ctx.out.text(`calibration: ECE ${fmt(ev.calibration.ece)}, MCE ${fmt(ev.calibration.mce)} (${ev.calibration.bins} bins)`);
      if (ev.confusionMatrix) {
        ctx.out.text('confusion matrix (rows: true, columns: predicted):');
        ctx.out.text(table(['', ...ev.classes], ev.confusionMatrix.map((row, i) => [ev.classes[i], ...row])));
      }
      for (const x of r.rejected.slice(0, 20)) ctx.out.text(`  skipped ${x.file}:${x.line}: ${x.reason}`);
      if (r.rejected.length > 20) ctx.out.text(`  … and ${r.rejected.length - 20} more skipped (use --json to see them all)`);
    }
    // As import: exit 2 when rows of --data could not be used (the metrics are of the others).
    return r.rejected.length > 0 ? 2 : 0;
  },
};

const calibrate: Command = {
  summary: 'choose the calibrator of a model on held-out rows (before/after ECE, Brier, log loss)',
  usage: [
    'Usage: mlloop calibrate [--model VERSION] [--method auto|platt|isotonic|temperature|vector|histogram|none]',
    '',
    'Fits calibrators on the validation rows of the run that trained the model (rows it did not',
    'train on), compares them by cross-validated ECE and Brier, and keeps one only when ECE',
    'improves by more than calibration.margin (default 5%). The result is a new model version',
    '(the same network with the new calibrator; a version never changes) that predict and',
    'evaluate then use. Training already',
    'does this with calibration.method; use this to try another method without retraining.',
  ].join('\n'),
  options: { model: { type: 'string' }, method: { type: 'string' } },
  async run(ctx) {
    const method = ctx.values.method as CalibrationMethodName | undefined;
    const methods = ['auto', 'platt', 'isotonic', 'temperature', 'vector', 'histogram', 'none'];
    if (method !== undefined && !methods.includes(method)) throw new UserError(`--method must be one of ${methods.join(', ')} (got '${method}').`);
    const r = await cliJobs().calibrateModel({ ctx: await ctx.project(), backend: ctx.backend, signal: ctx.signal, ...(method ? { method } : {}), ...(ctx.values.model ? { version: ctx.values.model as string } : {}) });
    const c = r.calibration;
    if (ctx.out.json) {
      ctx.out.result({
        model: r.model,
        from: r.from,
        method: c.method,
        reason: c.reason,
        warnings: c.warnings,
        validation: c.selection,
        test: c.test ? { before: c.test.before, after: c.test.after } : null,
        metrics: r.metrics,
        report: r.reportFile,
      });
    } else {
      ctx.out.text(`Model ${r.model} (from ${r.from}, recalibrated): calibrator ${c.method}. ${c.reason}`);
      for (const w of c.warnings) ctx.out.text(`warning: ${w}`);
      if (c.selection) {
        ctx.out.text(`On ${c.selection.n} validation rows (${c.selection.folds}-fold cross-validated):`);
        ctx.out.text(
          table(
            ['method', 'status', 'ECE', 'Brier', 'log loss', 'ECE change'],
            [
              ['(raw)', '', fmt(c.selection.before.ece), fmt(c.selection.before.brier), fmt(c.selection.before.logLoss), ''],
              ...c.selection.candidates.map((x) => [x.method, x.status, fmt(x.after?.ece), fmt(x.after?.brier), fmt(x.after?.logLoss), x.eceImprovement !== undefined ? `${(-x.eceImprovement * 100).toFixed(1)}%` : x.reason]),
            ],
          ),
        );
      }
      if (c.test) ctx.out.text(`On the test split: ECE ${fmt(c.test.before.ece)} → ${fmt(c.test.after.ece)}, Brier ${fmt(c.test.before.brier)} → ${fmt(c.test.after.brier)}, log loss ${fmt(c.test.before.logLoss)} → ${fmt(c.test.after.logLoss)}`);
      ctx.out.text(`Report: ${r.reportFile}`);
    }
    return 0;
  },
};

const explain: Command = {
  summary: 'feature importance, and why the model predicted what it did for one record',
  usage: [
    'Usage: mlloop explain [--model VERSION] [--data FILE] [--row N]',
    '',
    'Without --row: permutation importance (how much the metric drops when a feature is',
    'shuffled; mean ± std over repeats) on the test split, or on a labelled FILE.',
    'With --row N: integrated-gradients attributions for record N (1-based) of FILE, or of the',
    'test split: how much each feature pushed the prediction away from the baseline (the',
    'average training row).',
  ].join('\n'),
  options: { model: { type: 'string' }, data: { type: 'string' }, row: { type: 'string' } },
  async run(ctx) {
    const data = ctx.values.data as string | undefined;
    const row = ctx.values.row !== undefined ? Number(ctx.values.row) : undefined;
    const r = await cliJobs().explainModel({
      ctx: await ctx.project(),
      backend: ctx.backend,
      signal: ctx.signal,
      ...(data ? { dataFile: path.resolve(ctx.cwd, data) } : {}),
      ...(row !== undefined ? { row } : {}),
      ...(ctx.values.model ? { version: ctx.values.model as string } : {}),
    });
    if (ctx.out.json) {
      ctx.out.result({ model: r.model, importance: r.importance, explanation: r.explanation });
      return 0;
    }
    if (r.importance) {
      const imp = r.importance;
      ctx.out.text(`Permutation importance of model ${r.model} on the ${imp.on} (${plural(imp.rows, 'row')}, ${plural(imp.repeats, 'repeat')}; ${imp.metric} ${imp.greaterIsBetter ? 'drop' : 'rise'} when the feature is shuffled):`);
      ctx.out.text(table(['feature', 'importance', '± std'], imp.importances.map((f) => [f.feature, fmt(f.mean), fmt(f.std)])));
    }
    if (r.explanation) {
      const e = r.explanation;
      const p = e.prediction;
      ctx.out.text(`Record ${e.row} of the ${e.source}: predicted ${'value' in p ? fmt(p.value) : `${p.label} (${(p.confidence * 100).toFixed(1)}%)`}.`);
      ctx.out.text(`Attributions to ${e.explains} (${fmt(e.baselineOutput)} at the baseline → ${fmt(e.output)} here; gap ${fmt(e.gap)}):`);
      ctx.out.text(table(['feature', 'value', 'attribution'], e.attributions.map((a) => [a.feature, String(fieldValue(e.record, a.feature) ?? ''), fmt(a.value)])));
    }
    return 0;
  },
};

const predict: Command = {
  summary: 'predict for records from a file or JSON on stdin',
  usage: [
    'Usage: mlloop predict [--model VERSION] [--data FILE]',
    '',
    'Records come from FILE (CSV / JSON / JSONL) or stdin (a JSON object, an array of objects,',
    'or JSON lines). Output per record: label, confidence and class probabilities',
    '(regression: value); a record with an unreadable value gets {"error": …} instead',
    '(exit code 2 after predicting the others).',
  ].join('\n'),
  options: { model: { type: 'string' }, data: { type: 'string' } },
  async run(ctx) {
    const data = ctx.values.data as string | undefined;
    const items: ReadItem[] = [];
    // Read only once the model is known to exist: a wrong --model fails at once, not after stdin.
    const readInput = async (): Promise<Array<Record<string, unknown>>> => {
      if (data) {
        for await (const item of readRecords(path.resolve(ctx.cwd, data), undefined, ctx.signal)) items.push(item);
      } else {
        if (ctx.stdinIsTTY) ctx.out.log('Reading records from stdin: type or paste a JSON object, an array of objects, or JSON lines, then press Ctrl-D (or use --data FILE).');
        items.push(...readRecordsFromBytes(ctx.readStdin(), 'stdin'));
      }
      return items.flatMap((item) => (item.kind === 'record' ? [item.record] : []));
    };
    const r = await cliJobs().predictWithModel({ ctx: await ctx.project(), records: readInput, backend: ctx.backend, ...(ctx.values.model ? { version: ctx.values.model as string } : {}) });
    const source = data ?? 'stdin';
    let next = 0;
    const predictions = items.map((item) => {
      if (item.kind === 'error') return { error: `${source}:${item.line}: ${item.reason}`, line: item.line };
      const p = r.predictions[next++];
      return 'error' in p ? { error: `${source}:${item.line}: ${p.error}`, line: item.line } : p;
    });
    const rejected = predictions.filter((p) => 'error' in p).length;
    if (ctx.out.json) ctx.out.result({ model: r.model, predictions, rejected });
    else {
      ctx.out.text(`Model ${r.model}:`);
      predictions.forEach((p, i) =>
        ctx.out.text('error' in p ? `${i + 1}: not predicted: ${p.error}` : 'value' in p ? `${i + 1}: ${fmt(p.value)}` : `${i + 1}: ${p.label} (${(p.confidence * 100).toFixed(1)}%)`),
      );
    }
    // Like import: exit 2 when some input was bad, after predicting the rest.
    return rejected > 0 ? 2 : 0;
  },
};

const runs: Command = {
  summary: 'list training runs',
  usage: 'Usage: mlloop runs [--limit N]',
  options: { limit: { type: 'string' } },
  async run(ctx) {
    const limit = ctx.values.limit ? Number(ctx.values.limit) : undefined;
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UserError('--limit must be a positive whole number.');
    const { store } = await ctx.project();
    {
      const list = await store.listRuns(limit ? { limit } : {});
      if (ctx.out.json) {
        ctx.out.result({
          runs: list.map((r) => ({
            id: r.id,
            status: r.status,
            started_at: r.startedAt,
            duration_ms: r.durationMs,
            backend: r.backend,
            model: r.modelVersion,
            metrics: r.metrics,
            data: r.dataCounts,
            best_epoch: r.bestEpoch,
            error: r.error,
          })),
        });
      } else if (list.length === 0) ctx.out.text('No runs yet. Train with `mlloop train`.');
      else {
        ctx.out.text(
          table(
            ['run', 'status', 'started', 'duration', 'model', 'headline'],
            list.map((r) => [r.id, r.status, r.startedAt.replace('T', ' ').slice(0, 19), formatDuration(r.durationMs), r.modelVersion ?? '', headline(r.metrics) ?? (r.error ? r.error.split('\n')[0].slice(0, 60) : '')]),
          ),
        );
      }
      return 0;
    }
  },
};

const models: Command = {
  summary: 'list trained models',
  usage: 'Usage: mlloop models',
  options: {},
  async run(ctx) {
    const { store } = await ctx.project();
    {
      const list = await store.listModels();
      if (ctx.out.json) ctx.out.result({ models: list.map((m) => ({ version: m.version, run: m.runId, created_at: m.createdAt, task: m.task, metrics: m.metrics, path: m.path })) });
      else if (list.length === 0) ctx.out.text('No models yet. Train with `mlloop train`.');
      else ctx.out.text(table(['model', 'run', 'created', 'headline', 'path'], list.map((m) => [m.version, m.runId, m.createdAt.replace('T', ' ').slice(0, 19), headline(m.metrics) ?? '', m.path])));
      return 0;
    }
  },
};


/** The one number to show in a list: accuracy for classification, r2 for regression. */
export function headline(metrics: Record<string, number> | null | undefined): string | undefined {
  if (!metrics) return undefined;
  for (const k of ['accuracy', 'r2']) if (metrics[k] !== undefined) return `${k} ${fmt(metrics[k])}`;
  return undefined;
}

// The loop's commands (registry, cycles, bundles) live in loopCommands.ts; its `models`
// (with the champion and the history) replaces the plain list.
// Monitoring (monitor, health, alerts) and serving (serve, experiment, shadow) beside them.
export const COMMANDS: Record<string, Command> = { init, import: importCmd, ingest, feedback, train, evaluate, calibrate, explain, predict, runs, models, ...LOOP_COMMANDS, ...MONITOR_COMMANDS, ...SERVE_COMMANDS };

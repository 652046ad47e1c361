/**
 * `mlloop init`: a project file written from a look at the data, with settings that give a
 * solid first model without tuning.
 */
import fs from 'node:fs';
import path from 'node:path';
import { inferProject } from '../data/infer';
import { detectFormat } from '../data/readers';
import { UserError } from '../util/errors';
import { fileSystemUserError } from '../util/fsErrors';
import { writeFileAtomic } from '../store/fileio';
import { parseProject, PROJECT_FILE } from './parse';
import type { FeatureSpec, Task } from './types';
import { plural } from '../util/plural';

export interface InitOptions {
  /** Project folder to write mlloop.yaml into. */
  root: string;
  /** Data file to look at (and list as the project's first source). */
  dataFile: string;
  label: string;
  /** Override the inferred task. */
  task?: Task;
  name?: string;
  /** Overwrite an existing mlloop.yaml. */
  force?: boolean;
}

export interface InitResult {
  file: string;
  task: Task;
  features: FeatureSpec[];
  rowsScanned: number;
  classes?: string[];
  notes: string[];
  /** The event-time column written as `time:`, when one was found. */
  time?: string;
}

/**
 * Training settings by data size. Few rows means few optimiser steps per epoch, so small
 * data gets a smaller batch, a larger step and more patience; that is what makes
 * init → import → train reach a good model on 150 rows as on 100,000.
 */
export function suggestTraining(rows: number): { hidden: number[]; batchSize: number; learningRate: number; patience: number } {
  // hidden is what an explicit model: mlp would use; model: auto (what init writes) has its own candidates.
  if (rows < 1000) return { hidden: [32, 16], batchSize: 16, learningRate: 0.01, patience: 20 };
  if (rows < 20000) return { hidden: [64, 32], batchSize: 32, learningRate: 0.003, patience: 10 };
  return { hidden: [64, 32], batchSize: 128, learningRate: 0.001, patience: 5 };
}

/**
 * Writes `<root>/mlloop.yaml` from the data. The result is validated with the same parser
 * the other commands use before it is written.
 * @throws UserError when the file exists (without force), the data is unreadable, or the label is missing.
 */
export async function initProject(opts: InitOptions): Promise<InitResult> {
  const root = path.resolve(opts.root);
  const file = path.join(root, PROJECT_FILE);
  if (fs.existsSync(file) && !opts.force) {
    throw new UserError(`${file} already exists. Use --force to overwrite it.`, { file });
  }
  if (!fs.existsSync(opts.dataFile)) throw new UserError(`No such file: ${opts.dataFile}`, { file: opts.dataFile });
  const format = detectFormat(opts.dataFile);
  const inferred = await inferProject(opts.dataFile, opts.label);
  const task = opts.task ?? inferred.task;
  if (inferred.features.length === 0) {
    throw new UserError(`No usable feature columns found in ${opts.dataFile} besides the label '${opts.label}'.`, { file: opts.dataFile });
  }
  const rel = path.relative(root, path.resolve(opts.dataFile)).split(path.sep).join('/');
  const name = opts.name ?? path.basename(root);
  const t = suggestTraining(inferred.rows);
  const featureLines = inferred.features.flatMap((f) => [...(inferred.why[f.name] ? [`  # ${f.name}: ${inferred.why[f.name]}`] : []), `  - ${featureYaml(f)}`]);
  const text = [
    `# ML Loop project. Schema: every key is documented on hover in VS Code; see README.md.`,
    `# Written by \`mlloop init\` from ${commentText(rel)} (${plural(inferred.rows, 'row')} scanned).`,
    `version: 1`,
    `name: ${yamlString(name)}`,
    `task: ${task}${inferred.classes && task !== 'regression' ? `   # classes: ${inferred.classes.slice(0, 10).map(commentText).join(', ')}${inferred.classes.length > 10 ? ', …' : ''}` : ''}`,
    `label: ${yamlString(opts.label)}`,
    ...(inferred.time ? [`time: ${yamlString(inferred.time)}   # when each row happened: windows such as "the last 90 days" use it`] : []),
    `features:`,
    ...featureLines,
    `data:`,
    `  sources:`,
    `    - path: ${yamlString(rel)}${format !== extFormat(rel) ? `\n      format: ${format}` : ''}`,
    `model:`,
    `  # auto: linear models at four L2 strengths and MLPs [32] and [64, 32] are compared on the`,
    `  # validation rows; the run's report says which won and why. Or name one: type: mlp | logistic.`,
    `  type: auto`,
    `  refit: auto          # train the winner again on training + validation rows when the data is small and nothing is calibrated on them`,
    `training:`,
    `  batchSize: ${t.batchSize}`,
    `  learningRate: ${t.learningRate}`,
    `  epochs: 300          # an upper bound: early stopping ends training when val_loss stops improving`,
    `  validationSplit: 0.15`,
    `  testSplit: 0.2`,
    `  earlyStopping: { enabled: true, monitor: val_loss, minDelta: 0.0001, patience: ${t.patience}, restoreBest: true }`,
    `  classWeight: none     # or balanced, when some classes are much rarer than others`,
    `  seed: 42`,
    '',
  ].join('\n');
  const check = parseProject(text, name);
  if (!check.ok) {
    // A bug here, not the user's: the generated file must always validate.
    throw new Error(`init produced an invalid project file: ${check.problems.map((p) => p.message).join('; ')}`);
  }
  try {
    fs.mkdirSync(root, { recursive: true });
    writeProjectFile(file, text);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (typeof err.path === 'string' && err.path.includes('.tmp-')) err.path = file; // name the file the user knows
    throw fileSystemUserError(err, file) ?? err;
  }
  return {
    file,
    task,
    features: check.config.features,
    rowsScanned: inferred.rows,
    ...(inferred.classes ? { classes: inferred.classes } : {}),
    notes: inferred.notes,
    ...(inferred.time ? { time: inferred.time } : {}),
  };
}

function extFormat(p: string): string | undefined {
  const ext = path.extname(p).toLowerCase();
  return ext === '.csv' ? 'csv' : ext === '.json' ? 'json' : ext === '.jsonl' ? 'jsonl' : undefined;
}

/** Data text made safe inside a YAML comment: a value with a line break or control character is written as a JSON string. */
function commentText(s: string): string {
  return /[\u0000-\u001f\u007f\u0085\u2028\u2029]/.test(s) ? JSON.stringify(s) : s;
}

function yamlString(s: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(s) && !/^(true|false|yes|no|null|~|\d.*)$/i.test(s) ? s : JSON.stringify(s);
}

function featureYaml(f: FeatureSpec): string {
  const parts = [`name: ${yamlString(f.name)}`, `type: ${f.type}`];
  switch (f.type) {
    case 'numeric':
      parts.push(`transform: ${f.transform}`);
      break;
    case 'categorical':
      parts.push(`maxCategories: ${f.maxCategories}`);
      break;
    case 'text':
      parts.push(`analyzer: ${f.analyzer}`, `ngrams: [${f.ngrams.join(', ')}]`, `dimensions: ${f.dimensions}`, `sublinearTf: ${f.sublinearTf}`, `minDf: ${f.minDf}`);
      break;
    case 'boolean':
      break;
  }
  return `{ ${parts.join(', ')} }`;
}

/**
 * Writes mlloop.yaml whole or not at all (a temp file beside it, then a rename): a full disk
 * or a kill mid-write must not leave an empty or half file that the next `init` refuses to
 * replace without --force. A symbolic link is written through (its target is replaced, the
 * link kept); a path that is not a regular file (a device, a FIFO) is written in place, as
 * renaming over it would replace the device itself.
 */
function writeProjectFile(file: string, text: string): void {
  let target = file;
  try {
    target = fs.realpathSync(file);
  } catch {
    // does not exist yet
  }
  if (fs.existsSync(target) && !fs.statSync(target).isFile()) {
    fs.writeFileSync(target, text);
    return;
  }
  writeFileAtomic(target, Buffer.from(text, 'utf8'));
}

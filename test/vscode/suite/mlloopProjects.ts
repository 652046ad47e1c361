/**
 * Projects for the run-panel, compare and command tests: the workspace's iris project and
 * two scratch projects outside the workspace (so the workspace keeps a single mlloop.yaml and
 * commands without arguments never ask which project):
 *
 * - churn: binary, 3,000 synthetic rows (seeded), with training slowed down on purpose
 *   (batches of 4, a small learning rate) so that epochs arrive one by one for a few seconds
 *   and a panel opened after the first epoch sees later ones arrive live;
 * - regression: the iris data with petal_width as the label.
 *
 * Scratch folders live under one folder per extension host process, so the test files of one
 * run (one process, one theme) share them and each file still works alone (`--grep`).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parse, stringify } from 'yaml';
import { activatedMlloopExtension, waitFor, workspaceRoot } from './harness';

/** The parts of the extension's exports the tests use (MlLoopApi in src/extension/extension.ts). */
export interface TestRun {
  id: number;
  status: string;
  modelVersion: string | null;
  bestEpoch: number | null;
  config: unknown;
}

export interface TestApi {
  jobs: {
    current: { kind: string; runId?: number; epochs: unknown[] } | undefined;
    onDidEpoch: vscode.Event<{ runId: number; logs: { epoch: number } }>;
  };
  state: {
    root: string | undefined;
    snapshot: { root: string; runs: TestRun[] } | undefined;
    setRoot(root: string): Promise<void>;
    refresh(): Promise<void>;
  };
}

export async function mlloopApi(): Promise<TestApi> {
  const extension = await activatedMlloopExtension();
  const api = extension.exports as TestApi | undefined;
  assert.ok(api?.state && api.jobs, 'the extension exports no {jobs, state}');
  return api;
}

/** This process's scratch folder (shared by the test files of one run). */
export function scratchRoot(): string {
  const dir = path.join(os.tmpdir(), `mlloop-vscode-panels-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Deletes the scratch folder (call from the last test file's after hook). */
export function removeScratch(): void {
  fs.rmSync(path.join(os.tmpdir(), `mlloop-vscode-panels-${process.pid}`), { recursive: true, force: true });
}

/**
 * Writes churn.csv: 3,000 customers, 6 features, label churned yes/no from a noisy linear
 * rule (a seeded LCG, so every run gets the same file).
 */
export function writeChurnData(dir: string): string {
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const gauss = () => {
    let u = 0;
    for (let i = 0; i < 6; i++) u += rnd();
    return (u - 3) * 1.41;
  };
  const plans = ['basic', 'plus', 'pro'];
  const rows = ['tenure_months,monthly_spend,support_tickets,logins_per_week,discount,plan,churned'];
  for (let i = 0; i < 3000; i++) {
    const tenure = Math.round(1 + rnd() * 60);
    const spend = +(20 + gauss() * 8 + (i % 3) * 10).toFixed(2);
    const tickets = Math.floor(rnd() * rnd() * 8);
    const logins = +Math.max(0, 3 + gauss() * 2).toFixed(1);
    const discount = rnd() < 0.3;
    const plan = plans[Math.floor(rnd() * 3)];
    const z = -0.06 * tenure + 0.35 * tickets - 0.45 * logins + (discount ? -0.6 : 0.2) + (plan === 'basic' ? 0.5 : plan === 'pro' ? -0.4 : 0) + 0.02 * spend + 0.6 + gauss() * 0.9;
    rows.push([tenure, spend, tickets, logins, discount, plan, z > 0 ? 'yes' : 'no'].join(','));
  }
  const file = path.join(dir, 'churn.csv');
  fs.writeFileSync(file, rows.join('\n') + '\n');
  return file;
}

/** Replaces `key: value` lines under `training:` / `model:` of an mlloop.yaml written by createProject. */
export function editProject(root: string, replacements: Array<[RegExp, string]>): void {
  const file = path.join(root, 'mlloop.yaml');
  let text = fs.readFileSync(file, 'utf8');
  for (const [pattern, replacement] of replacements) {
    assert.match(text, pattern, `mlloop.yaml has no ${pattern}`);
    text = text.replace(pattern, replacement);
  }
  fs.writeFileSync(file, text);
}

/**
 * Training slow enough to watch: epochs of about half a second (more on a loaded machine),
 * at least sixteen of them (patience 15), ending by early stopping. The run panel test opens
 * the panel after the run started and must still see it running: with batches of 4 and
 * patience 5, then batches of 2 and patience 8, a loaded machine finished 10 and 13 epochs
 * before the panel had drawn.
 */
export const SLOW_TRAINING: Array<[RegExp, string]> = [
  [/batchSize: \d+/, 'batchSize: 2'],
  // An explicit MLP (createProject writes model: auto, which trains several candidates first),
  // wide enough that ML Loop's SIMD training loop (~10× the tfjs loop) still takes seconds:
  // the tests need time to see an epoch and to cancel.
  [/type: auto\n\s*refit: .*/, 'type: mlp\n  hidden: [512, 256]\n  dropout: 0.1\n  activation: relu'],
  [/learningRate: [\d.]+/, 'learningRate: 0.0001'],
  [/epochs: \d+.*/, 'epochs: 60'],
  [/patience: \d+/, 'patience: 15'],
];

/**
 * A model wide enough that a training the tests watch (and cancel) runs for many seconds on
 * ML Loop's SIMD training loop, which is about ten times the tfjs loop's speed.
 */
// [128, 64] trained breast cancer's 400 rows in ~10 ms an epoch on the SIMD loop, so a 400-epoch
// run could end between the test seeing epoch 40 and pressing Cancel; [512, 256] takes ~10× that.
export const WATCHABLE_MODEL = { type: 'mlp', hidden: [512, 256], dropout: 0.1, activation: 'relu' };

/** The churn project (created and imported once per run). */
export async function churnProject(): Promise<string> {
  const root = path.join(scratchRoot(), 'churn');
  if (fs.existsSync(path.join(root, '.mlloop', 'store.sqlite'))) return root;
  fs.mkdirSync(root, { recursive: true });
  const dataFile = writeChurnData(root);
  const file = await vscode.commands.executeCommand<string | undefined>('mlloop.createProject', { dataFile, label: 'churned', root, force: true });
  assert.equal(file, path.join(root, 'mlloop.yaml'));
  editProject(root, SLOW_TRAINING);
  const report = await vscode.commands.executeCommand<{ imported: number } | undefined>('mlloop.importExamples', { root, files: [dataFile] });
  assert.equal(report?.imported, 3000);
  return root;
}

/** The regression project (iris, label petal_width), created and imported once per run. */
export async function regressionProject(): Promise<string> {
  const root = path.join(scratchRoot(), 'regression');
  if (fs.existsSync(path.join(root, '.mlloop', 'store.sqlite'))) return root;
  fs.mkdirSync(root, { recursive: true });
  const dataFile = path.join(root, 'iris.csv');
  fs.copyFileSync(path.join(workspaceRoot(), 'iris.csv'), dataFile);
  await vscode.commands.executeCommand('mlloop.createProject', { dataFile, label: 'petal_width', root, force: true });
  await vscode.commands.executeCommand('mlloop.importExamples', { root, files: [dataFile] });
  return root;
}

/**
 * The workspace's iris project with its examples imported (importing again only finds
 * duplicates), so a test file that trains it also works when run alone.
 */
export async function irisProject(): Promise<string> {
  const root = workspaceRoot();
  const report = await vscode.commands.executeCommand<{ imported: number; duplicates: number } | undefined>('mlloop.importExamples', { root, files: [path.join(root, 'iris.csv')] });
  assert.equal((report?.imported ?? 0) + (report?.duplicates ?? 0), 150);
  return root;
}

/** Result of mlloop.train (TrainResult in src/core/jobs/train.ts), the fields tests read. */
export interface TrainOutcome {
  runId: number;
  modelVersion: string;
  metrics: Record<string, number>;
  epochsRun: number;
  bestEpoch: number;
  stoppedEarly: boolean;
  reportFile: string;
}

/** Waits until no job runs (a test's job must not be refused because another one is still finishing). */
export async function noJobRunning(api: TestApi, timeoutMs = 120_000): Promise<void> {
  await waitFor(() => api.jobs.current === undefined, 'the running ML Loop job to end', { timeoutMs });
}

/** Trains `root` through the command and returns its result (fails the test when it returns nothing). */
export async function train(root: string): Promise<TrainOutcome> {
  await noJobRunning(await mlloopApi());
  const result = await vscode.commands.executeCommand<TrainOutcome | undefined>('mlloop.train', { root });
  assert.ok(result, `mlloop.train on ${root} returned nothing (refused, failed or cancelled: see the ML Loop log)`);
  return result;
}

/** Completed runs of `root`, newest first, from the project state the views show (after a refresh). */
export async function completedRuns(root: string): Promise<TestRun[]> {
  const { state } = await mlloopApi();
  if (state.root !== root) await state.setRoot(root);
  else await state.refresh();
  return (state.snapshot?.runs ?? []).filter((r) => r.status === 'completed');
}

/** A completed run of `root`, training one when there is none. */
export async function someCompletedRun(root: string): Promise<number> {
  const [run] = await completedRuns(root);
  return run ? run.id : (await train(root)).runId;
}

/** The learning rate that leaves the churn model over-confident enough for a calibrator to be chosen. */
const CALIBRATED_LEARNING_RATE = '0.0004';

/**
 * A completed churn run trained with {@link CALIBRATED_LEARNING_RATE} (a different config
 * than the slow default: the compare test's second run, and the run panel's calibration
 * screenshot). Trains one when there is none; mlloop.yaml is put back afterwards.
 */
export async function calibratedChurnRun(root: string): Promise<number> {
  const existing = (await completedRuns(root)).find((r) => JSON.stringify(r.config).includes(`"learningRate":${CALIBRATED_LEARNING_RATE}`));
  if (existing) return existing.id;
  editProject(root, [[/learningRate: [\d.]+/, `learningRate: ${CALIBRATED_LEARNING_RATE}`]]);
  try {
    return (await train(root)).runId;
  } finally {
    editProject(root, [[/learningRate: [\d.]+/, 'learningRate: 0.0001']]);
  }
}

/**
 * Gives panels the whole window for screenshots: closes the bottom panel and the side bar and
 * dismisses notifications (earlier tests leave the log and "model trained" toasts open).
 */
export async function clearForScreenshots(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closePanel');
  await vscode.commands.executeCommand('workbench.action.closeSidebar');
  await vscode.commands.executeCommand('notifications.clearAll');
}

/** Closes every editor and panel the test opened, shows the side bar again and points the views back at the workspace project. */
export async function restoreWorkbench(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await vscode.commands.executeCommand('workbench.view.explorer');
  const { state } = await mlloopApi();
  await state.setRoot(workspaceRoot());
}

/**
 * Writes a breast-cancer project (examples/breast-cancer) named `name` into `root`, with
 * `training` merged over the example's training settings.
 */
export function writeBreastCancerProject(extensionPath: string, root: string, name: string, training: Record<string, unknown>, model?: Record<string, unknown>): void {
  const example = path.join(extensionPath, 'examples', 'breast-cancer');
  const config = parse(fs.readFileSync(path.join(example, 'mlloop.yaml'), 'utf8')) as Record<string, unknown> & { training: Record<string, unknown> };
  config.name = name;
  config.training = { ...config.training, ...training };
  if (model) config.model = model;
  fs.mkdirSync(path.join(root, 'data'), { recursive: true });
  fs.copyFileSync(path.join(example, 'data', 'breast_cancer.csv'), path.join(root, 'data', 'breast_cancer.csv'));
  fs.writeFileSync(path.join(root, 'mlloop.yaml'), stringify(config));
}

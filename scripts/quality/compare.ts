/**
 * Quality comparison: `mlloop init → import → train` against scikit-learn's default
 * pipelines, on the same test rows.
 *
 *   npm run build && npx tsx scripts/quality/compare.ts [--only NAME,NAME] [--seeds 42,7,2024] [--keep]
 *
 * For each data set: a fresh project folder under the temp folder, the data file copied in,
 * then the built CLI exactly as a user runs it (`init --data FILE --label COL`, `import`,
 * `train --json`). The split ML Loop used is rebuilt with core's own splitIndices over the
 * records as import stores them (validateRecord, file order), written to split.json with the
 * records; scripts/quality/sklearn_baselines.py fits scikit-learn's default pipelines on the
 * ML Loop train + validation rows (scikit-learn needs no validation rows, so it gets them
 * all) and scores the same test rows. With --seeds, training.seed in the written
 * mlloop.yaml is replaced by each seed in turn (it decides the split and the model's
 * randomness), and the table shows the mean over seeds.
 *
 * Data: the five examples (their first data source), a generated short-title set
 * (scripts/quality/make-short-titles.mjs) and scikit-learn's bundled diabetes data
 * (Efron et al. 2004, "Least Angle Regression", Annals of Statistics; 442 rows, written out
 * as CSV by sklearn_baselines.py --export-diabetes).
 *
 * Figures are printed, never asserted: this is a yardstick, not a test.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readRecords } from '../../src/core/data/readers';
import { validateRecord } from '../../src/core/data/validate';
import { splitIndices } from '../../src/core/data/split';
import { parseProject } from '../../src/core/project/parse';

const repo = path.resolve(__dirname, '..', '..');
const cli = path.join(repo, 'dist', 'cli.js');
const python = '/usr/bin/python3';

interface DataSet {
  name: string;
  /** Writes the data file into `dir` and returns its path relative to `dir`. */
  make: (dir: string) => string;
  label: string;
}

const copyExample = (example: string, file: string) => (dir: string) => {
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  fs.copyFileSync(path.join(repo, 'examples', example, 'data', file), path.join(dir, 'data', file));
  return `data/${file}`;
};

const dataSets: DataSet[] = [
  { name: 'iris', make: copyExample('iris', 'iris.csv'), label: 'species' },
  { name: 'breast-cancer', make: copyExample('breast-cancer', 'breast_cancer.csv'), label: 'diagnosis' },
  { name: 'importance-scoring', make: copyExample('importance-scoring', 'examples.csv'), label: 'important' },
  { name: 'task-categorization', make: copyExample('task-categorization', 'tasks.json'), label: 'category' },
  { name: 'decision-policy', make: copyExample('decision-policy', 'decisions.csv'), label: 'action' },
  {
    name: 'short-titles',
    make: (dir) => {
      fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
      execFileSync('node', [path.join(repo, 'scripts/quality/make-short-titles.mjs'), path.join(dir, 'data/titles.csv')]);
      return 'data/titles.csv';
    },
    label: 'topic',
  },
  {
    name: 'diabetes',
    make: (dir) => {
      fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
      execFileSync(python, [path.join(repo, 'scripts/quality/sklearn_baselines.py'), '--export-diabetes', path.join(dir, 'data/diabetes.csv')]);
      return 'data/diabetes.csv';
    },
    label: 'progression',
  },
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function mlloop(dir: string, args: string[]): string {
  return execFileSync('node', [cli, ...args, '--project', dir], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
}

/** The records in file order as import stores them, and the split train used. */
async function rebuildSplit(dir: string, dataFile: string) {
  const parsed = parseProject(fs.readFileSync(path.join(dir, 'mlloop.yaml'), 'utf8'));
  if (!parsed.ok) throw new Error(`mlloop.yaml does not parse: ${parsed.problems.map((p) => p.message).join('; ')}`);
  const config = parsed.config;
  const records: Array<Record<string, unknown>> = [];
  const labels: Array<string | number> = [];
  for await (const item of readRecords(path.join(dir, dataFile))) {
    if (item.kind !== 'record') continue;
    const checked = validateRecord(item.record, config);
    if (!checked.ok) continue;
    records.push(item.record);
    labels.push(checked.label);
  }
  // The same split train computes (the split is a seeded function of the labels in id order).
  const split = splitIndices(labels, {
    testFraction: config.training.testSplit,
    validationFraction: config.training.validationSplit,
    seed: config.training.seed,
    stratify: config.task !== 'regression',
  });
  return { config, records, split };
}

interface Row {
  name: string;
  task: string;
  rows: number;
  metric: string;
  mlloop: number[];
  chosen: string[];
  seconds: number[];
  sklearn: Record<string, number[]>;
}

async function runOne(set: DataSet, seed: number, root: string): Promise<{ metric: string; task: string; rows: number; mlloop: number; chosen: string; seconds: number; sklearn: Record<string, number> }> {
  const dir = path.join(root, `${set.name}-${seed}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const dataFile = set.make(dir);
  mlloop(dir, ['init', '--data', dataFile, '--label', set.label, '--quiet']);
  const yamlFile = path.join(dir, 'mlloop.yaml');
  fs.writeFileSync(yamlFile, fs.readFileSync(yamlFile, 'utf8').replace(/^(\s*seed:\s*)\d+/m, `$1${seed}`));
  mlloop(dir, ['import', '--quiet']);
  const started = Date.now();
  const trained = JSON.parse(mlloop(dir, ['train', '--json', '--quiet'])) as { run: number; metrics: Record<string, number>; selection?: { chosen: string; refitted: boolean } };
  const seconds = (Date.now() - started) / 1000;
  const runs = JSON.parse(mlloop(dir, ['runs', '--json', '--quiet'])) as { runs: Array<{ id: number; data?: Record<string, number> }> };
  const run = runs.runs.find((r) => r.id === trained.run);
  const chosen = trained.selection ? `${trained.selection.chosen}${trained.selection.refitted ? ' (refit)' : ''}` : '';

  const { config, records, split } = await rebuildSplit(dir, dataFile);
  if (!run?.data || run.data.test !== split.test.length || run.data.examples !== records.length) {
    throw new Error(`${set.name}: the rebuilt split (${records.length} rows, ${split.test.length} test) is not the run's (${JSON.stringify(run?.data)})`);
  }
  const splitFile = path.join(dir, 'split.json');
  fs.writeFileSync(
    splitFile,
    JSON.stringify({
      task: config.task,
      label: config.label,
      features: config.features.map((f) => ({ name: f.name, type: f.type })),
      records,
      train: [...split.train, ...split.validation],
      test: [...split.test],
      seed,
    }),
  );
  const sk = JSON.parse(execFileSync(python, [path.join(repo, 'scripts/quality/sklearn_baselines.py'), splitFile], { encoding: 'utf8', maxBuffer: 1 << 26 })) as Record<string, number>;
  const metric = config.task === 'regression' ? 'r2' : 'accuracy';
  return { metric, task: config.task, rows: records.length, mlloop: trained.metrics[metric], chosen, seconds, sklearn: sk };
}

async function main(): Promise<void> {
  if (!fs.existsSync(cli)) throw new Error('Build first: npm run build');
  const only = arg('--only')?.split(',');
  const seeds = (arg('--seeds') ?? '42').split(',').map(Number);
  const root = path.join(os.tmpdir(), 'mlloop-quality');
  const table: Row[] = [];
  for (const set of dataSets.filter((s) => !only || only.includes(s.name))) {
    let row: Row | undefined;
    for (const seed of seeds) {
      const r = await runOne(set, seed, root);
      row ??= { name: set.name, task: r.task, rows: r.rows, metric: r.metric, mlloop: [], chosen: [], seconds: [], sklearn: {} };
      row.mlloop.push(r.mlloop);
      row.chosen.push(r.chosen);
      row.seconds.push(r.seconds);
      for (const [k, v] of Object.entries(r.sklearn)) (row.sklearn[k] ??= []).push(v);
      process.stderr.write(`${set.name} seed ${seed}: ML Loop ${r.metric} ${r.mlloop.toFixed(4)} (${r.chosen || 'explicit model'}, ${r.seconds.toFixed(1)} s); ${Object.entries(r.sklearn).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}\n`);
    }
    if (row) table.push(row);
  }
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const names = [...new Set(table.flatMap((r) => Object.keys(r.sklearn)))];
  const lines = [
    `| data set | rows | metric | ML Loop | ${names.join(' | ')} | best sklearn | gap (points) | chosen by auto | train s |`,
    `| --- | ---: | --- | ---: | ${names.map(() => '---:').join(' | ')} | ---: | ---: | --- | ---: |`,
  ];
  for (const r of table) {
    const sk = names.map((n) => (r.sklearn[n] ? mean(r.sklearn[n]) : NaN));
    const best = Math.max(...sk.filter(Number.isFinite));
    const ours = mean(r.mlloop);
    lines.push(
      `| ${r.name} | ${r.rows} | ${r.metric} | ${ours.toFixed(3)} | ${sk.map((v) => (Number.isFinite(v) ? v.toFixed(3) : '–')).join(' | ')} | ${best.toFixed(3)} | ${((ours - best) * 100).toFixed(1)} | ${[...new Set(r.chosen)].join('; ') || '–'} | ${mean(r.seconds).toFixed(1)} |`,
    );
  }
  console.log(`seeds: ${seeds.join(', ')} (mean over seeds)\n`);
  console.log(lines.join('\n'));
  if (!process.argv.includes('--keep')) fs.rmSync(root, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});

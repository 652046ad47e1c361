#!/usr/bin/env node
// `npm run demo [-- EXAMPLE]`: the main job, headless, on an example project —
// import its data, train, evaluate on the held-out test split, predict three rows.
// Works on a copy in the temp folder so the repository stays clean.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const name = process.argv[2] ?? 'iris';
const source = path.join(repo, 'examples', name);
if (!fs.existsSync(path.join(source, 'mlloop.yaml'))) {
  const known = fs.readdirSync(path.join(repo, 'examples')).filter((d) => fs.existsSync(path.join(repo, 'examples', d, 'mlloop.yaml')));
  console.error(`No example '${name}'. Examples: ${known.join(', ')}`);
  process.exit(2);
}
const cli = path.join(repo, 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  console.error('dist/cli.js is missing: run `npm run build` first.');
  process.exit(2);
}
const work = path.join(os.tmpdir(), `mlloop-demo-${name}`);
fs.rmSync(work, { recursive: true, force: true });
fs.cpSync(source, work, { recursive: true, filter: (src) => !src.includes(`${path.sep}.mlloop`) });

function mlloop(...args) {
  console.log(`\n$ mlloop ${args.join(' ')}`);
  execFileSync(process.execPath, [cli, ...args, '--project', work], { stdio: 'inherit' });
}

console.log(`ML Loop demo on examples/${name} (working copy: ${work})`);
mlloop('import');
mlloop('train');
mlloop('evaluate');
mlloop('runs');
// Predict the first three rows of the first data file, as an app would send them.
const yaml = fs.readFileSync(path.join(work, 'mlloop.yaml'), 'utf8');
const firstSource = yaml.match(/-\s*path:\s*["']?([^"'\n]+)/)?.[1]?.trim();
if (firstSource) {
  console.log(`\n$ mlloop predict --data ${firstSource} --json   (first 3 of the predictions)`);
  const out = execFileSync(process.execPath, [cli, 'predict', '--data', path.join(work, firstSource), '--json', '--project', work], { encoding: 'utf8' });
  const { model, predictions } = JSON.parse(out);
  console.log(JSON.stringify({ model, predictions: predictions.slice(0, 3) }, null, 2));
}

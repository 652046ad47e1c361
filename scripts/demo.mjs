#!/usr/bin/env node
// `npm run demo`: the loop in a screenful, headless, through the real CLI on generated data —
// a first champion, an app that logs its predictions and its users' corrections to the inbox
// after the world changed, the monitor finding the drift and the fall in live accuracy, a
// retrain whose challenger the quality gate promotes, and a worse one it rejects.
// `npm run demo -- EXAMPLE` runs the older one-model tour (import, train, evaluate, predict)
// on examples/EXAMPLE instead.
// Everything happens in a copy in the temp folder; the repository stays clean.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repo, 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  console.error('dist/cli.js is missing: run `npm run build` first.');
  process.exit(2);
}

/** Runs mlloop with --json and returns the parsed result (exit code 0 or 2 both give JSON). */
function json(work, ...args) {
  const r = spawnSync(process.execPath, [cli, ...args, '--json', '--quiet', '--project', work], { encoding: 'utf8' });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`mlloop ${args.join(' ')} printed no JSON (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}

const pct = (x) => (x === null || x === undefined ? 'n/a' : x.toFixed(3));

if (process.argv[2]) exampleTour(process.argv[2]);
else loopDemo();

function loopDemo() {
  const work = path.join(os.tmpdir(), 'mlloop-demo-loop');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(path.join(work, '.mlloop', 'inbox'), { recursive: true });
  const DAY = 86_400_000;
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed / 2147483648);
  const now = Date.now();
  // Support tickets: is it urgent? At first urgency follows the customer's plan (x1); then the
  // product changes and it follows how many users are affected (x2). `noise` never matters.
  const row = (concept, daysAgo) => {
    const x1 = +(rnd() * 2 - 1).toFixed(4);
    // After the change the app also sees more tickets that affect many users (x2 shifts up):
    // input drift the monitor should find, beside the concept change the gate handles.
    const x2 = +(concept === 'old' ? rnd() * 2 - 1 : rnd() * 1.6 - 0.4).toFixed(4);
    const noise = +rnd().toFixed(4);
    const urgent = (concept === 'old' ? x1 : x2) > 0 ? 'yes' : 'no';
    return { ts: new Date(now - daysAgo * DAY).toISOString(), x1, x2, noise, urgent };
  };
  const seedRows = Array.from({ length: 700 }, () => row('old', 50 + rnd() * 30));
  fs.writeFileSync(path.join(work, 'tickets.csv'), ['ts,x1,x2,noise,urgent', ...seedRows.map((r) => `${r.ts},${r.x1},${r.x2},${r.noise},${r.urgent}`)].join('\n') + '\n');
  const yaml = (features, window = '45d') =>
    [
      'version: 1',
      'name: tickets',
      'task: binary',
      'label: urgent',
      'time: ts',
      'features:',
      ...features.map((f) => `  - {name: ${f}, type: numeric}`),
      'model: {type: logistic}',
      'training: {epochs: 60, learningRate: 0.05, earlyStopping: {patience: 8}}',
      'evaluation: {bootstrap: 200, importanceRepeats: 0}',
      `schedule: {window: ${window}, minExamples: 100}`,
      '',
    ].join('\n');
  // The first model learns from the seed tickets (50–80 days old): a 90-day window.
  fs.writeFileSync(path.join(work, 'mlloop.yaml'), yaml(['x1', 'x2', 'noise'], '90d'));

  console.log(`ML Loop demo: a model that keeps learning from its users (working copy ${work})\n`);
  const imported = json(work, 'import', path.join(work, 'tickets.csv'));
  console.log(`1. import: ${imported.imported} labelled tickets from 50–80 days ago (urgency follows the plan, x1)`);

  const first = json(work, 'retrain');
  console.log(`2. retrain: first champion ${first.champion}, ${first.decision} — accuracy ${pct(first.gate.challenger.accuracy)} on ${first.gate.n} held-out rows, floors met`);

  // The app: predicts with the champion (the runtime), logs every prediction, and its users
  // correct the ones that are wrong — after a product change, urgency follows x2.
  // Logged over the last day: the monitor's window (monitoring.window, 24h by default).
  const fresh = Array.from({ length: 500 }, () => row('new', rnd()));
  const predicted = json(work, 'predict', '--data', writeJsonl(work, 'batch.jsonl', fresh.map(({ x1, x2, noise }) => ({ x1, x2, noise }))));
  const lines = [];
  fresh.forEach((r, i) => {
    const p = predicted.predictions[i];
    const id = `p${i}`;
    lines.push({ kind: 'prediction', id, model: predicted.model, time: r.ts, input: { x1: r.x1, x2: r.x2, noise: r.noise }, output: { label: p.label, confidence: p.confidence } });
    lines.push(p.label === r.urgent ? { kind: 'feedback', prediction: id, time: r.ts, accepted: true, by: 'agent' } : { kind: 'feedback', prediction: id, time: r.ts, label: r.urgent, by: 'agent' });
  });
  fs.writeFileSync(path.join(work, '.mlloop', 'inbox', 'app.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const wrong = fresh.filter((r, i) => predicted.predictions[i].label !== r.urgent).length;
  const ingested = json(work, 'ingest');
  const g = ingested.ingested ?? {};
  console.log(`3. the app logged ${fresh.length} predictions to the inbox; its users corrected ${wrong} (the world changed: urgency now follows x2)`);
  console.log(`   ingest: ${g.predictions ?? 0} predictions, ${g.feedback ?? 0} feedback, ${g.examples ?? 0} new training examples`);
  monitorStep(work, 4);

  // From now on a 45-day window: the old concept's tickets fall outside it.
  fs.writeFileSync(path.join(work, 'mlloop.yaml'), yaml(['x1', 'x2', 'noise']));
  const second = json(work, 'retrain');
  const sg = second.gate;
  console.log(
    `5. retrain: challenger ${second.challenger} vs champion ${first.champion} on ${sg.n} rows neither trained on: accuracy ${pct(sg.champion?.accuracy)} → ${pct(sg.challenger.accuracy)}` +
      `${sg.relative !== null ? ` (${(sg.relative * 100).toFixed(0)}%)` : ''}, ${sg.test.name === 'mcnemar' ? "McNemar's" : 'paired'} p = ${sg.test.pValue !== null ? sg.test.pValue.toExponential(1) : 'n/a'} → ${second.decision.toUpperCase()}`,
  );

  fs.writeFileSync(path.join(work, 'mlloop.yaml'), yaml(['x1', 'noise']));
  const third = json(work, 'retrain', '--force');
  console.log(`6. retrain with x2 dropped from the features: ${third.challenger} ${third.decision.toUpperCase()}: ${third.reasons[0] ?? ''}`);
  fs.writeFileSync(path.join(work, 'mlloop.yaml'), yaml(['x1', 'x2', 'noise']));

  const models = json(work, 'models');
  console.log(`\nChampion ${models.champion}. History: ${models.history.map((e) => `${e.version} ${e.action}`).join(' → ')}`);
  console.log(`Deployment report of cycle ${second.cycle}: ${second.report}`);
}

function monitorStep(work, step) {
  const monitor = spawnSync(process.execPath, [cli, 'monitor', '--json', '--quiet', '--project', work], { encoding: 'utf8' });
  if (monitor.status === 0 || monitor.status === 2) {
    try {
      const m = JSON.parse(monitor.stdout.trim().split('\n').pop());
      if (m.error) throw new Error(m.error.message);
      const drifting = (m.features ?? []).filter((f) => f.drift === 'warning' || f.drift === 'critical').map((f) => `${f.feature} ${f.drift} (${f.test} p = ${f.p_value?.toExponential?.(1) ?? f.p_value})`);
      const acc = m.performance?.metrics?.accuracy;
      console.log(`${step}. monitor: ${m.current?.n ?? 0} logged predictions against the champion's ${m.reference?.n ?? 0} training rows: ${drifting.length ? drifting.join(', ') : 'no feature drifts'}; dataset drift ${m.dataset?.drift ?? 'n/a'}` +
        `${acc?.value !== undefined && acc?.value !== null ? `; live accuracy of the logged predictions ${pct(acc.value)} (${acc.status})` : ''}`);
      const alerts = m.alerts ?? [];
      if (alerts.length) console.log(`   alerts: ${alerts.filter((a) => a.severity === 'critical').map((a) => a.title).join('; ')}${alerts.some((a) => a.severity !== 'critical') ? ` (+ ${alerts.filter((a) => a.severity !== 'critical').length} warnings)` : ''}`);
    } catch (e) {
      console.log(`${step}. monitor: no result (${e.message})`);
    }
  }

}

function writeJsonl(work, name, records) {
  const file = path.join(work, name);
  fs.writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

function exampleTour(name) {
  const source = path.join(repo, 'examples', name);
  if (!fs.existsSync(path.join(source, 'mlloop.yaml'))) {
    const known = fs.readdirSync(path.join(repo, 'examples')).filter((d) => fs.existsSync(path.join(repo, 'examples', d, 'mlloop.yaml')));
    console.error(`No example '${name}'. Examples: ${known.join(', ')}`);
    process.exit(2);
  }
  const work = path.join(os.tmpdir(), `mlloop-demo-${name}`);
  fs.rmSync(work, { recursive: true, force: true });
  fs.cpSync(source, work, { recursive: true, filter: (src) => !src.includes(`${path.sep}.mlloop`) });
  const run = (...args) => {
    console.log(`\n$ mlloop ${args.join(' ')}`);
    execFileSync(process.execPath, [cli, ...args, '--project', work], { stdio: 'inherit' });
  };
  console.log(`ML Loop tour of examples/${name} (working copy: ${work})`);
  run('import');
  run('train');
  run('evaluate');
  run('runs');
  const yaml = fs.readFileSync(path.join(work, 'mlloop.yaml'), 'utf8');
  const firstSource = yaml.match(/-\s*path:\s*["']?([^"'\n]+)/)?.[1]?.trim();
  if (firstSource) {
    console.log(`\n$ mlloop predict --data ${firstSource} --json   (first 3 of the predictions)`);
    const out = execFileSync(process.execPath, [cli, 'predict', '--data', path.join(work, firstSource), '--json', '--project', work], { encoding: 'utf8' });
    const { model, predictions } = JSON.parse(out);
    console.log(JSON.stringify({ model, predictions: predictions.slice(0, 3) }, null, 2));
  }
}

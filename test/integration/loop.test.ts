/**
 * The loop end to end through the built CLI, on real training: the first champion, a concept
 * change the challenger learns and the gate promotes, a clearly worse challenger rejected,
 * rollback, one cycle at a time, a failed training that leaves the champion serving, an
 * incremental fine-tune, and the runtime on an exported bundle.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openSqliteStore } from '../../src/core/store/sqlite';
import { createRng } from '../../src/core/util/random';
import { loadBundle, predictRecords } from '../../src/runtime';
import { spawn } from 'node:child_process';
import { CLI, mlloop, requireBuild, tempDir } from './helpers';

const DAY = 86_400_000;

/**
 * Rows of a binary task whose concept is 'a' (y = x1 > 0) or 'b' (y = x2 > 0), with event times
 * spread over [fromDays, toDays] days ago.
 */
function rows(n: number, concept: 'a' | 'b', fromDays: number, toDays: number, seed: number): string[] {
  const rng = createRng(seed);
  const now = Date.now();
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const x1 = rng() * 2 - 1;
    const x2 = rng() * 2 - 1;
    const noise = rng();
    const y = (concept === 'a' ? x1 : x2) > 0 ? 'yes' : 'no';
    const t = new Date(now - (fromDays + (toDays - fromDays) * rng()) * DAY).toISOString();
    out.push(`${t},${x1.toFixed(4)},${x2.toFixed(4)},${noise.toFixed(4)},${y}`);
  }
  return out;
}

const HEADER = 'ts,x1,x2,noise,y';

function yaml(opts: { features?: string[]; window?: string; learningRate?: number; model?: string } = {}): string {
  const features = opts.features ?? ['x1', 'x2', 'noise'];
  return [
    'version: 1',
    'task: binary',
    'label: y',
    'time: ts',
    'features:',
    ...features.map((f) => `  - {name: ${f}, type: numeric}`),
    `model: ${opts.model ?? '{type: logistic}'}`,
    `training: {epochs: 60, batchSize: 32, learningRate: ${opts.learningRate ?? 0.05}, earlyStopping: {patience: 8}}`,
    'evaluation: {bootstrap: 100, importanceRepeats: 0}',
    `schedule: {window: ${opts.window ?? '90d'}, minExamples: 100}`,
    '',
  ].join('\n');
}

describe('the loop through the CLI: champion, gate, rollback, one cycle at a time', function () {
  this.timeout(600000);
  let dir: string;
  before(() => {
    requireBuild();
    dir = tempDir('mlloop-loop-');
    fs.writeFileSync(path.join(dir, 'seed.csv'), [HEADER, ...rows(700, 'a', 50, 80, 1)].join('\n') + '\n');
    fs.writeFileSync(path.join(dir, 'mlloop.yaml'), yaml());
    assert.equal(mlloop(dir, ['import', 'seed.csv']).code, 0);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  let first: string;
  let second: string;

  it('with no champion, retrain trains the first model and promotes it on the floors', () => {
    const r = mlloop(dir, ['retrain', '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.json.decision, 'promoted');
    assert.equal(r.json.trigger, 'command');
    first = r.json.challenger;
    assert.equal(r.json.champion, first);
    assert.equal(r.json.gate.first, true);
    assert.ok(r.json.gate.challenger.accuracy > 0.9, `accuracy ${r.json.gate.challenger.accuracy}`);
    assert.ok(fs.existsSync(r.json.report), 'the deployment report is written');
    assert.match(fs.readFileSync(r.json.report, 'utf8'), /Promoted/);
    const again = mlloop(dir, ['retrain', '--json']);
    assert.equal(again.json.decision, 'skipped');
    assert.match(again.json.reasons[0], /^0 new labels since cycle 1 .*a cycle needs 1/);
  });

  it('after the concept changes (old data outside the window, new inside), the challenger is promoted with its numbers', () => {
    fs.writeFileSync(path.join(dir, 'new.csv'), [HEADER, ...rows(700, 'b', 1, 30, 2)].join('\n') + '\n');
    assert.equal(mlloop(dir, ['import', 'new.csv']).code, 0);
    fs.writeFileSync(path.join(dir, 'mlloop.yaml'), yaml({ window: '45d' }));
    const r = mlloop(dir, ['retrain', '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.json.decision, 'promoted', r.json.reasons.join(' | '));
    second = r.json.challenger;
    assert.notEqual(second, first);
    const g = r.json.gate;
    assert.equal(g.metric, 'accuracy');
    assert.ok(g.challenger.accuracy > 0.9 && g.champion.accuracy < 0.7, `challenger ${g.challenger.accuracy}, champion ${g.champion.accuracy}`);
    assert.equal(g.test.name, 'mcnemar');
    assert.ok(g.test.pValue < 0.001);
    assert.ok(g.checks.some((c: { name: string; passed: boolean }) => c.name === 'improvement' && c.passed));
    // The held-out rows are new ones only: the first champion never saw them.
    const card = JSON.parse(fs.readFileSync(path.join(dir, '.mlloop', 'models', second, 'card.json'), 'utf8'));
    assert.ok(card.data.selection.from, 'the challenger trained on a window');
    assert.ok(Date.parse(card.data.firstEventTime) > Date.now() - 46 * DAY, 'no example older than the window');
  });

  it('a clearly worse challenger (it lost its informative feature) is rejected with the metric named; the champion is unchanged', () => {
    fs.writeFileSync(path.join(dir, 'mlloop.yaml'), yaml({ window: '45d', features: ['x1', 'noise'] }));
    const r = mlloop(dir, ['retrain', '--json', '--force']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.json.decision, 'rejected');
    assert.equal(r.json.champion, second);
    assert.match(r.json.reasons.join(' '), /Accuracy/);
    const models = mlloop(dir, ['models', '--json']).json;
    assert.equal(models.champion, second);
    assert.equal(models.history[models.history.length - 1].action, 'rejected');
    assert.equal(models.history[models.history.length - 1].version, r.json.challenger);
    const p = mlloop(dir, ['predict', '--json'], JSON.stringify({ x1: 0.5, x2: -0.5, noise: 0.1 }));
    assert.equal(p.json.model, second, 'predict uses the champion, not the newest model');
  });

  it('a failed training (a network too large for memory, refused once the data is known) is recorded and leaves the champion serving', async () => {
    // Not a diverging learning rate: logistic models train with L-BFGS and Adam normalises its
    // steps, so no rate the schema allows diverges reliably. The memory check runs inside the
    // training job, after the cycle started, as a divergence would.
    const huge = `{type: mlp, hidden: [${Array(8).fill(4096).join(', ')}]}`;
    fs.writeFileSync(path.join(dir, 'mlloop.yaml'), yaml({ window: '45d', model: huge }));
    const r = mlloop(dir, ['retrain', '--json', '--force']);
    assert.notEqual(r.code, 0);
    assert.ok(r.json.error.message, 'a message, not a stack');
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.match(r.json.error.message, /too large to train/);
    fs.writeFileSync(path.join(dir, 'mlloop.yaml'), yaml({ window: '45d' }));
    const models = mlloop(dir, ['models', '--json']).json;
    assert.equal(models.champion, second);
    const store = await openSqliteStore(path.join(dir, '.mlloop', 'store.sqlite'));
    const [cycle] = await store.listCycles({ limit: 1 });
    await store.close();
    assert.equal(cycle.status, 'failed');
    assert.match(cycle.reasons[0], /The cycle failed; the champion is unchanged/);
    assert.equal(cycle.error, r.json.error.message);
  });

  it('one cycle at a time: a second is refused, naming the one that runs', async () => {
    const store = await openSqliteStore(path.join(dir, '.mlloop', 'store.sqlite'));
    const running = await store.startCycle('test');
    try {
      const r = mlloop(dir, ['retrain', '--json', '--force']);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.json.error.message, new RegExp(`already running: cycle ${running} \\(test\\).*process ${process.pid}`));
    } finally {
      await store.updateCycle(running, { status: 'completed', decision: 'skipped', finishedAt: new Date().toISOString() });
      await store.close();
    }
  });

  it('mlloop watch takes in inbox lines as they arrive and stops on SIGTERM (a pod ending) with exit 0, the store closed', async () => {
    const child = spawn(process.execPath, [CLI, 'watch', '--poll', '0.2'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const until = async (re: RegExp, what: string) => {
      const deadline = Date.now() + 60_000;
      while (!re.test(out)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; watch printed:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await until(/Watching /, 'watch to start');
      const inbox = path.join(dir, '.mlloop', 'inbox');
      fs.mkdirSync(inbox, { recursive: true });
      const [t, x1, x2, noise, y] = rows(1, 'a', 0, 1, 99)[0].split(',');
      fs.appendFileSync(path.join(inbox, 'app.jsonl'), JSON.stringify({ kind: 'example', time: t, record: { ts: t, x1: +x1, x2: +x2, noise: +noise, y } }) + '\n');
      await until(/ingested .*\b1 examples?\b/, 'the inbox line to be taken in');
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), 30_000))]);
      assert.equal(code, 0, `watch after SIGTERM: ${code}\n${out}`);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    assert.ok(!fs.existsSync(path.join(dir, '.mlloop', 'store.sqlite.mlloop-lock')), 'no ML Loop lock left behind');
    assert.equal(mlloop(dir, ['runs', '--json']).code, 0, 'the next command opens the store at once');
  });

  it('an incremental cycle fine-tunes the champion: its pipeline and weights, recorded in the card', () => {
    fs.appendFileSync(path.join(dir, 'new.csv'), rows(200, 'b', 0, 2, 3).join('\n') + '\n');
    assert.equal(mlloop(dir, ['import', 'new.csv']).code, 0);
    const r = mlloop(dir, ['retrain', '--json', '--incremental']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(['promoted', 'rejected'].includes(r.json.decision));
    const card = JSON.parse(fs.readFileSync(path.join(dir, '.mlloop', 'models', r.json.challenger, 'card.json'), 'utf8'));
    assert.equal(card.training.fineTunedFrom, second);
    assert.equal(card.parentVersion, second);
    const tuned = JSON.parse(fs.readFileSync(path.join(dir, '.mlloop', 'models', r.json.challenger, 'pipeline.json'), 'utf8'));
    const base = JSON.parse(fs.readFileSync(path.join(dir, '.mlloop', 'models', second, 'pipeline.json'), 'utf8'));
    assert.deepEqual(tuned, base, 'a fine-tune keeps the champion pipeline');
  });

  it('rollback puts the previous champion back, and the history shows it all', () => {
    const champion = mlloop(dir, ['models', '--json']).json.champion;
    const r = mlloop(dir, ['rollback', '--json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.json.previous, champion);
    const models = mlloop(dir, ['models', '--json']).json;
    assert.equal(models.champion, r.json.champion);
    const actions = models.history.map((e: { version: string; action: string }) => `${e.action} ${e.version}`);
    assert.equal(actions[0], `promoted ${first}`);
    assert.ok(actions.includes(`promoted ${second}`));
    assert.ok(actions.some((a: string) => a.startsWith('rejected ')));
    assert.equal(actions[actions.length - 1], `rolled_back ${r.json.champion}`);
    for (const e of models.history) assert.ok(e.at && e.by && Array.isArray(e.reasons) && e.reasons.length > 0, JSON.stringify(e));
  });

  it('the runtime on an exported champion gives exactly what `mlloop predict` gives', async () => {
    const out = path.join(dir, 'exported');
    const e = mlloop(dir, ['export', '--out', out, '--json']);
    assert.equal(e.code, 0, e.stdout + e.stderr);
    const records = Array.from({ length: 20 }, (_, i) => ({ x1: Math.sin(i), x2: Math.cos(i * 1.7), noise: (i % 7) / 7 }));
    const p = mlloop(dir, ['predict', '--json'], records.map((r) => JSON.stringify(r)).join('\n'));
    assert.equal(p.code, 0, p.stderr);
    assert.equal(p.json.model, e.json.model);
    const bundle = await loadBundle(out);
    assert.deepEqual(predictRecords(bundle, records), p.json.predictions);
    // import-model takes it back as a new version, not the champion.
    const i = mlloop(dir, ['import-model', out, '--json']);
    assert.equal(i.code, 0, i.stdout + i.stderr);
    const models = mlloop(dir, ['models', '--json']).json;
    assert.notEqual(models.champion, i.json.model);
    assert.equal(models.history[models.history.length - 1].action, 'imported');
    const bad = mlloop(dir, ['import-model', path.join(dir, 'seed.csv'), '--json']);
    assert.equal(bad.code, 2);
    assert.match(bad.json.error.message, /is not a folder/);
  });
});

/**
 * Issue 12 as a user sees it: the CLI (the built bundle) and the job worker given hostile
 * data, project files and file-system states. Each case names the item it covers; every one
 * failed before its fix (an internal error, a silent change, a misleading line).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { COMMANDS, type CommandContext } from '../../src/cli/commands';
import type { Output } from '../../src/cli/output';
import { projectPaths } from '../../src/core/project/workspace';
import { openSqliteStore } from '../../src/core/store/sqlite';
import { bundleDigest } from '../../src/core/registry/versions';
import { openProjectContext, type ProjectContext } from '../../src/core/context/projectContext';
import { isUserError } from '../../src/core/util/errors';
import { runJobInWorker } from '../../src/worker/client';
import { StoreClient } from '../../src/worker/storeClient';
import { copyExample, fillDisk, mlloop, mountTmpfs, REPO, remountReadOnly, requireBuild, tempDir, unmount, WORKER } from './helpers';

const IRIS_HEADER = 'sepal_length,sepal_width,petal_length,petal_width,species';
const FLOWER = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };

/** A folder with this mlloop.yaml and data files. */
function project(yaml: string, files: Record<string, string | Buffer> = {}): string {
  const dir = tempDir('mlloop-defects-');
  fs.writeFileSync(path.join(dir, 'mlloop.yaml'), yaml);
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}

const NUMERIC_YAML = 'version: 1\ntask: binary\nlabel: y\nfeatures:\n  - {name: a, type: numeric}\n  - {name: b, type: numeric}\n';

/** Runs a CLI command in this process, with stdin and a terminal faked. */
async function runInProcess(
  command: string,
  dir: string,
  values: Record<string, unknown>,
  stdin: { isTTY: boolean; read: () => Buffer },
): Promise<{ code: number; logs: string[]; results: unknown[]; stdinRead: boolean }> {
  const logs: string[] = [];
  const results: unknown[] = [];
  let stdinRead = false;
  let opened: Promise<ProjectContext & { close(): Promise<void> }> | undefined;
  const out: Output = {
    json: true,
    text: () => undefined,
    log: (line) => logs.push(line),
    result: (obj) => results.push(obj),
    progress: () => undefined,
    endProgress: () => undefined,
  };
  const ctx: CommandContext = {
    out,
    values,
    positionals: [],
    cwd: dir,
    projectDir: dir,
    backend: 'auto',
    signal: new AbortController().signal,
    readStdin: () => {
      stdinRead = true;
      return stdin.read();
    },
    stdinIsTTY: stdin.isTTY,
    project: () => (opened ??= openProjectContext(dir, { purpose: 'defects test' })),
  };
  try {
    const code = await COMMANDS[command].run(ctx);
    return { code, logs, results, stdinRead };
  } finally {
    if (opened) await (await opened).close();
  }
}

describe('issue 12: hostile input and misleading messages, through the CLI', function () {
  this.timeout(300000);
  before(() => requireBuild());

  describe('a trained iris model whose classes are named __proto__, constructor and virginica', () => {
    let dir: string;
    before(() => {
      dir = copyExample('iris');
      const csv = path.join(dir, 'data', 'iris.csv');
      fs.writeFileSync(csv, fs.readFileSync(csv, 'utf8').replace(/,setosa(\r?)$/gm, ',__proto__$1').replace(/,versicolor(\r?)$/gm, ',constructor$1'));
      assert.equal(mlloop(dir, ['import', '--json']).code, 0);
      const trained = mlloop(dir, ['train', '--json']);
      assert.equal(trained.code, 0, trained.stderr);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("item 4: predict's probabilities keep a class named '__proto__' (it used to vanish)", () => {
      const r = mlloop(dir, ['predict', '--json'], JSON.stringify(FLOWER));
      assert.equal(r.code, 0, r.stderr);
      const [p] = r.json.predictions;
      assert.equal(p.label, '__proto__');
      assert.deepEqual(Object.keys(p.probabilities), ['__proto__', 'constructor', 'virginica']);
      assert.equal(p.probabilities.__proto__, p.confidence);
    });

    it('item 14: predict refuses {} and misspelled keys instead of answering from imputed values (exit 2)', () => {
      const r = mlloop(dir, ['predict', '--json'], '{}\n{"sepal_lenght": 5.1}\n' + JSON.stringify(FLOWER) + '\n');
      assert.equal(r.code, 2);
      assert.equal(r.json.rejected, 2);
      assert.equal(r.json.predictions[0].error, "stdin:1: none of the model's features (sepal_length, sepal_width, petal_length, petal_width) has a value in this record (it is empty); nothing to predict from.");
      assert.match(r.json.predictions[1].error, /^stdin:2: none of the model's features .* Did you mean 'sepal_length' for 'sepal_lenght'\?$/);
      assert.equal(r.json.predictions[2].label, '__proto__');
    });

    it('item 5: predict answers a record the model cannot compute with an error, never NaN%', async () => {
      // A pipeline that scales every input beyond the 32-bit float range: the network sees
      // ±Infinity. The bundle lives in the store (its folder is a checked copy), so the model
      // is changed there, as a damaged or hand-made bundle would be, and the folder rewritten.
      const copy = tempDir('mlloop-defects-nan-');
      fs.cpSync(dir, copy, { recursive: true });
      const store = await openSqliteStore(projectPaths(copy).storeFile);
      const files = (await store.getModelFiles('v1')).map((f) => {
        if (f.name !== 'pipeline.json') return f;
        const pipeline = JSON.parse(Buffer.from(f.bytes).toString('utf8'));
        for (const feature of pipeline.features) Object.assign(feature, { center: 0, scale: 1e-38 });
        return { name: f.name, bytes: new Uint8Array(Buffer.from(JSON.stringify(pipeline))) };
      });
      await store.updateModel('v1', { files, digest: bundleDigest(files) });
      await store.close();
      fs.rmSync(path.join(copy, '.mlloop', 'models', 'v1'), { recursive: true });
      const text = mlloop(copy, ['predict'], JSON.stringify(FLOWER));
      assert.equal(text.code, 2);
      assert.doesNotMatch(text.stdout, /NaN/);
      assert.match(text.stdout, /1: not predicted: stdin:1: the model's output for this record is not a number/);
      fs.rmSync(copy, { recursive: true, force: true });
    });

    it('item 5: predict refuses a value beyond the 32-bit float range with its feature', () => {
      const r = mlloop(dir, ['predict', '--json'], JSON.stringify({ ...FLOWER, sepal_length: 1e308 }));
      assert.equal(r.code, 2);
      assert.match(r.json.predictions[0].error, /^stdin:1: feature 'sepal_length': 1e\+308 is too large: models compute in 32-bit floats/);
    });

    it('items 6 and 16: predict reports the real line of an error in pretty-printed JSON, and refuses a record nested 100,000 levels', () => {
      const pretty = mlloop(dir, ['predict', '--json'], '{\n  "sepal_length": 5.1,\n  "petal_width": x\n}\n');
      assert.equal(pretty.code, 2);
      assert.deepEqual(pretty.json.error, { message: "stdin:3:18: invalid JSON: unexpected 'x'.", file: 'stdin', line: 3, column: 18 });
      const deep = `{"sepal_length": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
      const r = mlloop(dir, ['predict', '--json'], `${JSON.stringify(FLOWER)}\n${deep}\n`);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.json.predictions[0].label, '__proto__');
      assert.match(r.json.predictions[1].error, /^stdin:2: nested more than 64 levels deep/);
      assert.doesNotMatch(r.stderr, /Maximum call stack|internal error/);
    });

    it('item 13: predict with a terminal as stdin says what it expects before waiting for it', async () => {
      const r = await runInProcess('predict', dir, {}, { isTTY: true, read: () => Buffer.from(JSON.stringify(FLOWER)) });
      assert.equal(r.code, 0);
      assert.deepEqual(r.logs, ['Reading records from stdin: type or paste a JSON object, an array of objects, or JSON lines, then press Ctrl-D (or use --data FILE).']);
      const piped = await runInProcess('predict', dir, {}, { isTTY: false, read: () => Buffer.from(JSON.stringify(FLOWER)) });
      assert.deepEqual(piped.logs, []);
    });

    it('item 19: predict --model v999 fails before reading stdin', async () => {
      let failure: unknown;
      const r = await runInProcess('predict', dir, { model: 'v999' }, { isTTY: true, read: () => Buffer.from('{}') }).catch((e: unknown) => {
        failure = e;
        return undefined;
      });
      assert.equal(r, undefined);
      assert.ok(isUserError(failure) && /There is no model v999\. Known models: v1\./.test(failure.message));
      // stdin would have been read (and a terminal prompted) before the model was looked up.
      const again = await runInProcess('predict', dir, { model: 'v1' }, { isTTY: false, read: () => Buffer.from('{}') });
      assert.equal(again.stdinRead, true);
    });

    it('predict reads a large input piped on stdin whole (a non-blocking stdin used to fail with EAGAIN; found by the fuzz harness)', () => {
      const big = JSON.stringify({ ...FLOWER, note: 'x'.repeat(3_000_000) });
      for (let i = 0; i < 3; i++) {
        const r = mlloop(dir, ['predict', '--json'], big);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.json.predictions[0].label, '__proto__');
      }
    });

    it('item 19: evaluate --data exits 2 when it skipped rows, like import, and names them', () => {
      fs.writeFileSync(path.join(dir, 'holdout.csv'), `${IRIS_HEADER}\n5.1,3.5,1.4,0.2,__proto__\n6.7,3.0,5.2,2.3,virginica\n5.0,3.0,1.6,0.2,tulip\n`);
      const r = mlloop(dir, ['evaluate', '--data', 'holdout.csv', '--json']);
      assert.equal(r.code, 2);
      assert.equal(r.json.n, 2);
      assert.equal(r.json.rejected[0].line, 4);
    });
  });

  describe('import', () => {
    it('item 3: a Latin-1 row is rejected at its line with the byte, never stored as U+FFFD; NUL bytes likewise (exit 2)', () => {
      const latin1 = Buffer.concat([Buffer.from('a,b,y\n1,2,yes\n3,4,caf'), Buffer.from([0xe9]), Buffer.from('\n5,6,n\u0000o\n7,8,no\n')]);
      const dir = project(NUMERIC_YAML, { 'rows.csv': latin1 });
      const r = mlloop(dir, ['import', 'rows.csv', '--json']);
      assert.equal(r.code, 2);
      assert.equal(r.json.imported, 2);
      assert.deepEqual(r.json.rejected.map((x: { line: number }) => x.line), [3, 4]);
      assert.match(r.json.rejected[0].reason, /^byte 0xE9 at byte 8 of the line is not UTF-8 text/);
      assert.match(r.json.rejected[1].reason, /^a NUL byte \(0x00\)/);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('item 5: a value of 1e308 is refused at import with its line', () => {
      const dir = project(NUMERIC_YAML, { 'rows.csv': 'a,b,y\n1,2,yes\n1e308,4,no\n' });
      const r = mlloop(dir, ['import', 'rows.csv', '--json']);
      assert.equal(r.code, 2);
      assert.deepEqual(r.json.rejected, [{ file: 'rows.csv', line: 3, reason: "feature 'a': 1e+308 is too large: models compute in 32-bit floats, which end at ±3.4e38 (rescale the column, e.g. store it in larger units)" }]);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('item 6: a JSONL row and a JSON element nested 100,000 levels deep are rejected, the good rows imported', () => {
      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      const dir = project(NUMERIC_YAML, {
        'rows.jsonl': `{"a":1,"b":2,"y":"yes"}\n{"a":1,"b":2,"y":"no","x":${deep}}\n{"a":3,"b":4,"y":"no"}\n`,
        'rows.json': `[{"a":5,"b":6,"y":"yes"},\n{"a":1,"b":2,"y":"no","x":${deep}}]`,
      });
      const r = mlloop(dir, ['import', 'rows.jsonl', 'rows.json', '--json']);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.json.imported, 3);
      assert.deepEqual(r.json.rejected.map((x: { file: string; line: number }) => `${x.file}:${x.line}`), ['rows.jsonl:2', 'rows.json:2']);
      const init = mlloop(dir, ['init', '--data', 'rows.jsonl', '--label', 'y', '--force', '--json']);
      assert.equal(init.code, 0, init.stderr);
      assert.equal(init.json.rows_scanned, 2);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("item 15: a label column that is not in a ';'-separated header is said once, with the columns and the delimiter", () => {
      const dir = project(NUMERIC_YAML, { 'rows.csv': 'a;b;y\n1;2;yes\n3;4;no\n5;6;no\n' });
      const r = mlloop(dir, ['import', 'rows.csv']);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.equal(
        r.stderr,
        "mlloop: 'rows.csv' has no column 'y' (the label in mlloop.yaml); its columns are 'a;b;y'. The header looks separated by ';', not by commas: ML Loop reads comma-separated files, so save the file with commas as the separator.\n",
      );
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('items 14 and 19: a feature no row has, an empty file and a header-only file are warned about (exit 2); counts are in good English', () => {
      const dir = project(NUMERIC_YAML.replace('name: b,', 'name: bb,'), { 'rows.csv': 'a,b,y\n1,2,yes\n', 'empty.csv': '', 'header.csv': 'a,b,y\n' });
      const r = mlloop(dir, ['import', 'rows.csv', 'empty.csv', 'header.csv']);
      assert.equal(r.code, 2);
      assert.equal(
        r.stdout,
        [
          'Imported 1 example (0 already stored, 0 rejected) from 3 files.',
          "warning: 'empty.csv' is empty: nothing was imported from it.",
          "warning: 'header.csv' has no rows (only a header, or blank lines): nothing was imported from it.",
          "warning: No row imported from 'rows.csv', 'empty.csv', 'header.csv' has a value for feature 'bb': it would train as a constant. Did you mean 'b'? Fix the name in mlloop.yaml.",
          'The store now holds 1 example.',
          '',
        ].join('\n'),
      );
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('item 19: terminal escape sequences from data are printed escaped, not obeyed', () => {
      const dir = project(NUMERIC_YAML, { 'rows.csv': 'a,b,y\n\x1b[2J\x1b]0;pwned\x07,2,yes\n' });
      const r = mlloop(dir, ['import', 'rows.csv']);
      assert.equal(r.code, 2);
      assert.doesNotMatch(r.stdout, /\x1b|\x07/);
      assert.match(r.stdout, /rows\.csv:2: feature 'a': '\\u001b\[2J\\u001b\]0;pwned\\u0007' is not a number/);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('item 19: a symbolic-link loop is named as one, not as "No such file"', () => {
      const dir = project(NUMERIC_YAML);
      fs.symlinkSync(path.join(dir, 'l2.csv'), path.join(dir, 'l1.csv'));
      fs.symlinkSync(path.join(dir, 'l1.csv'), path.join(dir, 'l2.csv'));
      const r = mlloop(dir, ['import', 'l1.csv', '--json']);
      assert.equal(r.code, 2);
      assert.match(r.json.error.message, /l1\.csv is a loop of symbolic links \(a link that leads back to itself\): fix or remove the link\./);
      assert.equal(r.json.error.file, path.join(dir, 'l1.csv'));
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });

  describe('train', () => {
    it('item 5: a store holding a label of 1e308 from before the import check is refused at train with the value, and no model is saved', async () => {
      const dir = project('version: 1\ntask: regression\nlabel: y\nfeatures:\n  - {name: a, type: numeric}\n');
      fs.mkdirSync(path.join(dir, '.mlloop'));
      const store = await openSqliteStore(projectPaths(dir).storeFile);
      const rows = Array.from({ length: 30 }, (_, i) => ({ source: 'old.csv', sourceLine: i + 2, label: i === 0 ? 1e308 : i, record: { a: i, y: i === 0 ? 1e308 : i }, hash: `h${i}` }));
      await store.addExamples([rows]);
      await store.close();
      const r = mlloop(dir, ['train', '--json']);
      assert.equal(r.code, 2);
      assert.match(r.json.error.message, /^Label 1e\+308 is too large: models compute in 32-bit floats/);
      assert.deepEqual(mlloop(dir, ['models', '--json']).json.models, []);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('item 7: a model too large for the wasm heap is refused before training, with the estimate and the limit, and no run is left', () => {
      const rows = ['t,y', ...Array.from({ length: 40 }, (_, i) => `word${i} other${i % 3},${i % 2 ? 'yes' : 'no'}`)];
      const dir = project('version: 1\ntask: binary\nlabel: y\nfeatures:\n  - {name: t, type: text, dimensions: 262144}\nmodel: {type: mlp, hidden: [4096]}\n', { 'rows.csv': rows.join('\n') });
      assert.equal(mlloop(dir, ['import', 'rows.csv']).code, 0);
      const r = mlloop(dir, ['train', '--json', '--backend', 'wasm']);
      assert.equal(r.code, 2);
      assert.match(r.json.error.message, /^The model is too large to train on the wasm backend: 262,144 input columns from 1 feature \(widest: 't' 262,144 columns\) make 1,073,750,017 weights, which need about 160\.1 GB while training; the wasm backend can use at most 3\.0 GB\./);
      assert.doesNotMatch(r.stderr, /memory access out of bounds|internal error/);
      assert.deepEqual(mlloop(dir, ['runs', '--json']).json.runs, []);
      const cv = mlloop(dir, ['evaluate', '--cv', '2', '--json', '--backend', 'wasm']);
      assert.equal(cv.code, 2);
      assert.match(cv.json.error.message, /^The model is too large to train on the wasm backend/);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('item 7: the old maximum text dimensions (1,048,576, which cannot train) are refused where they are written', () => {
      const dir = project('version: 1\ntask: binary\nlabel: y\nfeatures:\n  - {name: t, type: text, dimensions: 1048576}\n');
      const r = mlloop(dir, ['train']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /mlloop\.yaml:5:\d+: error: 'features\.0\.dimensions' must be <= 262144\./);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('items 14 and 17: train warns about a feature no row has, and suggests regression for a continuous label', () => {
      const rows = ['a,b,y', ...Array.from({ length: 60 }, (_, i) => `${i},${i % 5},${(i * 0.37).toFixed(2)}`)];
      const dir = project('version: 1\ntask: multiclass\nlabel: y\nfeatures:\n  - {name: a, type: numeric}\n', { 'rows.csv': rows.join('\n') });
      assert.equal(mlloop(dir, ['import', 'rows.csv']).code, 0);
      const r = mlloop(dir, ['train', '--json']);
      assert.equal(r.code, 2);
      assert.match(r.json.error.message, /^task is 'multiclass' but the label looks like a continuous number: 60 distinct values \(such as 0\.00, 0\.37, 0\.74\), 60 of them seen only once; set task: regression in mlloop\.yaml/);
      fs.writeFileSync(path.join(dir, 'mlloop.yaml'), 'version: 1\ntask: regression\nlabel: y\nfeatures:\n  - {name: a, type: numeric}\n  - {name: c, type: numeric}\ntraining: {epochs: 3}\n');
      const trained = mlloop(dir, ['train']);
      assert.equal(trained.code, 0, trained.stderr);
      assert.match(trained.stderr, /warning: No row of the training set has a value for feature 'c': it would train as a constant\. Check its name in mlloop\.yaml \(the columns are 'a', 'b'\)\./);
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });

  describe('project file and file system', () => {
    it('item 11: a YAML alias bomb is a user error with the file and line (exit 2), not an internal error', () => {
      const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
      for (const [name, prev] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e'], ['g', 'f']]) lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
      const dir = project(`version: 1\ntask: binary\nlabel: y\n${lines.join('\n')}\nfeatures:\n  - {name: a, type: numeric}\n`);
      const r = mlloop(dir, ['train', '--json']);
      assert.equal(r.code, 2);
      assert.equal(r.json.error.file, path.join(dir, 'mlloop.yaml'));
      assert.equal(r.json.error.line, 5);
      assert.match(r.json.error.message, /mlloop\.yaml:5:8: error: YAML aliases expand into too much data here/);
      assert.doesNotMatch(r.stderr, /internal error/);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("item 19: an unknown key in mlloop.yaml and an unknown command get a did-you-mean", () => {
      const dir = project(`${NUMERIC_YAML}trainig: {epochs: 3}\n`);
      assert.match(mlloop(dir, ['train']).stderr, /Unknown key 'trainig' in the project file\. Did you mean 'training'\?/);
      assert.match(mlloop(dir, ['trian']).stderr, /Unknown command 'trian'\. Did you mean 'train'\?/);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('item 10: .mlloop being a file is a user error naming it and what to do, in the CLI and across the worker', async () => {
      const dir = project(NUMERIC_YAML, { 'rows.csv': 'a,b,y\n1,2,yes\n' });
      const blocker = path.join(dir, '.mlloop');
      fs.writeFileSync(blocker, '');
      const r = mlloop(dir, ['import', 'rows.csv', '--json']);
      assert.equal(r.code, 2);
      const message = `${blocker} is a file where ML Loop needs a folder (it keeps the store, models and reports in .mlloop/ beside mlloop.yaml): move or rename that file, then run the command again.`;
      assert.deepEqual(r.json.error, { message, file: blocker });
      assert.doesNotMatch(r.stderr, /internal error/);
      await assert.rejects(runJobInWorker({ kind: 'import', root: dir, files: [path.join(dir, 'rows.csv')] }, { workerScript: WORKER }), (e: unknown) => {
        assert.ok(isUserError(e), String(e));
        assert.equal(e.message, message);
        assert.deepEqual(e.location, { file: blocker });
        return true;
      });
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('item 10: a full disk while writing mlloop.yaml is a user error with the path (ENOSPC)', function () {
      if (!fs.existsSync('/dev/full')) this.skip();
      const dir = project('', { 'rows.csv': 'a,b,y\n1,2,yes\n3,4,no\n' });
      fs.rmSync(path.join(dir, 'mlloop.yaml'));
      fs.symlinkSync('/dev/full', path.join(dir, 'mlloop.yaml'));
      const r = mlloop(dir, ['init', '--data', 'rows.csv', '--label', 'y', '--force', '--json']);
      assert.equal(r.code, 2);
      assert.match(r.json.error.message, /^No space left on the disk: could not write .*mlloop\.yaml\. Free some space/);
      assert.doesNotMatch(r.stderr, /internal error/);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('item 10: .mlloop/store.sqlite being a folder is a user error naming it', () => {
      const dir = project(NUMERIC_YAML, { 'rows.csv': 'a,b,y\n1,2,yes\n' });
      const storeFile = projectPaths(dir).storeFile;
      fs.mkdirSync(storeFile, { recursive: true });
      const r = mlloop(dir, ['import', 'rows.csv', '--json']);
      assert.equal(r.code, 2);
      assert.deepEqual(r.json.error, { message: `The store ${storeFile} is a folder, not a file. Move it aside (or name a file); ML Loop creates a new store there.`, file: storeFile });
      fs.rmSync(dir, { recursive: true, force: true });
    });

    describe('on a small or read-only file system (tmpfs)', () => {
      const mounts: string[] = [];
      const dirs: string[] = [];
      after(() => {
        for (const m of mounts.reverse()) unmount(m);
        for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
      });
      /** A tmpfs of `size` on `dir`, unmounted after these tests; skips the test when none can be mounted. */
      function tmpfs(ctx: Mocha.Context, dir: string, size: string): void {
        if (!mountTmpfs(dir, size)) ctx.skip();
        mounts.push(dir);
      }

      it('item 10: a new project on a read-only file system is told so (not ".mlloop does not exist")', function () {
        const root = tempDir('mlloop-ro-');
        dirs.push(root);
        const dir = path.join(root, 'p');
        tmpfs(this, dir, '1m');
        fs.writeFileSync(path.join(dir, 'mlloop.yaml'), NUMERIC_YAML);
        fs.writeFileSync(path.join(dir, 'rows.csv'), 'a,b,y\n1,2,yes\n');
        if (!remountReadOnly(dir)) this.skip();
        const r = mlloop(dir, ['import', 'rows.csv', '--json']);
        assert.equal(r.code, 2);
        const mlloopDir = path.join(dir, '.mlloop');
        assert.deepEqual(r.json.error, {
          message: `${mlloopDir} is on a read-only file system. ML Loop writes its store, models and reports under .mlloop/ in the project folder: make it writable, or copy the project somewhere writable.`,
          file: mlloopDir,
        });
      });

      it('item 10 (init): a full disk while writing mlloop.yaml leaves no file (not an empty one), so init works once there is room', function () {
        const root = tempDir('mlloop-full-init-');
        dirs.push(root);
        const dir = path.join(root, 'p');
        tmpfs(this, dir, '1m');
        fs.writeFileSync(path.join(dir, 'rows.csv'), 'a,b,y\n1,2,yes\n3,4,no\n');
        const fill = fillDisk(dir);
        const r = mlloop(dir, ['init', '--data', 'rows.csv', '--label', 'y', '--json']);
        assert.equal(r.code, 2);
        assert.match(r.json.error.message, new RegExp(`^No space left on the disk: could not write ${path.join(dir, 'mlloop.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\. Free some space`));
        assert.deepEqual(fs.readdirSync(dir).sort(), ['fill', 'rows.csv'], 'a file was left behind');
        fs.rmSync(fill);
        const again = mlloop(dir, ['init', '--data', 'rows.csv', '--label', 'y']);
        assert.equal(again.code, 0, again.stderr);
        assert.match(fs.readFileSync(path.join(dir, 'mlloop.yaml'), 'utf8'), /label: y/);
      });

      it('item 9: a full disk while writing the bundle folder after training says so plainly: the model is safe in the store and its folder is written when next loaded', function () {
        this.timeout(120000);
        const dir = project(`${NUMERIC_YAML}model: {type: logistic}\ntraining: {epochs: 2}\n`, { 'rows.csv': ['a,b,y', ...Array.from({ length: 60 }, (_, i) => `${i},${i % 7},${i % 2 ? 'yes' : 'no'}`)].join('\n') });
        dirs.push(dir);
        const models = projectPaths(dir).modelsDir;
        tmpfs(this, models, '1m');
        assert.equal(mlloop(dir, ['import', 'rows.csv']).code, 0);
        const fill = fillDisk(models);
        const t = mlloop(dir, ['train', '--json']);
        assert.equal(t.code, 0, t.stderr);
        assert.equal(t.json.model, 'v1');
        const folder = path.join(models, 'v1');
        assert.ok(
          t.stderr.includes(
            `warning: the disk is full: model v1 is saved in the store, but its folder ${folder} could not be written (nothing half-written was left). ` +
              `Once that is fixed, the folder is written from the store the next time a command loads the model (e.g. mlloop predict --model v1).`,
          ),
          t.stderr,
        );
        assert.doesNotMatch(t.stderr, /ENOSPC|no space left on device/);
        assert.deepEqual(fs.readdirSync(models), ['fill']);
        fs.rmSync(fill);
        const p = mlloop(dir, ['predict', '--json'], '{"a": 3, "b": 1}');
        assert.equal(p.code, 0, p.stderr);
        assert.equal(p.json.model, 'v1');
        assert.ok(fs.existsSync(path.join(folder, 'card.json')), 'the folder was not written from the store');
      });
    });

    it('a UserError keeps its file across the store worker (STYLE: carry the location across)', async () => {
      const dir = project(NUMERIC_YAML);
      const storeFile = projectPaths(dir).storeFile;
      fs.mkdirSync(path.dirname(storeFile));
      fs.writeFileSync(storeFile, 'this is not a SQLite file, but it is long enough to be read as one '.repeat(20));
      const client = new StoreClient(path.join(REPO, 'dist', 'storeWorker.js'), dir);
      try {
        await assert.rejects(client.request({ method: 'summary' }), (e: unknown) => {
          assert.ok(isUserError(e), String(e));
          assert.equal(e.location?.file, storeFile);
          return true;
        });
      } finally {
        await client.dispose();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a UserError with a line keeps it across the job worker (STYLE: carry the location across)', async () => {
      const dir = project('version: 1\ntask: binary\nlabel: y\nfeatures:\n  - {name: a, type: numerc}\n');
      await assert.rejects(runJobInWorker({ kind: 'import', root: dir }, { workerScript: WORKER }), (e: unknown) => {
        assert.ok(isUserError(e));
        assert.deepEqual(e.location, { file: path.join(dir, 'mlloop.yaml'), line: 5, column: 5 });
        return true;
      });
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });
});

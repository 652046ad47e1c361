/**
 * A small seeded fuzz harness for what a user (or an adversary) hands ML Loop: data files
 * (CSV, JSON, JSONL), the project file, and predict's input. Valid seed inputs are mutated
 * (bytes flipped, hostile tokens inserted, ranges cut or doubled, nesting, extreme numbers,
 * Object.prototype names, encodings) and each result is read the way the CLI reads it.
 *
 * Invariants, for every mutated input:
 * - nothing throws but a UserError, and a UserError about a file names the file (and, for the
 *   project file, a line);
 * - every rejected row names its line, within the file;
 * - rows the mutation did not touch are kept exactly (single-line mutations of JSONL and CSV);
 * - no record holds U+FFFD that was not in the input as UTF-8 (nothing is decoded silently);
 * - predict gives a finite prediction or an error for every record, never NaN;
 * - the built CLI never prints a stack trace or "internal error".
 *
 * Bounded: FUZZ_CASES mutated inputs per target (default 300 for the readers, fewer where a
 * case costs more), one fixed seed. Reproduce or widen a run with MLLOOP_FUZZ_SEED=n and
 * MLLOOP_FUZZ_CASES=n; every failure message names the seed and the case.
 * The store's own fuzzing (corrupt pages, kills) lives with the store's tests.
 */
import assert from 'node:assert/strict';
import { withProjectContext } from '../../src/core/context/projectContext';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImportChecks } from '../../src/core/data/importChecks';
import { readRecords, readRecordsFromBytes, type ReadItem } from '../../src/core/data/readers';
import { predictionInputProblem, validateRecord } from '../../src/core/data/validate';
import { predictWithModel } from '../../src/core/jobs/evaluate';
import { initProject } from '../../src/core/project/init';
import { parseProject } from '../../src/core/project/parse';
import { loadProject } from '../../src/core/project/workspace';
import type { DataFormat, ProjectConfig } from '../../src/core/project/types';
import { isUserError } from '../../src/core/util/errors';
import { createRng, randomInt } from '../../src/core/util/random';
import { copyExample, mlloop, requireBuild, tempDir } from './helpers';

const SEED = Number(process.env.MLLOOP_FUZZ_SEED ?? 20261212);
const CASES = Number(process.env.MLLOOP_FUZZ_CASES ?? 300);

type Rng = () => number;

/** Tokens that have broken parsers before: structure, encodings, extremes, prototype names. */
const HOSTILE_TOKENS: Array<string | Buffer> = [
  '"', '""', ',', ';', '\t', '{', '}', '[', ']', ':', '\\', '\\u0000', '\\ud800', 'null', 'true', '-', 'e', '.',
  '1e308', '-1e308', '1e400', '3.5e38', '1e-400', 'NaN', 'Infinity', '-0', '0x1f', '1_000', '٣',
  '__proto__', '"__proto__"', '"constructor"', '"toString"', '{"__proto__": {"x": 1}}',
  '\x1b[31m', '\x07', '\u202e', '\u2028', 'é', '😀', '\uFEFF',
  Buffer.from([0x00]), Buffer.from([0xe9]), Buffer.from([0xff, 0xfe]), Buffer.from([0xc3]), Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]), Buffer.from([0xef, 0xbf, 0xbd]),
];
const LINE_BREAKS = ['\n', '\r\n', '\r'];

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[randomInt(rng, items.length)];
}

function asBuffer(token: string | Buffer): Buffer {
  return typeof token === 'string' ? Buffer.from(token) : token;
}

/**
 * One mutation of `bytes`. `inLine` keeps line breaks out (for single-line mutations);
 * `noQuotes` keeps CSV quoting out too (a quote may legitimately join lines).
 */
function mutateOnce(rng: Rng, bytes: Buffer, opts: { inLine?: boolean; noQuotes?: boolean } = {}): Buffer {
  const at = randomInt(rng, bytes.length + 1);
  const banned = (b: Buffer) => (opts.inLine && (b.includes(0x0a) || b.includes(0x0d))) || (opts.noQuotes && b.includes(0x22));
  const op = randomInt(rng, 8);
  switch (op) {
    case 0: {
      // flip one byte
      if (bytes.length === 0) return bytes;
      const copy = Buffer.from(bytes);
      let value = randomInt(rng, 256);
      while (banned(Buffer.from([value]))) value = randomInt(rng, 256);
      copy[Math.min(at, copy.length - 1)] = value;
      return copy;
    }
    case 1:
    case 2: {
      let token = asBuffer(pick(rng, HOSTILE_TOKENS));
      if (banned(token)) token = Buffer.from('x');
      return Buffer.concat([bytes.subarray(0, at), token, bytes.subarray(at)]);
    }
    case 3: {
      // cut a range
      const length = 1 + randomInt(rng, 12);
      const cut = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + length)]);
      return opts.inLine && cut.length === 0 ? bytes : cut;
    }
    case 4: {
      // double a range
      const length = 1 + randomInt(rng, 24);
      return Buffer.concat([bytes.subarray(0, at + length), bytes.subarray(at, at + length), bytes.subarray(at + length)]);
    }
    case 5: {
      // deep nesting
      const depth = pick(rng, [63, 64, 65, 1000, 100_000]);
      const open = pick(rng, ['[', '{"k":']);
      const close = open === '[' ? ']' : '}';
      const nested = rng() < 0.5 ? open.repeat(depth) + '1' + close.repeat(depth) : open.repeat(depth);
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(nested), bytes.subarray(at)]);
    }
    case 6: {
      // truncate, or add a line break (not in-line)
      if (opts.inLine) return Buffer.concat([bytes.subarray(0, at), Buffer.from(' '), bytes.subarray(at)]);
      return rng() < 0.5 ? bytes.subarray(0, at) : Buffer.concat([bytes.subarray(0, at), Buffer.from(pick(rng, LINE_BREAKS)), bytes.subarray(at)]);
    }
    default: {
      // replace a number with an extreme one
      const text = bytes.toString('latin1');
      const numbers = [...text.matchAll(/\d+(?:\.\d+)?/g)];
      if (numbers.length === 0) return bytes;
      const m = pick(rng, numbers);
      const start = m.index ?? 0;
      const extreme = pick(rng, ['1e308', '-1.7976931348623157e308', '3.4028236e38', '1.3e154', '5e-324', '0', '-0', '1e39']);
      return Buffer.concat([bytes.subarray(0, start), Buffer.from(extreme), bytes.subarray(start + m[0].length)]);
    }
  }
}

function mutate(rng: Rng, bytes: Buffer, opts: { inLine?: boolean; noQuotes?: boolean } = {}): Buffer {
  let out = bytes;
  const count = 1 + randomInt(rng, 3);
  for (let i = 0; i < count; i++) out = mutateOnce(rng, out, opts);
  return out;
}

/** Number of lines the readers count in `bytes` (LF, CRLF, lone CR), plus one for a last line without a break. */
function lineCount(bytes: Buffer): number {
  let lines = 1;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a || (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a)) lines++;
  return lines;
}

const IRIS_YAML = fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'iris', 'mlloop.yaml'), 'utf8');
const IRIS_CONFIG = (() => {
  const parsed = parseProject(IRIS_YAML);
  if (!parsed.ok) throw new Error('examples/iris/mlloop.yaml must parse');
  return parsed.config;
})();

const IRIS_ROWS: Array<Record<string, number | string>> = fs
  .readFileSync(path.join(__dirname, '..', '..', 'examples', 'iris', 'data', 'iris.csv'), 'utf8')
  .trim()
  .split(/\r?\n/)
  .slice(1)
  // every 7th flower: 22 rows of all three species
  .filter((_, i) => i % 7 === 0)
  .map((line) => {
    const [a, b, c, d, species] = line.split(',');
    return { sepal_length: Number(a), sepal_width: Number(b), petal_length: Number(c), petal_width: Number(d), species };
  });

function seedFile(format: DataFormat): string {
  if (format === 'csv') return ['sepal_length,sepal_width,petal_length,petal_width,species', ...IRIS_ROWS.map((r) => Object.values(r).join(','))].join('\n') + '\n';
  if (format === 'jsonl') return IRIS_ROWS.map((r) => JSON.stringify(r)).join('\n') + '\n';
  return '[\n' + IRIS_ROWS.map((r) => '  ' + JSON.stringify(r)).join(',\n') + '\n]\n';
}

/**
 * Reads a file the way `mlloop import` does (reader, whole-import checks, row validation):
 * the items, the records that would be stored, and the UserError that stopped it, if any.
 * Anything other than a UserError is rethrown: that is a bug.
 */
async function importLikeTheCli(file: string, config: ProjectConfig): Promise<{ items: ReadItem[]; kept: Array<Record<string, unknown>>; stopped?: Error }> {
  const checks = new ImportChecks(config);
  const items: ReadItem[] = [];
  const kept: Array<Record<string, unknown>> = [];
  try {
    for await (const item of checks.watch(path.basename(file), file, undefined, readRecords(file))) {
      items.push(item);
      if (item.kind === 'record' && validateRecord(item.record, config).ok) kept.push(item.record);
    }
    checks.warnings();
  } catch (e) {
    if (!isUserError(e)) throw e;
    return { items, kept, stopped: e };
  }
  return { items, kept };
}

/** Keeps a failing input beside the temp folder so that it can be replayed; returns a note naming it. */
function keepFailingInput(bytes: Buffer, name: string): string {
  const file = path.join(os.tmpdir(), `mlloop-fuzz-failure-${SEED}-${name}`);
  fs.writeFileSync(file, bytes);
  return ` (input kept in ${file})`;
}

/** Whether `bytes` holds U+FFFD encoded as UTF-8 (so a U+FFFD in a record may be genuine). */
function holdsReplacementCharacter(bytes: Buffer): boolean {
  return bytes.includes(Buffer.from([0xef, 0xbf, 0xbd])) || bytes.includes(Buffer.from('\\ufffd')) || bytes.includes(Buffer.from('\\uFFFD'));
}

describe('fuzzing the inputs a user hands ML Loop (issue 12)', function () {
  this.timeout(300000);
  let dir: string;
  before(() => {
    dir = tempDir('mlloop-fuzz-');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const format of ['csv', 'jsonl', 'json'] as const) {
    it(`data files (${format}): ${CASES} mutated files are read without an internal error, every rejection names its line, nothing is decoded silently`, async () => {
      const rng = createRng(SEED ^ format.length * 7919);
      const seed = Buffer.from(seedFile(format));
      const stats = { rejectedRows: 0, stoppedFiles: 0, records: 0 };
      for (let c = 0; c < CASES; c++) {
        const bytes = mutate(rng, seed);
        const file = path.join(dir, `case-${c}.${format}`);
        fs.writeFileSync(file, bytes);
        const where = `seed ${SEED}, ${format} case ${c}`;
        const kept = () => keepFailingInput(bytes, `${c}.${format}`);
        let result;
        try {
          result = await importLikeTheCli(file, IRIS_CONFIG);
        } catch (e) {
          assert.fail(`${where}: internal error ${(e as Error).stack}${kept()}`);
        }
        if (result.stopped) {
          stats.stoppedFiles++;
          const location = (result.stopped as { location?: { file?: string } }).location;
          assert.ok(location?.file !== undefined || /mlloop\.yaml/.test(result.stopped.message), `${where}: a UserError without its file: ${result.stopped.message}`);
        }
        const lines = lineCount(bytes);
        for (const item of result.items) {
          if (!(Number.isInteger(item.line) && item.line >= 1 && item.line <= lines)) assert.fail(`${where}: line ${item.line} outside 1..${lines}${kept()}`);
          if (item.kind === 'error') {
            stats.rejectedRows++;
            assert.ok(item.reason.length > 0, `${where}: an empty reason`);
            assert.doesNotMatch(item.reason, /Maximum call stack|undefined|\[object Object\]/, `${where}: ${item.reason}`);
          } else {
            stats.records++;
            assert.equal(typeof item.record, 'object');
            if (!holdsReplacementCharacter(bytes)) assert.ok(!JSON.stringify(item.record).includes('\ufffd'), `${where}: U+FFFD in a record: the input was changed silently`);
          }
        }
      }
      // The harness must actually reach the interesting paths.
      assert.ok(stats.rejectedRows > CASES / 10 && stats.records > CASES, JSON.stringify(stats));
    });
  }

  for (const format of ['csv', 'jsonl'] as const) {
    it(`data files (${format}): a mutation of one row leaves every other row exactly as it was`, async () => {
      const rng = createRng(SEED ^ 0x5151 ^ format.length);
      const header = format === 'csv' ? 1 : 0;
      const lines: Buffer[] = seedFile(format).trimEnd().split('\n').map((l) => Buffer.from(l));
      const join = (parts: Buffer[]) => Buffer.concat(parts.flatMap((b, i) => (i === 0 ? [b] : [Buffer.from('\n'), b])));
      const seedPath = path.join(dir, `seed.${format}`);
      fs.writeFileSync(seedPath, join(lines));
      const original = await importLikeTheCli(seedPath, IRIS_CONFIG);
      assert.equal(original.kept.length, IRIS_ROWS.length);
      for (let c = 0; c < CASES / 3; c++) {
        const target = header + randomInt(rng, lines.length - header);
        const mutated = [...lines];
        mutated[target] = mutate(rng, lines[target], { inLine: true, noQuotes: true });
        const file = path.join(dir, `one-row-${c}.${format}`);
        fs.writeFileSync(file, join(mutated));
        const where = `seed ${SEED}, one-row ${format} case ${c}, line ${target + 1}`;
        const result = await importLikeTheCli(file, IRIS_CONFIG);
        assert.equal(result.stopped, undefined, `${where}: the whole file was refused: ${result.stopped?.message}`);
        const others = result.items.filter((i) => i.line !== target + 1);
        assert.deepEqual(
          others.map((i) => (i.kind === 'record' ? JSON.stringify(i.record) : `! ${i.reason}`)),
          original.items.filter((i) => i.line !== target + 1).map((i) => (i.kind === 'record' ? JSON.stringify(i.record) : '')),
          where,
        );
      }
    });
  }

  it(`mlloop init on ${Math.round(CASES / 3)} mutated data files: a valid mlloop.yaml or a UserError naming the file, never an internal error`, async () => {
    const rng = createRng(SEED ^ 0x1417);
    let written = 0;
    for (let c = 0; c < CASES / 3; c++) {
      const format = pick(rng, ['csv', 'jsonl', 'json'] as const);
      const bytes = mutate(rng, Buffer.from(seedFile(format)));
      const project = path.join(dir, `init-${c}`);
      fs.mkdirSync(project);
      const file = path.join(project, `data.${format}`);
      fs.writeFileSync(file, bytes);
      const where = `seed ${SEED}, init ${format} case ${c}`;
      try {
        await initProject({ root: project, dataFile: file, label: 'species' });
        written++;
        loadProject(project);
      } catch (e) {
        if (!isUserError(e)) assert.fail(`${where}: ${(e as Error).stack}${keepFailingInput(bytes, `init-${c}.${format}`)}`);
        assert.ok(e.location?.file !== undefined, `${where}: a UserError without its file: ${e.message}`);
      }
    }
    assert.ok(written > 0, 'some mutated files must still make a project');
  });

  it(`the project file: ${CASES} mutated mlloop.yaml files give problems with a line and column, never an exception`, () => {
    const rng = createRng(SEED ^ 0xa11a5);
    const extras = ['\nx: &a [1, 2]\ny: *a\n', '\nmodel: !!js/function "f"\n', '\nname: &n ' + 'a'.repeat(50) + '\n', '\ntraining: {epochs: .inf, seed: .nan}\n'];
    const seed = Buffer.from(IRIS_YAML + pick(rng, extras));
    let valid = 0;
    for (let c = 0; c < CASES; c++) {
      const bytes = mutate(rng, seed);
      const text = bytes.toString('utf8');
      const where = `seed ${SEED}, yaml case ${c}`;
      let result;
      try {
        result = parseProject(text);
      } catch (e) {
        assert.fail(`${where}: parseProject threw ${(e as Error).stack}\n--- input ---\n${text.slice(0, 2000)}`);
      }
      const lines = text.split(/\r\n|\n|\r/).length;
      for (const p of result.problems) {
        assert.ok(p.line >= 1 && p.line <= lines + 1 && p.column >= 1, `${where}: problem at ${p.line}:${p.column} outside the file`);
        assert.ok(p.message.length > 0 && !/Maximum call stack|\[object Object\]/.test(p.message), `${where}: ${p.message}`);
      }
      if (result.ok) {
        valid++;
        assert.ok(result.config.features.length > 0 && Number.isFinite(result.config.training.learningRate) && Number.isInteger(result.config.training.epochs), `${where}: a config that cannot train was accepted`);
      }
      if (c % 10 === 0) {
        // The same through the file, as every command loads it: a UserError with the file and a line.
        const project = path.join(dir, `yaml-${c}`);
        fs.mkdirSync(project);
        fs.writeFileSync(path.join(project, 'mlloop.yaml'), bytes);
        try {
          loadProject(project);
        } catch (e) {
          assert.ok(isUserError(e), `${where}: loadProject threw a non-UserError: ${(e as Error).stack}`);
          assert.equal(e.location?.file, path.join(project, 'mlloop.yaml'), where);
          assert.ok((e.location?.line ?? 0) >= 1, `${where}: no line in ${e.message}`);
        }
      }
    }
    assert.ok(valid > 0 && valid < CASES, `valid ${valid} of ${CASES}: the mutations must reach both outcomes`);
  });

  describe("predict's input", () => {
    let project: string;
    before(() => {
      requireBuild();
      project = copyExample('iris');
      assert.equal(mlloop(project, ['import']).code, 0);
      assert.equal(mlloop(project, ['train']).code, 0);
    });
    after(() => fs.rmSync(project, { recursive: true, force: true }));

    it(`${Math.round(CASES / 2)} mutated stdin inputs: a prediction or an error for every record, never NaN, errors with their line`, async () => {
      const rng = createRng(SEED ^ 0x9ed1c7);
      const seeds = [
        JSON.stringify(IRIS_ROWS[0]),
        JSON.stringify(IRIS_ROWS.slice(0, 4), null, 2),
        IRIS_ROWS.slice(0, 5).map((r) => JSON.stringify(r)).join('\n'),
      ].map((s) => Buffer.from(s));
      let predicted = 0;
      let refused = 0;
      for (let c = 0; c < CASES / 2; c++) {
        const bytes = mutate(rng, pick(rng, seeds));
        const where = `seed ${SEED}, stdin case ${c}`;
        let items: ReadItem[];
        try {
          items = readRecordsFromBytes(bytes, 'stdin');
        } catch (e) {
          assert.ok(isUserError(e), `${where}: ${(e as Error).stack}`);
          assert.equal(e.location?.file, 'stdin', `${where}: ${e.message}`);
          refused++;
          continue;
        }
        const lines = lineCount(bytes);
        for (const item of items) assert.ok(item.line >= 1 && item.line <= lines, `${where}: line ${item.line} of ${lines}`);
        const records = items.flatMap((i) => (i.kind === 'record' ? [i.record] : []));
        for (const r of records) predictionInputProblem(r, IRIS_CONFIG.features);
        if (records.length === 0) continue;
        const r = await withProjectContext(project, { purpose: 'fuzz test' }, (ctx) => predictWithModel({ ctx, records, backend: 'wasm' }));
        assert.equal(r.predictions.length, records.length, where);
        for (const p of r.predictions) {
          if ('error' in p) continue;
          predicted++;
          const numbers = 'value' in p ? [p.value] : [p.confidence, ...Object.values(p.probabilities)];
          assert.ok(numbers.every(Number.isFinite), `${where}: ${JSON.stringify(p)}`);
        }
      }
      assert.ok(predicted > 0 && refused > 0, `predicted ${predicted}, refused ${refused}`);
    });

    it('the built CLI never prints a stack trace or "internal error" for mutated data files, project files and stdin', () => {
      const rng = createRng(SEED ^ 0xc11);
      const cases = Math.max(6, Math.round(CASES / 25));
      for (let c = 0; c < cases; c++) {
        const where = `seed ${SEED}, CLI case ${c}`;
        const kind = c % 3;
        const copy = tempDir('mlloop-fuzz-cli-');
        fs.cpSync(project, copy, { recursive: true });
        let args: string[];
        let input: string | undefined;
        if (kind === 0) {
          const format = pick(rng, ['csv', 'jsonl', 'json'] as const);
          fs.writeFileSync(path.join(copy, `fuzz.${format}`), mutate(rng, Buffer.from(seedFile(format))));
          args = ['import', `fuzz.${format}`];
        } else if (kind === 1) {
          fs.writeFileSync(path.join(copy, 'mlloop.yaml'), mutate(rng, Buffer.from(IRIS_YAML)));
          args = ['evaluate'];
        } else {
          input = mutate(rng, Buffer.from(IRIS_ROWS.slice(0, 3).map((r) => JSON.stringify(r)).join('\n'))).toString('latin1');
          args = ['predict'];
        }
        const r = mlloop(copy, args, input);
        assert.ok([0, 2].includes(r.code), `${where}: exit ${r.code}\n${r.stderr}`);
        assert.doesNotMatch(r.stderr, /internal error|\n\s+at .*:\d+:\d+/, `${where}: ${r.stderr}`);
        fs.rmSync(copy, { recursive: true, force: true });
      }
    });
  });
});

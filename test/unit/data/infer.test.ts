import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inferColumnType, inferProject, suggestTextFeatures } from '../../../src/core/data/infer';
import { UserError } from '../../../src/core/util/errors';

// The UCI datasets as committed under examples/ (copies of ../shared/datasets, with attribution there).
const repoRoot = path.resolve(__dirname, '../../..');
const irisCsv = path.join(repoRoot, 'examples/iris/data/iris.csv');
const breastCancerCsv = path.join(repoRoot, 'examples/breast-cancer/data/breast_cancer.csv');
let dir: string;

function writeFile(name: string, content: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

function typesOf(features: Array<{ name: string; type: string }>): Record<string, string> {
  return Object.fromEntries(features.map((f) => [f.name, f.type]));
}

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-infer-'));
});

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('inferProject', () => {
  it('infers a 3-class multiclass task with four numeric features from iris.csv', async () => {
    const inferred = await inferProject(irisCsv, 'species');
    assert.equal(inferred.task, 'multiclass');
    assert.equal(inferred.rows, 150);
    assert.deepEqual(inferred.classes, ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual(inferred.features, [
      { name: 'sepal_length', type: 'numeric', transform: 'standardize', impute: 'mean' },
      { name: 'sepal_width', type: 'numeric', transform: 'standardize', impute: 'mean' },
      { name: 'petal_length', type: 'numeric', transform: 'standardize', impute: 'mean' },
      { name: 'petal_width', type: 'numeric', transform: 'standardize', impute: 'mean' },
    ]);
  });

  it('infers a binary task with 30 numeric features from breast_cancer.csv, positive class last in order', async () => {
    const inferred = await inferProject(breastCancerCsv, 'diagnosis');
    assert.equal(inferred.task, 'binary');
    assert.equal(inferred.rows, 569);
    assert.deepEqual(inferred.classes, ['benign', 'malignant']);
    assert.equal(inferred.features.length, 30);
    assert.ok(inferred.features.every((f) => f.type === 'numeric'));
    assert.ok(!inferred.features.some((f) => f.name === 'diagnosis'));
  });

  it('tells booleans, numbers, categories, text and identifiers apart, with defaults filled in', async () => {
    const header = 'user_id,flag,age,color,comment,label';
    const colors = ['red', 'green', 'blue'];
    const rows = Array.from({ length: 40 }, (_, i) => {
      const comment = `"this is free text number ${i} with several words"`;
      return `u${1000 + i},${i % 2 ? 'Yes' : 'no'},${20 + (i % 30)},${colors[i % 3]},${comment},${i % 2 ? 'spam' : 'ham'}`;
    });
    const file = writeFile('mixed.csv', [header, ...rows].join('\n'));
    const inferred = await inferProject(file, 'label');
    assert.equal(inferred.task, 'binary');
    assert.deepEqual(typesOf(inferred.features), { flag: 'boolean', age: 'numeric', color: 'categorical', comment: 'text' });
    assert.deepEqual(inferred.features.find((f) => f.name === 'flag'), { name: 'flag', type: 'boolean', missing: false });
    assert.deepEqual(inferred.features.find((f) => f.name === 'color'), { name: 'color', type: 'categorical', maxCategories: 50, minCount: 1 });
    const comment = inferred.features.find((f) => f.name === 'comment');
    assert.ok(comment?.type === 'text');
    // 9 words a row: short texts get character n-grams, sized from their vocabulary.
    assert.deepEqual({ ...comment, dimensions: 0 }, { name: 'comment', type: 'text', dimensions: 0, ngrams: [2, 5], lowercase: true, analyzer: 'char_wb', sublinearTf: true, minDf: 1 });
    assert.match(inferred.why.comment, /short texts \(9\.0 words on average\)/);
    assert.ok(inferred.notes.some((n) => n.includes("'user_id'") && n.includes('identifier')));
  });

  it('skips a running integer index even without an id-like name', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${i},${(i * 7) % 11},${i % 3 ? 'a' : 'b'}`);
    const file = writeFile('index.csv', [',x,y', ...rows].join('\n'));
    const inferred = await inferProject(file, 'y');
    assert.deepEqual(typesOf(inferred.features), { x: 'numeric' });
    assert.ok(inferred.notes.some((n) => n.includes("'column_1'")));
  });

  it('chooses regression for a numeric label with many values or fractions, classes for few whole numbers', async () => {
    const many = Array.from({ length: 30 }, (_, i) => `${i % 4},${i * 3}`);
    assert.equal((await inferProject(writeFile('reg.csv', ['x,price', ...many].join('\n')), 'price')).task, 'regression');
    const fractions = Array.from({ length: 10 }, (_, i) => `${i % 4},${(i % 3) + 0.5}`);
    const reg = await inferProject(writeFile('frac.csv', ['x,score', ...fractions].join('\n')), 'score');
    assert.equal(reg.task, 'regression');
    assert.equal(reg.classes, undefined);
    const ratings = Array.from({ length: 30 }, (_, i) => `${i % 4},${(i % 5) + 1}`);
    const cls = await inferProject(writeFile('rating.csv', ['x,stars', ...ratings].join('\n')), 'stars');
    assert.equal(cls.task, 'multiclass');
    assert.deepEqual(cls.classes, ['1', '2', '3', '4', '5']);
  });

  it('reads JSON labels true/false as a binary task and skips nested values', async () => {
    const samples = Array.from({ length: 12 }, (_, i) => ({ n: i % 5, meta: { a: i }, done: i % 3 === 0 }));
    const file = writeFile('nested.json', JSON.stringify(samples));
    const inferred = await inferProject(file, 'done');
    assert.equal(inferred.task, 'binary');
    assert.deepEqual(inferred.classes, ['false', 'true']);
    assert.deepEqual(typesOf(inferred.features), { n: 'numeric' });
    assert.ok(inferred.notes.some((n) => n.includes("'meta'") && n.includes('nested')));
  });

  it('examines at most sampleRows rows and says so', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => `${i % 7},${i % 2}`);
    const inferred = await inferProject(writeFile('sample.csv', ['x,y', ...rows].join('\n')), 'y', { sampleRows: 25 });
    assert.equal(inferred.rows, 25);
    assert.ok(inferred.notes.some((n) => n.includes('first 25 rows')));
  });

  it('reports unreadable rows in the notes and leaves them out', async () => {
    const file = writeFile('bad.csv', 'x,y\n1,a\n2\n3,b\n4,a\n5,b\n');
    const inferred = await inferProject(file, 'y');
    assert.equal(inferred.rows, 4);
    assert.ok(inferred.notes.some((n) => n.includes('1 row could not be read and was left out') && n.includes('line 3')));
  });

  it('counts unreadable rows in the right number when no record is readable: "1 unreadable row", "2 unreadable rows" (issue 12, item 19)', async () => {
    await assert.rejects(inferProject(writeFile('one-bad.csv', 'x,y\n1\n'), 'y'), (e: unknown) => e instanceof UserError && e.message.includes('(1 unreadable row; first at line 2:'));
    await assert.rejects(inferProject(writeFile('two-bad.csv', 'x,y\n1\n2\n'), 'y'), (e: unknown) => e instanceof UserError && e.message.includes('(2 unreadable rows; first at line 2:'));
  });

  it('rejects a label that is not a column, listing the columns', async () => {
    await assert.rejects(
      inferProject(irisCsv, 'class'),
      (e: unknown) => e instanceof UserError && e.message.includes("'class'") && e.message.includes("'sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'"),
    );
  });

  it('rejects a label with a single class and a file without records', async () => {
    const single = writeFile('single.csv', 'x,y\n1,a\n2,a\n3,a\n');
    await assert.rejects(inferProject(single, 'y'), (e: unknown) => e instanceof UserError && /single value 'a'/.test(e.message));
    await assert.rejects(inferProject(writeFile('none.csv', 'x,y\n'), 'y'), (e: unknown) => e instanceof UserError && /no readable records/.test(e.message));
  });
});

describe('inferColumnType', () => {
  it('calls 0/1 columns boolean but 0/1/2 columns numeric', () => {
    assert.deepEqual(inferColumnType('a', ['0', '1', '1', '', '0']), { type: 'boolean' });
    assert.deepEqual(inferColumnType('a', ['0', '1', '2', '0']), { type: 'numeric' });
  });

  it('keeps short many-valued strings categorical and notes the cap', () => {
    const values = Array.from({ length: 200 }, (_, i) => `city ${i % 80}`);
    const verdict = inferColumnType('city', values);
    assert.equal('type' in verdict && verdict.type, 'categorical');
    assert.match('note' in verdict && verdict.note ? verdict.note : '', /80 distinct/);
  });

  it('does not call a column of distinct decimals an identifier', () => {
    const values = Array.from({ length: 50 }, (_, i) => String(i + 0.25));
    assert.deepEqual(inferColumnType('amount', values), { type: 'numeric' });
  });

  it('skips a column whose values are all missing', () => {
    const verdict = inferColumnType('empty', ['', null, undefined, '  ']);
    assert.ok('skip' in verdict && verdict.skip.includes('empty'));
  });

  describe('suggestTextFeatures (text settings from the sample)', () => {
    const words = (i: number, n: number) => Array.from({ length: n }, (_, j) => `w${(i * 7 + j * 13) % 997}x${j}`).join(' ');

    it('uses char_wb 2–5-grams for short texts and word 1–2-grams for long ones, with sublinear tf', () => {
      const [short, long] = suggestTextFeatures(
        [
          { name: 'title', texts: Array.from({ length: 200 }, (_, i) => words(i, 5)) },
          { name: 'body', texts: Array.from({ length: 200 }, (_, i) => words(i, 40)) },
        ],
        200,
      );
      assert.deepEqual([short.feature.analyzer, short.feature.ngrams, short.feature.sublinearTf], ['char_wb', [2, 5], true]);
      assert.deepEqual([long.feature.analyzer, long.feature.ngrams, long.feature.sublinearTf], ['word', [1, 2], true]);
      assert.match(short.why, /short texts \(5\.0 words on average\)/);
      assert.match(long.why, /longer texts \(40\.0 words on average\)/);
    });

    it('sizes dimensions to a power of two at least 4 × the vocabulary, far above the old 1,024 wall', () => {
      // 300 rows of 20 distinct words each: 6,000 words + 5,700 bigrams → 4 × 11,700 → 65,536 columns
      const texts = Array.from({ length: 300 }, (_, i) => Array.from({ length: 20 }, (_, j) => `u${i}v${j}`).join(' '));
      const [s] = suggestTextFeatures([{ name: 't', texts }], 300);
      assert.equal(s.feature.dimensions, 65536);
      assert.equal(s.note, undefined);
      assert.match(s.why, /11700 distinct terms in the sample → 65536 hashed columns/);
    });

    it('caps all text columns together so rows × columns stays within 2^27, and says so', () => {
      // every text twice, so its terms pass minDf 2 (which applies from 5,000 rows)
      const texts = Array.from({ length: 600 }, (_, i) => Array.from({ length: 20 }, (_, j) => `u${i % 300}v${j}`).join(' '));
      const [s] = suggestTextFeatures([{ name: 't', texts }], 20_000);
      // 2^27 / 20,000 rows = 6,710 columns → 4,096 (a power of two)
      assert.equal(s.feature.dimensions, 4096);
      assert.match(s.note ?? '', /capped at 4096/);
      assert.match(s.why, /capped by memory/);
    });

    it('ignores terms seen once from 5,000 rows (minDf 2), and counts only the rest', () => {
      const texts = Array.from({ length: 5000 }, (_, i) => `common${i % 10} rare${i}`);
      const [s] = suggestTextFeatures([{ name: 't', texts }], 5000);
      assert.equal(s.feature.minDf, 2);
      assert.match(s.why, / in ≥ 2 rows in the sample/);
    });
  });
});

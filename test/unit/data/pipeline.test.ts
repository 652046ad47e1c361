import { strict as assert } from 'node:assert';
import {
  fitPipeline,
  charWbNgrams,
  fnv1a32,
  outputColumns,
  pipelineFromJson,
  tokenize,
  transformRows,
  type FittedPipeline,
} from '../../../src/core/data/pipeline';
import type { FeatureSpec, NumericImpute, NumericTransform } from '../../../src/core/project/types';
import { UserError } from '../../../src/core/util/errors';

function numeric(name: string, transform: NumericTransform = 'standardize', impute: NumericImpute = 'mean'): FeatureSpec {
  return { name, type: 'numeric', transform, impute };
}

/** Column `c` of a transformed matrix as plain numbers. */
function column(out: { x: Float32Array; n: number; d: number }, c: number): number[] {
  return Array.from({ length: out.n }, (_, r) => out.x[r * out.d + c]);
}

/** Equal within float32 rounding: relative tolerance, absolute near zero. */
function assertClose(actual: number[], expected: number[], tolerance = 1e-6): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= tolerance * Math.max(1, Math.abs(expected[i])), `[${i}] ${a} vs ${expected[i]}`));
}

/** Reference FNV-1a over Node's own UTF-8 encoding, to check the hand-written encoder. */
function fnvOfUtf8Bytes(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}

describe('fitPipeline / transformRows: numeric', () => {
  it('standardizes with the mean and population std of the training rows only', () => {
    const train = [{ x: '1' }, { x: '2' }, { x: '3' }, { x: 4 }];
    const p = fitPipeline([numeric('x')], train);
    const mean = 2.5;
    const std = Math.sqrt((1.5 ** 2 + 0.5 ** 2 + 0.5 ** 2 + 1.5 ** 2) / 4);
    // 100 is a test row: it must not move the statistics.
    assertClose(column(transformRows(p, [{ x: 1 }, { x: 100 }]), 0), [(1 - mean) / std, (100 - mean) / std]);
    assert.deepEqual(p, fitPipeline([numeric('x')], train));
  });

  it('imputes missing, unparseable and non-finite values with the mean, median or zero of the present training values', () => {
    const train = [{ x: 1 }, { x: 2 }, { x: 10 }, { x: '' }, {}];
    const missing = [{ x: null }, { x: 'abc' }, { x: Number.NaN }, { x: Infinity }, {}];
    for (const [impute, fill] of [['mean', 13 / 3], ['median', 2], ['zero', 0]] as const) {
      const p = fitPipeline([numeric('x', 'none', impute)], train);
      assertClose(column(transformRows(p, missing), 0), [fill, fill, fill, fill, fill]);
    }
  });

  it('computes the standardize statistics over the imputed training column', () => {
    const p = fitPipeline([numeric('x', 'standardize', 'zero')], [{ x: 4 }, { x: '' }]);
    // imputed column [4, 0]: mean 2, population std 2
    assertClose(column(transformRows(p, [{ x: 4 }, { x: 0 }]), 0), [1, -1]);
  });

  it('applies minmax, signed log1p and none', () => {
    const train = [{ x: -3 }, { x: 0 }, { x: 5 }];
    const minmax = fitPipeline([numeric('x', 'minmax')], train);
    assertClose(column(transformRows(minmax, [{ x: -3 }, { x: 1 }, { x: 13 }]), 0), [0, 0.5, 2]);
    const log = fitPipeline([numeric('x', 'log1p')], train);
    assertClose(column(transformRows(log, [{ x: -3 }, { x: 0 }, { x: Math.E - 1 }]), 0), [-Math.log(4), 0, 1]);
    const none = fitPipeline([numeric('x', 'none')], train);
    assertClose(column(transformRows(none, [{ x: '7.5' }]), 0), [7.5]);
  });

  it('leaves a constant column unscaled instead of dividing by zero', () => {
    const p = fitPipeline([numeric('x'), numeric('y', 'minmax')], [{ x: 3, y: 3 }, { x: 3, y: 3 }]);
    const out = transformRows(p, [{ x: 5, y: 5 }]);
    assertClose(Array.from(out.x), [2, 2]);
  });
});

describe('fitPipeline / transformRows: boolean and categorical', () => {
  it('encodes booleans as 1/0 and missing ones with the configured value', () => {
    const specs: FeatureSpec[] = [
      { name: 'a', type: 'boolean', missing: false },
      { name: 'b', type: 'boolean', missing: true },
    ];
    const p = fitPipeline(specs, []);
    const out = transformRows(p, [{ a: 'Yes', b: 0 }, { a: true, b: 'f' }, { a: '', b: null }, {}]);
    assert.deepEqual(Array.from(out.x), [1, 0, 1, 0, 0, 1, 0, 1]);
  });

  it('one-hot encodes kept categories by name and sends unseen, rare and missing values to the other column', () => {
    const spec: FeatureSpec = { name: 'color', type: 'categorical', maxCategories: 50, minCount: 2 };
    const train = [{ color: 'red' }, { color: 'red' }, { color: 'blue' }, { color: ' blue' }, { color: 'green' }, {}];
    const p = fitPipeline([spec], train);
    assert.deepEqual(
      outputColumns(p).map((c) => c.column),
      ['color=blue', 'color=red', 'color=(other)'],
    );
    const out = transformRows(p, [{ color: 'red' }, { color: 'green' }, { color: 'purple' }, { color: '' }, { color: 'blue' }]);
    assert.deepEqual(Array.from(out.x), [0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0]);
  });

  it('keeps the maxCategories most frequent categories, ties broken by name', () => {
    const spec: FeatureSpec = { name: 'c', type: 'categorical', maxCategories: 2, minCount: 1 };
    const rows = ['z', 'z', 'z', 'b', 'b', 'a', 'a', 'q'].map((c) => ({ c }));
    const p = fitPipeline([spec], rows);
    assert.deepEqual(p.features[0].type === 'categorical' && p.features[0].categories, ['a', 'z']);
  });

  it('treats 1 and "1" as the same category', () => {
    const spec: FeatureSpec = { name: 'tier', type: 'categorical', maxCategories: 50, minCount: 1 };
    const p = fitPipeline([spec], [{ tier: 1 }, { tier: '2' }]);
    assert.deepEqual(Array.from(transformRows(p, [{ tier: '1' }, { tier: 2 }]).x), [1, 0, 0, 0, 1, 0]);
  });
});

describe('text hashing and TF-IDF', () => {
  it('hashes with 32-bit FNV-1a over UTF-8 (known vectors and non-ASCII text)', () => {
    assert.equal(fnv1a32(''), 0x811c9dc5);
    assert.equal(fnv1a32('a'), 0xe40c292c);
    assert.equal(fnv1a32('foobar'), 0xbf9cf968);
    for (const text of ['café', 'naïve résumé', '東京', 'emoji 😀 ok', 'lone \ud800 surrogate']) {
      assert.equal(fnv1a32(text), fnvOfUtf8Bytes(text), text);
    }
  });

  it('tokenises into runs of Unicode letters and digits, lower-cased when asked', () => {
    assert.deepEqual(tokenize('Hello, WORLD! café_2 x-ray', true), ['hello', 'world', 'café', '2', 'x', 'ray']);
    assert.deepEqual(tokenize('Hello World', false), ['Hello', 'World']);
  });

  it('weights term counts by smooth idf from the training rows, ignores buckets no training row had, and L2-normalises each row', () => {
    const spec: FeatureSpec = { name: 't', type: 'text', dimensions: 1024, ngrams: [1, 1], lowercase: true, analyzer: 'word', sublinearTf: false, minDf: 1 };
    const p = fitPipeline([spec], [{ t: 'a b' }, { t: 'A' }, { t: '' }]);
    const a = fnv1a32('a') % 1024;
    const b = fnv1a32('b') % 1024;
    const unseen = fnv1a32('zzz') % 1024;
    assert.notEqual(a, b);
    assert.notEqual(unseen, a);
    // n = 3 documents; df(a) = 2, df(b) = 1, df(zzz) = 0
    const idfA = Math.log(4 / 3) + 1;
    const idfB = Math.log(4 / 2) + 1;
    const out = transformRows(p, [{ t: 'a a b' }, { t: 'zzz a' }, { t: '!!' }, { t: 'zzz' }]);
    const row = (r: number): Float32Array => out.x.subarray(r * 1024, (r + 1) * 1024);
    const norm0 = Math.hypot(2 * idfA, idfB);
    assertClose([row(0)[a], row(0)[b]], [(2 * idfA) / norm0, idfB / norm0]);
    // zzz's bucket never saw a training row: its weight is 0, so it neither counts nor dilutes a.
    assertClose([row(1)[a], row(1)[unseen]], [1, 0]);
    assert.ok(row(2).every((v) => v === 0), 'a text without words is all zeros');
    assert.ok(row(3).every((v) => v === 0), 'a text of unseen words only is all zeros, not NaN');
    assertClose([Math.hypot(...row(0))], [1]);
  });

  it('uses 1 + ln(count) as the term frequency with sublinearTf', () => {
    const spec: FeatureSpec = { name: 't', type: 'text', dimensions: 1024, ngrams: [1, 1], lowercase: true, analyzer: 'word', sublinearTf: true, minDf: 1 };
    const p = fitPipeline([spec], [{ t: 'a b' }, { t: 'a' }]);
    const a = fnv1a32('a') % 1024;
    const b = fnv1a32('b') % 1024;
    const idfA = Math.log(3 / 3) + 1;
    const idfB = Math.log(3 / 2) + 1;
    const x = transformRows(p, [{ t: 'a a a b' }]).x;
    const wa = (1 + Math.log(3)) * idfA;
    const norm = Math.hypot(wa, idfB);
    assertClose([x[a], x[b]], [wa / norm, idfB / norm]);
  });

  it('drops buckets found in fewer than minDf training rows', () => {
    const spec: FeatureSpec = { name: 't', type: 'text', dimensions: 1024, ngrams: [1, 1], lowercase: true, analyzer: 'word', sublinearTf: false, minDf: 2 };
    const p = fitPipeline([spec], [{ t: 'common rare' }, { t: 'common' }, { t: 'other' }]);
    const f = p.features[0];
    assert.ok(f.type === 'text');
    assert.equal(f.idf[fnv1a32('rare') % 1024], 0);
    assert.ok(f.idf[fnv1a32('common') % 1024] > 0);
    const x = transformRows(p, [{ t: 'common rare' }]).x;
    assert.equal(x[fnv1a32('common') % 1024], 1);
    assert.equal(f.terms, 3);
  });

  it("cuts char_wb n-grams as scikit-learn's analyzer='char_wb' does (padded words, short words once, punctuation kept)", () => {
    // scikit-learn 1.2.1: TfidfVectorizer(analyzer='char_wb', ngram_range=(2, 3)).build_analyzer()('Hi, ab  x')
    assert.deepEqual(charWbNgrams('Hi, ab  x', [2, 3], true), [' h', 'hi', 'i,', ', ', ' hi', 'hi,', 'i, ', ' a', 'ab', 'b ', ' ab', 'ab ', ' x', 'x ', ' x ']);
    // a padded word shorter than n is one n-gram, and ends the larger n for that word
    assert.deepEqual(charWbNgrams('a', [4, 5], true), [' a ']);
    assert.deepEqual(charWbNgrams('Éte\u3000東京', [3, 3], false), [' Ét', 'Éte', 'te ', ' 東京', '東京 ']);
  });

  it('hashes char_wb n-grams into the buckets with analyzer char_wb', () => {
    const spec: FeatureSpec = { name: 't', type: 'text', dimensions: 1 << 16, ngrams: [3, 3], lowercase: true, analyzer: 'char_wb', sublinearTf: false, minDf: 1 };
    const p = fitPipeline([spec], [{ t: 'elect' }, { t: 'elections' }]);
    const x = transformRows(p, [{ t: 'Electoral' }]).x;
    const nonzero = [...x.keys()].filter((i) => x[i] > 0).sort((i, j) => i - j);
    const expected = [...new Set([' el', 'ele', 'lec', 'ect'].map((g) => fnv1a32(g) % (1 << 16)))].sort((i, j) => i - j);
    assert.deepEqual(nonzero, expected, 'the n-grams electoral shares with the training words, and no others');
  });

  it('adds word bigrams to the buckets when ngrams is [1, 2]', () => {
    const spec: FeatureSpec = { name: 't', type: 'text', dimensions: 4096, ngrams: [1, 2], lowercase: true, analyzer: 'word', sublinearTf: false, minDf: 1 };
    const p = fitPipeline([spec], [{ t: 'dark mode' }]);
    const out = transformRows(p, [{ t: 'Dark Mode' }]);
    const buckets = ['dark', 'mode', 'dark mode'].map((g) => fnv1a32(g) % 4096);
    assert.equal(new Set(buckets).size, 3);
    for (const bucket of buckets) assert.ok(out.x[bucket] > 0);
    assert.equal(out.x.filter((v) => v > 0).length, 3);
  });

  it('gives identical vectors for the same text on every call', () => {
    const spec: FeatureSpec = { name: 't', type: 'text', dimensions: 64, ngrams: [1, 2], lowercase: true, analyzer: 'word', sublinearTf: false, minDf: 1 };
    const p = fitPipeline([spec], [{ t: 'export is slow' }, { t: 'login fails on save' }]);
    assert.deepEqual(transformRows(p, [{ t: 'export fails' }]).x, transformRows(p, [{ t: 'export fails' }]).x);
  });
});

describe('pipeline as a whole', () => {
  const specs: FeatureSpec[] = [
    numeric('age'),
    numeric('income', 'log1p', 'median'),
    { name: 'member', type: 'boolean', missing: false },
    { name: 'plan', type: 'categorical', maxCategories: 50, minCount: 1 },
    { name: 'title', type: 'text', dimensions: 32, ngrams: [1, 2], lowercase: true, analyzer: 'word', sublinearTf: false, minDf: 1 },
  ];
  const train = [
    { age: '31', income: '52000', member: 'yes', plan: 'pro', title: 'Export is slow' },
    { age: 45, income: '', member: 'no', plan: 'free', title: 'Login fails' },
    { age: '', income: 81000, member: true, plan: 'pro', title: 'Dark mode please' },
    { age: '27', income: '0', member: '', plan: '', title: '' },
  ];
  const later = [
    { age: 60, income: 1e6, member: 'n', plan: 'enterprise', title: 'export fails in dark mode' },
    { age: 'oops', member: 'y' },
  ];

  it('survives JSON serialisation and gives identical output afterwards', () => {
    const fitted = fitPipeline(specs, train);
    const restored = pipelineFromJson(JSON.parse(JSON.stringify(fitted)));
    assert.deepEqual(transformRows(restored, later).x, transformRows(fitted, later).x);
    assert.deepEqual(transformRows(restored, train).x, transformRows(fitted, train).x);
  });

  it('names one output column per matrix column, grouped by the configured feature', () => {
    const fitted = fitPipeline(specs, train);
    const columns = outputColumns(fitted);
    assert.equal(columns.length, fitted.width);
    assert.equal(fitted.width, 1 + 1 + 1 + 3 + 32);
    assert.deepEqual(columns.slice(0, 6), [
      { feature: 'age', column: 'age' },
      { feature: 'income', column: 'income' },
      { feature: 'member', column: 'member' },
      { feature: 'plan', column: 'plan=free' },
      { feature: 'plan', column: 'plan=pro' },
      { feature: 'plan', column: 'plan=(other)' },
    ]);
    assert.deepEqual(columns[6], { feature: 'title', column: 'title#0' });
    const out = transformRows(fitted, later);
    assert.deepEqual([out.n, out.d, out.x.length], [2, fitted.width, 2 * fitted.width]);
  });

  it('reads a version-1 pipeline.json (saved before the text options) as word n-grams with raw counts, as it was fitted', () => {
    // What a bundle written before version 2 holds: no analyzer/sublinearTf/minDf/terms, and
    // an idf for every bucket (unseen ones too: ln((1 + 1) / 1) + 1 with one training row).
    const old = {
      version: 1,
      width: 16,
      features: [{ type: 'text', name: 't', dimensions: 16, ngrams: [1, 1], lowercase: true, documents: 1, idf: Array.from({ length: 16 }, (_, i) => (i === fnv1a32('a') % 16 ? 1 : Math.log(2) + 1)) }],
    };
    const p = pipelineFromJson(JSON.parse(JSON.stringify(old)));
    const f = p.features[0];
    assert.ok(f.type === 'text');
    assert.deepEqual([f.analyzer, f.sublinearTf, f.minDf], ['word', false, 1]);
    const a = fnv1a32('a') % 16;
    const z = fnv1a32('zzz') % 16;
    assert.notEqual(a, z);
    const x = transformRows(p, [{ t: 'a a zzz' }]).x;
    const norm = Math.hypot(2, Math.log(2) + 1);
    assertClose([x[a], x[z]], [2 / norm, (Math.log(2) + 1) / norm]);
  });

  it('writes pipeline version 2 with the text options, and rejects version 2 without them', () => {
    const fitted = fitPipeline(specs, train);
    assert.equal(fitted.version, 2);
    const copy = JSON.parse(JSON.stringify(fitted)) as { features: Array<Record<string, unknown>> };
    delete copy.features[4].analyzer;
    assert.throws(() => pipelineFromJson(copy), /text options/);
  });

  it('rejects a damaged pipeline and an empty feature list', () => {
    const fitted = fitPipeline(specs, train);
    const damaged = JSON.parse(JSON.stringify(fitted)) as FittedPipeline;
    damaged.width += 1;
    assert.throws(() => pipelineFromJson(damaged), /width/);
    assert.throws(() => pipelineFromJson({ version: 3, features: [], width: 0 }), /version/);
    assert.throws(() => fitPipeline([], train), UserError);
  });
});

describe('numeric statistics that stay finite for any finite input (issue 12, item 5)', () => {
  it('standardizes values near 1e200, whose squares overflow, to finite columns and a loadable pipeline', () => {
    const rows = [{ v: 1e200 }, { v: 2e200 }, { v: 3e200 }, { v: '' }];
    const p = fitPipeline([numeric('v')], rows);
    const f = p.features[0] as { fill: number; center: number; scale: number };
    assert.ok([f.fill, f.center, f.scale].every(Number.isFinite), JSON.stringify(f));
    assert.doesNotThrow(() => pipelineFromJson(JSON.parse(JSON.stringify(p))));
    assertClose(column(transformRows(p, rows), 0), [-1.4142135, 0, 1.4142135, 0]);
  });

  it("keeps the statistics of ordinary values bit for bit those of plain sums (a guard for the change above)", () => {
    const values = [0.1, 2.5, 3.75, -8, 1e3, 42.125];
    const p = fitPipeline([numeric('v')], values.map((v) => ({ v })));
    const f = p.features[0] as { center: number; scale: number };
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) * (b - mean), 0) / values.length);
    assert.equal(f.center, mean);
    assert.equal(f.scale, std);
  });
});
